"""LeDex's self-debugging: the ledex reward, CodeBLEU, the task's tests, data synthesis and the refinement rounds."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
import zss

from slmfix_exp.codebleu import (
    bleu,
    codebleu,
    data_flow,
    dataflow_match,
    syntax_match,
    tokens,
    weighted_ngram_match,
)
from slmfix_exp.config import (
    Config,
    DataConfig,
    MutatorLLMConfig,
    OpenAILLMConfig,
    SQLConfig,
    SynthesisConfig,
    TinySLMConfig,
)
from slmfix_exp.data.loaders import load_tasks
from slmfix_exp.dsl import get_dsl
from slmfix_exp.dsl.base import Task, Validation
from slmfix_exp.evaluate import Outcome, pass_at_k, refinement_rounds
from slmfix_exp.prompts import WRONG_RESULT, RepairFormat
from slmfix_exp.report import results_markdown
from slmfix_exp.reward import get_reward
from slmfix_exp.synthesis import read_explanation, synthesise, training_examples
from slmfix_exp.task_tests import run_tests
from tests.helpers import chat_server, slmfix

SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER, city TEXT);"


@pytest.fixture(scope="module")
def sql_tasks(tmp_path_factory: pytest.TempPathFactory) -> list[Task]:
    """Bundled SQL training tasks, with databases to run queries on."""
    return load_tasks(DataConfig(max_train=40), "sql", tmp_path_factory.mktemp("cache"))["train"]


def fenced(program: str, fence: str = "sql") -> str:
    return f"```{fence}\n{program}\n```"


def wrong_result(task: Task) -> str:
    """A valid query of the task's database that returns other rows than the reference."""
    return "SELECT 1 WHERE 0" if not task.reference.startswith("SELECT 1") else "SELECT 2"


# ---- the ledex reward -------------------------------------------------------------------------------------------


def test_ledex_reward_formula_on_sql_result_sets(sql_tasks: list[Task]) -> None:
    dsl = get_dsl("sql")
    task = sql_tasks[0]
    assert dsl.execution_match(task.reference, task.reference, task.context)  # the task's database is the test
    same_rows = task.reference + " "  # another text, the same result: passes the test
    wrong, invalid = wrong_result(task), task.reference.replace("SELECT", "SELEC", 1)
    completions = [fenced(task.reference), fenced(same_rows), fenced(wrong), fenced(invalid), "prose"]
    reward = get_reward("ledex", dsl)
    values = reward(
        prompts=["p"] * 5,
        completions=completions,
        reference=[task.reference] * 5,
        context=[json.dumps(task.context)] * 5,
    )
    cb = [codebleu(dsl, p, task.reference, task.context).score for p in (same_rows, wrong, invalid)]
    assert values == pytest.approx([5.0, 5 * (cb[0] + 1) - 5, 5 * cb[1] - 5, 5 * cb[2] - 5, -5.0])
    assert values[2] < values[1] and all(-5.0 <= v <= 5.0 for v in values)


def test_ledex_reward_lets_the_validator_stand_in_without_rows() -> None:
    """A DDL-only schema and other languages have no tests to run: the validator's verdict is the pass fraction."""
    for dsl_name, reference, valid, context in (
        ("sql", "SELECT name FROM users WHERE age > 30", "SELECT city FROM users", {"schema": SCHEMA}),
        ("bash", "find . -name '*.py' | xargs wc -l", "ls -la", {}),
    ):
        dsl = get_dsl(dsl_name)
        reward = get_reward("ledex", dsl)
        [value] = reward(
            prompts=["p"], completions=[fenced(valid, dsl.fence)], reference=[reference], context=[context]
        )
        assert value == pytest.approx(5 * (codebleu(dsl, valid, reference, context).score + 1) - 5)


# ---- CodeBLEU -----------------------------------------------------------------------------------------------------


def test_bleu_by_hand() -> None:
    cand, ref = ["a", "b", "c", "d"], ["a", "b", "c", "e"]
    # p1 = 3/4, p2 = 2/3, p3 = 1/2, p4 = 0 -> smoothed to 0.1/1; same length: no brevity penalty
    assert bleu(cand, ref) == pytest.approx(math.exp(0.25 * math.log(0.75 * (2 / 3) * 0.5 * 0.1)))
    short = ["a", "b", "c"]  # all n-grams match, but it is a token short: brevity penalty exp(1 - 4/3)
    assert bleu(short, ref) == pytest.approx(math.exp(1 - 4 / 3) * math.exp(0.25 * math.log(1 * 1 * 1 * 0.1)))
    assert bleu([], ref) == 0.0 and bleu(["z"], ref) == 0.0


