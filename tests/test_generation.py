"""Generation folds a LoRA adapter into the weights while it runs and takes it out after: the same completions as
with the adapter computed beside the weights, and the weights the training goes on from are the ones it left."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
import torch
from peft import LoraConfig, get_peft_model

import slmfix_exp.generation
from slmfix_exp.config import TinySLMConfig
from slmfix_exp.generation import generate
from slmfix_exp.models import build_tiny_model, train_tokenizer

PROMPTS = ["SELECT name FROM singer", "SELECT count(*) FROM concert WHERE year = 2014"]


@pytest.fixture(scope="module")
def lora_model():  # type: ignore[no-untyped-def]
    tokenizer = train_tokenizer(PROMPTS * 20, 300)
    small = TinySLMConfig(hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64)
    base = build_tiny_model(small, tokenizer, 0)
    model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj", "down_proj"]))
    torch.manual_seed(1)
    for name, p in model.named_parameters():
        if "lora_B" in name:  # a trained adapter: a fresh one (B = 0) would change nothing either way
            p.data.normal_(0, 0.5)
    return model, tokenizer


def test_merged_lora_generates_the_same_and_restores_the_weights(lora_model, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    model, tokenizer = lora_model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    merged = generate(model, tokenizer, PROMPTS, 12, 2)
    after = model.state_dict()
    assert not any(getattr(m, "merged", False) for m in model.modules())
    for k, v in before.items():
        torch.testing.assert_close(after[k], v)
    monkeypatch.setattr(slmfix_exp.generation, "merged_lora", lambda _: nullcontext())
    assert generate(model, tokenizer, PROMPTS, 12, 2) == merged


def test_merging_changes_what_the_base_weights_compute(lora_model) -> None:  # type: ignore[no-untyped-def]
    """The adapter matters to this model, so the test above compares two different computations."""
    model, tokenizer = lora_model
    ids = tokenizer(PROMPTS[0], return_tensors="pt")["input_ids"]
    with torch.no_grad():
        with_adapter = model(input_ids=ids).logits
        with model.disable_adapter():
            without = model(input_ids=ids).logits
    assert not torch.allclose(with_adapter, without)
