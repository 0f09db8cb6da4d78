from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hypothesis import settings
from omegaconf import DictConfig

import slmfix_exp.config  # noqa: F401  (registers the schemas)
from slmfix_exp import CONF_DIR

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# CI draws the same hypothesis examples every run, so a red CI is reproducible; locally the fuzzing explores.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

needs_shared_data = pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data is not beside the checkout")


@pytest.fixture
def compose_config() -> Iterator:
    """compose(overrides) -> the composed config, as the entrypoint would see it."""
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):

        def _compose(overrides: list[str] | None = None) -> DictConfig:
            return compose(config_name="config", overrides=overrides or [], return_hydra_config=False)

        yield _compose


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write into the user's cache or W&B account."""
    monkeypatch.setenv("SLMFIX_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