def test_weighted_ngram_match_is_codebleus_weighted_recall() -> None:
    """By hand, as CodeBLEU's weighted_ngram_match.py computes it: clipped counts over the reference's n-grams, unigrams
    weighted by the reference's tokens (keyword 1, other 0.2). The old term, a precision over the candidate's tokens
    weighted by the candidate's, gave 6/11 for p1 below and less than 1 for the second case."""
    rest = 0.25 * (math.log(0.1 / 2) + 2 * math.log(0.1))  # no bigram of 2, trigram of 1, 4-gram (none: floor 1)
    cand, ref = ["SELECT", "DISTINCT", "x"], ["SELECT", "x", "y"]
    weights = {"SELECT": 1.0, "x": 0.2, "y": 0.2}
    # p1 = (1 + 0.2) / (1 + 0.2 + 0.2): the candidate's extra keyword DISTINCT costs nothing, the missing y does
    assert weighted_ngram_match(cand, ref, weights) == pytest.approx(math.exp(0.25 * math.log(1.2 / 1.4) + rest))
    assert weighted_ngram_match(cand, ref, weights) == pytest.approx(0.1438817805709626)  # the codebleu package's value
    # a candidate holding the whole reference has every reference n-gram: 1, however much it adds
    ref5 = ["a", "b", "c", "d", "e"]
    assert weighted_ngram_match([*ref5, "f", "g"], ref5, dict.fromkeys(ref5, 0.2)) == pytest.approx(1.0)
    assert bleu([*ref5, "f", "g"], ref5) < 0.75  # BLEU, a precision, pays for the extra tokens
    # as in CodeBLEU, each denominator is at least 1: four non-keyword tokens weigh 0.8, so p1 = 0.8 even for itself
    ref4 = ["a", "b", "c", "d"]
    assert weighted_ngram_match(ref4, ref4, dict.fromkeys(ref4, 0.2)) == pytest.approx(0.8**0.25)
    # its brevity penalty takes 2 for the reference's length (the length of a (tokens, weights) pair): only a
    # one-token candidate pays it, exp(1 - 2)
    one = 0.25 * (math.log(1 / 1.4) + math.log(0.1 / 2) + 2 * math.log(0.1))
    assert weighted_ngram_match(["SELECT"], ref, weights) == pytest.approx(math.exp(-1) * math.exp(one))
    assert weighted_ngram_match(["z"], ref, weights) == 0.0 and weighted_ngram_match([], ref, weights) == 0.0
    assert tokens("select name from t order by name", get_dsl("sql"))[:3] == ["SELECT", "name", "FROM"]


@pytest.mark.parametrize("seed", range(200))
def test_weighted_ngram_match_agrees_with_the_codebleu_package(seed: int) -> None:
    """Ours against the reference implementation's module (codebleu, a dev dependency) on random token lists with
    keywords weighed 1 and the rest 0.2, as calc_codebleu weighs them."""
    reference_module = pytest.importorskip("codebleu.weighted_ngram_match")
    rng = random.Random(seed)
    vocab = ["SELECT", "FROM", "WHERE", "a", "b", "c", "t", "=", "1", "("]
    keywords = {"SELECT", "FROM", "WHERE"}
    cand = [rng.choice(vocab) for _ in range(rng.randint(1, 14))]
    ref = [rng.choice(vocab) for _ in range(rng.randint(1, 14))]
    weights = {t: 1.0 if t in keywords else 0.2 for t in ref}
    theirs = reference_module.corpus_bleu([[[ref, weights]]], [cand])
    assert weighted_ngram_match(cand, ref, weights) == pytest.approx(theirs, abs=1e-12)


def test_codebleu_weighs_the_references_tokens() -> None:
    sql = get_dsl("sql")
    ctx = {"schema": SCHEMA}
    ref, cand = "SELECT name FROM users", "SELECT DISTINCT name FROM users WHERE age > 30"
    r, c = tokens(ref, sql), tokens(cand, sql)
    weights = {"SELECT": 1.0, "FROM": 1.0, "name": 0.2, "users": 0.2}
    assert codebleu(sql, cand, ref, ctx).weighted_ngram == pytest.approx(weighted_ngram_match(c, r, weights))
    longer = "SELECT name FROM users WHERE age > 30"  # holds every n-gram of the reference: a recall of 1
    score = codebleu(sql, longer, ref, ctx)
    assert score.weighted_ngram == pytest.approx(1.0) and score.ngram < 0.75  # BLEU pays for the extra tokens


