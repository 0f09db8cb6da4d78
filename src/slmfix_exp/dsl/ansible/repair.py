"""Repair help: the argument lists a repair prompt shows, and the rule-based fixes (the `rules` baseline)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from slmfix_exp.dsl.ansible.checker import check_program
from slmfix_exp.dsl.ansible.loader import (
    _MAX_FLOW_DEPTH,
    _MAX_NODES,
    _compose,
    _flow_depth,
    _pos,
    _SafeLoader,
    reindent,
)
from slmfix_exp.dsl.ansible.mutations import _load_scalar
from slmfix_exp.dsl.base import Diagnostic, Validation

# Diagnostics about a builtin module's arguments: their messages name the module as check_args labels it.
_ARG_RULES = {
    "unknown-arg",
    "missing-required-arg",
    "bad-choice",
    "bad-type",
    "free-form-args",
    "mutually-exclusive",
    "required-one-of",
    "required-together",
    "required-if",
    "required-by",
}
# check_args' label: `ansible.builtin.<module>`, `... (as ansible.builtin.<backend>)` for package/service, and
# `... -> <option>` for suboptions. Not preceded by a quote: a quoted name is the argument, not the module.
_LABEL_RE = re.compile(r"(?<![\w.'\"])(ansible\.builtin\.(\w+)(?: \(as ansible\.builtin\.(\w+)\))?((?: -> \w+)*))")
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_HINT_RE = re.compile(rf" \(did you mean ({_QUOTED})\?\)$")
_UNKNOWN_ARG_RE = re.compile(rf"^({_QUOTED}|\S+) is not an argument of ")
_KEYWORD_RE = re.compile(rf"^({_QUOTED}|\S+) is not an? (?:task|block|play|loop_control) keyword")
_INDENT_RE = re.compile(rf"^({_QUOTED}) is not a task keyword \(an argument of \S+: indent it under ({_QUOTED})\)$")
_CHOICE_RE = re.compile(rf"^'(\w+)' of .+ must be one of: .*; got (.+?)(?: \(did you mean ({_QUOTED})\?\))?$")
_REQUIRED_RE = re.compile(rf" requires argument ({_QUOTED})$")
_CLOSE_RE = re.compile(rf"^Jinja syntax error in ({_QUOTED}): .* \(close it: ({_QUOTED})\)$", re.S)
_MODULE_RE = re.compile(rf"^unknown module ({_QUOTED})")
_MAX_ARGUMENTS_TEXT = 400  # per module: a repair prompt has room for the validator's messages first


def _literal(text: str | None) -> Any:
    """A value the checker wrote with repr(), or None."""
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def _labelled_options(specs: dict[str, Any], message: str) -> tuple[str, dict[str, Any]] | None:
    """(the module as the message labels it, the options checked) for a message about a builtin module's arguments."""
    found = _LABEL_RE.search(message)
    if found is None:
        return None
    label, module, backend, chain = found.groups()
    spec = specs["modules"].get(backend or module)
    if spec is None or spec.get("any_keys"):
        return None
    options = spec.get("options") or {}
    for name in chain.split(" -> ")[1:]:
        options = (options.get(name) or {}).get("options") or {}
    return label, options


def _spelling(name: str) -> str:
    """A name with its spelling variants folded (`allow-downgrades` is `allow_downgrade`): such aliases are not
    worth a prompt's room."""
    return name.replace("-", "_").rstrip("s")


def _argument_list(options: dict[str, Any], limit: int = _MAX_ARGUMENTS_TEXT) -> str:
    """`path* (dest, name), mode, ...`: required arguments first (starred), then the rest, each group alphabetical,
    aliases in brackets (a draft's `name:` is often apt's alias of `package`); cut at a whole name past `limit`
    characters. Internal options (`_raw_params`) are left out."""

    def required(name: str) -> bool:
        return bool((options[name] or {}).get("required"))

    names = sorted((n for n in options if not n.startswith("_")), key=lambda n: (not required(n), n))
    text = ""
    for name in names:
        aliases = ", ".join(a for a in (options[name] or {}).get("aliases") or () if _spelling(a) != _spelling(name))
        item = (f"{name}*" if required(name) else name) + (f" ({aliases})" if aliases else "")
        piece = f", {item}" if text else item
        if len(text) + len(piece) > limit:
            return text + ", ..."
        text += piece
    return text


