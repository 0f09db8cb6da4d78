"""The inference-time repair pipeline and its metrics.

Gated as in the SLMFix paper: a draft the validator accepts is kept; an invalid one goes to the SLM, whose answer is
re-validated, for up to `eval.rounds` rounds. With `eval.num_samples > 1` each round samples several repairs and
keeps the best one: valid first, then the most similar to the draft (no reference is used at inference).

With `eval.gate=tests` (LeDex's self-debugging) a draft is kept only when it passes the task's tests (task_tests.py:
for SQL its result on the task's database, so the reference's result is consulted at inference, as unit tests are in
LeDex), a failing one gets the failed test as feedback, and samples are picked by the tests first. Either way each
method reports pass@k of the first round's samples (unbiased estimator, over the tasks that were repaired) and, per
round, the success-refinement rate: of the programs still failing before round r, the share fixed in round r.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sacrebleu
import torch
from tqdm.auto import tqdm
from transformers import PreTrainedTokenizerBase

from slmfix_exp.config import Config
from slmfix_exp.constrained import SearchTextInDraft
from slmfix_exp.dsl.base import DSL, Task, Validation
from slmfix_exp.models import SLM
from slmfix_exp.prompts import read_repair, repair_prompt
from slmfix_exp.task_tests import Verdict, run_tests


@dataclass
class Outcome:
    """What a method ends with for one task."""

    program: str
    validation: Validation
    repair_calls: int = 0
    samples_passed: list[bool] = field(default_factory=list)  # the gate's verdict on every sample of the first round
    passed: bool | None = None  # the gate's verdict (eval.gate): the validator's, or the task's tests'
    feedback: Validation | None = None  # what the next repair prompt shows
    failing: bool = False  # the draft failed the gate, so the SLM was asked
    fixed_in_round: int | None = None  # the round whose repair first passed the gate


@torch.no_grad()
def generate(
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    max_new_tokens: int,
    batch_size: int,
    num_samples: int = 1,
    temperature: float = 0.0,
    desc: str = "generating",
    constrain: bool = False,
) -> list[list[str]]:
    """`num_samples` completions per prompt, greedy when num_samples == 1. Batches hold `batch_size` sequences
    (prompts x samples) of prompts of like length, left-padded: sorting by length cuts the padding computed on.

    With `constrain` (repair prompts, edit answers), the search texts can only copy pieces of the prompt's draft."""
    model.eval()
    tokenizer.padding_side = "left"
    outputs: list[list[str]] = [[] for _ in prompts]
    sample = num_samples > 1
    lengths = [len(ids) for ids in tokenizer(list(prompts), add_special_tokens=False)["input_ids"]] if prompts else []
    order = sorted(range(len(prompts)), key=lengths.__getitem__)
    per_batch = max(1, batch_size // num_samples)
    for start in tqdm(range(0, len(order), per_batch), desc=desc, unit="batch", leave=False):
        ids = order[start : start + per_batch]
        enc = tokenizer([prompts[i] for i in ids], return_tensors="pt", padding=True, add_special_tokens=False)
        out = model.generate(
            **enc.to(model.device),
            max_new_tokens=max_new_tokens,
            do_sample=sample,
            temperature=temperature if sample else None,
            top_p=None,
            top_k=None,
            num_return_sequences=num_samples,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
            logits_processor=[SearchTextInDraft(tokenizer)] if constrain else None,
        )
        texts = tokenizer.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
        for k, i in enumerate(ids):
            outputs[i] = texts[k * num_samples : (k + 1) * num_samples]
    return outputs


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
    e = cfg.eval
    refs, contexts = [t.reference for t in tasks], [t.context for t in tasks]
    checked = run_tests(dsl, drafts, refs, contexts, draft_validations, e.gate)
    outcomes = [
        Outcome(d, c.validation, passed=c.passed, feedback=c.feedback) for d, c in zip(drafts, checked, strict=True)
    ]
    for o in outcomes:
        o.failing = not o.passed
    for round_ in range(e.rounds):
        todo = [i for i, o in enumerate(outcomes) if not o.passed]
        if not todo:
            break
        prompts = [
            repair_prompt(
                tasks[i],
                outcomes[i].program,
                outcomes[i].feedback or outcomes[i].validation,
                dsl,
                cfg.prompt.mode,
                cfg.prompt.max_diagnostics,
                cfg.slm.answer,
            )
            for i in todo
        ]
        samples = generate(
            model,
            tokenizer,
            prompts,
            e.max_new_tokens,
            e.batch_size,
            e.num_samples,
            e.temperature,
            desc=f"{desc} round {round_ + 1}",
            constrain=cfg.slm.answer == "edit" and cfg.slm.constrain_search,
        )
        flat = [
            (i, read_repair(text, dsl, outcomes[i].program, cfg.slm.answer) or "")
            for i, texts in zip(todo, samples, strict=True)
            for text in texts
        ]
        programs = [p for _, p in flat]
        verdicts = run_tests(dsl, programs, [refs[i] for i, _ in flat], [contexts[i] for i, _ in flat], gate=e.gate)
        by_task: dict[int, list[tuple[str, Verdict]]] = {}
        for (i, program), verdict in zip(flat, verdicts, strict=True):
            by_task.setdefault(i, []).append((program, verdict))
        for i, candidates in by_task.items():
            o = outcomes[i]
            o.repair_calls += 1
            if round_ == 0:
                o.samples_passed = [v.passed for _, v in candidates]
            best = max(
                candidates,
                key=lambda c: (c[1].passed, c[1].validation.ok, dsl.similarity(c[0], drafts[i], tasks[i].context)),
            )
            # An empty answer keeps the draft: it is at least as close to the request. So does a worse one: under
            # eval.gate=tests a valid but wrong program isn't traded for an invalid one.
            worse = (best[1].passed, best[1].validation.ok) < (bool(o.passed), o.validation.ok)
            if best[0].strip() and not worse:
                o.program, verdict = best
                o.validation, o.passed, o.feedback = verdict.validation, verdict.passed, verdict.feedback
                if o.passed:
                    o.fixed_in_round = round_ + 1
    return outcomes


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
    cfg: Config, dsl: DSL, tasks: Sequence[Task], outcomes: Sequence[Outcome], seconds: float
) -> tuple[dict[str, Any], list[dict[str, float]]]:
    """The metrics of one method over the test tasks, and the per-task similarities."""
    n = len(tasks)
    per_task = []
    for t, o in zip(tasks, outcomes, strict=True):
        per_task.append(
            {
                "ast": dsl.similarity(o.program, t.reference, t.context, kind=cfg.dsl.similarity),
                "ted": dsl.similarity(o.program, t.reference, t.context, kind="ted"),
            }
        )
    preds = [o.program for o in outcomes]
    refs = [t.reference for t in tasks]
    metrics: dict[str, Any] = {
        "n": n,
        "pass_rate": sum(o.validation.ok for o in outcomes) / n,
        "ast_similarity": sum(s["ast"] for s in per_task) / n,
        "ted_similarity": sum(s["ted"] for s in per_task) / n,
        "bleu": sacrebleu.corpus_bleu(preds, [refs]).score / 100 if n else 0.0,
        "exact_match": sum(p.strip() == r.strip() for p, r in zip(preds, refs, strict=True)) / n,
        "repair_calls": sum(o.repair_calls for o in outcomes),
        "seconds": round(seconds, 3),
    }
    executions = [dsl.execution_match(p, t.reference, t.context) for p, t in zip(preds, tasks, strict=True)]
    if any(x is not None for x in executions):
        metrics["execution_accuracy"] = sum(bool(x) for x in executions) / n
        pairs = [(s["ast"], bool(x)) for s, x in zip(per_task, executions, strict=True) if x is not None]
        threshold, agreement = best_threshold([p[0] for p in pairs], [p[1] for p in pairs])
        metrics["sim_exec_agreement"] = agreement
        metrics["sim_exec_threshold"] = threshold
    sampled = [o.samples_passed for o in outcomes if len(o.samples_passed) > 1]
    for k in (1, 5, 10):
        if sampled and len(sampled[0]) >= k:
            metrics[f"pass@{k}"] = sum(pass_at_k(len(s), sum(s), k) for s in sampled) / len(sampled)
    if any(o.repair_calls for o in outcomes):
        metrics["rounds"] = refinement_rounds(outcomes, cfg.eval.rounds)
    metrics["errors_by_rule"] = dict(Counter(d.rule for o in outcomes for d in o.validation.errors).most_common())
    return metrics, per_task


