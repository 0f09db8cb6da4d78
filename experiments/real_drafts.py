"""The benchmark that counts: a trained run's repairs of real LLM drafts, per system and overall, next to the
non-learned `rules` baseline (the validator's own suggestions applied).

    python experiments/real_drafts.py run=<run dir> [data=<real drafts file or dir>] [config overrides ...]

`data` defaults to ../shared/data/real_drafts/<the run's dsl>. The drafts are evaluated with
`python -m slmfix_exp.evaluate` into `<run>/eval/<name>/` (reused when it is there), or read from the run's own
results when the run was evaluated on them (`eval.data.path=...`). For each system: drafts, invalid drafts, and per
method the invalid drafts it made valid (and how many of those carry no warning their draft didn't have: a valid
repair with a new warning may have left the validator's reach, as a Bash command renamed to one with no spec does,
rather than fixed the draft), those right by execution (SQL), the mean similarity of the invalid drafts'
final programs to the reference, and of the valid repairs to the draft (how much of it they kept).

Train on data that doesn't hold the evaluated databases or tasks: the default runs train on the bundled tasks, over
schemas and tasks of this project's own generators, so every real-drafts database and task is unseen.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from slmfix_exp.evaluate import evaluate_run

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_drafts"


def results_for(run: Path, data: Path, overrides: list[str]) -> dict[str, Any]:
    own = run / "results.json"
    if own.is_file():
        saved = OmegaConf.load(run / ".hydra" / "config.yaml")
        path = OmegaConf.select(saved, "eval.data.path")
        if path and Path(path).resolve() == data.resolve() and not overrides:
            return json.loads(own.read_text())
    out = run / "eval" / f"real_drafts_{data.stem}"
    if not (out / "results.json").is_file():
        evaluate_run(
            run,
            [f"eval.data.path={data}", "base_llm=cached", f"base_llm.path={data}", *overrides],
            out,
        )
    return json.loads((out / "results.json").read_text())


def table(results: dict[str, Any]) -> str:
    methods = [m for m in results["methods"] if m != "base"]
    base = results["methods"]["base"]
    rows = [*base.get("by_source", {}), "overall"]

    def of(method: str, source: str) -> dict[str, Any]:
        m = results["methods"][method]
        return m if source == "overall" else m["by_source"][source]

    execution = "repaired_exec" in base
    head = ["system", "drafts", "invalid"]
    for m in methods:
        head += [f"{m} valid"] + ([f"{m} right"] if execution else []) + [f"{m} sim", f"{m} kept"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for source in rows:
        b = of("base", source)
        invalid = b["invalid_drafts"]
        cells = [source, str(b["n"]), str(invalid)]
        for m in methods:
            r = of(m, source)
            clean = r.get("repaired_no_new_warning")  # absent from results of older runs
            plus = "" if clean is None or clean == r["repaired_valid"] else f", {clean} without a new warning"
            cells.append(f"{r['repaired_valid']} ({_pct(r['repaired_rate'])}{plus})")
            if execution:
                cells.append(f"{r.get('repaired_exec', 0)} ({_pct(r.get('repaired_exec_rate'))})")
            cells += [_num(r.get("invalid_ast_similarity")), _num(r.get("repaired_similarity_to_draft"))]
        lines.append("| " + " | ".join(cells) + " |")
    sims = f"drafts' similarity (invalid ones): {_num(base.get('invalid_ast_similarity'))}"
    speed = ", ".join(f"{m} {results['methods'][m].get('repairs_per_s')}/s" for m in methods)
    return "\n".join(lines) + f"\n\n{sims}; repairs per second: {speed}\n"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main(argv: list[str]) -> None:
    own = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in argv if a.startswith(("run=", "data="))}
    if "run" not in own:
        raise SystemExit(__doc__)
    run = Path(own["run"])
    dsl = OmegaConf.select(OmegaConf.load(run / ".hydra" / "config.yaml"), "dsl.name")
    data = Path(own.get("data", SHARED / str(dsl)))
    overrides = [a for a in argv if not a.startswith(("run=", "data="))]
    results = results_for(run, data, overrides)
    print(f"## {dsl}: real drafts of {data}\n")
    print(table(results))


if __name__ == "__main__":
    main(sys.argv[1:])
