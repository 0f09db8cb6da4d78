"""Where a run's metrics go, one option of the `logger` group each, built by `hydra.utils.instantiate`: `Tracker`
(logger=none) keeps nothing; `WandbTracker` logs to Weights & Biases, offline unless told otherwise, one run per job,
finished even when the job fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from slmfix_exp.config import LoggerConfig, check_option_name, instantiate_as


class Tracker:
    """logger=none, and what every tracker does: nothing, unless a subclass has a run to log to."""

    name = "none"

    def __init__(self, name: str | None = None, **run: Any) -> None:
        """`run`: run_dir, run_config, run_name, sweep and job_type, what a tracker that keeps runs needs."""
        check_option_name("logger", name, self)
        self.run: Any = None

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


class WandbTracker(Tracker):
    """One W&B run per job, named after the run dir and grouped by its sweep (`group` overrides that)."""

    name = "wandb"

    def __init__(
        self,
        run_dir: Path,
        run_config: dict[str, Any],
        run_name: str,
        sweep: str | None = None,
        job_type: str | None = None,
        name: str | None = None,
        project: str = "slmfix_exp",
        entity: str | None = None,
        mode: str = "offline",
        group: str | None = None,
        tags: list[str] | None = None,
    ) -> None:
        super().__init__(name)
        import wandb

        self.run = wandb.init(
            project=project,
            entity=entity,
            group=group or sweep,
            job_type=job_type,
            tags=list(tags or ()),
            name=run_name,
            config=run_config,
            dir=str(run_dir),
            mode=os.environ.get("WANDB_MODE", mode),  # type: ignore[arg-type]
            reinit="finish_previous",
        )


def tracker_from_config(cfg: LoggerConfig, **run: Any) -> Tracker:
    """The `logger` option of a config, built by `hydra.utils.instantiate` with what the run gives it (`Tracker`):
    plain Python values (`_convert_="all"`), which W&B's config takes, and the run's config not instantiated itself."""
    return instantiate_as(cfg, Tracker, **run, _convert_="all", _recursive_=False)
