"""The DSL protocol: what every language module provides, and the result types it returns.

A DSL module (ansible.py, bash.py, sql.py) subclasses `DSL` and implements four things:

- `_validate(program, context)`: the static validator, returning diagnostics;
- `tree(program, context)`: a normalised `zss.Node` tree of the program, or None if it can't be parsed;
- `paper_similarity(pred, reference, context)`: the SLMFix paper's per-DSL similarity in [0, 1];
- `mutate(program, context, rng, invalid)`: break a program the way a frozen LLM does.

`validate` and the similarities are wrapped here so that they never raise: a program is data, and a hostile
one must not take a training run down.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import zss

from slmfix_exp.ted import tree_edit_distance, tree_size

Context = Mapping[str, Any]


@dataclass(frozen=True)
class Diagnostic:
    """One validator finding. `line` and `column` are 1-based; 0 means "the whole program"."""

    line: int
    column: int
    rule: str
    message: str
    severity: str = "error"  # "error" fails the program, "warning" does not

    def __str__(self) -> str:
        return f"line {self.line}: [{self.rule}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Validation:
    ok: bool
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @staticmethod
    def of(diagnostics: Sequence[Diagnostic]) -> Validation:
        """A verdict from diagnostics: ok unless one of them is an error."""
        diags = tuple(diagnostics)
        return Validation(ok=not any(d.severity == "error" for d in diags), diagnostics=diags)

    def feedback(self, limit: int = 5) -> str:
        """The validator messages as the repair prompt shows them."""
        return "\n".join(str(d) for d in self.errors[:limit])


@dataclass(frozen=True)
class Mutation:
    """A draft made from a reference: what was done (`label`) and whether the validator should reject it."""

    program: str
    label: str
    invalid: bool


@dataclass
class Task:
    id: str
    nl: str
    reference: str
    context: dict[str, Any] = field(default_factory=dict)
    split: str = "train"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "nl": self.nl, "reference": self.reference, "context": self.context, "split": self.split}


def is_blank(program: str) -> bool:
    """True for a program with nothing in it but whitespace and comment lines."""
    return all(not line.strip() or line.lstrip().startswith(("#", "--")) for line in program.splitlines())


class DSL(ABC):
    """One domain-specific language. Subclasses set `name` and `fence` and implement the abstract methods."""

    name: str = ""
    fence: str = ""  # the language tag of a markdown code fence: yaml, bash, sql
    display_name: str = ""
    max_program_bytes: int = 100_000  # longer programs are rejected unparsed: no parser sees 10 MB

    # ---- the public, never-raising API ----------------------------------------------------------------------

    def validate(self, program: str, context: Context | None = None) -> Validation:
        """Validate one program. Never raises: a validator failure is itself a diagnostic."""
        return self.validate_batch([program], [context or {}])[0]

    def validate_batch(self, programs: Sequence[str], contexts: Sequence[Context | None]) -> list[Validation]:
        """Validate many programs; a DSL whose tool takes batches (ShellCheck) overrides `_validate_batch`."""
        results: list[Validation | None] = [None] * len(programs)
        todo = []
        for i, program in enumerate(programs):
            early = self._precheck(program)
            if early is None:
                todo.append(i)
            else:
                results[i] = early
        if todo:
            try:
                checked = self._validate_batch([programs[i] for i in todo], [contexts[i] or {} for i in todo])
            except Exception:  # a batch tool failed: fall back to one program at a time
                checked = [self._safe_validate(programs[i], contexts[i] or {}) for i in todo]
            for i, v in zip(todo, checked, strict=True):
                results[i] = v
        return [r for r in results if r is not None]

    def ted_similarity(self, pred: str, reference: str, context: Context | None = None) -> float:
        """1 - TED / (|a| + |b|) between the normalised trees; 0 when the prediction can't be parsed."""
        try:
            a, b = self.tree(pred, context or {}), self.tree(reference, context or {})
        except Exception:
            return 0.0
        if a is None or b is None:
            return 0.0
        total = tree_size(a) + tree_size(b)
        return 1.0 - tree_edit_distance(a, b) / total if total else 1.0

    def similarity(self, pred: str, reference: str, context: Context | None = None, kind: str = "paper") -> float:
        """The similarity named by `kind` ("paper" or "ted"), clamped to [0, 1]; 0 on any failure."""
        if is_blank(pred) or len(pred.encode("utf-8", "replace")) > self.max_program_bytes:
            return 0.0
        try:
            if kind == "ted":
                value = self.ted_similarity(pred, reference, context)
            elif kind == "paper":
                value = self.paper_similarity(pred, reference, context or {})
            else:
                raise ValueError(f"unknown similarity kind {kind!r}: use 'paper' or 'ted'")
        except ValueError:
            raise
        except Exception:
            return 0.0
        return min(1.0, max(0.0, float(value)))

    def execution_match(self, pred: str, reference: str, context: Context) -> bool | None:
        """Whether `pred` computes what `reference` does, for languages that can run a program safely (SQL on a
        read-only copy of its database); None where the language can't be executed here."""
        return None

    # ---- what each language implements ----------------------------------------------------------------------

    @abstractmethod
    def _validate(self, program: str, context: Context) -> Validation:
        """Validate one program that passed the blank and size pre-checks."""

    def _validate_batch(self, programs: Sequence[str], contexts: Sequence[Context]) -> list[Validation]:
        return [self._safe_validate(p, c) for p, c in zip(programs, contexts, strict=True)]

    @abstractmethod
    def tree(self, program: str, context: Context) -> zss.Node | None:
        """The normalised tree of the program, or None if it can't be parsed."""

    @abstractmethod
    def paper_similarity(self, pred: str, reference: str, context: Context) -> float:
        """The SLMFix paper's per-DSL similarity in [0, 1]."""

    @abstractmethod
    def mutate(self, program: str, context: Context, rng: random.Random, invalid: bool) -> Mutation | None:
        """Break `program` as an LLM would: invalid=True must give a program the validator rejects,
        invalid=False a valid program that is off (a wrong flag, a wrong column). None if no mutation applies."""

    # ---- helpers ----------------------------------------------------------------------------------------------

    def _precheck(self, program: object) -> Validation | None:
        if not isinstance(program, str):
            return Validation.of([Diagnostic(0, 0, "not-text", f"program is {type(program).__name__}, not text")])
        if len(program.encode("utf-8", "replace")) > self.max_program_bytes:
            return Validation.of(
                [Diagnostic(0, 0, "too-large", f"program is over {self.max_program_bytes} bytes; not parsed")]
            )
        if "\x00" in program:
            return Validation.of([Diagnostic(0, 0, "binary", "program contains NUL bytes")])
        if is_blank(program):
            return Validation.of([Diagnostic(0, 0, "empty", "program is empty")])
        return None

    def _safe_validate(self, program: str, context: Context) -> Validation:
        try:
            return self._validate(program, context)
        except RecursionError:
            return Validation.of([Diagnostic(0, 0, "too-deep", "program nests too deeply to parse")])
        except Exception as exc:  # a parser crash on odd input is a verdict on the input, not a crash of ours
            return Validation.of([Diagnostic(0, 0, "validator-error", f"{type(exc).__name__}: {exc}"[:300])])
