"""Reading option listings: `--help` texts and man page tags (roff read from the file `man -w` finds, never run)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from slmfix_exp.dsl.bash.spec import ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED, KIND_OVERRIDES, NUMERIC_OPTIONS, Option, Spec

# ---------------------------------------------------------------------------------------------------------------

_NAME = re.compile(r"--?(?:[A-Za-z0-9][\w.+@#-]*|[?@#0-9])")
_UPPER_METAVAR = re.compile(r"(?:<[^>]+>|\[?[-+/]?\]?[A-Z][A-Z0-9_:./-]*(?:\[[^\]]*\])*(?:\.\.\.)?|\[[^\]]+\])")
_ANY_METAVAR = re.compile(r"(?:<[^>]+>|\S+)")
_NUMERIC_NAMES = frozenset({"-NUM", "-#", "-COLUMN", "-WIDTH", "-NUMBER", "-DIGITS", "-<n>"})


@dataclass
class _Entry:
    """One listing entry: its names, each with (arg, metavar)."""

    names: list[str]
    args: list[tuple[int, str]]


_LOWER_LITERAL = re.compile(r"[a-z][a-z0-9-]*")


def _parse_head(text: str, tag: bool) -> tuple[list[_Entry], str]:
    """The options an entry lists at the start of `text` (`-n, --lines=[-]NUM`, `-E END`, `--color[=WHEN]`,
    `-d, --data <data>`, `-?  ....  --help`, `-e script, --expression=script`) and the rest of the line.

    In a man page tag (`tag`) any word after a space is the argument (`-D debugopts`) and aliases are
    comma-separated; in a --help line an argument is upper-case or `<bracketed>`, or lower-case where an alias or
    the description follows it, and aliases may stand apart (`-h  --help`). A lower-case `=value` after a bare
    short option is a fixed value (`-p, --indicator-style=slash`): the short option takes no argument. Short
    options without an argument of their own share the entry's ("Mandatory arguments to long options are
    mandatory for short options too", as the GNU listings say)."""
    items: list[tuple[str, int, str, bool]] = []  # name, arg, metavar, whether it is a fixed value
    text = re.sub(f"{ITALIC}(-[^{ROMAN}\\s]*){ROMAN}", r"\1", text).lstrip(ROMAN)  # xxd's `.IR \-a`: not a metavar
    if re.match(r"-,\s+-", text):  # su's "-, -l, --login": a lone dash is an operand, not an option
        text = text[2:].lstrip()
    pos, n = 0, len(text)
    while pos < n:
        m = _NAME.match(text, pos)
        if not m or m.group() in ("--", "-"):
            break
        name = m.group()
        pos = m.end()
        arg, metavar, literal = ARG_NONE, "", False
        if text.startswith(ITALIC, pos) or text.startswith("[" + ITALIC, pos):  # -b<italic>n: attached, a man page's
            end = text.find(ROMAN, pos)
            end = n if end < 0 else end + 1
            bracket = text[pos] == "["
            if bracket and text.startswith("]", end):
                end += 1
            arg, metavar, pos = ARG_OPTIONAL if bracket else ARG_REQUIRED, text[pos:end], end
        elif text.startswith("[=", pos) or (text.startswith("[", pos) and len(name) == 2):  # --color[=WHEN], -l[N]
            end = text.find("]", pos)
            if end < 0:
                break
            arg, metavar, pos = ARG_OPTIONAL, text[pos + (2 if text[pos + 1] == "=" else 1) : end], end + 1
        elif text.startswith("=", pos):
            mv = re.match(r"[^\s,]+", text[pos + 1 :])
            metavar = mv.group() if mv else ""
            arg, pos = ARG_REQUIRED, pos + 1 + len(metavar)
            literal = (
                bool(_LOWER_LITERAL.fullmatch(_plain(metavar))) and bool(items) and not any(a for _, a, _, _ in items)
            )
        elif (
            text.startswith(" ", pos)
            and not text.startswith("  ", pos)
            and pos + 1 < n
            and text[pos + 1] != "-"
            and not re.match(r" or\s+-", text[pos:])
        ):
            mv = (_ANY_METAVAR if tag else _UPPER_METAVAR).match(text, pos + 1)
            if mv is None and not tag:
                mv = re.compile(r"[a-z][\w-]*").match(text, pos + 1)
            after = mv.end() if mv else -1
            if mv and (after == n or text[after] in ",|\t" or text.startswith("  ", after) or tag):
                arg, metavar, pos = ARG_REQUIRED, mv.group(), after
                if tag:  # the rest of a tag is more of the argument: "-fprintf file format", "-exec command ;"
                    rest = text[pos:].split(",")[0]
                    metavar += rest
                    pos += len(rest)
        items.append((name, arg, metavar, literal))
        # separators between aliases: ", ", " | ", "/", "  ........  ", a BSD alias in between ("-p, p, --pid")
        seps = r"\s*,\s*(?:[A-Za-z]\s*,\s*)*|\s*\|\s*|\s+\.{3,}\s+|\s*/\s*(?=-)|\s+or\s+(?=-)"
        sep = re.match(seps + ("" if tag else r"|\s+(?=--?[A-Za-z])"), text[pos:])
        if not sep or not sep.group() or not _NAME.match(text, pos + sep.end()):
            break
        pos += sep.end()
    if not items:
        return [], text
    shared = next(
        ((a, _plain(mv)) for nm, a, mv, lit in items if a == ARG_REQUIRED and not lit and nm[:2] == "--"),
        (ARG_NONE, ""),
    )
    args = [(a, _plain(mv)) if a else shared for _, a, mv, lit in items]
    return [_Entry([name for name, *_ in items], args)], _plain(text[pos:])


