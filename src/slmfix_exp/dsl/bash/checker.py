"""The checker: one simple command read as its utility would read it, against the utility's spec."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from slmfix_exp.dsl.bash.known import common_commands, exists
from slmfix_exp.dsl.bash.listings import _FIND_OPERATORS
from slmfix_exp.dsl.bash.spec import (
    ARG_NONE,
    ARG_OPTIONAL,
    ARG_REQUIRED,
    NEGATIVE_OPERANDS,
    OPERAND_KINDS,
    WRAPPERS,
    Option,
    Spec,
)

# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word of a simple command: as written, as the shell passes it (quotes removed), where it stands, and
    whether it expands to something unknown here (`$x`, `$(...)`, backquotes, `{a,b}`)."""

    text: str
    value: str
    start: int
    end: int
    dynamic: bool
    many: bool = False  # may expand to several words (or none): unquoted $x or globs, "$@", {a,b}

    @staticmethod
    def plain(value: str, start: int = 0) -> Word:
        return Word(value, value, start, start + len(value), "$" in value or "`" in value)


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    rule: str
    message: str
    severity: str = "error"
    command: str = ""  # an unknown command's name, for the did-you-mean the caller may add


@dataclass
class Parsed:
    """A command read against its utility's spec."""

    options: list[tuple[str, str, Word | None, int]] = field(default_factory=list)  # (canon, name, argument, index)
    operands: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # words[a:b] is a command; whether arguments are appended to it; the placeholder its runner fills in ({})
    payloads: list[tuple[int, int, bool, str]] = field(default_factory=list)
    script: int = -1  # the index of a `sh -c` script operand
    opaque: bool = False  # a dynamic word stood where an option could be: required-option checks are off


_SYMBOLIC = r"(?:[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+)(?:,[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+)*"  # chmod's modes
_USER = r"[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?"  # a user or group name (or id): no brackets, blanks or slashes
_KIND_PATTERNS = {
    "number": r"[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:[A-Za-z]{1,3})?",
    "size": r"[-+<>/%]?(?:(?:\d+\.?\d*|\.\d+)(?:[A-Za-z]{1,3}|%)?|[KMGTPEZYRQkmgtpezyrqbBcw](?:i?B)?)",
    "duration": r"\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[smhd]?|inf(?:inity)?",
    "list": r"\s*(?:\d+-?\d*|-\d+)(?:(?:\s*,\s*|\s+)(?:\d+-?\d*|-\d+))*\s*",
    "key": r"\+?\d+(?:\.\d+)?[bdfgiMhnRrV]*(?:,\+?\d+(?:\.\d+)?[bdfgiMhnRrV]*)?",
    "stamp": r"(?:\d\d){4,6}(?:\.\d\d)?",
    "mode": r"[0-7]{1,5}|" + _SYMBOLIC,
    "find-number": r"[+-]?\d+(?:\.\d+)?",
    "find-size": r"[+-]?\d+[bcwkMG]?",
    "find-type": r"[bcdpflsD](?:,[bcdpflsD])*",
    "find-perm": r"[-/]?(?:[0-7]{1,4}|" + _SYMBOLIC + ")",
    "pid": r"-?\d+|%\S*",
    "user": _USER,
    "owner": f"{_USER}(?:[:.](?:{_USER})?)?|[:.]{_USER}|:",
    "name": r"[A-Za-z_][A-Za-z0-9_]*",
    "date": r"\+.*|\d{8}(?:\d{2}){0,2}(?:\.\d\d)?",
}
_KIND_RE = {k: re.compile(v) for k, v in _KIND_PATTERNS.items()}
_KIND_TEXT = {
    "number": "a number",
    "size": "a size such as 10K or 1M",
    "duration": "a duration such as 5, 0.5 or 2m",
    "list": "a list such as 1,3 or 2-5",
    "char": "a single character",
    "key": "a sort key such as 2 or 2,2n",
    "stamp": "a time stamp [[CC]YY]MMDDhhmm[.ss]",
    "mode": "a mode such as 644 or u+x",
    "find-number": "a number such as 7, +7 or -7",
    "find-size": "a size such as 100k, +1M or -2G (units b c w k M G)",
    "find-type": "a file type letter such as f or d",
    "find-perm": "a mode such as 644, -u+x or /a+w",
    "pid": "a process or job id",
    "user": "a user or group name",
    "owner": "an owner such as user, user:group or :group",
    "name": "a variable name",
    "date": "+FORMAT or MMDDhhmm[[CC]YY][.ss]",
}
_LIST_TEXT = {"-f": "a list of fields such as 1,3 or 2-5", "-c": "a list of character positions such as 1-5 or 3,7",
              "-b": "a list of byte positions such as 1-5 or 3,7"}  # fmt: skip


