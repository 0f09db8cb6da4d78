"""Options: every simple command, in substitutions too, read against its utility's spec (`checker.py`)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from slmfix_exp.dsl.bash.checker import Checker, Finding, Word
from slmfix_exp.dsl.bash.scanner import _commands, _Scan, _scan, _Token, _unquote

# ---------------------------------------------------------------------------------------------------------------

_SUBSTITUTIONS = ("$(", "`", "<(")
_EXPANDS = re.compile(r"\$[A-Za-z_{(0-9@*#?!$'\"-]|`")


def _dynamic(text: str) -> bool:
    """Whether a word expands to something unknown before the utility sees it: a parameter, a substitution, an
    ANSI-C string (`$'\\t'`) or a brace expansion (`{a,b}`, `{1..5}`); single-quoted text never does."""
    if "$" not in text and "`" not in text and "{" not in text:
        return False
    if "'" not in text:
        return bool(_EXPANDS.search(text)) or bool(re.search(r"\{[^{}]*(?:,|\.\.)[^{}]*\}", text))
    outside, quote, i = [], "", 0
    while i < len(text):  # drop single-quoted stretches (outside double quotes), keep the rest
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = ""
        elif ch == "\\":
            outside.append(text[i : i + 2])
            i += 1
        elif ch == "'" and not quote and not (i > 0 and text[i - 1] == "$"):
            quote = "'"
        else:
            if ch == '"':
                quote = "" if quote else '"'
            outside.append(ch)
        i += 1
    rest = "".join(outside)
    return bool(_EXPANDS.search(rest)) or bool(re.search(r"\{[^{}]*(?:,|\.\.)[^{}]*\}", rest))


_SPLITS = re.compile(r"""\$[@*]|\[[@*]\]|[*?]|\[.*\]""")
_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")


def _many(text: str) -> bool:
    """Whether a word may become several words (or none): an unquoted expansion or glob, "$@", a brace list."""
    if re.search(r"\$\{?[@*]|\[[@*]\]", text):
        return True
    bare = _QUOTED.sub("", text)  # what stands outside quotes
    return bool(_SPLITS.search(bare) or "$" in bare or "`" in bare) or bool(re.search(r"\{[^{}]*(?:,|\.\.)", bare))


def _words(tokens: Sequence[_Token], offset: int) -> list[Word]:
    return [
        Word(t.text, _unquote(t.text), offset + t.start, offset + t.end, _dynamic(t.text), _many(t.text))
        for t in tokens
    ]


_DEFINED = re.compile(r"([A-Za-z_][A-Za-z0-9_.:-]*)(?:\[[^\]]*\])?\+?=")  # name= of assignments and aliases
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _defined(scan: _Scan) -> set[str]:
    """Names the program defines: functions (`f() {`, `function f`), whose calls aren't utilities, and aliases and
    variables (`alias ll=...`, `x=...`, `for x in`, `read x`): a command word that names one is the program's own
    slip, if any, not a made-up utility, so the command-name check leaves it alone."""
    names, toks = set(), scan.tokens
    for k, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        if k + 2 < len(toks) and toks[k + 1].text == "(" and toks[k + 2].text == ")":
            names.add(tok.text)
        elif tok.text in ("function", "for", "select") and k + 1 < len(toks) and toks[k + 1].kind == "word":
            names.add(toks[k + 1].text.removesuffix("()"))
        elif (m := _DEFINED.match(_unquote(tok.text))) is not None:
            names.add(m.group(1))
        elif tok.text == "read":
            names.update(t.text for t in toks[k + 1 : k + 8] if t.kind == "word" and _NAME.fullmatch(t.text))
    return names


def _case_patterns(scan: _Scan) -> set[int]:
    """Where the patterns of `case` items start (`a|b)`): words, not commands."""
    out, state = set(), ""  # "": commands; "word": after `case`; "pattern": where a pattern may stand
    for tok in scan.tokens:
        if tok.kind == "nl":
            continue
        if state == "pattern":
            if tok.kind == "word" and tok.text == "esac":
                state = ""
            elif tok.kind == "word":
                out.add(tok.start)
            elif tok.text == ")":
                state = ""
            continue
        if tok.kind == "word" and tok.text == "case":
            state = "word"
        elif (state == "word" and tok.kind == "word" and tok.text == "in") or tok.text in (";;", ";&", ";;&"):
            state = "pattern"
    return out


def option_findings(checker: Checker, src: str, offset: int = 0, depth: int = 0) -> list[Finding]:
    """The option checker's findings on every simple command of `src` (positions offset by `offset`): those of
    the top level, of its command and process substitutions (to a bounded depth) and of `sh -c` scripts."""
    if depth > 12:
        return []
    scan = _scan(src)
    defined = _defined(scan)
    patterns = _case_patterns(scan) if "case" in src else set()
    findings: list[Finding] = []

    def script(word: Word, level: int) -> list[Finding]:
        if "`" in word.text or "$(" in word.text:  # built by a substitution: not a script we can read
            return []
        inner = word.value
        base = word.start + (1 if word.text[:1] in "'\"" else 0)
        found = option_findings(checker, inner, base, depth + level)
        return [dataclasses.replace(f, start=max(f.start, word.start), end=min(f.end, word.end)) for f in found]

    for cmd in _commands(scan):
        if cmd.util < 0 or cmd.words[cmd.util].text in defined or cmd.words[cmd.util].start in patterns:
            continue
        findings.extend(checker.check(_words(cmd.words[cmd.util :], offset), script))
    outer = -1
    for pair in scan.pairs:  # in opening order: an outermost substitution before those inside it
        if pair.kind not in _SUBSTITUTIONS or pair.start < outer:
            continue
        end = pair.end if pair.end > 0 else len(src)
        outer = end
        inner = src[pair.start + len(pair.kind) : end - 1 if pair.end > 0 else end]
        if pair.kind == "`":
            inner = inner.replace("\\`", "`")
        findings.extend(option_findings(checker, inner, offset + pair.start + len(pair.kind), depth + 1))
    return findings


# ---------------------------------------------------------------------------------------------------------------
# Trees: bashlex where it parses (after masking what bashlex 0.18 can't read), the scanner where it doesn't.
# Labels: script, list, pipeline, command, util:X, flag:-x, word:X, assign:X=Y, redirect:>, fd:N, subst, if, for,
# while, until, subshell, group, function:NAME, kw:else, op:&&, ...
