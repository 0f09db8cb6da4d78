"""The languages: each lives in one module and implements the `DSL` protocol of `base.py`; its schema in `config.py`
names the class (`_target_`) and the options it takes."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from hydra.utils import get_class

from slmfix_exp.config import DSLConfig, instantiate_as, option_names, option_schema
from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Mutation, Task, Validation

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

DSL_NAMES = tuple(sorted(option_names("dsl")))


def dsl_class(name: str) -> type[DSL]:
    """The class of the DSL named `name`, its module imported on first use (Ansible's imports ansible-core)."""
    return get_class(option_schema("dsl", name)._target_)


def get_dsl(name: str, **options: Any) -> DSL:
    """The DSL named `name` with the options its schema takes (a bound left out: the language's default)."""
    return dsl_from_config(option_schema("dsl", name)(**options))


def dsl_from_config(cfg: DSLConfig) -> DSL:
    """The DSL of a `dsl` config, built by `hydra.utils.instantiate` from its `_target_` once per process and
    options: validators keep caches."""
    return _build(json.dumps(dataclasses.asdict(cfg), sort_keys=True))


@cache
def _build(options: str) -> DSL:
    return instantiate_as(json.loads(options), DSL)  # type: ignore[type-abstract]  # an isinstance check of an ABC
