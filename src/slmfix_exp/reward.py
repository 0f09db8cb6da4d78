"""Reward callables for TRL's GRPO/RLOO trainers: r(completion) from the validator verdict and the similarity of the
repaired program to the reference. One class per option of the `reward` group, built by `hydra.utils.instantiate`
from the option's schema (`config.py`); a new reward is one subclass with its `combine` and one YAML file.

Each is a plain callable `reward(prompts, completions, reference, context, draft, **kwargs) -> list[float]` whose
extra arguments are dataset columns, as TRL passes them (`draft` is what an edit answer applies to, and what a
repair's warnings are compared with: one that adds a warning counts as not valid). They never raise: a completion
that breaks anything scores 0.
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
from slmfix_exp.config import RewardConfig, check_option_name, instantiate_as, option_names, option_schema
from slmfix_exp.dsl.base import DSL, Validation, call_with_time_limit
from slmfix_exp.prompts import RepairFormat
from slmfix_exp.task_tests import run_tests

log = logging.getLogger(__name__)


class RepairReward:
    """What every reward option shares: read each completion's program, validate it, score its similarity to the
    reference; a subclass's `combine` makes the reward of the two."""

    name = ""
    bounds = (0.0, 1.0)  # the least and the most a completion can earn; no answer earns the least
    uses_similarity = True  # False: the similarity is not computed (and logged as 0)
    gate_metric: str | None = None  # where `passed` is more than the verdict, the metric it is logged as

    def __init__(self, dsl: DSL, answer: str = "program", name: str | None = None) -> None:
        check_option_name("reward", name, self)
        self.dsl, self.format = dsl, RepairFormat(dsl, answer)
        self.__name__ = f"reward_{self.name}"  # TRL names the logged metric after the function

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        """The option's formula, from the gate (`passed`: the validator's verdict, or the tests' pass fraction) and
        the similarity of each completion."""
        raise NotImplementedError

    def passed(
        self, programs: list[str], references: list[str], contexts: list[dict], verdicts: list[Validation]
    ) -> list[float]:
        """What `combine` takes as `valid`: the validator's verdict."""
        return [float(v.ok) for v in verdicts]

    def similarity(self, program: str, reference: str, context: dict) -> float:
        return self.dsl.similarity(program, reference, context)  # the kind dsl.similarity names

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
        programs = [self.format.read(_text(c), d) for c, d in zip(completions, drafts, strict=True)]
        # no answer, or one no parser should see (blank, too large, binary): the option's minimum, no similarity run
        answered = [p is not None and self.dsl.refusal(p) is None for p in programs]
        n = len(programs)
        valid, passed, sim = [0.0] * n, [0.0] * n, [0.0] * n
        idx = [i for i, ok in enumerate(answered) if ok]
        texts = [programs[i] or "" for i in idx]
        try:
            verdicts = self.dsl.validate_batch(texts, [contexts[i] for i in idx])
            verdicts = self._no_new_warnings(verdicts, [drafts[i] for i in idx], [contexts[i] for i in idx])
            gate = self.passed(texts, [reference[i] for i in idx], [contexts[i] for i in idx], verdicts)
            for i, v, g in zip(idx, verdicts, gate, strict=True):
                valid[i], passed[i] = float(v.ok), g
        except Exception:  # validate_batch shouldn't raise; if it does, this batch earns no validator share
            log.exception("validator failed inside the reward")
        if self.uses_similarity:
            for i, text in zip(idx, texts, strict=True):
                sim[i] = self.similarity(text, reference[i], contexts[i])
        rewards = self.combine(passed, sim)
        if log_metric is not None:
            m = max(n, 1)
            log_metric("reward/valid", sum(valid) / m)
            log_metric("reward/similarity", sum(sim) / m)
            log_metric("reward/answered", sum(answered) / m)
            if self.gate_metric:
                log_metric(self.gate_metric, sum(passed) / m)
            log_metric("reward/seconds", time.perf_counter() - start)  # against TRL's step_time: the reward's share
        return rewards

    def _no_new_warnings(
        self, verdicts: list[Validation], drafts: Sequence[str], contexts: list[dict]
    ) -> list[Validation]:
        """The verdicts, each made failing where the repair carries a warning its draft hadn't
        (`Validation.new_warnings`, what `repaired_no_new_warning` counts): a reward can't be earned by leaving the
        validator's reach (Bash: renaming a utility to one whose options nothing checks). Where no draft is given
        the verdicts stand."""
        known = [k for k, d in enumerate(drafts) if d]
        if not known:
            return verdicts
        before = self.dsl.validate_batch([drafts[k] for k in known], [contexts[k] for k in known])
        out = list(verdicts)
        for k, draft_verdict in zip(known, before, strict=True):
            if out[k].ok and out[k].new_warnings(draft_verdict):
                out[k] = Validation(ok=False, diagnostics=out[k].diagnostics)
        return out


