"""The SQL language: validator, schema forms, read-only guarantee, trees, mutations, and the task generator."""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from slmfix_exp.data.generators.sql import DATABASES, generate
from slmfix_exp.dsl.sql import SQL
from slmfix_exp.ted import tree_edit_distance

SPIDER = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sql" / "spider"
needs_spider = pytest.mark.skipif(not (SPIDER / "dev.jsonl").exists(), reason="../shared/data/sql/spider not present")

DDL = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, age INTEGER);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), amount REAL, status TEXT);
"""
ROWS = """
INSERT INTO users VALUES (1, 'Ann', 'ann@x.org', 31), (2, 'Bob', 'bob@x.org', 45), (3, 'Cy', 'cy@x.org', 22);
INSERT INTO orders VALUES (1, 1, 10.5, 'paid'), (2, 1, 99.0, 'open'), (3, 2, 5.25, 'paid');
"""


@pytest.fixture(scope="module")
def dsl() -> SQL:
    return SQL()


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sql") / "shop.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(DDL + ROWS)
    conn.close()
    return path


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bundled")
    paths = {}
    for db_id, script in DATABASES.items():
        paths[db_id] = root / f"{db_id}.sqlite"
        conn = sqlite3.connect(paths[db_id])
        conn.executescript(script)
        conn.commit()
        conn.close()
    return paths


def rules(verdict) -> set[str]:
    return {d.rule for d in verdict.errors}


# ---- validation -------------------------------------------------------------------------------------------------


def test_valid_queries_pass(dsl: SQL) -> None:
    ctx = {"schema": DDL}
    for q in [
        "SELECT name FROM users WHERE age > 30",
        "SELECT u.name, sum(o.amount) FROM users AS u JOIN orders o ON o.user_id = u.id GROUP BY u.id",
        "WITH big AS (SELECT user_id FROM orders WHERE amount > 50) SELECT name FROM users WHERE id IN big",
        'SELECT name FROM users WHERE email = "nobody"',  # SQLite reads an unknown double-quoted name as a string
        "SELECT name FROM users;",
    ]:
        verdict = dsl.validate(q, ctx)
        assert verdict.ok and not verdict.diagnostics, (q, verdict)


def test_syntax_error_is_located_and_names_the_misspelled_keyword(dsl: SQL) -> None:
    verdict = dsl.validate("SELECT name\nFORM users\nWHERE age > 3", {"schema": DDL})
    assert not verdict.ok
    (diag,) = verdict.errors
    assert diag.rule == "syntax" and diag.line == 2
    assert "FORM" in diag.message and "FROM" in diag.message
    typo = dsl.validate("SELCT name FROM users", {"schema": DDL}).errors[0]
    assert "SELCT" in typo.message and "SELECT" in typo.message


@pytest.mark.parametrize(
    ("query", "rule"),
    [
        ("SELECT name FROM users WHERE name = 'Ann", "syntax"),
        ("SELECT name, FROM users", "syntax"),
        ("SELECT count(name FROM users", "syntax"),
        ("SELECT name FROM users WHERE", "syntax"),
        ("SELECT 1; SELECT 2", "multiple-statements"),
    ],
)
def test_syntax_errors(dsl: SQL, query: str, rule: str) -> None:
    verdict = dsl.validate(query, {"schema": DDL})
    assert not verdict.ok and rule in rules(verdict), verdict


def test_unknown_names_are_named_with_a_suggestion(dsl: SQL) -> None:
    ctx = {"schema": DDL}
    col = dsl.validate("SELECT id,\n  nmae FROM users", ctx).errors[0]
    assert col.rule == "unknown-column" and "nmae" in col.message and "name" in col.message
    assert (col.line, col.column) == (2, 3)
    table = dsl.validate("SELECT name FROM userz", ctx).errors[0]
    assert table.rule == "unknown-table" and "userz" in table.message and "users" in table.message
    ambiguous = dsl.validate("SELECT id FROM users JOIN orders ON users.id = orders.user_id", ctx)
    assert rules(ambiguous) == {"ambiguous-column"}


def test_aliases_are_resolved(dsl: SQL) -> None:
    ctx = {"schema": DDL}
    ok = "SELECT u.name FROM users AS u JOIN orders AS o ON o.user_id = u.id WHERE o.amount > 5"
    assert dsl.validate(ok, ctx).ok
    wrong = dsl.validate("SELECT o.name FROM users AS u JOIN orders AS o ON o.user_id = u.id", ctx)
    assert rules(wrong) == {"unknown-column"} and "o.name" in wrong.errors[0].message
    gone = dsl.validate("SELECT users.name FROM users AS u", ctx)  # the alias hides the table name
    assert not gone.ok


def test_explain_off_uses_sqlglot_with_the_same_verdicts(dsl: SQL) -> None:
    plain = SQL(explain=False)
    ctx = {"schema": DDL}
    cases = {
        "SELECT u.name FROM users AS u JOIN orders AS o ON o.user_id = u.id": True,
        'SELECT name FROM users WHERE email = "nobody"': True,
        "SELECT nmae FROM users": False,
        "SELECT u.nmae FROM users AS u": False,
        "SELECT name FROM userz": False,
        "SELECT name, FROM users": False,
    }
    for query, ok in cases.items():
        assert plain.validate(query, ctx).ok is ok, query
        assert dsl.validate(query, ctx).ok is ok, query


def test_no_schema_checks_syntax_only(dsl: SQL) -> None:
    verdict = dsl.validate("SELECT anything FROM anywhere", {})
    assert verdict.ok and [d.rule for d in verdict.diagnostics] == ["no-schema"]
    assert verdict.diagnostics[0].severity == "warning"
    assert not dsl.validate("SELECT FROM WHERE", {}).ok
    missing = dsl.validate("SELECT 1", {"db_path": "/nonexistent/x.sqlite"})
    assert missing.ok and "nonexistent" in missing.diagnostics[0].message


# ---- schema forms -----------------------------------------------------------------------------------------------


def test_schema_forms_agree(dsl: SQL, shop_db: Path) -> None:
    conn = sqlite3.connect(shop_db)
    entry = _spider_entry(conn, "shop")
    conn.close()
    forms = [{"schema": DDL}, {"db_path": str(shop_db)}, {"tables": entry}]
    queries = {
        "SELECT name FROM users": True,
        "SELECT T1.name FROM users AS T1 JOIN orders AS T2 ON T1.id = T2.user_id WHERE T2.status = 'paid'": True,
        "SELECT nmae FROM users": False,
        "SELECT name FROM customers": False,
    }
    for ctx in forms:
        for query, ok in queries.items():
            assert dsl.validate(query, ctx).ok is ok, (ctx.keys(), query)


def _spider_entry(conn: sqlite3.Connection, db_id: str) -> dict:
    """A Spider tables.json entry, built from a database as Spider's own script does."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    columns, types = [[-1, "*"]], ["text"]
    for i, t in enumerate(tables):
        for _, name, ctype, *_ in conn.execute(f"PRAGMA table_info({t})"):
            columns.append([i, name])
            types.append("number" if ctype in ("INTEGER", "REAL") else "text")
    return {
        "db_id": db_id,
        "table_names_original": tables,
        "table_names": tables,
        "column_names_original": columns,
        "column_names": columns,
        "column_types": types,
        "primary_keys": [],
        "foreign_keys": [],
    }


