"""How fast and how right the Ansible validator is, on real tasks and on broken copies of them.

    python experiments/bench_validator_ansible.py [--data ../shared/data/ansible/tasks.jsonl] [--lint-files 5]
        [--mutation-programs 600] [--lint-batch 40]

Figures printed (one process, one core, all measured in this run):
- programs/s of `Ansible()` on every real task, and of the naive baseline: the ansible-lint CLI run once per file
  (timed on --lint-files files; its start-up dominates), with the ratio; the cost of yamllint's syntax +
  key-duplicates pass per program, for comparison with the YAML checks the validator does itself;
- acceptance rate on the real tasks whose modules ship with ansible-core, and how ansible-core itself labels the
  rejected ones;
- rejection rate of invalid mutations of real tasks. The candidates are unchecked (`iter_mutations`: the edits
  `mutate` chooses from before it validates them), and ansible-core labels them, not our validator: its YAML loader
  (duplicate keys as errors), its Play/Task loader (which resolves modules, keywords and free-form arguments), its
  Jinja environment, and its ArgumentSpecValidator over the argument specs the modules hand to AnsibleModule (a
  Jinja value stands for "any value of the right type"). Candidates ansible-core can't judge (arguments of
  action-only modules such as template) are counted apart. Valid-but-off kinds: acceptance of those ansible-core
  accepts;
- with --lint-batch N, ansible-lint in one batch call on N candidates ansible-core rejects: its rejection rate.
"""

from __future__ import annotations

import os
import tempfile

# ansible-core reads its configuration when first imported: duplicate keys are errors for the oracle below
os.environ.setdefault("ANSIBLE_DUPLICATE_YAML_DICT_KEY", "error")
os.environ.setdefault("ANSIBLE_LOCAL_TEMP", tempfile.mkdtemp(prefix="bench-ansible-"))

