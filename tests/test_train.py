"""The RL stage's choice of prompts (`trainer.rl.select=spread`) is a function of the seed and the model alone, the
same whatever the process ran before it; and a stage's wall-clock adds up across resumptions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import torch

from slmfix_exp import train
from slmfix_exp.config import TinySLMConfig
from slmfix_exp.dsl import get_dsl
from slmfix_exp.experiment import compose, setup
from slmfix_exp.models import build_tiny_model, train_tokenizer


@pytest.fixture(scope="module")
def rl_setup() -> tuple[Any, Any, Any, Any, list[dict[str, Any]]]:
    """An untrained tiny SLM (its samples are noise: any random stream gives other ones) and SQL repair examples."""
    _, cfg = compose(
        ["dsl=sql", "experiment=smoke", "logger=none", "trainer.rl.select=spread", "trainer.rl.max_steps=3"]
    )
    tasks = setup(cfg).splits["train"][:40]
    dsl = get_dsl("sql")
    examples = train.repair_examples(cfg, dsl, tasks, 1, "train")
    tokenizer = train_tokenizer([e["prompt"] + e["completion"] for e in examples], 400)
    model = build_tiny_model(
        TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64), tokenizer, 0
    )
    return cfg, dsl, model, tokenizer, examples


def test_rl_prompts_are_chosen_from_the_seed_whatever_ran_before(
    rl_setup: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an evaluation before the RL stage (or another rank's history) drew from torch's random streams changes
    neither the samples the choice is made on nor the choice; nor does choosing draw from the training's stream."""
    cfg, dsl, model, tokenizer, examples = rl_setup
    sampled: list[list[list[str]]] = []

    def recorded(*args: Any, **kwargs: Any) -> list[list[str]]:
        samples = generate(*args, **kwargs)
        sampled.append(samples)
        return samples

    generate = train.generate
    monkeypatch.setattr(train, "generate", recorded)
    chosen = []
    for history in (1, 2):  # two processes whose streams were used differently before the stage
        torch.manual_seed(history)
        before = torch.random.get_rng_state()
        chosen.append([e["prompt"] for e in train.informative_examples(cfg, dsl, model, tokenizer, examples)])
        assert torch.equal(torch.random.get_rng_state(), before)  # the training's stream untouched
    assert sampled[0] == sampled[1]
    assert len({s for group in sampled[0] for s in group}) > len(sampled[0])  # sampled, not greedy: noise each time
    assert chosen[0] == chosen[1]


def test_a_resumed_rl_stage_trains_on_the_prompts_chosen_before(rl_setup: tuple[Any, ...], tmp_path: Path) -> None:
    """The choice is recorded in the stage's directory and read back when the stage resumes: a stage killed after its
    choice trains on the same prompts, not on all of them, even from a model that would choose others."""
    cfg, dsl, model, tokenizer, examples = rl_setup
    first = train.chosen_examples(cfg, dsl, model, tokenizer, examples, tmp_path / "rl")
    assert 0 < len(first) < len(examples)
    other = build_tiny_model(
        TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64), tokenizer, 1
    )
    assert train.chosen_examples(cfg, dsl, other, tokenizer, examples, tmp_path / "rl") == first
    fewer = [e for e in examples if e is not first[0]]  # the data changed since the choice
    with pytest.raises(ValueError, match=r"prompts.json: 1 of its \d+ prompts are not among this run's"):
        train.chosen_examples(cfg, dsl, model, tokenizer, fewer, tmp_path / "rl")


def test_kind_weights_drop_and_repeat_the_repair_examples_of_a_kind() -> None:
    """`trainer.sft.kind_weights`: weight 0 drops a mutation kind's examples, 2 keeps each twice, the others once;
    a label that is no kind of the language is refused by name."""
    from collections import Counter

    def labels(*weights: str) -> Counter:
        _, cfg = compose(["dsl=sql", "experiment=smoke", "logger=none", *weights])
        tasks = setup(cfg).splits["train"][:200]
        return Counter(e["label"] for e in train.repair_examples(cfg, get_dsl("sql"), tasks, 1, "train"))

    plain = labels()
    weighted = labels("+trainer.sft.kind_weights.unbalanced-paren=0", "+trainer.sft.kind_weights.dropped-join=2")
    assert plain["unbalanced-paren"] > 0 and plain["dropped-join"] > 0
    assert weighted["unbalanced-paren"] == 0
    assert weighted["dropped-join"] == 2 * plain["dropped-join"]
    assert all(weighted[k] == n for k, n in plain.items() if k not in ("unbalanced-paren", "dropped-join"))
    with pytest.raises(ValueError, match=re.escape("trainer.sft.kind_weights: ['no-such-kind']")):
        labels("+trainer.sft.kind_weights.no-such-kind=2")