_OPTION_LINE = re.compile(r"^(\s{0,12})(--?[A-Za-z0-9?@#])")


def parse_help(text: str) -> list[_Entry]:
    """Option entries of a --help text: lines that start (after up to 12 blanks) with an option."""
    entries = []
    text = re.sub(r".\x08", "", text)  # overstrike (bold via backspaces)
    for line in text.splitlines():
        m = _OPTION_LINE.match(line)
        if not m:
            continue
        found, rest = _parse_head(line[m.start(2) :].rstrip(), tag=False)
        if found and (not rest or rest[:1] in (" ", "\t")):
            entries.extend(found)
    return entries


# italic text (a man page's metavars) is kept between these two marks, so `\-b\fIn\fR` reads as -b taking n
ITALIC, ROMAN = "\x01", "\x02"
_ROFF_ESCAPES = [
    (re.compile(r"\\\*(?:\[[^\]]*\]|\(..|.)"), ""),  # strings
    (re.compile(r"\\s[-+]?\d"), ""),  # size changes
    (re.compile(r"\\\((?:hy|mi|en|em)"), "-"),
    (re.compile(r"\\\((?:aq|cq|oq)"), "'"),
    (re.compile(r"\\\((?:dq|lq|rq)"), '"'),
    (re.compile(r"\\\(.."), ""),
    (re.compile(r"\\[-]"), "-"),
    (re.compile(r"\\[&|^%:c),/]"), ""),
    (re.compile(r"\\[ ~0]"), " "),
    (re.compile(r"\\e"), "\\\\"),
]
_FONT = re.compile(r"\\f(\[[^\]]*\]|\(..|.)")
_FONT_MACROS = re.compile(r"^\.(BI|BR|IB|IR|RB|RI|SM|SB|B|I)(?:\s+(.*))?$")


def _fonts(text: str, italic: bool = False) -> str:
    """Font escapes as the italic marks (`\\fI...\\fR` -> ITALIC...ROMAN), the others dropped."""
    out, pos, start = [], 0, italic
    if italic:
        out.append(ITALIC)
    for m in _FONT.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        now = m.group(1).strip("[]()") in ("I", "BI", "CI", "2", "4")
        if now != italic:
            out.append(ITALIC if now else ROMAN)
        italic = now
    out.append(text[pos:])
    if italic or start:
        out.append(ROMAN)
    return "".join(out)


def _roff_text(line: str) -> str:
    """The text of one roff line: font macros' arguments joined as groff prints them, escapes resolved, italics
    marked."""
    m = _FONT_MACROS.match(line)
    if m:
        macro = m.group(1)
        args = re.findall(r'"[^"]*"|\S+', m.group(2) or "")
        args = [a[1:-1] if a.startswith('"') else a for a in args]
        if len(macro) == 2 and macro not in ("SM", "SB"):  # alternating fonts, joined without blanks
            line = "".join(_fonts(a, macro[k % 2] == "I") for k, a in enumerate(args))
        else:
            line = _fonts(" ".join(args), macro == "I")
    else:
        line = _fonts(line)
    for pattern, repl in _ROFF_ESCAPES:
        line = pattern.sub(repl, line)
    line = line.replace("\\\\", "\\")
    line = re.sub(f"{ITALIC}{ROMAN}|{ROMAN}{ITALIC}", "", line)
    return line.strip()