@needs_spider
def test_spider_tables_entry(dsl: SQL) -> None:
    entries = {e["db_id"]: e for e in json.loads((SPIDER / "tables.json").read_text())}
    ctx = {"tables": entries["concert_singer"]}
    assert dsl.validate("SELECT T1.Name FROM singer AS T1 JOIN singer_in_concert AS T2 ON T1.Singer_ID = T2.Singer_ID",
                        ctx).ok  # fmt: skip
    assert rules(dsl.validate("SELECT Nmae FROM singer", ctx)) == {"unknown-column"}
    assert rules(dsl.validate("SELECT name FROM singers", ctx)) == {"unknown-table"}


def test_bundled_database_context(dsl: SQL, tmp_path: Path) -> None:
    from slmfix_exp.data.loaders import bundled_database

    ctx = {"db_id": "shop", "db_path": str(bundled_database("shop", tmp_path))}
    assert dsl.validate("SELECT name, city FROM customers WHERE age > 30", ctx).ok
    assert rules(dsl.validate("SELECT name FROM customer", ctx)) == {"unknown-table"}
    rows = dsl.execute("SELECT count(*) FROM customers", ctx)
    assert rows[0][0] > 0


# ---- read-only guarantee ----------------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_writes_are_rejected_and_never_touch_the_database(dsl: SQL, shop_db: Path, tmp_path: Path) -> None:
    before, mtime = _digest(shop_db), shop_db.stat().st_mtime_ns
    attached = tmp_path / "evil.sqlite"
    ctx = {"db_path": str(shop_db)}
    for query in [
        "DROP TABLE users",
        "drop table orders;",
        "INSERT INTO users VALUES (9, 'x', 'y', 1)",
        "UPDATE users SET name = 'x'",
        "DELETE FROM orders",
        f"ATTACH DATABASE '{attached}' AS evil",
        "PRAGMA journal_mode = WAL",
        "SELECT 1; DROP TABLE users",
        "WITH x AS (SELECT 1) DELETE FROM users",
        "/* hi */ (DROP TABLE users)",
        "CREATE TABLE t AS SELECT * FROM users",
    ]:
        verdict = dsl.validate(query, ctx)
        assert not verdict.ok and "not-read-only" in rules(verdict), (query, verdict)
        with pytest.raises(ValueError):
            dsl.execute(query, ctx)
        dsl.mutate(query, ctx, random.Random(0), invalid=True)
        dsl.tree(query, ctx)
    assert _digest(shop_db) == before and shop_db.stat().st_mtime_ns == mtime
    assert not attached.exists()
    assert sorted(p.name for p in shop_db.parent.iterdir()) == ["shop.sqlite"]  # no journal, no WAL file


