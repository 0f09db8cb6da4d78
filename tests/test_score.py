"""`python -m slmfix_exp.score`: the command-line contract of "Scoring a file of programs" in docs/configuration.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from slmfix_exp.data.loaders import bundled_database
from tests.conftest import ROOT


def run_score(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slmfix_exp.score", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_score_sql_with_db_paths_relative_to_the_input(tmp_path: Path) -> None:
    db = bundled_database("shop", tmp_path / "cache")
    (tmp_path / "shop.sqlite").symlink_to(db)
    records = [
        {"program": "SELECT name FROM customers", "reference": "SELECT name FROM customers", "db_path": "shop.sqlite"},
        {"program": "SELECT nmae FROM customers", "reference": "SELECT name FROM customers", "db_path": "shop.sqlite"},
        {"program": "SELCT name FROM customers", "db_path": "shop.sqlite"},
    ]
    src = tmp_path / "preds.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "scores.jsonl"
    proc = run_score("dsl=sql", f"input={src}", f"output={out}")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["dsl"] == "sql" and summary["n"] == 3
    assert summary["valid_rate"] == 1 / 3
    assert 0.0 < summary["mean_similarity"] < 1.0 and summary["programs_per_s"] > 0
    assert sum(summary["errors_by_rule"].values()) >= 2
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["valid"] for x in lines] == [True, False, False]
    assert lines[0]["similarity"] == 1.0 and "similarity" not in lines[2]
    assert "nmae" in lines[1]["diagnostics"][0]["message"]


def test_score_errors_name_the_problem(tmp_path: Path) -> None:
    proc = run_score("dsl=sql")
    assert proc.returncode != 0 and "input" in proc.stderr
    proc = run_score("dsl=sql", "inptu=x.jsonl")
    assert proc.returncode != 0 and "inptu" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"program": "SELECT 1"}\nnot json\n')
    proc = run_score("dsl=sql", f"input={bad}")
    assert proc.returncode != 0 and "bad.jsonl:2" in proc.stderr