def repair_context(program: str, validation: Validation, specs: dict[str, Any]) -> str:
    """For each of the first three errors about a builtin module's arguments, that module's argument names (and,
    for a bad choice, the argument's choices), each line once."""
    lines: list[str] = []
    for d in validation.errors[:3]:
        indent = d.rule == "unknown-keyword" and "(an argument of " in d.message
        if d.rule not in _ARG_RULES and not indent:
            continue
        found = _labelled_options(specs, d.message.split("(an argument of ", 1)[-1] if indent else d.message)
        if found is None:
            continue
        label, options = found
        listed = _argument_list(options)
        if listed:
            lines.append(f"{label} arguments: {listed}")
        choice = _CHOICE_RE.match(d.message) if d.rule == "bad-choice" else None
        choices = (options.get(choice.group(1)) or {}).get("choices") if choice else None
        if choice and choices:
            lines.append(f"{choice.group(1)} choices: {', '.join(map(str, choices))}")
    return "\n".join(dict.fromkeys(lines))


@dataclass
class _Entry:
    """One `key: value` of a mapping in the program text."""

    key: yaml.Node
    value: yaml.Node
    parent: yaml.MappingNode


def _entries(program: str) -> dict[tuple[int, int], _Entry] | None:
    """Every mapping entry of the program by the 1-based (line, column) of its key, where diagnostics point."""
    if _flow_depth(program) > _MAX_FLOW_DEPTH:
        return None
    try:
        root = _compose(program)
    except yaml.YAMLError:
        return None
    found: dict[tuple[int, int], _Entry] = {}
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen or len(seen) > _MAX_NODES:  # aliases share nodes: each is visited once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                found.setdefault(_pos(knode), _Entry(knode, vnode, node))
                stack.extend((knode, vnode))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], first: int, column: int, sequence: bool) -> int:
    """The index after the last line of the entry whose key is on `lines[first]` at 0-based `column`: the lines
    indented deeper below it (a block value, a multi-line scalar), and `- ` items at its own column when its value is
    a block sequence. Trailing blank lines are not the entry's."""
    end = index = first + 1
    while index < len(lines):
        text = lines[index]
        stripped = text.strip()
        if stripped:
            indent = _indent_of(text)
            item = sequence and indent == column and (stripped == "-" or stripped.startswith("- "))
            if indent <= column and not item:
                break
            end = index + 1
        index += 1
    return end