def test_execute_reads_rows_and_matches_by_multiset(dsl: SQL, shop_db: Path) -> None:
    ctx = {"db_path": str(shop_db)}
    assert dsl.execute("SELECT name FROM users WHERE age > 30 ORDER BY name", ctx) == [("Ann",), ("Bob",)]
    assert dsl.execution_match("SELECT name FROM users WHERE 30 < age", "SELECT name FROM users WHERE age > 30", ctx)
    assert not dsl.execution_match(
        "SELECT name FROM users WHERE age >= 22", "SELECT name FROM users WHERE age > 30", ctx
    )
    assert dsl.execution_match("SELECT 1", "SELECT nonsense FROM nowhere", ctx) is None


# ---- hostile input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program",
    [
        "",
        "   \n-- only a comment\n",
        "\x00\x01\x02binary",
        bytes(range(256)).decode("latin-1"),
        "SELECT " + "(" * 10_000 + "1" + ")" * 10_000,
        "SELECT name FROM users WHERE id IN " + "(SELECT id FROM users WHERE id IN " * 300 + "(1)" + ")" * 300,
        "SELECT " + ", ".join(f"c{i}" for i in range(200_000)) + " FROM users",  # ~1.5 MB
        "'" * 5000,
        "SELECT '\ud800' FROM users",
        "SELECT " + "1 + " * 20_000 + "1",
    ],
)
def test_hostile_input_is_invalid_quickly(dsl: SQL, program: str) -> None:
    start = time.perf_counter()
    verdict = dsl.validate(program, {"schema": DDL})
    assert not verdict.ok
    assert dsl.similarity(program, "SELECT name FROM users", {"schema": DDL}) == 0.0
    dsl.mutate(program, {"schema": DDL}, random.Random(0), invalid=True)  # must not raise
    assert time.perf_counter() - start < 2.0


