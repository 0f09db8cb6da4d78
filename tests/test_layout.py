"""The shape of src/: data flows one way between modules, so no two of them import each other."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

from tests.conftest import ROOT

SRC = ROOT / "src"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, modules: set[str]) -> set[str]:
    """The modules of `modules` that the file at `path` imports anywhere: at the top, or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from its package, `level - 1` packages up
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{a.name}" for a in node.names)]  # `from pkg import module` imports the module
        else:
            continue
        found |= {n for n in names if n in modules and n != name}
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in SRC.rglob("*.py")}
    return {name: imported(path, set(files)) for name, path in files.items()}


def test_import_graph_sees_imports_inside_functions() -> None:
    """The reader itself: an import inside a function and a relative one count."""
    graph = import_graph()
    assert "slmfix_exp.synthesis" in graph["slmfix_exp.__main__"]  # imported inside synthesised_dataset
    assert "slmfix_exp.dsl.base" in graph["slmfix_exp.dsl"]


def test_no_two_modules_import_each_other() -> None:
    graph = import_graph()
    mutual = [(a, b) for a, b in itertools.combinations(sorted(graph), 2) if b in graph[a] and a in graph[b]]
    assert mutual == []
