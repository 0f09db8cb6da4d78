"""The languages: each lives in one module and implements the `DSL` protocol of `base.py`."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Mutation, Task, Validation

if TYPE_CHECKING:
    from slmfix_exp.config import DSLConfig

__all__ = ["DSL", "DSL_NAMES", "Context", "Diagnostic", "Mutation", "Task", "Validation", "dsl_from_config", "get_dsl"]

DSL_NAMES = ("ansible", "bash", "sql")


@cache
def get_dsl(name: str, **options: Any) -> DSL:
    """The DSL named `name` with its validator options and bounds (max_program_bytes, timeout_s, max_tree_nodes),
    built once per process and options (validators keep caches)."""
    if name == "ansible":
        from slmfix_exp.dsl.ansible import Ansible

        return Ansible(**options)
    if name == "bash":
        from slmfix_exp.dsl.bash import Bash

        return Bash(**options)
    if name == "sql":
        from slmfix_exp.dsl.sql import SQL

        return SQL(**options)
    raise ValueError(f"unknown dsl {name!r}: choose one of {', '.join(DSL_NAMES)}")


def dsl_from_config(cfg: DSLConfig) -> DSL:
    """The DSL of the `dsl` config group, with the options that language takes and the bounds the config sets."""
    options: dict[str, dict[str, Any]] = {
        "ansible": {"backend": cfg.backend, "unknown_collection": cfg.unknown_collection},
        "bash": {"backend": cfg.backend, "severity": cfg.severity},
        "sql": {"dialect": cfg.dialect, "explain": cfg.explain},
    }
    bounds = {
        "max_program_bytes": cfg.max_program_bytes,
        "timeout_s": cfg.timeout_s,
        "max_tree_nodes": cfg.max_tree_nodes,
    }
    # a bound left null is left out: the language's default, and the same cached instance as without the key
    return get_dsl(cfg.name, **options.get(cfg.name, {}), **{k: v for k, v in bounds.items() if v is not None})
