"""The inference-time repair pipeline and its metrics.

Gated as in the SLMFix paper: a draft the validator accepts is kept; an invalid one goes to the SLM, whose answer is
re-validated, for up to `eval.rounds` rounds. With `eval.num_samples > 1` each round samples several repairs and
keeps the best one: valid first, then the most similar to the draft (no reference is used at inference).

With `eval.gate=tests` (LeDex's self-debugging) a draft is kept only when it passes the task's tests (task_tests.py:
for SQL its result on the task's database, so the reference's result is consulted at inference, as unit tests are in
LeDex), a failing one gets the failed test as feedback, and samples are picked by the tests first. Either way each
method reports pass@k of the first round's samples for every k up to `eval.num_samples` (over the tasks that were
repaired: `pass_at_k_drawn`) and, per round, the success-refinement rate: of the programs still failing before
round r, the share fixed in round r.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sacrebleu
from transformers import PreTrainedTokenizerBase

from slmfix_exp.config import Config
from slmfix_exp.data.base_llm import Draft, make_drafts
from slmfix_exp.dsl.base import DSL, Task, Validation
from slmfix_exp.generation import generate, seeded
from slmfix_exp.models import SLM
from slmfix_exp.prompts import RepairFormat
from slmfix_exp.report import write_atomic, write_reports
from slmfix_exp.rundir import stage_done
from slmfix_exp.task_tests import Verdict, run_tests

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a method ends with for one task."""

    program: str
    validation: Validation
    repair_calls: int = 0
    # the gate's verdict on every sample of the first round, in the order drawn (`pass_at_k_drawn` reads them)
    samples_passed: list[bool] = field(default_factory=list)
    passed: bool | None = None  # the gate's verdict (eval.gate): the validator's, or the task's tests'
    feedback: Validation | None = None  # what the next repair prompt shows
    failing: bool = False  # the draft failed the gate, so the SLM was asked
    fixed_in_round: int | None = None  # the round whose repair first passed the gate


def repair(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    tasks: Sequence[Task],
    drafts: Sequence[str],
    draft_validations: Sequence[Validation],
    desc: str,
) -> list[Outcome]:
    """Repair the drafts that fail the gate, round after round. A round samples `eval.sample_chunk` repairs at a
    time for the tasks with no passing sample yet, up to `eval.num_samples`: samples go where they are needed."""
    e, form = cfg.eval, RepairFormat.of(cfg, dsl)
    refs, contexts = [t.reference or "" for t in tasks], [t.context for t in tasks]
    outcomes = _gated(dsl, drafts, refs, contexts, draft_validations, e.gate)
    for round_ in range(e.rounds):
        todo = [i for i, o in enumerate(outcomes) if not o.passed]
        if not todo:
            break
        prompts = {
            i: form.prompt(tasks[i], outcomes[i].program, outcomes[i].feedback or outcomes[i].validation) for i in todo
        }
        by_task: dict[int, list[tuple[str, Verdict]]] = {i: [] for i in todo}
        pending, drawn = todo, 0
        while pending and drawn < e.num_samples:
            k = min(e.chunk, e.num_samples - drawn)
            samples = generate(
                model,
                tokenizer,
                [prompts[i] for i in pending],
                e.max_new_tokens,
                e.batch_size,
                k,
                e.temperature,
                desc=f"{desc} round {round_ + 1}",
                constrain=cfg.slm.constrained_search,
                names=cfg.slm.constrain_names and dsl.names_in_prompt,
                sample=e.num_samples > 1,
                autocast=cfg.slm.bf16_autocast,
            )
            flat = [
                (i, form.read(text, outcomes[i].program) or "")
                for i, texts in zip(pending, samples, strict=True)
                for text in texts
            ]
            verdicts = run_tests(
                dsl, [p for _, p in flat], [refs[i] for i, _ in flat], [contexts[i] for i, _ in flat], gate=e.gate
            )
            for (i, program), verdict in zip(flat, verdicts, strict=True):
                by_task[i].append((program, verdict))
            drawn += k
            pending = [i for i in pending if not any(v.passed for _, v in by_task[i])]
        for i, candidates in by_task.items():
            o = outcomes[i]
            o.repair_calls += 1
            if round_ == 0:
                o.samples_passed = [v.passed for _, v in candidates]
            best = max(
                candidates,
                key=lambda c: (
                    c[1].passed,
                    c[1].validation.ok,
                    dsl.similarity(c[0], drafts[i], tasks[i].context, kind="paper"),
                ),
            )
            _accept(o, best[0], best[1], round_)
    return outcomes


