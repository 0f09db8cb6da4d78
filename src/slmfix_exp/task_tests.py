"""The tests of a task, as LeDex's self-debugging uses unit tests: what "passes" means, and the feedback a failing
program gets.

- SQL: the task's database is the test. A query passes when it validates and returns the reference's multiset of
  rows on a read-only connection to that database (`DSL.execution_match`); a valid query that returns other rows
  fails with a `wrong-result` diagnostic saying how its result differs (rows and columns, not the expected rows).
  With one database per task the pass fraction is 0 or 1.
- Every other language, and SQL tasks whose context has no rows (a DDL-only schema): the validator stands in for the
  tests, as in SLMFix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Validation
from slmfix_exp.prompts import WRONG_RESULT


@dataclass(frozen=True)
class Verdict:
    passed: bool
    fraction: float  # the share of the task's tests passed
    tests: str  # what was run: "result-set" (SQL on the task's database) or "validator" (it stands in)
    validation: Validation  # the validator's verdict alone
    feedback: Validation  # what a repair prompt shows: the validator's diagnostics, or the failed test's


def run_tests(
    dsl: DSL,
    programs: Sequence[str],
    references: Sequence[str],
    contexts: Sequence[Context],
    validations: Sequence[Validation] | None = None,
    gate: str = "tests",
) -> list[Verdict]:
    """Test each program against its task; `validations` are the programs' verdicts when already known. With
    gate="validator" passing is the validator's verdict alone, whatever the language."""
    verdicts = list(validations) if validations is not None else dsl.validate_batch(programs, contexts)
    results = []
    for program, reference, context, verdict in zip(programs, references, contexts, verdicts, strict=True):
        if gate == "validator" or not verdict.ok:
            results.append(Verdict(verdict.ok, float(verdict.ok), "validator", verdict, verdict))
            continue
        match = dsl.execution_match(program, reference, context)
        if match is None:  # no test to run: the validator stands in
            results.append(Verdict(True, 1.0, "validator", verdict, verdict))
        elif match:
            results.append(Verdict(True, 1.0, "result-set", verdict, verdict))
        else:
            failed = Diagnostic(0, 0, WRONG_RESULT, _result_difference(dsl, program, reference, context))
            feedback = Validation.of([*verdict.diagnostics, failed])
            results.append(Verdict(False, 0.0, "result-set", verdict, feedback))
    return results


def _result_difference(dsl: DSL, program: str, reference: str, context: Context) -> str:
    """How a query's result differs from the expected one, in counts: the expected rows themselves stay hidden."""
    try:
        got, want = dsl.execute(program, context), dsl.execute(reference, context)
    except Exception as exc:  # it ran in execution_match a moment ago; a flaky database is feedback, not a crash
        return f"the query fails on the task's database: {exc}"

    def shape(rows: list[tuple]) -> str:
        return f"{len(rows)} row{'s' * (len(rows) != 1)} of {len(rows[0]) if rows else 0} column(s)"

    if len(got) == len(want) and (not got or len(got[0]) == len(want[0])):
        return f"the query returns {shape(got)} as expected, but different values"
    return f"the query returns {shape(got)}; the expected result has {shape(want)}"