# ---- trees and similarity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "SELECT T1.name FROM users AS T1 JOIN orders AS T2 ON T1.id = T2.user_id WHERE T2.amount > 5",
            "SELECT u.name FROM users u JOIN orders o ON o.user_id = u.id WHERE 5 < o.amount",
        ),
        (
            "SELECT name FROM users WHERE age > 3 AND email = 'x'",
            "select users.NAME from USERS where email = 'x' and age > 3",
        ),
        (
            "SELECT count(*) AS n FROM orders GROUP BY status ORDER BY n DESC",
            "SELECT count(*) FROM orders GROUP BY status ORDER BY count(*) DESC",
        ),
        ("SELECT name FROM users WHERE email = \"x\"", "SELECT name FROM users WHERE email = 'x'"),
        ("SELECT name FROM users ORDER BY name", "SELECT u.name FROM users AS u ORDER BY u.name"),
        (
            "SELECT name FROM users AS a WHERE a.age > (SELECT avg(b.age) FROM users AS b)",
            "SELECT name FROM users WHERE age > (SELECT avg(age) FROM users)",
        ),
    ],
)  # fmt: skip
def test_equivalent_spellings_have_identical_trees(dsl: SQL, a: str, b: str) -> None:
    ctx = {"schema": DDL}
    ta, tb = dsl.tree(a, ctx), dsl.tree(b, ctx)
    assert ta is not None and tb is not None
    assert tree_edit_distance(ta, tb) == 0
    assert dsl.similarity(a, b, ctx) == 1.0 and dsl.similarity(a, b, ctx, kind="ted") == 1.0


def test_different_queries_are_less_similar(dsl: SQL) -> None:
    ctx = {"schema": DDL}
    ref = "SELECT name FROM users WHERE age > 30 ORDER BY age DESC"
    close = "SELECT name FROM users WHERE age > 31 ORDER BY age DESC"
    far = "SELECT status, count(*) FROM orders GROUP BY status"
    assert 0 < dsl.similarity(far, ref, ctx) < dsl.similarity(close, ref, ctx) < 1
    assert dsl.similarity(close, ref, ctx) == pytest.approx(0.5)  # one relabelled node: 1 / (1 + 1)
    assert dsl.similarity(far, ref, ctx, kind="ted") < dsl.similarity(close, ref, ctx, kind="ted") < 1
    assert dsl.tree("SELECT FROM WHERE", ctx) is None
    assert dsl.similarity("SELECT FROM WHERE", ref, ctx) == 0.0
    # self-joins keep their two sides apart
    self_join = "SELECT a.name FROM users a JOIN users b ON a.age = b.id"
    assert dsl.similarity(self_join, "SELECT b.name FROM users a JOIN users b ON a.age = b.id", ctx) < 1


# ---- mutations --------------------------------------------------------------------------------------------------

_TYPOS = re.compile(r"\b(SELCT|SELET|SLECT|SEELCT|FORM|FRMO|FRON|WHRE|WEHRE|WHER|GRUOP|GROPU|GROUPBY|ODER|ORDR|ORDERBY|"
                    r"JION|JOIM|HAVNG|HAIVNG|LIMT|LIMTI)\b", re.I)  # fmt: skip


def _changed_span(a: str, b: str) -> tuple[str, str]:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[len(a) - 1 - j] == b[len(b) - 1 - j]:
        j += 1
    return a[i : len(a) - j], b[i : len(b) - j]


def _directions(program: str) -> list[str]:
    return [d.upper() for d in re.findall(r"\b(?:ASC|DESC)\b", program, re.I)]


