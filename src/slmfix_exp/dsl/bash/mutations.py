"""Mutations: how an LLM breaks Bash."""

from __future__ import annotations

import random
import re

from slmfix_exp.dsl.bash.scanner import _Token

# ---------------------------------------------------------------------------------------------------------------

_MISSPELLINGS = {
    "fi": ("fii", "fie", "if"),
    "done": ("doen", "don", "dnoe"),
    "do": ("od", "d0"),
    "then": ("thn", "than", "hten"),
    "esac": ("esca", "esacc"),
}
_SWAP_UTILITY = {
    "head": "tail", "tail": "head", "cp": "mv", "mv": "cp", "gzip": "bzip2", "bzip2": "gzip", "gunzip": "bunzip2",
    "bunzip2": "gunzip", "zcat": "bzcat", "less": "more", "more": "less", "pkill": "killall", "killall": "pkill",
    "mkdir": "rmdir", "rmdir": "mkdir", "md5sum": "sha256sum", "sha256sum": "md5sum", "curl": "wget",
    "wget": "curl", "chmod": "chown", "chown": "chmod", "grep": "egrep", "du": "df", "df": "du", "ls": "dir",
}  # fmt: skip
_SIBLING_OPTIONS = {
    "grep": ("-i", "-v", "-c", "-l", "-n", "-w", "-o", "-r", "-E", "-F", "-x", "-h", "-H", "-q", "-s"),
    "sort": ("-n", "-r", "-u", "-h", "-f", "-V", "-b", "-M"),
    "ls": ("-l", "-a", "-t", "-S", "-r", "-h", "-R", "-1", "-d", "-A"),
    "rm": ("-r", "-f", "-i", "-v", "-d", "-rf", "-I"),
    "cp": ("-r", "-a", "-p", "-v", "-i", "-u", "-n", "-f", "-R"),
    "mv": ("-i", "-f", "-n", "-v", "-u"),
    "du": ("-s", "-h", "-a", "-c", "-sh", "-k", "-m"),
    "df": ("-h", "-i", "-T", "-k", "-m", "-H"),
    "tar": ("-c", "-x", "-t", "-czf", "-xzf", "-tzf", "-cjf", "-xjf", "-cvf", "-xvf"),
    "wc": ("-l", "-w", "-c", "-m", "-L"),
    "uniq": ("-c", "-d", "-u", "-i"),
    "head": ("-n", "-c"),
    "tail": ("-n", "-c", "-f", "-F"),
    "chmod": ("-R", "-v", "-c", "-f"),
    "chown": ("-R", "-v", "-c", "-h"),
    "mkdir": ("-p", "-v"),
    "ln": ("-s", "-f", "-sf", "-n", "-v"),
    "find": ("-name", "-iname", "-path", "-regex", "-lname"),
    "gzip": ("-k", "-d", "-9", "-1", "-r", "-f", "-v", "-c"),
    "curl": ("-O", "-L", "-s", "-I", "-k", "-f", "-v", "-S"),
    "wget": ("-q", "-c", "-b", "-r", "-N", "-nv"),
    "ps": ("aux", "-ef", "-e", "-u", "-A"),
    "kill": ("-9", "-15", "-HUP", "-TERM", "-KILL", "-INT"),
    "cut": ("-d", "-f", "-c", "-b"),
    "xargs": ("-0", "-r", "-t", "-p"),
    "sed": ("-i", "-n", "-E", "-r", "-e"),
    "awk": ("-F", "-v", "-f"),
}
_EXTENSIONS = ("txt", "log", "py", "sh", "csv", "json", "md", "conf", "bak", "html", "js", "gz", "xml", "yaml", "c")
_VALUE_WORDS = ("data", "tmp", "backup", "logs", "old", "new", "src", "test", "out", "cache", "docs", "build")
_PLAIN_VALUE = re.compile(r"""(['"]?)([\w./~*+:,@%=-]+)\1""")
_STRUCTURAL_FLAGS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
_TEST_UTILITIES = frozenset({"[", "[[", "test"})


def _edit(src: str, start: int, end: int, new: str = "") -> str:
    return src[:start] + new + src[end:]


def _delete_word(src: str, tok: _Token) -> str:
    """Remove a word and the blanks before it, keeping the line structure."""
    start = tok.start
    while start > 0 and src[start - 1] in " \t":
        start -= 1
    return _edit(src, start, tok.end)


def _alter_value(text: str, rng: random.Random) -> str:
    """A plausible wrong value: another number, another extension, or another path / pattern word."""
    numbers = list(re.finditer(r"\d{1,9}", text))
    if numbers:
        m = rng.choice(numbers)
        old = int(m.group())
        number = old + rng.choice([d for d in (-2, -1, 1, 2, 5, 10) if old + d >= 0])
        return text[: m.start()] + str(number) + text[m.end() :]
    ext = re.search(r"\.([A-Za-z][A-Za-z0-9]{0,4})(?=$|['\"/])", text)
    if ext:
        other = rng.choice([e for e in _EXTENSIONS if e != ext.group(1)])
        return text[: ext.start(1)] + other + text[ext.end(1) :]
    runs = list(re.finditer(r"[A-Za-z]{2,}", text))
    if runs:
        m = rng.choice(runs)
        other = rng.choice([w for w in _VALUE_WORDS if w != m.group()])
        return text[: m.start()] + other + text[m.end() :]
    return text + "x"


# ---------------------------------------------------------------------------------------------------------------
# The language.
