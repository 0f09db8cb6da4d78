"""The options of shell utilities, read from the installed tools, and a checker of commands against them.

Specs come from the machine, never from a file of ours: each utility's `--help` text (GNU's and util-linux's
option listings and usage lines), its man page (the tags of `.TP` / `.IP` / mdoc `.It Fl` entries and the
SYNOPSIS, read from the roff source that `man -w` finds, without running man) and, for Bash builtins, `help NAME`
of the installed bash. They are built once (a second or two, the `--help` runs in parallel) and cached as JSON
under the cache directory (`$SLMFIX_CACHE` or `~/.cache/slmfix_exp`, as `paths.cache_dir` defaults to), keyed by
the tools' paths, sizes and mtimes and by the extractor's modules, so an upgrade of either rebuilds them. Only the
utilities named in `UTILITIES` and `BUILTINS` are asked for their help, with fixed arguments, no input, a clean
environment and a time limit; a program being validated is never run.

A spec knows each option's names (short `-n`, long `--lines`, single-dash long `-name`), whether it takes an
argument (required, or optional and then only attached: `-i.bak`, `--color=always`), the argument's simple kind
where the listing's metavar says it (NUM, SIZE, LIST...), which options exclude one another and which are required
where the listing says so ("Use one, and only one of -b, -c or -f"; tar's "Main operation mode"), how many
operands the usage lines allow, whether the listing is whole (an option missing from a partial one is only a
warning), and how the utility reads its words: GNU getopt (options anywhere, long options abbreviable), a builtin's
or BSD getopt (options first), or find's expression.

The checker (`Checker.check`) reads one simple command as the utility would: clustered short options (`-la`),
attached and separate arguments (`-n5`, `-n 5`, `--lines=5`), `--` and unique prefixes of long options, and the
commands other commands run (`xargs`, `find -exec`, `sudo`, `env`, `nice`, `timeout`, `sh -c '...'`...). A
utility with no spec is no error (scripts call anything), unless no system has it (known.py: `unknown-command`).
`commands.option_findings` finds the simple commands of a program.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
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
