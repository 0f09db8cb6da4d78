"""The experiment: `python -m slmfix_exp dsl=ansible reward=dual`.

    tasks -> base LLM drafts -> validate -> (train the SLM: SFT, then GRPO/RLOO) -> repair invalid drafts -> metrics
    -> results.json, results.md, predictions.jsonl, plots, W&B

Data flows one way through `run`; each stage logs its duration. The run dir is printed as the last line.

Under `accelerate launch` (or several submitit tasks per job) every rank runs this entrypoint: all ranks train (the
trainers do the DDP), rank 0 alone drafts, evaluates, writes the results and logs to W&B while the others wait.
"""

from __future__ import annotations

import dataclasses
import json
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

from slmfix_exp.config import Config, to_typed
from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.data.loaders import load_tasks
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
from slmfix_exp.dsl import dsl_from_config
from slmfix_exp.evaluate import dumps, evaluate_method, prediction_records
from slmfix_exp.report import write_atomic, write_reports
from slmfix_exp.tracking import Tracker

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
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    main_rank = rank() == 0
    log.info("rank %d of %d, %d torch threads", rank(), world_size(), torch.get_num_threads())
    from transformers import set_seed

    set_seed(cfg.seed)
    cache_dir = Path(cfg.paths.cache_dir).expanduser()
    timings = Timings()
    tracker = Tracker(
        cfg.logger if main_rank else dataclasses.replace(cfg.logger, name="none"),  # one W&B run per job
        run_dir,
        OmegaConf.to_container(raw, resolve=True),  # type: ignore[arg-type]
        name=run_dir.name,
        group=sweep,
        job_type=cfg.trainer.name,
    )
    try:
        with timings.stage("load data"), rank0_first():
            dsl = dsl_from_config(cfg.dsl)
            splits = load_tasks(cfg.data, cfg.dsl.name, cache_dir)
            test = splits[cfg.eval.split]
            log.info("%d train / %d val / %d test tasks", *(len(splits[s]) for s in ("train", "val", "test")))
        metrics: dict[str, dict[str, Any]] = {}
        outcomes: dict[str, Any] = {}
        if main_rank:  # the drafts are for evaluation, which rank 0 does alone
            with timings.stage("draft"):
                drafts = make_drafts(cfg.base_llm, dsl, test, cfg.seed, cache_dir)
            with timings.stage("validate drafts"):
                draft_validations = dsl.validate_batch([d.program for d in drafts], [t.context for t in test])
            programs = [d.program for d in drafts]
            with timings.stage("evaluate base"):
                metrics["base"], base_out, base_sims = evaluate_method(cfg, dsl, test, programs, draft_validations)
                outcomes["base"] = (base_out, base_sims)
            log.info(
                "drafts: pass rate %.3f, similarity %.3f",
                metrics["base"]["pass_rate"],
                metrics["base"]["ast_similarity"],
            )

        dataset = None
        if cfg.synthesis.enabled:  # LeDex: the SLM trains on synthesised (wrong program, explanation, fix) records
            from slmfix_exp.synthesis import synthesise

            with timings.stage("synthesis"), rank0_first():
                dataset = synthesise(cfg, dsl, splits["train"], run_dir / "synthesis", cache_dir)

        stages = list(cfg.trainer.stages)
        if stages or cfg.eval.slm_base:
            from slmfix_exp import train
            from slmfix_exp.models import load_slm, load_tokenizer, tiny_model_dir

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
                if cfg.slm.name == "tiny":
                    corpus = [e["prompt"] + e["completion"] for e in examples]
                    start_path = str(tiny_model_dir(cfg.slm, corpus, cache_dir, cfg.seed))
                elif cfg.slm.name == "hf":
                    start_path = str(cfg.slm.name_or_path)
                else:
                    raise ValueError(f"unknown slm.name {cfg.slm.name!r}: use tiny or hf")
                tokenizer = load_tokenizer(start_path)
                model = load_slm(start_path, cfg.slm)

            def evaluate(name: str) -> None:
                if not main_rank:
                    barrier()  # while rank 0 evaluates
                    return
                with timings.stage(f"evaluate {name}"):
                    metrics[name], outs, sims = evaluate_method(
                        cfg, dsl, test, programs, draft_validations, model, tokenizer, name
                    )
                    outcomes[name] = (outs, sims)
                log.info(
                    "%s: pass rate %.3f, similarity %.3f",
                    name,
                    metrics[name]["pass_rate"],
                    metrics[name]["ast_similarity"],
                )
                tracker.log({f"eval/{name}/{k}": v for k, v in metrics[name].items() if isinstance(v, int | float)})
                barrier()

            if cfg.eval.slm_base:
                evaluate("slm_base")
            for stage in stages:
                stage_dir = run_dir / stage
                finished = train.stage_done(stage_dir)
                with timings.stage(f"train {stage}"):
                    if finished:
                        log.info("stage %s already finished; loading %s", stage, finished)
                        model = load_slm(str(finished), cfg.slm)
                    elif stage == "sft":
                        model = train.run_sft(cfg, dsl, model, tokenizer, examples, stage_dir, tracker.report_to)
                    elif stage == "rl":
                        model = train.run_rl(cfg, dsl, model, tokenizer, examples, stage_dir, tracker.report_to)
                    else:
                        raise ValueError(f"unknown trainer stage {stage!r}: use sft or rl")
                evaluate(stage)
        if not main_rank:
            tracker.finish()
            return {}

        results = {
            "dsl": cfg.dsl.name,
            "config": OmegaConf.to_container(raw, resolve=True),
            "methods": metrics,
            "timings": dict(timings),
        }
        with timings.stage("write results"):
            records = prediction_records(test, drafts, base_out, outcomes)
            write_atomic(run_dir / "predictions.jsonl", "".join(dumps(r) + "\n" for r in records))
            results["timings"] = dict(timings)
            write_atomic(run_dir / "results.json", json.dumps(results, indent=2))
            plots = write_reports(run_dir, results)
        tracker.summary(
            {f"{m}/{k}": v for m, ms in metrics.items() for k, v in ms.items() if isinstance(v, int | float)}
        )
        tracker.log_images(plots)
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
    except BaseException:
        tracker.finish(failed=True)
        raise
    tracker.finish()
    return results


@hydra.main(config_path="../../conf", config_name="config", version_base="1.3")
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


if __name__ == "__main__":
    if world_size() > 1:  # every rank of `accelerate launch` starts here
        join_ranks()
        if rank() != 0:
            sys.argv = follow_rank0(sys.argv)
    main()
