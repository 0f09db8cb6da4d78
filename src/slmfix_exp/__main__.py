"""The experiment: `python -m slmfix_exp dsl=ansible reward=dual`.

    tasks -> base LLM drafts -> validate -> (train the SLM: SFT, then GRPO/RLOO) -> repair invalid drafts -> metrics
    -> results.json, results.md, predictions.jsonl, plots, W&B

Data flows one way through `run`, a stage at a time, each logging its duration. The run dir is printed as the last
line.

Under `accelerate launch` (or several submitit tasks per job) every rank runs this entrypoint: all ranks train (the
trainers do the DDP), rank 0 alone drafts, evaluates, writes the results and logs to W&B while the others wait.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from slmfix_exp import CONF_DIR
from slmfix_exp.config import Config, evaluated_stages, to_typed
from slmfix_exp.distributed import (
    barrier,
    follow_rank0,
    join_ranks,
    join_submitit_tasks,
    rank,
    rank0_first,
    submitit_tasks,
    world_size,
)  # importing it registers the schemas before Hydra composes
from slmfix_exp.evaluate import Evaluation, Timings, evaluate_baselines, log_method, write_results
from slmfix_exp.experiment import Setup, setup
from slmfix_exp.rundir import stage_done
from slmfix_exp.tracking import Tracker, tracker_from_config

log = logging.getLogger("slmfix_exp")


def run(cfg: Config, raw: DictConfig, run_dir: Path, sweep: str | None = None) -> dict[str, Any]:
    """The whole experiment into `run_dir`; `sweep` names the multirun the job belongs to (its W&B group).
    Returns the results on rank 0 and {} on the other ranks."""
    start_job(cfg, run_dir)
    timings = Timings()
    with tracked(cfg, raw, run_dir, sweep) as tracker:
        with timings.stage("load data"), rank0_first():
            tasks = setup(cfg)
        evaluation = evaluate_baselines(cfg, tasks.dsl, tasks.test, tasks.cache_dir, timings) if rank() == 0 else None
        dataset = synthesised_dataset(cfg, tasks, run_dir, timings)
        if cfg.trainer.stages or cfg.eval.slm_base:
            slm = SLMStages(cfg, raw, run_dir, tasks, dataset, evaluation, tracker, timings)
            if cfg.eval.slm_base:
                slm.evaluate("slm_base")
            for stage in cfg.trainer.stages:
                slm.train(stage)
                if stage in evaluated_stages(cfg):
                    slm.evaluate(stage)
        if evaluation is None:
            return {}
        with timings.stage("write results"):
            config = OmegaConf.to_container(raw, resolve=True)
            results, plots = write_results(run_dir, evaluation, config, timings)  # type: ignore[arg-type]
        log_to_tracker(tracker, results, plots, evaluation)
    return results


def start_job(cfg: Config, run_dir: Path) -> None:
    """Refuse a job that can't run here, before it spends anything; set its threads and seed."""
    if (run_dir / "results.json").exists():
        raise FileExistsError(f"{run_dir / 'results.json'} exists: this run is finished; choose another hydra.run.dir")
    if cfg.trainer.sft.share and world_size() > 1:  # the ranks would queue on the shared stage's lock, one by one
        raise ValueError("trainer.sft.share=true runs one process per job: not under accelerate launch or DDP tasks")
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    log.info("rank %d of %d, %d torch threads", rank(), world_size(), torch.get_num_threads())
    from transformers import set_seed

    set_seed(cfg.seed)


@contextmanager
def tracked(cfg: Config, raw: DictConfig, run_dir: Path, sweep: str | None) -> Iterator[Tracker]:
    """The job's tracker (rank 0's: one W&B run per job; the others log nothing), finished however the job ends: as
    failed when it raises, the exception going on."""
    tracker = Tracker()
    if rank() == 0:
        config = OmegaConf.to_container(raw, resolve=True)
        job = {"run_dir": run_dir, "run_config": config, "run_name": run_dir.name, "sweep": sweep}
        tracker = tracker_from_config(cfg.logger, **job, job_type=cfg.trainer.name)
    try:
        yield tracker
    except BaseException:
        tracker.finish(failed=True)
        raise
    tracker.finish()


def synthesised_dataset(cfg: Config, tasks: Setup, run_dir: Path, timings: Timings) -> list[dict[str, Any]] | None:
    """LeDex: the (wrong program, explanation, fix) records the SLM trains on, where `synthesis.enabled`."""
    if not cfg.synthesis.enabled:
        return None
    from slmfix_exp.synthesis import synthesise

    with timings.stage("synthesis"), rank0_first():
        return synthesise(cfg, tasks.dsl, tasks.splits["train"], run_dir / "synthesis", tasks.cache_dir)


