"""Normal form: the tree of a program and the SLMFix paper's similarity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import zss

from slmfix_exp.dsl.ansible.checker import analyse_task
from slmfix_exp.dsl.ansible.loader import YMap, load_yaml
from slmfix_exp.dsl.ansible.specs import load_specs

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
