"""Wall and CPU time of the sweep launchers, the presets and a 2-process accelerate run, at the smoke preset's sizes.

    python experiments/scaleout_times.py [--dsl sql] [--out /tmp/scaleout]

Baselines measured in the same run: one smoke run, and the weight sweep's three jobs one after another (Hydra's basic
launcher). The wall times depend on what else runs on the machine: the load average is printed with each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # every finished descendant, once its parent reaped it
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsl", default="sql")
    parser.add_argument("--out", type=Path, default=Path("/tmp/slmfix_scaleout"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    python, out, dsl = [sys.executable, "-m", "slmfix_exp"], args.out, args.dsl
    accelerate = [sys.executable, "-m", "accelerate.commands.launch", "--main_process_port", "29517"]
    accelerate += ["--config_file", "experiments/accelerate/cpu_ddp.yaml"]
    weight_sweep = ["experiment=[weight_sweep,smoke]", f"dsl={dsl}"]
    runs = {
        "one smoke run": [*python, "experiment=smoke", f"dsl={dsl}", f"hydra.run.dir={out}/single"],
        "weight sweep, basic (one job after another)": [*python, *weight_sweep, f"hydra.sweep.dir={out}/basic"],
        "weight sweep, joblib": [*python, *weight_sweep, "hydra/launcher=joblib", f"hydra.sweep.dir={out}/joblib"],
        "weight sweep, submitit_local": [
            *python,
            *weight_sweep,
            "hydra/launcher=submitit_local",
            "trainer.threads=1",
            f"hydra.sweep.dir={out}/submitit",
        ],
        "reward ablation, joblib": [
            *python,
            "experiment=[reward_ablation,smoke]",
            f"dsl={dsl}",
            "hydra/launcher=joblib",
            f"hydra.sweep.dir={out}/reward_ablation",
        ],
        "paper table, joblib": [
            *python,
            "experiment=[paper_table,smoke]",
            "hydra/launcher=joblib",
            f"hydra.sweep.dir={out}/paper_table",
        ],
        "one smoke run, accelerate launch, 2 processes": [
            *accelerate,
            "-m",
            "slmfix_exp",
            "experiment=smoke",
            f"dsl={dsl}",
            f"hydra.run.dir={out}/accelerate",
        ],
    }
    print("| run | wall s | CPU s | wall vs one after another | load before | rc |\n|---|---|---|---|---|---|")
    baseline = None
    for name, command in runs.items():
        load = os.getloadavg()[0]
        cpu, start = cpu_seconds(), time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        if name.startswith("weight sweep, basic"):
            baseline = wall
        ratio = f"{wall / baseline:.2f}x" if baseline and "weight sweep" in name else "-"
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {ratio} | {load:.1f} | {proc.returncode} |", flush=True)
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