def rule_repair(
    cfg: Config, dsl: DSL, tasks: Sequence[Task], drafts: Sequence[str], draft_validations: Sequence[Validation]
) -> list[Outcome]:
    """The non-learned baseline `rules`: the validator's own suggestion for the first error applied
    (`DSL.rule_fix`) and the result re-checked, for up to `eval.rounds` rounds, gated as the SLM is."""
    refs, contexts = [t.reference or "" for t in tasks], [t.context for t in tasks]
    outcomes = _gated(dsl, drafts, refs, contexts, draft_validations, cfg.eval.gate)
    for round_ in range(cfg.eval.rounds):
        fixes = {}
        for i, o in enumerate(outcomes):
            if not o.passed:
                fixed = dsl.rule_fix(o.program, o.validation, contexts[i])
                if fixed is not None:
                    fixes[i] = fixed
        if not fixes:
            break
        verdicts = run_tests(
            dsl, list(fixes.values()), [refs[i] for i in fixes], [contexts[i] for i in fixes], gate=cfg.eval.gate
        )
        for (i, program), verdict in zip(fixes.items(), verdicts, strict=True):
            outcomes[i].repair_calls += 1
            _accept(outcomes[i], program, verdict, round_)
    return outcomes


def _gated(
    dsl: DSL,
    drafts: Sequence[str],
    refs: Sequence[str],
    contexts: Sequence[Any],
    validations: Sequence[Validation],
    gate: str,
) -> list[Outcome]:
    """Every draft as an outcome, with the gate's verdict: the failing ones are what a method repairs."""
    checked = run_tests(dsl, drafts, refs, contexts, validations, gate)
    outcomes = [
        Outcome(d, c.validation, passed=c.passed, feedback=c.feedback) for d, c in zip(drafts, checked, strict=True)
    ]
    for o in outcomes:
        o.failing = not o.passed
    return outcomes


def _accept(o: Outcome, program: str, verdict: Verdict, round_: int) -> None:
    """Take a repair as the task's program. An empty answer keeps the program: it is at least as close to the
    request. So does a worse one: under eval.gate=tests a valid but wrong program isn't traded for an invalid one
    (an invalid one for another invalid one is: the next round sees the next error)."""
    worse = (verdict.passed, verdict.validation.ok) < (bool(o.passed), o.validation.ok)
    if program.strip() and not worse:
        o.program = program
        o.validation, o.passed, o.feedback = verdict.validation, verdict.passed, verdict.feedback
        if o.passed:
            o.fixed_in_round = round_ + 1


