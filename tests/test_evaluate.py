from __future__ import annotations

from pathlib import Path

import pytest

from slmfix_exp.config import TinySLMConfig
from slmfix_exp.generation import generate
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


def test_a_repair_that_passes_by_adding_a_warning_is_counted_apart() -> None:
    """Bash's checker can't check the options of a command it has no spec for, so renaming `find` to a utility not
    installed here passes it with a warning: such a repair is valid, but not counted in `repaired_no_new_warning`."""
    import time

    from slmfix_exp.data.base_llm import Draft
    from slmfix_exp.dsl import get_dsl
    from slmfix_exp.dsl.base import Task
    from slmfix_exp.evaluate import Evaluation, Outcome
    from slmfix_exp.experiment import compose
    from tests.helpers import absent_utility

    _, cfg = compose(["dsl=bash", "logger=none"])
    dsl = get_dsl("bash")
    drafts = ["find . -perm [permission]", "find . -maxdepth [quantity] -name '*.wav'"]
    tasks = [Task(f"t{i}", "nl", None, {}, "test") for i in range(len(drafts))]
    evaluation = Evaluation(cfg, dsl, tasks, [Draft(t.id, d, "llm") for t, d in zip(tasks, drafts, strict=True)])
    assert not any(v.ok for v in evaluation.draft_validations)
    repairs = [f"{absent_utility()} . -perm [permission]", "find . -maxdepth 1 -name '*.wav'"]  # unchecked; a fix
    verdicts = [dsl.validate(p) for p in repairs]
    outcomes = [Outcome(p, v, 1, passed=v.ok, failing=True) for p, v in zip(repairs, verdicts, strict=True)]
    assert all(o.validation.ok for o in outcomes)
    metrics = evaluation._add("slm", outcomes, time.perf_counter())
    assert (metrics["repaired_valid"], metrics["repaired_no_new_warning"]) == (2, 1)
    assert metrics["repaired_no_new_warning_rate"] == 0.5
    assert (metrics["renamed_command"], metrics["renamed_command_rate"]) == (0, 0.0)  # the name exists: not made up


@pytest.mark.parametrize("dsl_name", ["bash", "sql"])
def test_valid_repairs_that_rename_a_command_to_a_made_up_one_are_counted(dsl_name: str) -> None:
    """ShellCheck alone (the paper's validator) passes `find` renamed to `rw`: the results count such repairs where
    the language has commands (`DSL.renamed_command`), and leave the metric out where it has none."""
    import time

    from slmfix_exp.data.base_llm import Draft
    from slmfix_exp.dsl import get_dsl
    from slmfix_exp.dsl.base import Task, Validation
    from slmfix_exp.evaluate import Evaluation, Outcome
    from slmfix_exp.experiment import compose

    _, cfg = compose([f"dsl={dsl_name}", "logger=none"])
    if dsl_name == "bash":
        dsl = get_dsl("bash", backend="shellcheck")
        drafts = ["find . -perm [permission] -print |", "find . -maxdepth 1 -name '*.wav' |"]
        repairs = ["rw . -perm [permission]", "find . -maxdepth 1 -name '*.wav'"]
        context: dict = {}
    else:
        dsl = get_dsl("sql")
        drafts, repairs = ["SELEC 1", "SELECT 2 FROM"], ["SELECT 1", "SELECT 2"]
        context = {"schema": "CREATE TABLE t (a INTEGER);"}
    tasks = [Task(f"t{i}", "nl", None, context, "test") for i in range(len(drafts))]
    evaluation = Evaluation(cfg, dsl, tasks, [Draft(t.id, d, "llm") for t, d in zip(tasks, drafts, strict=True)])
    assert not any(v.ok for v in evaluation.draft_validations)
    outcomes = [Outcome(p, Validation(ok=True), repair_calls=1, passed=True, failing=True) for p in repairs]
    metrics = evaluation._add("slm", outcomes, time.perf_counter())
    if dsl_name == "bash":
        assert (metrics["repaired_valid"], metrics["renamed_command"], metrics["renamed_command_rate"]) == (2, 1, 0.5)
    else:
        assert "renamed_command" not in metrics


def test_under_the_tests_gate_a_draft_left_as_it_is_is_repaired_by_no_method(tmp_path: Path) -> None:
    """eval.gate=tests on SQL sends the valid but wrong drafts to repair too. `base` repairs nothing: its repair
    figures are 0, though some of the drafts it "failed" are valid; and results.md says the gate is an oracle."""
    from slmfix_exp.evaluate import Evaluation, Timings, evaluate_baselines, write_results
    from slmfix_exp.experiment import compose, setup
    from slmfix_exp.report import ORACLE_NOTE

    _, cfg = compose(["dsl=sql", "eval.gate=tests", "logger=none", "base_llm.p_off=0.5"])
    run = setup(cfg)
    evaluation: Evaluation = evaluate_baselines(cfg, run.dsl, run.test, run.cache_dir, Timings())
    base = evaluation.metrics["base"]
    valid_but_wrong = [o for o in evaluation.outcomes["base"][0] if o.failing and o.validation.ok]
    assert valid_but_wrong  # what the old count took for repaired
    assert (base["repaired_valid"], base["repaired_rate"], base["repaired_no_new_warning"]) == (0, 0.0, 0)
    assert base["repaired_exec"] == 0
    write_results(tmp_path, evaluation, {"eval": {"gate": cfg.eval.gate}}, {})
    assert ORACLE_NOTE in (tmp_path / "results.md").read_text()


def test_under_the_validator_gate_results_name_no_oracle(tmp_path: Path) -> None:
    from slmfix_exp.report import ORACLE_NOTE, results_markdown

    methods = {"base": {"n": 1, "pass_rate": 1.0}}
    assert ORACLE_NOTE not in results_markdown(
        {"dsl": "sql", "config": {"eval": {"gate": "validator"}}, "methods": methods}
    )
