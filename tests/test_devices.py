"""Devices and dtypes: the config's `device_map` and `dtype` reach `from_pretrained` for the drafting LLM and the SLM,
and a model loaded with the default `auto` on a CPU-only machine still trains with TRL there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM

from slmfix_exp.config import DataConfig, HFLLMConfig, TinySLMConfig
from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.data.loaders import load_tasks
from slmfix_exp.dsl import get_dsl
from slmfix_exp.models import build_tiny_model, device_map_for, load_slm, load_tokenizer, train_tokenizer

SMALL = {"hidden_size": 32, "num_layers": 1, "num_heads": 2, "intermediate_size": 64}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny causal LM saved in float32, as a hub model or a stage's output would be."""
    path = tmp_path_factory.mktemp("model")
    tokenizer = train_tokenizer([f"SELECT c{i} FROM t{i} WHERE x > {i}" for i in range(200)], 300)
    build_tiny_model(TinySLMConfig(**SMALL), tokenizer, 0).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every `AutoModelForCausalLM.from_pretrained` call; the models still load."""
    calls: list[dict[str, Any]] = []
    original = AutoModelForCausalLM.from_pretrained

    def spy(name: str, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(name, **kwargs)

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", spy)
    return calls


def test_slm_device_map_and_dtype_reach_from_pretrained(model_dir: Path, loads: list[dict[str, Any]]) -> None:
    model = load_slm(str(model_dir), TinySLMConfig(**SMALL, dtype="bfloat16"), trainable=False)
    assert loads[-1]["device_map"] == "auto" and loads[-1]["dtype"] is torch.bfloat16  # the defaults: auto
    assert next(model.parameters()).dtype is torch.bfloat16
    assert model.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    load_slm(str(model_dir), TinySLMConfig(**SMALL, device_map=None), trainable=False)
    assert loads[-1]["device_map"] is None and loads[-1]["dtype"] is torch.float32


def test_drafting_llm_device_map_and_dtype_reach_from_pretrained(
    model_dir: Path, loads: list[dict[str, Any]], tmp_path: Path
) -> None:
    tasks = load_tasks(DataConfig(), "sql", tmp_path)["test"][:2]
    cfg = HFLLMConfig(model=str(model_dir), max_new_tokens=4, batch_size=2)
    drafts = make_drafts(cfg, get_dsl("sql"), tasks, 0, tmp_path)  # generates: the inputs are on the model's device
    assert len(drafts) == 2 and loads[-1]["device_map"] == "auto" and loads[-1]["dtype"] == "auto"
    cfg = HFLLMConfig(model=str(model_dir), max_new_tokens=4, device_map=None, dtype="bfloat16")
    make_drafts(cfg, get_dsl("sql"), tasks, 0, tmp_path)
    assert loads[-1]["device_map"] is None and loads[-1]["dtype"] is torch.bfloat16


def test_auto_is_each_process_own_device_in_a_multi_process_run(monkeypatch: pytest.MonkeyPatch) -> None:
    assert device_map_for("auto") == "auto" and device_map_for(None) is None
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert device_map_for("auto") == {"": "cpu"}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device_map_for("auto") == {"": 1}  # DDP: a whole copy on this process's GPU, not spread over all
    assert device_map_for(None) is None and device_map_for("balanced") == "balanced"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only machine")
def test_a_model_loaded_with_device_map_auto_trains_on_the_cpu(model_dir: Path, tmp_path: Path) -> None:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = load_slm(str(model_dir), TinySLMConfig(**SMALL)), load_tokenizer(str(model_dir))
    before = next(model.parameters()).detach().clone()
    args = SFTConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        max_steps=2,
        per_device_train_batch_size=4,
        learning_rate=1e-2,
        report_to=[],
        bf16=False,
        save_strategy="no",
        disable_tqdm=True,
    )
    rows = [{"prompt": f"SELECT c{i} ", "completion": f"FROM t{i}"} for i in range(8)]
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    trainer.train()
    assert trainer.model.device.type == "cpu" and not torch.equal(next(trainer.model.parameters()), before)
