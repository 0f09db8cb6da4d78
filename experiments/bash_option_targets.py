"""The option-aware Bash validator against its targets, next to ShellCheck alone in the same run: NL2Bash's gold
commands (>= 99% accepted) and real model outputs with human judgements (per system: >= 40% of those judged wrong
rejected, >= 97% of those judged right accepted).

    python experiments/bash_option_targets.py [--gold ../shared/data/bash/nl2bash.jsonl]
        [--drafts ../shared/data/real_drafts/bash] [--show 40]

`--show N` prints N rejected gold commands with the first message, and N drafts judged right that are rejected.
The last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from slmfix_exp.dsl.bash import Bash

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def system_of(record: dict) -> str:
    model = record["model"]
    return "Tellina" if model.startswith("Tellina") else "Sub-token CopyNet" if "CopyNet" in model else model


def first_error(verdict) -> str:
    return next((f"[{d.rule}] {d.message}" for d in verdict.errors), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=DATA / "bash" / "nl2bash.jsonl")
    parser.add_argument("--drafts", type=Path, default=DATA / "real_drafts" / "bash")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()

    validators = {"options": Bash(backend="options"), "shellcheck": Bash(backend="shellcheck")}
    summary: dict[str, dict] = {}

    gold = [json.loads(line)["program"] for line in args.gold.read_text().splitlines() if line.strip()]
    print(f"NL2Bash gold commands: {len(gold)}")
    gold_verdicts = {}
    for name, dsl in validators.items():
        verdicts = dsl.validate_batch(gold, [{}] * len(gold))
        gold_verdicts[name] = verdicts
        accepted = sum(v.ok for v in verdicts) / len(verdicts)
        rules = Counter(d.rule for v in verdicts if not v.ok for d in v.errors[:1])
        print(f"  {name:10s} accepts {accepted:7.2%}   first errors of the rejected: {dict(rules.most_common(8))}")
        summary.setdefault("gold_accepted", {})[name] = round(accepted, 4)
    if args.show:
        shown = [(p, v) for p, v in zip(gold, gold_verdicts["options"], strict=True) if not v.ok]
        for program, verdict in shown[: args.show]:
            print(f"    {first_error(verdict)[:100]:100s} | {program[:100]}")

    records = []
    for path in sorted(args.drafts.glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    drafts = [r["draft"] or "" for r in records]
    right = [r["meta"]["human_judgement"]["correct command"] == "y" for r in records]
    print(f"\nReal drafts: {len(records)} ({sum(right)} judged right) from {args.drafts}")
    print(f"  {'system':20s} {'validator':10s} {'wrong':>6s} {'rejected':>9s} {'right':>6s} {'accepted':>9s}")
    for name, dsl in validators.items():
        verdicts = dsl.validate_batch(drafts, [{}] * len(drafts))
        by_system: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        for record, ok, judged in zip(records, verdicts, right, strict=True):
            by_system[system_of(record)].append((ok.ok, judged))
        for system, rows in sorted(by_system.items()):
            wrong = [ok for ok, judged in rows if not judged]
            good = [ok for ok, judged in rows if judged]
            rejected = 1 - sum(wrong) / len(wrong)
            accepted = sum(good) / len(good)
            print(f"  {system:20s} {name:10s} {len(wrong):6d} {rejected:9.2%} {len(good):6d} {accepted:9.2%}")
            summary.setdefault("wrong_rejected", {}).setdefault(system, {})[name] = round(rejected, 4)
            summary.setdefault("right_accepted", {}).setdefault(system, {})[name] = round(accepted, 4)
        if name == "options":
            rules = Counter(
                d.rule for v, judged in zip(verdicts, right, strict=True) if not judged for d in v.errors[:1]
            )
            print(f"    first errors on drafts judged wrong: {dict(rules.most_common(10))}")
            if args.show:
                print("    drafts judged right but rejected:")
                for record, verdict, judged in zip(records, verdicts, right, strict=True):
                    if judged and not verdict.ok:
                        print(f"      {first_error(verdict)[:90]:90s} | {record['draft'][:90]}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
