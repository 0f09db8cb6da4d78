"""A non-editable install runs: the wheel holds the configs and the bundled tasks, and its console command composes
a config from them outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _setuptools_builds_this() -> bool:
    try:
        return int(version("setuptools").split(".")[0]) >= 77  # pyproject.toml's build requirement
    except Exception:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _setuptools_builds_this(), reason="building the wheel here needs setuptools>=77")
def test_a_wheel_install_composes_and_names_its_commands(tmp_path: Path) -> None:
    # what a wheel is built from, copied aside: pip builds in the tree it is given, and the checkout stays clean
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = tmp_path / "wheels"
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, source], check=True)
    [wheel] = wheels.glob("slmfix_exp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "conf/config.yaml",
        "conf/slm/tiny.yaml",
        "conf/hydra/launcher/slurm.yaml",
        "data/bundled/sql.jsonl",
    ):
        assert f"slmfix_exp/{needed}" in names, needed
    assert any(n.startswith("slmfix_exp/data/bundled/sql_db/") for n in names)

    target = tmp_path / "installed"
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "OMP_NUM_THREADS": "1"}

    def run(*command: str | Path) -> str:
        proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    where = run(sys.executable, "-c", "import slmfix_exp; print(slmfix_exp.CONF_DIR)")
    assert where.strip() == str(target / "slmfix_exp" / "conf")  # the installed copy, not the checkout
    for command in ("slmfix", "slmfix-evaluate", "slmfix-score", "slmfix-report", "slmfix-export-drafts"):
        assert (target / "bin" / command).is_file(), command
    assert "slmfix is powered by Hydra" in run(target / "bin" / "slmfix", "--help")
    job = run(target / "bin" / "slmfix", "--cfg", "job", "dsl=sql", "reward=gated")
    assert "name: sql" in job and "name: gated" in job
