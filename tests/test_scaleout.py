"""Sweeps and scale-out: Hydra's joblib and submitit launchers, the SLURM launcher config, `accelerate launch` with
two processes, W&B runs grouped by sweep, and a failing job that costs nobody else's results."""

from __future__ import annotations

import json
import os
import re
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.types import RunMode
from omegaconf import OmegaConf

from slmfix_exp.distributed import run_dir_overrides
from tests.conftest import CONF_DIR
from tests.helpers import slmfix

SMOKE = ["experiment=smoke", "dsl=sql"]


def wandb_records(run_dir: Path) -> list[Any]:
    """The records of the one offline W&B run in `run_dir`: the .wandb file is LevelDB's log format (32 KiB blocks
    of chunks with a 7-byte header: crc32c, length, type) after a 7-byte ':W&B' header; each record a protobuf."""
    from wandb.proto import wandb_internal_pb2

    (path,) = run_dir.glob("wandb/offline-run-*/run-*.wandb")
    data = path.read_bytes()
    assert data[:4] == b":W&B"
    records, chunk, pos = [], b"", 7
    while pos + 7 <= len(data):
        if 32768 - pos % 32768 < 7:  # a block's tail too short for a header is padding
            pos += 32768 - pos % 32768
            continue
        _, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        chunk += data[pos + 7 : pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):  # a whole record, or the last chunk of one
            record = wandb_internal_pb2.Record()  # type: ignore[attr-defined]
            record.ParseFromString(chunk)
            records.append(record)
            chunk = b""
    return records


def wandb_run(run_dir: Path) -> tuple[Any, dict[str, Any], int]:
    """The offline W&B run of a job: its run record, its config as first logged, and its exit code."""
    records = wandb_records(run_dir)
    run = next(r.run for r in records if r.WhichOneof("record_type") == "run")
    config = {u.key: json.loads(u.value_json) for u in run.config.update}
    (exit_code,) = [r.exit.exit_code for r in records if r.WhichOneof("record_type") == "exit"]
    return run, config, exit_code


def job_dirs(sweep_dir: Path) -> list[Path]:
    return sorted(p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml"))


def sweep_rows(sweep_dir: Path) -> list[list[str]]:
    lines = (sweep_dir / "sweep_results.md").read_text().splitlines()
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[4:] if line.startswith("|")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- configs -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "params"),
    [
        ("weight_sweep", {"reward": "dual", "reward.w_valid": "0.2,0.5,0.8", "seed": "0,1,2"}),
        ("reward_ablation", {"reward": "dual,adaptive,validator,similarity,gated", "seed": "0,1,2"}),
        ("rl_vs_sft", {"seed": "0,1,2"}),
        ("paper_table", {"dsl": "ansible,bash,sql"}),
    ],
)
def test_presets_are_multiruns(preset: str, params: dict[str, str]) -> None:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"experiment={preset}", "dsl=sql"], return_hydra_config=True)
    assert cfg.hydra.mode == RunMode.MULTIRUN
    assert OmegaConf.to_container(cfg.hydra.sweeper.params) == params


def test_slurm_launcher_submits_one_array_with_its_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """conf/hydra/launcher/slurm.yaml through Hydra's submitit plugin down to the sbatch script; only the call of
    sbatch is cut, as there is no cluster here."""
    import submitit.slurm.slurm as slurm
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            "config",
            overrides=["hydra/launcher=slurm", "hydra.launcher.partition=gpu", f"hydra.sweep.dir={tmp_path}", *SMOKE],
            return_hydra_config=True,
        )
    params = cast(dict[str, Any], OmegaConf.to_container(cfg.hydra.launcher, resolve=True))
    assert params.pop("_target_") == f"{SlurmLauncher.__module__}.SlurmLauncher"
    launcher = SlurmLauncher(**params)
    launcher.config = cfg

    class Submitted(Exception):
        pass

    def sbatch(self: Any, script: Path) -> list[str]:
        raise Submitted(script.read_text())

    monkeypatch.setattr(slurm.SlurmExecutor, "affinity", classmethod(lambda cls: 1))  # "is srun on PATH?"
    monkeypatch.setattr(slurm.SlurmExecutor, "_make_submission_command", sbatch)
    with pytest.raises(Submitted) as submitted:
        launcher.launch([[f"reward.w_valid={w}"] for w in (0.2, 0.5, 0.8)], initial_job_idx=0)
    script = str(submitted.value)
    for line in (
        "#SBATCH --partition=gpu",
        "#SBATCH --gpus-per-node=1",
        "#SBATCH --ntasks-per-node=1",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=64GB",
        "#SBATCH --time=240",
        "#SBATCH --array=0-2%3",  # the three jobs as one array
        "#SBATCH --signal=USR2@120",  # submitit's warning before the time limit, to requeue
    ):
        assert line in script.splitlines(), line
    assert f"{tmp_path}/.submitit/" in script