import argparse
import contextlib
import copy
import io
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from slmfix_exp.dsl.ansible import (
    Ansible,
    ansible_lint_batch,
    capture_action_kwargs,
    capture_module_kwargs,
    is_jinja,
    iter_mutations,
    load_specs,
    uses_only_core_modules,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ansible" / "tasks.jsonl"
CONDITIONALS = ("when", "changed_when", "failed_when", "until")
PLACEHOLDER = {"str": "x", "path": "/x", "raw": "x", "bool": True, "int": 1, "float": 1.0, "list": ["x"], "dict": {}}


class CoreOracle:
    """ansible-core's own verdict on a program, without running it: 'invalid', 'valid' or 'unknown'."""

    def __init__(self) -> None:
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        from ansible.parsing.dataloader import DataLoader
        from ansible.plugins.action.service import ActionModule as ServiceAction
        from ansible.plugins.loader import fragment_loader, init_plugin_loader
        from ansible.template import Templar
        from ansible.utils.collection_loader._collection_finder import _get_collection_metadata
        from ansible.utils.plugin_docs import get_docstring
        from ansible.vars.manager import VariableManager

        init_plugin_loader([])
        self.routing = _get_collection_metadata("ansible.builtin").get("plugin_routing", {})
        self.validator_cls = ArgumentSpecValidator
        self.loader = DataLoader()
        self.variables = VariableManager(loader=self.loader)
        self.environment = Templar(loader=self.loader).environment
        names = sorted(load_specs()["modules"])
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            self.modules = capture_module_kwargs(names)
            self.actions, _, self.backends = capture_action_kwargs()
            modules_dir = Path(sys.modules["ansible.modules"].__path__[0])
            self.documented = {
                n: set((get_docstring(str(modules_dir / f"{n}.py"), fragment_loader)[0] or {}).get("options") or {})
                for n in names
            }
        self.unused_by_backend = ServiceAction.UNUSED_PARAMS

    def label(self, text: str) -> tuple[str, str]:
        from ansible.errors import AnsibleError

        try:
            with contextlib.redirect_stderr(io.StringIO()):
                data = self.loader.load(text)
        except Exception as exc:
            return "invalid", f"yaml: {str(exc).splitlines()[0][:120]}"
        if not isinstance(data, list) or not data:
            return "invalid", "not a list of plays or tasks"
        try:
            with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                tasks = self._load_tasks(data)
        except AnsibleError as exc:
            message = str(exc).splitlines()[0]
            if "couldn't resolve module/action" in message and self._in_a_collection(message.split("'")[1]):
                return "unknown", "collection not installed"
            if any(m in message for m in ("was not found in", "Unable to retrieve file contents", "module_defaults")):
                return "unknown", "role, file or collection not present"  # a task file out of its role
            return "invalid", f"load: {message[:120]}"
        unknown = ""
        for task in tasks:
            problem = self._jinja(task) or self._arguments(task)
            if problem == "unknown":
                unknown = f"arguments of {task.action} are not checkable"
            elif problem:
                return "invalid", problem
        return ("unknown", unknown) if unknown else ("valid", "")

    def _in_a_collection(self, name: str) -> bool:
        """A dotted name, or a short one ansible-core routes to a collection (`svc` -> community.general.svc)."""
        if name.count(".") >= 2 and not name.startswith(("ansible.builtin.", "ansible.legacy.")):
            return True
        short = name.rsplit(".", 1)[-1]
        entry = (self.routing.get("modules") or {}).get(short) or (self.routing.get("action") or {}).get(short) or {}
        return not str(entry.get("redirect", "ansible.builtin.")).startswith("ansible.builtin.")

    def _load_tasks(self, data: list[Any]) -> list[Any]:
        from ansible.playbook.helpers import load_list_of_blocks
        from ansible.playbook.play import Play

        if any(isinstance(x, dict) and ("hosts" in x or "tasks" in x) for x in data):
            plays = [Play.load(x, variable_manager=self.variables, loader=self.loader) for x in data]
            blocks = [b for p in plays for b in p.compile()]
        else:
            play = Play.load(
                {"hosts": "all", "gather_facts": False}, variable_manager=self.variables, loader=self.loader
            )
            handlers = any(isinstance(x, dict) and "listen" in x for x in data)  # a role's handlers file
            blocks = load_list_of_blocks(
                data, play=play, use_handlers=handlers, variable_manager=self.variables, loader=self.loader
            )
        tasks: list[Any] = []
        stack = list(blocks)
        while stack:
            block = stack.pop()
            for item in [*block.block, *block.rescue, *block.always]:
                (stack if hasattr(item, "block") else tasks).append(item)
        return tasks

    def _jinja(self, task: Any) -> str:
        """Templates ansible-core would fail to compile when it runs the task (`name` is only templated for display,
        with the raw text as fallback)."""
        raw = getattr(task, "_ds", None) or {}
        keywords = {
            k: v
            for k, v in raw.items()
            if (k in type(task).fattributes or k.startswith("with_")) and k not in ("name", "args", "action")
        }
        texts = [(s, False) for s in _strings(task.args) + _strings(keywords)]
        for key in CONDITIONALS:
            conditions = raw.get(key)
            for cond in conditions if isinstance(conditions, list) else [conditions]:
                if isinstance(cond, str):
                    texts.append((cond, not is_jinja(cond)))
        for text, bare in texts:
            if bare or is_jinja(text):
                try:
                    self.environment.parse("{{ " + text + " }}" if bare else text)
                except Exception as exc:
                    return f"jinja: {str(exc)[:100]}"
        return ""

    def _arguments(self, task: Any) -> str:
        action = str(getattr(task, "resolved_action", None) or task.action)
        short = action.split(".", 2)[2] if action.startswith(("ansible.builtin.", "ansible.legacy.")) else action
        args = dict(task.args)
        if short in self.backends:  # package/service: valid if a backend of ansible-core takes the arguments
            args.pop("use", None)
            results = []
            for backend in self.backends[short]["modules"]:
                if backend in self.modules:
                    trimmed = {k: v for k, v in args.items() if k not in self.unused_by_backend.get(backend, ())}
                    results.append(self._check(self.modules[backend], trimmed))
            return "" if "" in results else (results[0] if results else "unknown")
        if short in self.actions:
            return self._check(self.actions[short], args)
        if short == "shell":  # the shell action runs the command module with _uses_shell
            return self._check(self.modules["command"], {**args, "_uses_shell": True})
        if short in self.modules:
            kwargs = self.modules[short]
            taken = {n for name, o in kwargs["argument_spec"].items() for n in (name, *(o.get("aliases") or ()))}
            # options the action plugin consumes (copy's decrypt) are documented but not in the module's spec
            args = {k: v for k, v in args.items() if k in taken or k not in self.documented.get(short, ())}
            return self._check(kwargs, args)
        return "unknown"

    def _check(self, kwargs: dict[str, Any], args: dict[str, Any]) -> str:
        spec = kwargs["argument_spec"]
        names = {n for name, o in spec.items() for n in (name, *(o.get("aliases") or ()))}
        # `{{ x | default(omit) }}` may leave an argument out; an unknown name stays wrong either way
        params = {k: v for k, v in copy.deepcopy(args).items() if not (is_jinja(v) and "omit" in v and k in names)}
        params = {k: _placeholder(spec.get(k), v) for k, v in params.items()}
        constraints = {k: kwargs[k] for k in _CONSTRAINT_KEYS if kwargs.get(k)}
        result = self.validator_cls(spec, **constraints).validate(params)
        return f"args: {result.error_messages[0][:120]}" if result.error_messages else ""


_CONSTRAINT_KEYS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


def _placeholder(option: dict[str, Any] | None, value: Any) -> Any:
    """A Jinja value stands for any value of the option's type: a placeholder of that type."""
    if not is_jinja(value) or option is None:
        return value
    if option.get("choices"):
        return next(iter(option["choices"]))
    wanted = option.get("type", "str")
    if not isinstance(wanted, str):
        wanted = {int: "int", float: "float", str: "str", bool: "bool"}.get(wanted, "raw")
    return PLACEHOLDER.get(wanted, "x")


def _strings(value: Any) -> list[str]:
    out, stack = [], [value]
    while stack and len(out) < 500:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--lint-files", type=int, default=5, help="files timed with one ansible-lint CLI call each")
    parser.add_argument("--mutation-programs", type=int, default=600, help="real tasks mutated (one per kind each)")
    parser.add_argument(
        "--lint-batch", type=int, default=40, help="ansible-core-invalid candidates given to ansible-lint"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data at {args.data}: pass --data")
    records = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    programs = [r["program"] for r in records]
    rng = random.Random(args.seed)

    start = time.perf_counter()
    specs = load_specs()
    print(
        f"spec table: {len(specs['modules'])} ansible-core {specs['ansible_core']} modules, "
        f"loaded in {time.perf_counter() - start:.2f} s (built once per ansible-core version, then cached on disk)"
    )
    dsl = Ansible()
    dsl.validate(programs[0])  # imports done before timing

    # ---- speed ---------------------------------------------------------------------------------------------
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        verdicts = [dsl.validate(p) for p in programs]
        best = min(best, time.perf_counter() - start)
    native_rate = len(programs) / best
    print(f"\nnative validator: {len(programs)} real tasks in {best:.2f} s = {native_rate:.0f} programs/s (one core)")

    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig("rules:\n  key-duplicates: enable\n")
    start = time.perf_counter()
    for program in programs:
        list(linter.run(program, config))
    yamllint_ms = 1000 * (time.perf_counter() - start) / len(programs)
    print(
        f"yamllint syntax + key-duplicates alone: {yamllint_ms:.2f} ms/program, vs {1000 / native_rate:.2f} ms for "
        f"the whole native validation (which checks syntax and duplicate keys from libyaml's nodes instead)"
    )

    lint_files = rng.sample(programs, args.lint_files)
    lint_times = []
    for program in lint_files:
        start = time.perf_counter()
        ansible_lint_batch([program])
        lint_times.append(time.perf_counter() - start)
    lint_rate = len(lint_times) / sum(lint_times)
    print(
        f"ansible-lint CLI, one call per file: {sum(lint_times) / len(lint_times):.2f} s/file over "
        f"{len(lint_times)} files = {lint_rate:.2f} programs/s"
    )
    print(
        f"speed-up over the ansible-lint CLI: {native_rate / lint_rate:.0f}x  (target >= 500x; "
        f">= 300 programs/s per core: {'PASS' if native_rate >= 300 else 'FAIL'})"
    )

    # ---- acceptance ----------------------------------------------------------------------------------------
    oracle = CoreOracle()
    core = [(p, v) for p, v in zip(programs, verdicts, strict=True) if uses_only_core_modules(p, specs)]
    accepted = sum(v.ok for _, v in core)
    print(
        f"\nacceptance of real tasks whose modules ship with ansible-core: {rate(accepted, len(core))} (target >= 97%)"
    )
    rejected = [p for p, v in core if not v.ok]
    labels = Counter(oracle.label(p)[0] for p in rejected)
    print(
        f"  of the {len(rejected)} rejected, ansible-core itself finds {labels['invalid']} invalid, "
        f"{labels['valid']} valid, {labels['unknown']} not checkable"
    )
    rules = Counter(d.rule for _, v in core if not v.ok for d in v.errors)
    print(f"  rules: {dict(rules.most_common())}")

    # ---- mutations -----------------------------------------------------------------------------------------
    truth = {p: oracle.label(p)[0] for p, v in core if v.ok}
    pool = [p for p, label in truth.items() if label != "invalid"]
    sample = rng.sample(pool, min(args.mutation_programs, len(pool)))
    print(
        f"\nmutations of {len(sample)} real tasks (drawn from the {len(pool)} we accept that ansible-core does not "
        f"reject), one unchecked candidate per kind and task, labelled by ansible-core:"
    )
    per_kind: dict[str, Counter[str]] = {}
    core_invalid: list[str] = []
    start = time.perf_counter()
    for program in sample:
        for invalid in (True, False):
            for kind, candidate in iter_mutations(program, rng, invalid=invalid, per_kind=1):
                label = oracle.label(candidate)[0]
                ours = "valid" if dsl.validate(candidate).ok else "invalid"
                per_kind.setdefault(kind, Counter())[f"{label}/{ours}"] += 1
                if label == "invalid" and invalid:
                    core_invalid.append(candidate)
    print(f"  ({time.perf_counter() - start:.1f} s)")
    print(
        f"  {'kind':22s} {'core: invalid':>15s} {'we reject':>10s} {'core: valid':>12s} {'we accept':>10s} "
        f"{'not checkable':>14s}"
    )
    totals = Counter()
    for kind, counts in per_kind.items():
        bad = counts["invalid/invalid"] + counts["invalid/valid"]
        good = counts["valid/valid"] + counts["valid/invalid"]
        unknown = counts["unknown/valid"] + counts["unknown/invalid"]
        print(
            f"  {kind:22s} {bad:15d} {rate(counts['invalid/invalid'], bad):>10s} {good:12d} "
            f"{rate(counts['valid/valid'], good):>10s} {unknown:14d}"
        )
        totals.update(counts)
    bad = totals["invalid/invalid"] + totals["invalid/valid"]
    good = totals["valid/valid"] + totals["valid/invalid"]
    print(f"  rejection of candidates ansible-core rejects: {rate(totals['invalid/invalid'], bad)} (target >= 99%)")
    print(f"  acceptance of candidates ansible-core accepts: {rate(totals['valid/valid'], good)}")

    if args.lint_batch:
        batch = rng.sample([p for p, label in truth.items() if label == "valid"], args.lint_batch)
        start = time.perf_counter()
        lint = ansible_lint_batch(batch)
        elapsed = time.perf_counter() - start
        print(
            f"\nansible-lint in one batch call on {len(batch)} real tasks that we and ansible-core accept "
            f"({elapsed / len(batch):.2f} s/file): accepts {rate(sum(v.ok for v in lint), len(batch))}"
        )
        flagged = Counter(d.rule for v in lint for d in v.errors)
        print(f"  its error findings: {dict(flagged.most_common(6))}")
    if args.lint_batch and core_invalid:
        batch = rng.sample(core_invalid, min(args.lint_batch, len(core_invalid)))
        start = time.perf_counter()
        lint = ansible_lint_batch(batch)
        elapsed = time.perf_counter() - start
        ours = sum(not dsl.validate(p).ok for p in batch)
        print(
            f"\nansible-lint in one batch call on {len(batch)} candidates ansible-core rejects "
            f"({elapsed / len(batch):.2f} s/file): rejects {rate(sum(not v.ok for v in lint), len(batch))}; "
            f"native: {rate(ours, len(batch))}"
        )


if __name__ == "__main__":
    main()
