"""The reward group: the paper's formulas, guards against gaming, and no exception on any completion, each option
within the range it states (`RepairReward.bounds`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slmfix_exp.dsl import get_dsl
from slmfix_exp.reward import REWARDS, RepairReward, get_reward
from tests.helpers import absent_utility

SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER, city TEXT);"
# dsl -> (reference, a valid repair close to it, a valid program unrelated to the task, context)
CASES = {
    "sql": (
        "SELECT name, age FROM users WHERE age > 30 ORDER BY name",
        "SELECT name, age FROM users WHERE age > 30 ORDER BY name ASC",
        "SELECT 1",
        {"schema": SCHEMA},
    ),
    "bash": ("find src -name '*.py' -type f | xargs wc -l", "find src -type f -name '*.py' | xargs wc -l", "true", {}),
    "ansible": (
        "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n    state: present\n",
        "- name: Install the nginx package\n  apt:\n    name: nginx\n    state: present\n",
        "- ansible.builtin.debug:\n    msg: hello\n",
        {},
    ),
}


def fenced(program: str, fence: str) -> str:
    return f"```{fence}\n{program}\n```"


def score(reward: RepairReward, completions: list[str], reference: str, context: dict) -> list[float]:
    n = len(completions)
    return reward(
        prompts=["p"] * n, completions=completions, reference=[reference] * n, context=[json.dumps(context)] * n
    )


@pytest.mark.parametrize("dsl_name", sorted(CASES))
@pytest.mark.parametrize("option", REWARDS)
def test_no_answer_earns_the_minimum(dsl_name: str, option: str) -> None:
    dsl = get_dsl(dsl_name)
    reference, _, _, context = CASES[dsl_name]
    reward = get_reward(option, dsl)
    nothing = [
        "",
        "   \n\t",
        "Sure! I fixed the program for you.",
        fenced("", dsl.fence),
        fenced("  \n", dsl.fence),
        fenced("# just a comment", dsl.fence) if dsl_name != "sql" else fenced("-- a comment", dsl.fence),
    ]
    assert score(reward, nothing, reference, context) == [reward.bounds[0]] * len(nothing)


@pytest.mark.parametrize("dsl_name", sorted(CASES))
@pytest.mark.parametrize("option", [r for r in REWARDS if r != "validator"])
def test_unrelated_valid_program_earns_less_than_a_repair(dsl_name: str, option: str) -> None:
    dsl = get_dsl(dsl_name)
    reference, repair, unrelated, context = CASES[dsl_name]
    assert dsl.validate(repair, context).ok and dsl.validate(unrelated, context).ok
    reward = get_reward(option, dsl)
    r_repair, r_unrelated = score(reward, [fenced(repair, dsl.fence), fenced(unrelated, dsl.fence)], reference, context)
    assert r_unrelated < r_repair


@pytest.mark.parametrize("dsl_name", sorted(CASES))
def test_formulas(dsl_name: str) -> None:
    dsl = get_dsl(dsl_name)
    reference, repair, _, context = CASES[dsl_name]
    completions = [fenced(repair, dsl.fence), fenced(reference, dsl.fence), "no fence at all"]
    sim = dsl.similarity(repair, reference, context)
    dual = score(get_reward("dual", dsl, w_valid=0.3, w_sim=0.7), completions, reference, context)
    assert dual == pytest.approx([0.3 + 0.7 * sim, 1.0, 0.0])
    # adaptive: p = batch pass rate (2/3) floored at 0.5
    adaptive = score(get_reward("adaptive", dsl), completions, reference, context)
    p = 2 / 3
    assert adaptive == pytest.approx([(1 - p) + p * sim, 1.0, 0.0])
    assert score(get_reward("validator", dsl), completions, reference, context) == [1, 1, 0]
    assert score(get_reward("gated", dsl), completions, reference, context) == pytest.approx([sim, 1.0, 0.0])


def test_components_are_logged() -> None:
    dsl = get_dsl("sql")
    reference, repair, _, context = CASES["sql"]
    logged: dict[str, float] = {}
    get_reward("dual", dsl)(
        prompts=["p", "p"],
        completions=[fenced(repair, "sql"), "prose"],
        reference=[reference] * 2,
        context=[json.dumps(context)] * 2,
        log_metric=logged.__setitem__,
    )
    assert logged["reward/valid"] == 0.5 and logged["reward/answered"] == 0.5
    assert 0 < logged["reward/similarity"] <= 0.5


@pytest.mark.parametrize("dsl_name", sorted(CASES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_completion_stays_in_range(dsl_name: str, text: str) -> None:
    dsl = get_dsl(dsl_name)
    reference, _, _, context = CASES[dsl_name]
    for option in REWARDS:
        reward = get_reward(option, dsl)
        low, high = reward.bounds
        values = score(reward, [text, fenced(text, dsl.fence), fenced(reference, dsl.fence)], reference, context)
        assert all(low <= v <= high for v in values)
        assert values[2] == high  # the reference itself earns the most


def test_edit_answers_are_scored_on_the_repaired_draft() -> None:
    dsl = get_dsl("sql")
    reference, _, _, context = CASES["sql"]
    draft = reference.replace("name,", "nmae,")
    reward = get_reward("dual", dsl, answer="edit")
    fix = "```edit\n<<<\nnmae\n===\nname\n>>>\n```"
    miss = "```edit\n<<<\nnot in the draft\n===\nname\n>>>\n```"
    values = reward(
        prompts=["p"] * 3,
        completions=[fix, miss, fenced(reference, "sql")],
        reference=[reference] * 3,
        context=[json.dumps(context)] * 3,
        draft=[draft] * 3,
    )
    assert values == [1.0, 0.0, 0.0]  # an edit that applies and fixes earns all; a program isn't an edit answer


@pytest.mark.parametrize("option", REWARDS)
def test_a_repair_that_renames_the_utility_earns_the_invalid_reward(option: str) -> None:
    """The SLM's repair of a real Tellina draft renamed its utility: `find . -user [regex]` became `rw . -rf [regex]`
    (a name no system has: an error) or a name that exists but nothing checks here (a warning the draft hadn't: not
    valid either). Each earns what an invalid program with the same similarity earns, never the validity share."""
    dsl = get_dsl("bash")
    draft, reference = "find . -user [regex]", "find . -user root"
    absent = absent_utility()
    renamed, renamed_existing, invalid = "rw . -rf [regex]", f"{absent} . -rf [regex]", "find . -user [regex] -mtim 3"
    assert not dsl.validate(draft).ok and not dsl.validate(renamed).ok
    assert dsl.validate(renamed_existing).ok and dsl.validate(renamed_existing).new_warnings(dsl.validate(draft))
    reward = get_reward(option, dsl)
    logged: dict[str, float] = {}
    completions = [fenced(p, "bash") for p in (renamed, renamed_existing, invalid, reference)]
    values = reward(
        prompts=["p"] * 4,
        completions=completions,
        reference=[reference] * 4,
        context=["{}"] * 4,
        draft=[draft] * 4,
        log_metric=logged.__setitem__,
    )
    assert logged["reward/valid"] == 0.25  # the reference alone
    without_validity = get_reward(option, dsl)
    without_validity.passed = lambda programs, references, contexts, verdicts: [0.0] * len(programs)  # type: ignore[method-assign]
    floor = without_validity(prompts=["p"] * 3, completions=completions[:3], reference=[reference] * 3,
                             context=["{}"] * 3, draft=[draft] * 3)  # fmt: skip
    assert values[:3] == pytest.approx(floor)
    # with no draft to compare with, the existing name's warning is no reason to withhold the validity share
    reward(
        prompts=["p"],
        completions=completions[1:2],
        reference=[reference],
        context=["{}"],
        log_metric=logged.__setitem__,
    )
    assert logged["reward/valid"] == 1.0
