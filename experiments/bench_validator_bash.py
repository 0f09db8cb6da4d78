"""Benchmark the Bash validator on real commands (NL2Bash): batch throughput against one ShellCheck process per
program (the naive baseline, measured in the same run), acceptance of the real commands, and how many invalid
mutations of them it rejects.

    python experiments/bench_validator_bash.py [--data ../shared/data/bash/nl2bash.jsonl] [--baseline 300]

Targets: >= 1000 programs/s in batch mode, >= 4x the baseline, >= 99% of invalid mutations rejected.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "bash" / "nl2bash.jsonl")
    parser.add_argument("--baseline", type=int, default=300, help="programs for the one-process-per-program run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    programs = [json.loads(line)["program"] for line in args.data.read_text().splitlines() if line.strip()]
    unique = sorted(set(programs))
    checker = Bash()
    print(f"ShellCheck at {checker.shellcheck}, {checker.jobs} worker process(es); {len(programs)} NL2Bash commands")

    load = os.getloadavg()[0]
    verdicts: list = []
    batch_rate, batch_cpu = timed(
        lambda: verdicts.extend(checker.validate_batch(programs, [{}] * len(programs))), len(programs)
    )
    fresh = Bash()  # the distinct commands alone: nothing for the in-batch de-duplication to save
    unique_rate, unique_cpu = timed(lambda: fresh.validate_batch(unique, [{}] * len(unique)), len(unique))
    sample = random.Random(args.seed).sample(unique, min(args.baseline, len(unique)))
    baseline, baseline_cpu = timed(lambda: naive(checker, sample), len(sample))
    accepted = sum(v.ok for v in verdicts) / len(verdicts)

    print(f"load average at start: {load:.1f} on {os.cpu_count()} cores (wall rates suffer when busy)")
    print(f"batch validate, all commands:      {batch_rate:7.0f} programs/s  {batch_cpu:5.2f} CPU ms/program")
    print(f"batch validate, distinct commands: {unique_rate:7.0f} programs/s  {unique_cpu:5.2f} CPU ms/program")
    print(f"one process per program (n={len(sample)}):  {baseline:7.0f} programs/s  {baseline_cpu:5.2f} CPU ms/program")
    print(
        f"speed-up vs baseline: {batch_rate / baseline:.1f}x wall (distinct only {unique_rate / baseline:.1f}x), "
        f"{baseline_cpu / batch_cpu:.1f}x CPU"
    )
    print(f"acceptance of real commands:       {accepted:8.2%}")

    valid = [p for p, v in zip(unique, fresh.validate_batch(unique, [{}] * len(unique)), strict=True) if v.ok]
    rng = random.Random(args.seed)
    for invalid in (True, False):
        mutations = [m for p in valid if (m := checker.mutate(p, {}, rng, invalid)) is not None]
        results = checker.validate_batch([m.program for m in mutations], [{}] * len(mutations))
        as_promised = Counter(m.label for m, v in zip(mutations, results, strict=True) if v.ok is not invalid)
        total = Counter(m.label for m in mutations)
        rate = sum(as_promised.values()) / len(mutations)
        what = "invalid mutations rejected" if invalid else "valid mutations accepted"
        print(f"{what}:  {rate:8.2%}  of {len(mutations)} ({len(valid) - len(mutations)} commands had no site)")
        print("    " + ", ".join(f"{k} {as_promised[k]}/{n}" for k, n in sorted(total.items())))
        if invalid:
            lexed = Bash(backend="bashlex").validate_batch([m.program for m in mutations], [{}] * len(mutations))
            print(f"    the bashlex backend rejects {sum(not v.ok for v in lexed) / len(lexed):.2%} of them")
            rejection = rate

    lexed = Bash(backend="bashlex").validate_batch(programs, [{}] * len(programs))
    print(f"bashlex backend acceptance of real commands: {sum(v.ok for v in lexed) / len(lexed):.2%}")
    print(
        json.dumps(
            {
                "programs_per_s": round(batch_rate),
                "distinct_programs_per_s": round(unique_rate),
                "baseline_programs_per_s": round(baseline),
                "speedup": round(batch_rate / baseline, 2),
                "cpu_speedup": round(baseline_cpu / batch_cpu, 2),
                "acceptance": round(accepted, 4),
                "invalid_mutation_rejection": round(rejection, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