def _check_promise(dsl: SQL, original: str, m, ctx: dict) -> None:
    verdict = dsl.validate(m.program, ctx)
    assert verdict.ok is (not m.invalid), (m, verdict)
    old, new = _changed_span(original, m.program)
    if m.label not in ("drop-order-by", "dropped-join"):
        assert len(old) + len(new) < 40, (m.label, old, new)  # the rest is kept verbatim
    count = Counter(m.program)
    before = Counter(original)
    promise = {
        "keyword-typo": lambda: _TYPOS.search(m.program) and "syntax" in rules(verdict),
        "unknown-column": lambda: rules(verdict) == {"unknown-column"},
        "unknown-table": lambda: rules(verdict) == {"unknown-table"},
        "wrong-qualifier": lambda: rules(verdict) == {"unknown-column"} and re.fullmatch(r"\w+", old),
        "foreign-column": lambda: rules(verdict) == {"unknown-column"} and re.fullmatch(r"\w+", new),
        "dropped-qualifier": lambda: rules(verdict) == {"ambiguous-column"} and new == "",
        "dropped-join": lambda: (
            "unknown-column" in rules(verdict) and m.program.upper().count("JOIN") == original.upper().count("JOIN") - 1
        ),
        "unbalanced-paren": lambda: count["("] != count[")"],
        "unclosed-quote": lambda: (count["'"] + count['"']) % 2 == 1,
        "missing-comma": lambda: count[","] == before[","] - 1,
        "trailing-comma": lambda: count[","] == before[","] + 1,
        "wrong-column": lambda: re.fullmatch(r"\w+", old) and re.fullmatch(r"\w+", new),
        "wrong-operator": lambda: set(old + new) <= set("=<>! "),
        "wrong-constant": lambda: old != new,
        "drop-order-by": lambda: m.program.upper().count("ORDER BY") == original.upper().count("ORDER BY") - 1,
        "limit-change": lambda: "LIMIT" in (old + new).upper() or new.isdigit(),
        "flip-order": lambda: _directions(m.program) != _directions(original),
    }[m.label]
    assert promise(), (m.label, original, m.program)


def test_every_mutation_kind_keeps_its_promise(dsl: SQL, bundled: dict[str, Path]) -> None:
    rng = random.Random(7)
    seen: Counter = Counter()
    for task in generate(160, seed=3):
        ctx = {"db_path": str(bundled[task["context"]["db_id"]])}
        for invalid in (True, False):
            m = dsl.mutate(task["reference"], ctx, rng, invalid)
            if m is None:
                continue
            assert m.invalid is invalid and m.program != task["reference"]
            _check_promise(dsl, task["reference"], m, ctx)
            seen[m.label] += 1
    assert set(seen) == set(SQL.mutations.kinds), seen


def test_mutation_needs_a_parse(dsl: SQL) -> None:
    ctx = {"schema": DDL}
    q = "SELECT name, age FROM users WHERE age > 30 ORDER BY age DESC LIMIT 3"
    assert dsl.mutate("SELECT FROM WHERE", ctx, random.Random(1), True) is None
    # without a schema only the syntax kinds can be told apart from valid programs
    m = dsl.mutate(q, {}, random.Random(2), True)
    assert m is not None and m.label not in ("unknown-column", "unknown-table")


# ---- the generator ----------------------------------------------------------------------------------------------


def test_generated_references_validate_and_execute(dsl: SQL, bundled: dict[str, Path]) -> None:
    tasks = generate(300, seed=0)
    assert len({t["context"]["db_id"] for t in tasks}) == len(DATABASES) >= 5
    nonempty = 0
    for task in tasks:
        ctx = {"db_path": str(bundled[task["context"]["db_id"]])}
        verdict = dsl.validate(task["reference"], ctx)
        assert verdict.ok and not verdict.diagnostics, (task, verdict)
        assert dsl.validate(task["reference"], task["context"]).ok
        conn = sqlite3.connect(f"file:{ctx['db_path']}?mode=ro", uri=True)
        rows = conn.execute(task["reference"]).fetchall()
        conn.close()
        nonempty += bool(rows) and rows != [(None,)]
        assert task["nl"].strip() and task["nl"][-1] in ".?"
    assert nonempty >= 0.9 * len(tasks)


