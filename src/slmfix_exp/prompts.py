"""The prompts: the SLMFix repair prompt (expert role, user query, original program, validator feedback, answer
fence), its explain-then-fix variant, the drafting prompt for a real LLM, and answer extraction.

The SLM answers with a fenced block: "```sql\\n<program>\\n```". A completion without a fence is no answer, which
keeps prose from collecting any reward.
"""

from __future__ import annotations

import re

from slmfix_exp.dsl.base import DSL, Task, Validation

MODES = ("direct", "explain_then_fix")


def repair_prompt(
    task: Task, draft: str, validation: Validation, dsl: DSL, mode: str = "direct", max_diagnostics: int = 5
) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown prompt.mode {mode!r}: use one of {', '.join(MODES)}")
    feedback = validation.feedback(max_diagnostics) or "no errors reported"
    ask = (
        "Explain the error in one sentence after 'Explanation:', then give the fixed program."
        if mode == "explain_then_fix"
        else "Give the fixed program."
    )
    return (
        f"You are an expert in {dsl.display_name}. The program below was written for the user's request, "
        f"but the validator reports errors. {ask}\n"
        f"### Request\n{task.nl}\n"
        f"### Program\n```{dsl.fence}\n{draft}\n```\n"
        f"### Validator\n{feedback}\n"
        f"### Fixed program\n"
    )


def repair_completion(program: str, dsl: DSL, explanation: str | None = None) -> str:
    """The answer the SLM is trained to write."""
    prefix = f"Explanation: {explanation}\n" if explanation is not None else ""
    return f"{prefix}```{dsl.fence}\n{program}\n```"


def explain(validation: Validation) -> str:
    """A one-sentence explanation from the validator's first error, for explain-then-fix SFT targets."""
    if not validation.errors:
        return "The program is valid."
    d = validation.errors[0]
    return f"Line {d.line} breaks rule {d.rule}: {d.message}".rstrip(".") + "."


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
