"""Mutations: how an LLM breaks Bash."""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Container, Iterator, Sequence
from typing import Any

from slmfix_exp.dsl.base import MutationKinds
from slmfix_exp.dsl.bash.checker import Checker, Word
from slmfix_exp.dsl.bash.commands import _words
from slmfix_exp.dsl.bash.known import exists
from slmfix_exp.dsl.bash.scanner import _at_command_position, _Command, _commands, _Scan, _Token, _unquote
from slmfix_exp.dsl.bash.similarity import _SINGLE_DASH_LONG
from slmfix_exp.dsl.bash.spec import Spec

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


# ---- the mutation kinds ------------------------------------------------------------------------------------------
# Each finds its sites in a program and returns a list of edits (rng -> new program). ShellCheck's kinds (no rules:
# any error) break the syntax by construction; the option kinds need the options backend (`checker`) and promise its
# rule; the valid kinds keep the program valid under it.
MUTATIONS = MutationKinds()


@MUTATIONS.invalid("unclosed-quote")
def _sites_unclosed_quote(src: str, scan: _Scan, checker: Checker | None) -> list:
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


@MUTATIONS.invalid("unclosed-substitution")
def _sites_unclosed_substitution(src: str, scan: _Scan, checker: Checker | None) -> list:
    """Drop the closer of the last `$(`, `<(` or backquote: no later closer can stand in for it."""
    last = {"$(": src.rfind(")"), "<(": src.rfind(")"), "`": src.rfind("`")}
    return [
        (lambda rng, e=p.end: _edit(src, e - 1, e))
        for p in scan.pairs
        if p.kind in last and p.end > last[p.kind] >= 0 and not scan.heredoc
    ]


@MUTATIONS.invalid("unclosed-group")
def _sites_unclosed_group(src: str, scan: _Scan, checker: Checker | None) -> list:
    last = src.rfind(")")
    sites = [(lambda rng, e=p.end: _edit(src, e - 1, e)) for p in scan.pairs if p.kind == "(" and p.end > last >= 0]
    starts = _at_command_position(scan)
    opens = sum(t.text == "{" for t in starts)
    closes = [t for t in starts if t.text == "}"]
    if opens and closes and "}" not in src[closes[-1].end :]:
        sites.append(lambda rng, t=closes[-1]: _delete_word(src, t))
    return sites


@MUTATIONS.invalid("unclosed-test")
def _sites_unclosed_test(src: str, scan: _Scan, checker: Checker | None) -> list:
    sites = []
    for cmd in _commands(scan):
        if cmd.words and cmd.words[0].text in ("[", "[[") and len(cmd.words) > 1:
            close = {"[": "]", "[[": "]]"}[cmd.words[0].text]
            if cmd.words[-1].text == close:
                sites.append(lambda rng, t=cmd.words[-1]: _delete_word(src, t))
    return sites


@MUTATIONS.invalid("bad-arithmetic")
def _sites_bad_arithmetic(src: str, scan: _Scan, checker: Checker | None) -> list:
    sites, last = [], src.rfind(")")
    for p in scan.pairs:
        if p.kind in ("$((", "((") and p.end > 0 and src.startswith("))", p.end - 2):
            sites.append(lambda rng, e=p.end: _edit(src, e - 2, e - 2, rng.choice((" +", " *", " -", " /"))))
            if p.end > last and p.kind == "$((":
                sites.append(lambda rng, e=p.end: _edit(src, e - 1, e))
    return sites


def _keyword_sites(scan: _Scan, words: tuple[str, ...]) -> list[_Token]:
    return [t for t in _at_command_position(scan) if t.text in words]


@MUTATIONS.invalid("missing-keyword")
def _sites_missing_keyword(src: str, scan: _Scan, checker: Checker | None) -> list:
    return [lambda rng, t=t: _delete_word(src, t) for t in _keyword_sites(scan, ("fi", "done", "esac", "do"))]


@MUTATIONS.invalid("misspelled-keyword")
def _sites_misspelled_keyword(src: str, scan: _Scan, checker: Checker | None) -> list:
    return [
        lambda rng, t=t: _edit(src, t.start, t.end, rng.choice(_MISSPELLINGS[t.text]))
        for t in _keyword_sites(scan, tuple(_MISSPELLINGS))
    ]


