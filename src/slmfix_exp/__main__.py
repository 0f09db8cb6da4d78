"""The experiment: `python -m slmfix_exp dsl=ansible reward=dual`.

    tasks -> base LLM drafts -> validate -> (train the SLM: SFT, then GRPO/RLOO) -> repair invalid drafts -> metrics
    -> results.json, results.md, predictions.jsonl, plots, W&B

Data flows one way through `run`; each stage logs its duration. The run dir is printed as the last line.

Under `accelerate launch` (or several submitit tasks per job) every rank runs this entrypoint: all ranks train (the
trainers do the DDP), rank 0 alone drafts, evaluates, writes the results and logs to W&B while the others wait.
"""

from __future__ import annotations

import logging
import sys
import time
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
from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.data.loaders import load_eval_tasks, load_tasks
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
from slmfix_exp.dsl import Task, dsl_from_config
from slmfix_exp.evaluate import Evaluation, write_results
from slmfix_exp.tracking import Tracker, tracker_from_config

log = logging.getLogger("slmfix_exp")


class Timings(dict[str, float]):
    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        log.info("stage %s ...", name)
        start = time.perf_counter()
        yield
        self[name] = round(time.perf_counter() - start, 2)
        log.info("stage %s done in %.1f s", name, self[name])


def run(cfg: Config, raw: DictConfig, run_dir: Path, sweep: str | None = None) -> dict[str, Any]:
    """The whole experiment into `run_dir`; `sweep` names the multirun the job belongs to (its W&B group).
    Returns the results on rank 0 and {} on the other ranks."""
    if (run_dir / "results.json").exists():
        raise FileExistsError(f"{run_dir / 'results.json'} exists: this run is finished; choose another hydra.run.dir")
    if cfg.trainer.sft.share and world_size() > 1:  # the ranks would queue on the shared stage's lock, one by one
        raise ValueError("trainer.sft.share=true runs one process per job: not under accelerate launch or DDP tasks")
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    main_rank = rank() == 0
    log.info("rank %d of %d, %d torch threads", rank(), world_size(), torch.get_num_threads())
    from transformers import set_seed

    set_seed(cfg.seed)
    cache_dir = Path(cfg.paths.cache_dir).expanduser()
    timings = Timings()
    tracker: Tracker = Tracker()  # one W&B run per job: rank 0's
    if main_rank:
        config = OmegaConf.to_container(raw, resolve=True)
        tracker = tracker_from_config(
            cfg.logger,
            run_dir=run_dir,
            run_config=config,
            run_name=run_dir.name,
            sweep=sweep,
            job_type=cfg.trainer.name,
        )
    try:
        with timings.stage("load data"), rank0_first():
            dsl = dsl_from_config(cfg.dsl)
            splits = load_tasks(cfg.data, cfg.dsl.name, cache_dir)
            test = load_eval_tasks(cfg.eval.data, cfg.dsl.name) if cfg.eval.data.path else splits[cfg.eval.split]
            log.info("%d train / %d val / %d test tasks", len(splits["train"]), len(splits["val"]), len(test))
            warn_if_seen(splits["train"], test)
        evaluation: Evaluation | None = None
        if main_rank:  # the drafts are for evaluation, which rank 0 does alone
            with timings.stage("draft"):
                drafts = make_drafts(cfg.base_llm, dsl, test, cfg.seed, cache_dir)
            with timings.stage("validate drafts"):
                evaluation = Evaluation(cfg, dsl, test, drafts)
            for name, method in (("base", evaluation.base), ("rules", evaluation.rules)):
                with timings.stage(f"evaluate {name}"):
                    metrics = method()
                log_method(name, metrics)

        dataset = None
        if cfg.synthesis.enabled:  # LeDex: the SLM trains on synthesised (wrong program, explanation, fix) records
            from slmfix_exp.synthesis import synthesise

            with timings.stage("synthesis"), rank0_first():
                dataset = synthesise(cfg, dsl, splits["train"], run_dir / "synthesis", cache_dir)

        stages = list(cfg.trainer.stages)
        if stages or cfg.eval.slm_base:
            from slmfix_exp import train
            from slmfix_exp.models import load_slm, load_tokenizer, slm_from_config

            with timings.stage("training data"):
                if dataset is not None:
                    from slmfix_exp.synthesis import training_examples

                    examples = training_examples(cfg, dsl, dataset)
                else:
                    examples = train.repair_examples(
                        cfg, dsl, splits["train"], cfg.trainer.sft.drafts_per_task, "train"
                    )
                log.info("%d repair examples from %d training tasks", len(examples), len(splits["train"]))
            with timings.stage("build slm"), rank0_first():
                corpus = [e["prompt"] + e["completion"] for e in examples]
                start_path = slm_from_config(cfg.slm).start(corpus, cache_dir, cfg.seed)
                tokenizer = load_tokenizer(start_path)
                model = load_slm(start_path, cfg.slm)

            def evaluate(name: str) -> None:
                if evaluation is None:
                    barrier()  # while rank 0 evaluates
                    return
                with timings.stage(f"evaluate {name}"):
                    metrics = evaluation.slm(name, model, tokenizer)
                log_method(name, metrics)
                tracker.log({f"eval/{name}/{k}": v for k, v in metrics.items() if isinstance(v, int | float)})
                barrier()

            if cfg.eval.slm_base:
                evaluate("slm_base")
            for stage in stages:
                with train.stage_dir(cfg, raw, run_dir, stage, cache_dir) as stage_dir, timings.stage(f"train {stage}"):
                    finished = train.stage_done(stage_dir)
                    if finished:
                        log.info("stage %s already finished; loading %s", stage, finished)
                        model = load_slm(str(finished), cfg.slm)
                    elif stage == "sft":
                        model = train.run_sft(cfg, dsl, model, tokenizer, examples, stage_dir, tracker.report_to)
                    elif stage == "rl":
                        model = train.run_rl(cfg, dsl, model, tokenizer, examples, stage_dir, tracker.report_to)
                    else:  # sft_more: from the SFT model, not the RL one
                        model = load_slm(str(run_dir / "sft" / "final"), cfg.slm)
                        model = train.run_sft_more(cfg, model, tokenizer, examples, stage_dir, tracker.report_to)
                if stage in evaluated_stages(cfg):
                    evaluate(stage)
        if evaluation is None:
            tracker.finish()
            return {}

        with timings.stage("write results"):
            config = OmegaConf.to_container(raw, resolve=True)
            results, plots = write_results(run_dir, evaluation, config, timings)  # type: ignore[arg-type]
        log_to_tracker(tracker, results, plots, evaluation)
    except BaseException:
        tracker.finish(failed=True)
        raise
    tracker.finish()
    return results


def log_method(name: str, metrics: dict[str, Any]) -> None:
    log.info(
        "%s: pass rate %.3f, repaired %s of %d invalid",
        name,
        metrics["pass_rate"],
        metrics["repaired_valid"],
        metrics["invalid_drafts"],
    )


def warn_if_seen(train: list[Task], test: list[Task]) -> None:
    """Say so when test references are also training references: a result on them is not generalisation."""
    seen = {t.reference for t in train}
    overlap = sum(t.reference in seen for t in test if t.reference is not None)
    if overlap:
        log.warning("%d of %d test references are also training references", overlap, len(test))


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
