"""The sweep report over seeds: each setting's figures as mean (min-max) over its seeds, and the trade-off plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slmfix_exp.report import write_sweep_report


def fake_job(sweep: Path, num: int, overrides: list[str], methods: dict[str, tuple[float, float]]) -> None:
    """A finished job dir as Hydra and the entrypoint leave it: overrides.yaml and results.json."""
    job = sweep / f"{num}_sql_x"
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    results = {
        name: {"pass_rate": 0.9, "ast_similarity": 0.8, "repaired_rate": rate, "invalid_ast_similarity": sim}
        for name, (rate, sim) in methods.items()
    }
    (job / "results.json").write_text(json.dumps({"dsl": "sql", "methods": results}))


def test_seeds_are_aggregated_per_setting(tmp_path: Path) -> None:
    num = 0
    for reward, rl in (("validator", (0.5, 0.2, 0.4)), ("similarity", (0.1, 0.3, 0.2))):
        for seed, rate in enumerate(rl):
            sft = (0.25 + seed / 100, 0.6)  # each seed's shared SFT: the same in both settings
            fake_job(tmp_path, num, [f"reward={reward}", f"seed={seed}"], {"sft": sft, "rl": (rate, 0.5 + rate)})
            num += 1
    written = write_sweep_report(tmp_path)
    assert tmp_path / "sweep_seeds.md" in written
    assert (tmp_path / "sweep_tradeoff.png").stat().st_size > 0

    rows = {
        (cells[0], cells[2]): cells
        for line in (tmp_path / "sweep_seeds.md").read_text().splitlines()
        if line.startswith("| reward=")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert set(rows) == {(f"reward={r}", m) for r in ("validator", "similarity") for m in ("sft", "rl")}
    validator = rows["reward=validator", "rl"]
    assert validator[1] == "0,1,2"
    assert validator[3] == "0.367 (0.200-0.500)"  # repaired_rate: mean (min-max)
    assert validator[4] == "0.867 (0.700-1.000)"  # invalid_ast_similarity
    groups = json.loads((tmp_path / "sweep_seeds.json").read_text())
    assert groups[1]["methods"]["rl"]["repaired_rate"]["values"] == [0.1, 0.3, 0.2]
    assert groups[1]["methods"]["rl"]["repaired_rate"]["mean"] == pytest.approx(0.2)


def test_one_seed_writes_no_seed_table(tmp_path: Path) -> None:
    fake_job(tmp_path, 0, ["reward=dual"], {"rl": (0.5, 0.5)})
    fake_job(tmp_path, 1, ["reward=gated"], {"rl": (0.4, 0.6)})
    write_sweep_report(tmp_path)
    assert not (tmp_path / "sweep_seeds.md").exists()
    assert (tmp_path / "sweep_tradeoff.png").stat().st_size > 0


def test_plots_of_a_set_without_references(tmp_path: Path) -> None:
    """Real playbooks have no reference, so no similarity: the run's plots are still written (a None bar crashed
    them once, after the results were written, so the evaluation looked failed)."""
    from slmfix_exp.report import write_plots

    methods = {
        m: {"pass_rate": 0.5, "ast_similarity": None, "errors_by_rule": {"unknown-arg": 1}} for m in ("base", "rules")
    }
    written = write_plots(tmp_path, {"dsl": "ansible", "methods": methods})
    assert tmp_path / "methods.png" in written and (tmp_path / "methods.png").stat().st_size > 0