@MUTATIONS.invalid("missing-then")
def _sites_missing_then(src: str, scan: _Scan, checker: Checker | None) -> list:
    return [lambda rng, t=t: _delete_word(src, t) for t in _keyword_sites(scan, ("then",))]


@MUTATIONS.invalid("dangling-operator")
def _sites_dangling_operator(src: str, scan: _Scan, checker: Checker | None) -> list:
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


@MUTATIONS.invalid("unterminated-exec")
def _sites_unterminated_exec(src: str, scan: _Scan, checker: Checker | None) -> list:
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


@MUTATIONS.valid("wrong-flag")
def _sites_wrong_flag(src: str, scan: _Scan, checker: Checker | None) -> list:
    def flip(rng: random.Random, t: _Token) -> str:
        k = rng.randrange(1, len(t.text))
        return _edit(src, t.start + k, t.start + k + 1, t.text[k].swapcase())

    return [
        (lambda rng, t=w: flip(rng, t))
        for cmd, w in _flag_tokens(scan)
        if re.fullmatch(r"-[A-Za-z]{1,4}", w.text) and cmd.utility not in _SINGLE_DASH_LONG
    ]


@MUTATIONS.valid("dropped-flag")
def _sites_dropped_flag(src: str, scan: _Scan, checker: Checker | None) -> list:
    return [
        (lambda rng, t=w: _delete_word(src, t))
        for _, w in _flag_tokens(scan)
        if re.fullmatch(r"--?[A-Za-z0-9][\w-]*(=[\w./,:%+-]*)?", w.text)
    ]


@MUTATIONS.valid("changed-value")
def _sites_changed_value(src: str, scan: _Scan, checker: Checker | None) -> list:
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


@MUTATIONS.valid("swapped-option")
def _sites_swapped_option(src: str, scan: _Scan, checker: Checker | None) -> list:
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


@MUTATIONS.valid("swapped-utility")
def _sites_swapped_utility(src: str, scan: _Scan, checker: Checker | None) -> list:
    return [
        (lambda rng, t=cmd.words[cmd.util]: _edit(src, t.start, t.end, _SWAP_UTILITY[t.text]))
        for cmd in _commands(scan)
        if cmd.util >= 0 and cmd.words[cmd.util].text in _SWAP_UTILITY
    ]


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


def _option_sites(checker: Checker | None, program: str, scan: _Scan) -> Iterator[tuple[str, Spec, list[Word], Any]]:
    """The top-level commands whose utility has a spec, read against it (none without the options backend)."""
    if checker is None:
        return
    for cmd in _commands(scan):
        if cmd.util < 0:
            continue
        words = _words(cmd.words[cmd.util :], 0)
        util = words[0].value.rsplit("/", 1)[-1]
        spec = checker.spec(util)
        if spec is None or words[0].dynamic or util in _OPTIONLESS:
            continue
        yield util, spec, words, checker.parse(util, spec, words)


@MUTATIONS.invalid("unknown-option", rules={"unknown-option"})
def _sites_unknown_option(program: str, scan: _Scan, checker: Checker | None) -> list:
    """An option misspelt into one its utility doesn't have: a letter of a cluster replaced, a letter of a
    long option (or a find primary) dropped or two swapped."""
    sites = []
    for _, spec, words, parsed in _option_sites(checker, program, scan):
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


@MUTATIONS.invalid("bad-argument", rules={"bad-argument"})
def _sites_bad_argument(program: str, scan: _Scan, checker: Checker | None) -> list:
    """An option argument of a simple kind (a number, a size, a field list, a file type) replaced by a word
    of another kind, as an LLM that doesn't know the option writes it."""
    return [
        functools.partial(_replace_with, program, arg.start, arg.end, _WRONG_VALUES[kind])
        for arg, own_word, kind in _typed_arguments(program, scan, checker, _WRONG_VALUES)
        if not (own_word and arg.text != arg.value)  # quoted: keep it simple
    ]


