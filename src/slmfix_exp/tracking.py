"""Weights & Biases logging: one run per job, offline unless told otherwise, finished even when the job fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from slmfix_exp.config import LoggerConfig


class Tracker:
    def __init__(
        self,
        cfg: LoggerConfig,
        run_dir: Path,
        config: dict[str, Any],
        name: str,
        group: str | None = None,
        job_type: str | None = None,
    ):
        self.run: Any = None
        if cfg.name == "none":
            return
        if cfg.name != "wandb":
            raise ValueError(f"unknown logger.name {cfg.name!r}: use wandb or none")
        import wandb

        self.run = wandb.init(
            project=cfg.project,
            entity=cfg.entity,
            group=cfg.group or group,
            job_type=job_type,
            tags=list(cfg.tags),
            name=name,
            config=config,
            dir=str(run_dir),
            mode=os.environ.get("WANDB_MODE", cfg.mode),  # type: ignore[arg-type]
            reinit="finish_previous",
        )

    @property
    def report_to(self) -> list[str]:
        """What TRL's trainers report to: the active W&B run, or nothing."""
        return ["wandb"] if self.run is not None else ["none"]

    def log(self, values: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.log(values)

    def log_table(self, key: str, columns: list[Any], rows: list[list[Any]]) -> None:
        if self.run is not None:
            import wandb

            self.run.log({key: wandb.Table(columns=columns, data=rows)})

    def log_images(self, paths: list[Path]) -> None:
        if self.run is not None:
            import wandb

            self.run.log({f"plots/{p.stem}": wandb.Image(str(p)) for p in paths if p.suffix == ".png"})

    def summary(self, values: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.summary.update(values)

    def finish(self, failed: bool = False) -> None:
        if self.run is not None:
            self.run.finish(exit_code=1 if failed else 0)
            self.run = None
