"""How fast and how right the SQL validator is, on the Spider dev gold queries and on broken copies of them.

    python experiments/bench_validator_sql.py [--spider ../shared/data/sql/spider] [--repeat 3]

Figures printed:
- programs/s on the 499 gold queries: `SQL()` (SQLite EXPLAIN on an empty in-memory copy of the schema, sqlglot only
  for rejected queries), `SQL(explain=False)` (sqlglot parse + qualify), and two naive baselines measured in the same
  run: (a) sqlglot parse + `qualify` with the schema per query (the paper's validator; schema mapping built once per
  database, so the baseline is not charged for reading it), (b) a fresh read-only sqlite3 connection to the database
  file per query, then EXPLAIN;
- acceptance rate of the gold queries for each;
- rejection rate of invalid mutations: every unchecked candidate of the invalid mutation kinds (`iter_mutations`),
  labelled by SQLite itself (EXPLAIN on a read-only connection to the real database); a missing comma that makes an
  alias (`SELECT name age`) is valid SQL and counts as such.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlglot
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from slmfix_exp.dsl.sql import SQL

DEFAULT_SPIDER = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sql" / "spider"


def load(spider: Path) -> list[tuple[str, str]]:
    """(query, absolute db_path) pairs of Spider dev."""
    records = [json.loads(line) for line in (spider / "dev.jsonl").read_text().splitlines() if line.strip()]
    return [(r["program"], str((spider / r["db_path"]).resolve())) for r in records]


def ro(db_path: str) -> sqlite3.Connection:
    return sqlite3.connect(Path(db_path).as_uri() + "?mode=ro", uri=True)


def sqlglot_schema(db_path: str) -> MappingSchema:
    conn = ro(db_path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    mapping = {
        t.lower(): {c[1].lower(): (c[2] or "TEXT") for c in conn.execute(f'PRAGMA table_info("{t}")')} for t in tables
    }
    conn.close()
    return MappingSchema(mapping, dialect="sqlite", normalize=False)


def naive_sqlglot(schemas: dict[str, MappingSchema]) -> Callable[[str, str], bool]:
    def check(query: str, db_path: str) -> bool:
        try:
            qualify(sqlglot.parse_one(query, read="sqlite"), schema=schemas[db_path], dialect="sqlite")
        except Exception:
            return False
        return True

    return check


def naive_sqlite(query: str, db_path: str) -> bool:
    conn = ro(db_path)
    try:
        conn.execute("EXPLAIN " + query).close()
        return True
    except (sqlite3.Error, ValueError):
        return False
    finally:
        conn.close()


def rate(check: Callable[[str, str], bool], pairs: list[tuple[str, str]], repeat: int) -> tuple[float, list[bool]]:
    """Median programs/s over `repeat` passes, and the verdicts."""
    speeds, verdicts = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        verdicts = [check(q, db) for q, db in pairs]
        speeds.append(len(pairs) / (time.perf_counter() - start))
    return statistics.median(speeds), verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spider", type=Path, default=DEFAULT_SPIDER)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    gold = load(args.spider)
    dbs = sorted({db for _, db in gold})
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Spider dev: {len(gold)} gold queries on {len(dbs)} databases; {os.cpu_count()} CPUs, load {load_avg}")

    ours, plain = SQL(), SQL(explain=False)
    start = time.perf_counter()
    cold = [ours.validate(q, {"db_path": db}).ok for q, db in gold]
    cold_speed = len(gold) / (time.perf_counter() - start)
    schemas = {db: sqlglot_schema(db) for db in dbs}
    checks: dict[str, Callable[[str, str], bool]] = {
        "SQL() (EXPLAIN on schema copy)": lambda q, db: ours.validate(q, {"db_path": db}).ok,
        "SQL(explain=False) (sqlglot qualify)": lambda q, db: plain.validate(q, {"db_path": db}).ok,
        "baseline: parse + qualify per query": naive_sqlglot(schemas),
        "baseline: fresh sqlite connection per query": naive_sqlite,
    }
    print(f"\n{'gold queries':48} {'programs/s':>11} {'accepted':>9}")
    print(f"{'SQL() first pass (schemas built)':48} {cold_speed:11.0f} {sum(cold) / len(gold):9.1%}")
    speeds = {}
    for name, check in checks.items():
        speeds[name], verdicts = rate(check, gold, args.repeat)
        print(f"{name:48} {speeds[name]:11.0f} {sum(verdicts) / len(gold):9.1%}")
    ours_speed = speeds["SQL() (EXPLAIN on schema copy)"]
    for name in list(checks)[2:]:
        print(f"speed-up of SQL() over {name.removeprefix('baseline: ')}: {ours_speed / speeds[name]:.1f}x")

    # invalid mutations, labelled by SQLite on the real database
    rng = random.Random(args.seed)
    candidates: list[tuple[str, str, str]] = []
    yielded = 0
    for q, db in gold:
        candidates += [(label, m, db) for label, m in ours.iter_mutations(q, {"db_path": db}, rng, invalid=True)]
        yielded += ours.mutate(q, {"db_path": db}, rng, invalid=True) is not None
    truth = {(m, db): naive_sqlite(m, db) for _, m, db in candidates}
    broken = [(label, m, db) for label, m, db in candidates if not truth[(m, db)]]
    still_valid = [(label, m, db) for label, m, db in candidates if truth[(m, db)]]
    print(
        f"\ninvalid-kind candidates: {len(candidates)}; SQLite rejects {len(broken)}, accepts {len(still_valid)} "
        f"({dict(Counter(label for label, _, _ in still_valid))}); "
        f"mutate(invalid=True) found a mutation for {yielded / len(gold):.1%} of the gold queries"
    )
    print(f"{'validator':48} {'rejects broken':>15} {'accepts valid':>14} {'programs/s':>11}")
    for name, check in checks.items():
        start = time.perf_counter()
        rejected = [not check(m, db) for _, m, db in broken]
        speed = len(broken) / (time.perf_counter() - start)
        accepted = [check(m, db) for _, m, db in still_valid]
        acc = f"{sum(accepted) / len(accepted):14.1%}" if accepted else f"{'-':>14}"
        print(f"{name:48} {sum(rejected) / len(broken):15.2%} {acc} {speed:11.0f}")
    by_kind = Counter(label for label, _, _ in broken)
    missed = Counter(label for label, m, db in broken if ours.validate(m, {"db_path": db}).ok)
    print("SQL() misses by kind:", {k: f"{missed[k]}/{n}" for k, n in by_kind.items()})


if __name__ == "__main__":
    main()
