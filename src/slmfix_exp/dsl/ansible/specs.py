"""The spec table, captured once from ansible-core itself and cached on disk per ansible-core version."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import json
import os
import pkgutil
import sys
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from slmfix_exp.dsl.ansible.loader import _SafeLoader


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
    """The spec table: read from the on-disk cache for this ansible-core version, built when missing."""
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
