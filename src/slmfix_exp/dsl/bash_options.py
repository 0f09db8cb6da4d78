"""The options of shell utilities, read from the installed tools, and a checker of commands against them.

Specs come from the machine, never from a file of ours: each utility's `--help` text (GNU's and util-linux's
option listings and usage lines), its man page (the tags of `.TP` / `.IP` / mdoc `.It Fl` entries and the
SYNOPSIS, read from the roff source that `man -w` finds, without running man) and, for Bash builtins, `help NAME`
of the installed bash. They are built once (a second or two, the `--help` runs in parallel) and cached as JSON
under the cache directory (`$SLMFIX_CACHE` or `~/.cache/slmfix_exp`, as `paths.cache_dir` defaults to), keyed by
the tools' paths, sizes and mtimes and by this module, so an upgrade of either rebuilds them. Only the utilities
named in `UTILITIES` and `BUILTINS` are asked for their help, with fixed arguments, no input, a clean environment
and a time limit; a program being validated is never run.

A spec knows each option's names (short `-n`, long `--lines`, single-dash long `-name`), whether it takes an
argument (required, or optional and then only attached: `-i.bak`, `--color=always`), the argument's simple kind
where the listing's metavar says it (NUM, SIZE, LIST...), which options exclude one another and which are required
where the listing says so ("Use one, and only one of -b, -c or -f"; tar's "Main operation mode"), how many
operands the usage lines allow, whether the listing is whole (an option missing from a partial one is only a
warning), and how the utility reads its words: GNU getopt (options anywhere, long options abbreviable), a builtin's
or BSD getopt (options first), or find's expression.

The checker (`Checker.check`) reads one simple command as the utility would: clustered short options (`-la`),
attached and separate arguments (`-n5`, `-n 5`, `--lines=5`), `--` and unique prefixes of long options, and the
commands other commands run (`xargs`, `find -exec`, `sudo`, `env`, `nice`, `timeout`, `sh -c '...'`...). An
unknown utility is no error: scripts call anything. `bash.option_findings` finds the simple commands of a program.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import difflib
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPEC_SCHEMA = 1  # bump when the layout of the cached table or the extraction changes

# The utilities whose specs are built: the 150-odd that NL2Bash's commands call most (directly, in pipelines and
# substitutions, and under xargs / find -exec / sudo), and their close kin. Those not installed have no spec.
UTILITIES: tuple[str, ...] = (
    "find",
    "xargs",
    "grep",
    "egrep",
    "fgrep",
    "sort",
    "awk",
    "gawk",
    "mawk",
    "sed",
    "cut",
    "cat",
    "wc",
    "sudo",
    "head",
    "tail",
    "mkdir",
    "tr",
    "ls",
    "uniq",
    "rsync",
    "split",
    "rev",
    "diff",
    "ssh",
    "df",
    "comm",
    "ln",
    "tac",
    "tee",
    "chown",
    "mount",
    "tar",
    "column",
    "ifconfig",
    "od",
    "md5sum",
    "join",
    "yes",
    "paste",
    "ping",
    "mv",
    "cp",
    "nl",
    "dig",
    "rm",
    "cpio",
    "chmod",
    "seq",
    "crontab",
    "less",
    "tree",
    "du",
    "who",
    "zcat",
    "env",
    "more",
    "cal",
    "fold",
    "gzip",
    "date",
    "pstree",
    "rename",
    "bzip2",
    "scp",
    "chgrp",
    "readlink",
    "watch",
    "finger",
    "file",
    "man",
    "basename",
    "touch",
    "uname",
    "ps",
    "sh",
    "which",
    "hostname",
    "groups",
    "ssh-keygen",
    "bash",
    "sleep",
    "gunzip",
    "curl",
    "rmdir",
    "su",
    "mktemp",
    "dirname",
    "vim",
    "apropos",
    "shred",
    "w",
    "bunzip2",
    "zless",
    "top",
    "tmux",
    "clear",
    "wget",
    "whoami",
    "make",
    "nohup",
    "nice",
    "xxd",
    "hexdump",
    "stat",
    "iconv",
    "perl",
    "bc",
    "expr",
    "timeout",
    "shuf",
    "fmt",
    "pr",
    "dd",
    "sum",
    "cksum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "unzip",
    "zip",
    "xz",
    "unxz",
    "lsof",
    "netstat",
    "ip",
    "killall",
    "pkill",
    "pgrep",
    "free",
    "uptime",
    "id",
    "passwd",
    "chattr",
    "lsattr",
    "realpath",
    "csplit",
    "expand",
    "unexpand",
    "strings",
    "gpg",
    "openssl",
    "python",
    "python3",
    "sync",
    "printenv",
    "tty",
    "nproc",
    "base64",
    "truncate",
    "install",
    "mkfifo",
    "unlink",
    "link",
    "logname",
    "users",
    "arch",
    "factor",
    "numfmt",
    "stdbuf",
    "chroot",
    "zgrep",
    "bzcat",
    "zmore",
    "locate",
    "updatedb",
    "ssh-copy-id",
    "nc",
    "host",
    "nslookup",
    "traceroute",
    "whois",
    "lynx",
    "screen",
    "last",
    "lastlog",
    "useradd",
    "userdel",
    "usermod",
    "groupadd",
    "chpasswd",
    "jq",
    "git",
    "svn",
    "ionice",
    "renice",
    "mail",
    "sftp",
    "ftp",
    "fuser",
    "killall5",
    "vmstat",
    "iostat",
    "dmesg",
    "lsblk",
    "blkid",
    "fdisk",
    "mkfs",
    "umount",
    "sysctl",
    "service",
    "systemctl",
    "journalctl",
    "cron",
    "at",
    "batch",
    "uuencode",
    "uudecode",
    "compress",
    "uncompress",
    "zipinfo",
    "7z",
    "look",
    "cmp",
    "sdiff",
    "patch",
    "ed",
    "ex",
    "vi",
    "nano",
    "emacs",
    "open",
    "xdg-open",
    "readelf",
    "objdump",
    "nm",
    "ldd",
    "ar",
    "gcc",
    "cc",
    "g++",
    "javac",
    "java",
    "node",
    "ruby",
    "php",
    "printf",
    "echo",
    "kill",
    "test",
    "pwd",
    "true",
    "false",
    "time",
    "getconf",
    "locale",
    "tput",
    "stty",
    "script",
    "logger",
    "flock",
    "parallel",
    "pv",
    "bzip2recover",
    "lzma",
    "zstd",
    "ssh-add",
    "ssh-agent",
    "chsh",
    "chfn",
    "newgrp",
    "sg",
    "mesg",
    "wall",
    "write",
    "talk",
    "pinky",
    "uniq",
    "tsort",
    "ptx",
    "od",
    "b2sum",
    "sha224sum",
    "sha384sum",
    "base32",
    "basenc",
    "dircolors",
    "pathchk",
    "mknod",
    "hostid",
    "runcon",
    "chcon",
    "stdbuf",
    "nl",
)
# Bash builtins, read from `help NAME`; a builtin shadows the binary of the same name (echo, printf, kill, test, ...)
BUILTINS: tuple[str, ...] = (
    "cd",
    "read",
    "set",
    "shopt",
    "history",
    "source",
    ".",
    "bind",
    "jobs",
    "pushd",
    "popd",
    "bg",
    "fg",
    "echo",
    "printf",
    "kill",
    "test",
    "export",
    "declare",
    "typeset",
    "local",
    "readonly",
    "alias",
    "unalias",
    "type",
    "hash",
    "ulimit",
    "umask",
    "wait",
    "trap",
    "exec",
    "eval",
    "exit",
    "return",
    "shift",
    "unset",
    "let",
    "disown",
    "suspend",
    "times",
    "command",
    "builtin",
    "enable",
    "getopts",
    "mapfile",
    "readarray",
    "compgen",
    "complete",
    "compopt",
    "dirs",
    "logout",
    "fc",
    "help",
    "true",
    "false",
    "pwd",
    "caller",
    "break",
    "continue",
    ":",
    "[",
)
# `--help` alone doesn't list everything for these
HELP_ARGS: dict[str, tuple[str, ...]] = {"ps": ("--help", "all"), "curl": ("--help", "all")}
# Commands that run another command: the words before the payload are theirs (checked against their spec when there
# is one); how to find the payload where the tool has no spec here (sudo is often absent from build machines). Each
# entry: (options that take an argument, whether option parsing stops at the first operand).
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    # sudo(8): -C num, -D directory, -g group, -h host, -p prompt, -R directory, -r role, -T timeout, -t type,
    # -U user, -u user; the payload may start with VAR=value assignments
    "sudo": (frozenset(["-C", "-D", "-g", "-h", "-p", "-R", "-r", "-T", "-t", "-U", "-u"]), 0),
    "nohup": (frozenset(), 0),
    "nice": (frozenset({"-n"}), 0),
    "time": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "env": (frozenset({"-u", "-C", "-S"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u"}), 0),
    "timeout": (frozenset({"-k", "-s"}), 1),  # then DURATION, then the command
    "chroot": (frozenset(), 1),  # then NEWROOT
    "watch": (frozenset({"-n", "-d", "-q"}), 0),
    "flock": (frozenset({"-w", "-E", "-c"}), 1),
}
# Hand-written facts, each documented by the tool's manual though its listing doesn't show it: obsolete numeric
# options the GNU tools still take (`head -5`, `tail -5f`, coreutils manual "Obsolete usage"; `nice -10` and
# `renice`'s; the compressors' `-1`..`-9`, documented as `-#` / `-1`..`-9`).
NUMERIC_OPTIONS = frozenset(
    {
        "head",
        "tail",
        "fold",
        "uniq",
        "split",
        "nice",
        "pr",
        "gzip",
        "gunzip",
        "zcat",
        "bzip2",
        "bunzip2",
        "xz",
        "lzma",
        "zip",
        "zstd",
        "diff",
        "kill",
        "killall",
        "pkill",
        "renice",
        "fmt",
        "grep",
        "egrep",
        "fgrep",
        "zgrep",
        "pushd",
        "popd",
        "dirs",
    }
)
# Options the GNU tools still take though their listings no longer show them (kept for compatibility): df -m
# (--block-size=1M).
EXTRA_OPTIONS: dict[str, tuple[str, ...]] = {"df": ("-m",)}
# Kinds of option arguments the listing's metavar doesn't give, or gives too loosely (cut's DELIM is one character,
# its LIST a list of fields; sort's KEYDEF; touch's STAMP; chmod/mkdir/install MODE), and arguments that aren't
# the kind their metavar suggests (paste -d's LIST is characters).
KIND_OVERRIDES: dict[str, dict[str, str | None]] = {
    "cut": {"-d": "char", "-b": "list", "-c": "list", "-f": "list"},
    "paste": {"-d": None},
    "sort": {"-t": "char", "-k": "key"},
    "touch": {"-t": "stamp"},
    "mkdir": {"-m": "mode"},
    "install": {"-m": "mode"},
    "mkfifo": {"-m": "mode"},
    "split": {"-n": None},
    "join": {"-t": "char", "-1": "number", "-2": "number"},
    "nl": {"-s": None, "-d": None},
    "date": {"-d": None},
    "xargs": {"-d": None},
    "read": {"-a": "name"},
}
# The operands whose kind the usage line gives (`sleep NUMBER[SUFFIX]...`, `chmod MODE FILE...`, `seq LAST`):
# "all" operands, or the "first" one.
OPERAND_KINDS: dict[str, tuple[str, str]] = {
    "sleep": ("all", "duration"),
    "seq": ("all", "number"),
    "chmod": ("first", "mode"),
    "chown": ("first", "owner"),  # chown [OWNER][:[GROUP]] FILE...
    "chgrp": ("first", "user"),  # chgrp GROUP FILE...
    "groups": ("all", "user"),  # groups [USERNAME]...
    "id": ("all", "user"),  # id [USER]...
    "timeout": ("first", "duration"),
    "date": ("first", "date"),  # date [+FORMAT] | [MMDDhhmm[[CC]YY][.ss]]
    "read": ("all", "name"),  # read [name ...]: variables
    "mapfile": ("all", "name"),
    "readarray": ("all", "name"),
}
# utilities whose own parsers take a negative number as an operand, not an option (`seq -5 5`, `fc -l -10`)
NEGATIVE_OPERANDS = frozenset(
    {"seq", "expr", "printf", "echo", "test", "[", "let", "factor", "numfmt", "fc", "history"}
)
_FIND_NAMES = frozenset({"find"})

ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL = 0, 1, 2


# ---------------------------------------------------------------------------------------------------------------
# The spec model
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    name: str  # "-n", "--lines", "-name"
    arg: int  # ARG_NONE, ARG_REQUIRED or ARG_OPTIONAL (then only attached: -i.bak, --color=always)
    metavar: str = ""  # as the listing writes it: NUM, LIST, "pattern"
    kind: str | None = None  # number, size, duration, list, char, key, mode, stamp, find-number, ... or None: any
    canon: str = ""  # the entry's first name, short where there is one: --recursive and -r share "-r"
    args: int = 1  # find primaries: how many words they take (-fprintf FILE FORMAT: 2); -1: up to ; or {} +


@dataclass
class Spec:
    utility: str
    style: str  # "gnu" (getopt_long: options anywhere, long ones abbreviable), "posix" (options first), "find"
    options: dict[str, Option]
    exclusive: list[list[str]] = field(default_factory=list)  # canonical names of options that exclude each other
    required: list[list[str]] = field(default_factory=list)  # one of these must be given
    numeric: bool = False  # -NUM is an option (head -5)
    source: str = ""  # where it came from: help, man, builtin (joined with +)
    # operand counts its usage lines allow (min, max; max -1: no bound), the options they name (a form such as
    # `cp -t DIRECTORY SOURCE...` counts differently), and the first form, for messages
    operands: tuple[int, int] | None = None
    usage_options: list[str] = field(default_factory=list)
    usage: str = ""
    # whether the listing is known whole (a man page was read, or a GNU coreutils --help, or bash's help): an option
    # missing from a partial listing (find's --help leaves out -ipath, -samefile...) is only a warning
    complete: bool = True

    @property
    def unknown(self) -> str:
        """The severity of an option this spec doesn't have."""
        return "error" if self.complete else "warning"

    _longs: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._longs = sorted(n for n in self.options if n.startswith("--"))

    @property
    def permute(self) -> bool:
        return self.style == "gnu"

    def long(self, name: str) -> tuple[Option | None, list[str]]:
        """The long option `name` names, exactly or (GNU) as the unique prefix of one; else None and the
        candidates it is a prefix of (ambiguous when there are several)."""
        if name in self.options:
            return self.options[name], []
        if self.style != "gnu":
            return None, []
        k = bisect.bisect_left(self._longs, name)
        cands = []
        while k < len(self._longs) and self._longs[k].startswith(name):
            cands.append(self._longs[k])
            k += 1
        if cands and len({self.options[c].canon for c in cands}) == 1:
            return self.options[cands[0]], []
        return None, cands

    def to_json(self) -> dict[str, Any]:
        return {
            "style": self.style,
            "options": {n: [o.arg, o.metavar, o.kind, o.canon, o.args] for n, o in self.options.items()},
            "exclusive": self.exclusive,
            "required": self.required,
            "numeric": self.numeric,
            "source": self.source,
            "operands": self.operands,
            "usage_options": self.usage_options,
            "usage": self.usage,
            "complete": self.complete,
        }

    @staticmethod
    def from_json(utility: str, data: dict[str, Any]) -> Spec:
        options = {n: Option(n, a, m, k, c, na) for n, (a, m, k, c, na) in data["options"].items()}
        operands = (int(data["operands"][0]), int(data["operands"][1])) if data.get("operands") else None
        return Spec(
            utility,
            data["style"],
            options,
            data["exclusive"],
            data["required"],
            data["numeric"],
            data["source"],
            operands,
            data.get("usage_options", []),
            data.get("usage", ""),
            data.get("complete", True),
        )


