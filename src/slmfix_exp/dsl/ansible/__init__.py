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

import random
from collections.abc import Sequence
from typing import Any

import zss

from slmfix_exp.dsl.ansible.checker import analyse_task, check_program, resolve_module, uses_only_core_modules
from slmfix_exp.dsl.ansible.lint import ansible_lint_batch
from slmfix_exp.dsl.ansible.loader import is_jinja, load_yaml
from slmfix_exp.dsl.ansible.mutations import MUTATIONS, _Mutator, iter_mutations
from slmfix_exp.dsl.ansible.repair import repair_context, rule_fix
from slmfix_exp.dsl.ansible.similarity import paper_similarity, program_tree
from slmfix_exp.dsl.ansible.specs import _playbook_keywords, capture_action_kwargs, capture_module_kwargs, load_specs
from slmfix_exp.dsl.base import DSL, Context, Mutation, Validation


class Ansible(DSL):
    """Ansible playbooks and task files. backend="native" is the spec-based validator of this module;
    backend="ansible-lint" runs the real ansible-lint (one process per batch) for comparison."""

    name = "ansible"
    fence = "yaml"
    mutations = MUTATIONS
    display_name = "Ansible"

    def __init__(self, backend: str = "native", unknown_collection: str = "warning", **bounds: Any) -> None:
        """`bounds`: max_program_bytes, timeout_s, max_tree_nodes, as `DSL` takes them. ansible-lint takes seconds
        to start (docs/validators.md), so its backend's default time bound is a minute."""
        if backend == "ansible-lint" and bounds.get("timeout_s") is None:
            bounds["timeout_s"] = 60.0
        super().__init__(**bounds)
        self.backend = backend
        self.unknown_collection = unknown_collection
        load_specs()  # built once (seconds when not cached on disk), here rather than inside a program's time bound

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
        tasks, which pass no data (few register a variable: docs/validators.md)."""
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
        kinds = list(self.mutations.of(invalid))
        rng.shuffle(kinds)  # the first kind that applies in a random order: uniform over the kinds that apply
        for kind in kinds:
            found = mutator.run(kind)
            if found is not None:
                return Mutation(found, kind, invalid)
        return None


__all__ = [
    "Ansible",
    "_Mutator",
    "analyse_task",
    "ansible_lint_batch",
    "capture_action_kwargs",
    "capture_module_kwargs",
    "is_jinja",
    "iter_mutations",
    "load_specs",
    "load_yaml",
    "resolve_module",
    "uses_only_core_modules",
]
