"""LeDex's data synthesis, a stage of the entrypoint (`synthesis.enabled=true`), between drafting and training:

    training tasks -> base LLM: `synthesis.samples` drafts per task (at `synthesis.temperature` where it samples)
      -> the task's tests (task_tests.py): keep the failing drafts (validator errors; for SQL also a wrong result set)
      -> teacher: explain the failure, then refine the program (`synthesis.refinements` samples per failure)
      -> the tests again: keep only refinements that pass
      -> <run_dir>/synthesis/dataset.jsonl: (task, wrong program, feedback, explanation, fixed program) + provenance

The teacher (`synthesis.teacher`):

- `llm`: the base LLM (`base_llm=hf` or `openai`), asked to explain and then refine, as LeDex asks its teacher;
- `slm`: a trained SLM (`synthesis.teacher_path`, e.g. an earlier run's `sft/final`), with the explain-then-fix
  prompt the SLM is trained on;
- `reference`: no model at all, for the offline default (`base_llm=mutator`): the explanation is the failure's first
  diagnostic turned into a sentence (`prompts.explain`) and the refinement is the task's reference program. Each
  record says so: `teacher: reference`, `explanation_source: feedback`.
- `auto`: `llm` when the base LLM is a model (hf, openai), else `reference`.

SFT and RL then train on `training_examples` of the dataset. A dataset already in the run dir is read back, so a
resumed run doesn't synthesise twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slmfix_exp.config import Config
from slmfix_exp.data.base_llm import BaseLLM, Draft, base_llm_from_config, sample_drafts
from slmfix_exp.dsl.base import DSL, Diagnostic, Task, Validation
from slmfix_exp.models import slm_from_config
from slmfix_exp.prompts import WRONG_RESULT, RepairFormat, edit_script, explain, extract_program
from slmfix_exp.report import write_atomic
from slmfix_exp.task_tests import Verdict, run_tests

log = logging.getLogger(__name__)


@dataclass
class Failure:
    """A sampled draft that fails its task's tests."""

    task: Task
    draft: Draft
    sample: int
    verdict: Verdict


@dataclass
class Refinement:
    explanation: str
    program: str
    sample: int


def resolve_teacher(cfg: Config) -> str:
    teacher = cfg.synthesis.teacher
    chats = base_llm_from_config(cfg.base_llm).chats
    if teacher == "auto":
        return "llm" if chats else "reference"
    if teacher == "llm" and not chats:
        raise ValueError(f"synthesis.teacher=llm needs base_llm=hf or openai, not {cfg.base_llm.name}")
    if teacher == "slm" and not (cfg.synthesis.teacher_path or slm_from_config(cfg.slm).name_or_path):
        raise ValueError("synthesis.teacher=slm needs synthesis.teacher_path=<model dir> (e.g. a run's sft/final)")
    return teacher


def synthesise(cfg: Config, dsl: DSL, tasks: Sequence[Task], out_dir: Path, cache_dir: Path) -> list[dict[str, Any]]:
    """The dataset's records, written to `out_dir/dataset.jsonl` with counts in `out_dir/summary.json`."""
    path = out_dir / "dataset.jsonl"
    if path.exists():
        log.info("synthesis: reading the dataset already in %s", path)
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    s = cfg.synthesis
    teacher = resolve_teacher(cfg)
    samples = sample_drafts(cfg.base_llm, dsl, tasks, cfg.seed, cache_dir, s.samples, s.temperature)
    seen: set[tuple[str, str]] = set()
    drawn: list[tuple[Task, int, Draft]] = []
    for task, drafts in zip(tasks, samples, strict=True):
        for k, draft in enumerate(drafts):
            if (task.id, draft.program) not in seen:  # the same wrong program twice teaches nothing new
                seen.add((task.id, draft.program))
                drawn.append((task, k, draft))
    verdicts = _test(dsl, [d.program for _, _, d in drawn], [t for t, _, _ in drawn])
    failures = [Failure(t, d, k, v) for (t, k, d), v in zip(drawn, verdicts, strict=True) if not v.passed]
    log.info("synthesis: %d distinct drafts of %d tasks, %d failing", len(drawn), len(tasks), len(failures))

    refinements = refine(cfg, teacher, dsl, failures, cache_dir)
    flat = [(f, r) for f, rs in zip(failures, refinements, strict=True) for r in rs]
    checked = _test(dsl, [r.program for _, r in flat], [f.task for f, _ in flat])
    records, kept = [], set()
    drafter, teacher_label = (
        base_llm_from_config(cfg.base_llm),
        _teacher_label(cfg, teacher),
    )  # the same for every record
    for (failure, refinement), verdict in zip(flat, checked, strict=True):
        key = (failure.task.id, failure.draft.program, refinement.program)
        if not verdict.passed or key in kept:
            continue
        if cfg.slm.answer == "edit" and not edit_script(failure.draft.program, refinement.program):
            continue  # an edit answer needs a draft to anchor on
        kept.add(key)
        records.append(_record(cfg, teacher, teacher_label, drafter, failure, refinement, verdict))

    failing_kinds = Counter(_failure_kind(f.verdict) for f in failures)
    summary = {
        "teacher": teacher_label,
        "tasks": len(tasks),
        "drafts": sum(len(d) for d in samples),
        "distinct_drafts": len(drawn),
        "failing": len(failures),
        "failing_by_kind": dict(failing_kinds),
        "refinements": len(flat),
        "refinements_passing": sum(v.passed for v in checked),
        "records": len(records),
        "failures_fixed": len({(r["task_id"], r["wrong_program"]) for r in records}),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / "summary.json", json.dumps(summary, indent=2))
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    log.info("synthesis: %s", summary)
    return records