def _plain(text: str) -> str:
    return text.replace(ITALIC, "").replace(ROMAN, "")


_SKIP_SECTIONS = re.compile(r"EXAMPLE|SEE ALSO|EXIT|ENVIRONMENT|FILES|BUGS|HISTORY|AUTHOR|COPYRIGHT|REPORTING|NOTES")


def man_tags(source: str) -> list[str]:
    """The tags of a man page's tagged paragraphs (`.TP`, `.IP`, `.TQ`; mdoc `.It`), as plain text, outside the
    sections that only give examples, files or history."""
    tags: list[str] = []
    lines = source.splitlines()
    skip = False
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        if line.startswith((".SH", ".Sh")):
            skip = bool(_SKIP_SECTIONS.search(line.upper()))
            continue
        if skip:
            continue
        if line.startswith((".TP", ".TQ")):
            while k < len(lines) and re.match(r"\.(PD|sp|br|ns)\b", lines[k]):
                k += 1
            if k < len(lines):
                tags.append(_roff_text(lines[k]))
                k += 1
        elif line.startswith(".IP"):
            args = re.findall(r'"(?:[^"\\]|\\.)*"|\S+', line[3:])
            if args:
                tag = args[0][1:-1] if args[0].startswith('"') else args[0]
                tags.append(_roff_text(tag))
        elif line.startswith(".It "):
            tags.append(_mdoc_tag(line[4:], lines, k))
        elif line.startswith("\\fB\\-") and k < len(lines) and lines[k].startswith(".RS"):
            tags.append(_roff_text(line))  # asciidoctor's pages (util-linux): "\fB\-l\fP, \fB\-\-login\fP" then .RS
    return [t for t in tags if t.lstrip(ITALIC + ROMAN).startswith("-")]


def _mdoc_tag(args: str, lines: list[str], k: int) -> str:
    """An mdoc `.It Fl B Ar bind_interface` as `-B bind_interface`; with `Xo`, the continuation lines up to `.Xc`."""
    words = args.split()
    if words and words[-1] == "Xo":
        for line in lines[k : k + 8]:
            if line.startswith(".Xc"):
                break
            words.extend(line.lstrip(".").split())
    out: list[str] = []
    flag = False
    for w in words:
        if w == "Fl":
            flag = True
            continue
        if w in ("Ar", "Op", "Oo", "Oc", "Xo", "Xc", "Sm", "off", "on", "Ns", "Cm", "Li", "Ic", "Pa", "Ek", "Ql"):
            if w == "Ar" and out:
                out.append("ARG")
            continue
        if flag:
            out.append("-" + w.strip('"'))
            flag = False
        elif w in (",", "|"):
            out.append(",")
    text = " ".join(out).replace(" ,", ",")
    text = re.sub(r"(ARG\s*)+", "ARG", text)
    return _roff_text(text)


def parse_man(source: str) -> list[_Entry]:
    entries = []
    for tag in man_tags(source):
        found, _ = _parse_head(tag, tag=True)
        entries.extend(found)
    return entries


def man_synopsis(source: str) -> str:
    """A man page's SYNOPSIS section as plain text."""
    out, inside = [], False
    for line in source.splitlines():
        if line.startswith((".SH", ".Sh")):
            inside = "SYNOPSIS" in line.upper()
            continue
        if inside and not re.match(r"\.(?!B|I|R)\w", line):
            out.append(_plain(_roff_text(line)))
    return " ".join(out)


