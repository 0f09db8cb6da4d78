"""Result files of a run: results.json (the contract "Reading the outputs" of docs/results.md describes), results.md,
PNG plots.

`python -m slmfix_exp.report <run dir>` rebuilds results.md and the plots from a finished run's results.json and
training logs; `python -m slmfix_exp.report <sweep dir>` aggregates a multirun into sweep_results.md/.json and
sweep.png (the `SweepReport` Hydra callback does this during every multirun).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path
from typing import Any

import matplotlib
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

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
    "sim_exec_agreement",
    "pass@1",
    "pass@5",
    "pass@10",
    "repair_calls",
    "seconds",
)


# results.md's warning on a run whose gate consults the reference at inference (task_tests.py)
ORACLE_NOTE = (
    "**Oracle at inference (`eval.gate=tests`):** which drafts get repaired, the feedback and the best-of-n choice are "
    "decided by the task's tests, which for SQL run the reference query on the task's database. A deployed repairer "
    "has no reference: these figures are LeDex's self-debugging setting, not SLMFix's validator-gated one."
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
    if results.get("config", {}).get("eval", {}).get("gate") == "tests":
        lines += [ORACLE_NOTE, ""]
    lines += ["| method | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name, metrics in methods.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(metrics.get(c)) for c in cols) + " |")
    lines += refinement_markdown(methods)
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


def refinement_markdown(methods: dict[str, dict[str, Any]]) -> list[str]:
    """The iterative-refinement table (LeDex's): pass@k of the first round's samples, and per round the
    success-refinement rate, fixed / still failing before the round."""
    rounds = {name: m["rounds"] for name, m in methods.items() if m.get("rounds")}
    if not rounds:
        return []
    ks = [k for k in ("pass@1", "pass@5", "pass@10") if any(k in methods[name] for name in rounds)]
    n = max(len(table) for table in rounds.values())
    lines = ["", "## Iterative refinement", ""]
    lines += ["Per round: of the programs still failing before it, the share it fixed (fixed / failing).", ""]
    lines += ["| method | " + " | ".join([*ks, *(f"round {r}" for r in range(1, n + 1))]) + " |"]
    lines += ["|---|" + "---|" * (len(ks) + n)]
    for name, table in rounds.items():
        cells = [_fmt(methods[name].get(k)) for k in ks]
        cells += [f"{_fmt(row['rate'])} ({row['fixed']}/{row['failing']})" for row in table]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


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
    # no reference (real playbooks): no similarity, drawn as 0
    similarity = [methods[m]["ast_similarity"] or 0.0 for m in names]
    ax.bar([x - width / 2 for x in xs], [methods[m]["pass_rate"] for m in names], width, label="pass rate")
    ax.bar([x + width / 2 for x in xs], similarity, width, label="AST similarity")
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

    for stage in ("sft", "rl", "sft_more"):
        history_file = run_dir / stage / "log_history.json"
        if not history_file.exists():
            continue
        history = json.loads(history_file.read_text())
        # RL: the rewards, and where GRPO has signal: the share of groups whose samples all scored the same (no
        # gradient) and the policy's entropy
        panels = [["reward", "reward/valid", "reward/similarity"], ["frac_reward_zero_std", "entropy"]]
        series = [
            {k: [(h["step"], h[k]) for h in history if k in h] for k in keys}
            for keys in (panels if stage == "rl" else [["loss"]])
        ]
        series = [{k: v for k, v in panel.items() if v} for panel in series]
        series = [panel for panel in series if panel]
        if not series:
            continue
        fig, axes = plt.subplots(1, len(series), figsize=(6 * len(series), 3.5), squeeze=False)
        for ax, panel in zip(axes[0], series, strict=True):
            for key, points in panel.items():
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


# ---- sweeps ------------------------------------------------------------------------------------------------------

SWEEP_METRICS = ("pass_rate", "ast_similarity", "ted_similarity", "bleu", "exact_match", "execution_accuracy")
# over seeds: what the repair did to the drafts that failed, the figures a method comparison turns on
SEED_METRICS = (
    "repaired_rate",
    "repaired_no_new_warning_rate",
    "renamed_command_rate",
    "invalid_ast_similarity",
    "repaired_exec_rate",
    "pass_rate",
    "ast_similarity",
)


def sweep_jobs(sweep_dir: Path) -> list[dict[str, Any]]:
    """One entry per job dir of a multirun: its overrides and, when it finished, its results."""
    jobs = []
    for overrides_file in sorted(sweep_dir.glob("*/.hydra/overrides.yaml"), key=lambda p: _job_order(p.parts[-3])):
        job_dir = overrides_file.parent.parent
        overrides = [line[2:].strip() for line in overrides_file.read_text().splitlines() if line.startswith("- ")]
        results_file = job_dir / "results.json"
        results = json.loads(results_file.read_text()) if results_file.is_file() else None
        jobs.append({"job": job_dir.name, "overrides": overrides, "results": results})
    return jobs


def _job_order(name: str) -> tuple[int, str]:
    head = name.split("_", 1)[0]
    return (int(head) if head.isdigit() else 1 << 30, name)


def sweep_markdown(jobs: list[dict[str, Any]]) -> str:
    """One row per job and method: the sweep's overrides against the metrics, failed jobs included."""
    lines = [
        "# slmfix_exp sweep",
        "",
        "| job | overrides | method | " + " | ".join(SWEEP_METRICS) + " |",
        "|---|---|---|" + "---|" * len(SWEEP_METRICS),
    ]
    for job in jobs:
        overrides = " ".join(job["overrides"]) or "(defaults)"
        if job["results"] is None:
            lines.append(
                f"| {job['job']} | {overrides} | (no results: failed or unfinished) |" + " |" * len(SWEEP_METRICS)
            )
            continue
        for method, metrics in job["results"]["methods"].items():
            lines.append(
                f"| {job['job']} | {overrides} | {method} | "
                + " | ".join(_fmt(metrics.get(m)) for m in SWEEP_METRICS)
                + " |"
            )
    return "\n".join(lines) + "\n"


def write_sweep_report(sweep_dir: Path) -> list[Path]:
    """sweep_results.md, sweep_results.json and sweep.png in the sweep dir. Parallel jobs call this as each ends: a
    lock keeps a job that read the dir earlier from overwriting a later, more complete table."""
    with (sweep_dir / ".sweep_report.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _write_sweep_report(sweep_dir)


def _write_sweep_report(sweep_dir: Path) -> list[Path]:
    jobs = sweep_jobs(sweep_dir)
    if not jobs:
        return []
    write_atomic(sweep_dir / "sweep_results.md", sweep_markdown(jobs))
    write_atomic(
        sweep_dir / "sweep_results.json",
        json.dumps(
            [
                {
                    "job": j["job"],
                    "overrides": j["overrides"],
                    "methods": j["results"]["methods"] if j["results"] else None,
                }
                for j in jobs
            ],
            indent=2,
        ),
    )
    done = [j for j in jobs if j["results"]]
    written = [sweep_dir / "sweep_results.md", sweep_dir / "sweep_results.json"]
    groups = over_seeds(done)
    if any(len(g["seeds"]) > 1 for g in groups):
        write_atomic(sweep_dir / "sweep_seeds.md", seeds_markdown(groups))
        write_atomic(sweep_dir / "sweep_seeds.json", json.dumps(groups, indent=2))
        written += [sweep_dir / "sweep_seeds.md", sweep_dir / "sweep_seeds.json"]
    if groups:
        written.append(tradeoff_plot(groups, sweep_dir / "sweep_tradeoff.png"))
    if done:
        fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(done)), 4))
        final = [list(j["results"]["methods"])[-1] for j in done]
        xs = range(len(done))
        for offset, metric in ((-0.2, "pass_rate"), (0.2, "ast_similarity")):
            # no reference (real playbooks): no similarity, drawn as 0
            values = [j["results"]["methods"][m].get(metric) or 0.0 for j, m in zip(done, final, strict=True)]
            ax.bar([x + offset for x in xs], values, 0.4, label=metric.replace("_", " "))
        ax.set_xticks(
            list(xs),
            [" ".join(_varying(done, j)) + f"\n({m})" for j, m in zip(done, final, strict=True)],
            rotation=20,
            ha="right",
            fontsize=8,
        )
        ax.set_ylim(0, 1)
        ax.set_title("sweep: the last method of each job")
        ax.legend(loc="lower right")
        written.append(_save(fig, sweep_dir / "sweep.png"))
    return written


