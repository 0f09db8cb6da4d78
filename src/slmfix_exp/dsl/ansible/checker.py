"""Modules, arguments and tasks: resolving a task's module as ansible-core does, and checking it against its spec."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from slmfix_exp.dsl.ansible.loader import YMap, YSeq, _pos, closed_jinja, is_jinja, jinja_error, load_yaml
from slmfix_exp.dsl.ansible.specs import load_specs
from slmfix_exp.dsl.base import Diagnostic, Validation

_OMIT_RE = re.compile(r"^\s*\{\{-?\s*omit\s*-?\}\}\s*$")
_WHOLE_JINJA_RE = re.compile(r"^\s*\{\{(?:(?!\{\{|\}\}).)*\}\}\s*$", re.S)  # one expression, nothing around it
_CONDITIONALS = ("when", "changed_when", "failed_when", "until")
# keywords whose values are checked elsewhere: tasks of a section, module arguments
_NOT_KEYWORD_VALUES = {"tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always", "args", "action"}
_BOOL_STRINGS = {"yes", "no", "true", "false", "on", "off", "y", "n", "1", "0", "t", "f", "1.0", "0.0"}
_TRUE_STRINGS = {"y", "yes", "on", "1", "true", "t", "1.0"}
_FALSE_STRINGS = {"n", "no", "off", "0", "false", "f", "0.0"}
_SCALARS = (str, int, float, bool)


@cache
def _type_validators() -> dict[str, Any]:
    from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS

    return dict(DEFAULT_TYPE_VALIDATORS)


@cache
def _parse_kv() -> Any:
    from ansible.parsing.splitter import parse_kv

    return parse_kv


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


def _not_a_keyword(key: object, where: str, hint: str | None) -> str:
    return f"{key!r} is not a {where} keyword" + (f" (did you mean {hint!r}?)" if hint else "")


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
                    _not_a_keyword(key, "play", hint),
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
                _not_a_keyword(key, "task", hint),
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
                    _not_a_keyword(key, "block", hint),
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
                            _not_a_keyword(sub, "loop_control", hint),
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