def test_generator_is_varied() -> None:
    refs = [t["reference"] for t in generate(3000, seed=1)]
    assert len(set(refs)) == 3000
    features = ["JOIN", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "(SELECT", "DISTINCT", "LIKE", "BETWEEN", " IN ("]
    for feature in features:
        assert sum(feature in r for r in refs) >= 30, feature


def test_bundled_databases_have_rows() -> None:
    for db_id, script in DATABASES.items():
        conn = sqlite3.connect(":memory:")
        conn.executescript(script)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert len(tables) >= 3, db_id
        for t in tables:
            assert conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] >= 12, (db_id, t)
        conn.close()


# ---- real data --------------------------------------------------------------------------------------------------


@pytest.mark.slow
@needs_spider
@pytest.mark.parametrize("explain", [True, False])
def test_spider_gold_queries_are_accepted(explain: bool) -> None:
    dsl = SQL(explain=explain)
    records = [json.loads(line) for line in (SPIDER / "dev.jsonl").read_text().splitlines() if line.strip()]
    rejected = [
        (r["program"], dsl.validate(r["program"], {"db_path": str(SPIDER / r["db_path"])}).feedback(1))
        for r in records
        if not dsl.validate(r["program"], {"db_path": str(SPIDER / r["db_path"])}).ok
    ]
    assert len(rejected) <= 0.01 * len(records), rejected[:5]


# ---- what a repair needs: hints that say what to write, the tables in play, the rules baseline, renamed schemas ----

JOIN_DDL = """
CREATE TABLE continents (ContId INTEGER, Continent TEXT);
CREATE TABLE countries (CountryId INTEGER, CountryName TEXT, Continent INTEGER);
CREATE TABLE car_makers (Id INTEGER, Maker TEXT, Country INTEGER);
CREATE TABLE model_list (ModelId INTEGER, Maker INTEGER, Model TEXT);
"""


def test_hints_name_the_table_that_has_a_column(dsl: SQL) -> None:
    ctx = {"schema": JOIN_DDL}
    wrong_alias = "SELECT T2.ContId FROM continents AS T1 JOIN countries AS T2 ON T1.ContId = T2.Continent"
    [d] = dsl.validate(wrong_alias, ctx).errors
    assert d.rule == "unknown-column"
    assert "countries has no column ContId" in d.message and "write T1.ContId" in d.message
    elsewhere = dsl.validate("SELECT Model FROM car_makers", ctx).errors[0]
    assert "Model is a column of model_list, which its SELECT does not read" in elsewhere.message
    shared = "SELECT Maker FROM car_makers AS a JOIN model_list AS b ON a.Id = b.Maker"
    [amb] = dsl.validate(shared, ctx).errors
    assert amb.rule == "ambiguous-column" and "write a.Maker or b.Maker" in amb.message


def test_repair_context_shows_the_tables_in_play(dsl: SQL) -> None:
    ctx = {"schema": JOIN_DDL}
    program = "SELECT Model FROM car_makers"
    context = dsl.repair_context(program, dsl.validate(program, ctx), ctx)
    assert context.splitlines() == ["car_makers(Id, Maker, Country)", "model_list(ModelId, Maker, Model)"]
    assert dsl.repair_context("SELECT Maker FROM car_makers", dsl.validate("SELECT 1", ctx), {}) == ""


