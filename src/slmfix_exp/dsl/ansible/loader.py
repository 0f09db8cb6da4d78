"""YAML with marks (line and column of every key and value), and the Jinja syntax of templated values."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from slmfix_exp.dsl.base import Diagnostic

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAX_DEPTH = 100
_MAX_FLOW_DEPTH = 1000  # cheap pre-check before composing, on a bound of the depth
_MAX_REINDENT_LINES, _MAX_REINDENT_TRIES = 400, 12  # a YAML error's re-indentation: task-sized programs, few tries
_MAX_NODES = 200_000  # after alias expansion: a "billion laughs" document is refused, not walked
_ANSIBLE_STRING_TAGS = {"!unsafe", "!vault", "!vault-encrypted"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class YMap(dict):
    """A mapping that remembers, for each key, its key and value nodes (for line/column and text spans)."""

    nodes: dict[Any, tuple[yaml.Node, yaml.Node]]
    node: yaml.Node


class YSeq(list):
    """A sequence that remembers the node of each item."""

    nodes: list[yaml.Node]
    node: yaml.Node


class _YamlProblem(Exception):
    def __init__(self, rule: str, message: str, node: yaml.Node | None = None) -> None:
        super().__init__(message)
        self.rule, self.message, self.node = rule, message, node


def _pos(node: yaml.Node | None) -> tuple[int, int]:
    if node is None:
        return 0, 0
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns a composed node graph into YMap/YSeq/scalars, reporting duplicate keys; aliases share one object."""

    def __init__(self) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.duplicates: list[Diagnostic] = []

    @staticmethod
    def _children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    def _size(self, node: yaml.Node, depth: int) -> int:
        if depth > _MAX_DEPTH:
            raise _YamlProblem("too-deep", f"YAML nests deeper than {_MAX_DEPTH} levels", node)
        key = id(node)
        if key not in self.sizes:
            self.sizes[key] = 1 + sum(self._size(c, depth + 1) for c in self._children(node))
        return self.sizes[key]

    def build(self, node: yaml.Node) -> Any:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
        elif node.tag not in _COLLECTION_TAGS:
            raise _YamlProblem("yaml-tag", f"unsupported YAML tag {node.tag!r}", node)
        elif isinstance(node, yaml.SequenceNode):
            value = YSeq()
            value.node, value.nodes = node, list(node.value)
            self.memo[key] = value
            value.extend(self.build(item) for item in node.value)
        else:
            value = YMap()
            value.node, value.nodes = node, {}
            self.memo[key] = value
            merged: dict[Any, tuple[Any, yaml.Node, yaml.Node]] = {}
            for knode, vnode in node.value:
                if knode.tag == _MERGE_TAG:
                    for source in vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]:
                        built = self.build(source)
                        if not isinstance(built, YMap):
                            raise _YamlProblem("yaml-merge", "a merge key (<<) needs a mapping", source)
                        for k, v in built.items():
                            merged.setdefault(k, (v, *built.nodes[k]))
                    continue
                k = self.build(knode)
                if isinstance(k, (list, dict)):
                    raise _YamlProblem("yaml-key", "a mapping key must be a scalar, not a collection", knode)
                if k in value:
                    first = _pos(value.nodes[k][0])[0]
                    line, col = _pos(knode)
                    self.duplicates.append(
                        Diagnostic(line, col, "duplicate-key", f"duplicate key {k!r} (first at line {first})")
                    )
                value[k] = self.build(vnode)
                value.nodes[k] = (knode, vnode)
            for k, (v, knode, vnode) in merged.items():
                if k not in value:
                    value[k] = v
                    value.nodes[k] = (knode, vnode)
        self.memo[key] = value
        return value

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in _ANSIBLE_STRING_TAGS:
            return str(node.value)
        if node.tag.startswith("!") or (node.tag.startswith("tag:yaml.org,2002:python/")):
            raise _YamlProblem("yaml-tag", f"unsupported YAML tag {node.tag!r}", node)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise _YamlProblem("yaml-tag", f"cannot load value: {exc.problem}", node) from None
        finally:
            self.constructor.constructed_objects.clear()
        return value