class SLMStages:
    """The SLM of a run through its stages: built for the training tasks' repair examples, trained a stage at a time
    (each resumable from its directory), evaluated where asked. Rank 0 evaluates while the other ranks wait."""

    def __init__(
        self,
        cfg: Config,
        raw: DictConfig,
        run_dir: Path,
        tasks: Setup,
        dataset: list[dict[str, Any]] | None,
        evaluation: Evaluation | None,
        tracker: Tracker,
        timings: Timings,
    ) -> None:
        from slmfix_exp import train
        from slmfix_exp.models import load_slm, load_tokenizer, slm_from_config

        self.cfg, self.raw, self.run_dir, self.tasks = cfg, raw, run_dir, tasks
        self.evaluation, self.tracker, self.timings = evaluation, tracker, timings
        with timings.stage("training data"):
            if dataset is not None:
                from slmfix_exp.synthesis import training_examples

                self.examples = training_examples(cfg, tasks.dsl, dataset)
            else:
                train_tasks = tasks.splits["train"]
                self.examples = train.repair_examples(
                    cfg, tasks.dsl, train_tasks, cfg.trainer.sft.drafts_per_task, "train"
                )
            log.info("%d repair examples from %d training tasks", len(self.examples), len(tasks.splits["train"]))
        with timings.stage("build slm"), rank0_first():
            corpus = [e["prompt"] + e["completion"] for e in self.examples]
            start = slm_from_config(cfg.slm).start(corpus, tasks.cache_dir, cfg.seed)
            self.tokenizer, self.model = load_tokenizer(start), load_slm(start, cfg.slm)

    def train(self, stage: str) -> None:
        from slmfix_exp import train
        from slmfix_exp.models import load_slm

        cfg, tasks = self.cfg, self.tasks
        with (
            train.stage_dir(cfg, self.raw, self.run_dir, stage, tasks.cache_dir) as stage_dir,
            self.timings.stage(f"train {stage}"),
        ):
            finished = stage_done(stage_dir)
            if finished:
                log.info("stage %s already finished; loading %s", stage, finished)
                self.model = load_slm(str(finished), cfg.slm)
                return
            run_stage = train.STAGES[stage]
            report_to = self.tracker.report_to
            self.model = run_stage(cfg, tasks.dsl, self.model, self.tokenizer, self.examples, stage_dir, report_to)

    def evaluate(self, name: str) -> None:
        if self.evaluation is None:
            barrier()  # while rank 0 evaluates
            return
        before = set(self.evaluation.metrics)
        with self.timings.stage(f"evaluate {name}"):
            self.evaluation.slm(name, self.model, self.tokenizer)
        for method in [m for m in self.evaluation.metrics if m not in before]:  # `name`, and its chain (eval.chain)
            metrics = self.evaluation.metrics[method]
            log_method(method, metrics)
            self.tracker.log({f"eval/{method}/{k}": v for k, v in metrics.items() if isinstance(v, int | float)})
        barrier()


def log_to_tracker(tracker: Tracker, results: dict[str, Any], plots: list[Path], evaluation: Evaluation) -> None:
    tracker.summary(
        {f"{m}/{k}": v for m, ms in results["methods"].items() for k, v in ms.items() if isinstance(v, int | float)}
    )
    tracker.log_images(plots)
    records = evaluation.predictions()
    tracker.log_table(
        "samples",
        ["id", "nl", "draft", "diagnostics", "repaired", "repaired_valid", "reference"],
        [
            [
                r["id"],
                r["nl"],
                r["draft"],
                "\n".join(d["message"] for d in r["diagnostics"]),
                r["repaired"],
                r["repaired_valid"],
                r["reference"],
            ]
            for r in records
            if not r["draft_valid"]
        ][:50],
    )


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def main(raw: DictConfig) -> None:
    cfg = to_typed(raw)
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    multirun = hydra_cfg.mode == RunMode.MULTIRUN
    if multirun and submitit_tasks() > 1:
        join_submitit_tasks()
    elif world_size() > 1 and rank() == 0:
        if multirun:
            raise ValueError(
                "accelerate launch runs one job, not a sweep: for several processes per sweep job, use "
                "hydra/launcher=slurm (or submitit_local) with hydra.launcher.tasks_per_node=<processes>"
            )
        torch.distributed.broadcast_object_list([str(run_dir)], src=0)  # the other ranks wait for it in follow_rank0
    run(cfg, raw, run_dir, Path(hydra_cfg.sweep.dir).name if multirun else None)
    if rank() == 0:
        print(run_dir)


def cli() -> None:
    """`slmfix <overrides>` and `python -m slmfix_exp <overrides>`. Every rank of `accelerate launch` starts here."""
    if world_size() > 1:
        join_ranks()
        if rank() != 0:
            sys.argv = follow_rank0(sys.argv)
    main()


if __name__ == "__main__":
    cli()
