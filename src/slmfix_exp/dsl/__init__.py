"""The languages: each lives in one module and implements the `DSL` protocol of `base.py`."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Mutation, Task, Validation

if TYPE_CHECKING:
    from slmfix_exp.config import DSLConfig

__all__ = [
    "DSL",
    "DSL_NAMES",
    "Context",
    "Diagnostic",
    "Mutation",
    "Task",
    "Validation",
    "dsl_class",
    "dsl_from_config",
    "get_dsl",
]


_CLASSES = {
    "ansible": ("slmfix_exp.dsl.ansible", "Ansible"),
    "bash": ("slmfix_exp.dsl.bash", "Bash"),
    "sql": ("slmfix_exp.dsl.sql", "SQL"),
}
DSL_NAMES = tuple(_CLASSES)


def dsl_class(name: str) -> type[DSL]:
    """The class of the DSL named `name`, its module imported on first use (Ansible's imports ansible-core)."""
    if name not in _CLASSES:
        raise ValueError(f"unknown dsl {name!r}: choose one of {', '.join(DSL_NAMES)}")
    module, cls = _CLASSES[name]
    return getattr(importlib.import_module(module), cls)


@cache
def get_dsl(name: str, **options: Any) -> DSL:
    """The DSL named `name` with its validator options and bounds (max_program_bytes, timeout_s, max_tree_nodes),
    built once per process and options (validators keep caches)."""
    return dsl_class(name)(**options)


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