def parse_synopsis(text: str) -> list[_Entry]:
    """Options a usage synopsis names in its brackets and braces (`[-vWeenNcCF]`, `[-6tuw]`, `[--tcp|-t]`,
    `{-V|--version}`, `[-s sigspec]`), some of which no listing entry names (netstat's -t): a cluster of letters
    is that many flags, a single letter followed by a word takes an argument."""
    entries: list[_Entry] = []
    for group in re.findall(r"[\[{]([^\[\]{}]*)[\]}]", text):
        for alternative in group.split("|"):
            words = alternative.split()
            if not words or not re.fullmatch(r"--?[\w#?@][\w-]*", words[0]):
                continue
            name = words[0]
            if name.startswith("--"):
                entries.append(_Entry([name], [(ARG_NONE, "")]))
            elif len(name) == 2:
                taking = len(words) > 1 and not words[1].startswith("-")
                entries.append(_Entry([name], [(ARG_REQUIRED, words[1]) if taking else (ARG_NONE, "")]))
            elif len(words) == 1 and re.fullmatch(r"-[A-Za-z0-9]+", name):
                entries.extend(_Entry(["-" + c], [(ARG_NONE, "")]) for c in name[1:])
    return entries


def usage_text(text: str) -> str:
    """The usage lines of a --help text: from "Usage:" up to the first blank line."""
    m = re.search(r"^\s*usage:.*?(?:\n\s*\n|\Z)", text, re.I | re.M | re.S)
    return m.group() if m else ""


def parse_builtin_help(text: str) -> list[_Entry]:
    """`help NAME` of bash: the synopsis (`read [-ers] [-a array] ...`) and the Options lines (`-a array<TAB>...`).
    In the synopsis a single letter followed by a lower-case word takes an argument; a run of letters is a
    cluster of flags."""
    lines = text.splitlines()
    entries: list[_Entry] = []
    synopsis = lines[0].split(":", 1)[1] if lines and ":" in lines[0] else ""
    for m in re.finditer(r"(?<![\w-])-([A-Za-z0-9@]+)(?:\s+([a-z][\w-]*))?", synopsis):
        letters, metavar = m.group(1), m.group(2)
        if len(letters) == 1 and metavar:
            entries.append(_Entry(["-" + letters], [(ARG_REQUIRED, metavar)]))
        elif letters not in ("sigspec", "signum"):  # kill's "-sigspec" stands for -KILL, -9 ...
            entries.extend(_Entry(["-" + c], [(ARG_NONE, "")]) for c in letters)
    for line in lines[1:]:
        o = re.match(r"\s+(-[A-Za-z0-9@])(?:\s([a-z][\w-]*))?\t", line)
        if o:
            entries.append(_Entry([o.group(1)], [(ARG_REQUIRED if o.group(2) else ARG_NONE, o.group(2) or "")]))
    return entries


# ---- kinds ------------------------------------------------------------------------------------------------------

_NUMBER_METAVARS = re.compile(
    r"^(?:\[[-+]\])?(?:NUM|N|NUMBER|COUNT|INT|LEVELS|LEVEL|COLS|COLUMNS|WIDTH|MAX-ARGS|MAX-PROCS|MAX-LINES|"
    r"MAX-CHARS|DEPTH|CHARS|LINES|K|SECS|SECONDS|DIGITS|TABS|PAGE_WIDTH|PAGE_LENGTH|FIELD|FIELDS)$"
)
_SIZE_METAVARS = re.compile(r"^(?:\[[-+]\])?(?:SIZE|BYTES)$")


_LOWER_NUMBER_METAVARS = frozenset(
    {
        "port",
        "num",
        "number",
        "count",
        "n",
        "nchars",
        "timeout",
        "fd",
        "seconds",
        "secs",
        "lines",
        "width",
        "cols",
        "columns",
        "depth",
        "level",
        "levels",
        "signum",
    }
)


def _kind_of(metavar: str) -> str | None:
    mv = metavar.strip("<>=").strip()
    if mv in _LOWER_NUMBER_METAVARS:  # a man page's or a builtin's metavar (ssh -p port, read -n nchars)
        return "number"
    if _NUMBER_METAVARS.match(mv):
        return "number"
    if _SIZE_METAVARS.match(mv):
        return "size"
    if mv in ("DURATION",):
        return "duration"
    return None


_FIND_KINDS = {
    "N": "find-number",
    "N[bcwkMG]": "find-size",
    "[bcdpflsD]": "find-type",
    "[bcdpfls]": "find-type",
    "[-/]MODE": "find-perm",
    "LEVELS": "number",
}