def test_syntax_match_compares_shapes_not_names() -> None:
    ref = zss.Node("A", [zss.Node("B", [zss.Node("col:x")]), zss.Node("C", [zss.Node("num:1")])])
    renamed = zss.Node("A", [zss.Node("B", [zss.Node("col:y")]), zss.Node("C", [zss.Node("num:2")])])
    other = zss.Node("A", [zss.Node("B", [zss.Node("col:x")]), zss.Node("D", [zss.Node("num:1")])])
    assert syntax_match(renamed, ref) == 1.0
    assert syntax_match(other, ref) == pytest.approx(1 / 3)  # of (A ...), (B col), (C num): only (B col)
    assert syntax_match(None, ref) == 0.0


def test_data_flow_where_it_applies() -> None:
    sql, bash, ansible = get_dsl("sql"), get_dsl("bash"), get_dsl("ansible")
    ctx = {"schema": SCHEMA}
    ref = "SELECT name FROM users WHERE age > 30"
    flow = data_flow(sql.tree(ref, ctx), sql)
    assert flow == [("var_0", "flows-into", "Select"), ("var_1", "flows-into", "Select/Where/LT")]
    # without the filter, one of the two flows is left
    assert dataflow_match(data_flow(sql.tree("SELECT name FROM users", ctx), sql), flow) == 0.5
    piped = data_flow(bash.tree("X=$(ls | grep py); echo $X", {}), bash)
    assert set(piped) == {("ls", "pipes-into", "grep"), ("ls", "assigns", "var_0"), ("grep", "assigns", "var_0")} | {
        ("var_0", "expands-into", "echo")
    }
    # Ansible has none: CodeBLEU is the mean of the other three terms
    task = "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n"
    score = codebleu(ansible, task.replace("nginx\n", "apache2\n"), task)
    assert score.dataflow is None
    assert score.score == pytest.approx((score.ngram + score.weighted_ngram + (score.syntax or 0)) / 3)


def test_codebleu_on_known_pairs() -> None:
    sql = get_dsl("sql")
    ctx = {"schema": SCHEMA}
    ref = "SELECT name, age FROM users WHERE age > 30 ORDER BY name"
    assert codebleu(sql, ref, ref, ctx).score == 1.0
    assert codebleu(sql, ref.lower(), ref, ctx).score == 1.0  # keywords compare case-insensitively
    close = codebleu(sql, ref.replace("30", "31"), ref, ctx)
    assert close.syntax == 1.0 and close.dataflow == 1.0 and 0.5 < close.ngram < 1.0
    far = codebleu(sql, "SELECT city FROM users", ref, ctx).score
    assert 0.0 < far < close.score
    assert codebleu(sql, "", ref, ctx).score == 0.0 and codebleu(sql, "-- nothing", ref, ctx).score == 0.0


# ---- the task's tests ---------------------------------------------------------------------------------------------


def test_a_wrong_result_fails_the_tests_with_feedback(sql_tasks: list[Task]) -> None:
    dsl, task = get_dsl("sql"), sql_tasks[0]
    wrong = wrong_result(task)
    [by_tests] = run_tests(dsl, [wrong], [task.reference], [task.context])
    assert by_tests.validation.ok and not by_tests.passed and by_tests.tests == "result-set"
    [failed] = by_tests.feedback.errors
    assert failed.rule == WRONG_RESULT and "0 rows" in failed.message
    assert "fails its test" in RepairFormat(dsl).prompt(task, wrong, by_tests.feedback)
    [by_validator] = run_tests(dsl, [wrong], [task.reference], [task.context], gate="validator")
    assert by_validator.passed and by_validator.feedback.ok


# ---- synthesis ----------------------------------------------------------------------------------------------------


