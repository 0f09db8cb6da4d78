from __future__ import annotations

import pytest

from slmfix_exp.config import TinySLMConfig
from slmfix_exp.evaluate import generate
from slmfix_exp.models import build_tiny_model, train_tokenizer


@pytest.fixture(scope="module")
def tiny() -> tuple:
    corpus = [f"SELECT name FROM t{i} WHERE id = {i * 7}" for i in range(200)]
    tokenizer = train_tokenizer(corpus, 300)
    model = build_tiny_model(
        TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64), tokenizer, 0
    )
    return model, tokenizer


def test_generate_keeps_each_prompts_completions_in_place(tiny: tuple) -> None:
    """Batches are sorted by prompt length; the answers must still line up with the prompts they answer."""
    model, tokenizer = tiny
    prompts = ["SELECT name FROM t1 WHERE id = 7 AND", "SELECT", "SELECT name FROM t2", "SELECT name"]
    alone = [generate(model, tokenizer, [p], 6, 1)[0] for p in prompts]
    batched = generate(model, tokenizer, prompts, 6, 64)
    assert batched == alone
    sampled = generate(model, tokenizer, prompts, 6, 4, num_samples=3, temperature=1.0)
    assert [len(s) for s in sampled] == [3, 3, 3, 3]
    assert generate(model, tokenizer, [], 6, 4) == []