def refinement_rounds(outcomes: Sequence[Outcome], rounds: int) -> list[dict[str, Any]]:
    """Per round r: the programs still failing before it, those it fixed, and the success-refinement rate (their
    ratio; None when nothing was left to fix). A fixed program is not repaired again, so the counts add up."""
    failing = [o for o in outcomes if o.failing]
    table = []
    for r in range(1, rounds + 1):
        before = sum(o.fixed_in_round is None or o.fixed_in_round >= r for o in failing)
        fixed = sum(o.fixed_in_round == r for o in failing)
        table.append({"round": r, "failing": before, "fixed": fixed, "rate": fixed / before if before else None})
    return table


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimator of pass@k from n samples of which c pass (Chen et al., 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def pass_at_k_drawn(passed: Sequence[bool], k: int, chunk: int) -> float:
    """pass@k of one task from its first round's samples in the order drawn, `chunk` at a time until a chunk holds a
    pass (`repair`). Up to the first chunk, which every task drew whole, the unbiased estimator over it; beyond, the
    first k samples: whether they hold a pass is known though sampling stopped early, as it stops only after one."""
    if k <= chunk:
        return pass_at_k(chunk, sum(passed[:chunk]), k)
    return float(any(passed[:k]))


def best_threshold(scores: list[float], labels: list[bool]) -> tuple[float, float]:
    """The threshold t maximising the agreement of (score >= t) with the labels, and that agreement (the SLMFix
    paper's Table 3 check of AST similarity against execution correctness)."""
    best = (1.0, 0.0)
    for t in [*sorted(set(scores)), float("inf")]:
        agree = sum((s >= t) == y for s, y in zip(scores, labels, strict=True)) / len(labels)
        if agree > best[1]:
            best = (t, agree)
    return best


def method_metrics(
    cfg: Config,
    dsl: DSL,
    tasks: Sequence[Task],
    drafts: Sequence[str],
    outcomes: Sequence[Outcome],
    seconds: float,
    draft_validations: Sequence[Validation],
    memo: dict[tuple[int, str], dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The metrics of one method over the test tasks (and per source, when the tasks name theirs), and the per-task
    figures: similarity to the reference (None without one), to the draft, execution (None where not run), and
    whether the program has a warning its draft hadn't."""
    per_task = []
    memo = {} if memo is None else memo
    for i, (t, d, o) in enumerate(zip(tasks, drafts, outcomes, strict=True)):
        if (i, o.program) not in memo:  # most programs are the same draft in every method
            ref = t.reference
            memo[i, o.program] = {
                "ast": None if ref is None else dsl.similarity(o.program, ref, t.context),
                "ted": None if ref is None else dsl.similarity(o.program, ref, t.context, kind="ted"),
                "to_draft": 1.0 if o.program == d else dsl.similarity(o.program, d, t.context, kind="ted"),
                "execution": None if ref is None else dsl.execution_match(o.program, ref, t.context),
                "new_warning": bool(o.validation.new_warnings(draft_validations[i])),
                "renamed": dsl.renamed_command(d, o.program, t.context),
            }
        per_task.append(memo[i, o.program])
    metrics = _summary(cfg, tasks, outcomes, per_task, range(len(tasks)), seconds)
    sources = sorted({t.source for t in tasks if t.source})
    if sources:
        metrics["by_source"] = {
            src: _summary(cfg, tasks, outcomes, per_task, [i for i, t in enumerate(tasks) if t.source == src], None)
            for src in sources
        }
    return metrics, per_task


def _summary(
    cfg: Config,
    tasks: Sequence[Task],
    outcomes: Sequence[Outcome],
    per_task: Sequence[dict[str, Any]],
    subset: Sequence[int],
    seconds: float | None,
) -> dict[str, Any]:
    """The metrics over the tasks in `subset`. Reference metrics are over the tasks with a reference; the repair
    metrics are over the drafts that failed the gate: how many of them each method made pass it (`repaired_valid`:
    valid, and under eval.gate=tests right on the task's tests too, so a valid but wrong draft left as it is counts
    for no method), right where the language runs programs, and how much of the draft a repair kept."""

    def mean(values: Sequence[float]) -> float | None:
        return sum(values) / len(values) if values else None

    n = len(subset)
    outs = [outcomes[i] for i in subset]
    ref = [i for i in subset if tasks[i].reference is not None]
    failing = [i for i in subset if outcomes[i].failing]
    repaired = [i for i in failing if outcomes[i].passed]
    clean = [i for i in repaired if not per_task[i]["new_warning"]]
    metrics: dict[str, Any] = {
        "n": n,
        "pass_rate": sum(o.validation.ok for o in outs) / n if n else 0.0,
        "ast_similarity": mean([per_task[i]["ast"] for i in ref]),
        "ted_similarity": mean([per_task[i]["ted"] for i in ref]),
        "exact_match": mean([outcomes[i].program.strip() == (tasks[i].reference or "").strip() for i in ref]),
        "invalid_drafts": len(failing),
        "repaired_valid": len(repaired),
        "repaired_rate": len(repaired) / len(failing) if failing else None,
        "invalid_ast_similarity": mean([per_task[i]["ast"] for i in failing if tasks[i].reference is not None]),
        "repaired_similarity_to_draft": mean([per_task[i]["to_draft"] for i in repaired]),
        # a valid repair that adds a warning (Bash: a command with no spec, whose options nothing checked) may have
        # passed by leaving the validator's reach rather than by fixing the draft
        "repaired_no_new_warning": len(clean),
        "repaired_no_new_warning_rate": len(clean) / len(failing) if failing else None,
        "repair_calls": sum(o.repair_calls for o in outs),
    }
    if any(per_task[i]["renamed"] is not None for i in failing):  # the language has commands to rename
        # a valid repair that calls a command no system has, one its draft didn't call: the validator was gamed
        renamed = [i for i in repaired if per_task[i]["renamed"]]
        metrics["renamed_command"] = len(renamed)
        metrics["renamed_command_rate"] = len(renamed) / len(repaired) if repaired else None
    if ref:
        preds, refs = [outcomes[i].program for i in ref], [tasks[i].reference or "" for i in ref]
        metrics["bleu"] = sacrebleu.corpus_bleu(preds, [refs]).score / 100
    executed = [i for i in subset if per_task[i]["execution"] is not None]
    if executed:
        metrics["execution_accuracy"] = sum(bool(per_task[i]["execution"]) for i in executed) / len(executed)
        right = [i for i in failing if per_task[i]["execution"]]
        metrics["repaired_exec"] = len(right)
        metrics["repaired_exec_rate"] = len(right) / len(failing) if failing else None
        sims = [per_task[i]["ast"] for i in executed]
        threshold, agreement = best_threshold(sims, [bool(per_task[i]["execution"]) for i in executed])
        metrics["sim_exec_agreement"] = agreement
        metrics["sim_exec_threshold"] = threshold
    e = cfg.eval
    sampled = [o.samples_passed for o in outs if o.samples_passed] if e.num_samples > 1 else []
    for k in (1, 5, 10):
        if sampled and k <= e.num_samples:  # pass@k of fewer than k samples is not reported
            metrics[f"pass@{k}"] = sum(pass_at_k_drawn(s, k, e.chunk) for s in sampled) / len(sampled)
    if any(o.repair_calls for o in outs):
        metrics["rounds"] = refinement_rounds(outs, cfg.eval.rounds)
    metrics["errors_by_rule"] = dict(Counter(d.rule for o in outs for d in o.validation.errors).most_common())
    if seconds is not None:
        metrics["seconds"] = round(seconds, 3)
        metrics["repairs_per_s"] = round(len(failing) / seconds, 3) if failing and seconds > 0 else None
    return metrics


class Timings(dict[str, float]):
    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        log.info("stage %s ...", name)
        start = time.perf_counter()
        yield
        self[name] = round(time.perf_counter() - start, 2)
        log.info("stage %s done in %.1f s", name, self[name])


class Evaluation:
    """The test tasks, their drafts, and each method's outcomes on them: `base` (the drafts), `rules` (the
    validator's suggestions applied), and every SLM evaluated. What results.json and predictions.jsonl hold."""

    def __init__(self, cfg: Config, dsl: DSL, tasks: Sequence[Task], drafts: Sequence[Draft]) -> None:
        self.cfg, self.dsl, self.tasks, self.drafts = cfg, dsl, list(tasks), list(drafts)
        self.programs = [d.program for d in drafts]
        self.draft_validations = dsl.validate_batch(self.programs, [t.context for t in tasks])
        self.metrics: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, tuple[list[Outcome], list[dict[str, Any]]]] = {}
        self._memo: dict[tuple[int, str], dict[str, Any]] = {}  # per-task figures of a program, for every method

    def base(self) -> dict[str, Any]:
        start = time.perf_counter()
        refs, contexts = [t.reference or "" for t in self.tasks], [t.context for t in self.tasks]
        outcomes = _gated(self.dsl, self.programs, refs, contexts, self.draft_validations, self.cfg.eval.gate)
        return self._add("base", outcomes, start)

    def rules(self) -> dict[str, Any]:
        start = time.perf_counter()
        outcomes = rule_repair(self.cfg, self.dsl, self.tasks, self.programs, self.draft_validations)
        return self._add("rules", outcomes, start)

    def slm(self, name: str, model: SLM, tokenizer: PreTrainedTokenizerBase) -> dict[str, Any]:
        """The SLM's repairs of the drafts as method `name`; with `eval.chain`, also `rules+<name>`: the SLM on what
        `rules` left failing. The metrics of `name`."""
        metrics = self._slm(name, model, tokenizer, None)
        if self.cfg.eval.chain:
            self._slm(f"rules+{name}", model, tokenizer, self.outcomes["rules"][0])
        return metrics

    def _slm(
        self, name: str, model: SLM, tokenizer: PreTrainedTokenizerBase, after: list[Outcome] | None
    ) -> dict[str, Any]:
        start = time.perf_counter()
        programs = [o.program for o in after] if after else self.programs
        validations = [o.validation for o in after] if after else self.draft_validations
        # every method samples from the same random stream (a fair comparison), and evaluating a stage leaves the
        # streams of the training after it as they were
        with seeded(self.cfg.seed):
            outcomes = repair(
                self.cfg, self.dsl, model, tokenizer, self.tasks, programs, validations, desc=f"repairing ({name})"
            )
        if after:  # the chain goes on from the earlier method: its invalid drafts, calls and time count
            for o, before in zip(outcomes, after, strict=True):
                o.failing, o.repair_calls = before.failing, o.repair_calls + before.repair_calls
                o.fixed_in_round = before.fixed_in_round if before.passed else o.fixed_in_round
            start -= self.metrics["rules"]["seconds"]
        return self._add(name, outcomes, start)

    def _add(self, name: str, outcomes: list[Outcome], start: float) -> dict[str, Any]:
        seconds = time.perf_counter() - start
        self.metrics[name], per_task = method_metrics(
            self.cfg, self.dsl, self.tasks, self.programs, outcomes, seconds, self.draft_validations, self._memo
        )
        self.outcomes[name] = (outcomes, per_task)
        return self.metrics[name]

    def predictions(self) -> list[dict[str, Any]]:
        """predictions.jsonl: one record per test task. The flat `repaired*` fields are the last method's (the most
        trained one); `methods` holds every method's output."""
        final = list(self.outcomes)[-1]
        base = self.outcomes["base"][0]
        records = []
        for i, task in enumerate(self.tasks):
            by_method = {
                name: {
                    "program": outs[i].program,
                    "valid": outs[i].validation.ok,
                    "similarity": sims[i]["ast"],
                    "ted_similarity": sims[i]["ted"],
                    "similarity_to_draft": sims[i]["to_draft"],
                    "execution_match": sims[i]["execution"],
                    "repair_calls": outs[i].repair_calls,
                    "fixed_in_round": outs[i].fixed_in_round,  # the round whose repair first passed (eval.gate)
                    "diagnostics": [d.to_dict() for d in outs[i].validation.diagnostics],
                }
                for name, (outs, sims) in self.outcomes.items()
            }
            records.append(
                {
                    "id": task.id,
                    "source": task.source,
                    "nl": task.nl,
                    "reference": task.reference,
                    "context": task.context,
                    "draft": self.drafts[i].program,
                    "draft_label": self.drafts[i].label,
                    "draft_valid": base[i].validation.ok,
                    "diagnostics": [d.to_dict() for d in base[i].validation.diagnostics],
                    "method": final,
                    "repaired": by_method[final]["program"],
                    "repaired_valid": by_method[final]["valid"],
                    "similarity": by_method[final]["similarity"],
                    "methods": by_method,
                }
            )
        return records


def evaluate_baselines(cfg: Config, dsl: DSL, tasks: Sequence[Task], cache_dir: Path, timings: Timings) -> Evaluation:
    """Draft the test tasks, validate the drafts, and score the methods without an SLM: `base` (the drafts as they
    are) and `rules` (the validator's own suggestions applied). The entrypoint and `evaluate_run` start here."""
    with timings.stage("draft"):
        drafts = make_drafts(cfg.base_llm, dsl, tasks, cfg.seed, cache_dir)
    with timings.stage("validate drafts"):
        evaluation = Evaluation(cfg, dsl, tasks, drafts)
    for name, method in (("base", evaluation.base), ("rules", evaluation.rules)):
        with timings.stage(f"evaluate {name}"):
            log_method(name, method())
    return evaluation


def log_method(name: str, metrics: dict[str, Any]) -> None:
    log.info(
        "%s: pass rate %.3f, repaired %s of %d invalid",
        name,
        metrics["pass_rate"],
        metrics["repaired_valid"],
        metrics["invalid_drafts"],
    )


def write_results(
    out_dir: Path, evaluation: Evaluation, config: dict[str, Any], timings: dict[str, float]
) -> tuple[dict[str, Any], list[Path]]:
    """results.json, results.md, predictions.jsonl and the plots of an evaluation, into `out_dir`; the results and
    the plots' paths."""
    results = {
        "dsl": evaluation.dsl.name,
        "config": config,
        "methods": evaluation.metrics,
        "timings": dict(timings),
    }
    write_atomic(out_dir / "predictions.jsonl", "".join(dumps(r) + "\n" for r in evaluation.predictions()))
    write_atomic(out_dir / "results.json", json.dumps(results, indent=2))
    return results, write_reports(out_dir, results)


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def evaluate_run(run_dir: Path, overrides: Sequence[str], out_dir: Path | None = None) -> Path:
    """Evaluate the trained stages of a finished run on other tasks (train once, evaluate on many sets): the run's
    config is composed again from its overrides plus `overrides` (e.g. eval.data.path=F base_llm=cached
    base_llm.path=F), and the results go to `out_dir` (default `<run>/eval/<name of eval.data.path>`)."""
    from omegaconf import OmegaConf

    from slmfix_exp.config import evaluated_stages
    from slmfix_exp.experiment import compose, setup
    from slmfix_exp.models import load_slm, load_tokenizer

    saved = run_dir / ".hydra" / "overrides.yaml"
    if not saved.is_file():
        raise FileNotFoundError(f"{saved} not found: run= must name the run dir of a finished run")
    # the run's own hydra.* overrides (its run dir, a sweep's launcher) don't apply to this evaluation
    previous = [o for o in OmegaConf.load(saved) if not str(o).lstrip("+~").startswith("hydra")]
    raw, cfg = compose([*map(str, previous), *overrides])
    name = Path(cfg.eval.data.path).stem if cfg.eval.data.path else cfg.eval.split
    out_dir = out_dir or run_dir / "eval" / name
    if (out_dir / "results.json").exists():
        raise FileExistsError(f"{out_dir / 'results.json'} exists: choose another out=")
    out_dir.mkdir(parents=True, exist_ok=True)
    timings = Timings()
    run = setup(cfg)
    evaluation = evaluate_baselines(cfg, run.dsl, run.test, run.cache_dir, timings)
    for stage in evaluated_stages(cfg):
        final = stage_done(run_dir / stage)
        if final is None:
            log.warning("stage %s of %s has no final model: not evaluated", stage, run_dir)
            continue
        with timings.stage(f"evaluate {stage}"):
            log_method(
                stage, evaluation.slm(stage, load_slm(str(final), cfg.slm, trainable=False), load_tokenizer(str(final)))
            )
    config = OmegaConf.to_container(raw, resolve=True)
    write_results(out_dir, evaluation, config, timings)  # type: ignore[arg-type]
    return out_dir


def main(argv: Sequence[str] | None = None) -> None:
    """slmfix-evaluate (python -m slmfix_exp.evaluate) run=<run dir> [out=<dir>] [config overrides ...]"""
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s][%(name)s] %(message)s")
    own = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in argv if a.startswith(("run=", "out="))}
    if "run" not in own:
        raise SystemExit("usage: slmfix-evaluate run=<run dir> [out=<dir>] [overrides ...]")
    overrides = [a for a in argv if not a.startswith(("run=", "out="))]
    out = evaluate_run(Path(own["run"]), overrides, Path(own["out"]) if "out" in own else None)
    print(out)


if __name__ == "__main__":
    main()