# ---------------------------------------------------------------------------------------------------------------
# Reading option listings: --help texts and man page tags
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
# ---------------------------------------------------------------------------------------------------------------


def _cache_dir() -> Path:
    return Path(os.environ.get("SLMFIX_CACHE") or Path.home() / ".cache" / "slmfix_exp")


def _clean_env(home: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C", "HOME": home,
            "COLUMNS": "200", "TERM": "dumb", "PAGER": "cat", "MANPAGER": "cat"}  # fmt: skip


def _man_path(utility: str, env: dict[str, str]) -> str | None:
    """The man page `man -w` finds for section 1 or 8, read by us rather than rendered by man."""
    root = Path("/usr/share/man")
    for section in ("1", "8"):
        for suffix in ("", ".gz"):
            for sub in (f"man{section}/{utility}.{section}{suffix}",):
                p = root / sub
                if p.is_file():
                    return str(p)
    if shutil.which("man") is None:
        return None
    try:
        proc = subprocess.run(
            ["man", "-w", "-s", "1,8", utility],
            capture_output=True,
            timeout=5,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = proc.stdout.decode(errors="replace").strip().splitlines()
    return path[0] if proc.returncode == 0 and path and Path(path[0]).is_file() else None


def _read_man(path: str | None) -> str:
    if not path:
        return ""
    try:
        data = Path(path).read_bytes()
        if path.endswith(".gz"):
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""
    m = re.match(r"\.so\s+(\S+)", text)  # a page that includes another: `.so man1/gzip.1`
    if m:
        target = Path(path).parents[1] / m.group(1)
        for candidate in (target, target.with_name(target.name + ".gz")):
            if candidate.is_file():
                return _read_man(str(candidate))
    return text


def _run_help(utility: str, binary: str, env: dict[str, str], cwd: str) -> tuple[int, str]:
    args = HELP_ARGS.get(utility, ("--help",))
    try:
        proc = subprocess.run(
            [binary, *args], capture_output=True, timeout=5, env=env, cwd=cwd, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return -1, ""
    return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", errors="replace")[:200_000]


def _bash_help(names: Sequence[str], env: dict[str, str], cwd: str) -> dict[str, str]:
    bash = shutil.which("bash")
    if bash is None:
        return {}
    script = "".join(f"printf '\\n@@@ %s\\n' {json.dumps(n)}; help -- {_sh_quote(n)} 2>/dev/null;" for n in names)
    try:
        proc = subprocess.run(
            [bash, "--norc", "--noprofile", "-c", script],
            capture_output=True,
            timeout=10,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    out: dict[str, str] = {}
    for chunk in proc.stdout.decode(errors="replace").split("\n@@@ ")[1:]:
        name, _, text = chunk.partition("\n")
        if text.strip():
            out[name] = text
    return out


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


_GNU_HELP_LINE = re.compile(r"^\s*(?:-\S,\s+)?--help\b", re.M)


def _is_gnu_help(code: int, text: str) -> bool:
    """Whether a --help text is a GNU-style listing: it lists --help itself, or (psmisc's tools, which refuse
    --help but print their listing) several `-x, --long` lines; such a tool reads its words with getopt_long."""
    if code == 0 and re.search(r"^\s*(?:-\S,\s+)?--help\b", text, re.M):
        return True
    return len(re.findall(r"^\s{0,8}-\w(?: \w+)?, --\w", text, re.M)) >= 3


def _exclusions(utility: str, text: str, spec: Spec) -> None:
    """What a listing says about options that exclude one another: "Use one, and only one of -b, -c or -f"."""
    m = re.search(r"only one of ((?:-\w(?:,\s*|\s+or\s+|\s+and\s+)?)+)", text)
    if m:
        group = [spec.options[n].canon for n in re.findall(r"-\w", m.group(1)) if n in spec.options]
        if len(group) > 1:
            spec.exclusive.append(group)
            if "Use one" in text[max(0, m.start() - 20) : m.end()]:
                spec.required.append(group)
    if utility == "tar":  # tar's listing groups the operations: "Main operation mode", one of which it requires
        section = re.search(r"Main operation mode:\n(.*?)\n\s*\n", text, re.S)
        if section:
            names = {o.canon for o in (spec.options.get(n) for n in _entry_names(section.group(1))) if o}
            group = sorted(names)
            spec.exclusive.append(group)
            spec.required.append(
                group
                + [
                    spec.options[n].canon
                    for n in ("--help", "--version", "--usage", "--show-defaults")
                    if n in spec.options
                ]
            )


def _entry_names(text: str) -> list[str]:
    return [n for e in parse_help(text) for n in e.names]


def fingerprint(utilities: Iterable[str] = UTILITIES) -> tuple[str, dict[str, str]]:
    """A digest of what the table is built from (each tool's path, size and mtime, bash's and man's), and the
    paths of the installed utilities."""
    paths: dict[str, str] = {}
    h = hashlib.sha256(f"{SPEC_SCHEMA}".encode())
    h.update(Path(__file__).read_bytes())  # this extractor: a change to it rebuilds the table
    for u in sorted(set(utilities) | {"bash", "man"}):
        p = shutil.which(u)
        if p is None:
            continue
        paths[u] = p
        try:
            st = os.stat(p)
            h.update(f"{u}:{os.path.realpath(p)}:{st.st_size}:{st.st_mtime_ns};".encode())
        except OSError:
            continue
    return h.hexdigest()[:16], paths


def build_specs(utilities: Sequence[str] = UTILITIES, builtins: Sequence[str] = BUILTINS) -> dict[str, Any]:
    """Build the table from the installed tools (their --help texts, man pages and bash's `help`)."""
    digest, paths = fingerprint(utilities)
    specs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="slmfix-specs-") as tmp:
        env = _clean_env(tmp)
        names = [u for u in dict.fromkeys(utilities) if u in paths]

        def one(u: str) -> tuple[str, Spec | None, str]:
            code, text = _run_help(u, paths[u], env, tmp)
            man = _read_man(_man_path(u, env))
            gnu = _is_gnu_help(code, text)
            if u in _FIND_NAMES:
                spec = _find_spec(text if gnu else "", man)
                spec.complete = bool(man)
                return u, spec, text
            # a listing's entries first (they win); then, but for a GNU program (whose --help lists all), the
            # synopses, which name options no entry may (netstat's -t)
            entries = parse_help(text) + parse_man(man)
            if not _GNU_HELP_LINE.search(text):
                entries += parse_synopsis(usage_text(text) + " " + man_synopsis(man))
            if not entries:
                return u, None, text
            source = "+".join(s for s, ok in (("help", gnu), ("man", bool(man))) if ok)
            spec = _spec_from_entries(u, entries, "gnu" if gnu else "posix", source)
            spec.complete = bool(man) or (gnu and "GNU coreutils" in text)
            if gnu:
                if _is_gnu_help(0, text) and re.search(r"^\s*(?:-\S,\s+)?--help\b", text, re.M):
                    for extra in ("--help", "--version"):
                        spec.options.setdefault(extra, Option(extra, ARG_NONE, "", None, extra))
                _exclusions(u, text, spec)
                parse_usage(u, text, spec)
            for name in EXTRA_OPTIONS.get(u, ()):
                spec.options.setdefault(name, Option(name, ARG_NONE, "", None, name))
            return u, spec, text

        with ThreadPoolExecutor(max_workers=4) as pool:
            for u, spec, _ in pool.map(one, names):
                if spec is not None:
                    specs[u] = spec.to_json()
        for name, text in _bash_help(builtins, env, tmp).items():
            entries = parse_builtin_help(text)
            spec = _spec_from_entries(name, entries, "posix", "builtin")
            specs[name] = spec.to_json()
    return {"schema": SPEC_SCHEMA, "fingerprint": digest, "specs": specs}


_LOCK = threading.Lock()


@cache
def load_specs() -> dict[str, Spec]:
    """The spec table: read from the on-disk cache for the installed tools, built (~1-3 s) when missing."""
    digest, _ = fingerprint()
    path = _cache_dir() / f"bash-specs-{digest}-v{SPEC_SCHEMA}.json"
    with _LOCK:
        table: dict[str, Any] | None = None
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if loaded.get("schema") == SPEC_SCHEMA and loaded.get("fingerprint") == digest:
                table = loaded
        if table is None:
            table = build_specs()
            with contextlib.suppress(OSError):  # write-then-rename: concurrent processes never read half a file
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(table, fh)
                os.replace(tmp, path)
    return {u: Spec.from_json(u, data) for u, data in table["specs"].items()}


# ---------------------------------------------------------------------------------------------------------------
# The checker
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
            else:
                return [Finding(head.start, head.end, "unknown-utility",
                                f"no option spec for {util}: its options were not checked", "warning")]  # fmt: skip
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