def test_rule_fix_applies_the_first_suggestion(dsl: SQL) -> None:
    ctx = {"schema": JOIN_DDL}
    cases = {
        "SELECT T2.ContId FROM continents AS T1 JOIN countries AS T2 ON T1.ContId = T2.Continent": (
            "SELECT T1.ContId FROM continents AS T1 JOIN countries AS T2 ON T1.ContId = T2.Continent"
        ),
        "SELECT Maker FROM car_makers AS a JOIN model_list AS b ON a.Id = b.Maker": (
            "SELECT a.Maker FROM car_makers AS a JOIN model_list AS b ON a.Id = b.Maker"
        ),
        "SELECT CountryNam FROM countries": "SELECT CountryName FROM countries",
        "SELECT Maker FROM car_maker": "SELECT Maker FROM car_makers",
    }
    for draft, fixed in cases.items():
        assert dsl.rule_fix(draft, dsl.validate(draft, ctx), ctx) == fixed
        assert dsl.validate(fixed, ctx).ok
    nothing = "SELECT count(*) FROM car_makers GROUP BY max(count(*))"
    assert dsl.rule_fix(nothing, dsl.validate(nothing, ctx), ctx) is None
    assert dsl.rule_fix("SELECT Maker FROM car_makers", dsl.validate("SELECT Maker FROM car_makers", ctx), ctx) is None


LINKED_DDL = """
CREATE TABLE continents (ContId INTEGER PRIMARY KEY, Continent TEXT);
CREATE TABLE countries (CountryId INTEGER PRIMARY KEY, CountryName TEXT, Continent INTEGER REFERENCES continents);
CREATE TABLE car_makers (Id INTEGER PRIMARY KEY, Maker TEXT, Country INTEGER REFERENCES countries(CountryId));
CREATE TABLE car_names (MakeId INTEGER PRIMARY KEY, Model TEXT, Make TEXT);
CREATE TABLE cars_data (Id INTEGER REFERENCES car_names(MakeId), Horsepower INTEGER, Weight INTEGER);
"""


def test_rules_follow_foreign_keys_and_scopes(dsl: SQL) -> None:
    """The fixes real drafts need most: a column of a table the query doesn't read is joined in by its foreign key,
    a join condition written with the wrong table's key gets the linked one, names are looked up in the SELECT
    that uses them (not in a subquery's), and an aggregate of an aggregate is taken over a grouping subquery."""
    ctx = {"schema": LINKED_DDL}
    draft = "SELECT Model FROM cars_data WHERE Horsepower = (SELECT min(Horsepower) FROM cars_data)"
    [d] = dsl.validate(draft, ctx).errors
    assert "join it: JOIN car_names ON cars_data.Id = car_names.MakeId" in d.message
    fixed = dsl.rule_fix(draft, dsl.validate(draft, ctx), ctx)
    assert fixed == (
        "SELECT car_names.Model FROM cars_data JOIN car_names ON cars_data.Id = car_names.MakeId "
        "WHERE cars_data.Horsepower = (SELECT MIN(Horsepower) FROM cars_data)"
    )
    on = "SELECT T1.Continent FROM continents AS T1 JOIN countries AS T2 ON T1.ContId = T2.ContId"
    [d] = dsl.validate(on, ctx).errors
    assert "countries joins continents by Continent: write T2.Continent" in d.message
    assert dsl.rule_fix(on, dsl.validate(on, ctx), ctx) == on.replace("T2.ContId", "T2.Continent")
    outer = "SELECT Country FROM countries WHERE CountryId IN (SELECT Country FROM car_makers)"
    [d] = dsl.validate(outer, ctx).errors
    assert "write car_makers.Country" not in d.message and "did you mean CountryId or CountryName" in d.message
    assert dsl.rule_fix(outer, dsl.validate(outer, ctx), ctx).startswith("SELECT CountryId FROM countries")
    nested = (
        "SELECT Country FROM car_makers GROUP BY Country HAVING count(*) = "
        "(SELECT max(count(*)) FROM car_makers GROUP BY Country)"
    )
    [d] = dsl.validate(nested, ctx).errors
    assert d.message.startswith("misuse of aggregate") and "an aggregate of an aggregate" in d.message
    fixed = dsl.rule_fix(nested, dsl.validate(nested, ctx), ctx)
    assert fixed is not None and "(SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM car_makers GROUP BY Country)" in fixed
    assert dsl.validate(fixed, ctx).ok
    having = "SELECT Country FROM car_makers GROUP BY Country HAVING max(count(*)) > 1"  # nothing to unnest into
    [d] = dsl.validate(having, ctx).errors
    assert d.rule == "semantic" and dsl.rule_fix(having, dsl.validate(having, ctx), ctx) is None


