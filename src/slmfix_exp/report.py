"""Result files of a run: results.json (the contract of DESIGN.md), results.md, PNG plots.

`python -m slmfix_exp.report <run dir>` rebuilds results.md and the plots from a finished run's results.json and
training logs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a training machine
import matplotlib.pyplot as plt

TABLE_METRICS = (
    "n",
    "pass_rate",
    "ast_similarity",
    "ted_similarity",
    "bleu",
    "exact_match",
    "execution_accuracy",
    "pass@1",
    "pass@5",
    "pass@10",
    "repair_calls",
    "seconds",
)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def results_markdown(results: dict[str, Any]) -> str:
    methods: dict[str, dict[str, Any]] = results["methods"]
    cols = [m for m in TABLE_METRICS if any(m in v for v in methods.values())]
    lines = [f"# slmfix_exp results: {results['dsl']}", ""]
    lines += ["| method | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name, metrics in methods.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(metrics.get(c)) for c in cols) + " |")
    rules = sorted({r for m in methods.values() for r in m.get("errors_by_rule", {})})
    if rules:
        lines += ["", "## Validator errors by rule (test split)", ""]
        lines += ["| rule | " + " | ".join(methods) + " |", "|---|" + "---|" * len(methods)]
        for rule in rules:
            lines.append(
                f"| {rule} | "
                + " | ".join(str(m.get("errors_by_rule", {}).get(rule, 0)) for m in methods.values())
                + " |"
            )
    timings = results.get("timings", {})
    if timings:
        lines += ["", "## Timings (s)", "", "| stage | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.1f} |" for k, v in timings.items()]
    return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def write_plots(run_dir: Path, results: dict[str, Any]) -> list[Path]:
    """Pass rate and similarity per method, errors by rule, and the training curves of each stage."""
    methods = results["methods"]
    written = []
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = list(methods)
    width = 0.38
    xs = range(len(names))
    ax.bar([x - width / 2 for x in xs], [methods[m]["pass_rate"] for m in names], width, label="pass rate")
    ax.bar([x + width / 2 for x in xs], [methods[m]["ast_similarity"] for m in names], width, label="AST similarity")
    ax.set_xticks(list(xs), names)
    ax.set_ylim(0, 1)
    ax.set_title(f"{results['dsl']}: methods on the test split")
    ax.legend(loc="lower right")
    written.append(_save(fig, run_dir / "methods.png"))

    rules = sorted({r for m in methods.values() for r in m.get("errors_by_rule", {})})
    if rules:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(rules) + 1.5))
        height = 0.8 / len(names)
        for k, name in enumerate(names):
            counts = [methods[name].get("errors_by_rule", {}).get(r, 0) for r in rules]
            ax.barh([i + k * height for i in range(len(rules))], counts, height, label=name)
        ax.set_yticks([i + 0.4 - height / 2 for i in range(len(rules))], rules)
        ax.set_xlabel("errors on the test split")
        ax.legend()
        written.append(_save(fig, run_dir / "errors_by_rule.png"))

    for stage in ("sft", "rl"):
        history_file = run_dir / stage / "log_history.json"
        if not history_file.exists():
            continue
        history = json.loads(history_file.read_text())
        keys = ["loss"] if stage == "sft" else ["reward", "reward/valid", "reward/similarity"]
        series = {k: [(h["step"], h[k]) for h in history if k in h] for k in keys}
        series = {k: v for k, v in series.items() if v}
        if not series:
            continue
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for key, points in series.items():
            ax.plot([p[0] for p in points], [p[1] for p in points], marker=".", label=key)
        ax.set_xlabel("step")
        ax.set_title(f"{results['dsl']}: {stage} training")
        ax.legend()
        written.append(_save(fig, run_dir / f"training_{stage}.png"))
    return written


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_reports(run_dir: Path, results: dict[str, Any]) -> list[Path]:
    write_atomic(run_dir / "results.md", results_markdown(results))
    return [run_dir / "results.md", *write_plots(run_dir, results)]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m slmfix_exp.report <run dir>")
    run_dir = Path(args[0])
    results_file = run_dir / "results.json"
    if not results_file.is_file():
        sys.exit(f"no results.json in {run_dir}")
    for path in write_reports(run_dir, json.loads(results_file.read_text())):
        print(path)


if __name__ == "__main__":
    main()
