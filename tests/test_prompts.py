"""The repair prompt, answer extraction, and the edit answer format."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slmfix_exp.dsl import get_dsl
from slmfix_exp.dsl.base import Diagnostic, Task, Validation
from slmfix_exp.prompts import RepairFormat, _hunks, apply_edit, edit_script, extract_program, find_whole

TEXT = st.text(alphabet="ab ()',\n\tx_1", max_size=40)


@settings(max_examples=400, deadline=None)
@given(draft=TEXT.filter(bool), target=TEXT)
def test_edit_script_turns_the_draft_into_the_target(draft: str, target: str) -> None:
    if draft == target:
        return
    script = edit_script(draft, target)
    assert apply_edit(draft, script) == target
    floor = 0  # each search text: found once as whole tokens after the previous one (what constrained.py enforces)
    for old, _ in _hunks(script):
        at = find_whole(draft, old, floor)
        assert at >= 0 and find_whole(draft, old, at + 1) < 0, (old, floor)
        floor = at + len(old)


def test_search_texts_are_whole_tokens_and_name_one_place() -> None:
    draft = "    name: monitor\n       shell: /bin/sh\n    groups:\n      - wheel\n"
    target = draft.replace("       shell", "    shell")
    # the whole indent, not 3 of its 7 spaces behind a stray `r\n` (7 spaces occur only here)
    assert edit_script(draft, target) == "<<<\n        \n===\n     \n>>>\n"
    draft = "git:\n    repoo: x\n    dest: y\n"
    assert edit_script(draft, draft.replace("repoo", "repo")) == "<<<\n repoo\n===\n repo\n>>>\n"
    draft = "SELECT name FROM member ORDER BY name"  # a letter added to a word: the whole word, not ` ` -> `s `
    assert edit_script(draft, draft.replace("member", "members")) == "<<<\n member\n===\n members\n>>>\n"
    draft = "SELECT name FROM t WHERE name = 'x' ORDER BY nmae"
    assert edit_script(draft, draft.replace("nmae", "name")) == "<<<\n nmae\n===\n name\n>>>\n"
    draft = "SELECT a FROM t WHERE a = 1 AND a = 2"  # the second `a = `: widened until it is the only one
    assert edit_script(draft, draft.replace("a = 2", "b = 2")) == "<<<\n AND a =\n===\n AND b =\n>>>\n"


def test_edit_hunks_are_short_for_local_errors() -> None:
    draft = "SELECT name FRMO products WHERE stock < (SELECT avg(stock) FROM products)"
    reference = draft.replace("FRMO", "FROM")
    assert edit_script(draft, reference) == "<<<\n FRMO\n===\n FROM\n>>>\n"  # each text after the LEAD
    assert apply_edit(draft, "<<<\nFRMO\n===\nFROM\n>>>") == reference  # the closing newline is optional
    assert apply_edit(draft, "<<<\nnot in the draft\n===\nFROM\n>>>\n") is None  # like nothing in the draft
    assert apply_edit(draft, "no hunks here") is None


def test_a_search_text_slightly_off_matches_the_draft_text_it_stands_for() -> None:
    draft = "- name: Nightly backup\n  cronjob:\n    job: /usr/local/bin/backup\n"
    fixed = "- name: Nightly backup\n  cron:\n    job: /usr/local/bin/backup\n"
    assert apply_edit(draft, "<<<\ncron_job\n===\ncron\n>>>") == fixed  # the typo of another draft
    assert apply_edit(draft, "<<<\ncronjob\n===\ncron\n>>>") == fixed
    # whole tokens only, and after the previous hunk: the second hunk can't reach back before the first
    assert apply_edit(draft, "<<<\njob:\n===\ntask:\n>>>\n<<<\nNightly backupp\n===\nx\n>>>") is None


@pytest.mark.parametrize(
    ("draft", "search"),
    [("a " * 4800, "a " * 49 + "b"), ("a " * 1200, "a " * 200 + "b"), ("a " * 20000, "a b"), ("x" * 10**5, "xy")],
)
def test_matching_a_search_text_stays_fast_on_hostile_input(draft: str, search: str) -> None:
    start = time.perf_counter()
    apply_edit(draft, f"<<<\n{search}\n===\nQ\n>>>")
    assert time.perf_counter() - start < 2.0


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
    form = RepairFormat(dsl, answer, mode)
    prompt = form.prompt(task, draft, verdict)
    assert task.nl in prompt and draft in prompt and "no such column: nmae" in prompt
    assert RepairFormat.draft_of(prompt) == draft
    why = "Line 1 names a column that doesn't exist." if form.explains else None
    completion = form.completion(task.reference, draft, why)
    assert form.read(completion, draft) == task.reference


def test_the_repair_prompt_quotes_the_line_each_message_points_at() -> None:
    """A multi-line draft's messages are followed by the line they point at, as compilers quote it, so the SLM can
    copy it into a search text instead of counting lines; a one-line draft is shown once, and a line out of range
    (or the whole program, line 0) is left unquoted."""
    dsl = get_dsl("ansible")
    draft = "- name: Run configure\n  command:\n    cmd: ./configure\n     creates: /opt/app/.installed\n"
    verdict = dsl.validate(draft)
    prompt = RepairFormat(dsl).prompt(Task("t", "Run configure", draft), draft, verdict)
    assert f"line 4: [yaml-syntax] {verdict.errors[0].message}\n  |      creates: /opt/app/.installed\n" in prompt
    stray = Validation.of([Diagnostic(0, 0, "wrong-result", "rows differ"), Diagnostic(9, 1, "x", "past the end")])
    assert stray.feedback(program=draft) == "line 0: [wrong-result] rows differ\nline 9: [x] past the end"
    one_line = Validation.of([Diagnostic(1, 8, "syntax", "FRMO")])
    assert one_line.feedback(program="SELECT a FRMO t") == "line 1: [syntax] FRMO"


def test_inserted_lines_are_anchored_on_the_line_before_them() -> None:
    """A missing argument goes under its module line: the hunk replaces that whole line (the one the validator
    quotes) with itself and the new line, not an indent or a `:\\n` that also matches in another task."""
    draft = "- name: Get\n  get_url:\n    url: x\n- name: Unpack\n  unarchive:\n    dest: /opt/api\n"
    target = draft.replace("  unarchive:\n", "  unarchive:\n    src: /tmp/api.tar.gz\n")
    script = edit_script(draft, target)
    assert script == "<<<\n   unarchive:\n===\n   unarchive:\n    src: /tmp/api.tar.gz\n>>>\n"
    assert apply_edit(draft, script) == target
