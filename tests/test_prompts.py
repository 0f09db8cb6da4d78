"""The repair prompt, answer extraction, and the edit answer format."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slmfix_exp.dsl import get_dsl
from slmfix_exp.dsl.base import Diagnostic, Task, Validation
from slmfix_exp.prompts import (
    apply_edit,
    edit_script,
    extract_program,
    read_repair,
    repair_completion,
    repair_prompt,
)

TEXT = st.text(alphabet="ab ()',\n\tx_1", max_size=40)


@settings(max_examples=400, deadline=None)
@given(draft=TEXT.filter(bool), target=TEXT)
def test_edit_script_turns_the_draft_into_the_target(draft: str, target: str) -> None:
    if draft != target:
        assert apply_edit(draft, edit_script(draft, target)) == target


def test_edit_hunks_are_short_for_local_errors() -> None:
    draft = "SELECT name FRMO products WHERE stock < (SELECT avg(stock) FROM products)"
    reference = draft.replace("FRMO", "FROM")
    assert edit_script(draft, reference) == "<<<\nFRMO\n===\nFROM\n>>>\n"
    assert apply_edit(draft, "<<<\nFRMO\n===\nFROM\n>>>") == reference  # the closing newline is optional
    assert apply_edit(draft, "<<<\nFROMX\n===\nFROM\n>>>\n") is None  # a search text not in the draft
    assert apply_edit(draft, "no hunks here") is None


def test_extract_program_prefers_the_last_block_with_the_tag() -> None:
    text = "Explanation: x.\n```sql\nSELECT 1\n```\nthen\n```sql\nSELECT 2\n```"
    assert extract_program(text, "sql") == "SELECT 2"
    assert extract_program("```sql\nSELECT 3", "sql") == "SELECT 3"  # cut off by the length limit
    assert extract_program("Sure, SELECT 4", "sql") is None
    assert extract_program("Sure, SELECT 4", "sql", require_fence=False) == "Sure, SELECT 4"


@pytest.mark.parametrize("answer", ["program", "edit"])
@pytest.mark.parametrize("mode", ["direct", "explain_then_fix"])
def test_completion_reads_back_as_the_reference(answer: str, mode: str) -> None:
    dsl = get_dsl("sql")
    task = Task("t", "names of users", "SELECT name FROM users", {})
    draft = "SELECT nmae FROM users"
    verdict = Validation.of([Diagnostic(1, 8, "unknown-column", "no such column: nmae")])
    prompt = repair_prompt(task, draft, verdict, dsl, mode, answer=answer)
    assert task.nl in prompt and draft in prompt and "no such column: nmae" in prompt
    why = "Line 1 names a column that doesn't exist." if mode == "explain_then_fix" else None
    completion = repair_completion(task.reference, dsl, why, answer, draft)
    assert read_repair(completion, dsl, draft, answer) == task.reference
    with pytest.raises(ValueError, match=r"slm\.answer"):
        repair_prompt(task, draft, verdict, dsl, mode, answer="diff")