class _Teacher:
    """An OpenAI-compatible LLM: drafts a wrong query for every request; refines right with an even seed and wrong
    with an odd one, so that the synthesis filter has something to throw away."""

    def __init__(self, tasks: list[Task]) -> None:
        self.tasks, self.calls = {t.nl: t for t in tasks}, 0

    def __call__(self, body: dict) -> list[str]:
        self.calls += 1
        content = body["messages"][-1]["content"]
        task = next(t for nl, t in self.tasks.items() if nl in content)
        if content.startswith("Write a"):
            return [fenced(wrong_result(task))]
        if body.get("seed", 0) % 2 == 0:
            return [f"Explanation: the filter is wrong.\n\n{fenced(task.reference)}"]
        return [f"Explanation: nothing to fix.\n{fenced(wrong_result(task))}"]


def test_synthesis_keeps_only_passing_refinements_with_provenance(sql_tasks: list[Task], tmp_path: Path) -> None:
    tasks = sql_tasks[:4]
    teacher = _Teacher(tasks)
    with chat_server(teacher) as url:
        cfg = Config(
            dsl=SQLConfig(),
            slm=TinySLMConfig(),
            base_llm=OpenAILLMConfig(model="m", base_url=url),
            synthesis=SynthesisConfig(enabled=True, samples=2, temperature=1.0, refinements=2, refine_temperature=0.8),
        )
        cfg.prompt.mode, cfg.slm.answer = "explain_then_fix", "edit"
        records = synthesise(cfg, get_dsl("sql"), tasks, tmp_path / "synthesis", tmp_path)
        calls = teacher.calls
        again = synthesise(cfg, get_dsl("sql"), tasks, tmp_path / "synthesis", tmp_path)  # resumed: read back
    assert teacher.calls == calls and again == records
    summary = json.loads((tmp_path / "synthesis" / "summary.json").read_text())
    # 2 samples of the same wrong draft per task: 1 distinct failure each, 2 refinements, 1 of them passing
    assert summary["failing"] == 4 and summary["refinements"] == 8 and summary["refinements_passing"] == 4
    assert summary["failing_by_kind"] == {WRONG_RESULT: 4}
    assert len(records) == 4
    for r, task in zip(records, tasks, strict=True):
        assert r["fixed_program"] == task.reference and r["wrong_program"] == wrong_result(task)
        assert r["failure"] == WRONG_RESULT and "rows" in r["feedback"] and r["fixed_tests"] == "result-set"
        assert r["explanation"] == "the filter is wrong." and r["explanation_source"] == "teacher"
        assert r["teacher"] == "llm:openai:m" and r["drafter"] == "openai:m"
        assert r["temperature"] == 1.0 and r["refine_temperature"] == 0.8 and r["refinement_sample"] == 0
    [example] = training_examples(cfg, get_dsl("sql"), records[:1])
    assert example["completion"].startswith("Explanation: the filter is wrong.\n```edit")
    assert "fails its test" in example["prompt"]


def test_offline_synthesis_says_its_teacher_is_the_reference(sql_tasks: list[Task], tmp_path: Path) -> None:
    cfg = Config(
        dsl=SQLConfig(),
        base_llm=MutatorLLMConfig(),
        slm=TinySLMConfig(),
        synthesis=SynthesisConfig(enabled=True, samples=3),
    )
    cfg.slm.answer = "program"
    records = synthesise(cfg, get_dsl("sql"), sql_tasks[:20], tmp_path, tmp_path)
    assert records and {r["failure"] for r in records} == {"invalid", WRONG_RESULT}
    for r in records:
        assert r["teacher"] == "reference" and r["explanation_source"] == "feedback"
        assert r["drafter"] == "mutator" and r["temperature"] is None and r["refine_temperature"] is None
        assert r["fixed_program"] == r["reference"] != r["wrong_program"]
    example = training_examples(cfg, get_dsl("sql"), records[:1])[0]  # direct mode: no explanation to learn
    assert example["completion"] == fenced(records[0]["reference"])


def test_read_explanation() -> None:
    assert read_explanation("Explanation: The column is misspelt.\n```sql\nSELECT 1\n```") == "The column is misspelt."
    assert read_explanation("It needs a comma.\n```sql\nSELECT 1\n```") == "It needs a comma."


# ---- rounds and pass@k --------------------------------------------------------------------------------------------


