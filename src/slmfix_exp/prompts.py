"""The prompts: the SLMFix repair prompt (expert role, user query, original program, validator feedback, answer
fence), its explain-then-fix variant, the drafting prompt for a real LLM, and answer extraction.

The SLM answers with a fenced block, in one of two forms (`slm.answer`):

- `program`: the whole fixed program, "```sql\\n<program>\\n```", as in the SLMFix paper;
- `edit`: search/replace hunks applied to the draft, "```edit\\n<<<\\n <old>\\n===\\n <new>\\n>>>\\n```". LLM errors
  are local, so a small model that only writes the change needn't re-copy the rest, rare names and constants included.
  Each text starts after one space (LEAD), as a name mostly stands after a space in the program and the validator's
  message: byte-level BPE tokenizers glue a space to the word after it, so with the space `albums` in "did you mean
  albums?" and in the edit is the same token, and a small model copies it instead of learning a pair of tokens per
  name (docs/configuration.md has what it gained).

Either way `RepairFormat.read` returns the repaired program, and everything downstream (validator, similarity, reward)
sees a program. A completion without a fenced block is no answer, which keeps prose from collecting any reward.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slmfix_exp.dsl.base import DSL, Task, Validation

if TYPE_CHECKING:
    from slmfix_exp.config import Config

EDIT_FENCE = "edit"
WRONG_RESULT = "wrong-result"  # the rule of a failed test's diagnostic (task_tests.py): valid, but the result is wrong


@dataclass(frozen=True)
class RepairFormat:
    """How a repair is asked for and answered, in one place: the prompt the SLM reads (`prompt`), the completion it
    is trained to write (`completion`), the program an answer stands for (`read`) and the draft a prompt shows
    (`draft_of`, which the constraint on search texts reads back from the prompts TRL generates from)."""

    dsl: DSL
    answer: str = "program"  # slm.answer: program | edit
    mode: str = "direct"  # prompt.mode: direct | explain_then_fix
    max_diagnostics: int = 5

    @classmethod
    def of(cls, cfg: Config, dsl: DSL) -> RepairFormat:
        """The format of a run: `slm.answer`, `prompt.mode`, `prompt.max_diagnostics`."""
        return cls(dsl, cfg.slm.answer, cfg.prompt.mode, cfg.prompt.max_diagnostics)

    @property
    def explains(self) -> bool:
        """Whether the answer starts with an explanation of the error."""
        return self.mode == "explain_then_fix"

    def prompt(self, task: Task, draft: str, validation: Validation) -> str:
        fix = "the fixed program" if self.answer == "program" else "the edits that fix it"
        ask = (
            f"Explain the error in one sentence after 'Explanation:', then give {fix}."
            if self.explains
            else f"Give {fix}."
        )
        feedback = validation.feedback(self.max_diagnostics, draft) or "no errors reported"
        failed = any(d.rule == WRONG_RESULT for d in validation.errors)
        verdict = "This program fails its test." if failed else "The validator rejects this program."
        # what the fix may need to copy (a table's columns, a module's arguments), so it isn't recalled from training
        known = self.dsl.repair_context(draft, validation, task.context)
        names = f"### Known names\n{known}\n" if known else ""
        return (
            f"You are an expert in {self.dsl.display_name}. {verdict} {ask}\n"
            f"### Request\n{task.nl}\n"
            f"{_PROGRAM}{self.dsl.fence}\n{draft}{_VALIDATOR}{feedback}\n"
            f"{names}"
            f"### Fix\n"
        )

    def completion(self, program: str, draft: str, explanation: str | None = None) -> str:
        """The answer the SLM is trained to write: the fixed program, or the edits that turn `draft` into it."""
        prefix = f"Explanation: {explanation}\n" if explanation is not None else ""
        if self.answer == "edit":
            return f"{prefix}```{EDIT_FENCE}\n{edit_script(draft, program)}```"
        return f"{prefix}```{self.dsl.fence}\n{program}\n```"

    def read(self, text: str, draft: str) -> str | None:
        """The repaired program a completion stands for, or None when it holds no usable answer."""
        if self.answer == "edit":
            script = extract_program(text, EDIT_FENCE)
            return None if script is None else apply_edit(draft, script)
        return extract_program(text, self.dsl.fence)

    @staticmethod
    def draft_of(prompt: str) -> str | None:
        """The draft a repair prompt shows, as `prompt` put it there; None when the text holds no such prompt. A
        request or draft that itself holds the section markers is cut at them (the constraint is then off target
        for that prompt, never an error)."""
        start = prompt.find(_PROGRAM)
        if start < 0:
            return None
        start = prompt.find("\n", start + len(_PROGRAM))
        end = prompt.find(_VALIDATOR, start)
        return prompt[start + 1 : end] if 0 <= start < end else None


_PROGRAM, _VALIDATOR = "### Program\n```", "\n```\n### Validator\n"


def edit_script(draft: str, target: str) -> str:
    """Search/replace hunks that turn `draft` into `target`. Each search text is a run of whole tokens of the draft
    (`at_boundary`), widened until no other run of whole tokens after the previous hunk is the same text, so that
    applying the hunks in order is unambiguous; `constrained.py` holds the SLM's search texts to the same rules."""
    matcher = difflib.SequenceMatcher(None, draft, target, autojunk=False)
    spans: list[list[int]] = []  # [draft start, draft end, target start, target end]
    equal_from = 0  # where the equal text before a change starts in the draft
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            equal_from = i1
            continue
        if tag == "insert" and "\n" in target[j1:j2]:
            i1, i2, j1, j2 = _line_anchor(draft, target, i1, j1, j2, equal_from)
        # Widen to token boundaries of both texts (`member` -> `members`, not `` -> `s`): the text around a change is
        # equal in both, so widening moves both sides alike.
        while not (at_boundary(draft, i1) and at_boundary(target, j1)) and draft[i1 - 1 : i1] == target[j1 - 1 : j1]:
            i1, j1 = i1 - 1, j1 - 1
        while not (at_boundary(draft, i2) and at_boundary(target, j2)) and draft[i2 : i2 + 1] == target[j2 : j2 + 1]:
            i2, j2 = i2 + 1, j2 + 1
        if spans and i1 <= spans[-1][1] + 1:  # touching or overlapping the previous hunk: merge
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    hunks: list[list[int]] = []
    floor = 0  # apply_edit looks for each search text from the end of the previous one
    for i1, i2, j1, j2 in spans:
        left = False  # right first: an indent is known by the key after it, a name by what follows
        while not _unique(draft, i1, i2, floor):  # grow by whole tokens, one side then the other
            if (left or i2 == len(draft)) and i1 > floor:
                k = _token_start(draft, i1 - 1, floor)
                i1, j1 = k, j1 - (i1 - k)
            elif i2 < len(draft):
                k = _token_end(draft, i2 + 1)
                i2, j2 = k, j2 + (k - i2)
            else:
                break
            left = not left
        if not _unique(draft, i1, i2, floor):
            if not hunks:
                return ""  # an empty draft: nothing to anchor an edit on
            hunks[-1][1], hunks[-1][3] = i2, j2  # no room of its own: it joins the previous hunk
        else:
            hunks.append([i1, i2, j1, j2])
        floor = i2
    return "".join(f"<<<\n{LEAD}{draft[i1:i2]}\n===\n{LEAD}{target[j1:j2]}\n>>>\n" for i1, i2, j1, j2 in hunks)