class DualReward(RepairReward):
    """r = w_valid * 1[valid] + w_sim * similarity: fixed weights, the sweep target."""

    name = "dual"

    def __init__(
        self, dsl: DSL, answer: str = "program", name: str | None = None, w_valid: float = 0.5, w_sim: float = 0.5
    ) -> None:
        super().__init__(dsl, answer, name)
        self.w_valid, self.w_sim = w_valid, w_sim

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        return [self.w_valid * v + self.w_sim * s for v, s in zip(valid, sim, strict=True)]


class AdaptiveReward(RepairReward):
    """The SLMFix paper's: r = (1 - p) * 1[valid] + p * similarity, p the batch's pass rate floored at p_floor."""

    name = "adaptive"

    def __init__(self, dsl: DSL, answer: str = "program", name: str | None = None, p_floor: float = 0.5) -> None:
        super().__init__(dsl, answer, name)
        self.p_floor = p_floor

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        p = max(self.p_floor, sum(valid) / max(len(valid), 1))
        return [(1 - p) * v + p * s for v, s in zip(valid, sim, strict=True)]


class ValidatorReward(RepairReward):
    """Ablation: the validator's verdict alone."""

    name = "validator"
    uses_similarity = False

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        return valid


class SimilarityReward(RepairReward):
    """Ablation: the similarity to the reference alone."""

    name = "similarity"

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        return sim


class GatedReward(RepairReward):
    """Similarity counts only for a valid program: r = valid * sim."""

    name = "gated"

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        return [v * s for v, s in zip(valid, sim, strict=True)]


class LedexReward(RepairReward):
    """LeDex's code reward: r = 5 * (CodeBLEU + the share of the task's tests passed) - 5."""

    name = "ledex"
    bounds = (-5.0, 5.0)
    gate_metric = "reward/tests"

    def passed(
        self, programs: list[str], references: list[str], contexts: list[dict], verdicts: list[Validation]
    ) -> list[float]:
        """The share of the task's tests each program passes (task_tests.py)."""
        return [t.fraction for t in run_tests(self.dsl, programs, references, contexts, verdicts)]

    def similarity(self, program: str, reference: str, context: dict) -> float:
        """CodeBLEU within the DSL's time bound per program; 0 past it or on any failure, as the similarities."""
        try:
            return call_with_time_limit(self.dsl.timeout_s, codebleu, self.dsl, program, reference, context).score
        except Exception:
            return 0.0

    def combine(self, valid: list[float], sim: list[float]) -> list[float]:
        return [5 * (s + v) - 5 for v, s in zip(valid, sim, strict=True)]


def reward_from_config(cfg: RewardConfig, dsl: DSL, answer: str = "program") -> RepairReward:
    """The reward option of a `reward` config, built by `hydra.utils.instantiate` from its `_target_`."""
    return instantiate_as(cfg, RepairReward, dsl=dsl, answer=answer)


REWARDS = option_names("reward")


def get_reward(name: str, dsl: DSL, answer: str = "program", **options: Any) -> RepairReward:
    """The reward option named `name` with its options (w_valid, p_floor, ...): its schema's defaults otherwise."""
    return reward_from_config(option_schema("reward", name)(**options), dsl, answer)


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