def evaluate_method(
    cfg: Config,
    dsl: DSL,
    tasks: Sequence[Task],
    drafts: Sequence[str],
    draft_validations: Sequence[Validation],
    model: SLM | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    name: str = "base",
) -> tuple[dict[str, Any], list[Outcome], list[dict[str, float]]]:
    """Evaluate a method: the drafts as they are (model None) or repaired by the model."""
    start = time.perf_counter()
    if model is None or tokenizer is None:
        outcomes = [Outcome(d, v) for d, v in zip(drafts, draft_validations, strict=True)]
    else:
        torch.manual_seed(cfg.seed)  # every method samples its repairs from the same random stream: a fair comparison
        outcomes = repair(cfg, dsl, model, tokenizer, tasks, drafts, draft_validations, desc=f"repairing ({name})")
    metrics, per_task = method_metrics(cfg, dsl, tasks, outcomes, time.perf_counter() - start)
    return metrics, outcomes, per_task


def prediction_records(
    tasks: Sequence[Task],
    drafts: Sequence[Any],
    base: Sequence[Outcome],
    methods: dict[str, tuple[list[Outcome], list[dict[str, float]]]],
) -> list[dict[str, Any]]:
    """predictions.jsonl: one record per test task. The flat `repaired*` fields are the last method's (the most
    trained one); `methods` holds every method's output."""
    final = list(methods)[-1]
    records = []
    for i, task in enumerate(tasks):
        by_method = {
            name: {
                "program": outs[i].program,
                "valid": outs[i].validation.ok,
                "similarity": sims[i]["ast"],
                "ted_similarity": sims[i]["ted"],
                "repair_calls": outs[i].repair_calls,
                "fixed_in_round": outs[i].fixed_in_round,  # the round whose repair first passed (eval.gate)
                "diagnostics": [d.to_dict() for d in outs[i].validation.diagnostics],
            }
            for name, (outs, sims) in methods.items()
        }
        records.append(
            {
                "id": task.id,
                "nl": task.nl,
                "reference": task.reference,
                "context": task.context,
                "draft": drafts[i].program,
                "draft_label": drafts[i].label,
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


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)
