"""The DSL protocol: what every language module provides, and the result types it returns.

A DSL module or package (dsl/ansible/, dsl/bash/, dsl/sql/) subclasses `DSL` and implements four things:

- `_validate(program, context)`: the static validator, returning diagnostics;
- `tree(program, context)`: a normalised `zss.Node` tree of the program, or None if it can't be parsed;
- `paper_similarity(pred, reference, context)`: the SLMFix paper's per-DSL similarity in [0, 1];
- `mutate(program, context, rng, invalid)`: break a program the way a frozen LLM does, by one of the kinds in its
  `mutations` (a `MutationKinds`: each kind registered with the rules it must make the validator report).

and may implement three optional hooks: `_repair_context` (what a repair prompt shows beside the messages),
`_rule_fix` (the `rules` baseline: the first error's own suggestion applied) and `_vary` (a training task in other
names). Their public wrappers `repair_context`, `rule_fix` and `vary` are bounded in time and never raise.

What the rest of the project asks of a language beyond that, so that no module outside `dsl/` names one:
`keywords()` and `keywords_ignore_case` (CodeBLEU's weighted n-grams), `data_flow(tree)` (CodeBLEU's data-flow
edges), `execute` and `execution_match` (where a program can be run safely: SQL), `context_problem(context)` (what a
task's context lacks, for the loaders).

`validate`, `tree` and the similarities are wrapped here so that they never raise and each program gets a bounded
time: a program is data, and a hostile one must not take a training run down. The bounds (`max_program_bytes`,
`timeout_s`, `max_tree_nodes`) are per language, overridable from the `dsl` config group:

- a program over `max_program_bytes`, with NUL bytes, lone surrogates (undecodable bytes) or nothing but blanks and
  comments is refused before any parser sees it: invalid with a diagnostic, no tree, similarity 0;
- validation, a tree and a similarity each get `timeout_s` seconds (a batch tool `timeout_s` per program, plus one
  for its start-up); past it the verdict is invalid with a "timeout" diagnostic, the tree None, the similarity 0;
- trees over `max_tree_nodes` nodes are not compared by tree edit distance, whose memory grows as |a| * |b|.

The time bound is `call_with_time_limit`: a watchdog thread has the thread whose call ran out of time raise an
exception (in the main thread through a SIGALRM handler, though no signal is ever sent; in others directly), so it
works on any thread and costs under a microsecond a call (`_Watchdog`). A subclass's `tree` is wrapped when the
class is created (`__init_subclass__`), so a language implements it plainly, as it does `_validate`.
"""

from __future__ import annotations

import _thread
import ctypes
import functools
import math
import os
import random
import re
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import zss

from slmfix_exp.config import check_option_name
from slmfix_exp.ted import tree_edit_distance, tree_size

Context = Mapping[str, Any]
SIMILARITIES = ("paper", "ted")  # the SLMFix paper's per-language score; 1 - TED / (|a| + |b|)
Edge = tuple[str, str, str]  # a data-flow edge: (what flows, how, where to); names starting with $ are variables
T = TypeVar("T")


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

    def new_warnings(self, draft: Validation) -> frozenset[str]:
        """The warning rules this verdict (a repair's) has that `draft`'s (the program it repairs) hasn't. A repair
        that passes with one may have passed by leaving the validator's reach (Bash: a utility whose options nothing
        checks) rather than by fixing the draft; the rewards and `repaired_no_new_warning` count it as not valid."""
        return _warning_rules(self) - _warning_rules(draft)

    def feedback(self, limit: int = 5, program: str | None = None) -> str:
        """The validator messages as the repair prompt shows them. Given the program (of more than one line), each
        message is followed by the line it points at, as compilers and PyYAML quote it: a small model finds the line
        to edit by copying it, not by counting lines. A line over 200 characters (minified or hostile input) is not
        quoted: it would crowd the prompt out of the SLM's context."""
        lines = program.split("\n") if program is not None and "\n" in program.strip("\n") else []
        return "\n".join(
            f"{d}\n  | {lines[d.line - 1]}" if 0 < d.line <= len(lines) and len(lines[d.line - 1]) <= 200 else str(d)
            for d in self.errors[:limit]
        )


def _warning_rules(validation: Validation) -> frozenset[str]:
    return frozenset(d.rule for d in validation.diagnostics if d.severity != "error")


@dataclass(frozen=True)
class Mutation:
    """A draft made from a reference: what was done (`label`) and whether the validator should reject it."""

    program: str
    label: str
    invalid: bool


