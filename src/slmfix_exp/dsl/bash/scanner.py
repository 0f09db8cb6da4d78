"""A quote-aware scanner of Bash: words and operators with their spans, plus the quote / substitution / group
pairs. It never fails and is linear in the input, so it backs the tree when bashlex gives up, and the mutations
(which edit spans and keep everything else verbatim)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