def test_vary_renames_schema_and_reference_together(dsl: SQL) -> None:
    from slmfix_exp.dsl.base import Task

    task = Task("t", "q", "SELECT T1.Maker, count(*) FROM car_makers AS T1 JOIN model_list AS T2 ON T1.Id = "
                "T2.Maker GROUP BY T1.Maker", {"schema": JOIN_DDL})  # fmt: skip
    styles = set()
    for seed in range(12):
        varied = dsl.vary(task, random.Random(seed))
        assert dsl.validate(varied.reference or "", varied.context).ok
        assert varied.nl == task.nl and varied.id == task.id
        styles.add(varied.context.get("schema", "").split("(")[0])
        # the same query in other names: its tree has the same shape
        a, b = dsl.tree(task.reference or "", task.context), dsl.tree(varied.reference or "", varied.context)
        assert a is not None and b is not None
        assert len(list(_labels(a))) == len(list(_labels(b)))
    assert len(styles) > 3


def test_vary_draws_names_no_schema_of_ours_has(dsl: SQL) -> None:
    """Half the renamed schemas swap their words for other English words, the same swap throughout: names that only
    copying from the prompt gets right, as on a real database the model never trained on."""
    from slmfix_exp.dsl.base import Task
    from slmfix_exp.dsl.sql.names import _words

    task = Task("t", "q", "SELECT T1.Maker, count(*) FROM car_makers AS T1 JOIN model_list AS T2 ON T1.Id = "
                "T2.Maker GROUP BY T1.Maker", {"schema": JOIN_DDL})  # fmt: skip
    kept = {"create", "table", "text", "integer", "id", "tbl", "t"}  # DDL, ids and prefixes stay
    ours = set(_words(JOIN_DDL)) - kept
    fresh = 0
    for seed in range(40):
        varied = dsl.vary(task, random.Random(seed))
        assert dsl.validate(varied.reference or "", varied.context).ok
        fresh += not (set(_words(varied.context.get("schema", ""))) - kept) & ours
    assert 8 <= fresh <= 32  # about half


def _labels(node):  # type: ignore[no-untyped-def]
    yield node.label
    for child in node.children:
        yield from _labels(child)


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("wrong-qualifier", "unknown-column"),
        ("foreign-column", "unknown-column"),
        ("dropped-join", "unknown-column"),
        ("dropped-qualifier", "ambiguous-column"),
    ],
)
def test_real_error_mutations_break_as_promised(dsl: SQL, kind: str, rule: str) -> None:
    ctx = {"schema": JOIN_DDL}
    program = "SELECT T1.Maker, T2.Model FROM car_makers AS T1 JOIN model_list AS T2 ON T1.Id = T2.Maker"
    made = [p for k, p in dsl.iter_mutations(program, ctx, random.Random(3), True) if k == kind]
    assert made
    for candidate in made:
        assert rule in {d.rule for d in dsl.validate(candidate, ctx).errors}, candidate


@needs_spider
def test_rules_baseline_on_real_drafts_beats_nothing(dsl: SQL) -> None:
    """On the real drafts of Spider dev that fail, the validator's own suggestions make some valid."""
    path = SPIDER.parent.parent / "real_drafts" / "sql" / "dinsql_codex_fewshot_spider_dev.jsonl"
    fixed = failing = 0
    for line in path.read_text().splitlines():
        r = json.loads(line)
        ctx = {"db_path": str((path.parent / r["db_path"]).resolve())}
        v = dsl.validate(r["draft"], ctx)
        if v.ok:
            continue
        failing += 1
        program = dsl.rule_fix(r["draft"], v, ctx)
        fixed += program is not None and dsl.validate(program, ctx).ok
    assert failing == 56 and fixed >= 15