def test_per_round_refinement_rates() -> None:
    ok = Validation(True)

    def outcome(failing: bool, fixed_in_round: int | None) -> Outcome:
        return Outcome("p", ok, repair_calls=int(failing), failing=failing, fixed_in_round=fixed_in_round)

    # 10 drafts: 2 pass as they are; of 8 failing, round 1 fixes 4, round 2 fixes 1 of the 4 left, round 3 none
    outcomes = [outcome(False, None)] * 2 + [outcome(True, 1)] * 4 + [outcome(True, 2)] + [outcome(True, None)] * 3
    rounds = refinement_rounds(outcomes, 3)
    assert [(r["failing"], r["fixed"]) for r in rounds] == [(8, 4), (4, 1), (3, 0)]
    assert [r["rate"] for r in rounds] == [0.5, 0.25, 0.0]
    assert refinement_rounds([outcome(True, 1)], 2)[1]["rate"] is None  # nothing left to fix
    methods = {"sft": {"n": 10, "pass_rate": 0.5, "pass@1": 0.25, "pass@10": 0.75, "rounds": rounds}}
    md = results_markdown({"dsl": "sql", "methods": methods})
    assert "| sft | 0.250 | 0.750 | 0.500 (4/8) | 0.250 (1/4) | 0.000 (0/3) |" in md


def test_pass_at_k_is_the_unbiased_estimator() -> None:
    assert pass_at_k(10, 0, 1) == 0.0 and pass_at_k(10, 10, 10) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(10, 3, 10) == 1.0 and pass_at_k(10, 1, 5) == pytest.approx(0.5)


def test_pass_at_k_uses_k_samples_or_is_not_reported() -> None:
    """Samples drawn 2 at a time, up to 6, a task stopping after a chunk with a pass: pass@1 from the first chunk
    (every task drew it), pass@5 from the first 5 samples (known for a task that stopped: it stopped after a pass),
    no pass@10 from 6 samples."""
    from slmfix_exp.dsl import get_dsl
    from slmfix_exp.dsl.base import Task
    from slmfix_exp.evaluate import method_metrics
    from slmfix_exp.experiment import compose

    _, cfg = compose(["dsl=bash", "logger=none", "eval.num_samples=6", "eval.sample_chunk=2"])
    f, t = False, True
    drawn = [[f, f, f, t], [t, f], [f, f, f, f, f, f], [f, f, f, f, f, t]]  # the pass of the last is the 6th sample
    tasks = [Task(f"t{i}", "nl", None, {}, "test") for i in range(len(drawn))]
    ok = Validation(True)
    outcomes = [Outcome("ls", ok, 1, samples_passed=s, passed=any(s), failing=True) for s in drawn]
    metrics, _ = method_metrics(cfg, get_dsl("bash"), tasks, ["ls"] * 4, outcomes, 1.0, [ok] * 4)
    assert metrics["pass@1"] == pytest.approx((0 + 0.5 + 0 + 0) / 4)
    assert metrics["pass@5"] == pytest.approx((1 + 1 + 0 + 0) / 4)
    assert "pass@10" not in metrics


# ---- end to end ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ledex_experiment_end_to_end(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    smoke = [
        "slm.hidden_size=64",
        "slm.num_layers=2",
        "slm.num_heads=2",
        "slm.intermediate_size=128",
        "slm.vocab_size=800",
        "data.max_train=60",
        "data.max_test=12",
        "trainer.sft.max_steps=6",
        "trainer.sft.batch_size=8",
        "trainer.rl.max_steps=2",
        "trainer.rl.batch_size=4",
        "trainer.rl.num_generations=2",
        "trainer.rl.max_completion_length=32",
        "trainer.save_steps=2",
        "eval.max_new_tokens=24",
        "eval.rounds=2",
    ]
    proc = slmfix("dsl=sql", "experiment=ledex", "logger=none", f"hydra.run.dir={run_dir}", *smoke, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((run_dir / "results.json").read_text())
    assert results["config"]["reward"]["name"] == "ledex" and results["config"]["eval"]["gate"] == "tests"
    assert set(results["methods"]) == {"base", "rules", "sft", "rl"}
    for method in ("sft", "rl"):
        m = results["methods"][method]
        assert 0.0 <= m["pass@1"] <= m["pass@10"] <= 1.0
        assert [r["round"] for r in m["rounds"]] == [1, 2]
        assert m["rounds"][0]["failing"] == round(12 * (1 - results["methods"]["base"]["execution_accuracy"]))
    records = [json.loads(line) for line in (run_dir / "synthesis" / "dataset.jsonl").read_text().splitlines()]
    assert records and all(r["teacher"] == "reference" for r in records)
    assert "## Iterative refinement" in (run_dir / "results.md").read_text()
    history = json.loads((run_dir / "rl" / "log_history.json").read_text())
    assert any("rewards/reward_ledex/mean" in h for h in history)
