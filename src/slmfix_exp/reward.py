"""Reward callables for TRL's GRPO/RLOO trainers: r(completion) from the validator verdict and the similarity of the
repaired program to the reference.

Each is a plain callable `reward(prompts, completions, reference, context, draft, **kwargs) -> list[float]` whose
extra arguments are dataset columns, as TRL passes them (`draft` is what an edit answer applies to). They never
raise: a completion that breaks anything scores 0.
A completion with no fenced program, or an empty one, scores the option's minimum (0; -5 for `ledex`), so neither
prose nor an empty script collects the validator's share.

`ledex` is LeDex's code reward, `5 * (CodeBLEU + test pass fraction) - 5` in [-5, 5]: CodeBLEU-style similarity to
the reference (codebleu.py) and the task's tests (task_tests.py: SQL's result set on the task's database, the
validator elsewhere). LeDex's explanation reward is left out: there is no model here to judge explanations.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from slmfix_exp.codebleu import codebleu
from slmfix_exp.config import RewardConfig
from slmfix_exp.dsl.base import DSL, call_with_time_limit
from slmfix_exp.prompts import read_repair
from slmfix_exp.task_tests import run_tests

log = logging.getLogger(__name__)

REWARDS = ("dual", "adaptive", "validator", "similarity", "gated", "ledex")
RANGES = {"ledex": (-5.0, 5.0)}  # every other option: [0, 1]


class RepairReward:
    """One reward option of the `reward` group, bound to a DSL."""

    def __init__(self, cfg: RewardConfig, dsl: DSL, answer: str = "program"):
        if cfg.name not in REWARDS:
            raise ValueError(f"unknown reward.name {cfg.name!r}: use one of {', '.join(REWARDS)}")
        self.cfg, self.dsl, self.answer = cfg, dsl, answer
        self.__name__ = f"reward_{cfg.name}"  # TRL names the logged metric after the function

    @property
    def bounds(self) -> tuple[float, float]:
        """The least and the most a completion can earn; no answer earns the least."""
        return RANGES.get(self.cfg.name, (0.0, 1.0))

    def __call__(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        reference: Sequence[str],
        context: Sequence[str | dict] | None = None,
        draft: Sequence[str] | None = None,
        log_metric: Callable[[str, float], None] | None = None,
        **_: Any,
    ) -> list[float]:
        start = time.perf_counter()
        contexts = [_as_dict(c) for c in (context or [{}] * len(completions))]
        drafts = draft or [""] * len(completions)
        programs = [read_repair(_text(c), self.dsl, d, self.answer) for c, d in zip(completions, drafts, strict=True)]
        # no answer, or one no parser should see (blank, too large, binary): the option's minimum, no CodeBLEU run
        answered = [p is not None and self.dsl.refusal(p) is None for p in programs]
        valid = [0.0] * len(programs)
        sim = [0.0] * len(programs)
        passed = [0.0] * len(programs)  # ledex: the share of the task's tests passed
        idx = [i for i, ok in enumerate(answered) if ok]
        ledex = self.cfg.name == "ledex"
        try:
            verdicts = self.dsl.validate_batch([programs[i] or "" for i in idx], [contexts[i] for i in idx])
            for i, v in zip(idx, verdicts, strict=True):
                valid[i] = float(v.ok)
            if ledex:
                tested = [programs[i] or "" for i in idx], [reference[i] for i in idx], [contexts[i] for i in idx]
                for i, t in zip(idx, run_tests(self.dsl, *tested, verdicts), strict=True):
                    passed[i] = t.fraction
        except Exception:  # validate_batch shouldn't raise; if it does, this batch earns no validator share
            log.exception("validator failed inside the reward")
        if ledex:
            for i in idx:
                sim[i] = self._codebleu(programs[i] or "", reference[i], contexts[i])
        elif self.cfg.name != "validator":
            for i in idx:
                sim[i] = self.dsl.similarity(programs[i] or "", reference[i], contexts[i])  # dsl.similarity's kind
        rewards = self.combine(passed if ledex else valid, sim)
        if log_metric is not None:
            n = max(len(programs), 1)
            log_metric("reward/valid", sum(valid) / n)
            log_metric("reward/similarity", sum(sim) / n)
            log_metric("reward/answered", sum(answered) / n)
            if ledex:
                log_metric("reward/tests", sum(passed) / n)
            log_metric("reward/seconds", time.perf_counter() - start)  # against TRL's step_time: the reward's share
        return rewards

    def _codebleu(self, program: str, reference: str, context: dict) -> float:
        """CodeBLEU within the DSL's time bound per program; 0 past it or on any failure, as the similarities."""
        try:
            return call_with_time_limit(self.dsl.timeout_s, codebleu, self.dsl, program, reference, context).score
        except Exception:
            return 0.0

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        """The option's formula; for `ledex`, `valid` is the test pass fraction and `sim` CodeBLEU."""
        name = self.cfg.name
        if name == "ledex":
            return [5 * (s + v) - 5 for v, s in zip(valid, sim, strict=True)]
        if name == "validator":
            return valid
        if name == "similarity":
            return sim
        if name == "dual":
            return [self.cfg.w_valid * v + self.cfg.w_sim * s for v, s in zip(valid, sim, strict=True)]
        if name == "gated":
            return [v * s for v, s in zip(valid, sim, strict=True)]
        # adaptive: the paper's weighting, p = the batch's pass rate floored at p_floor
        p = max(self.cfg.p_floor, sum(valid) / max(len(valid), 1))
        return [(1 - p) * v + p * s for v, s in zip(valid, sim, strict=True)]


def _text(completion: Any) -> str:
    """TRL passes strings for plain prompts and message lists for conversational ones."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    return ""


def _as_dict(context: str | dict | None) -> dict:
    if isinstance(context, dict):
        return context
    try:
        value = json.loads(context) if context else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