@pytest.mark.parametrize("run_dir", ["/tmp/runs/2026-01-02_03-04-05_sql_dual", "/tmp/it's a dir, with=signs/run"])
def test_other_ranks_follow_rank0_into_its_run_dir(run_dir: str) -> None:
    parsed = {o.key_or_group: o.value() for o in OverridesParser.create().parse_overrides(run_dir_overrides(run_dir))}
    assert parsed == {"hydra.run.dir": run_dir, "hydra.output_subdir": None}


# ---- sweeps --------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_weight_sweep_with_joblib_writes_every_job_the_table_and_one_wandb_run_each(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    proc = slmfix(
        "-m",
        *SMOKE,
        "reward=dual",
        "reward.w_valid=0.2,0.8",
        "trainer.sft.share=true",
        "eval.stages=[rl]",  # the shared SFT model needn't be evaluated in every job
        "hydra/launcher=joblib",
        f"hydra.sweep.dir={sweep_dir}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = job_dirs(sweep_dir)
    assert [j.name for j in jobs] == ["0_sql_dual", "1_sql_dual"]
    # the two jobs ran at once and trained one SFT stage: one of them waited on the other's and loaded it
    (shared,) = {(j / "sft").resolve() for j in jobs}
    assert all((j / "sft").is_symlink() for j in jobs) and (shared / "final" / "config.json").exists()
    assert sum("stage sft already finished" in (j / "__main__.log").read_text() for j in jobs) == 1
    for job, w_valid in zip(jobs, (0.2, 0.8), strict=True):
        results = json.loads((job / "results.json").read_text())
        assert results["config"]["reward"]["w_valid"] == w_valid
        assert set(results["methods"]) == {"base", "rules", "rl"}
        assert "rank 0 of 1, 1 torch threads" in (job / "__main__.log").read_text()  # joblib: cores / jobs each

        run, config, exit_code = wandb_run(job)
        assert (run.run_group, run.job_type, run.display_name) == ("sweep", "sft_grpo", job.name)
        assert config["reward"]["w_valid"] == w_valid and config["dsl"]["name"] == "sql"  # the composed config
        assert exit_code == 0

    rows = sweep_rows(sweep_dir)
    assert [(r[0], r[2]) for r in rows] == [
        (j, m) for j in ("0_sql_dual", "1_sql_dual") for m in ("base", "rules", "rl")
    ]
    assert "reward.w_valid=0.8" in rows[-1][1]
    assert (sweep_dir / "sweep.png").stat().st_size > 0

    sync = subprocess.run(
        [sys.executable, "-m", "wandb", "sync", "--dry-run", *map(str, sweep_dir.glob("*/wandb/offline-run-*"))],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "WANDB_SILENT": "false"},
    )
    assert "Would sync 2 run(s)" in sync.stdout + sync.stderr