def _test(dsl: DSL, programs: Sequence[str], tasks: Sequence[Task]) -> list[Verdict]:
    return run_tests(dsl, programs, [t.reference or "" for t in tasks], [t.context for t in tasks])


def _failure_kind(verdict: Verdict) -> str:
    return WRONG_RESULT if any(d.rule == WRONG_RESULT for d in verdict.feedback.errors) else "invalid"


def refine(cfg: Config, teacher: str, dsl: DSL, failures: Sequence[Failure], cache_dir: Path) -> list[list[Refinement]]:
    """The teacher's explanations and refinements of each failure."""
    s = cfg.synthesis
    if teacher == "reference":
        return [[Refinement(explain(f.verdict.feedback), f.task.reference or "", 0)] for f in failures]
    if teacher == "llm":
        llm = base_llm_from_config(cfg.base_llm).with_options(
            temperature=s.refine_temperature, max_new_tokens=s.max_new_tokens
        )
        conversations = [
            [
                {"role": "system", "content": f"You are an expert in {dsl.display_name}."},
                {"role": "user", "content": _prompt(cfg, dsl, f, "program")},
            ]
            for f in failures
        ]
        answers = llm.chat(conversations, cache_dir, s.refinements, cfg.seed, desc="refining")
        return [
            [
                Refinement(read_explanation(text), extract_program(text, dsl.fence) or "", j)
                for j, text in enumerate(texts)
            ]
            for texts in answers
        ]
    from slmfix_exp.generation import generate
    from slmfix_exp.models import load_slm, load_tokenizer

    path = str(s.teacher_path or slm_from_config(cfg.slm).name_or_path)
    model, tokenizer = load_slm(path, cfg.slm, trainable=False), load_tokenizer(path)
    prompts = [_prompt(cfg, dsl, f, cfg.slm.answer) for f in failures]
    texts = generate(
        model,
        tokenizer,
        prompts,
        s.max_new_tokens,
        cfg.eval.batch_size,
        s.refinements,
        s.refine_temperature,
        "refining",
        autocast=cfg.slm.bf16_autocast,
    )
    form = RepairFormat.of(cfg, dsl)
    return [
        [
            Refinement(read_explanation(text), form.read(text, f.draft.program) or "", j)
            for j, text in enumerate(samples)
        ]
        for f, samples in zip(failures, texts, strict=True)
    ]


def _prompt(cfg: Config, dsl: DSL, failure: Failure, answer: str) -> str:
    form = RepairFormat(dsl, answer, "explain_then_fix", cfg.prompt.max_diagnostics)
    return form.prompt(failure.task, failure.draft.program, failure.verdict.feedback)


_EXPLANATION = re.compile(r"Explanation:\s*(.*?)\s*(?:```|\n\s*\n|$)", re.DOTALL | re.IGNORECASE)


def read_explanation(text: str) -> str:
    """The explanation before the answer's fence: after "Explanation:" when it is there, else the prose before."""
    found = _EXPLANATION.search(text)
    if found:
        return " ".join(found.group(1).split())
    return " ".join(text.split("```", 1)[0].split())


def _teacher_label(cfg: Config, teacher: str) -> str:
    if teacher == "llm":
        return f"llm:{base_llm_from_config(cfg.base_llm).label}"
    if teacher == "slm":
        return f"slm:{cfg.synthesis.teacher_path or slm_from_config(cfg.slm).name_or_path}"
    return "reference"


def _record(
    cfg: Config,
    teacher: str,
    teacher_label: str,
    drafter: BaseLLM,
    failure: Failure,
    refinement: Refinement,
    verdict: Verdict,
) -> dict[str, Any]:
    task, s = failure.task, cfg.synthesis
    sampled = drafter.chats
    return {
        "task_id": task.id,
        "nl": task.nl,
        "context": task.context,
        "reference": task.reference,
        "wrong_program": failure.draft.program,
        "failure": _failure_kind(failure.verdict),
        "feedback": failure.verdict.feedback.feedback(cfg.prompt.max_diagnostics, failure.draft.program),
        "diagnostics": [d.to_dict() for d in failure.verdict.feedback.errors],
        "explanation": refinement.explanation,
        "fixed_program": refinement.program,
        "fixed_tests": verdict.tests,  # what the fixed program passed: "result-set" or "validator"
        # provenance: who wrote the wrong program and the fix, and how
        "drafter": drafter.label,
        "draft_label": failure.draft.label,
        "sample": failure.sample,
        "temperature": s.temperature if sampled else None,  # the mutator and cached drafts don't sample
        "teacher": teacher_label,
        "explanation_source": "feedback" if teacher == "reference" else "teacher",
        "refinement_sample": refinement.sample,
        "refine_temperature": s.refine_temperature if teacher != "reference" else None,
    }


def training_examples(cfg: Config, dsl: DSL, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prompt/completion records for SFT and RL, as `train.repair_examples` makes them: the wrong program and its
    feedback in the prompt, the explanation (explain_then_fix) and the fix in the completion."""
    if not records:
        raise ValueError(
            "the synthesised dataset is empty: no refinement passed its tests (see synthesis/summary.json)"
        )
    examples, form = [], RepairFormat.of(cfg, dsl)
    for r in records:
        task = Task(r["task_id"], r["nl"], r["reference"], r["context"])
        feedback = Validation.of([Diagnostic(**d) for d in r["diagnostics"]])
        wrong = r["wrong_program"]
        why = r["explanation"] if form.explains else None
        examples.append(
            {
                "prompt": form.prompt(task, wrong, feedback),
                "completion": form.completion(r["fixed_program"], wrong, why),
                "draft": wrong,
                "reference": task.reference,
                "context": json.dumps(task.context),
                "label": r["failure"],
            }
        )
    return examples