def over_seeds(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The finished jobs grouped by their overrides less `seed=`: per group and method, each `SEED_METRICS` figure
    over the seeds as mean, min and max (and the per-seed values), so a difference can be told from noise."""
    groups: dict[str, dict[str, Any]] = {}
    for job in jobs:
        setting = " ".join(o for o in _varying(jobs, job) if not o.startswith("seed=")) or "(defaults)"
        seed = next((o.split("=", 1)[1] for o in job["overrides"] if o.startswith("seed=")), "0")
        group = groups.setdefault(setting, {"setting": setting, "seeds": [], "methods": {}})
        group["seeds"].append(seed)
        for method, metrics in job["results"]["methods"].items():
            for metric in SEED_METRICS:
                if metrics.get(metric) is not None:
                    group["methods"].setdefault(method, {}).setdefault(metric, {"values": []})["values"].append(
                        metrics[metric]
                    )
    for group in groups.values():
        for figures in group["methods"].values():
            for f in figures.values():
                f |= {"mean": sum(f["values"]) / len(f["values"]), "min": min(f["values"]), "max": max(f["values"])}
    return list(groups.values())


def seeds_markdown(groups: list[dict[str, Any]]) -> str:
    metrics = [m for m in SEED_METRICS if any(m in ms for g in groups for ms in g["methods"].values())]
    lines = [
        "# slmfix_exp sweep over seeds: mean (min-max)",
        "",
        "| setting | seeds | method | " + " | ".join(metrics) + " |",
        "|---|---|---|" + "---|" * len(metrics),
    ]
    for g in groups:
        for method, figures in g["methods"].items():
            cells = [
                f"{figures[m]['mean']:.3f} ({figures[m]['min']:.3f}-{figures[m]['max']:.3f})" if m in figures else "-"
                for m in metrics
            ]
            lines.append(f"| {g['setting']} | {','.join(g['seeds'])} | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def tradeoff_plot(groups: list[dict[str, Any]], path: Path) -> Path:
    """Repaired pass rate against similarity to the reference on the invalid drafts, one point per setting and
    method (`base`, the drafts, at 0; a method that came out the same in several settings, as `rules` or a shared
    SFT stage does, once), with min-max bars over the seeds: the paper's reward ablation in one picture."""

    def point(figures: dict[str, Any]) -> str:
        return json.dumps([figures.get(m, {}).get("values") for m in ("repaired_rate", "invalid_ast_similarity")])

    fig, ax = plt.subplots(figsize=(7, 5))
    seen: set[tuple[str, str]] = set()
    for g in groups:
        for method, figures in g["methods"].items():
            x, y = figures.get("repaired_rate"), figures.get("invalid_ast_similarity")
            if x is None or y is None or (method, point(figures)) in seen:
                continue
            seen.add((method, point(figures)))
            shared = len({point(other["methods"].get(method, {})) for other in groups}) == 1
            ax.errorbar(
                x["mean"],
                y["mean"],
                xerr=[[x["mean"] - x["min"]], [x["max"] - x["mean"]]],
                yerr=[[y["mean"] - y["min"]], [y["max"] - y["mean"]]],
                marker="o",
                capsize=3,
                label=method if shared else f"{g['setting']}: {method}",
            )
    ax.set_xlabel("repaired pass rate (of the invalid drafts)")
    ax.set_ylabel("similarity to the reference (invalid drafts)")
    ax.set_title("sweep: mean and min-max over seeds")
    ax.legend(fontsize=7)
    return _save(fig, path)


def _varying(jobs: list[dict[str, Any]], job: dict[str, Any]) -> list[str]:
    """The job's overrides that not every job shares: what tells the jobs apart in a plot label."""
    shared = set.intersection(*(set(j["overrides"]) for j in jobs))
    return [o for o in job["overrides"] if o not in shared] or ["(defaults)"]


class SweepReport(Callback):
    """Hydra callback: keeps the sweep's table and plot up to date after every job and at the end of the sweep,
    so one failing job (which stops Hydra before on_multirun_end) doesn't cost the others' table."""

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        if config.hydra.mode == RunMode.MULTIRUN:
            write_sweep_report(Path(config.hydra.sweep.dir))

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        for path in write_sweep_report(Path(config.hydra.sweep.dir)):
            print(path)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m slmfix_exp.report <run dir | sweep dir>")
    target = Path(args[0])
    results_file = target / "results.json"
    if results_file.is_file():
        written = write_reports(target, json.loads(results_file.read_text()))
    else:
        written = write_sweep_report(target)
        if not written:
            sys.exit(f"{target} holds neither a results.json nor the job dirs of a multirun")
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
