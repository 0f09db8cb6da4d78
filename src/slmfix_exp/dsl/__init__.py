"""The languages: each lives in one module and implements the `DSL` protocol of `base.py`; its schema in `config.py`
names the class (`_target_`) and the options it takes."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from hydra.utils import get_class, instantiate

from slmfix_exp.config import DSLConfig
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

_SCHEMAS = {schema.name: schema for schema in DSLConfig.__subclasses__()}
DSL_NAMES = tuple(sorted(_SCHEMAS))


def dsl_class(name: str) -> type[DSL]:
    """The class of the DSL named `name`, its module imported on first use (Ansible's imports ansible-core)."""
    if name not in _SCHEMAS:
        raise ValueError(f"unknown dsl {name!r}: choose one of {', '.join(DSL_NAMES)}")
    return get_class(_SCHEMAS[name]._target_)


def get_dsl(name: str, **options: Any) -> DSL:
    """The DSL named `name` with the options its schema takes (a bound left out: the language's default)."""
    return dsl_from_config(_SCHEMAS[dsl_class(name).name](**options))


def dsl_from_config(cfg: DSLConfig) -> DSL:
    """The DSL of a `dsl` config, built by `hydra.utils.instantiate` from its `_target_` once per process and
    options: validators keep caches."""
    return _build(json.dumps(dataclasses.asdict(cfg), sort_keys=True))


@cache
def _build(options: str) -> DSL:
    built = instantiate(json.loads(options))
    if not isinstance(built, DSL):
        raise TypeError(f"dsl._target_ {json.loads(options)['_target_']} is not a DSL class")
    return built