def at_boundary(text: str, k: int) -> bool:
    """Whether text[k] starts a token: a token is a run of word characters, a run of blanks, or any other single
    character (a newline, a quote, a colon). Search texts start and end on token boundaries, so a small model can't
    stop half-way through a name (` repo` of `repoo`) or an indent (4 of its 7 spaces)."""
    return k <= 0 or k >= len(text) or _kind(text[k - 1]) != _kind(text[k]) or _kind(text[k]) == "other"


def _kind(ch: str) -> str:
    return "word" if ch.isalnum() or ch == "_" else "blank" if ch in " \t" else "other"


def _token_start(text: str, k: int, floor: int) -> int:
    while k > floor and not at_boundary(text, k):
        k -= 1
    return k


def _token_end(text: str, k: int) -> int:
    while not at_boundary(text, k):
        k += 1
    return k


def _unique(draft: str, i1: int, i2: int, floor: int) -> bool:
    """Whether draft[i1:i2] is non-empty and found as whole tokens nowhere else in the draft from `floor` on."""
    return find_once(draft, draft[i1:i2], floor) == i1


def find_once(text: str, piece: str, start: int = 0) -> int:
    """Where a non-empty `piece` stands in `text` from `start` as whole tokens, if it does so exactly once; else -1.
    Every search text `edit_script` writes is such a piece, and `constrained.py` closes a search block only on one:
    `apply_edit` takes the first whole-token match, so a text found twice would be applied where it first occurs."""
    at = find_whole(text, piece, start) if piece else -1
    return at if at >= 0 and find_whole(text, piece, at + 1) < 0 else -1