@dataclass(frozen=True)
class MutationKind:
    """One way an LLM gets a program wrong. `find` gives its candidate edits of a program (with the language's own
    arguments). An invalid kind promises that the validator reports one of `rules` (None: any error); a valid kind
    that the program stays valid. `weight`: how much more often than a kind of weight 1 it is tried first."""

    label: str
    find: Callable[..., Any]
    invalid: bool
    rules: frozenset[str] | None = None
    weight: float = 1.0

    def kept_by(self, verdict: Validation) -> bool:
        """Whether the validator's verdict on a candidate keeps this kind's promise."""
        if not self.invalid:
            return verdict.ok
        return not verdict.ok and (self.rules is None or any(d.rule in self.rules for d in verdict.errors))


class MutationKinds:
    """A language's mutation kinds, each registered where its edits are written, with the rules it must trigger:

        MUTATIONS = MutationKinds()

        @MUTATIONS.invalid("unknown-column", rules={"unknown-column"})
        def _unknown_column(site): ...

    Labels are kebab-case; registration order is the order `mutate` considers them in."""

    def __init__(self) -> None:
        self.kinds: dict[str, MutationKind] = {}

    def invalid(self, label: str, rules: Iterable[str] | None = None, weight: float = 1.0) -> Callable[[_F], _F]:
        return self._register(label, True, None if rules is None else frozenset(rules), weight)

    def valid(self, label: str, weight: float = 1.0) -> Callable[[_F], _F]:
        return self._register(label, False, None, weight)

    def _register(self, label: str, invalid: bool, rules: frozenset[str] | None, weight: float) -> Callable[[_F], _F]:
        if not _KEBAB.fullmatch(label):
            raise ValueError(f"mutation label {label!r}: write it in kebab-case (e.g. 'unknown-column')")
        if label in self.kinds:
            raise ValueError(f"mutation kind {label!r} is registered twice")

        def register(find: _F) -> _F:
            self.kinds[label] = MutationKind(label, find, invalid, rules, weight)
            return find

        return register

    def of(self, invalid: bool) -> dict[str, MutationKind]:
        """The invalid (or valid) kinds by label, in registration order."""
        return {label: k for label, k in self.kinds.items() if k.invalid is invalid}

    def labels(self, invalid: bool) -> tuple[str, ...]:
        return tuple(self.of(invalid))


_F = TypeVar("_F", bound=Callable[..., Any])
_KEBAB = re.compile(r"[a-z]+(?:-[a-z]+)*")


@dataclass
class Task:
    id: str
    nl: str
    reference: str | None  # None: no reference (real LLM drafts judged by the validator alone)
    context: dict[str, Any] = field(default_factory=dict)
    split: str = "train"
    source: str = ""  # where an evaluation task came from: the file (the system whose drafts it holds)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "nl": self.nl, "reference": self.reference, "context": self.context, "split": self.split}


def is_blank(program: str) -> bool:
    """True for a program with nothing in it but whitespace and comment lines."""
    return all(not line.strip() or line.lstrip().startswith(("#", "--")) for line in program.splitlines())


# ---- the per-program time bound -----------------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised into a thread whose bounded call ran out of time. A BaseException, so that the `except Exception`
    with which parsers fall back on odd input doesn't swallow it; `call_with_time_limit` turns it into TimeoutError."""


