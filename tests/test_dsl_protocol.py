"""What the rest of the project asks of every language (`DSL` in dsl/base.py), held to one contract for each: no module
outside `dsl/` names a language, so each must answer for itself."""

from __future__ import annotations

import importlib
import random
from collections import Counter
from pathlib import Path

import pytest

from slmfix_exp.codebleu import codebleu, data_flow, tokens
from slmfix_exp.config import DSLConfig
from slmfix_exp.data.loaders import _load_bundled
from slmfix_exp.dsl import DSL_NAMES, dsl_class, get_dsl
from slmfix_exp.dsl.base import MutationKinds

SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER);"
# language -> (a valid program with data flow where the language has it, its context)
PROGRAMS = {
    "ansible": ("- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n    state: present\n", {}),
    "bash": ("X=$(ls | grep py); echo $X", {}),
    "sql": ("SELECT name FROM users WHERE age > 30", {"schema": SCHEMA}),
}


def test_every_language_has_a_schema_and_a_class() -> None:
    assert set(DSL_NAMES) == set(PROGRAMS) == {c.name for c in DSLConfig.__subclasses__()}
    for name in DSL_NAMES:
        assert dsl_class(name).name == name
    with pytest.raises(ValueError, match="unknown dsl 'pyhton'"):
        dsl_class("pyhton")


@pytest.mark.parametrize("name", DSL_NAMES)
def test_keywords_weigh_in_codebleu(name: str) -> None:
    dsl = get_dsl(name)
    program, context = PROGRAMS[name]
    keywords = dsl.keywords()
    assert keywords and any(t in keywords for t in tokens(program, dsl)), "the program's keywords are found"
    if dsl.keywords_ignore_case:  # the same program in lower case is the same tokens
        assert tokens(program.lower(), dsl) == tokens(program, dsl)
    assert codebleu(dsl, program, program, context).score == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("name", DSL_NAMES)
def test_data_flow_is_the_languages_own(name: str) -> None:
    dsl = get_dsl(name)
    program, context = PROGRAMS[name]
    flow = data_flow(dsl.tree(program, context), dsl)
    assert all(isinstance(e, tuple) and len(e) == 3 for e in flow)
    assert bool(flow) == (name != "ansible")  # Ansible's single tasks pass no data
    assert data_flow(None, dsl) == []


@pytest.mark.parametrize("name", [n for n in DSL_NAMES if n != "sql"])  # SQL runs: tests/test_dsl_sql.py
def test_a_language_without_execution_says_so(name: str) -> None:
    dsl = get_dsl(name)
    program, context = PROGRAMS[name]
    assert dsl.execution_match(program, program, context) is None
    with pytest.raises(NotImplementedError, match="not run here"):
        dsl.execute(program, context)


@pytest.mark.parametrize("name", DSL_NAMES)
def test_a_tasks_context_is_checked_by_its_language(name: str) -> None:
    cls = dsl_class(name)
    _, context = PROGRAMS[name]
    assert cls.context_problem(context) is None
    assert (cls.context_problem({}) is None) == (name != "sql")  # a SQL task needs a schema


@pytest.mark.parametrize("name", DSL_NAMES)
def test_generated_tasks_are_valid_distinct_and_reproducible(name: str) -> None:
    """The task generator's contract: the same tasks for a seed, other tasks for another, distinct references that
    the language's validator accepts in the task's context, each with a description."""
    generate = importlib.import_module(f"slmfix_exp.data.generators.{name}").generate
    dsl = get_dsl(name)
    tasks = generate(200, seed=0)
    assert tasks == generate(200, seed=0) and tasks != generate(200, seed=1)
    assert len({t["reference"] for t in tasks}) == len(tasks) == 200
    assert all(t["nl"].strip() for t in tasks)
    verdicts = dsl.validate_batch([t["reference"] for t in tasks], [t["context"] for t in tasks])
    assert not [(t["reference"], v.feedback()) for t, v in zip(tasks, verdicts, strict=True) if not v.ok]


@pytest.mark.parametrize("name", DSL_NAMES)
def test_mutations_keep_the_promise_their_kind_was_registered_with(name: str, tmp_path: Path) -> None:
    """Every draft the mutator makes is of a registered kind, and the verdict the training data gets on it is the one
    the kind promises: an error of its rules for an invalid kind, a valid program for a valid one. That verdict comes
    from `validate_batch` (`train.repair_examples`), which `mutate` doesn't consult (it checks one program at a
    time, or, for Bash's ShellCheck kinds, not at all), so the two paths must agree. The same seed gives the same
    draft; a blank program gives none."""
    dsl = get_dsl(name)
    kinds = dsl.mutations
    assert kinds.of(invalid=True) and kinds.of(invalid=False)
    rng = random.Random(0)
    tasks = _load_bundled(name, tmp_path)[:40]
    made = []
    for task in tasks:
        for invalid in (True, False):
            m = dsl.mutate(task.reference, task.context, rng, invalid)
            if m is not None:
                assert m.invalid is invalid and m.program != task.reference
                made.append((task, m))
    verdicts = dsl.validate_batch([m.program for _, m in made], [t.context for t, _ in made])
    for (_, m), verdict in zip(made, verdicts, strict=True):
        assert kinds.of(m.invalid)[m.label].kept_by(verdict), (m.label, m.program, verdict.feedback())
    counts = Counter(m.invalid for _, m in made)
    assert counts[True] >= 30 and counts[False] >= 30, counts
    task = tasks[0]
    again = [dsl.mutate(task.reference, task.context, random.Random(s), True) for s in range(5)]
    assert again == [dsl.mutate(task.reference, task.context, random.Random(s), True) for s in range(5)]
    assert dsl.mutate("", task.context, rng, True) is None


def test_a_mutation_kind_is_registered_once_with_a_kebab_case_label() -> None:
    kinds = MutationKinds()
    kinds.invalid("unknown-column", rules={"unknown-column"})(lambda site: [])
    with pytest.raises(ValueError, match="registered twice"):
        kinds.valid("unknown-column")(lambda site: [])
    with pytest.raises(ValueError, match="kebab-case"):
        kinds.valid("unknown_column")(lambda site: [])
    assert kinds.labels(invalid=True) == ("unknown-column",) and kinds.labels(invalid=False) == ()