def kind_ok(kind: str | None, value: str) -> bool:
    if kind is None:
        return True
    if kind == "char":
        return len(value) <= 1 or value == "\\0"
    pattern = _KIND_RE.get(kind)
    return pattern is None or pattern.fullmatch(value) is not None


_INFO_OPTIONS = frozenset({"--help", "--version", "--usage", "--show-defaults", "-?"})
_SKIP = frozenset({"test", "[", "[[", "]]", "echo", "eval", "let", "expr", ":", "true", "false"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh"})
_SIGNAL = re.compile(r"-(?:\d+|[A-Za-z][A-Za-z0-9+-]*)")
_NEGATIVE = re.compile(r"-(?:\d+\.?\d*|\.\d+)")
_NUMERIC_OPTION = re.compile(r"-\d+[a-zA-Z]*")
_FIND_NEWER = re.compile(r"-newer[aBcmt][aBcmt]")
MAX_DEPTH = 8


class Checker:
    """Checks simple commands against the spec table (see the module's docstring)."""

    def __init__(self, specs: dict[str, Spec]) -> None:
        self.specs = specs
        self.common = common_commands(specs)  # what a did-you-mean for an unknown command prefers

    def spec(self, utility: str) -> Spec | None:
        spec = self.specs.get(utility)
        if spec is None and "/" in utility:
            spec = self.specs.get(utility.rsplit("/", 1)[1])
        return spec

    # ---- one command --------------------------------------------------------------------------------------

    def check(
        self,
        words: Sequence[Word],
        script: Callable[[Word, int], list[Finding]] | None = None,
        depth: int = 0,
        appended: bool = False,
    ) -> list[Finding]:
        """Findings on the simple command `words` (words[0] is the utility) and the commands it runs. `script`
        checks a `sh -c` script (its word, and the depth); `appended`: xargs or `-exec ... {} +` add arguments
        after these words."""
        if not words or depth > MAX_DEPTH:
            return []
        head = words[0]
        util = head.value.rsplit("/", 1)[-1] if "/" in head.value and not head.dynamic else head.value
        if head.dynamic or not util or util in _SKIP or util.startswith("(("):
            return []
        if util in _SHELLS:  # their options aren't checked; a `-c` script is
            k = next((k for k, w in enumerate(words[1:], 1) if re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", w.value)), 0)
            while (
                k and k + 1 < len(words) and words[k + 1].value.startswith(("-", "+")) and len(words[k + 1].value) > 1
            ):
                k += 1
            if k and k + 1 < len(words) and script is not None:
                return script(words[k + 1], depth + 1)
            return []
        spec = self.spec(util)
        if spec is None:
            if util in WRAPPERS:
                parsed = self._wrapper_without_spec(util, words)
            elif "/" in head.value or exists(util):  # a path, or a utility that exists but has no spec here
                return [Finding(head.start, head.end, "unknown-utility",
                                f"no option spec for {util}: its options were not checked", "warning")]  # fmt: skip
            else:
                return [self._unknown_command(head, util)]
        else:
            parsed = self.parse(util, spec, words, appended)
        findings = list(parsed.findings)
        for a, b, more, placeholder in parsed.payloads:
            more = more or (appended and util in WRAPPERS)  # `xargs sudo chmod 644`: chmod gets the input
            payload = [dataclasses.replace(w, dynamic=True) if placeholder and placeholder in w.value else w
                       for w in words[a:b]]  # fmt: skip
            findings.extend(self.check(payload, script, depth + 1, more))
        if parsed.script >= 0 and script is not None:
            findings.extend(script(words[parsed.script], depth + 1))
        return findings

    def parse(self, util: str, spec: Spec, words: Sequence[Word], appended: bool = False) -> Parsed:
        if spec.style == "find":
            return self._parse_find(spec, words)
        out = self._parse_getopt(util, spec, words, appended)
        if not out.opaque:
            self._relations(util, spec, words, out)
            if spec.operands and not appended and util not in WRAPPERS and util != "xargs":
                self._operand_count(util, spec, words, out)
        return out

    def _operand_count(self, util: str, spec: Spec, words: Sequence[Word], out: Parsed) -> None:
        """As many operands as the usage lines allow: `comm a b c` has one too many, `mv x` one too few."""
        given = {n for _, n, _, _ in out.options} | {c for c, *_ in out.options}
        if given & (set(spec.usage_options) | _INFO_OPTIONS):
            return
        lo, hi = spec.operands or (0, -1)
        operands = [words[k] for k in out.operands]
        if hi >= 0 and len(operands) > hi and not any(w.many for w in operands[: hi + 1]):
            extra = operands[hi]
            out.findings.append(
                Finding(
                    extra.start,
                    extra.end,
                    "extra-operand",
                    f"{util} takes at most {hi} operand{'s' * (hi != 1)} ({spec.usage}); "
                    f"{extra.value!r} is one too many",
                )
            )
        if len(operands) < lo and not any(w.many for w in operands) and not any(a for _, _, a, _ in out.options):
            head = words[0]
            out.findings.append(
                Finding(
                    head.start,
                    head.end,
                    "missing-operand",
                    f"{util} needs {lo} operand{'s' * (lo != 1)} ({spec.usage})",
                )
            )

    # ---- getopt -----------------------------------------------------------------------------------------------

    def _parse_getopt(self, util: str, spec: Spec, words: Sequence[Word], appended: bool) -> Parsed:
        out = Parsed()
        n = len(words)
        wrapper = util in WRAPPERS or util == "xargs"
        permute = spec.permute and not wrapper and util not in _SHELLS
        negatives = util in NEGATIVE_OPERANDS
        operand_kind = OPERAND_KINDS.get(util)
        only_operands = False
        i = 1
        if util == "tar" and n > 1 and re.fullmatch(r"[A-Za-z]+", words[1].value) and not words[1].dynamic:
            i = self._tar_old_style(spec, words, out)
        while i < n:
            w = words[i]
            v = w.value
            if (
                only_operands
                or len(v) < 2
                or v[0] != "-"
                or (negatives and _NEGATIVE.fullmatch(v))
                or (util == "chmod" and not out.operands and _KIND_RE["mode"].fullmatch(v[0:]) and v[1] in "rwxXst")
                or (util == "kill" and out.operands)
            ):
                if util == "ps" and not only_operands and not w.dynamic and v[:1] != "-":
                    i += 1  # BSD options: `ps aux`
                    continue
                out.operands.append(i)
                if (
                    operand_kind
                    and (operand_kind[0] == "all" or len(out.operands) == 1)
                    and not (util == "chmod" and any(c == "--reference" for c, *_ in out.options))
                ):
                    self._kind(util, "", operand_kind[1], w, out, operand=True)
                if wrapper or not permute:
                    only_operands = True
                    if wrapper:
                        break
                i += 1
                continue
            if v == "--":
                only_operands = True
                i += 1
                continue
            if w.dynamic and ("$" in v[:3] or "`" in v[:3]):
                out.opaque = True  # `-$x`: an option we can't read
                i += 1
                continue
            if util == "kill" and _SIGNAL.fullmatch(v) and v not in ("-s", "-n", "-l", "-L"):
                out.options.append(("-SIGNAL", v, None, i))
                i += 1
                continue
            if (
                spec.numeric or (util == "sort" and any(words[k].value[:2].startswith("+") for k in out.operands))
            ) and (
                _NUMERIC_OPTION.fullmatch(v)
            ):  # head -5, tail -5f, gzip -9 (obsolete or -#); sort's obsolete keys: sort +1 -2
                out.options.append(("-NUM", v, None, i))
                i += 1
                continue
            if v.startswith("--"):
                i = self._long(util, spec, words, i, out, appended)
                continue
            name = v.split("=", 1)[0]
            if len(name) > 2 and name in spec.options:  # a single-dash long option (-maxdepth, -name, -ps)
                i = self._long(util, spec, words, i, out, appended)
                continue
            i = self._cluster(util, spec, words, i, out, appended)
        if wrapper and i < n:
            self._payload(util, words, i, out)
        return out

    def _long(self, util: str, spec: Spec, words: Sequence[Word], i: int, out: Parsed, appended: bool) -> int:
        w, at = words[i], i
        name, eq, value = w.value.partition("=")
        if "$" in name or "`" in name:
            out.opaque = True
            return i + 1
        opt, candidates = spec.long(name) if name.startswith("--") else (spec.options.get(name), [])
        if opt is None:
            if candidates:
                shown = ", ".join(candidates[:4])
                out.findings.append(
                    Finding(w.start, w.end, "ambiguous-option", f"{util} option {name} is ambiguous: {shown}")
                )
            else:
                out.findings.append(
                    Finding(w.start, w.end, "unknown-option", self._unknown(util, spec, name), spec.unknown)
                )
            return i + 1
        arg: Word | None = None
        if eq:
            if opt.arg == ARG_NONE:
                out.findings.append(
                    Finding(
                        w.start, w.end, "unexpected-argument", f"{util} {name} takes no argument: write {name} alone"
                    )
                )
                return i + 1
            arg = Word(value, value, w.start + len(name) + 1, w.end, w.dynamic)
        elif opt.arg == ARG_REQUIRED:
            if i + 1 < len(words):
                arg = words[i + 1]
                i += 1
            elif not appended:
                out.findings.append(Finding(w.start, w.end, "missing-argument", self._needs(util, name, opt)))
        if arg is not None:
            self._kind(util, name, opt.kind, arg, out, opt=opt)
        out.options.append((opt.canon, name, arg, at))
        return i + 1

    def _cluster(self, util: str, spec: Spec, words: Sequence[Word], i: int, out: Parsed, appended: bool) -> int:
        w, at = words[i], i
        v = w.value
        for j in range(1, len(v)):
            ch = v[j]
            if ch in "$`":
                out.opaque = True
                break
            opt = spec.options.get("-" + ch)
            if opt is None and j == 1 and spec.style == "posix":  # xxd -p for -ps, -cols for -c: first letters
                opt = next((o for n, o in spec.options.items() if len(n) > 2 and n[1] != "-" and n.startswith(v)), None)
                if opt is not None:
                    out.options.append((opt.canon, opt.name, None, at))
                    break
            if opt is None:
                name = "-" + ch
                message = self._unknown(util, spec, name, v if len(v) > 2 else "")
                out.findings.append(Finding(w.start, w.end, "unknown-option", message, spec.unknown))
                break
            rest = v[j + 1 :]
            if opt.arg == ARG_REQUIRED:
                arg: Word | None = None
                if rest:
                    arg = Word(rest, rest, w.start + j + 1, w.end, w.dynamic)
                elif i + 1 < len(words):
                    arg = words[i + 1]
                    i += 1
                elif not appended:
                    out.findings.append(Finding(w.start, w.end, "missing-argument", self._needs(util, opt.name, opt)))
                if arg is not None:
                    self._kind(util, opt.name, opt.kind, arg, out, opt=opt)
                out.options.append((opt.canon, opt.name, arg, at))
                break
            if opt.arg == ARG_OPTIONAL and rest:
                arg = Word(rest, rest, w.start + j + 1, w.end, w.dynamic)
                self._kind(util, opt.name, opt.kind, arg, out, opt=opt)
                out.options.append((opt.canon, opt.name, arg, at))
                break
            out.options.append((opt.canon, opt.name, None, at))
        return i + 1

    def _tar_old_style(self, spec: Spec, words: Sequence[Word], out: Parsed) -> int:
        """`tar xzvf a.tgz dir`: the first word is a cluster without its dash; options that take an argument take
        the next words in order."""
        letters = words[1].value
        i = 2
        for ch in letters:
            opt = spec.options.get("-" + ch)
            if opt is None:
                out.findings.append(
                    Finding(
                        words[1].start,
                        words[1].end,
                        "unknown-option",
                        self._unknown("tar", spec, "-" + ch, letters),
                        spec.unknown,
                    )
                )
                continue
            arg = None
            if opt.arg == ARG_REQUIRED:
                if i < len(words):
                    arg = words[i]
                    i += 1
                else:
                    out.findings.append(
                        Finding(words[1].start, words[1].end, "missing-argument", self._needs("tar", opt.name, opt))
                    )
            out.options.append((opt.canon, opt.name, arg, 1))
        return i

    def _payload(self, util: str, words: Sequence[Word], i: int, out: Parsed) -> None:
        """Where the command a wrapper runs starts: after its own options (parsed already), its leading operands
        (timeout's DURATION, chroot's NEWROOT) and assignments (env, sudo)."""
        skip = WRAPPERS.get(util, (frozenset(), 0))[1]
        n = len(words)
        for _ in range(skip):
            if i < n:
                if util == "timeout":
                    self._kind(util, "", "duration", words[i], out, operand=True)
                i += 1
        if util == "env" and i < n and words[i].value == "-":  # `env - cmd`: a lone - is -i, not the command
            i += 1
        while i < n and util in ("env", "sudo") and re.match(r"[A-Za-z_]\w*=", words[i].value):
            i += 1
        if util == "command" and any(c in ("-v", "-V") for c, *_ in out.options):
            return
        if util == "watch" and n - i == 1 and " " in words[i].value:
            out.script = i  # `watch 'df -h'`: a shell string
            return
        if i < n:
            placeholder = ""
            if util == "xargs":  # -I R, -i[R], --replace[=R]: R (default {}) is replaced by the input
                for canon, _, arg, _ in out.options:
                    if canon in ("-I", "-i"):
                        placeholder = arg.value if arg is not None else "{}"
            out.payloads.append((i, n, util == "xargs" and not placeholder, placeholder))

    def _wrapper_without_spec(self, util: str, words: Sequence[Word]) -> Parsed:
        takes_arg, _ = WRAPPERS[util]
        out = Parsed()
        i = 1
        while i < len(words) and words[i].value.startswith("-") and len(words[i].value) > 1:
            v = words[i].value
            i += 1
            if v == "--":
                break
            if v in takes_arg or (v.startswith("--") and "=" not in v and v in ("--user", "--group")):
                i += 1
        self._payload(util, words, i, out)
        return out

    # ---- find ----------------------------------------------------------------------------------------------

    def _parse_find(self, spec: Spec, words: Sequence[Word]) -> Parsed:
        out = Parsed()
        n = len(words)
        i = 1
        while i < n and (words[i].value in ("-H", "-L", "-P", "-D") or re.fullmatch(r"-O\d", words[i].value)):
            i += 2 if words[i].value == "-D" else 1
        while i < n:  # the starting points
            v = words[i].value
            if (v.startswith("-") and len(v) > 1 and not words[i].dynamic) or v in ("(", "!", ")"):
                break
            out.operands.append(i)
            i += 1
        depth = 0
        first: Word | None = None
        while i < n:
            w = words[i]
            v = w.value
            if v in _FIND_OPERATORS:
                depth += (v == "(") - (v == ")")
                if depth < 0:
                    out.findings.append(Finding(w.start, w.end, "find-expression", "find has a ) without its ("))
                    depth = 0
                i += 1
                continue
            if w.dynamic:
                out.opaque = True
                i += 1
                continue
            if not v.startswith("-") or len(v) < 2:
                where = f" (after {first.value})" if first else ""
                out.findings.append(
                    Finding(
                        w.start,
                        w.end,
                        "find-expression",
                        f"find takes its paths before the expression: {v!r} stands among "
                        f"the tests{where}; quote a pattern, or give a test its argument",
                    )
                )
                i += 1
                continue
            first = first or w
            opt = spec.options.get(v)
            if opt is None and _FIND_NEWER.fullmatch(v):
                opt = Option(v, ARG_REQUIRED, "reference", None, "-newerXY", 1)
            if opt is None:
                out.findings.append(
                    Finding(w.start, w.end, "unknown-option", self._unknown("find", spec, v), spec.unknown)
                )
                i += 1
                while i < n and not words[i].value.startswith("-") and words[i].value not in _FIND_OPERATORS:
                    i += 1  # its arguments, whatever they are
                continue
            if opt.args < 0:  # -exec COMMAND ; | -exec COMMAND {} +
                j = i + 1
                end, more = -1, False
                while j < n:
                    if words[j].value == ";":
                        end = j
                        break
                    if words[j].value == "+" and j > i + 1 and words[j - 1].value == "{}":
                        end, more = j, True
                        break
                    j += 1
                if end < 0:
                    out.findings.append(
                        Finding(w.start, w.end, "missing-argument", f"find {v} needs a terminating \\; or +")
                    )
                    end = n
                if end == i + 1:
                    out.findings.append(Finding(w.start, w.end, "missing-argument", f"find {v} needs a command"))
                else:
                    out.payloads.append((i + 1, end - more, more, "{}"))
                out.options.append((opt.canon, v, words[i + 1] if end > i + 1 else None, i))
                i = end + 1
                continue
            if opt.args > 0:
                if i + opt.args >= n:
                    out.findings.append(Finding(w.start, w.end, "missing-argument", self._needs("find", v, opt)))
                    i = n
                    continue
                arg = words[i + 1]
                self._kind("find", v, opt.kind, arg, out, opt=opt)
                out.options.append((opt.canon, v, arg, i))
                i += 1 + opt.args
                continue
            out.options.append((opt.canon, v, None, i))
            i += 1
        if depth > 0:
            out.findings.append(Finding(words[0].start, words[-1].end, "find-expression", "find has a ( without its )"))
        return out

    # ---- relations, kinds, messages ----------------------------------------------------------------------------

    def _relations(self, util: str, spec: Spec, words: Sequence[Word], out: Parsed) -> None:
        given = {c for c, *_ in out.options}
        for group in spec.exclusive:
            present = [c for c in group if c in given]
            if len(present) > 1:
                first = next(idx for c, _, _, idx in out.options if c == present[1])
                w = words[min(first, len(words) - 1)]
                out.findings.append(
                    Finding(
                        w.start,
                        w.end,
                        "conflicting-options",
                        f"{util} takes only one of {_or(group)}; this has {_and(present)}",
                    )
                )
        for group in spec.required:
            if not given & (set(group) | _INFO_OPTIONS):
                head = words[0]
                shown = sorted((c for c in group if c not in _INFO_OPTIONS), key=lambda c: (c.startswith("--"), c))
                out.findings.append(
                    Finding(head.start, head.end, "missing-option", f"{util} needs one of {_or(shown)}")
                )

    def _kind(self, util: str, name: str, kind: str | None, arg: Word, out: Parsed, opt: Option | None = None,
              operand: bool = False) -> None:  # fmt: skip
        if kind is None or arg.dynamic or kind_ok(kind, arg.value):
            return
        text = (_LIST_TEXT.get(name) if kind == "list" else None) or _KIND_TEXT.get(kind, f"a {kind}")
        what = f"{util} {name}" if name else (f"{util}'s {'operand' if kind != 'mode' else 'mode'}")
        out.findings.append(Finding(arg.start, arg.end, "bad-argument", f"{what} needs {text}, not {arg.value!r}"))

    def _unknown_command(self, head: Word, util: str) -> Finding:
        """A command no system has (no Debian package installs it, bash has no such builtin, it isn't installed
        here) and the program doesn't define: bash would say `command not found`. The did-you-mean is the caller's
        (`unknown_command_message`): a guess costs milliseconds, and a hostile program holds thousands of names."""
        return Finding(head.start, head.end, "unknown-command", unknown_command_message(util), command=util)

    def _needs(self, util: str, name: str, opt: Option) -> str:
        if opt.kind:
            text = (_LIST_TEXT.get(name) if opt.kind == "list" else None) or _KIND_TEXT.get(opt.kind, opt.kind)
            return f"{util} {name} needs {text}"
        metavar = opt.metavar.strip("<>=[] ") or "an argument"
        return f"{util} {name} needs an argument ({metavar})"

    def _unknown(self, util: str, spec: Spec, name: str, word: str = "") -> str:
        where = f" (in {word})" if word and word != name else ""
        guess = suggest(spec, word or name, name)
        return f"{util} has no option {name}{where}" + (f" (did you mean {guess}?)" if guess else "")


def unknown_command_message(util: str, guess: str | None = None) -> str:
    hint = f" (did you mean {guess}?)" if guess else ""
    return f"{util}: command not found (no Debian package installs it, and the program doesn't define it){hint}"


def suggest(spec: Spec, word: str, name: str) -> str | None:
    """The option a misspelt one most likely meant: the same letter in the other case, the long option a
    single-dash word spells (`-color` for `--color`), or the closest name."""
    if word.startswith("-") and not word.startswith("--") and len(word) > 2 and spec.style != "find":
        long = "-" + word.split("=", 1)[0]
        if long in spec.options:
            return long
    if len(name) == 2:
        other = name[0] + name[1].swapcase()
        return other if other != name and other in spec.options else None
    names = [n for n in spec.options if len(n) > 2]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def _or(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def _and(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