def _typed_arguments(program: str, scan: _Scan, checker: Checker | None, kinds: Container[str]) -> Iterator:
    """(argument, whether it is a word of its own, its kind) for each literal option argument of one of `kinds`."""
    for _, spec, words, parsed in _option_sites(checker, program, scan):
        starts = {w.start for w in words}
        for canon, name, arg, _ in parsed.options:
            opt = spec.options.get(name) or spec.options.get(canon)
            if arg is not None and not arg.dynamic and opt is not None and opt.kind in kinds:
                yield arg, arg.start in starts, opt.kind


# Tellina's unfilled slots in the real NL2Bash drafts (`cut -f [number]`, `head -n [quantity]`, `find -perm
# [permission]`, `find -mtime [timespan]`, `cut -d [regex]`), by the kind of option argument the slot stands in.
_SLOTS = {
    "number": ("[number]", "[quantity]"),
    "find-number": ("[quantity]", "[timespan]", "[number]"),
    "size": ("[size]", "[quantity]"),
    "find-size": ("[size]", "[quantity]"),
    "list": ("[number]",),
    "key": ("[number]",),
    "char": ("[regex]",),
    "duration": ("[timespan]", "[quantity]"),
    "mode": ("[permission]",),
    "find-perm": ("[permission]",),
    "user": ("[regex]",),
    "owner": ("[regex]",),
}
# the slots Tellina leaves where any word goes (valid globs, but not the task's words): a pattern; a file or a path
_PATTERN_SLOTS, _PATH_SLOTS = ("[regex]",), ("[file]", "[path]")
_PLAIN_WORD = re.compile(r"""(['"]?)[\w./~*+:,@%=-]+\1""")


@MUTATIONS.invalid("unfilled-slot", rules={"bad-argument"}, weight=3)  # most of the real drafts' errors
def _sites_unfilled_slot(program: str, scan: _Scan, checker: Checker | None) -> list:
    """An option argument of a simple kind left as the slot a template-filling model didn't fill (`cut -f [number]`):
    a shell passes `[number]` on as it is (a glob matching no file), and the utility refuses it."""
    return [
        functools.partial(_replace_with, program, arg.start, arg.end, _SLOTS[kind])
        for arg, own_word, kind in _typed_arguments(program, scan, checker, _SLOTS)
        if own_word and _PLAIN_WORD.fullmatch(arg.text)
    ]


@MUTATIONS.valid("unfilled-free-slot")
def _sites_unfilled_free_slot(program: str, scan: _Scan, checker: Checker | None) -> list:
    """A pattern or file argument left as a slot (`find . -name [regex]`, `cat [file]`): valid Bash (a glob that
    matches one-letter names), but not the command asked for; the similarity, not the validator, sees it."""
    sites = []
    for _, spec, words, parsed in _option_sites(checker, program, scan):
        slots = {}  # where a free slot may stand: the argument of an option that takes any word, a path operand
        for canon, name, arg, _ in parsed.options:
            opt = spec.options.get(name) or spec.options.get(canon)
            if arg is not None and opt is not None and opt.kind is None and opt.args >= 0:
                slots[arg.start] = _PATH_SLOTS if re.search(r"FILE|DIR|PATH", opt.metavar) else _PATTERN_SLOTS
        slots.update({words[k].start: _PATH_SLOTS for k in parsed.operands if re.search(r"[./]", words[k].value)})
        for w in words[1:]:
            if w.start in slots and not w.dynamic and len(w.text) <= 16 and _PLAIN_WORD.fullmatch(w.text):
                sites.append(functools.partial(_replace_with, program, w.start, w.end, slots[w.start]))
    return sites


@MUTATIONS.invalid("misspelled-command", rules={"unknown-command"}, weight=0.25)  # it applies almost everywhere
def _sites_misspelled_command(program: str, scan: _Scan, checker: Checker | None) -> list:
    """A utility's name with a letter dropped or two neighbours swapped, into a name no system has (`grep` ->
    `grpe`): a shell answers `command not found`."""
    if checker is None:  # without the options backend nothing checks command names
        return []
    sites = []
    for cmd in _commands(scan):
        if cmd.util < 0:
            continue
        head = cmd.words[cmd.util]
        if not re.fullmatch(r"[a-z][a-z0-9]{2,}", head.text):
            continue
        wrong = [m for m in _misspellings(head.text) if not exists(m)]
        if wrong:
            sites.append(functools.partial(_replace_with, program, head.start, head.end, wrong))
    return sites