@pytest.mark.slow
def test_a_failing_job_fails_the_sweep_but_keeps_the_others_results(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    proc = slmfix(
        "-m",
        *SMOKE,
        "trainer=none",
        "data.path=/nonexistent/tasks.jsonl,null",  # job 0 can't load its data
        "hydra/launcher=joblib",
        f"hydra.sweep.dir={sweep_dir}",
    )
    assert_failed_job_kept_apart(proc, sweep_dir, ["base", "rules"])
    failed, done = job_dirs(sweep_dir)
    assert wandb_run(failed)[2] == 1  # the failed job's W&B run is finished, marked failed
    assert wandb_run(done)[2] == 0


def assert_failed_job_kept_apart(proc: subprocess.CompletedProcess[str], sweep_dir: Path, methods: list[str]) -> None:
    """Job 0 failed, job 1 finished: the sweep exits 1 with job 0's error, its table keeps job 1's rows."""
    assert proc.returncode == 1
    assert "data.path does not exist" in proc.stderr  # Hydra re-raises the failed job once all have run
    failed, done = job_dirs(sweep_dir)
    assert not (failed / "results.json").exists()
    assert json.loads((done / "results.json").read_text())["methods"]["base"]["n"] == 16
    assert [(r[0], r[2]) for r in sweep_rows(sweep_dir)] == [
        (failed.name, "(no results: failed or unfinished)"),
        *[(done.name, m) for m in methods],
    ]


# ---- several processes per job --------------------------------------------------------------------------------------


def assert_trained_on_two_ranks(run_dir: Path) -> None:
    """Both stages saw twice the per-process batch at every step, rank 0 wrote the results of the run."""
    results = json.loads((run_dir / "results.json").read_text())
    trainer = results["config"]["trainer"]
    for stage in trainer["stages"]:
        end = json.loads((run_dir / stage / "log_history.json").read_text())[-1]
        samples = round(end["train_samples_per_second"] * end["train_runtime"])
        assert samples == 2 * trainer[stage]["max_steps"] * trainer[stage]["batch_size"], stage
        assert (run_dir / stage / "final" / "config.json").exists()
    assert set(results["methods"]) == {"base", "rules", *trainer["stages"]}
    log = (run_dir / "__main__.log").read_text()
    assert "rank 0 of 2" in log and "rank 1 of 2" in log


@pytest.mark.slow
def test_accelerate_launch_trains_on_two_processes_into_one_run_dir(tmp_path: Path) -> None:
    launcher = [sys.executable, "-m", "accelerate.commands.launch", "--main_process_port", str(free_port())]
    launcher += ["--config_file", "experiments/accelerate/cpu_ddp.yaml"]
    run_dir = f"hydra.run.dir={tmp_path}/runs/${{now:%H-%M-%S-%f}}"
    proc = slmfix(*SMOKE, "logger=wandb", "trainer.rl.select=spread", run_dir, launcher=launcher)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run_dir,) = (tmp_path / "runs").iterdir()  # rank 1 ran in rank 0's dir, though its clock read differently
    assert proc.stdout.strip().splitlines()[-1] == str(run_dir)
    assert_trained_on_two_ranks(run_dir)
    # GRPO's groups span the ranks: both train on rank 0's choice of prompts, though rank 0 alone evaluated SFT
    log = (run_dir / "__main__.log").read_text()
    chosen = dict(re.findall(r"rank (\d): RL on (\d+ prompts \(sha256 of the prompts \w+\))", log))
    assert set(chosen) == {"0", "1"} and chosen["0"] == chosen["1"]
    assert log.count("sampled get different rewards") == 1  # chosen once, by rank 0, not by each rank on its own
    assert (run_dir / "predictions.jsonl").exists() and (run_dir / "methods.png").exists()
    assert wandb_run(run_dir)[2] == 0  # one W&B run, from rank 0


@pytest.mark.slow
def test_submitit_local_with_two_tasks_per_job_trains_ddp_and_survives_a_failing_job(tmp_path: Path) -> None:
    """Job 0 fails on rank 0 while rank 1 waits for it: rank 1 must end too (gloo sees its peer go), not hang."""
    sweep_dir = tmp_path / "sweep"
    proc = slmfix(
        "-m",
        *SMOKE,
        "trainer=sft",
        "trainer.sft.max_steps=2",
        "logger=none",
        "data.path=/nonexistent/tasks.jsonl,null",
        "hydra/launcher=submitit_local",
        "hydra.launcher.tasks_per_node=2",
        "hydra.launcher.timeout_min=5",  # submitit's own processes outlive this test's timeout otherwise
        f"hydra.sweep.dir={sweep_dir}",
    )
    assert_failed_job_kept_apart(proc, sweep_dir, ["base", "rules", "sft"])
    assert_trained_on_two_ranks(job_dirs(sweep_dir)[1])
