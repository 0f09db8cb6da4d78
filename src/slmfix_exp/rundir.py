"""What a run directory holds of its training stages: whether a stage finished (`stage_done`) and where a killed one
resumes (`last_checkpoint`). The entrypoint, the training stages and `slmfix-evaluate` read a run dir through here."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def stage_done(stage_dir: Path) -> Path | None:
    """The stage's final model, or None while the stage hasn't finished."""
    final = stage_dir / "final"
    return final if (final / "config.json").exists() or (final / "adapter_config.json").exists() else None


def last_checkpoint(stage_dir: Path) -> str | None:
    """The newest checkpoint a kill didn't cut short. The Trainer writes a checkpoint's trainer_state.json last, so
    one whose state doesn't parse was being saved when the run died (transformers' get_last_checkpoint goes by the
    name alone, and resuming from it fails on the empty file)."""
    steps = [p for p in stage_dir.glob("checkpoint-*") if p.name.removeprefix("checkpoint-").isdigit()]
    for path in sorted(steps, key=lambda p: int(p.name.removeprefix("checkpoint-")), reverse=True):
        try:
            json.loads((path / "trainer_state.json").read_text())
            return str(path)
        except (OSError, ValueError):
            log.warning("skipping %s: the run was killed while saving it", path)
    return None
