"""An SLM whose tokenizer has a chat template (an instruct model's) is trained and evaluated on its repair prompts
rendered through the template: TRL's conversational prompt/completion in SFT and GRPO, the same text in evaluation,
and the constraint on search texts still finds the draft in it. The tiny SLM, without a template, keeps plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import slmfix_exp.constrained
import slmfix_exp.generation
from slmfix_exp import train
from slmfix_exp.config import DataConfig, TinySLMConfig, to_typed
from slmfix_exp.data.loaders import load_tasks
from slmfix_exp.dsl import get_dsl
from slmfix_exp.generation import generate
from slmfix_exp.models import build_tiny_model, load_slm, load_tokenizer, prompt_text, slm_example, train_tokenizer

# A minimal ChatML-like template: each message on its turn's line, closed by the EOS token; the generation prompt
# opens the assistant's turn. The prompt rendered alone is a prefix of the prompt and completion rendered together.
TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SMALL = {"hidden_size": 32, "num_layers": 1, "num_heads": 2, "intermediate_size": 64}


def chat(prompt: str, completion: str = "") -> str:
    """What TEMPLATE renders: the prompt with the assistant's turn opened, and the completion's turn if given."""
    return f"<|user|>\n{prompt}</s>\n<|assistant|>\n" + (f"{completion}</s>\n" if completion else "")


@pytest.fixture(scope="module")
def chat_slm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model built from config, saved with a tokenizer that has TEMPLATE, as an instruct model is."""
    path = tmp_path_factory.mktemp("chat_slm")
    tasks = load_tasks(DataConfig(), "sql", path)["train"][:200]
    tokenizer = train_tokenizer([t.reference or "" for t in tasks] + [chat("x", "y")] * 20, 400)
    tokenizer.chat_template = TEMPLATE
    build_tiny_model(TinySLMConfig(**SMALL), tokenizer, 0).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture
def setup(compose_config, chat_slm: Path) -> tuple[Any, Any, Any, list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    cfg = to_typed(
        compose_config(
            [
                "dsl=sql",
                "slm=hf",
                f"slm.name_or_path={chat_slm}",
                "slm.quantization=null",
                "slm.lora.enabled=false",
                "slm.dtype=float32",
                "slm.device_map=null",
                "slm.answer=edit",  # the constraint on search texts runs in the rollouts and in evaluation
                "slm.max_length=4096",  # nothing cut: the test reads whole sequences
                "trainer.sft.max_steps=1",
                "trainer.sft.batch_size=2",
                "trainer.rl.max_steps=1",
                "trainer.rl.batch_size=2",
                "trainer.rl.num_generations=2",
                "trainer.rl.max_completion_length=6",
                "trainer.gradient_checkpointing=false",
                "logger=none",
            ]
        )
    )
    tokenizer = load_tokenizer(str(chat_slm))
    assert tokenizer.chat_template == TEMPLATE  # saved and loaded with the model
    model = load_slm(str(chat_slm), cfg.slm)
    tasks = load_tasks(cfg.data, "sql", Path(cfg.paths.cache_dir))["train"][:3]
    examples = train.repair_examples(cfg, get_dsl("sql"), tasks, 1, "chat")
    assert examples
    return cfg, model, tokenizer, examples


def decoded_inputs(tokenizer: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> list[str]:
    """The text of each row of a left-padded batch, special tokens (the template's EOS) kept, padding dropped."""
    return [tokenizer.decode(ids[mask.bool()]) for ids, mask in zip(input_ids, attention_mask, strict=True)]


@pytest.fixture
def seen_drafts(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The drafts the constraint on search texts reads from the prompts of every generate call."""
    drafts: list[str | None] = []

    class Recording(slmfix_exp.constrained.SearchTextInDraft):
        def __call__(self, input_ids, scores):  # type: ignore[no-untyped-def]
            first = self.prompt_length is None
            scores = super().__call__(input_ids, scores)
            if first:
                drafts.extend(self.drafts)
            return scores

    monkeypatch.setattr(slmfix_exp.constrained, "SearchTextInDraft", Recording)  # constrain_generation's (GRPO)
    monkeypatch.setattr(slmfix_exp.generation, "SearchTextInDraft", Recording)  # generation.generate's
    return drafts


def spy_generate(model: Any, tokenizer: Any) -> list[str]:
    """The texts `model.generate` is given from now on."""
    seen: list[str] = []
    inner = model.generate

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.extend(decoded_inputs(tokenizer, kwargs["input_ids"], kwargs["attention_mask"]))
        return inner(*args, **kwargs)

    model.generate = spy
    return seen


def test_plain_text_without_a_chat_template() -> None:
    """The tiny SLM's tokenizer has no template: its prompts and completions stay the plain strings."""
    tokenizer = train_tokenizer(["SELECT a FROM t"] * 10, 300)
    assert not tokenizer.chat_template
    assert slm_example(tokenizer, "fix this", "```sql\nSELECT 1\n```") == {
        "prompt": "fix this",
        "completion": "```sql\nSELECT 1\n```",
    }
    assert prompt_text(tokenizer, "fix this") == "fix this"


def test_sft_trains_on_the_templated_conversation(setup) -> None:  # type: ignore[no-untyped-def]
    cfg, model, tokenizer, examples = setup
    trainer = train.sft_trainer(cfg, model, tokenizer, examples, Path(cfg.paths.cache_dir) / "sft", [])
    assert len(trainer.train_dataset) == len(examples)
    for row, example in zip(trainer.train_dataset, examples, strict=True):
        assert tokenizer.decode(row["input_ids"]) == chat(example["prompt"], example["completion"])
        # completion-only loss (slm=hf): the loss is on the assistant's answer and the end of its turn
        answer = [t for t, label in zip(row["input_ids"], row["labels"], strict=True) if label != -100]
        assert tokenizer.decode(answer) == f"{example['completion']}</s>\n"


def test_evaluation_generates_from_the_templated_prompt(setup, seen_drafts: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    _, model, tokenizer, examples = setup
    seen = spy_generate(model, tokenizer)
    prompts = [e["prompt"] for e in examples]
    answers = generate(model, tokenizer, prompts, 4, 8, constrain=True)
    assert len(answers) == len(prompts)
    assert sorted(seen) == sorted(chat(p) for p in prompts)
    assert prompt_text(tokenizer, prompts[0]) == chat(prompts[0])
    assert sorted(seen_drafts) == sorted(e["draft"] for e in examples)  # the constraint found every draft


def test_grpo_rollouts_start_from_the_templated_prompt(setup, seen_drafts: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    cfg, model, tokenizer, examples = setup
    trainer = train.rl_trainer(cfg, get_dsl("sql"), model, tokenizer, examples, Path(cfg.paths.cache_dir) / "rl", [])
    assert trainer.train_dataset[0]["prompt"] == [{"role": "user", "content": examples[0]["prompt"]}]
    seen = spy_generate(model, tokenizer)  # inside the constraint that rl_trainer put on model.generate
    trainer.train()
    rendered = {chat(e["prompt"]): e["draft"] for e in examples}
    assert seen and all(text in rendered for text in seen)
    assert seen_drafts == [rendered[text] for text in seen]  # the constraint found each rollout's draft
