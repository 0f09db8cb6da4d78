"""The Bash validator's check of command names (`unknown-command`: a command no system has) against its targets, each
next to its baseline measured in the same run: the validator without the check (an unknown name a warning, as it
was) and ShellCheck alone.

- NL2Bash's gold commands accepted (target: no lower than without the check), and every one the check rejects,
  with its message;
- throughput in batch, pinned to `--cores` cores (default 1), with the check, without it, and ShellCheck alone;
- with `--predictions <run>/predictions.jsonl` (a run on real drafts): per method, of the repairs of invalid drafts
  each validator accepts, the share that call a command no system has under a name their draft didn't call
  (`DSL.renamed_command`; target <= 5%), by the validator the run used (its recorded verdicts), this validator,
  this validator without the check, and ShellCheck alone.

    python experiments/bash_unknown_command.py [--gold ../shared/data/bash/nl2bash.jsonl]
        [--predictions outputs/runs/.../predictions.jsonl] [--cores 1] [--repeat 3]

The last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from slmfix_exp.dsl.base import Validation
from slmfix_exp.dsl.bash import Bash
from slmfix_exp.dsl.bash import checker as bash_checker

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "data" / "bash" / "nl2bash.jsonl"


@contextlib.contextmanager
def without_the_check() -> Iterator[None]:
    """The validator as it was before the check: every name exists, so an unknown one is the `unknown-utility`
    warning of a utility with no spec."""
    exists = bash_checker.exists
    bash_checker.exists = lambda name: True
    try:
        yield
    finally:
        bash_checker.exists = exists


def validators() -> dict[str, Bash]:
    return {"with the check": Bash(), "without the check": Bash(), "ShellCheck alone": Bash(backend="shellcheck")}


def verdicts(name: str, dsl: Bash, programs: list[str]) -> list[Validation]:
    if name == "without the check":
        with without_the_check():
            return dsl.validate_batch(programs, [{}] * len(programs))
    return dsl.validate_batch(programs, [{}] * len(programs))


def gold_figures(gold: list[str]) -> dict[str, Any]:
    print(f"NL2Bash gold commands: {len(gold)}")
    out, found = {}, {}
    for name, dsl in validators().items():
        found[name] = verdicts(name, dsl, gold)
        out[name] = sum(v.ok for v in found[name]) / len(gold)
        print(f"  {name:18s} accepts {out[name]:7.2%} ({sum(v.ok for v in found[name])})")
    rejected = [
        (p, v) for p, v, before in zip(gold, found["with the check"], found["without the check"], strict=True)
        if before.ok and not v.ok
    ]  # fmt: skip
    names = Counter(d.message.split(":", 1)[0] for _, v in rejected for d in v.errors if d.rule == "unknown-command")
    print(f"  rejected by the check alone: {len(rejected)}, by name: {dict(names.most_common())}")
    for program, v in rejected:
        message = next(d.message for d in v.errors if d.rule == "unknown-command")
        print(f"    {message[:70]:70s} | {program[:80]}")
    out["rejected_by_the_check"] = len(rejected)
    return out


def throughput(gold: list[str], repeat: int) -> dict[str, float]:
    """Programs per second in batch, the best of `repeat` runs each (a busy machine only slows a run down); each
    run on a fresh validator, so no verdict is reused from an earlier run."""
    rates: dict[str, float] = {}
    for name in validators():
        best = 0.0
        for _ in range(repeat):
            dsl = Bash(backend="shellcheck" if name == "ShellCheck alone" else "options")
            start = time.perf_counter()
            verdicts(name, dsl, gold)
            best = max(best, len(gold) / (time.perf_counter() - start))
        rates[name] = best
    base = rates["ShellCheck alone"]
    for name, rate in rates.items():
        print(f"  {name:18s} {rate:7.0f} programs/s ({rate / base:.2f}x ShellCheck alone)")
    # the option checker alone, in this process: what the check adds, without ShellCheck's processes to blur it
    unique, dsl = sorted(set(gold)), Bash()
    for name in ("with the check", "without the check"):
        best = 0.0
        for _ in range(repeat):
            start = time.perf_counter()
            with without_the_check() if name == "without the check" else contextlib.nullcontext():
                for program in unique:
                    dsl.option_diagnostics(program)
            best = max(best, len(unique) / (time.perf_counter() - start))
        rates[f"option checker alone, {name}"] = best
        print(f"  the option checker alone, {name}: {best:7.0f} distinct programs/s")
    return {k: round(v) for k, v in rates.items()}


def renamed_figures(path: Path) -> dict[str, Any]:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    failing = [r for r in records if not r["draft_valid"]]
    print(f"\n{path}: {len(records)} tasks, {len(failing)} invalid drafts")
    judge = Bash()
    out: dict[str, Any] = {}
    checkers = validators()
    for method in records[0]["methods"]:
        if method == "base":
            continue
        drafts = [r["draft"] or "" for r in failing]
        programs = [r["methods"][method]["program"] or "" for r in failing]
        renamed = [bool(judge.renamed_command(d, p, {})) for d, p in zip(drafts, programs, strict=True)]
        accepted = {"the run's validator": [bool(r["methods"][method]["valid"]) for r in failing]}
        for name, dsl in checkers.items():
            accepted[name] = [v.ok for v in verdicts(name, dsl, programs)]
        print(f"  {method}: {sum(renamed)} of the {len(failing)} repairs call a made-up command their draft didn't")
        for name, ok in accepted.items():
            n = sum(ok)
            share = sum(r for r, a in zip(renamed, ok, strict=True) if a) / n if n else 0.0
            print(f"    {name:20s} accepts {n:4d}; of those, {share:6.1%} renamed to a made-up command")
            out.setdefault(method, {})[name] = {"accepted": n, "renamed_share": round(share, 4)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--predictions", type=Path, help="a run's predictions.jsonl on real drafts")
    parser.add_argument("--cores", type=int, default=1, help="pin the run to this many cores (0: leave it alone)")
    parser.add_argument("--repeat", type=int, default=3, help="throughput: the best of this many runs each")
    args = parser.parse_args()

    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])  # before Bash() counts its jobs
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall rates suffer when busy)")
    gold = [json.loads(line)["program"] for line in args.gold.read_text().splitlines() if line.strip()]
    summary: dict[str, Any] = {"gold_accepted": gold_figures(gold)}
    print(f"throughput on {args.cores or os.cpu_count()} core(s), the best of {args.repeat} runs:")
    summary["programs_per_s"] = throughput(gold, args.repeat)
    if args.predictions:
        summary["renamed"] = renamed_figures(args.predictions)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