def _flow_depth(program: str) -> int:
    """Deepest nesting of flow brackets, quotes ignored (so only a bound): libyaml is slow to compose deeply nested
    `[` (docs/validators.md); the exact depth limit is checked on the composed nodes."""
    if program.count("[") + program.count("{") <= _MAX_FLOW_DEPTH:
        return 0
    depth = deepest = 0
    for ch in program:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of one document, marks kept; raises yaml.YAMLError."""
    loader = _SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def reindent(program: str, line: int) -> tuple[int, int, int, str] | None:
    """A YAML syntax error that one line's indentation explains (the commonest slip in a hand-written task): (the
    line, its indentation, the one that parses, the program so re-indented). The error line and the lines around it
    are tried, each with its neighbours' indentation, the smallest shift first."""
    lines = program.splitlines(keepends=True)
    if not 0 < line <= len(lines) + 1 or len(lines) > _MAX_REINDENT_LINES:
        return None

    def indent(k: int) -> int:
        return len(lines[k]) - len(lines[k].lstrip(" "))

    tries = []
    for distance, k in enumerate((line - 1, line - 2, line, line - 3)):
        if not 0 <= k < len(lines) or not lines[k].strip() or lines[k].lstrip().startswith("#"):
            continue
        above = [j for j in range(k - 1, max(-1, k - 8), -1) if lines[j].strip()]
        below = next((j for j in range(k + 1, len(lines)) if lines[j].strip()), None)
        for j in [*above, *([below] if below is not None else [])]:
            levels = {indent(j)} | ({indent(j) + 2} if lines[j].lstrip(" ").startswith("- ") and j < k else set())
            tries += [(abs(level - indent(k)), distance, k, level) for level in levels if level != indent(k)]
    seen = set()
    for _, _, k, level in sorted(tries)[:_MAX_REINDENT_TRIES]:
        if (k, level) in seen:
            continue
        seen.add((k, level))
        text = "".join([*lines[:k], " " * level + lines[k].lstrip(" "), *lines[k + 1 :]])
        try:
            _compose(text)
        except yaml.YAMLError:
            continue
        return k + 1, indent(k), level, text
    return None


def closed_jinja(text: str) -> str | None:
    """`{{ item }` or `{{ item ` closed (`{{ item }}`), if that is all that is wrong with the template."""
    out, at = [], 0
    while (start := text.find("{{", at)) >= 0:
        end, reopen = text.find("}}", start + 2), text.find("{{", start + 2)
        if end >= 0 and (reopen < 0 or end < reopen):
            out.append(text[at : end + 2])
            at = end + 2
            continue
        stop = reopen if reopen >= 0 else len(text)
        raw = text[start + 2 : stop]
        body = raw.rstrip()
        trailing = raw[len(body) :] if stop < len(text) else ""
        body = body[:-1].rstrip() if body.endswith("}") else body
        out.append(text[at:start] + "{{" + body + (" }}" if body.startswith(" ") else "}}") + trailing)
        at = stop
    fixed = "".join(out) + text[at:]
    return fixed if fixed != text and jinja_error(fixed) is None else None


def load_yaml(program: str) -> tuple[Any, list[Diagnostic]]:
    """Safe-load one YAML document keeping node marks. Returns (data, diagnostics); data is None on a fatal error."""
    if _flow_depth(program) > _MAX_FLOW_DEPTH:
        return None, [Diagnostic(0, 0, "too-deep", f"YAML nests deeper than {_MAX_DEPTH} levels")]
    try:
        root = _compose(program)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and mark.index >= len(program.rstrip()):  # "end of stream": point at the opener
            mark = exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        indent = reindent(program, line)
        if indent is not None:
            what += f" (line {indent[0]} is indented {indent[1]} spaces: indent it {indent[2]})"
        return None, [Diagnostic(line, col, "yaml-syntax", f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(0, 0, "yaml-syntax", f"YAML error: {str(exc).splitlines()[0][:200]}")]
    if root is None:
        return None, [Diagnostic(0, 0, "empty", "program is empty")]
    builder = _Builder()
    try:
        size = builder._size(root, 0)
        if size > _MAX_NODES:
            return None, [Diagnostic(0, 0, "yaml-too-large", f"YAML expands to {size} nodes through aliases")]
        data = builder.build(root)
    except _YamlProblem as exc:
        line, col = _pos(exc.node)
        return None, [Diagnostic(line, col, exc.rule, exc.message)]
    except RecursionError:
        return None, [Diagnostic(0, 0, "too-deep", "YAML nests too deeply")]
    return data, builder.duplicates


def is_jinja(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


@cache
def _jinja_env() -> Any:
    import jinja2

    # Parsed only, never rendered. The two extensions are ones users commonly enable in ansible.cfg.
    return jinja2.Environment(extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"])


@cache
def jinja_error(source: str, conditional: bool = False) -> str | None:
    """The Jinja syntax error in a templated value (or a bare `when:` expression), or None."""
    import jinja2

    text = source if not conditional or is_jinja(source) else "{% if " + source + " %}{% endif %}"
    try:
        _jinja_env().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return exc.message or "invalid Jinja"
    except Exception as exc:  # a lexer crash on odd text is a syntax verdict too
        return f"{type(exc).__name__}: {exc}"[:200]
    return None
