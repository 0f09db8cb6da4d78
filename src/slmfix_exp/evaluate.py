"""The inference-time repair pipeline and its metrics.

Gated as in the SLMFix paper: a draft the validator accepts is kept; an invalid one goes to the SLM, whose answer is
re-validated, for up to `eval.rounds` rounds. With `eval.num_samples > 1` each round samples several repairs and
keeps the best one: valid first, then the most similar to the draft (no reference is used at inference).
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
from slmfix_exp.dsl.base import DSL, Task, Validation
from slmfix_exp.models import SLM
from slmfix_exp.prompts import read_repair, repair_prompt


@dataclass
class Outcome:
    """What a method ends with for one task."""

    program: str
    validation: Validation
    repair_calls: int = 0
    samples_valid: list[bool] = field(default_factory=list)  # validity of every sample of the first round


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
) -> list[list[str]]:
    """`num_samples` completions per prompt, batched, left-padded; greedy when num_samples == 1."""
    model.eval()
    tokenizer.padding_side = "left"
    outputs: list[list[str]] = []
    sample = num_samples > 1
    for start in tqdm(range(0, len(prompts), batch_size), desc=desc, unit="batch", leave=False):
        batch = list(prompts[start : start + batch_size])
        enc = tokenizer(batch, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
        out = model.generate(
            **enc,
            max_new_tokens=max_new_tokens,
            do_sample=sample,
            temperature=temperature if sample else None,
            top_p=None,
            top_k=None,
            num_return_sequences=num_samples,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        texts = tokenizer.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
        outputs.extend(texts[i : i + num_samples] for i in range(0, len(texts), num_samples))
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
    outcomes = [Outcome(d, v) for d, v in zip(drafts, draft_validations, strict=True)]
    e = cfg.eval
    for round_ in range(e.rounds):
        todo = [i for i, o in enumerate(outcomes) if not o.validation.ok]
        if not todo:
            break
        prompts = [
            repair_prompt(
                tasks[i],
                outcomes[i].program,
                outcomes[i].validation,
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
        )
        flat = [
            (i, read_repair(text, dsl, outcomes[i].program, cfg.slm.answer) or "")
            for i, texts in zip(todo, samples, strict=True)
            for text in texts
        ]
        verdicts = dsl.validate_batch([p for _, p in flat], [tasks[i].context for i, _ in flat])
        by_task: dict[int, list[tuple[str, Validation]]] = {}
        for (i, program), verdict in zip(flat, verdicts, strict=True):
            by_task.setdefault(i, []).append((program, verdict))
        for i, candidates in by_task.items():
            o = outcomes[i]
            o.repair_calls += 1
            if round_ == 0:
                o.samples_valid = [v.ok for _, v in candidates]
            best = max(candidates, key=lambda c: (c[1].ok, dsl.similarity(c[0], drafts[i], tasks[i].context)))
            if best[0].strip():  # an empty answer keeps the draft: it is at least as close to the request
                o.program, o.validation = best
    return outcomes


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
    sampled = [o.samples_valid for o in outcomes if len(o.samples_valid) > 1]
    for k in (1, 5, 10):
        if sampled and len(sampled[0]) >= k:
            metrics[f"pass@{k}"] = sum(pass_at_k(len(s), sum(s), k) for s in sampled) / len(sampled)
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
