"""Trees: bashlex where it parses (after masking what bashlex 0.18 can't read), the scanner where it doesn't."""

from __future__ import annotations

import bisect

import bashlex
import bashlex.errors
import zss

from slmfix_exp.dsl.bash.scanner import _ASSIGNMENT, _KEYWORDS, _REDIRECTS, _Pair, _Scan, _scan, _Token, _unquote

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
