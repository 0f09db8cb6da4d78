"""CONTRIBUTING.md's worked example stays true: each code block tagged with a file appears verbatim in that file."""

from __future__ import annotations

import re

from tests.conftest import ROOT

BLOCK = re.compile(r"```\w+ file=(\S+)\n(.*?)```", re.DOTALL)


def test_worked_example_matches_the_code() -> None:
    blocks = BLOCK.findall((ROOT / "CONTRIBUTING.md").read_text())
    assert len(blocks) >= 4
    for path, code in blocks:
        assert code in (ROOT / path).read_text(), f"CONTRIBUTING.md's block for {path} is no longer in that file"
