"""What every command starts from: the config composed from overrides (`compose`), and the language and tasks it
names (`setup`): the entrypoint, `slmfix-evaluate`, `export_drafts` and the scripts in `experiments/` share them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig

from slmfix_exp import CONF_DIR
from slmfix_exp.config import Config, to_typed
from slmfix_exp.data.loaders import load_eval_tasks, load_tasks
from slmfix_exp.dsl import DSL, Task, dsl_from_config

log = logging.getLogger(__name__)


@dataclass
class Setup:
    """The language of a run and its tasks: `splits` of `data` (train, val, test) and `test`, the tasks it evaluates
    on (`eval.data.path`'s, else the `eval.split` of `data`)."""

    dsl: DSL
    splits: dict[str, list[Task]]
    test: list[Task]
    cache_dir: Path


def compose(overrides: Sequence[str]) -> tuple[DictConfig, Config]:
    """The config of `python -m slmfix_exp <overrides>`, as composed and as typed, outside a Hydra run."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        raw = hydra_compose("config", overrides=list(overrides))
    return raw, to_typed(raw)


def setup(cfg: Config) -> Setup:
    """The DSL and the tasks a config names. Training tasks whose reference is also a test reference are dropped
    (a result on them would not be generalisation), unless `data.keep_test_overlap`, which keeps them with a
    warning."""
    cache_dir = Path(cfg.paths.cache_dir).expanduser()
    dsl = dsl_from_config(cfg.dsl)
    splits = load_tasks(cfg.data, cfg.dsl.name, cache_dir)
    test = load_eval_tasks(cfg.eval.data, cfg.dsl.name) if cfg.eval.data.path else splits[cfg.eval.split]
    tested = {t.reference for t in test if t.reference is not None}
    overlap = [t for t in splits["train"] if t.reference in tested]
    if overlap and cfg.data.keep_test_overlap:
        log.warning(
            "data.keep_test_overlap=true: %d training tasks have a test task's reference (%d of %d test references "
            "are trained on): the results on those test tasks are not generalisation",
            len(overlap),
            len({t.reference for t in overlap}),
            len(tested),
        )
    elif overlap:
        log.info("dropped %d training tasks whose reference is a test reference (data.keep_test_overlap)", len(overlap))
        splits["train"] = [t for t in splits["train"] if t.reference not in tested]
    log.info("%d train / %d val / %d test tasks", len(splits["train"]), len(splits["val"]), len(test))
    return Setup(dsl, splits, test, cache_dir)