def find_search(draft: str, old: str, pos: int) -> int:
    """Where `apply_edit` applies the search text `old` after `pos`: where it stands as whole tokens (the place
    `edit_script` means), else where it first occurs; -1 if it doesn't."""
    at = find_whole(draft, old, pos)
    return at if at >= 0 else draft.find(old, pos)


def find_whole(text: str, piece: str, start: int = 0) -> int:
    """The first index from `start` where `piece` stands in `text` as whole tokens, as a word search matches words
    (`album` in `FROM album JOIN`, not in `album_id`); -1 if it doesn't."""
    at = text.find(piece, start)
    while at >= 0 and not (at_boundary(text, at) and at_boundary(text, at + len(piece))):
        at = text.find(piece, at + 1)
    return at


def _line_anchor(draft: str, target: str, i: int, j1: int, j2: int, floor: int) -> tuple[int, int, int, int]:
    """An insertion of lines at draft[i], as a hunk that replaces the line before it with that line and the new
    ones: a missing argument is written under the module line the validator quotes, where a bare insertion point
    would anchor on a fragment like `:\\n` or an indent that a small model then matches in the wrong task.

    An insertion can slide over the equal text before it (from `floor` on) where that text repeats the insertion's
    end: difflib puts `path: x\\n        ` after an indent, the same change as `        path: x\\n` before it."""
    while i > floor and draft[i - 1] == target[j2 - 1] and not target[j1:j2].endswith("\n"):
        i, j1, j2 = i - 1, j1 - 1, j2 - 1
    if target[j1:j2].endswith("\n") and i > floor and draft[i - 1] == "\n":  # whole lines at a line start: the
        i, j1, j2 = i - 1, j1 - 1, j2 - 1  # same as a newline and the lines less theirs, a character earlier
    start = draft.rfind("\n", 0, i) + 1
    if (i == len(draft) or draft[i] == "\n") and start >= floor and draft[start:i].strip():
        return start, i, j1 - (i - start), j2  # at the end of a line with something on it: that line anchors it
    return i, i, j1, j2


def apply_edit(draft: str, script: str) -> str | None:
    """Apply search/replace hunks in order; None when there are none or a search text matches nothing in the draft.

    Each search text is looked for after the previous hunk (`find_search`). One not in the draft as written is
    matched to the most alike run of whole tokens (difflib ratio >= FUZZY_MATCH), as aider does with an LLM's SEARCH
    blocks: a small model often writes the right fix with the search text slightly off (`cron_job` for the draft's
    `cronjob`). The validator still judges the result, and similarity and exact match show what a fix changed."""
    hunks = _hunks(script)
    if not hunks:
        return None
    out, pos = [], 0
    for old, new in hunks:
        if not old:
            return None
        at, end = find_search(draft, old, pos), -1
        if at >= 0:
            end = at + len(old)
        else:
            at, end = _closest(draft, old, pos)
            if at < 0:
                return None
        out += [draft[pos:at], new]
        pos = end
    return "".join(out) + draft[pos:]