def _line_starts(program: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\n", program))
    return starts


def _scalar_text(new: str, node: yaml.ScalarNode) -> str:
    """`new` written in the style of the scalar it replaces: quoted as it was, or plain when YAML reads it back as
    the same string."""
    if node.style in ('"', "'"):
        return json.dumps(new) if node.style == '"' else "'" + new.replace("'", "''") + "'"
    try:
        same = yaml.load(new, Loader=_SafeLoader) == new
    except yaml.YAMLError:
        same = False
    return new if same else json.dumps(new)


class _Fixer:
    """Text edits that apply one diagnostic's own suggestion; each returns the new program or None."""

    def __init__(self, program: str, specs: dict[str, Any]) -> None:
        self.program, self.specs = program, specs
        self.entries = _entries(program) or {}
        self.lines = program.splitlines(keepends=True)

    def fix(self, d: Diagnostic, errors: Sequence[Diagnostic]) -> str | None:
        if d.rule == "jinja-syntax" and (m := _CLOSE_RE.match(d.message)):
            broken, closed = _literal(m.group(1)), _literal(m.group(2))
            if isinstance(broken, str) and isinstance(closed, str) and self.program.count(broken) == 1:
                return self.program.replace(broken, closed)
        entry = self.entries.get((d.line, d.column))
        if entry is None:
            return None
        if d.rule == "missing-required-arg" and (m := _REQUIRED_RE.search(d.message)):
            return self.stand_in(entry, _literal(m.group(1)), errors)
        hint = _literal(m.group(1)) if (m := _HINT_RE.search(d.message)) else None
        if d.rule == "unknown-arg" and (m := _UNKNOWN_ARG_RE.match(d.message)):
            key = _literal(m.group(1))
            if not isinstance(key, str):
                return None
            if isinstance(hint, str) and not self.given(entry, key, hint):
                return self.rename(entry, key, hint)
            # no near name, or one already given (a rename would duplicate it): it may stand in for a missing
            # required argument of its task (reported after it for `k=v` arguments), else the invented argument goes
            for e in errors:
                other = self.entries.get((e.line, e.column)) if e.rule == "missing-required-arg" else None
                required = _REQUIRED_RE.search(e.message) if other is not None else None
                if required and other is not None and (other.value is entry.parent or other is entry):
                    renamed = self.stand_in(other, _literal(required.group(1)), errors)
                    if renamed is not None:
                        return renamed
            return self.delete(entry, key)
        if d.rule == "unknown-keyword" and (m := _INDENT_RE.match(d.message)):
            return self.indent(entry, _literal(m.group(1)), _literal(m.group(2)))
        if d.rule in ("unknown-keyword", "unknown-play-keyword") and (m := _KEYWORD_RE.match(d.message)):
            key = _literal(m.group(1))
            return self.rename(entry, key, hint) if isinstance(key, str) and isinstance(hint, str) else None
        if d.rule == "bad-choice" and (m := _CHOICE_RE.match(d.message)) and m.group(3):
            return self.choose(entry, d.message, m.group(1), _literal(m.group(2)), _literal(m.group(3)))
        if d.rule == "unknown-module" and (m := _MODULE_RE.match(d.message)) and isinstance(hint, str):
            return self.rename_module(entry, _literal(m.group(1)), hint)
        return None

    # ---- the edits ----------------------------------------------------------------------------------------

    def replace(self, start: int, end: int, text: str) -> str:
        return self.program[:start] + text + self.program[end:]

    def kv_token(self, entry: _Entry, key: str) -> re.Match[str] | None:
        """The one `key=value` of free-form `k=v` arguments (`apt: name=x pkg=y`), matched in the program text."""
        node = entry.value
        if not isinstance(node, yaml.ScalarNode) or node.style not in (None, ""):
            return None
        pattern = re.compile(rf"(?<!\S){re.escape(key)}=(?:{_QUOTED}|\S+)")
        found = list(pattern.finditer(self.program, node.start_mark.index, node.end_mark.index))
        return found[0] if len(found) == 1 else None

    def stand_in(self, entry: _Entry, required: Any, errors: Sequence[Diagnostic]) -> str | None:
        """A required argument missing where the task gives exactly one unknown argument, with no near name but
        this one: that argument is the one the author meant (`destination` for copy's `dest`), renamed."""
        if not isinstance(required, str):
            return None
        args = entry.value  # the diagnostic points at the module key; its value holds the arguments
        unknown = []
        for e in errors:
            m = _UNKNOWN_ARG_RE.match(e.message) if e.rule == "unknown-arg" else None
            other = self.entries.get((e.line, e.column))
            if m is None or other is None or not (other.parent is args or other is entry):
                continue
            hint = _literal(h.group(1)) if (h := _HINT_RE.search(e.message)) else None
            unknown.append((other, _literal(m.group(1)), hint))
        if len(unknown) != 1 or unknown[0][2] not in (None, required) or not isinstance(unknown[0][1], str):
            return None
        other, key, _ = unknown[0]
        return None if self.given(other, key, required) else self.rename(other, key, required)

    def given(self, entry: _Entry, key: str, other: str) -> bool:
        """Whether the arguments holding `key` also give `other`."""
        if isinstance(entry.key, yaml.ScalarNode) and entry.key.value == key:
            return any(isinstance(k, yaml.ScalarNode) and k.value == other for k, _ in entry.parent.value)
        return self.kv_token(entry, other) is not None

    def rename(self, entry: _Entry, key: str, new: str) -> str | None:
        knode = entry.key
        if isinstance(knode, yaml.ScalarNode) and knode.value == key:
            return self.replace(knode.start_mark.index, knode.end_mark.index, _scalar_text(new, knode))
        token = self.kv_token(entry, key)
        if token is None:
            return None
        return self.replace(token.start(), token.start() + len(key), new)

    def delete(self, entry: _Entry, key: str) -> str | None:
        knode, vnode = entry.key, entry.value
        if not (isinstance(knode, yaml.ScalarNode) and knode.value == key):
            token = self.kv_token(entry, key)
            if token is None:
                return None
            start, end = token.start(), token.end()
            while start > 0 and self.program[start - 1] in " \t":  # the space before it goes with it
                start -= 1
            return self.replace(start, end, "")
        if entry.parent.flow_style:  # `{name: x, bogus: y}`: the pair and one comma next to it
            start, end = knode.start_mark.index, vnode.end_mark.index
            after = re.compile(r"\s*,[ \t]*").match(self.program, end)
            if after:
                return self.replace(start, after.end(), "")
            before = re.search(r",\s*$", self.program[:start])
            return self.replace(before.start() if before else start, end, "")
        first, column = knode.start_mark.line, knode.start_mark.column
        if self.lines[first][:column].strip():  # the key shares its line (`- bogus: 1`): no whole lines to cut
            return None
        sequence = isinstance(vnode, yaml.SequenceNode) and not vnode.flow_style
        end = _block_end(self.lines, first, column, sequence)
        return "".join(self.lines[:first] + self.lines[end:])

    def choose(self, entry: _Entry, message: str, name: str, bad: Any, choice: Any) -> str | None:
        if not isinstance(choice, str):
            return None
        vnode: yaml.Node | None = entry.value
        if isinstance(vnode, yaml.SequenceNode):  # a list argument: the item that is not a choice
            items = [n for n in vnode.value if isinstance(n, yaml.ScalarNode) and _load_scalar(n) == bad]
            vnode = items[0] if items else None
        if isinstance(vnode, yaml.ScalarNode) and _load_scalar(vnode) == bad:
            return self.replace(vnode.start_mark.index, vnode.end_mark.index, _scalar_text(choice, vnode))
        # free-form `k=v`: the key as written may be an alias of the argument the message names
        found = _labelled_options(self.specs, message)
        option = (found[1].get(name) or {}) if found else {}
        for key in (name, *(option.get("aliases") or ())):
            token = self.kv_token(entry, key)
            if token is not None and token.group(0) == f"{key}={bad}":
                return self.replace(token.start() + len(key) + 1, token.end(), choice)
        return None

    def rename_module(self, entry: _Entry, written: Any, hint: str) -> str | None:
        if not isinstance(written, str):
            return None
        # the author's own style: a short name stays short
        new = (
            hint.split(".", 2)[2]
            if hint.startswith("ansible.builtin.") and not written.startswith("ansible.")
            else hint
        )
        knode, vnode = entry.key, entry.value
        if knode.value == written:
            return self.replace(knode.start_mark.index, knode.end_mark.index, new)
        if knode.value in ("action", "local_action"):
            if isinstance(vnode, yaml.MappingNode):  # `action: {module: aptt, ...}`
                for k, v in vnode.value:
                    if k.value == "module" and isinstance(v, yaml.ScalarNode) and v.value == written:
                        return self.replace(v.start_mark.index, v.end_mark.index, _scalar_text(new, v))
            elif isinstance(vnode, yaml.ScalarNode) and vnode.style in (None, ""):  # `action: aptt name=x`
                start = vnode.start_mark.index
                if self.program.startswith(written, start):
                    return self.replace(start, start + len(written), new)
        return None

    def indent(self, entry: _Entry, key: Any, module: Any) -> str | None:
        """Move an argument written level with its module (and its block) under the module's arguments."""
        knode, task = entry.key, entry.parent
        if task.flow_style or knode.value != key:
            return None
        owner = next((e for k, e in task.value if isinstance(k, yaml.ScalarNode) and k.value == module), None)
        mkey = next((k for k, _ in task.value if isinstance(k, yaml.ScalarNode) and k.value == module), None)
        if owner is None or mkey is None:
            return None
        if isinstance(owner, yaml.MappingNode) and not owner.flow_style and owner.value:
            target = owner.value[0][0].start_mark.column
        elif isinstance(owner, yaml.ScalarNode) and owner.tag == "tag:yaml.org,2002:null" and not owner.value:
            target = mkey.start_mark.column + 2
        else:  # `debug: msg=x` or `{...}`: no block to move it into
            return None
        lines, first, column = self.lines, knode.start_mark.line, knode.start_mark.column
        mfirst = mkey.start_mark.line
        if lines[first][:column].strip() or lines[mfirst][: mkey.start_mark.column].strip():
            return None  # either key opens its task (`- var: x`): moving it would move the dash
        sequence = isinstance(entry.value, yaml.SequenceNode) and not entry.value.flow_style
        end = _block_end(lines, first, column, sequence)
        mend = _block_end(lines, mfirst, mkey.start_mark.column, False)
        shift = target - column
        moved = [line if not line.strip() else " " * shift + line for line in lines[first:end]]
        if first == mend:  # right below the module's block: indenting in place is the whole edit
            return "".join(lines[:first] + moved + lines[end:])
        if not moved[-1].endswith("\n"):  # the program's last line, moved up: it now needs its line break
            moved[-1] += "\n"
        if first > mend:  # after the module's block: cut it, then insert it where the block ends
            rest = lines[:first] + lines[end:]
            return "".join(rest[:mend] + moved + rest[mend:])
        rest = lines[:mend] + moved + lines[mend:]
        return "".join(rest[:first] + rest[end:])


def rule_fix(program: str, validation: Validation, specs: dict[str, Any], unknown_collection: str) -> str | None:
    """The first error's own suggestion applied; an error no rule reads, or whose edit doesn't remove it, passes to
    the next (a misspelt argument's `missing-required-arg` comes first, its did-you-mean second)."""
    first = validation.errors[0] if validation.errors else None
    if first is not None and first.rule == "yaml-syntax":
        indented = reindent(program, first.line)
        return indented[3] if indented is not None else None
    fixer = _Fixer(program, specs)
    before = [(d.rule, d.message) for d in validation.errors]
    for d in validation.errors:
        fixed = fixer.fix(d, validation.errors)
        if fixed is None or fixed == program:
            continue
        after = [(e.rule, e.message) for e in check_program(fixed, unknown_collection).errors]
        broke = any(rule in ("yaml-syntax", "duplicate-key") for rule, _ in after)
        if not broke and after.count((d.rule, d.message)) < before.count((d.rule, d.message)):
            return fixed
    return None
