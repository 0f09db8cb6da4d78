"""Ansible: a static validator built on ansible-core's own argument specs, plus tree, similarity and mutations.

A program is a playbook (a list of plays) or a task file (a list of tasks, possibly with blocks). The validator
checks, without running anything:

- YAML syntax, duplicate keys and unsupported tags (safe loader only, marks kept for line/column);
- structure: play, block and task keywords against the FieldAttributes of ansible-core's Play/Block/Task/Handler
  classes, keyword value types, loops (`with_<lookup>`), `register` names, handler names in `notify`;
- exactly one module per task, resolved like ansible-core does: short names, `ansible.builtin.*`, `ansible.legacy.*`,
  and the routing table ansible-core ships (`yum` -> `ansible.builtin.dnf`, `ec2` -> `amazon.aws.ec2`);
- module arguments against ansible-core's own specs: unknown and missing required arguments, types, `choices`,
  mutually_exclusive / required_one_of / required_together / required_if / required_by, suboptions, aliases,
  free-form arguments, and the Jinja syntax of templated values and conditionals.

The specs are captured once from ansible-core itself (see `load_specs`) and cached on disk per ansible-core version:
the argument_spec a module hands to AnsibleModule, the spec an action plugin validates, and the DOCUMENTATION
options (the only source for action-only modules such as template). Jinja values and undefined variables are never
errors; a Jinja value just can't be type-checked.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import importlib
import inspect
import io
import json
import os
import pkgutil
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
import zss

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Mutation, Validation


def _keep_sys_intern_a_function() -> None:
    """ansible-core replaces `sys.intern` with a callable object when it is imported; torch's compiler, which
    transformers imports for generation, then refuses to start ("substitute_in_graph expects a function"). Wrapping
    the object in a plain function keeps ansible-core's behaviour and lets both live in one process."""
    import ansible.module_utils._internal._datatag  # noqa: F401  (applies ansible-core's patch now, not mid-run)

    patched = sys.intern
    if not (inspect.isbuiltin(patched) or inspect.isfunction(patched)):

        def intern(string: str, /) -> str:  # the builtin's signature: torch compares them
            return patched(string)

        sys.intern = intern


_keep_sys_intern_a_function()

SPEC_SCHEMA = 8  # bump when the layout of the cached spec table changes

# ---------------------------------------------------------------------------------------------------------------
# The spec table, captured from ansible-core
# ---------------------------------------------------------------------------------------------------------------

_CONSTRAINTS = ("mutually_exclusive", "required_one_of", "required_together", "required_if", "required_by")
# add_host's action plugin turns every argument other than name/groups into a host variable.
_EXTRA_ARGS_ARE_VARS = {"add_host"}


class _Captured(Exception):
    """Raised from a patched AnsibleModule/validate_argument_spec to carry the spec out of a module's main()."""


def _type_name(wanted: Any) -> str | None:
    if wanted is None or isinstance(wanted, str):
        return wanted
    return {int: "int", float: "float", str: "str", bool: "bool", list: "list", dict: "dict"}.get(wanted, "raw")


def _constraints(source: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _CONSTRAINTS:
        value = source.get(key)
        if not value:
            continue
        if key == "required_by":
            out[key] = {k: [v] if isinstance(v, str) else list(v) for k, v in value.items()}
        else:
            out[key] = [list(item) if not isinstance(item, str) else [item] for item in value]
            if key == "required_if":
                out[key] = [[c[0], c[1], list(c[2]), bool(c[3]) if len(c) > 3 else False] for c in out[key]]
    return out


def _norm_code_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """An argument_spec as AnsibleModule gets it -> the JSON-able option table (missing type means str there)."""
    out = {}
    for name, o in spec.items():
        sub = o.get("options")
        out[name] = {
            "type": _type_name(o.get("type", "str")) or "str",
            "required": bool(o.get("required")),
            "choices": list(o["choices"]) if o.get("choices") is not None else None,
            "aliases": list(o.get("aliases") or ()),
            "elements": _type_name(o.get("elements")),
            "has_default": o.get("default") is not None,
            "default": o.get("default") if isinstance(o.get("default"), (str, int, float, bool)) else None,
            "options": _norm_code_spec(sub) if sub else None,
            **_constraints(o),
        }
    return out


def _norm_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"options": _norm_code_spec(kwargs.get("argument_spec") or {}), **_constraints(kwargs)}


def _norm_doc_options(opts: dict[str, Any] | None) -> dict[str, Any]:
    out = {}
    for name, o in (opts or {}).items():
        choices = o.get("choices")
        if isinstance(choices, dict):  # newer docs describe each choice
            choices = list(choices)
        out[name] = {
            "type": o.get("type"),  # None: undocumented, not type-checked
            "required": bool(o.get("required")),
            "choices": list(choices) if choices is not None else None,
            "aliases": list(o.get("aliases") or ()),
            "elements": o.get("elements"),
            "has_default": o.get("default") is not None,
            "default": o.get("default") if isinstance(o.get("default"), (str, int, float, bool)) else None,
            "options": _norm_doc_options(o.get("suboptions")) if o.get("suboptions") else None,
        }
    return out