def _spec_from_entries(utility: str, entries: Iterable[_Entry], style: str, source: str) -> Spec:
    """Options from listing entries; the first listing of a name wins, unless a later one gives it an argument."""
    options: dict[str, Option] = {}
    overrides = KIND_OVERRIDES.get(utility, {})
    numeric = utility in NUMERIC_OPTIONS
    for e in entries:
        if len(e.names) > 1 and e.names[0] == "-#":  # less's "-# or --shift": a real option, its N attached
            pairs = [(n, (ARG_OPTIONAL, "N")) for n in e.names]
        else:
            if any(n in _NUMERIC_NAMES for n in e.names):  # "-NUM  same as --context=NUM", gzip's "-#"
                numeric = True
            pairs = [(n, a) for n, a in zip(e.names, e.args, strict=True) if n not in _NUMERIC_NAMES]
        if not pairs:
            continue
        known = next((options[n].canon for n, _ in pairs if n in options), None)
        canon = known or next((n for n, _ in pairs if len(n) == 2), pairs[0][0])
        for name, (arg, metavar) in pairs:
            if name in options and options[name].arg >= arg:
                continue
            key = name if name in overrides else canon
            kind = overrides[key] if key in overrides else _kind_of(metavar)
            options[name] = Option(name, arg, metavar, kind if arg else None, canon)
    return Spec(utility, style, options, numeric=numeric, source=source)


# ---- usage lines: how many operands ----------------------------------------------------------------------------

_OPTION_WORDS = frozenset({"OPTION", "OPTIONS", "SHORT-OPTION", "LONG-OPTION"})
INF = 1 << 30


def _units(form: str) -> list[str] | None:
    """A usage form split into its top-level words (`[FILE [PREFIX]]` is one), or None when it has alternatives
    or braces this reader doesn't take apart."""
    units, depth, cur = [], 0, ""
    for ch in form:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                return None
        if ch.isspace() and depth == 0:
            if cur:
                units.append(cur)
            cur = ""
        else:
            cur += ch
        if depth == 0 and ch in "{}|" and not cur.startswith("[-"):
            return None
    if cur:
        units.append(cur)
    return units if depth == 0 else None


def _count(units: list[str], spec: Spec, named: set[str]) -> tuple[int, int] | None:
    """(min, max) operands a form's words allow; the options it names go into `named`."""
    lo = hi = 0
    k = 0
    while k < len(units):
        u = units[k]
        k += 1
        repeat = u.endswith("...")
        core = u[:-3] if repeat else u
        if core.startswith("[") and core.endswith("]"):
            inner = core[1:-1].strip()
            if inner.startswith("-") or inner.rstrip(".").strip() in _OPTION_WORDS:
                named.update(re.findall(r"--?[\w-]+", inner) if inner.startswith("-") else [])
                continue
            sub = _units(inner)
            if sub is None:
                return None
            got = _count(sub, spec, named)
            if got is None:
                return None
            hi += INF if repeat else got[1]
            continue
        if core.startswith("-"):
            name = core.split("=", 1)[0]
            named.add(name)
            opt = spec.options.get(name)
            if opt is not None and opt.arg == ARG_REQUIRED and "=" not in core and k < len(units):
                k += 1  # -t DIRECTORY: the option's argument
            continue
        if core.rstrip(".").strip() in _OPTION_WORDS:
            continue
        if not re.fullmatch(r"[A-Z+][\w+-]*(?:\[[^\]]*\])*(?:\.\.\.)?", u):
            return None
        if core == "FILES":  # diff: "FILES are 'FILE1 FILE2' or 'DIR1 DIR2' or 'DIR FILE' or 'FILE DIR'"
            lo, hi = lo + 2, hi + 2
            continue
        lo += 1
        hi += INF if repeat and "[," not in core else 1  # MODE[,MODE]... is one word
    return lo, hi


