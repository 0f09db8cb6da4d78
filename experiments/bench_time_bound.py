"""What the per-program time bound (`call_with_time_limit`, dsl/base.py) costs on the normal path, and what it buys on
a hostile one.

    python experiments/bench_time_bound.py [--programs 500] [--rounds 200]

Figures printed, per language, on the bundled tasks' references (all measured in this run, in one process):
- thread CPU microseconds per program of the language's validator called directly (`_validate`, the baseline) and
  bounded (`_safe_validate`, what `validate` and `validate_batch` run), and the overhead; the same for the paper
  similarity (`paper_similarity` directly, against `similarity`, which also pre-checks the prediction and bounds the
  two trees). The two are timed in alternating chunks, so a busy machine slows both alike;
- the wall time of one hostile program whose work runs far past a 0.2 s bound, bounded and not.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slmfix_exp.config import DataConfig
from slmfix_exp.data.loaders import load_tasks
from slmfix_exp.dsl import DSL, get_dsl


def paired(
    a: Callable[[int, int], Any], b: Callable[[int, int], Any], n: int, rounds: int, chunk: int = 25
) -> tuple[float, float]:
    """Median thread-CPU seconds per item of a and b, timed on the same chunks in alternating order."""
    ta: list[float] = []
    tb: list[float] = []
    for r in range(rounds):
        i = (r * chunk) % max(1, n - chunk)
        for fn, acc in ((a, ta), (b, tb)) if r % 2 == 0 else ((b, tb), (a, ta)):
            start = time.thread_time()
            fn(i, i + chunk)
            acc.append((time.thread_time() - start) / chunk)
    return statistics.median(ta), statistics.median(tb)


def row(label: str, base: float, bounded: float) -> None:
    print(f"  {label:34s} {base * 1e6:9.1f} us {bounded * 1e6:9.1f} us   {bounded / base - 1:+6.1%}")


def hostile(dsl: DSL) -> tuple[str, Callable[[DSL], Any]]:
    """A program whose real work (a tree edit distance over 4000-6000-node trees) takes seconds."""
    if dsl.name == "sql":
        query = "SELECT " + ", ".join(f"c{i} + {i}" for i in range(1500)) + " FROM t"
        return "TED of a 1500-column SELECT with itself", lambda d: d.similarity(query, query, kind="ted")
    if dsl.name == "bash":
        script = "if true; then " * 800 + "ls; " + "fi; " * 800
        return "TED of 800 nested ifs with itself", lambda d: d.similarity(script, script, kind="ted")
    tasks = "".join(f"- ansible.builtin.copy:\n    src: /a{i}\n    dest: /b{i}\n" for i in range(1000))
    return "TED of 1000 copy tasks with itself", lambda d: d.similarity(tasks, tasks, kind="ted")


def measure(name: str, programs: list[str], contexts: list[dict], rounds: int) -> None:
    refs = programs[1:] + programs[:1]
    dsl = get_dsl(name)
    dsl.validate_batch(programs, contexts)  # caches warm (schemas, trees, specs)
    for p, r, c in zip(programs, refs, contexts, strict=True):
        dsl.similarity(p, r, c)

    def plain_validate(i: int, j: int) -> None:
        for p, c in zip(programs[i:j], contexts[i:j], strict=True):
            dsl._validate(p, c)

    def bounded_validate(i: int, j: int) -> None:
        for p, c in zip(programs[i:j], contexts[i:j], strict=True):
            dsl._safe_validate(p, c)

    def plain_similarity(i: int, j: int) -> None:
        for p, r, c in zip(programs[i:j], refs[i:j], contexts[i:j], strict=True):
            dsl.paper_similarity(p, r, c)

    def bounded_similarity(i: int, j: int) -> None:
        for p, r, c in zip(programs[i:j], refs[i:j], contexts[i:j], strict=True):
            dsl.similarity(p, r, c)

    print(f"{name}: {len(programs)} bundled references {'unbounded':>16s} {'bounded':>12s}   overhead")
    if name != "bash":  # ShellCheck runs in a subprocess: the bound is one Python call per batch
        row("validation", *paired(plain_validate, bounded_validate, len(programs), rounds))
    row("paper similarity", *paired(plain_similarity, bounded_similarity, len(programs), rounds))
    label, call = hostile(dsl)
    start = time.perf_counter()
    call(get_dsl(name, max_tree_nodes=100_000, timeout_s=1e6))
    slow = time.perf_counter() - start
    start = time.perf_counter()
    call(get_dsl(name, max_tree_nodes=100_000, timeout_s=0.2))
    print(f"  hostile: {label}: {slow:.2f} s unbounded, {time.perf_counter() - start:.2f} s with a 0.2 s bound\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    cache = Path(tempfile.mkdtemp(prefix="bench-bound-"))
    for name in ("ansible", "bash", "sql"):
        tasks = load_tasks(DataConfig(), name, cache)["train"][: args.programs]
        measure(name, [t.reference for t in tasks], [t.context for t in tasks], args.rounds)


if __name__ == "__main__":
    main()
