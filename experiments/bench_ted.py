"""Time `slmfix_exp.ted.tree_edit_distance` against zss and apted on the same tree pairs, and check it agrees.

Two tree shapes per size: uniform random recursive trees with a small label alphabet, and SQL-AST-like trees
(sqlglot ASTs of Spider dev queries, joined with UNION to reach the size; node label = expression class, plus the
text of identifiers and literals). For each size one pair is unrelated and one is a near miss (the second tree a
few edits away), as a repair reward would see. zss is called with explicit costs, so an installed `editdistance`
cannot change its label cost. Every distance is asserted equal across the three.

    python experiments/bench_ted.py                 # sizes 50 100 150 200, 2 pairs per kind and size
    python experiments/bench_ted.py --sizes 25 50 --pairs 4
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlglot
import zss
from apted import APTED, Config

from slmfix_exp.ted import tree_edit_distance, tree_size

SPIDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "sql" / "spider" / "dev.jsonl"
FALLBACK_QUERIES = [  # used when ../shared/data is absent: Spider-style queries
    "SELECT count(*) FROM singer",
    "SELECT name, country, age FROM singer ORDER BY age DESC",
    "SELECT avg(age), min(age), max(age) FROM singer WHERE country = 'France'",
    "SELECT T2.name, count(*) FROM concert AS T1 JOIN stadium AS T2 ON T1.stadium_id = T2.stadium_id "
    "GROUP BY T1.stadium_id",
    "SELECT name FROM stadium WHERE stadium_id NOT IN (SELECT stadium_id FROM concert)",
    "SELECT country FROM singer WHERE age > 40 INTERSECT SELECT country FROM singer WHERE age < 30",
    "SELECT T1.name FROM stadium AS T1 JOIN concert AS T2 ON T1.stadium_id = T2.stadium_id WHERE T2.year = 2014 "
    "EXCEPT SELECT name FROM stadium WHERE capacity > 5000 ORDER BY name LIMIT 3",
    "SELECT DISTINCT T1.first_name FROM students AS T1 JOIN enrolled AS T2 ON T1.id = T2.sid "
    "WHERE T2.grade BETWEEN 60 AND 90 OR T1.age IN (18, 19, 20) AND T1.last_name LIKE 'S%'",
]


def label_dist(x: object, y: object) -> int:
    return 0 if x == y else 1


class UnitConfig(Config):
    """apted with the same costs as the zss call: unit insert/delete, relabel 0 iff the labels are equal."""

    def rename(self, node1: zss.Node, node2: zss.Node) -> int:
        return 0 if node1.label == node2.label else 1

    def children(self, node: zss.Node) -> list[zss.Node]:
        return node.children


def random_tree(n: int, rng: random.Random, alphabet: int = 8) -> zss.Node:
    nodes = [zss.Node(str(rng.randrange(alphabet)))]
    for _ in range(n - 1):
        child = zss.Node(str(rng.randrange(alphabet)))
        rng.choice(nodes).children.append(child)
        nodes.append(child)
    return nodes[0]


def all_nodes(root: zss.Node) -> list[zss.Node]:
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


def perturbed(root: zss.Node, rng: random.Random, edits: int = 5, alphabet: int = 8) -> zss.Node:
    """A copy of `root` with a few relabels, leaf insertions and node deletions."""
    copy = zss.Node(root.label)
    stack = [(root, copy)]
    while stack:
        src, dst = stack.pop()
        for child in src.children:
            new = zss.Node(child.label)
            dst.children.append(new)
            stack.append((child, new))
    for _ in range(edits):
        nodes = all_nodes(copy)
        node = rng.choice(nodes)
        op = rng.randrange(3)
        if op == 0:
            node.label = str(rng.randrange(alphabet))
        elif op == 1:
            node.children.insert(rng.randint(0, len(node.children)), zss.Node(str(rng.randrange(alphabet))))
        elif node.children:  # delete a child, splicing its children into its place
            k = rng.randrange(len(node.children))
            node.children[k : k + 1] = node.children[k].children
    return copy


def sql_tree(sql: str) -> zss.Node:
    def convert(e: Any) -> zss.Node:
        label = type(e).__name__
        if isinstance(e, sqlglot.exp.Identifier | sqlglot.exp.Literal):
            label += ":" + str(e.this).lower()
        node = zss.Node(label)
        for value in e.args.values():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, sqlglot.exp.Expression):
                    node.children.append(convert(child))
        return node

    return convert(sqlglot.parse_one(sql))


def sql_pair(target: int, queries: list[str], rng: random.Random, near: bool) -> tuple[zss.Node, zss.Node]:
    """Two UNIONs of queries of >= target nodes; near: the second swaps one query for another."""
    chosen: list[str] = []
    while not chosen or tree_size(sql_tree(" UNION ".join(chosen))) < target:
        chosen.append(rng.choice(queries))
    if near:
        other = list(chosen)
        other[rng.randrange(len(other))] = rng.choice(queries)
    else:
        other = []
        while not other or tree_size(sql_tree(" UNION ".join(other))) < target:
            other.append(rng.choice(queries))
    return sql_tree(" UNION ".join(chosen)), sql_tree(" UNION ".join(other))


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """The value and the mean seconds per call; fast calls are repeated (up to ~0.1 s) so that one scheduler
    hiccup on the shared CPU does not decide a ratio. Mean, not min, so every method gets the same treatment."""
    runs, start = 0, time.perf_counter()
    while True:
        value = fn(*args)
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed > 0.1 or runs == 20:
            return value, elapsed / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 150, 200])
    parser.add_argument("--pairs", type=int, default=2, help="pairs per kind and size (alternately unrelated/near)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    if SPIDER.exists():
        queries = [json.loads(line)["program"].strip().rstrip(";") for line in SPIDER.read_text().splitlines()]
        source = f"Spider dev ({len(queries)} queries)"
    else:
        queries, source = FALLBACK_QUERIES, "built-in Spider-style queries (../shared/data absent)"
    print(f"SQL trees from {source}")
    tree_edit_distance(random_tree(30, rng), random_tree(30, rng))  # warm numpy up outside the timings

    header = f"{'kind':<6} {'size':>9} {'zss ms':>9} {'apted ms':>9} {'ours ms':>8} {'zss/ours':>9} {'apted/ours':>10}"
    print(header)
    print("-" * len(header))
    totals = {"zss": 0.0, "apted": 0.0, "ours": 0.0}
    for kind in ("random", "sql"):
        for size in args.sizes:
            times = {"zss": 0.0, "apted": 0.0, "ours": 0.0}
            sizes = []
            for p in range(args.pairs):
                near = p % 2 == 1
                if kind == "random":
                    a = random_tree(size, rng)
                    b = perturbed(a, rng) if near else random_tree(size, rng)
                else:
                    a, b = sql_pair(size, queries, rng, near)
                sizes += [tree_size(a), tree_size(b)]
                ours, t_ours = timed(tree_edit_distance, a, b)
                ref, t_zss = timed(lambda a, b: zss.simple_distance(a, b, label_dist=label_dist), a, b)
                via_apted, t_apted = timed(lambda a, b: APTED(a, b, UnitConfig()).compute_edit_distance(), a, b)
                assert ours == ref == via_apted, (kind, size, ours, ref, via_apted)
                times["zss"] += t_zss
                times["apted"] += t_apted
                times["ours"] += t_ours
            for key in totals:
                totals[key] += times[key]
            n = args.pairs
            print(
                f"{kind:<6} {min(sizes):>4}-{max(sizes):<4} {times['zss'] / n * 1e3:>9.1f} "
                f"{times['apted'] / n * 1e3:>9.1f} {times['ours'] / n * 1e3:>8.2f} "
                f"{times['zss'] / times['ours']:>8.1f}x {times['apted'] / times['ours']:>9.1f}x"
            )
    zss_s, apted_s, ours_s = totals["zss"], totals["apted"], totals["ours"]
    print(
        f"all pairs: zss/ours {zss_s / ours_s:.1f}x, apted/ours {apted_s / ours_s:.1f}x, "
        f"zss/apted {zss_s / apted_s:.1f}x; every distance equal across the three"
    )


if __name__ == "__main__":
    main()
