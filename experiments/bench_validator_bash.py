"""Benchmark the Bash validators on real commands (NL2Bash): the option-aware default (`backend=options`:
ShellCheck plus every known utility's options) against ShellCheck alone (`backend=shellcheck`, the paper's) in the
same run, both in batch, on `--cores` cores (default 1: the process is pinned to one core, and ShellCheck gets one
worker); the option checker alone; one ShellCheck process per program (the naive baseline); acceptance of the real
commands; and how many mutations of them keep their promise.

    python experiments/bench_validator_bash.py [--data ../shared/data/bash/nl2bash.jsonl] [--cores 1]
        [--baseline 300]

Targets: >= 1000 programs/s in batch on one core with the options, >= 99% of invalid mutations rejected.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import resource
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from slmfix_exp.dsl.bash import Bash

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: unlike wall time, not inflated by a busy machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """(programs per wall second, CPU milliseconds per program) of `fn()` over n programs."""
    cpu, start = cpu_seconds(), time.perf_counter()
    fn()
    return n / (time.perf_counter() - start), 1000 * (cpu_seconds() - cpu) / n


def naive(checker: Bash, programs: list[str]) -> None:
    """One `shellcheck -` process per program: what a straightforward wrapper does."""
    assert checker.shellcheck is not None
    for program in programs:
        subprocess.run(
            [checker.shellcheck, "-f", "json1", "-S", "error", "-s", "bash", "-"],
            input=program.encode(),
            capture_output=True,
            check=False,
        )


def mutations(checker: Bash, valid: list[str], seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    out = {}
    for invalid in (True, False):
        made = [m for p in valid if (m := checker.mutate(p, {}, rng, invalid)) is not None]
        results = checker.validate_batch([m.program for m in made], [{}] * len(made))
        as_promised = Counter(m.label for m, v in zip(made, results, strict=True) if v.ok is not invalid)
        total = Counter(m.label for m in made)
        rate = sum(as_promised.values()) / len(made)
        what = "invalid mutations rejected" if invalid else "valid mutations accepted"
        print(f"    {what}: {rate:8.2%} of {len(made)} ({len(valid) - len(made)} commands had no site)")
        print("      " + ", ".join(f"{k} {as_promised[k]}/{n}" for k, n in sorted(total.items())))
        out["invalid_rejected" if invalid else "valid_accepted"] = round(rate, 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "bash" / "nl2bash.jsonl")
    parser.add_argument("--cores", type=int, default=1, help="pin the run to this many cores (0: leave it alone)")
    parser.add_argument("--baseline", type=int, default=300, help="programs for the one-process-per-program run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])  # before Bash() counts its jobs
    programs = [json.loads(line)["program"] for line in args.data.read_text().splitlines() if line.strip()]
    unique = sorted(set(programs))
    backends = ("options", "shellcheck")
    checkers = {b: Bash(backend=b) for b in backends}  # the option specs are built (or read) here, untimed
    shellcheck = checkers["shellcheck"]
    specs = checkers["options"].checker.specs if checkers["options"].checker else {}
    print(
        f"ShellCheck at {shellcheck.shellcheck}, {shellcheck.jobs} worker process(es); {len(programs)} NL2Bash "
        f"commands ({len(unique)} distinct); option specs for {len(specs)} utilities"
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall rates suffer when busy)")

    summary: dict[str, dict[str, float]] = {}
    for backend in backends:
        verdicts: list = []

        def run(b: str = backend, out: list = verdicts) -> None:
            out.extend(Bash(backend=b).validate_batch(programs, [{}] * len(programs)))

        rate, cpu = timed(run, len(programs))
        fresh = Bash(backend=backend)  # the distinct commands alone: nothing for the in-batch de-duplication to save
        unique_rate, unique_cpu = timed(
            functools.partial(fresh.validate_batch, unique, [{}] * len(unique)), len(unique)
        )
        accepted = sum(v.ok for v in verdicts) / len(verdicts)
        print(f"{backend}:")
        print(f"    batch, all commands:      {rate:7.0f} programs/s  {cpu:5.2f} CPU ms/program")
        print(f"    batch, distinct commands: {unique_rate:7.0f} programs/s  {unique_cpu:5.2f} CPU ms/program")
        print(f"    acceptance of real commands: {accepted:8.2%}")
        summary[backend] = {
            "programs_per_s": round(rate),
            "distinct_programs_per_s": round(unique_rate),
            "cpu_ms_per_program": round(cpu, 3),
            "acceptance": round(accepted, 4),
        }
    options = checkers["options"]
    alone_rate, alone_cpu = timed(lambda: [options.option_diagnostics(p) for p in unique], len(unique))
    print(f"the option checker alone, in process: {alone_rate:7.0f} programs/s  {alone_cpu:5.3f} CPU ms/program")
    summary["option_checker"] = {"programs_per_s": round(alone_rate), "cpu_ms_per_program": round(alone_cpu, 4)}

    sample = random.Random(args.seed).sample(unique, min(args.baseline, len(unique)))
    baseline, baseline_cpu = timed(lambda: naive(shellcheck, sample), len(sample))
    print(f"one ShellCheck process per program (n={len(sample)}): {baseline:.0f} programs/s  {baseline_cpu:.2f} CPU ms")
    alone = summary["shellcheck"]["programs_per_s"]
    for backend in backends:
        rate = summary[backend]["programs_per_s"]
        print(f"{backend}: {rate / baseline:.1f}x the naive baseline, {rate / alone:.2f}x ShellCheck alone")
        summary[backend]["speedup"] = round(rate / baseline, 2)

    for backend, checker in checkers.items():
        print(f"mutations of the commands {backend} accepts:")
        valid = [p for p, v in zip(unique, checker.validate_batch(unique, [{}] * len(unique)), strict=True) if v.ok]
        summary[backend].update(mutations(checker, valid, args.seed))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