FUZZY_MATCH = 0.75  # the least difflib ratio between a search text and the draft text it stands for
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_FUZZY_BUDGET = 1_000_000  # windows x search length at most: the match stays milliseconds, whatever the input


def _closest(draft: str, old: str, pos: int) -> tuple[int, int]:
    """(start, end) of the run of the draft's tokens from `pos` on most like `old`, or (-1, -1) below FUZZY_MATCH."""
    best, span = FUZZY_MATCH, (-1, -1)
    if (len(draft) - pos) * len(old) > _FUZZY_BUDGET:  # tokens <= characters: this bounds windows x length
        return span
    starts = [m.start() for m in _TOKEN.finditer(draft, pos)] + [len(draft)]
    width = len(_TOKEN.findall(old))
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(old)
    for i in range(len(starts) - 1):
        for n in (width - 1, width, width + 1):
            if n < 1 or i + n >= len(starts):
                continue
            matcher.set_seq1(draft[starts[i] : starts[i + n]])
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and matcher.ratio() > best:
                best, span = matcher.ratio(), (starts[i], starts[i + n])
    return span


def _hunks(script: str) -> list[tuple[str, str]]:
    """The (old, new) pairs of `<<<` / `===` / `>>>` marker lines, scanned once: linear in the script's length on
    any input (a regex over a hostile script of repeated markers took quadratic time)."""
    lines = script.split("\n")
    hunks, i = [], 0
    while i < len(lines):
        if lines[i] != "<<<":
            i += 1
            continue
        try:
            mid = lines.index("===", i + 1)
            end = lines.index(">>>", mid + 1)
        except ValueError:  # no complete hunk from here on
            break
        hunks.append((unlead("\n".join(lines[i + 1 : mid])), unlead("\n".join(lines[mid + 1 : end]))))
        i = end + 1
    return hunks


LEAD = " "  # what each search and replace text starts with (see the module's docstring)


def unlead(text: str) -> str:
    """A hunk's text without its LEAD (a text that lacks it is taken as written)."""
    return text.removeprefix(LEAD)


def explain(validation: Validation) -> str:
    """A one-sentence explanation from the validator's first error, for explain-then-fix SFT targets."""
    if not validation.errors:
        return "The program is valid."
    d = validation.errors[0]
    where = f"Line {d.line}" if d.line else "The program"  # line 0: the whole program, a failed test
    return f"{where} breaks rule {d.rule}: {d.message}".rstrip(".") + "."


def draft_messages(task: Task, dsl: DSL) -> list[dict[str, str]]:
    """What a real frozen LLM is asked, in chat form."""
    return [
        {
            "role": "system",
            "content": f"You are an expert in {dsl.display_name}. Answer with one ```{dsl.fence} block.",
        },
        {"role": "user", "content": f"Write a {dsl.display_name} program for this request:\n{task.nl}"},
    ]


_FENCE = re.compile(r"```[ \t]*([\w+-]*)[ \t]*\n(.*?)(?:\n?```|\Z)", re.DOTALL)


def extract_program(text: str, fence: str, require_fence: bool = True) -> str | None:
    """The program in the last fenced block of `text` (preferring blocks tagged with `fence`); a block cut off by the
    length limit counts up to the end. None when there's no fenced block and `require_fence` is set."""
    if not isinstance(text, str):
        return None
    blocks = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]
    if blocks:
        tagged = [body for tag, body in blocks if tag in (fence, "")] or [body for _, body in blocks]
        return tagged[-1].strip("\n")
    return None if require_fence else text.strip("\n")