class _Bound:
    """One bounded call: its thread, its deadline, and how its timeout is raised and whether it has been."""

    __slots__ = ("deadline", "due", "fired", "locked", "thread")

    def __init__(self, thread: int, deadline: float, locked: bool) -> None:
        self.thread, self.deadline, self.locked = thread, deadline, locked
        self.due = deadline  # when the watchdog raises the timeout (again: see `_RETRY_S`)
        self.fired = False


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    """Make `thread` raise `exc` at its next bytecode (None withdraws one not yet raised): CPython's documented
    PyThreadState_SetAsyncExc."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else None)


_SIGNAL: signal.Signals | None = getattr(signal, "SIGALRM", None)
# A timeout raised at a bytecode of a gc callback or a __del__ is printed as "Exception ignored" and lost, and the
# call runs on unbounded (seen with hypothesis's gc callback): while a fired bound is still on its thread's stack,
# the watchdog raises it again this long after. A bound that fired unwinds in microseconds, well within it.
_RETRY_S = 0.05


class _Watchdog:
    """Deadlines of bounded calls, per thread, and one daemon thread that enforces them.

    Bounds nest: a call inside a bounded call takes a bound of its own only if it ends earlier, so each thread's stack
    of bounds has its earliest deadline on top, and only a top bound fires (again after `_RETRY_S` if it is still
    there: a timeout can be lost). The watchdog sleeps until the earliest deadline, so a stream of quick calls wakes
    it about once per `timeout_s`. How a timeout is raised:

    - in the main thread (where TRL computes rewards), by our SIGALRM handler, which the watchdog runs there with
      `_thread.interrupt_main` (no signal is sent: no syscall is interrupted, no timer is set). The handler checks
      the bound in the thread it raises in, so a call that returned in time is never hit, and the thread's stack
      needs no lock: a bounded call costs well under a microsecond;
    - in another thread (or in the main one if SIGALRM's handler can't be ours), by the watchdog with
      PyThreadState_SetAsyncExc, under a lock the thread also takes to push and pop its bound (the dearer path); a
      timeout that fires as the call returns is withdrawn before the bound is popped, so it never lands outside it.
    """

    def __init__(self) -> None:
        self._handler = self._on_signal  # one bound method, to compare with signal.getsignal
        self._previous: Any = None  # SIGALRM's handler before ours, for real SIGALRMs
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked child has no watchdog thread and a fresh lock

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._main = threading.main_thread().ident or 0
        self._main_stack: list[_Bound] = []
        self._stacks: dict[int, list[_Bound]] = {self._main: self._main_stack}
        self._wake_at = math.inf
        self._thread: threading.Thread | None = None
        self._handler_ok: bool | None = None  # whether SIGALRM's handler is ours; None: not tried yet
        self._interrupting = False

    def call(self, seconds: float, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)`, or TimeoutError once it has run `seconds`. The exception lands at the next Python bytecode,
        so a call stuck inside one C function (a regex, a blocking read) is stopped only when that returns: the DSL
        modules bound their tools themselves too (ShellCheck's subprocess timeout, SQLite's progress handler, size
        caps)."""
        deadline = time.monotonic() + seconds
        if not self._handler_ok or threading.get_ident() != self._main:
            return self._call_locked(deadline, seconds, fn, *args)
        main = self._main_stack  # only this thread changes it: it needs no lock
        if main and main[-1].deadline <= deadline:  # an enclosing bound ends first and covers this call
            return fn(*args)
        bound = _Bound(self._main, deadline, False)
        try:
            try:
                main.append(bound)
                if deadline < self._wake_at:  # see `_wake_main`
                    self._wake_main()
                return fn(*args)
            finally:
                if main and main[-1] is bound:
                    main.pop()
                    if main and main[-1].deadline < self._wake_at:
                        self._wake_main()
        except _Timeout:
            if bound in main:  # the timeout landed before the pop
                main.remove(bound)
                self._wake_main()
            if not bound.fired:
                raise
            raise TimeoutError(f"over {seconds:g} s") from None

    def _wake_main(self) -> None:
        """Wake the watchdog after the main thread changed its stack without the lock: its new top may end before
        the watchdog means to look. The watchdog reads that top again after it sets `_wake_at`, so of two changes
        made at once, each side sees the other's."""
        with self._lock:
            self._wake()

    def _call_locked(self, deadline: float, seconds: float, fn: Callable[..., T], *args: Any) -> T:
        thread = threading.get_ident()
        if thread == self._main and self._handler_ok is None and self._install():
            return self.call(seconds, fn, *args)
        stack = self._stacks.get(thread)
        if stack and stack[-1].deadline <= deadline:
            return fn(*args)
        bound = _Bound(thread, deadline, True)
        try:
            try:
                with self._lock:
                    self._stacks.setdefault(thread, []).append(bound)
                    if deadline < self._wake_at:
                        self._wake()
                return fn(*args)
            finally:
                self._pop_locked(bound)
        except _Timeout:
            self._pop_locked(bound)  # again: the timeout may have landed inside the first pop
            if not bound.fired:
                raise
            raise TimeoutError(f"over {seconds:g} s") from None

    def _pop_locked(self, bound: _Bound) -> None:
        with self._lock:
            stack = self._stacks.get(bound.thread, [])
            if bound in stack:
                stack.remove(bound)
            if stack and stack[-1].deadline < self._wake_at:
                self._wake()
            if bound.fired:
                _raise_in(bound.thread, None)

    def _install(self) -> bool:
        """Make SIGALRM's handler ours (on the main thread, once), keeping the one it had for real signals."""
        try:
            if _SIGNAL is None:
                raise ValueError("no SIGALRM here")
            previous = signal.signal(_SIGNAL, self._handler)
            if previous != self._handler:
                self._previous = previous
            self._handler_ok = True
        except (ValueError, OSError):  # no SIGALRM, or not the main interpreter
            self._handler_ok = False
        return self._handler_ok

    def _on_signal(self, signum: int, frame: Any) -> None:
        if not self._interrupting:  # a real SIGALRM: its previous owner's business
            if callable(self._previous):
                self._previous(signum, frame)
            return
        self._interrupting = False
        for top in self._main_stack[-1:]:
            if top.deadline <= time.monotonic():
                top.fired = True
                raise _Timeout

    def _wake(self) -> None:
        """Have the watchdog look again (with the lock held)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="slmfix-time-limit", daemon=True)
            self._thread.start()
        self._cond.notify()

    def _watch(self) -> None:
        with self._cond:
            while True:
                now, wake = time.monotonic(), math.inf
                for thread, stack in list(self._stacks.items()):
                    for top in stack[-1:]:  # a slice: the main thread may pop its stack meanwhile
                        if top.due > now:
                            wake = min(wake, top.due)
                            continue
                        top.due = now + _RETRY_S
                        wake = min(wake, top.due)
                        if top.locked:
                            top.fired = True
                            _raise_in(thread, _Timeout)
                        elif _SIGNAL is not None and signal.getsignal(_SIGNAL) == self._handler:
                            self._interrupting = True
                            _thread.interrupt_main(_SIGNAL)
                        else:  # someone replaced our handler: this call goes unbounded, later ones take the lock
                            top.due, self._handler_ok = math.inf, False
                self._wake_at = wake
                if any(top.due < wake for top in self._main_stack[-1:]):
                    continue  # the main thread changed its stack meanwhile (see `_wake_main`)
                self._cond.wait(None if wake == math.inf else wake - now)


_WATCHDOG = _Watchdog()


# `call_with_time_limit(seconds, fn, *args)`: `fn(*args)`, or TimeoutError once it has run `seconds` (a bound method,
# not a wrapper: a layer of call is a noticeable share of a validation's cost, docs/validators.md).
call_with_time_limit = _WATCHDOG.call


def _bounded_tree(tree: Callable[..., zss.Node | None]) -> Callable[..., zss.Node | None]:
    @functools.wraps(tree)
    def bounded(self: DSL, program: str, context: Context | None = None) -> zss.Node | None:
        if self._unreadable(program) is not None:
            return None
        try:
            return call_with_time_limit(self.timeout_s, tree, self, program, context or {})
        except Exception:  # a timeout, a parser crash, RecursionError: no tree
            return None

    return bounded


class DSL(ABC):
    """One domain-specific language. Subclasses set `name` and `fence` and implement the abstract methods; the
    bounds below are class defaults a language may change and a config may override per instance."""

    name: str = ""
    fence: str = ""  # the language tag of a markdown code fence: yaml, bash, sql
    display_name: str = ""
    # every name a fix may need is in the repair prompt (SQL: the schema's tables and columns), so decoding may hold
    # a replacement's names to the prompt's (`slm.constrain_names`); not where a fix writes new words (flags, values)
    names_in_prompt: bool = False
    max_program_bytes: int = 100_000  # longer programs are rejected unparsed: no parser sees 10 MB
    timeout_s: float = 5.0  # per program, for validation, a tree and a similarity
    max_tree_nodes: int = 2000  # bigger trees aren't compared by TED: its memory and time grow as |a| * |b|
    keywords_ignore_case: bool = False  # True: keywords() are upper case and match words in any case (SQL)
    mutations: ClassVar[MutationKinds]  # the kinds `mutate` draws from, each with the rules it promises

    def __init__(
        self,
        name: str | None = None,
        similarity: str = "paper",
        max_program_bytes: int | None = None,
        timeout_s: float | None = None,
        max_tree_nodes: int | None = None,
    ) -> None:
        """What every language takes (`DSLConfig`): its name, checked against the class's (a config builds the class
        its `_target_` names), the similarity `similarity()` computes unless told another, and the bounds (None
        keeps the language's own default)."""
        check_option_name("dsl", name, self)
        self.similarity_kind = similarity
        for key, value in (
            ("max_program_bytes", max_program_bytes),
            ("timeout_s", timeout_s),
            ("max_tree_nodes", max_tree_nodes),
        ):
            if value is None:
                continue
            if not value > 0:
                raise ValueError(f"{key} must be positive, not {value!r}")
            setattr(self, key, value)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "tree" in cls.__dict__:  # the language's plain `tree`, made never-raising and time-bounded
            cls.tree = _bounded_tree(cls.__dict__["tree"])  # type: ignore[method-assign]

    # ---- the public, never-raising API ----------------------------------------------------------------------

    def validate(self, program: str, context: Context | None = None) -> Validation:
        """Validate one program. Never raises: a validator failure is itself a diagnostic."""
        return self.refusal(program) or self._safe_validate(program, context or {})

    def validate_batch(self, programs: Sequence[str], contexts: Sequence[Context | None]) -> list[Validation]:
        """Validate many programs; a DSL whose tool takes batches (ShellCheck) overrides `_validate_batch`."""
        if type(self)._validate_batch is DSL._validate_batch:  # no batch tool: one program at a time, each bounded
            return [self.validate(p, c) for p, c in zip(programs, contexts, strict=True)]
        results: list[Validation | None] = [self.refusal(p) for p in programs]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            batch, batch_contexts = [programs[i] for i in todo], [contexts[i] or {} for i in todo]
            try:  # the batch tool gets the programs' bounds together, plus one for its start-up
                checked = call_with_time_limit(
                    self.timeout_s * (1 + len(todo)), self._validate_batch, batch, batch_contexts
                )
                if len(checked) != len(todo):
                    raise ValueError(f"{len(checked)} verdicts for {len(todo)} programs")
            except Exception:  # the batch tool failed or ran out of time: one program at a time, each bounded
                checked = [self._safe_validate(p, c) for p, c in zip(batch, batch_contexts, strict=True)]
            for i, v in zip(todo, checked, strict=True):
                results[i] = v
        return [r for r in results if r is not None]

    def ted_similarity(self, pred: str, reference: str, context: Context | None = None) -> float:
        """1 - TED / (|a| + |b|) between the normalised trees; 0 when either can't be parsed, is bigger than
        `max_tree_nodes`, or the comparison runs out of time."""
        return self.similarity(pred, reference, context, kind="ted")

    def similarity(self, pred: str, reference: str, context: Context | None = None, kind: str | None = None) -> float:
        """The similarity named by `kind` ("paper" or "ted"; None: the one this DSL was configured with), clamped to
        [0, 1]; 0 for a prediction the validator refuses unparsed (blank, too large, binary), and on any failure or
        timeout."""
        kind = kind or self.similarity_kind
        if kind not in SIMILARITIES:
            raise ValueError(f"unknown similarity kind {kind!r}: use one of {', '.join(SIMILARITIES)}")
        if self.refusal(pred) is not None:
            return 0.0
        score = self._ted_similarity if kind == "ted" else self.paper_similarity
        try:
            value = call_with_time_limit(self.timeout_s, score, pred, reference, context or {})
            return min(1.0, max(0.0, float(value)))  # NaN lands on 0
        except Exception:
            return 0.0

    def execution_match(self, pred: str, reference: str, context: Context) -> bool | None:
        """Whether `pred` computes what `reference` does, for languages that can run a program safely (SQL on a
        read-only copy of its database); None where the language can't be executed here."""
        return None

    def renamed_command(self, draft: str, repair: str, context: Context) -> bool | None:
        """Whether `repair` calls a command its draft didn't, under a name no system has: a utility renamed to a
        made-up word, which takes a repair out of the reach of the checks of the utility's options. None where the
        language has no commands to rename (the metric is then left out of the results)."""
        return None

    def execute(self, program: str, context: Context) -> list[tuple]:
        """The result of running a valid program on its task's data, where `execution_match` can run one; raises
        where the program is invalid, fails or can't be run."""
        raise NotImplementedError(f"{self.display_name or self.name} programs are not run here")

    def keywords(self) -> frozenset[str]:
        """The language's keywords and builtins, which CodeBLEU's weighted n-gram term counts five times."""
        return frozenset()

    def data_flow(self, tree: zss.Node) -> list[Edge]:
        """CodeBLEU's data-flow edges of a normalised tree; [] where no data flows between named things."""
        return []

    @classmethod
    def context_problem(cls, context: Context) -> str | None:
        """What a task's context lacks for this language's validator (SQL: a schema), or None; the loaders raise it
        naming the file and line."""
        return None

    @classmethod
    def holdout_group(cls, task: Task) -> str:
        """What a held-out split keeps together (`eval.data.part`): a task's request, so that every draft of one
        question (several systems, several beams) falls on one side. SQL keeps a database together instead."""
        return task.nl

    def repair_context(self, program: str, validation: Validation, context: Context) -> str:
        """What a repair prompt shows beside the validator's messages so that the fix can be copied rather than
        recalled (SQL: the tables the draft and the hints name, as `table(col, ...)`; Ansible: the arguments of the
        module in error); bounded in size, '' where the language has nothing to add. Never raises."""
        try:
            return call_with_time_limit(self.timeout_s, self._repair_context, program, validation, context)
        except Exception:
            return ""

    def rule_fix(self, program: str, validation: Validation, context: Context) -> str | None:
        """The non-learned baseline `rules`: the program with the first error's own suggestion applied (a
        did-you-mean name, a qualification), or None where no message says what to write. Never raises."""
        if validation.ok or not validation.errors:
            return None
        try:
            fixed = call_with_time_limit(self.timeout_s, self._rule_fix, program, validation, context)
        except Exception:
            return None
        return fixed if fixed and fixed != program else None

    def vary(self, task: Task, rng: random.Random) -> Task:
        """The same training task in other names (SQL: over a renamed copy of its schema), so that a model can't
        learn a closed world's names by heart; the task itself where the language has no such variant."""
        try:
            return call_with_time_limit(self.timeout_s, self._vary, task, rng)
        except Exception:
            return task

    # ---- what each language implements ----------------------------------------------------------------------

    def _vary(self, task: Task, rng: random.Random) -> Task:
        return task

    def _repair_context(self, program: str, validation: Validation, context: Context) -> str:
        return ""

    def _rule_fix(self, program: str, validation: Validation, context: Context) -> str | None:
        return None

    @abstractmethod
    def _validate(self, program: str, context: Context) -> Validation:
        """Validate one program that passed the blank and size pre-checks."""

    def _validate_batch(self, programs: Sequence[str], contexts: Sequence[Context]) -> list[Validation]:
        """Verdicts on programs that passed the pre-checks; the default validates one at a time, each bounded."""
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

    def refusal(self, program: object) -> Validation | None:
        """The verdict on a program no parser should see (see `_unreadable`) or that is blank, or None."""
        unreadable = self._unreadable(program)
        if unreadable is None and is_blank(program):  # type: ignore[arg-type]
            return Validation.of([Diagnostic(0, 0, "empty", "program is empty")])
        return unreadable

    def _unreadable(self, program: object) -> Validation | None:
        """The verdict on text no parser should see: not text, over `max_program_bytes`, undecodable bytes (lone
        surrogates, which no UTF-8 tool takes) or NUL bytes; None for text a parser may read."""
        if not isinstance(program, str):
            return Validation.of([Diagnostic(0, 0, "not-text", f"program is {type(program).__name__}, not text")])
        if len(program) > self.max_program_bytes or program.isascii():  # a char is >= 1 byte: don't encode 10 MB
            size = len(program)
        else:
            try:
                size = len(program.encode("utf-8"))
            except UnicodeEncodeError:
                return Validation.of(
                    [Diagnostic(0, 0, "not-utf8", "program is not valid UTF-8 text (it has undecodable bytes)")]
                )
        if size > self.max_program_bytes:
            return Validation.of(
                [Diagnostic(0, 0, "too-large", f"program is over {self.max_program_bytes} bytes; not parsed")]
            )
        if "\x00" in program:
            return Validation.of([Diagnostic(0, 0, "binary", "program contains NUL bytes")])
        return None

    def _safe_validate(self, program: str, context: Context) -> Validation:
        try:
            return call_with_time_limit(self.timeout_s, self._validate, program, context)
        except TimeoutError:
            return Validation.of(
                [Diagnostic(0, 0, "timeout", f"validation took over {self.timeout_s:g} s; not checked")]
            )
        except RecursionError:
            return Validation.of([Diagnostic(0, 0, "too-deep", "program nests too deeply to parse")])
        except Exception as exc:  # a parser crash on odd input is a verdict on the input, not a crash of ours
            return Validation.of([Diagnostic(0, 0, "validator-error", f"{type(exc).__name__}: {exc}"[:300])])

    def _ted_similarity(self, pred: str, reference: str, context: Context) -> float:
        a, b = self.tree(pred, context), self.tree(reference, context)
        if a is None or b is None:
            return 0.0
        size_a, size_b = tree_size(a), tree_size(b)
        if max(size_a, size_b) > self.max_tree_nodes:
            return 0.0
        total = size_a + size_b
        return 1.0 - tree_edit_distance(a, b) / total if total else 1.0
