"""Mutations: how a frozen LLM gets Ansible wrong, as textual edits."""

from __future__ import annotations

import difflib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from slmfix_exp.dsl.ansible.checker import _BOOL_STRINGS, analyse_task, resolve_module
from slmfix_exp.dsl.ansible.loader import YMap, YSeq, _Builder, _SafeLoader, _YamlProblem, is_jinja, load_yaml
from slmfix_exp.dsl.ansible.similarity import _TASK_SECTIONS, _canonical_arg
from slmfix_exp.dsl.ansible.specs import load_specs
from slmfix_exp.dsl.base import MutationKinds

# The kinds, each registered on the `_Mutator` method that yields its candidates, with what it must make the
# validator say (a label is a promise about the verdict).
MUTATIONS = MutationKinds()
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

    @MUTATIONS.invalid("bad-indentation")  # any error
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

    @MUTATIONS.invalid("unbalanced-quotes")
    def unbalanced_quotes(self) -> Iterator[str]:
        scalars = [a for a in self.args if a.value is not None and a.style in ('"', "'", "plain")]
        self.rng.shuffle(scalars)
        for a in scalars:
            assert a.value is not None
            if a.style in ('"', "'"):
                yield _edit(self.program, _Span(a.value.end - 1, a.value.end), "")
            else:
                yield _edit(self.program, _Span(a.value.start, a.value.start), self.rng.choice(['"', "'"]))

    @MUTATIONS.invalid("unbalanced-brackets")
    def unbalanced_brackets(self) -> Iterator[str]:
        spots = [m.start() for m in re.finditer(r"\}\}|\]|\)", self.program)]
        self.rng.shuffle(spots)
        for i in spots:
            width = 2 if self.program.startswith("}}", i) and self.rng.random() < 0.5 else 1
            yield self.program[:i] + self.program[i + width :]

    @MUTATIONS.invalid("misspelled-module", rules={"unknown-module"})
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

    @MUTATIONS.invalid("misspelled-keyword", rules={"unknown-keyword", "unknown-play-keyword"})
    def misspelled_keyword(self) -> Iterator[str]:
        keywords = [(k, span) for s in self.sites for k, span, _ in s.keywords]
        self.rng.shuffle(keywords)
        for key, span in keywords:
            options = list(_KEYWORD_ALTERNATIVES.get(key, [])) + [_typo(key, self.rng) for _ in range(2)]
            self.rng.shuffle(options)
            for option in options:
                yield _edit(self.program, span, option)

    @MUTATIONS.invalid("unknown-arg", rules={"unknown-arg"})
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

    @MUTATIONS.invalid(
        "missing-required-arg",
        rules={"missing-required-arg", "required-one-of", "required-together", "required-if", "required-by"},
    )
    def missing_required_arg(self) -> Iterator[str]:
        keyed = [a for a in self.args if a.key is not None]
        self.rng.shuffle(keyed)
        for a in keyed:
            option = _option(self.specs, a.module, a.name) or {}
            spec = self.specs["modules"].get(a.module) or {}
            groups = [g for g in spec.get("required_one_of") or () if a.name in g]
            if option.get("required") or groups or spec.get("backends"):
                yield _edit(self.program, a.remove, "")

    @MUTATIONS.invalid("wrong-choice", rules={"bad-choice"})
    def wrong_choice(self) -> Iterator[str]:
        for a in self._choice_sites():
            current = str(a.raw)
            words = [*_WRONG_CHOICES.get(current, []), current + "d", current.rstrip("ed") + "ing"]
            choices = {str(c) for c in (_option(self.specs, a.module, a.name) or {}).get("choices") or ()}
            words = [w for w in words if w not in choices]
            if words and a.value is not None:
                yield _edit(self.program, a.value, _render(self.rng.choice(words), a))

    @MUTATIONS.invalid("borrowed-arg", rules={"unknown-arg"})
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

    @MUTATIONS.invalid("wrong-case-choice", rules={"bad-choice"})
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

    @MUTATIONS.valid("wrong-valid-choice")
    def wrong_valid_choice(self) -> Iterator[str]:
        for a in self._choice_sites():
            choices = [str(c) for c in (_option(self.specs, a.module, a.name) or {}).get("choices") or ()]
            current = str(a.raw)
            similar = [c for c in _SIMILAR_CHOICES.get(current, []) if c in choices]
            others = similar or [c for c in choices if c != current]
            if others and a.value is not None:
                yield _edit(self.program, a.value, _render(self.rng.choice(others), a))

    @MUTATIONS.valid("changed-path")
    def changed_path(self) -> Iterator[str]:
        paths = [a for a in self._scalar_sites() if "/" in str(a.raw) and not str(a.raw).startswith(("http", "git@"))]
        self.rng.shuffle(paths)
        for a in paths:
            assert a.value is not None
            new = _change_path(str(a.raw), self.rng)
            if new != str(a.raw):
                yield _edit(self.program, a.value, _render(new, a))

    @MUTATIONS.valid("changed-package")
    def changed_package(self) -> Iterator[str]:
        names = [a for a in self._scalar_sites() if a.module in _PACKAGE_MODULES and a.name in ("name", "package")]
        self.rng.shuffle(names)
        for a in names:
            assert a.value is not None
            new = self.rng.choice([p for p in _PACKAGES if p != str(a.raw)])
            yield _edit(self.program, a.value, _render(new, a))

    @MUTATIONS.valid("changed-value")
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

    @MUTATIONS.valid("dropped-optional-arg")
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

    def run(self, kind: str, tries: int = 25) -> str | None:
        """The first of `tries` candidates of a kind that keeps its promise, or None."""
        promise = MUTATIONS.kinds[kind]
        for count, candidate in enumerate(promise.find(self)):
            if count >= tries:
                break
            if candidate != self.program and promise.kept_by(self.validate(candidate)):
                return candidate
        return None


def iter_mutations(
    program: str, rng: random.Random, invalid: bool = True, per_kind: int = 3
) -> Iterator[tuple[str, str]]:
    """Unchecked candidate edits, up to `per_kind` of each kind: what `mutate` chooses from after validating them."""
    mutator = _Mutator(program, rng, validate=None)
    for kind in MUTATIONS.of(invalid).values():
        made = 0
        for candidate in kind.find(mutator):
            if made >= per_kind:
                break
            if candidate != program:
                made += 1
                yield kind.label, candidate


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
