"""The ansible-lint backend (`dsl.backend=ansible-lint`): the real linter over a batch of programs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from slmfix_exp.dsl.ansible.loader import load_yaml
from slmfix_exp.dsl.ansible.specs import load_specs
from slmfix_exp.dsl.base import Diagnostic, Validation

# ansible-lint findings that say the program is wrong (the rest are style: fqcn, name[casing], no-free-form, ...)
_LINT_ERROR_RULES = ("args", "syntax-check", "load-failure", "parser-error", "internal-error", "schema", "jinja")
_LINT_ERROR_IDS = ("yaml[syntax]", "yaml[key-duplicates]")


def ansible_lint_batch(programs: Sequence[str], timeout: float = 600.0) -> list[Validation]:
    """Run the real ansible-lint once over all programs (task files under tasks/, playbooks under playbooks/)."""
    binary = Path(sys.executable).parent / "ansible-lint"
    command = str(binary) if binary.exists() else shutil.which("ansible-lint")
    if command is None:
        raise RuntimeError("ansible-lint is not installed")
    specs = load_specs()
    play_only = set(specs["keywords"]["play"]) - set(specs["keywords"]["task"]) - set(specs["keywords"]["block"])
    with tempfile.TemporaryDirectory(prefix="slmfix-lint-") as tmp:
        root = Path(tmp)
        (root / "tasks").mkdir()
        (root / "playbooks").mkdir()
        paths = []
        for i, program in enumerate(programs):
            data, _ = load_yaml(program)
            playbook = isinstance(data, list) and any(isinstance(x, dict) and play_only & set(x) for x in data)
            path = Path("playbooks" if playbook else "tasks") / f"p{i:06d}.yml"
            (root / path).write_text(program, encoding="utf-8")
            paths.append(str(path))
        env = {**os.environ, "PATH": f"{Path(command).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        env.setdefault("ANSIBLE_LOCAL_TEMP", str(root / ".tmp"))
        proc = subprocess.run(
            [command, "--offline", "--nocolor", "-q", "-f", "codeclimate", *paths],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        try:
            findings = json.loads(proc.stdout or "[]")
        except ValueError as exc:
            raise RuntimeError(f"ansible-lint gave no JSON: {proc.stderr[-300:]}") from exc
    per_file: dict[str, list[Diagnostic]] = {p: [] for p in paths}
    for item in findings:
        location = item.get("location", {})
        rule = str(item.get("check_name", "lint"))
        line = location.get("lines", {}).get("begin") or location.get("positions", {}).get("begin", {}).get("line", 0)
        error = rule.split("[")[0] in _LINT_ERROR_RULES or rule in _LINT_ERROR_IDS
        diag = Diagnostic(
            int(line or 0), 0, rule, str(item.get("description", ""))[:300], "error" if error else "warning"
        )
        per_file.setdefault(location.get("path", ""), []).append(diag)
    return [Validation.of(per_file[p]) for p in paths]