def capture_module_kwargs(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The keyword arguments each module passes to AnsibleModule (argument_spec, mutually_exclusive, ...), with the
    file arguments where it asks for them. Each module's main() runs with AnsibleModule patched to raise with its
    arguments (as ansible-lint's args rule does); modules backed only by an action plugin (template, debug, ...) make
    no AnsibleModule and are skipped. Only documented modules run (async_wrapper, which daemonises, is not one), and
    never with a working fork."""
    from unittest import mock

    from ansible.module_utils import basic

    def fake_init(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            kwargs["argument_spec"] = args[0]
        raise _Captured(kwargs)

    def no_fork() -> int:
        raise RuntimeError("a module tried to fork while its spec was being read")

    found: dict[str, dict[str, Any]] = {}
    for name in names:
        try:
            module = importlib.import_module(f"ansible.modules.{name}")
        except Exception:
            continue
        if not hasattr(module, "main"):
            continue
        with mock.patch.object(basic.AnsibleModule, "__init__", fake_init), mock.patch.object(os, "fork", no_fork):
            try:
                module.main()
            except _Captured as cap:
                kwargs = dict(cap.args[0])
                spec = dict(kwargs.get("argument_spec") or {})
                if kwargs.get("add_file_common_args"):
                    spec.update({k: v for k, v in basic.FILE_COMMON_ARGUMENTS.items() if k not in spec})
                found[name] = {**kwargs, "argument_spec": spec}
            except BaseException:  # a module that exits before building its spec has none to give
                pass
    return found


def capture_action_kwargs() -> tuple[dict[str, dict[str, Any]], dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Action plugins validate their own arguments: the keyword arguments of their `validate_argument_spec(...)`
    calls, their `_VALID_ARGS`, and the backends the package/service actions dispatch to."""
    import types
    from unittest import mock

    import ansible.plugins.action
    from ansible.plugins.action import ActionBase

    def fake_validate(self: Any, argument_spec: Any = None, **kwargs: Any) -> None:
        raise _Captured({**kwargs, "argument_spec": argument_spec})

    def fake_run(self: Any, tmp: Any = None, task_vars: Any = None) -> dict[str, Any]:
        return {}

    specs: dict[str, dict[str, Any]] = {}
    valid_args: dict[str, list[str]] = {}
    backends: dict[str, dict[str, Any]] = {}
    for info in pkgutil.iter_modules(ansible.plugins.action.__path__):
        try:
            cls = importlib.import_module(f"ansible.plugins.action.{info.name}").ActionModule
        except Exception:
            continue
        if cls._VALID_ARGS:
            valid_args[info.name] = sorted(cls._VALID_ARGS)
        for attr in ("BUILTIN_PKG_MGR_MODULES", "BUILTIN_SVC_MGR_MODULES"):
            if hasattr(cls, attr):  # and what the action drops before calling a backend (service -> systemd)
                ignored = {k: sorted(v) for k, v in getattr(cls, "UNUSED_PARAMS", {}).items()}
                backends[info.name] = {"modules": sorted(getattr(cls, attr)), "ignored": ignored}
        action = object.__new__(cls)
        action._task = types.SimpleNamespace(args={}, async_val=0, action=info.name)
        with (
            mock.patch.object(ActionBase, "validate_argument_spec", fake_validate),
            mock.patch.object(ActionBase, "run", fake_run),
        ):
            try:
                action.run(task_vars={})
            except _Captured as cap:
                specs[info.name] = dict(cap.args[0])
            except BaseException:  # most actions need a live connection before validating
                pass
    return specs, valid_args, backends


def _doc_specs() -> dict[str, dict[str, Any]]:
    import ansible.modules
    from ansible.plugins.loader import fragment_loader
    from ansible.utils.plugin_docs import get_docstring

    docs = {}
    for path in sorted(Path(ansible.modules.__path__[0]).glob("*.py")):
        try:
            doc = get_docstring(str(path), fragment_loader)[0]
        except Exception:
            continue
        if doc:
            docs[path.stem] = doc.get("options") or {}
    return docs


def _merge_module(
    name: str,
    doc_options: dict[str, Any],
    code: dict[str, Any] | None,
    action: dict[str, Any] | None,
    valid_args: list[str] | None,
) -> dict[str, Any]:
    """One module's spec: the action plugin's validated spec if it has one, else the module's argument_spec, else
    the docs; options the docs add on top (action-side options such as copy's `decrypt`) are allowed, not required."""
    raw_doc = dict(doc_options)
    free_doc = raw_doc.pop("free_form", None) or raw_doc.pop("free-form", None)
    any_keys = raw_doc.pop("key_value", None) is not None or name in _EXTRA_ARGS_ARE_VARS
    docs = _norm_doc_options(raw_doc)
    base = action or code
    if base is None:
        options, constraints = dict(docs), {}
    else:
        options = dict(base["options"])
        taken = {n for opt, o in options.items() for n in (opt, *o.get("aliases", ()))}
        for opt, o in docs.items():  # docs name some options differently (apt: `name` is an alias of `package`)
            if not taken & {opt, *o.get("aliases", ())}:
                options[opt] = {**o, "required": False}
        constraints = {k: v for k, v in base.items() if k != "options"}
    if valid_args:
        options = {k: options.get(k) or {"type": None, "required": False, "aliases": []} for k in valid_args}
    free_form = "_raw_params" in options or free_doc is not None
    if free_form and "_raw_params" not in options:
        options["_raw_params"] = {
            "type": "str",
            "required": bool(free_doc.get("required")) if free_doc else False,
            "choices": list(free_doc["choices"]) if free_doc and free_doc.get("choices") else None,
            "aliases": [],
        }
        if "cmd" in options and base is None:  # shell: the command module behind it takes one of the two
            constraints.setdefault("required_one_of", []).append(["_raw_params", "cmd"])
            constraints.setdefault("mutually_exclusive", []).append(["_raw_params", "cmd"])
    return {"options": options, "free_form": free_form, "any_keys": any_keys, **constraints}


def _build_specs() -> dict[str, Any]:
    import ansible
    import ansible.plugins.lookup
    from ansible import constants as C
    from ansible.parsing.mod_args import FREEFORM_ACTIONS, RAW_PARAM_MODULES
    from ansible.playbook.block import Block
    from ansible.playbook.handler import Handler
    from ansible.playbook.loop_control import LoopControl
    from ansible.playbook.play import Play
    from ansible.playbook.playbook_include import PlaybookInclude
    from ansible.playbook.role_include import IncludeRole
    from ansible.playbook.task import Task
    from ansible.playbook.task_include import TaskInclude

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        docs = _doc_specs()
        code = {k: _norm_kwargs(v) for k, v in capture_module_kwargs(sorted(docs)).items()}
        raw_actions, valid_args, backends = capture_action_kwargs()
        action_specs = {k: _norm_kwargs(v) for k, v in raw_actions.items()}
    modules = {
        name: _merge_module(name, doc, code.get(name), action_specs.get(name), valid_args.get(name))
        for name, doc in docs.items()
    }
    # package/service hand their arguments (less `use`) to a backend module picked on the host, which validates them:
    # they are valid if one of the backends that ship with ansible-core takes them.
    for name, backend in backends.items():
        if name in modules:
            modules[name]["backends"] = [b for b in backend["modules"] if b in modules]
            modules[name]["backend_ignores"] = backend["ignored"]

    # include_tasks/import_tasks: TaskInclude.check_options takes exactly these and needs a file.
    for name in ("include_tasks", "import_tasks"):
        allowed = set(TaskInclude.VALID_ARGS) - ({"apply"} if name == "import_tasks" else set())
        modules[name] = {
            "options": {k: modules[name]["options"].get(k) or {"type": None, "aliases": []} for k in sorted(allowed)},
            "free_form": True,
            "any_keys": False,
            "required_one_of": [["_raw_params", "file"]],
        }
    for name in ("include_role", "import_role"):
        modules[name]["options"] = {
            k: v for k, v in modules[name]["options"].items() if k in IncludeRole.VALID_ARGS or k == "_raw_params"
        }

    with open(Path(ansible.__file__).parent / "config" / "ansible_builtin_runtime.yml", encoding="utf-8") as fh:
        routing = yaml.load(fh, Loader=_SafeLoader).get("plugin_routing", {})

    def route(kind: str) -> dict[str, dict[str, str]]:
        out = {}
        for short, entry in (routing.get(kind) or {}).items():
            entry = entry or {}
            item = {}
            if entry.get("redirect"):
                item["redirect"] = entry["redirect"]
            if entry.get("tombstone"):
                item["removed"] = str(entry["tombstone"].get("warning_text") or "removed from ansible-core")
            if item:
                out[short] = item
        return out

    def keywords(cls: Any) -> dict[str, str]:
        return {k: v.isa for k, v in cls.fattributes.items()}

    return {
        "schema": SPEC_SCHEMA,
        "ansible_core": ansible.__version__,
        "modules": modules,
        # a task names an action: `yum` and `include` are routed (to dnf, to a tombstone) as actions, not modules
        "module_routes": {**route("action"), **route("modules")},
        "lookups": sorted(i.name for i in pkgutil.iter_modules(ansible.plugins.lookup.__path__)),
        "lookup_routes": route("lookup"),
        "keywords": {
            "task": keywords(Task),
            "handler": keywords(Handler),
            "block": keywords(Block),
            "play": keywords(Play),
            "import_playbook": keywords(PlaybookInclude),
            "loop_control": keywords(LoopControl),
            "dynamic_include": sorted(TaskInclude.VALID_INCLUDE_KEYWORDS),
        },
        "dynamic_includes": [a.rsplit(".", 1)[-1] for a in C._ACTION_ALL_INCLUDE_ROLE_TASKS if "." not in a],
        "raw_param_modules": sorted({m.rsplit(".", 1)[-1] for m in RAW_PARAM_MODULES}),
        "freeform_modules": sorted({m.rsplit(".", 1)[-1] for m in FREEFORM_ACTIONS}),
    }


def _cache_dir() -> Path:
    return Path(os.environ.get("SLMFIX_CACHE") or Path.home() / ".cache" / "slmfix_exp")


_SPEC_LOCK = threading.Lock()


@cache
def load_specs() -> dict[str, Any]:
    """The spec table: read from the on-disk cache for this ansible-core version, built (~1 s) when missing."""
    from ansible.release import __version__ as core_version

    path = _cache_dir() / f"ansible-specs-{core_version}-v{SPEC_SCHEMA}.json"
    with _SPEC_LOCK:
        try:
            with open(path, encoding="utf-8") as fh:
                table = json.load(fh)
            if table.get("schema") == SPEC_SCHEMA:
                return table
        except (OSError, ValueError):
            pass
        table = _build_specs()
        try:  # write-then-rename: concurrent processes never read half a file
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(table, fh)
            os.replace(tmp, path)
        except OSError:
            pass  # read-only home: keep the table in memory only
        return table


@cache
def _playbook_keywords() -> frozenset[str]:
    return frozenset(k for kind in ("play", "block", "task", "handler") for k in load_specs()["keywords"][kind])


# ---------------------------------------------------------------------------------------------------------------
# YAML with marks
# ---------------------------------------------------------------------------------------------------------------

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
    """Deepest nesting of flow brackets, quotes ignored (so only a bound): libyaml takes ~0.4 s to compose 10k
    nested `[`; the exact depth limit is checked on the composed nodes."""
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


# ---------------------------------------------------------------------------------------------------------------
# Modules, arguments and tasks
# ---------------------------------------------------------------------------------------------------------------

_OMIT_RE = re.compile(r"^\s*\{\{-?\s*omit\s*-?\}\}\s*$")
_WHOLE_JINJA_RE = re.compile(r"^\s*\{\{(?:(?!\{\{|\}\}).)*\}\}\s*$", re.S)  # one expression, nothing around it
_CONDITIONALS = ("when", "changed_when", "failed_when", "until")
# keywords whose values are checked elsewhere: tasks of a section, module arguments
_NOT_KEYWORD_VALUES = {"tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always", "args", "action"}
_BOOL_STRINGS = {"yes", "no", "true", "false", "on", "off", "y", "n", "1", "0", "t", "f", "1.0", "0.0"}
_TRUE_STRINGS = {"y", "yes", "on", "1", "true", "t", "1.0"}
_FALSE_STRINGS = {"n", "no", "off", "0", "false", "f", "0.0"}
_SCALARS = (str, int, float, bool)


def is_jinja(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


@cache
def _type_validators() -> dict[str, Any]:
    from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS

    return dict(DEFAULT_TYPE_VALIDATORS)


@cache
def _parse_kv() -> Any:
    from ansible.parsing.splitter import parse_kv

    return parse_kv


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


@dataclass(frozen=True)
class ModuleRef:
    """How ansible-core resolves a module name: `status` is builtin | collection | removed | unknown."""

    status: str
    fqcn: str  # canonical name: short and ansible.legacy names as ansible.builtin.<name>, routed names as the target
    spec_key: str | None = None  # the key of the spec table for builtin modules (yum -> dnf)
    note: str = ""


def resolve_module(name: str, specs: dict[str, Any] | None = None) -> ModuleRef:
    specs = specs or load_specs()
    modules, routes = specs["modules"], specs["module_routes"]
    short = name
    if name.startswith(("ansible.builtin.", "ansible.legacy.")):
        short = name.split(".", 2)[2]
    elif name.count(".") >= 2:
        return ModuleRef("collection", name)
    elif "." in name or not name:
        return ModuleRef("unknown", name)
    if short in modules:
        return ModuleRef("builtin", f"ansible.builtin.{short}", short)
    route = routes.get(short)
    if route and "removed" in route:
        return ModuleRef("removed", f"ansible.builtin.{short}", note=route["removed"])
    if route and "redirect" in route:
        target = route["redirect"]
        if target.startswith("ansible.builtin.") and target.split(".", 2)[2] in modules:
            return ModuleRef("builtin", f"ansible.builtin.{short}", target.split(".", 2)[2])
        return ModuleRef("collection", target)
    return ModuleRef("unknown", name)


def _close(word: str, candidates: Sequence[str], cutoff: float = 0.75) -> str | None:
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def _ratio(word: str, candidates: Sequence[str]) -> float:
    return max((difflib.SequenceMatcher(None, word, c).ratio() for c in candidates), default=0.0)


@dataclass
class TaskView:
    """A task split the way ansible-core's ModuleArgsParser splits it."""

    keywords: dict[str, Any]
    module_key: Any = None  # the key that names the module (`apt`, `action`, `local_action`), None if none
    module: str | None = None  # the module name as written
    ref: ModuleRef | None = None
    args: Any = None  # dict of arguments (free-form text as `_raw_params`), or the offending value
    arg_nodes: dict[Any, yaml.Node] | None = None
    args_templated: bool = False  # arguments given as one Jinja expression: nothing to check
    args_problem: str = ""
    extra_modules: tuple[Any, ...] = ()
    unknown: tuple[Any, ...] = ()


def _split_action(value: Any) -> tuple[str | None, Any]:
    """`action: apt name=x` / `action: {module: apt, name: x}` -> (module, args)."""
    if isinstance(value, str):
        head, _, text = value.strip().partition(" ")
        return head or None, text.strip() or None
    if isinstance(value, dict):
        rest = YMap({k: v for k, v in value.items() if k != "module"})
        rest.nodes = {k: n for k, n in getattr(value, "nodes", {}).items() if k != "module"}
        return (str(value["module"]) if value.get("module") else None), rest
    return None, None


def analyse_task(task: YMap, specs: dict[str, Any], handler: bool = False) -> TaskView:
    valid = specs["keywords"]["handler" if handler else "task"]
    keywords: dict[str, Any] = {}
    candidates = []
    for key in task:
        if isinstance(key, str) and (key in valid or key == "local_action" or key.startswith("with_")):
            keywords[key] = task[key]
        else:
            candidates.append(key)
    modules: list[Any] = []
    unknown: list[Any] = []
    for key in candidates:
        ref = resolve_module(key, specs) if isinstance(key, str) else ModuleRef("unknown", str(key))
        (unknown if ref.status == "unknown" else modules).append(key)
    for key in ("action", "local_action"):
        if key in keywords:
            modules.append(key)
    if not modules and unknown:
        # The unknown key is the module the author meant, unless it reads as a misspelt keyword (`whn:`).
        names = list(specs["modules"])
        for key in unknown:
            if not isinstance(key, str):
                continue
            if _ratio(key, list(valid)) >= 0.8 and _ratio(key, list(valid)) > _ratio(key, names):
                continue
            modules.append(key)
            unknown.remove(key)
            break
    view = TaskView(keywords=keywords, unknown=tuple(unknown))
    if not modules:
        return view
    key = modules[0]
    view.module_key, view.extra_modules = key, tuple(modules[1:])
    value = task[key]
    arg_node = task.nodes[key][0]
    if key in ("action", "local_action"):
        view.module, value = _split_action(value)
        if view.module is None:
            view.args_problem = f"'{key}' must name a module"
            return view
    else:
        view.module = key
    view.ref = resolve_module(view.module, specs)
    raw_ok = (view.ref.spec_key or "") in specs["raw_param_modules"]
    view.args, view.arg_nodes = {}, {}
    extra = keywords.get("args")
    for source in (extra, value):  # the module's own arguments win over `args:`
        if source is None:
            continue
        if isinstance(source, dict):
            view.args.update(source)
            nodes = getattr(source, "nodes", {})
            view.arg_nodes.update({k: nodes[k][0] if k in nodes else arg_node for k in source})
        elif isinstance(source, str) and _WHOLE_JINJA_RE.match(source) and not raw_ok:
            view.args_templated = True  # `apt: "{{ apt_args }}"`; for command & co. it is the command text
        elif isinstance(source, str) or (raw_ok and isinstance(source, (int, float))):
            try:
                parsed = _parse_kv()(str(source), check_raw=(view.ref.spec_key or "") in specs["freeform_modules"])
            except Exception as exc:  # ansible's parser raises its own error types
                view.args_problem = f"cannot parse the arguments of {view.module}: {str(exc).splitlines()[0][:160]}"
                continue
            view.args.update({str(k): v for k, v in parsed.items()})
            view.arg_nodes.update({str(k): arg_node for k in parsed})
        else:
            view.args_problem = f"the arguments of {view.module} must be a mapping, got {_kind(source)}"
    return view


def uses_only_core_modules(program: str, specs: dict[str, Any]) -> bool:
    """True when every task of the program (plays, blocks and handlers included) names a module that ships with
    ansible-core: the programs on which the validator's acceptance is measured (collection modules can't be checked)."""
    data, _ = load_yaml(program)
    if not isinstance(data, list):
        return True
    stack = list(data)
    while stack:
        item = stack.pop()
        if not isinstance(item, YMap):  # load_yaml builds every mapping as a YMap
            continue
        for key in ("block", "rescue", "always", "tasks", "handlers", "pre_tasks", "post_tasks"):
            stack.extend(item.get(key) or [])
        view = analyse_task(item, specs)
        if view.module and resolve_module(view.module, specs).status not in ("builtin", "removed"):
            return False
    return True


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {str(value)[:40]!r}"


class _Checker:
    """Walks one loaded program and collects diagnostics."""

    def __init__(self, specs: dict[str, Any], unknown_collection: str) -> None:
        self.specs = specs
        self.kw = specs["keywords"]
        self.collection_severity = unknown_collection
        self.diags: list[Diagnostic] = []
        self.play_only = set(self.kw["play"]) - set(self.kw["task"]) - set(self.kw["block"])

    def add(self, where: Any, rule: str, message: str, severity: str = "error") -> None:
        if isinstance(where, tuple):
            line, col = where
        else:
            line, col = _pos(where if isinstance(where, yaml.Node) else getattr(where, "node", None))
        self.diags.append(Diagnostic(line, col, rule, message, severity))

    # ---- documents and plays ------------------------------------------------------------------------------

    def check_document(self, data: Any) -> None:
        if not isinstance(data, YSeq):
            self.add(
                (1, 1), "not-a-list", f"a playbook or task file is a YAML list of plays or tasks, got {_kind(data)}"
            )
            return
        if not data:
            self.add(data, "empty", "the list of plays or tasks is empty")
            return
        is_playbook = any(
            isinstance(item, YMap)
            and (self.play_only & set(item) or "import_playbook" in item or "ansible.builtin.import_playbook" in item)
            for item in data
        )
        # a task file whose tasks `listen` is a role's handlers file
        handlers = not is_playbook and any(isinstance(item, YMap) and "listen" in item for item in data)
        for item, node in zip(data, data.nodes, strict=True):
            if is_playbook:
                self.check_play(item, node)
            else:
                self.check_task(item, node, handlers)

    def check_play(self, play: Any, node: yaml.Node) -> None:
        if not isinstance(play, YMap):
            self.add(node, "play-type", f"each play is a mapping, got {_kind(play)}")
            return
        importer = next((k for k in ("import_playbook", "ansible.builtin.import_playbook") if k in play), None)
        valid = self.kw["import_playbook"] if importer else self.kw["play"]
        for key in play:
            if key != importer and key not in valid:
                hint = _close(str(key), list(valid))
                self.add(
                    play.nodes[key][0],
                    "unknown-play-keyword",
                    f"{key!r} is not a play keyword" + (f" (did you mean {hint!r}?)" if hint else ""),
                )
        self.check_keyword_values(play, valid)
        if importer:
            if not isinstance(play[importer], str) or not play[importer].strip():
                self.add(play.nodes[importer][0], "bad-import", "import_playbook needs a playbook file name")
            return
        if play.get("hosts") in (None, "", []):
            self.add(play, "missing-hosts", "play has no 'hosts'")
        handler_names: set[str] = set()
        notified: list[tuple[str, yaml.Node]] = []
        opaque = bool(play.get("roles"))  # roles and includes bring handlers we can't see
        for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
            tasks = play.get(section)
            if tasks is None:
                continue
            if not isinstance(tasks, YSeq):
                self.add(play.nodes[section][0], "section-type", f"'{section}' must be a list of tasks")
                continue
            for task, tnode in zip(tasks, tasks.nodes, strict=True):
                self.check_task(task, tnode, handler=section == "handlers")
            for task, _ in _walk_tasks(tasks):
                if not isinstance(task, YMap):
                    continue
                if section == "handlers":
                    for key in ("name", "listen"):
                        names = task.get(key)
                        handler_names.update(str(n) for n in (names if isinstance(names, list) else [names]) if n)
                notify = task.get("notify")
                for name in notify if isinstance(notify, list) else [notify]:
                    if isinstance(name, str) and not is_jinja(name):
                        notified.append((name, task.nodes["notify"][1]))
                if any(
                    str(k).rsplit(".", 1)[-1] in ("include_role", "import_role", "include_tasks", "import_tasks")
                    for k in task
                ):
                    opaque = True
        if not opaque:
            for name, nnode in notified:
                if name not in handler_names:
                    hint = _close(name, sorted(handler_names), 0.6)
                    self.add(
                        nnode,
                        "unknown-handler",
                        f"notify {name!r} matches no handler of this play"
                        + (f" (did you mean {hint!r}?)" if hint else ""),
                    )
        roles = play.get("roles")
        if roles is not None and not isinstance(roles, list):
            self.add(play.nodes["roles"][0], "section-type", "'roles' must be a list")
        for role in roles if isinstance(roles, YSeq) else []:
            if isinstance(role, dict) and not (role.get("role") or role.get("name")):
                self.add(role, "bad-role", "a role entry needs 'role' (or 'name')")
            elif not isinstance(role, (str, dict)):
                self.add(play.nodes["roles"][1], "bad-role", f"a role entry is a name or a mapping, got {_kind(role)}")

    # ---- tasks and blocks ---------------------------------------------------------------------------------

    def check_task(self, task: Any, node: yaml.Node, handler: bool = False) -> None:
        if not isinstance(task, YMap):
            self.add(node, "task-type", f"each task is a mapping, got {_kind(task)}")
            return
        if any(k in task for k in ("block", "rescue", "always")):
            self.check_block(task, handler)
            return
        view = analyse_task(task, self.specs, handler)
        valid = self.kw["handler" if handler else "task"]
        arguments = self.argument_names(view) if view.unknown else set()  # only a task with an unknown key pays
        for key in view.unknown:
            where = task.nodes[key][0]
            if key in arguments:  # an argument written level with the module: a hint to `vars` would mislead
                fqcn = view.ref.fqcn  # type: ignore[union-attr]
                self.add(
                    where,
                    "unknown-keyword",
                    f"{key!r} is not a task keyword (an argument of {fqcn}: indent it under {view.module!r})",
                )
                continue
            hint = _close(str(key), list(valid))
            if hint is None and isinstance(key, str) and view.module_key is not None:
                hint = _close(key, [f"with_{x}" for x in self.specs["lookups"]]) if key.startswith("wit") else None
            self.add(
                where,
                "unknown-keyword",
                f"{key!r} is not a task keyword" + (f" (did you mean {hint!r}?)" if hint else ""),
            )
        if view.module_key is None:
            self.add(task, "missing-module", "task has no module (one module per task, e.g. ansible.builtin.command)")
        for key in view.extra_modules:
            self.add(
                task.nodes[key][0],
                "multiple-modules",
                f"task has more than one module ({view.module_key!r} and {key!r}): use one module per task",
            )
        self.check_keyword_values(task, valid)
        if view.module_key is not None:
            self.check_module(task, view)

    def check_block(self, block: YMap, handler: bool) -> None:
        valid = self.kw["block"]
        for key in block:
            if key not in valid:
                hint = _close(str(key), list(valid))
                self.add(
                    block.nodes[key][0],
                    "unknown-keyword",
                    f"{key!r} is not a block keyword" + (f" (did you mean {hint!r}?)" if hint else ""),
                )
        self.check_keyword_values(block, valid)
        if "block" not in block:
            self.add(block, "bad-block", "'rescue'/'always' need a 'block'")
        for section in ("block", "rescue", "always"):
            tasks = block.get(section)
            if tasks is None:
                continue
            if not isinstance(tasks, YSeq):
                self.add(block.nodes[section][0], "section-type", f"'{section}' must be a list of tasks")
                continue
            for task, tnode in zip(tasks, tasks.nodes, strict=True):
                self.check_task(task, tnode, handler)

    def check_keyword_values(self, mapping: YMap, valid: dict[str, str]) -> None:
        loops = [k for k in mapping if isinstance(k, str) and (k == "loop" or k.startswith("with_"))]
        if len(loops) > 1:
            self.add(mapping.nodes[loops[1]][0], "duplicate-loop", f"task has more than one loop: {', '.join(loops)}")
        for key, value in mapping.items():
            if not isinstance(key, str):
                continue
            knode, vnode = mapping.nodes[key]
            if key.startswith("with_") and key not in valid:
                self.check_lookup(key, knode)
                self.check_jinja(value, vnode)
                continue
            if key in valid and key not in _NOT_KEYWORD_VALUES:
                # a name is templated for display only, falling back to its raw text: a broken one still runs
                self.check_jinja(value, vnode, key in _CONDITIONALS, "warning" if key == "name" else "error")
            isa = valid.get(key)
            if isa is None or value is None or (is_jinja(value) and isa != "class"):
                continue
            problem = _keyword_type_problem(isa, value)
            if problem:
                self.add(vnode, "keyword-type", f"{key!r} {problem}, got {_kind(value)}")
                continue
            if key == "register" and not str(value).isidentifier():
                self.add(vnode, "bad-register", f"register name {value!r} is not a valid variable name")
            elif key == "loop_control" and isinstance(value, YMap):
                for sub in value:
                    if sub not in self.kw["loop_control"]:
                        hint = _close(str(sub), list(self.kw["loop_control"]))
                        self.add(
                            value.nodes[sub][0],
                            "unknown-keyword",
                            f"{sub!r} is not a loop_control keyword" + (f" (did you mean {hint!r}?)" if hint else ""),
                        )

    def check_lookup(self, key: str, node: yaml.Node) -> None:
        lookup = key[len("with_") :]
        if lookup in self.specs["lookups"] or "." in lookup:
            return
        if lookup in self.specs["lookup_routes"]:
            self.add(
                node,
                "unknown-collection",
                f"lookup {lookup!r} of {key!r} lives in a collection that is not installed",
                self.collection_severity,
            )
            return
        hint = _close(key, [f"with_{x}" for x in self.specs["lookups"]] + ["loop"])
        self.add(
            node,
            "unknown-keyword",
            f"{key!r} is not a task keyword: there is no lookup {lookup!r}"
            + (f" (did you mean {hint!r}?)" if hint else ""),
        )

    def check_jinja(self, value: Any, node: yaml.Node, conditional: bool = False, severity: str = "error") -> None:
        for text in _strings(value):
            if conditional or is_jinja(text):
                problem = jinja_error(text, conditional)
                if problem:
                    # quoted whole, so that the fix can find it: a short template only (and bounded work)
                    closed = closed_jinja(text) if not conditional and len(text) <= 60 else None
                    hint = f" (close it: {closed!r})" if closed else ""
                    self.add(node, "jinja-syntax", f"Jinja syntax error in {text[:60]!r}: {problem}{hint}", severity)
                    return

    # ---- modules and their arguments ----------------------------------------------------------------------

    def modules_taking(self, args: Any, name: str, most: int = 3) -> list[str]:
        """The builtin modules that take every argument given, the most like `name` first; none if over `most` do
        (an invented module name, `python_pip`, often has no near spelling, but its arguments name the module)."""
        if not isinstance(args, dict) or not args:
            return []
        keys = set(map(str, args))
        fits = [m for m in self.specs["modules"] if keys <= self.module_argument_names(m)]
        fits.sort(key=lambda m: -difflib.SequenceMatcher(None, name, m).ratio())
        return [f"ansible.builtin.{m}" for m in fits] if 0 < len(fits) <= most else []

    def module_argument_names(self, spec_key: str) -> set[str]:
        spec = self.specs["modules"][spec_key]
        if spec.get("any_keys"):
            return set()
        options = spec.get("options") or {}
        return {*options, *(a for o in options.values() for a in o.get("aliases") or ())}

    def argument_names(self, view: TaskView) -> set[str]:
        """The argument names and aliases of the task's builtin module; none for one that takes any key."""
        if view.ref is None or view.ref.status != "builtin" or view.ref.spec_key is None:
            return set()
        return self.module_argument_names(view.ref.spec_key) - {"_raw_params"}

    def check_module(self, task: YMap, view: TaskView) -> None:
        knode = task.nodes[view.module_key][0]
        ref = view.ref
        if view.args_problem:
            self.add(knode, "args-type", view.args_problem)
        if ref is None or view.module is None:
            return
        if ref.status == "unknown":
            names = sorted(self.specs["modules"])
            bare = view.module.rsplit(".", 1)[-1] if view.module.startswith("ansible.") else view.module
            hint = _close(bare, names, 0.6)
            hint = hint or _close(bare, list(self.specs["module_routes"]), 0.8)
            where = f"ansible.builtin.{hint}" if hint and hint in self.specs["modules"] else hint
            if where:
                note = f" (did you mean {where!r}?)"
            elif fits := self.modules_taking(view.args, bare):
                note = f" (modules that take these arguments: {', '.join(repr(m) for m in fits)})"
            else:
                note = ""
            self.add(knode, "unknown-module", f"unknown module {view.module!r}{note}")
            return
        if ref.status == "removed":
            self.add(knode, "removed-module", f"module {view.module!r} was removed from ansible-core: {ref.note}")
            return
        if ref.status == "collection":
            collection = ".".join(ref.fqcn.split(".")[:2])
            self.add(
                knode,
                "unknown-collection",
                f"module {ref.fqcn!r} is from collection {collection!r}, which is not installed: arguments not checked",
                self.collection_severity,
            )
            return
        if ref.spec_key == "import_playbook":
            self.add(knode, "misplaced-import-playbook", "import_playbook goes at the top level of a playbook")
            return
        if ref.spec_key in self.specs["dynamic_includes"]:
            allowed = set(self.specs["keywords"]["dynamic_include"]) | {view.module_key}
            for key in task:
                if key not in allowed and not str(key).startswith("with_") and key not in view.unknown:
                    self.add(
                        task.nodes[key][0],
                        "include-keyword",
                        f"{key!r} can't be set on {view.module} (use 'apply:' to pass keywords to included tasks)",
                    )
        if view.args_templated or view.args_problem:
            return
        spec = self.specs["modules"][ref.spec_key]
        nodes = view.arg_nodes or {}
        if not spec.get("backends"):
            self.check_args(ref.fqcn, spec, view.args, nodes, knode)
            return
        # the action plugin consumes `use`, and drops what a backend doesn't take (`args` for systemd)
        best: list[Diagnostic] | None = None
        for backend in spec["backends"]:
            ignored = spec.get("backend_ignores", {}).get(backend, ())
            args = {k: v for k, v in view.args.items() if k != "use" and k not in ignored}
            label = ref.fqcn if backend == ref.spec_key else f"{ref.fqcn} (as ansible.builtin.{backend})"
            found = self.trial(label, self.specs["modules"][backend], args, nodes, knode)
            errors = sum(d.severity == "error" for d in found)
            if best is None or errors < sum(d.severity == "error" for d in best):
                best = found
            if not errors:
                break
        self.diags.extend(best or [])

    def trial(
        self, fqcn: str, spec: dict[str, Any], args: dict[Any, Any], nodes: dict[Any, Any], where: Any
    ) -> list[Diagnostic]:
        """check_args into a separate list."""
        saved, self.diags = self.diags, []
        try:
            self.check_args(fqcn, spec, args, nodes, where)
            return self.diags
        finally:
            self.diags = saved

    def check_args(
        self, fqcn: str, spec: dict[str, Any], args: dict[Any, Any], nodes: dict[Any, Any], where: yaml.Node
    ) -> None:
        options = spec.get("options") or {}
        aliases = {a: name for name, o in options.items() for a in o.get("aliases") or ()}
        present: dict[str, Any] = {}
        maybe: set[str] = set()  # templated with `omit` in them: may end up not passed at all
        for key, value in args.items():
            node = nodes.get(key, where)
            if isinstance(value, str) and _OMIT_RE.match(value):
                continue
            name = key if key in options else aliases.get(key)
            if name is None:
                if spec.get("any_keys"):  # set_fact variables, add_host host variables
                    if fqcn.endswith(".set_fact") and not (isinstance(key, str) and key.isidentifier()):
                        self.add(node, "bad-variable-name", f"{key!r} is not a valid variable name for set_fact")
                    self.check_jinja(value, node)
                    continue
                if key == "_raw_params":
                    self.add(node, "free-form-args", f"{fqcn} takes no free-form text: {str(value)[:60]!r}")
                    continue
                public = [n for n in [*options, *aliases] if not n.startswith("_")]
                hint = _close(str(key), public, 0.6)
                self.add(
                    node,
                    "unknown-arg",
                    f"{key!r} is not an argument of {fqcn}" + (f" (did you mean {hint!r}?)" if hint else ""),
                )
                continue
            if value is None:
                continue
            present[name] = self.check_value(fqcn, name, options[name], value, node)
            if is_jinja(value) and "omit" in value:
                maybe.add(name)
        for name, option in options.items():
            if option.get("required") and name not in present:
                self.add(where, "missing-required-arg", f"{fqcn} requires argument {name!r}")
        self.check_constraints(fqcn, spec, present, maybe, nodes, aliases, where)

    def check_value(self, fqcn: str, name: str, option: dict[str, Any], value: Any, node: Any) -> Any:
        """Type, choices and suboptions of one argument; returns the value as the module would see it."""
        if is_jinja(value):
            self.check_jinja(value, node)
            return value
        wanted = option.get("type")
        validator = _type_validators().get(wanted) if wanted else None
        converted = value
        if validator is not None:
            try:
                converted = validator(value)
            except (TypeError, ValueError) as exc:
                self.add(node, "bad-type", f"{name!r} of {fqcn} must be {wanted}: {str(exc)[:100]}")
                return value
        elements = option.get("elements")
        element_validator = _type_validators().get(elements) if elements else None
        if element_validator is not None and isinstance(converted, list):
            for item in converted:
                if is_jinja(item):
                    continue
                try:
                    element_validator(item)
                except (TypeError, ValueError) as exc:
                    self.add(node, "bad-type", f"items of {name!r} of {fqcn} must be {elements}: {str(exc)[:100]}")
                    break
        choices = option.get("choices")
        if choices:
            items = converted if isinstance(converted, list) else [converted]
            bad = [item for item in items if not is_jinja(item) and not _in_choices(item, choices)]
            if bad:
                hint = _near_choice(bad[0], choices)
                self.add(
                    node,
                    "bad-choice",
                    f"{name!r} of {fqcn} must be one of: {', '.join(map(str, choices))}; got {bad[0]!r}"
                    + (f" (did you mean {hint!r}?)" if hint is not None else ""),
                )
        self.check_jinja(value, node)
        sub = option.get("options")
        if sub:
            holders = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
            for holder in holders:
                if isinstance(holder, dict):
                    sub_nodes = {k: n[0] for k, n in getattr(holder, "nodes", {}).items()}
                    self.check_args(f"{fqcn} -> {name}", option, holder, sub_nodes, node)
        return converted

    def check_constraints(
        self,
        fqcn: str,
        spec: dict[str, Any],
        present: dict[str, Any],
        maybe: set[str],
        nodes: dict[Any, Any],
        aliases: dict[str, str],
        where: Any,
    ) -> None:
        """Checked like ArgumentSpecValidator does: mutually_exclusive on what was given, the other constraints after
        defaults are filled in (so `apt: autoclean=yes` passes required_one_of through autoremove's default).
        Groups name options by canonical name or alias; `maybe` (omit-able) values never trigger a constraint."""
        explicit = {n for n in present if n not in maybe}
        explicit |= {a for a, n in aliases.items() if n in explicit}
        options = spec.get("options") or {}
        defaults = {n: o.get("default") for n, o in options.items() if o.get("has_default") and n not in present}
        present = {**defaults, **present}
        present.update({a: present[n] for a, n in aliases.items() if n in present})
        given = {n for n in present if n not in maybe} | {
            a for a, n in aliases.items() if n in present and n not in maybe
        }

        def node_of(name: str) -> Any:
            for key, node in nodes.items():
                if key == name or aliases.get(key) == name:
                    return node
            return where

        def shown(names: Sequence[str]) -> str:
            return ", ".join(repr(n) if n != "_raw_params" else "free-form text" for n in names)

        for group in spec.get("mutually_exclusive") or ():
            both = [n for n in group if n in explicit]
            if len(both) > 1:
                self.add(node_of(both[1]), "mutually-exclusive", f"{shown(both)} of {fqcn} are mutually exclusive")
        for group in spec.get("required_one_of") or ():
            if not any(n in present for n in group):
                self.add(where, "required-one-of", f"{fqcn} needs one of: {shown(group)}")
        for group in spec.get("required_together") or ():
            some = [n for n in group if n in given]
            missing = [n for n in group if n not in present]
            if some and missing:
                self.add(where, "required-together", f"{fqcn}: {shown(some)} also needs {shown(missing)}")
        for key, value, needed, any_of in spec.get("required_if") or ():
            if key not in given or present[key] is None or is_jinja(present[key]) or not _same(present[key], value):
                continue
            missing = [n for n in needed if n not in present]
            if (any_of and len(missing) == len(needed)) or (not any_of and missing):
                what = "one of" if any_of else "argument(s)"
                self.add(where, "required-if", f"{fqcn} with {key}={value} requires {what} {shown(missing)}")
        for key, needed in (spec.get("required_by") or {}).items():
            if key in given:
                missing = [n for n in needed if n not in present]
                if missing:
                    self.add(node_of(key), "required-by", f"{key!r} of {fqcn} requires {shown(missing)}")


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        text = str(value).lower()
        return value is expected or text in (_TRUE_STRINGS if expected else _FALSE_STRINGS)
    return value == expected or str(value) == str(expected)


def _near_choice(value: Any, choices: Sequence[Any]) -> str | None:
    """The choice a bad value was meant to be: the same word in another case (`Present`, `STARTED`), else a near
    spelling (`restart`); None for a value that names something else (`installed`)."""
    if not isinstance(value, str):
        return None
    texts = [str(c) for c in choices]
    same_case = [c for c in texts if c.lower() == value.lower()]
    if len(same_case) == 1:
        return same_case[0]
    return _close(value, texts, 0.7)


def _in_choices(value: Any, choices: Sequence[Any]) -> bool:
    if value in choices or str(value) in {str(c) for c in choices}:
        return True
    # PyYAML turns `yes` into True: ansible maps it back when exactly one boolean spelling is among the choices
    text = str(value).lower()
    if isinstance(value, bool) or text in _BOOL_STRINGS:
        truthy = value is True or text in _TRUE_STRINGS
        pool = _TRUE_STRINGS if truthy else _FALSE_STRINGS
        return any(str(c).lower() in pool for c in choices)
    return False


def _keyword_type_problem(isa: str, value: Any) -> str | None:
    text = str(value).strip().lower() if isinstance(value, _SCALARS) else None
    if isa == "bool":
        ok = isinstance(value, bool) or (text is not None and text in _BOOL_STRINGS)
        return None if ok else "must be a boolean"
    if isa in ("int", "float", "percent"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        if text is not None:
            with contextlib.suppress(ValueError):
                float(text.rstrip("%") if isa == "percent" else text)
                return None
        return "must be a number"
    if isa == "string":
        return None if isinstance(value, _SCALARS) else "must be a string"
    if isa == "dict":
        ok = isinstance(value, dict) or (isinstance(value, list) and all(isinstance(v, dict) for v in value))
        return None if ok else "must be a mapping"
    if isa == "class":
        return None if isinstance(value, dict) else "must be a mapping"
    return None


def _strings(value: Any, budget: int = 2000) -> Iterator[str]:
    """The strings inside a value (keys excluded), at most `budget` nodes visited."""
    stack = [value]
    while stack and budget > 0:
        budget -= 1
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _walk_tasks(tasks: Any) -> Iterator[tuple[Any, yaml.Node]]:
    """Every task of a task list, blocks flattened (block/rescue/always in order)."""
    if not isinstance(tasks, YSeq):
        return
    for task, node in zip(tasks, tasks.nodes, strict=True):
        if isinstance(task, YMap) and any(k in task for k in ("block", "rescue", "always")):
            for section in ("block", "rescue", "always"):
                yield from _walk_tasks(task.get(section))
        else:
            yield task, node


def check_program(program: str, unknown_collection: str = "warning") -> Validation:
    data, diags = load_yaml(program)
    if data is None:
        return Validation.of(diags)
    checker = _Checker(load_specs(), unknown_collection)
    checker.diags.extend(diags)
    checker.check_document(data)
    seen, unique = set(), []
    for d in sorted(checker.diags, key=lambda d: (d.line, d.column)):
        if (d.line, d.rule, d.message) not in seen:
            seen.add((d.line, d.rule, d.message))
            unique.append(d)
    return Validation.of(unique)


# ---------------------------------------------------------------------------------------------------------------
# Normal form: tree and the paper's similarity
# ---------------------------------------------------------------------------------------------------------------

_TASK_SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")
_TOKEN_RE = re.compile(r"\{\{|\}\}|\{%|%\}|[\w./~:@*+=,$-]+|\S")
_JINJA_SPACES_RE = re.compile(r"(\{\{|\{%)-?\s*(.*?)\s*-?(\}\}|%\})", re.S)
_MAX_TREE_NODES = 1000  # a bound for hostile input: zss is cubic-ish, real programs are far smaller


def _canon(value: Any) -> Any:
    """A hashable, spelling-insensitive form of a value: `yes`/`true`, `{{x}}`/`{{ x }}`, 0644/'0644' agree."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        text = _JINJA_SPACES_RE.sub(lambda m: f"{m.group(1)} {m.group(2)} {m.group(3)}", value.strip())
        low = text.lower()
        if low in ("yes", "true", "on"):
            return "true"
        if low in ("no", "false", "off"):
            return "false"
        return text
    if isinstance(value, list):
        return tuple(_canon(v) for v in value[:200])
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canon(v)) for k, v in list(value.items())[:200]))
    return "" if value is None else str(value)


@dataclass
class NormalTask:
    """A task reduced to what similarity compares: canonical module name, arguments by canonical name, keywords."""

    module: str
    args: dict[str, Any]
    keywords: dict[str, Any]
    children: dict[str, list[NormalTask]] | None = None  # blocks: block/rescue/always


def _canonical_arg(spec_key: str | None, name: str, specs: dict[str, Any]) -> str:
    spec = specs["modules"].get(spec_key or "")
    if not spec:
        return name
    for source in [spec] + [specs["modules"][b] for b in spec.get("backends", ())]:
        options = source.get("options") or {}
        if name in options:
            return name
        for canonical, option in options.items():
            if name in (option.get("aliases") or ()):
                return canonical
    return name


def normal_task(task: Any, specs: dict[str, Any], handler: bool = False) -> NormalTask:
    if not isinstance(task, YMap):
        return NormalTask("?", {"value": task}, {})
    skip = {"name", "args", "action", "local_action"}
    if any(k in task for k in ("block", "rescue", "always")):
        keywords = {str(k): v for k, v in task.items() if k not in skip and k not in ("block", "rescue", "always")}
        children = {
            s: [normal_task(t, specs, handler) for t in task[s]]
            for s in ("block", "rescue", "always")
            if isinstance(task.get(s), list)
        }
        return NormalTask("block", {}, keywords, children)
    view = analyse_task(task, specs, handler)
    module = view.ref.fqcn if view.ref else (view.module or "?")
    spec_key = view.ref.spec_key if view.ref else None
    args = {}
    if isinstance(view.args, dict):
        args = {_canonical_arg(spec_key, str(k), specs): v for k, v in view.args.items()}
    elif view.args_templated:
        args = {"_templated": task.get(view.module_key)}
    keywords = {str(k): v for k, v in view.keywords.items() if k not in skip}
    keywords.update({str(k): task[k] for k in (*view.unknown, *view.extra_modules)})
    if view.module_key == "local_action":
        keywords["delegate_to"] = "localhost"
    return NormalTask(module, args, keywords)


def normal_program(program: str) -> list[tuple[str, Any]] | None:
    """[(kind, item)]: ("task", NormalTask) for a task file, ("play", {...}) for each play of a playbook."""
    data, _ = load_yaml(program)
    if not isinstance(data, list):
        return None
    specs = load_specs()
    play_only = set(specs["keywords"]["play"]) - set(specs["keywords"]["task"]) - set(specs["keywords"]["block"])
    is_playbook = any(isinstance(i, dict) and (play_only & set(i) or "import_playbook" in i) for i in data)
    if not is_playbook:
        handlers = any(isinstance(i, dict) and "listen" in i for i in data)
        return [("task", normal_task(t, specs, handlers)) for t in data]
    out: list[tuple[str, Any]] = []
    for play in data:
        if not isinstance(play, YMap):
            out.append(("play", {"keywords": {"value": play}, "sections": {}}))
            continue
        keywords = {str(k): v for k, v in play.items() if k not in _TASK_SECTIONS and k != "name"}
        sections = {
            s: [normal_task(t, specs, s == "handlers") for t in play[s]]
            for s in _TASK_SECTIONS
            if isinstance(play.get(s), list)
        }
        out.append(("play", {"keywords": keywords, "sections": sections}))
    return out


def _flat_tasks(items: list[tuple[str, Any]]) -> list[NormalTask]:
    """Tasks in execution order (blocks flattened); each play contributes a pseudo-task of its own keywords."""
    out: list[NormalTask] = []

    def add(task: NormalTask) -> None:
        if task.children is None:
            out.append(task)
            return
        out.append(NormalTask("block", {}, task.keywords))
        for section in ("block", "rescue", "always"):
            for child in task.children.get(section, []):
                add(child)

    for kind, item in items:
        if kind == "task":
            add(item)
        else:
            out.append(NormalTask("play", {}, item["keywords"]))
            for section in _TASK_SECTIONS:
                for task in item["sections"].get(section, []):
                    add(task)
    return out


def _pairs(task: NormalTask) -> set[tuple[str, str, Any]]:
    pairs = {(task.module, "", "")}
    pairs.update((task.module, k, _canon(v)) for k, v in task.args.items())
    pairs.update(("keyword", k, _canon(v)) for k, v in task.keywords.items())
    return pairs


def paper_similarity(pred: str, reference: str) -> float:
    """SLMFix's Ansible score: per reference task (aligned in order), the fraction of its (module, argument, value)
    pairs found in the predicted task; averaged over max(#reference, #predicted) tasks so extra tasks cost too."""
    ref_items, pred_items = normal_program(reference), normal_program(pred)
    if ref_items is None:
        return float(pred.strip() == reference.strip())
    if pred_items is None:
        return 0.0
    ref_tasks, pred_tasks = _flat_tasks(ref_items), _flat_tasks(pred_items)
    if not ref_tasks:
        return float(not pred_tasks)
    total = 0.0
    for ref_task, pred_task in zip(ref_tasks, pred_tasks, strict=False):
        want = _pairs(ref_task)
        total += len(want & _pairs(pred_task)) / len(want)
    return total / max(len(ref_tasks), len(pred_tasks))


class _TreeBuilder:
    def __init__(self) -> None:
        self.budget = _MAX_TREE_NODES

    def node(self, label: str, children: list[zss.Node] | None = None) -> zss.Node:
        self.budget -= 1
        return zss.Node(label, children or [])

    def value(self, value: Any, tokenise: bool = False) -> list[zss.Node]:
        if self.budget <= 0:
            return []
        if isinstance(value, dict):
            return [self.node("{}", [self.node(f"key={k}", self.value(v)) for k, v in _sorted_items(value)])]
        if isinstance(value, list):
            return [self.node("[]", [n for v in value[:200] for n in self.value(v)])]
        text = _canon(value)
        if isinstance(value, str) and (tokenise or " " in text):
            return [self.node(tok) for tok in _TOKEN_RE.findall(text)[:200]]
        return [self.node(str(text))]

    def task(self, task: NormalTask) -> zss.Node:
        if task.children is not None:
            sections = [
                self.node(section, [self.task(t) for t in task.children.get(section, [])])
                for section in ("block", "rescue", "always")
                if section in task.children
            ]
            return self.node("block", sections + self.keywords(task.keywords))
        args = [self.node(f"arg={k}", self.value(v, tokenise=k == "_raw_params")) for k, v in _sorted_items(task.args)]
        return self.node("task", [self.node(f"module={task.module}", args), *self.keywords(task.keywords)])

    def keywords(self, keywords: dict[str, Any]) -> list[zss.Node]:
        return [self.node(f"kw={k}", self.value(v)) for k, v in _sorted_items(keywords)]


def _sorted_items(mapping: dict[Any, Any]) -> list[tuple[str, Any]]:
    return sorted(((str(k), v) for k, v in mapping.items()), key=lambda kv: kv[0])


def program_tree(program: str) -> zss.Node | None:
    items = normal_program(program)
    if items is None:
        return None
    build = _TreeBuilder()
    if items and items[0][0] == "play":
        plays = [
            build.node(
                "play",
                build.keywords(item["keywords"])
                + [build.node(s, [build.task(t) for t in item["sections"][s]]) for s in item["sections"]],
            )
            for _, item in items
        ]
        return build.node("playbook", plays)
    return build.node("tasks", [build.task(task) for _, task in items])


# ---------------------------------------------------------------------------------------------------------------
# Mutations: how a frozen LLM gets Ansible wrong, as textual edits
# ---------------------------------------------------------------------------------------------------------------

# What each invalid kind must make the validator say (a label is a promise about the verdict).
_EXPECTED_RULES = {
    "bad-indentation": None,  # any error
    "unbalanced-quotes": None,
    "unbalanced-brackets": None,
    "misspelled-module": {"unknown-module"},
    "misspelled-keyword": {"unknown-keyword", "unknown-play-keyword"},
    "unknown-arg": {"unknown-arg"},
    "missing-required-arg": {
        "missing-required-arg",
        "required-one-of",
        "required-together",
        "required-if",
        "required-by",
    },
    "wrong-choice": {"bad-choice"},
    "borrowed-arg": {"unknown-arg"},
    "wrong-case-choice": {"bad-choice"},
}
_VALID_KINDS = ("wrong-valid-choice", "changed-path", "changed-package", "changed-value", "dropped-optional-arg")
_PACKAGE_MODULES = {"apt", "dnf", "dnf5", "package", "pip"}
_PACKAGES = [
    "nginx", "apache2", "httpd", "git", "curl", "wget", "vim", "htop", "tmux", "postgresql", "mysql-server",
    "mariadb-server", "redis-server", "redis", "memcached", "python3-pip", "python3", "docker.io", "haproxy", "rsync",
    "unzip", "jq", "ntp", "chrony", "fail2ban", "ufw", "openssh-server", "nodejs", "openjdk-17-jdk", "requests",
    "flask", "django", "gunicorn", "boto3", "ansible", "certbot", "logrotate", "sudo", "zsh",
]  # fmt: skip
_USERS = ["root", "deploy", "www-data", "nginx", "ubuntu", "admin", "app", "postgres", "jenkins", "ansible"]
_MODES = ["0644", "0640", "0600", "0755", "0750", "0700", "0444", "0775"]
_MODULE_ALTERNATIVES = {
    "apt": ["apt_get", "apt-get", "aptitude", "apt_package"],
    "yum": ["yum_install", "yumm"],
    "dnf": ["dnf_package", "dnfs"],
    "package": ["packages", "pkg", "install_package"],
    "pip": ["pip3", "pip_install", "python_pip"],
    "service": ["services", "svc", "service_manager"],
    "systemd": ["systemctl", "systemd_unit"],
    "copy": ["copy_file", "cp", "copyfile"],
    "template": ["templates", "jinja_template", "render_template"],
    "file": ["files", "directory", "mkdir"],
    "user": ["users", "useradd", "create_user"],
    "group": ["groups", "groupadd"],
    "lineinfile": ["line_in_file", "lineinfiles", "edit_file"],
    "cron": ["crontab", "cron_job", "cronjob"],
    "git": ["git_clone", "gitclone", "git_repo"],
    "get_url": ["geturl", "get-url", "download", "fetch_url"],
    "unarchive": ["unzip", "untar", "extract"],
    "command": ["cmd", "run", "exec"],
    "shell": ["bash", "sh", "run_shell"],
    "debug": ["print", "echo", "log"],
    "set_fact": ["set_facts", "setfact", "set_var"],
}
_KEYWORD_ALTERNATIVES = {
    "become": ["becom", "become_root", "sudo", "becomes"],
    "become_user": ["become_usr", "sudo_user", "becomeuser", "run_as"],
    "when": ["whn", "if", "only_if", "condition"],
    "register": ["registr", "register_as", "save_as", "output"],
    "notify": ["notfy", "notifies", "handler", "trigger"],
    "loop": ["loops", "for_each", "items", "loop_over"],
    "with_items": ["with_item", "with_itmes", "items_with"],
    "ignore_errors": ["ignore_error", "ignore_failures", "ignore_failed"],
    "tags": ["tag", "taggs"],
    "vars": ["var", "variables"],
    "changed_when": ["change_when", "changed_if"],
    "failed_when": ["fail_when", "failed_if"],
    "delegate_to": ["delegate", "delegated_to"],
    "name": ["nmae", "title", "description"],
    "hosts": ["host", "hosts_list", "target"],
    "tasks": ["task", "steps"],
    "handlers": ["handler", "handles"],
    "gather_facts": ["gather_fact", "facts"],
}
_ARG_ALTERNATIVES = {
    "dest": ["destination", "dst", "target"],
    "src": ["source", "from"],
    "path": ["file", "filepath", "location"],
    "name": ["names_list", "pkg_name", "package_name"],
    "state": ["status", "ensure"],
    "mode": ["permissions", "perms", "chmod"],
    "owner": ["own", "file_owner"],
    "enabled": ["enable", "on_boot", "start_on_boot"],
    "update_cache": ["update", "refresh_cache", "updatecache"],
    "line": ["content_line", "text"],
    "regexp": ["regex", "pattern_match"],
    "repo": ["repository", "url_repo"],
    "url": ["link", "uri"],
    "job": ["command", "cmd"],
    "content": ["contents", "text"],
    "msg": ["message", "text"],
    "shell": ["login_shell", "user_shell"],
    "groups": ["group_list", "extra_groups"],
    "version": ["branch_name", "ref"],
}
_BOGUS_ARGS = [
    ("force_install", "true"),
    ("enable_service", "true"),
    ("recursive_copy", "yes"),
    ("create_dirs", "yes"),
    ("overwrite", "true"),
    ("restart_after", "true"),
    ("permissions", "'0644'"),
    ("sudo", "yes"),
    ("ensure", "present"),
    ("start_on_boot", "true"),
    ("verbose", "true"),
    ("retries_count", "3"),
]
_WRONG_CHOICES = {
    "present": ["installed", "install", "exists", "ensure"],
    "absent": ["removed", "remove", "deleted", "uninstalled"],
    "latest": ["newest", "upgrade", "updated", "last"],
    "started": ["running", "start", "up", "on"],
    "stopped": ["stop", "down", "halted", "off"],
    "restarted": ["restart", "rebooted"],
    "reloaded": ["reload", "refresh"],
    "directory": ["dir", "folder", "mkdir"],
    "file": ["regular", "files"],
    "link": ["symlink", "soft"],
    "touch": ["create", "new"],
}
_SIMILAR_CHOICES = {
    "present": ["absent", "latest"],
    "absent": ["present"],
    "latest": ["present"],
    "started": ["restarted", "stopped", "reloaded"],
    "stopped": ["started"],
    "restarted": ["reloaded", "started"],
    "reloaded": ["restarted"],
    "directory": ["touch", "file", "absent"],
    "link": ["hard"],
}


# The modules whose arguments drafts carry onto other modules.
_DONOR_MODULES = (
    "apt", "dnf", "package", "pip", "service", "systemd_service", "copy", "template", "file", "user", "group",
    "lineinfile", "blockinfile", "replace", "cron", "git", "get_url", "unarchive", "uri", "iptables", "command",
    "wait_for", "hostname", "stat", "find",
)  # fmt: skip


def _plausible_value(option: dict[str, Any]) -> str:
    """A value of the kind an option takes, written as YAML (and as `k=v` text): its first choice, its default, or
    a word of its type."""
    choices = option.get("choices")
    value: Any = choices[0] if choices else option.get("default")
    if value is None or value == "":
        value = {"bool": True, "int": 3, "float": 1.5, "path": "/etc/app/app.conf"}.get(option.get("type") or "", "app")
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    try:
        plain = yaml.load(text, Loader=_SafeLoader) == value and re.fullmatch(r"[\w./:-]+", text) is not None
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text)


def _typo(word: str, rng: random.Random) -> str:
    """A one-edit misspelling of `word`, as fast typing produces."""
    for _ in range(20):
        chars = list(word)
        i = rng.randrange(1, len(chars)) if len(chars) > 1 else 0
        op = rng.choice(("drop", "swap", "double", "vowel"))
        if op == "drop" and len(chars) > 3:
            del chars[i]
        elif op == "swap" and 0 < i < len(chars) - 1:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == "double":
            chars.insert(i, chars[i])
        elif op == "vowel" and chars[i] in "aeiou":
            chars[i] = rng.choice([v for v in "aeiou" if v != chars[i]])
        out = "".join(chars)
        if out != word:
            return out
    return word + "s"


@dataclass
class _Span:
    start: int
    end: int


@dataclass
class _ArgSite:
    """One module argument (or one item of a list argument) as it sits in the text."""

    module: str  # the spec key of the module (apt, template), "" if unknown
    name: str  # canonical argument name
    key: _Span | None  # the key text (None for list items)
    value: _Span | None  # the scalar text including its quotes (None if not a one-line scalar)
    remove: _Span  # what to cut to drop the argument
    raw: Any  # the loaded value
    style: str  # "plain", '"', "'", "kv" (k=v free-form), "item" (list item)
    indent: int  # column of the key, for inserted lines (-1 for kv)


@dataclass
class _TaskSite:
    module_key: _Span | None
    module: str
    keywords: list[tuple[str, _Span, _Span]]  # (keyword, key span, whole-lines span)
    args: list[_ArgSite]
    block_args_end: int | None  # offset after the last line of a block-style argument mapping (for insertions)
    args_indent: int


def _line_span(program: str, node_start: yaml.Node, node_end: yaml.Node) -> _Span:
    """Whole lines from node_start's line to the end of node_end's value."""
    start = program.rfind("\n", 0, node_start.start_mark.index) + 1
    end_mark = node_end.end_mark
    if end_mark.column == 0 and end_mark.index > start:
        end = end_mark.index
    else:
        nl = program.find("\n", end_mark.index)
        end = len(program) if nl < 0 else nl + 1
    return _Span(start, end)


def _sites(program: str) -> list[_TaskSite]:
    """Every play, block and task of the program with the text spans of its parts."""
    data, _ = load_yaml(program)
    if not isinstance(data, YSeq):
        return []
    specs = load_specs()
    sites: list[_TaskSite] = []

    def visit(task: Any) -> None:
        if not isinstance(task, YMap):
            return
        if any(k in task for k in ("block", "rescue", "always")):
            sites.append(_keyword_site(program, task, ()))
            for section in ("block", "rescue", "always"):
                children = task.get(section)
                for child in children if isinstance(children, list) else ():
                    visit(child)
            return
        view = analyse_task(task, specs)
        site = _keyword_site(program, task, (view.module_key,))
        if view.module_key is not None and view.module_key not in ("action", "local_action"):
            knode, vnode = task.nodes[view.module_key]
            site.module_key = _Span(knode.start_mark.index, knode.end_mark.index)
            site.module = (view.ref.spec_key or "") if view.ref else ""
            if view.ref and view.ref.status == "builtin":
                site.args, site.block_args_end, site.args_indent = _arg_sites(program, site.module, vnode, specs)
        sites.append(site)

    for item in data:
        if isinstance(item, YMap) and (any(s in item for s in _TASK_SECTIONS) or "hosts" in item):
            sites.append(_keyword_site(program, item, ()))
            for section in _TASK_SECTIONS:
                tasks = item.get(section)
                for task in tasks if isinstance(tasks, list) else ():
                    visit(task)
        else:
            visit(item)
    return sites


def _keyword_site(program: str, mapping: YMap, exclude: tuple[Any, ...]) -> _TaskSite:
    keywords = []
    for key, (knode, vnode) in mapping.nodes.items():
        if key in exclude or not isinstance(key, str) or key in ("block", "rescue", "always", *_TASK_SECTIONS):
            continue
        keywords.append((key, _Span(knode.start_mark.index, knode.end_mark.index), _line_span(program, knode, vnode)))
    return _TaskSite(None, "", keywords, [], None, 0)


def _arg_sites(
    program: str, module: str, vnode: yaml.Node, specs: dict[str, Any]
) -> tuple[list[_ArgSite], int | None, int]:
    out: list[_ArgSite] = []
    if isinstance(vnode, yaml.MappingNode) and not vnode.flow_style:
        end, indent = None, 0
        for knode, value in vnode.value:
            if not isinstance(knode, yaml.ScalarNode):
                continue
            name = _canonical_arg(module, knode.value, specs)
            key = _Span(knode.start_mark.index, knode.end_mark.index)
            remove = _line_span(program, knode, value)
            end, indent = remove.end, knode.start_mark.column
            if isinstance(value, yaml.ScalarNode) and value.start_mark.line == value.end_mark.line:
                style = {None: "plain", "": "plain", '"': '"', "'": "'"}.get(value.style)
                if style:
                    span = _Span(value.start_mark.index, value.end_mark.index)
                    out.append(_ArgSite(module, name, key, span, remove, _load_scalar(value), style, indent))
                    continue
            out.append(_ArgSite(module, name, key, None, remove, None, "complex", indent))
            if isinstance(value, yaml.SequenceNode) and not value.flow_style:
                for item in value.value:
                    if isinstance(item, yaml.ScalarNode) and item.style in (None, "") and "\n" not in item.value:
                        span = _Span(item.start_mark.index, item.end_mark.index)
                        line = _line_span(program, item, item)
                        out.append(_ArgSite(module, name, None, span, line, _load_scalar(item), "item", -1))
        return out, end, indent
    if (
        isinstance(vnode, yaml.ScalarNode)
        and vnode.style in (None, "")
        and vnode.start_mark.line == vnode.end_mark.line
    ):
        base = vnode.start_mark.index
        text = program[base : vnode.end_mark.index]
        for m in re.finditer(r"(?:(?<=\s)|^)(\w+)=(\S+)", text):
            if m.group(2)[:1] in "\"'{":  # quoted or templated: spans of what follows are not simple
                continue
            name = _canonical_arg(module, m.group(1), specs)
            start = base + m.start()
            while start > base and program[start - 1] == " ":
                start -= 1
            out.append(
                _ArgSite(
                    module,
                    name,
                    _Span(base + m.start(1), base + m.end(1)),
                    _Span(base + m.start(2), base + m.end(2)),
                    _Span(start, base + m.end()),
                    m.group(2),
                    "kv",
                    -1,
                )
            )
    return out, None, 0


def _load_scalar(node: yaml.ScalarNode) -> Any:
    try:
        return _Builder()._scalar(node)
    except _YamlProblem:
        return node.value


def _edit(program: str, span: _Span, text: str) -> str:
    return program[: span.start] + text + program[span.end :]


def _render(new: str, site: _ArgSite) -> str:
    """A new scalar in the style of the one it replaces: quoted when plain YAML would read it as something else."""
    if site.style in ('"', "'"):
        return f"{site.style}{new}{site.style}"
    if site.style in ("plain", "item"):
        try:
            same = yaml.load(new, Loader=_SafeLoader) == new
        except yaml.YAMLError:
            same = False
        return new if same else json.dumps(new)
    return new


def _option(specs: dict[str, Any], module: str, name: str) -> dict[str, Any] | None:
    spec = specs["modules"].get(module)
    if not spec:
        return None
    for source in [spec] + [specs["modules"][b] for b in spec.get("backends", ())]:
        if name in (source.get("options") or {}):
            return source["options"][name]
    return None


class _Mutator:
    def __init__(self, program: str, rng: random.Random, validate: Any) -> None:
        self.program, self.rng, self.validate = program, rng, validate
        self.sites = _sites(program)
        self.specs = load_specs()
        self.args = [a for s in self.sites for a in s.args]

    # ---- invalid ------------------------------------------------------------------------------------------

    def bad_indentation(self) -> Iterator[str]:
        lines = self.program.splitlines(keepends=True)
        candidates = [i for i, line in enumerate(lines) if re.match(r"^ +[A-Za-z_][\w.-]*:", line)]
        self.rng.shuffle(candidates)
        for i in candidates:
            for shift in self.rng.sample([1, -1, 3, -2], 4):
                indent = len(lines[i]) - len(lines[i].lstrip(" "))
                if indent + shift < 0:
                    continue
                new = list(lines)
                new[i] = " " * (indent + shift) + lines[i].lstrip(" ")
                yield "".join(new)

    def unbalanced_quotes(self) -> Iterator[str]:
        scalars = [a for a in self.args if a.value is not None and a.style in ('"', "'", "plain")]
        self.rng.shuffle(scalars)
        for a in scalars:
            assert a.value is not None
            if a.style in ('"', "'"):
                yield _edit(self.program, _Span(a.value.end - 1, a.value.end), "")
            else:
                yield _edit(self.program, _Span(a.value.start, a.value.start), self.rng.choice(['"', "'"]))

    def unbalanced_brackets(self) -> Iterator[str]:
        spots = [m.start() for m in re.finditer(r"\}\}|\]|\)", self.program)]
        self.rng.shuffle(spots)
        for i in spots:
            width = 2 if self.program.startswith("}}", i) and self.rng.random() < 0.5 else 1
            yield self.program[:i] + self.program[i + width :]

    def misspelled_module(self) -> Iterator[str]:
        sites = [s for s in self.sites if s.module_key is not None]
        self.rng.shuffle(sites)
        for s in sites:
            assert s.module_key is not None
            written = self.program[s.module_key.start : s.module_key.end]
            prefix, _, short = written.rpartition(".")
            prefix = prefix + "." if prefix else ""
            options = list(_MODULE_ALTERNATIVES.get(short, [])) + [_typo(short, self.rng) for _ in range(3)]
            self.rng.shuffle(options)
            for option in options:  # a misspelling, not another module (`svc` is community.general's)
                if resolve_module(prefix + option, self.specs).status == "unknown":
                    yield _edit(self.program, s.module_key, prefix + option)

    def misspelled_keyword(self) -> Iterator[str]:
        keywords = [(k, span) for s in self.sites for k, span, _ in s.keywords]
        self.rng.shuffle(keywords)
        for key, span in keywords:
            options = list(_KEYWORD_ALTERNATIVES.get(key, [])) + [_typo(key, self.rng) for _ in range(2)]
            self.rng.shuffle(options)
            for option in options:
                yield _edit(self.program, span, option)

    def unknown_arg(self) -> Iterator[str]:
        keyed = [a for a in self.args if a.key is not None]
        self.rng.shuffle(keyed)
        blocks = [s for s in self.sites if s.block_args_end is not None]
        for a in keyed:
            assert a.key is not None
            written = self.program[a.key.start : a.key.end]
            if self.rng.random() < 0.5 and blocks:
                s = self.rng.choice(blocks)
                name, value = self.rng.choice(_BOGUS_ARGS)
                at = _Span(s.block_args_end or 0, s.block_args_end or 0)
                yield _edit(self.program, at, " " * s.args_indent + f"{name}: {value}\n")
            options = [*_ARG_ALTERNATIVES.get(written, []), _typo(written, self.rng)]
            yield _edit(self.program, a.key, self.rng.choice(options))

    def missing_required_arg(self) -> Iterator[str]:
        keyed = [a for a in self.args if a.key is not None]
        self.rng.shuffle(keyed)
        for a in keyed:
            option = _option(self.specs, a.module, a.name) or {}
            spec = self.specs["modules"].get(a.module) or {}
            groups = [g for g in spec.get("required_one_of") or () if a.name in g]
            if option.get("required") or groups or spec.get("backends"):
                yield _edit(self.program, a.remove, "")

    def wrong_choice(self) -> Iterator[str]:
        for a in self._choice_sites():
            current = str(a.raw)
            words = [*_WRONG_CHOICES.get(current, []), current + "d", current.rstrip("ed") + "ing"]
            choices = {str(c) for c in (_option(self.specs, a.module, a.name) or {}).get("choices") or ()}
            words = [w for w in words if w not in choices]
            if words and a.value is not None:
                yield _edit(self.program, a.value, _render(self.rng.choice(words), a))

    def borrowed_arg(self) -> Iterator[str]:
        """An argument another builtin module takes and this one doesn't, as LLMs carry names across modules
        (`max_password_age` on user, `dport` on iptables): one of the task's arguments renamed to it, or it added
        with a value its own module would take."""
        sites = [s for s in self.sites if s.module and any(a.key is not None for a in s.args)]
        self.rng.shuffle(sites)
        for s in sites:
            own = self._names_of(s.module)
            borrowed = [n for n in self._donor_names() if n not in own]
            if not borrowed:
                continue
            name = self.rng.choice(borrowed)
            keyed = [a for a in s.args if a.key is not None]
            if self.rng.random() < 0.5:
                a = self.rng.choice(keyed)
                assert a.key is not None
                # of a few borrowed names, the one nearest the key it replaces reads as what a draft would write
                written = self.program[a.key.start : a.key.end]
                pool = self.rng.sample(borrowed, min(8, len(borrowed)))
                near = max(pool, key=lambda n: difflib.SequenceMatcher(None, written, n).ratio())
                yield _edit(self.program, a.key, near)
                continue
            value = _plausible_value(self._donor_option(name))
            last = keyed[-1]
            if last.style == "kv":
                yield _edit(self.program, _Span(last.remove.end, last.remove.end), f" {name}={value}")
            elif s.block_args_end is not None:
                at = _Span(s.block_args_end, s.block_args_end)
                yield _edit(self.program, at, " " * s.args_indent + f"{name}: {value}\n")

    def wrong_case_choice(self) -> Iterator[str]:
        """A choice written in another case (`Present`, `STARTED`): ansible-core compares choices exactly."""
        for a in self._choice_sites():
            current = a.raw
            if not isinstance(current, str) or not current.isalpha() or a.value is None:
                continue
            choices = {str(c) for c in (_option(self.specs, a.module, a.name) or {}).get("choices") or ()}
            cased = [current.capitalize(), current.upper(), current.title()]
            # `Yes`/`NO` load as booleans, which ansible maps back onto a boolean-like choice
            cased = [w for w in dict.fromkeys(cased) if w not in choices and w.lower() not in _BOOL_STRINGS]
            if cased:
                yield _edit(self.program, a.value, _render(self.rng.choice(cased), a))

    # ---- valid but off ------------------------------------------------------------------------------------

    def wrong_valid_choice(self) -> Iterator[str]:
        for a in self._choice_sites():
            choices = [str(c) for c in (_option(self.specs, a.module, a.name) or {}).get("choices") or ()]
            current = str(a.raw)
            similar = [c for c in _SIMILAR_CHOICES.get(current, []) if c in choices]
            others = similar or [c for c in choices if c != current]
            if others and a.value is not None:
                yield _edit(self.program, a.value, _render(self.rng.choice(others), a))

    def changed_path(self) -> Iterator[str]:
        paths = [a for a in self._scalar_sites() if "/" in str(a.raw) and not str(a.raw).startswith(("http", "git@"))]
        self.rng.shuffle(paths)
        for a in paths:
            assert a.value is not None
            new = _change_path(str(a.raw), self.rng)
            if new != str(a.raw):
                yield _edit(self.program, a.value, _render(new, a))

    def changed_package(self) -> Iterator[str]:
        names = [a for a in self._scalar_sites() if a.module in _PACKAGE_MODULES and a.name in ("name", "package")]
        self.rng.shuffle(names)
        for a in names:
            assert a.value is not None
            new = self.rng.choice([p for p in _PACKAGES if p != str(a.raw)])
            yield _edit(self.program, a.value, _render(new, a))

    def changed_value(self) -> Iterator[str]:
        sites = self._scalar_sites()
        self.rng.shuffle(sites)
        for a in sites:
            assert a.value is not None
            raw = str(a.raw)
            if a.name in ("mode", "directory_mode"):
                new = self.rng.choice([m for m in _MODES if m != raw.zfill(4)])
                yield _edit(self.program, a.value, new if a.style in ('"', "'", "kv") else f'"{new}"')
            elif a.name in ("owner", "group", "user", "become_user") and raw in _USERS:
                yield _edit(self.program, a.value, _render(self.rng.choice([u for u in _USERS if u != raw]), a))
            elif re.fullmatch(r"\d{1,5}", raw):
                new = str(max(0, int(raw) + self.rng.choice([-10, -1, 1, 10, 100])))
                if new != raw:
                    yield _edit(self.program, a.value, _render(new, a) if a.style != "plain" else new)

    def dropped_optional_arg(self) -> Iterator[str]:
        keyed = [a for a in self.args if a.key is not None]
        self.rng.shuffle(keyed)
        for a in keyed:
            yield _edit(self.program, a.remove, "")

    # ---- helpers ------------------------------------------------------------------------------------------

    def _scalar_sites(self) -> list[_ArgSite]:
        return [a for a in self.args if a.value is not None and not is_jinja(a.raw) and a.raw is not None]

    def _names_of(self, module: str) -> set[str]:
        """The names a module's task may give: its own and, for package/service, those of any backend."""
        spec = self.specs["modules"].get(module) or {}
        names: set[str] = set()
        for source in [spec] + [self.specs["modules"][b] for b in spec.get("backends", ())]:
            options = source.get("options") or {}
            names.update(options, *(o.get("aliases") or () for o in options.values() if o))
        return names

    def _donor_names(self) -> list[str]:
        """Argument names of the modules drafts use most, with a scalar value to write: the pool an LLM borrows
        from."""
        names = set()
        for module in _DONOR_MODULES:
            for name, option in ((self.specs["modules"].get(module) or {}).get("options") or {}).items():
                if not name.startswith("_") and option and option.get("type") not in ("list", "dict"):
                    names.add(name)
        return sorted(names)

    def _donor_option(self, name: str) -> dict[str, Any]:
        for module in _DONOR_MODULES:
            option = ((self.specs["modules"].get(module) or {}).get("options") or {}).get(name)
            if option:
                return option
        return {}

    def _choice_sites(self) -> list[_ArgSite]:
        sites = [
            a
            for a in self._scalar_sites()
            if a.style != "item" and (_option(self.specs, a.module, a.name) or {}).get("choices")
        ]
        self.rng.shuffle(sites)
        return sites

    def run(self, kind: str, invalid: bool, tries: int = 25) -> str | None:
        generator = getattr(self, kind.replace("-", "_"))()
        for count, candidate in enumerate(generator):
            if count >= tries:
                break
            if candidate == self.program:
                continue
            verdict = self.validate(candidate)
            if invalid:
                expected = _EXPECTED_RULES[kind]
                if not verdict.ok and (expected is None or any(d.rule in expected for d in verdict.errors)):
                    return candidate
            elif verdict.ok:
                return candidate
        return None


def iter_mutations(
    program: str, rng: random.Random, invalid: bool = True, per_kind: int = 3
) -> Iterator[tuple[str, str]]:
    """Unchecked candidate edits, up to `per_kind` of each kind: what `mutate` chooses from after validating them."""
    mutator = _Mutator(program, rng, validate=None)
    for kind in _EXPECTED_RULES if invalid else _VALID_KINDS:
        made = 0
        for candidate in getattr(mutator, kind.replace("-", "_"))():
            if made >= per_kind:
                break
            if candidate != program:
                made += 1
                yield kind, candidate


def _change_path(path: str, rng: random.Random) -> str:
    head, _, base = path.rstrip("/").rpartition("/")
    stem, dot, ext = base.partition(".")
    moves = []
    if head:
        moves.append(f"{head}/{rng.choice(['conf.d', 'config', 'files', 'data', 'backup'])}/{base}")
    if dot and stem:
        moves.append(f"{head}/{stem}{rng.choice(['_old', '-new', '.orig', '2'])}.{ext}")
    elif base:
        moves.append(f"{head}/{base}{rng.choice(['s', '_data', '-old', '2'])}")
    for old, new in (("/etc/", "/usr/local/etc/"), ("/opt/", "/srv/"), ("/srv/", "/opt/"), ("/var/www", "/srv/www")):
        if path.startswith(old):
            moves.append(new + path[len(old) :])
    return rng.choice(moves) if moves else path


# ---------------------------------------------------------------------------------------------------------------
# ansible-lint, for comparison
# ---------------------------------------------------------------------------------------------------------------

# ansible-lint findings that say the program is wrong (the rest are style: fqcn, name[casing], no-free-form, ...)
_LINT_ERROR_RULES = ("args", "syntax-check", "load-failure", "parser-error", "internal-error", "schema", "jinja")
_LINT_ERROR_IDS = ("yaml[syntax]", "yaml[key-duplicates]")


def ansible_lint_batch(programs: Sequence[str], timeout: float = 600.0) -> list[Validation]:
    """Run the real ansible-lint once over all programs (task files under tasks/, playbooks under playbooks/)."""
    binary = Path(sys.executable).parent / "ansible-lint"
    command = str(binary) if binary.exists() else shutil.which("ansible-lint")
    if command is None:
        raise RuntimeError("ansible-lint is not installed")
    specs = load_specs()
    play_only = set(specs["keywords"]["play"]) - set(specs["keywords"]["task"]) - set(specs["keywords"]["block"])
    with tempfile.TemporaryDirectory(prefix="slmfix-lint-") as tmp:
        root = Path(tmp)
        (root / "tasks").mkdir()
        (root / "playbooks").mkdir()
        paths = []
        for i, program in enumerate(programs):
            data, _ = load_yaml(program)
            playbook = isinstance(data, list) and any(isinstance(x, dict) and play_only & set(x) for x in data)
            path = Path("playbooks" if playbook else "tasks") / f"p{i:06d}.yml"
            (root / path).write_text(program, encoding="utf-8")
            paths.append(str(path))
        env = {**os.environ, "PATH": f"{Path(command).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        env.setdefault("ANSIBLE_LOCAL_TEMP", str(root / ".tmp"))
        proc = subprocess.run(
            [command, "--offline", "--nocolor", "-q", "-f", "codeclimate", *paths],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        try:
            findings = json.loads(proc.stdout or "[]")
        except ValueError as exc:
            raise RuntimeError(f"ansible-lint gave no JSON: {proc.stderr[-300:]}") from exc
    per_file: dict[str, list[Diagnostic]] = {p: [] for p in paths}
    for item in findings:
        location = item.get("location", {})
        rule = str(item.get("check_name", "lint"))
        line = location.get("lines", {}).get("begin") or location.get("positions", {}).get("begin", {}).get("line", 0)
        error = rule.split("[")[0] in _LINT_ERROR_RULES or rule in _LINT_ERROR_IDS
        diag = Diagnostic(
            int(line or 0), 0, rule, str(item.get("description", ""))[:300], "error" if error else "warning"
        )
        per_file.setdefault(location.get("path", ""), []).append(diag)
    return [Validation.of(per_file[p]) for p in paths]


# ---------------------------------------------------------------------------------------------------------------
# Repair help: the argument lists a repair prompt shows, and the rule-based fixes (the `rules` baseline)
# ---------------------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------------------
# The DSL
# ---------------------------------------------------------------------------------------------------------------


class Ansible(DSL):
    """Ansible playbooks and task files. backend="native" is the spec-based validator of this module;
    backend="ansible-lint" runs the real ansible-lint (one process per batch) for comparison."""

    name = "ansible"
    fence = "yaml"
    display_name = "Ansible"

    def __init__(self, backend: str = "native", unknown_collection: str = "warning", **bounds: Any) -> None:
        """`bounds`: max_program_bytes, timeout_s, max_tree_nodes, as `DSL` takes them. ansible-lint needs ~4 s
        to start, so its backend's default time bound is a minute."""
        if backend not in ("native", "ansible-lint"):
            raise ValueError(f"unknown ansible backend {backend!r}: use 'native' or 'ansible-lint'")
        if unknown_collection not in ("warning", "error"):
            raise ValueError(f"unknown_collection must be 'warning' or 'error', not {unknown_collection!r}")
        if backend == "ansible-lint" and bounds.get("timeout_s") is None:
            bounds["timeout_s"] = 60.0
        super().__init__(**bounds)
        self.backend = backend
        self.unknown_collection = unknown_collection
        load_specs()  # built once (~2 s when not cached on disk), here rather than inside a program's time bound

    def _validate(self, program: str, context: Context) -> Validation:
        if self.backend == "ansible-lint":
            return ansible_lint_batch([program], timeout=self.timeout_s)[0]
        return check_program(program, self.unknown_collection)

    def _validate_batch(self, programs: Sequence[str], contexts: Sequence[Context]) -> list[Validation]:
        if self.backend == "ansible-lint":
            return ansible_lint_batch(programs, timeout=self.timeout_s * (1 + len(programs)))
        return super()._validate_batch(programs, contexts)

    def tree(self, program: str, context: Context) -> zss.Node | None:
        return program_tree(program)

    def keywords(self) -> frozenset[str]:
        """The play, block, task and handler keywords of ansible-core. No data flow: the bundled tasks are single
        tasks, which pass no data (2% register a variable)."""
        return _playbook_keywords()

    def paper_similarity(self, pred: str, reference: str, context: Context) -> float:
        return paper_similarity(pred, reference)

    def _repair_context(self, program: str, validation: Validation, context: Context) -> str:
        """`ansible.builtin.apt arguments: allow_change_held_packages, ...` for the modules whose arguments the first
        errors are about (plus `state choices: ...` for a bad choice); an unknown module's message already names
        its candidates, so it adds nothing."""
        return repair_context(program, validation, load_specs())

    def _rule_fix(self, program: str, validation: Validation, context: Context) -> str | None:
        """A misspelt argument, keyword or module renamed to the message's did-you-mean; an invented argument with
        no near name deleted (with its block); a choice in the wrong case or near spelling replaced; an argument
        level with its module indented under it."""
        return rule_fix(program, validation, load_specs(), self.unknown_collection)

    def mutate(self, program: str, context: Context, rng: random.Random, invalid: bool) -> Mutation | None:
        def verdict(candidate: str) -> Validation:  # always the native checker, whatever the backend
            return self.refusal(candidate) or check_program(candidate, self.unknown_collection)

        mutator = _Mutator(program, rng, verdict)
        kinds = list(_EXPECTED_RULES) if invalid else list(_VALID_KINDS)
        rng.shuffle(kinds)  # the first kind that applies in a random order: uniform over the kinds that apply
        for kind in kinds:
            found = mutator.run(kind, invalid)
            if found is not None:
                return Mutation(found, kind, invalid)
        return None