def parse_usage(utility: str, text: str, spec: Spec) -> None:
    """Operand counts from a --help text's usage lines (`Usage: comm [OPTION]... FILE1 FILE2`, `or:` lines,
    util-linux's indented forms); left unset when a form is beyond this reader."""
    lines = text.splitlines()
    forms: list[str] = []
    for k, line in enumerate(lines):
        m = re.match(r"\s*(?:[Uu]sage:|or:)\s*(.*)", line)
        if not m:
            continue
        rest = m.group(1)
        if not rest.strip():  # util-linux: "Usage:" then " column [options] [<file>...]"
            for follow in lines[k + 1 : k + 8]:
                if not follow.startswith(" ") or not follow.strip():
                    break
                forms.append(follow.strip())
        else:
            forms.append(rest.strip())
    named: set[str] = set()
    counts = []
    for form in forms:
        words = form.split(None, 1)
        if not words or words[0].rsplit("/", 1)[-1] not in (utility, "grep"):
            return  # a form of another name (gunzip's "gzip"), or no form at all
        units = _units(words[1] if len(words) > 1 else "")
        if units is None:
            return
        before = set(named)
        got = _count(units, spec, named)
        if got is None:
            return
        if named == before and not (len(units) == 1 and units[0].strip("[].") in _OPTION_WORDS):
            counts.append(got)
    if "--from-file" in text:  # diff: "If --from-file or --to-file is given, there are no restrictions on FILE(s)"
        named.update({"--from-file", "--to-file"})
    if counts and any("[OPTION" in f for f in forms):  # GNU usage lines only: others are looser
        spec.operands = (min(c[0] for c in counts), max(c[1] for c in counts))
        if spec.operands[1] >= INF:
            spec.operands = (spec.operands[0], -1)
        spec.usage_options = sorted(named)
        spec.usage = " ".join([utility, *forms[0].split()[1:]])


# ---- find ---------------------------------------------------------------------------------------------------------

_FIND_OPERATORS = frozenset({"!", "-not", "-a", "-and", "-o", "-or", ",", "(", ")"})
_FIND_SECTION = re.compile(r"^(Positional options|Normal options|Tests|Actions|Operators)")


def _find_spec(help_text: str, man_source: str) -> Spec:
    """find's primaries (its options, tests and actions) with their arguments, from the --help listing
    (`-mtime N`, `-fprintf FILE FORMAT`, `-exec COMMAND ;`) and the man page's tags (`-newerXY reference`,
    `-ipath pattern`, which --help leaves out); the global options -H -L -P -D -O."""
    options: dict[str, Option] = {}

    def add(name: str, args: list[str]) -> None:
        if name in _FIND_OPERATORS or (name in options and (options[name].args < 0 or options[name].args >= len(args))):
            return  # the first listing wins, unless a later one gives the primary (more) arguments
        if any(a in (";", "{}", "+") for a in args) or (args and args[0].upper() == "COMMAND"):
            options[name] = Option(name, ARG_REQUIRED, "COMMAND ;", None, name, -1)
        elif args:
            kind = _FIND_KINDS.get(args[0])
            options[name] = Option(name, ARG_REQUIRED, " ".join(args), kind, name, len(args))
        else:
            options[name] = Option(name, ARG_NONE, "", None, name, 0)

    section = False
    for line in help_text.splitlines():
        if _FIND_SECTION.match(line.strip()):
            section = not line.strip().startswith("Operators")
            continue
        if not line.startswith(" "):
            section = False
            continue
        if not section:
            continue
        words = line.split()
        k = 0
        while k < len(words):
            w = words[k]
            if re.fullmatch(r"-[a-z][\w-]+", w):
                j = k + 1
                while j < len(words) and not re.fullmatch(r"-[a-z][\w-]+", words[j]):
                    j += 1
                add(w, words[k + 1 : j])
                k = j
            else:
                k += 1
    for tag in man_tags(man_source):  # "-name pattern", "-warn, -nowarn", "-exec command {} +", "-perm -mode"
        for part in _plain(tag).split(","):
            words = part.split()
            if words and re.fullmatch(r"-[a-zA-Z][\w-]*", words[0]) and words[0] not in ("-help", "-version"):
                if words[0] == "-newerXY":
                    options.setdefault(words[0], Option(words[0], ARG_REQUIRED, "reference", None, words[0], 1))
                else:
                    add(words[0], [w.upper() if w.isalpha() else w for w in words[1:]])
    for name in ("-help", "-version", "--help", "--version"):
        options.setdefault(name, Option(name, ARG_NONE, "", None, name, 0))
    for name in ("-H", "-L", "-P"):
        options.setdefault(name, Option(name, ARG_NONE, "", None, name, 0))
    options["-D"] = Option("-D", ARG_REQUIRED, "debugopts", None, "-D", 1)
    for name in ("-user", "-group"):  # "-user NAME": a user (or its id), not a file as -samefile's NAME
        if name in options:
            options[name] = dataclasses.replace(options[name], kind="user")
    options.pop("-O", None)
    options.pop("-Olevel", None)
    return Spec("find", "find", options, source="help+man")


# ---------------------------------------------------------------------------------------------------------------
# Building and caching the table
