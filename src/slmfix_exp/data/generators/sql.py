"""SQL tasks: six small databases of our own and Spider-style questions over them.

`DATABASES` maps a db_id to a SQL script (DDL plus a few dozen deterministic rows per table), so that every
reference query returns real rows when run. `generate(n, seed)` draws n tasks with distinct reference queries from
question templates (filters, aggregates, GROUP BY / HAVING, ORDER BY / LIMIT, joins, subqueries, DISTINCT, LIKE,
BETWEEN, IN); constants are taken from the rows, so a filter selects something.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# ---- schemas and rows ---------------------------------------------------------------------------------------------

# fmt: off
_FIRST = [
    "Alice", "Bruno", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya",
    "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe",
    "Aiko", "Boris", "Clara", "Diego",
]
_LAST = [
    "Smith", "Garcia", "Muller", "Rossi", "Dubois", "Silva", "Kowalski", "Tanaka", "Novak", "Jensen", "Okafor",
    "Haddad", "Larsen", "Moreau", "Costa", "Ivanova", "Berg", "Kim", "Lopez", "Nakamura", "Fischer", "Walsh",
    "Romero", "Petrov",
]
_ADJ = [
    "Silent", "Golden", "Hidden", "Broken", "Crimson", "Distant", "Electric", "Frozen", "Gentle", "Hollow", "Iron",
    "Lucky", "Midnight", "Northern", "Quiet", "Rapid", "Scarlet", "Secret", "Silver", "Wild",
]
_NOUN = [
    "River", "Garden", "Storm", "Mirror", "Harbor", "Forest", "Lantern", "Shadow", "Bridge", "Tower", "Voyage",
    "Echo", "Orchard", "Compass", "Meadow", "Falcon", "Island", "Canyon", "Ember", "Signal",
]
# fmt: on
_CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome", "Lisbon", "Vienna", "Oslo"]
_COUNTRIES = ["France", "UK", "USA", "Germany", "Japan", "Brazil", "Canada", "Nigeria"]


@dataclass(frozen=True)
class Col:
    name: str
    type: str  # INTEGER | REAL | TEXT
    role: str  # key | ref | label | cat | num
    phrase: str  # how a question says it
    make: Callable[[random.Random, int], Any] | tuple[str, ...] | None = None  # a row's value, or a pool of names
    ref: str = ""  # the referenced table, for role "ref"


@dataclass(frozen=True)
class Table:
    name: str
    singular: str
    plural: str
    n_rows: int
    cols: tuple[Col, ...]

    def by_role(self, *roles: str) -> list[Col]:
        return [c for c in self.cols if c.role in roles]

    @property
    def key(self) -> Col:
        return self.by_role("key")[0]

    @property
    def label(self) -> Col:
        """The column a question names rows by: a name or title, else the id."""
        return (self.by_role("label") or [self.key])[0]


def _pick(*values: Any) -> Callable[[random.Random, int], Any]:
    return lambda rng, i: rng.choice(values)


def _ints(lo: int, hi: int) -> Callable[[random.Random, int], Any]:
    return lambda rng, i: rng.randint(lo, hi)


def _reals(lo: float, hi: float) -> Callable[[random.Random, int], Any]:
    return lambda rng, i: round(rng.uniform(lo, hi), 2)


def _names(pool: list[str]) -> tuple[str, ...]:
    """A pool of names, drawn without replacement: a name labels one row."""
    return tuple(pool)


_PEOPLE = [f"{f} {last}" for f in _FIRST for last in _LAST]
_TITLES = [f"The {a} {n}" for a in _ADJ for n in _NOUN]
_PAIRS = [f"{a} {n}" for a in _ADJ for n in _NOUN]


def _key(name: str) -> Col:
    return Col(name, "INTEGER", "key", "id")


def _ref(name: str, table: str, phrase: str) -> Col:
    return Col(name, "INTEGER", "ref", phrase, ref=table)


_SCHEMAS: dict[str, list[Table]] = {
    "shop": [
        Table("customers", "customer", "customers", 30, (
            _key("customer_id"),
            Col("name", "TEXT", "label", "name", _names(_PEOPLE)),
            Col("city", "TEXT", "cat", "city", _pick(*_CITIES)),
            Col("membership", "TEXT", "cat", "membership level", _pick("gold", "silver", "bronze")),
            Col("age", "INTEGER", "num", "age", _ints(18, 75)),
            Col("signup_year", "INTEGER", "num", "signup year", _ints(2015, 2024)),
        )),
        Table("products", "product", "products", 25, (
            _key("product_id"),
            Col("name", "TEXT", "label", "name", _names(_PAIRS)),
            Col("category", "TEXT", "cat", "category", _pick("Electronics", "Books", "Toys", "Garden", "Kitchen")),
            Col("price", "REAL", "num", "price", _reals(2, 500)),
            Col("stock", "INTEGER", "num", "stock", _ints(0, 200)),
        )),
        Table("orders", "order", "orders", 60, (
            _key("order_id"),
            _ref("customer_id", "customers", "customer"),
            Col("status", "TEXT", "cat", "status", _pick("shipped", "pending", "cancelled", "delivered")),
            Col("order_year", "INTEGER", "num", "order year", _ints(2019, 2024)),
            Col("total", "REAL", "num", "total", _reals(5, 900)),
        )),
        Table("order_items", "order item", "order items", 120, (
            _key("item_id"),
            _ref("order_id", "orders", "order"),
            _ref("product_id", "products", "product"),
            Col("quantity", "INTEGER", "num", "quantity", _ints(1, 10)),
        )),
    ],
    "school": [
        Table("students", "student", "students", 40, (
            _key("student_id"),
            Col("name", "TEXT", "label", "name", _names(_PEOPLE)),
            Col("major", "TEXT", "cat", "major", _pick("Mathematics", "Physics", "History", "Biology", "Economics")),
            Col("city", "TEXT", "cat", "home city", _pick(*_CITIES)),
            Col("age", "INTEGER", "num", "age", _ints(17, 30)),
            Col("gpa", "REAL", "num", "GPA", _reals(2.0, 4.0)),
        )),
        Table("teachers", "teacher", "teachers", 24, (
            _key("teacher_id"),
            Col("name", "TEXT", "label", "name", _names(_PEOPLE)),
            Col("department", "TEXT", "cat", "department", _pick("Mathematics", "Physics", "History", "Biology")),
            Col("salary", "INTEGER", "num", "salary", _ints(40000, 120000)),
            Col("hire_year", "INTEGER", "num", "hire year", _ints(1995, 2023)),
        )),
        Table("courses", "course", "courses", 30, (
            _key("course_id"),
            Col("title", "TEXT", "label", "title", _names(_PAIRS)),
            _ref("teacher_id", "teachers", "teacher"),
            Col("level", "TEXT", "cat", "level", _pick("introductory", "intermediate", "advanced")),
            Col("credits", "INTEGER", "num", "number of credits", _ints(1, 6)),
        )),
        Table("enrollments", "enrollment", "enrollments", 100, (
            _key("enrollment_id"),
            _ref("student_id", "students", "student"),
            _ref("course_id", "courses", "course"),
            Col("semester", "TEXT", "cat", "semester", _pick("Fall 2023", "Spring 2024", "Fall 2024")),
            Col("score", "INTEGER", "num", "score", _ints(40, 100)),
        )),
    ],
    "library": [
        Table("authors", "author", "authors", 25, (
            _key("author_id"),
            Col("name", "TEXT", "label", "name", _names(_PEOPLE)),
            Col("country", "TEXT", "cat", "country", _pick(*_COUNTRIES)),
            Col("birth_year", "INTEGER", "num", "birth year", _ints(1920, 1995)),
        )),
        Table("books", "book", "books", 40, (
            _key("book_id"),
            Col("title", "TEXT", "label", "title", _names(_TITLES)),
            _ref("author_id", "authors", "author"),
            Col("genre", "TEXT", "cat", "genre", _pick("Fantasy", "Mystery", "Romance", "Science Fiction", "History")),
            Col("pages", "INTEGER", "num", "number of pages", _ints(90, 900)),
            Col("published_year", "INTEGER", "num", "publication year", _ints(1950, 2023)),
            Col("price", "REAL", "num", "price", _reals(5, 60)),
        )),
        Table("members", "member", "members", 30, (
            _key("member_id"),
            Col("name", "TEXT", "label", "name", _names(_PEOPLE)),
            Col("city", "TEXT", "cat", "city", _pick(*_CITIES)),
            Col("membership", "TEXT", "cat", "membership type", _pick("basic", "premium", "student")),
            Col("join_year", "INTEGER", "num", "joining year", _ints(2010, 2024)),
        )),
        Table("loans", "loan", "loans", 80, (
            _key("loan_id"),
            _ref("book_id", "books", "book"),
            _ref("member_id", "members", "member"),
            Col("loan_year", "INTEGER", "num", "loan year", _ints(2018, 2024)),
            Col("days", "INTEGER", "num", "loan length in days", _ints(1, 60)),
        )),
    ],
    "hr": [
        Table("departments", "department", "departments", 12, (
            _key("department_id"),
            Col("name", "TEXT", "label", "name", _names(
                ["Sales", "Marketing", "Engineering", "Finance", "Legal", "Support", "Research", "Operations",
                 "Logistics", "Security", "Training", "Procurement"])),
            Col("location", "TEXT", "cat", "location", _pick("New York", "Chicago", "Austin", "Boston")),
            Col("budget", "INTEGER", "num", "budget", _ints(100000, 2000000)),
        )),
        Table("employees", "employee", "employees", 45, (
            _key("employee_id"),
            Col("name", "TEXT", "label", "name", _names(_PEOPLE)),
            _ref("department_id", "departments", "department"),
            Col("job_title", "TEXT", "cat", "job title", _pick("Engineer", "Manager", "Analyst", "Clerk", "Designer")),
            Col("salary", "INTEGER", "num", "salary", _ints(35000, 180000)),
            Col("hire_year", "INTEGER", "num", "hire year", _ints(2000, 2024)),
            Col("age", "INTEGER", "num", "age", _ints(21, 65)),
        )),
        Table("projects", "project", "projects", 20, (
            _key("project_id"),
            Col("name", "TEXT", "label", "name", _names([f"Project {n}" for n in _NOUN])),
            _ref("department_id", "departments", "department"),
            Col("status", "TEXT", "cat", "status", _pick("active", "completed", "on hold")),
            Col("budget", "INTEGER", "num", "budget", _ints(10000, 900000)),
            Col("start_year", "INTEGER", "num", "start year", _ints(2015, 2024)),
        )),
        Table("assignments", "assignment", "assignments", 70, (
            _key("assignment_id"),
            _ref("employee_id", "employees", "employee"),
            _ref("project_id", "projects", "project"),
            Col("role", "TEXT", "cat", "role", _pick("lead", "developer", "tester", "reviewer")),
            Col("hours", "INTEGER", "num", "number of hours", _ints(5, 400)),
        )),
    ],
    "flights": [
        Table("airlines", "airline", "airlines", 20, (
            _key("airline_id"),
            Col("name", "TEXT", "label", "name", _names([f"{a} Air" for a in _ADJ])),
            Col("country", "TEXT", "cat", "country", _pick(*_COUNTRIES)),
            Col("founded_year", "INTEGER", "num", "founding year", _ints(1920, 2015)),
            Col("fleet_size", "INTEGER", "num", "fleet size", _ints(10, 900)),
        )),
        Table("airports", "airport", "airports", 20, (
            _key("airport_id"),
            Col("name", "TEXT", "label", "name", _names([f"{n} Field" for n in _NOUN])),
            Col("city", "TEXT", "cat", "city", _pick(*_CITIES)),
            Col("elevation", "INTEGER", "num", "elevation", _ints(0, 2500)),
        )),
        Table("flights", "flight", "flights", 80, (
            _key("flight_id"),
            _ref("airline_id", "airlines", "airline"),
            _ref("origin_id", "airports", "origin airport"),
            _ref("destination_id", "airports", "destination airport"),
            Col("distance", "INTEGER", "num", "distance", _ints(200, 9000)),
            Col("duration", "INTEGER", "num", "duration in minutes", _ints(40, 720)),
            Col("price", "REAL", "num", "price", _reals(49, 1500)),
        )),
    ],
    "music": [
        Table("artists", "artist", "artists", 20, (
            _key("artist_id"),
            Col("name", "TEXT", "label", "name", _names([f"The {a} {n}s" for a in _ADJ for n in _NOUN])),
            Col("country", "TEXT", "cat", "country", _pick(*_COUNTRIES)),
            Col("genre", "TEXT", "cat", "genre", _pick("Rock", "Pop", "Jazz", "Hip Hop", "Electronic", "Folk")),
            Col("debut_year", "INTEGER", "num", "debut year", _ints(1965, 2020)),
        )),
        Table("albums", "album", "albums", 40, (
            _key("album_id"),
            Col("title", "TEXT", "label", "title", _names(_PAIRS)),
            _ref("artist_id", "artists", "artist"),
            Col("record_label", "TEXT", "cat", "record label", _pick("Sunrise", "Blue Note", "Atlas", "Northern")),
            Col("release_year", "INTEGER", "num", "release year", _ints(1970, 2024)),
            Col("sales", "INTEGER", "num", "sales", _ints(1000, 5000000)),
        )),
        Table("songs", "song", "songs", 100, (
            _key("song_id"),
            Col("title", "TEXT", "label", "title", _names([f"{n} of {m}" for n in _NOUN for m in _NOUN if n != m])),
            _ref("album_id", "albums", "album"),
            Col("language", "TEXT", "cat", "language", _pick("English", "Spanish", "French", "Korean")),
            Col("duration", "INTEGER", "num", "duration in seconds", _ints(120, 480)),
            Col("plays", "INTEGER", "num", "number of plays", _ints(100, 2000000)),
        )),
    ],
}  # fmt: skip


def _sql_value(v: Any) -> str:
    return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else repr(v)


def _rows(db_id: str) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(f"slmfix-sql-{db_id}")
    out: dict[str, list[dict[str, Any]]] = {}
    for table in _SCHEMAS[db_id]:
        rows = []
        # names are drawn without replacement: a label names one row
        names = {c.name: rng.sample(c.make, table.n_rows) for c in table.cols if isinstance(c.make, tuple)}
        for i in range(table.n_rows):
            row: dict[str, Any] = {}
            for c in table.cols:
                if c.role == "key":
                    row[c.name] = i + 1
                elif c.role == "ref":
                    # leave some parents without children, so that NOT IN questions have answers
                    parents = len(out[c.ref])
                    row[c.name] = rng.randint(1, max(1, parents - parents // 5))
                elif isinstance(c.make, tuple):
                    row[c.name] = names[c.name][i]
                else:
                    assert c.make is not None
                    row[c.name] = c.make(rng, i)
            rows.append(row)
        out[table.name] = rows
    return out


def _script(db_id: str, rows: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for table in _SCHEMAS[db_id]:
        cols = []
        for c in table.cols:
            decl = f"  {c.name} {c.type}" + (" PRIMARY KEY" if c.role == "key" else "")
            cols.append(decl + (f" REFERENCES {c.ref}({_key_of(db_id, c.ref)})" if c.role == "ref" else ""))
        lines.append(f"CREATE TABLE {table.name} (\n" + ",\n".join(cols) + "\n);")
    for table in _SCHEMAS[db_id]:
        for row in rows[table.name]:
            lines.append(f"INSERT INTO {table.name} VALUES ({', '.join(_sql_value(v) for v in row.values())});")
    # one transaction, as sqlite3's .dump writes it: a file database built from the script is not synced per row
    return "BEGIN TRANSACTION;\n" + "\n".join(lines) + "\nCOMMIT;\n"


def _key_of(db_id: str, table: str) -> str:
    return _table(db_id, table).key.name


def _table(db_id: str, name: str) -> Table:
    return next(t for t in _SCHEMAS[db_id] if t.name == name)


_ROWS = {db_id: _rows(db_id) for db_id in _SCHEMAS}
DATABASES: dict[str, str] = {db_id: _script(db_id, _ROWS[db_id]) for db_id in _SCHEMAS}


# ---- question templates -------------------------------------------------------------------------------------------


def _plural(phrase: str) -> str:
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return phrase[:-1] + "ies"
    if phrase.endswith(("s", "x", "ch", "sh")):
        return phrase + "es"
    return phrase + "s"


@dataclass
class _Pick:
    """What a template draws from: a database, a random source and helpers over the rows."""

    db_id: str
    rng: random.Random

    def table(self, need: Callable[[Table], bool] = lambda t: True) -> Table | None:
        options = [t for t in _SCHEMAS[self.db_id] if need(t)]
        return self.rng.choice(options) if options else None

    def col(self, table: Table, *roles: str) -> Col | None:
        options = table.by_role(*roles)
        return self.rng.choice(options) if options else None

    def value(self, table: Table, col: Col) -> Any:
        return self.rng.choice(_ROWS[self.db_id][table.name])[col.name]

    def parent_value(self, child: Table, fk: Col, parent: Table, col: Col) -> Any:
        """A value of a parent's column on a row that has children: a join filter that selects something."""
        used = {r[fk.name] for r in _ROWS[self.db_id][child.name]}
        rows = [r for r in _ROWS[self.db_id][parent.name] if r[parent.key.name] in used]
        return self.rng.choice(rows)[col.name]

    def agg(self, col: Col) -> str:
        # a sum of years means nothing
        return self.rng.choice([a for a in _AGG if not (a == "sum" and "year" in col.name)])

    def values(self, table: Table, col: Col, k: int) -> list[Any]:
        distinct = sorted({r[col.name] for r in _ROWS[self.db_id][table.name]})
        return sorted(self.rng.sample(distinct, min(k, len(distinct))))

    def relation(self) -> tuple[Table, Col, Table] | None:
        """A (child, foreign key, parent) triple."""
        options = [(t, c) for t in _SCHEMAS[self.db_id] for c in t.by_role("ref")]
        if not options:
            return None
        child, fk = self.rng.choice(options)
        return child, fk, _table(self.db_id, fk.ref)

    def say(self, *variants: str) -> str:
        return self.rng.choice(variants)


_Template = Callable[[_Pick], tuple[str, str] | None]
_AGG = {"avg": "average", "max": "maximum", "min": "minimum", "sum": "total"}
_CMP = {">": "greater than", "<": "less than", ">=": "at least", "<=": "at most"}


def _t_filter_cat(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    v, lab = p.value(t, cat), t.label
    nl = p.say(
        f"What are the {_plural(lab.phrase)} of {t.plural} whose {cat.phrase} is {v}?",
        f"List the {_plural(lab.phrase)} of all {t.plural} with {cat.phrase} {v}.",
        f"Show the {lab.phrase} of every {t.singular} whose {cat.phrase} is {v}.",
    )
    return nl, f"SELECT {lab.name} FROM {t.name} WHERE {cat.name} = {_sql_value(v)}"


def _t_filter_num(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    op = p.rng.choice(list(_CMP))
    v, lab = p.value(t, num), t.label
    extra = p.col(t, "num", "cat")
    cols, shown = lab.name, _plural(lab.phrase)
    if extra is not None and extra is not num:
        cols, shown = f"{lab.name}, {extra.name}", f"{shown} and {_plural(extra.phrase)}"
    nl = p.say(
        f"Which {t.plural} have a {num.phrase} {_CMP[op]} {v}? Give their {shown}.",
        f"Find the {shown} of {t.plural} whose {num.phrase} is {_CMP[op]} {v}.",
    )
    return nl, f"SELECT {cols} FROM {t.name} WHERE {num.name} {op} {v}"


def _t_count(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    v = p.value(t, cat)
    nl = p.say(
        f"How many {t.plural} have {cat.phrase} {v}?",
        f"Count the {t.plural} whose {cat.phrase} is {v}.",
        f"What is the number of {t.plural} with {cat.phrase} {v}?",
    )
    return nl, f"SELECT count(*) FROM {t.name} WHERE {cat.name} = {_sql_value(v)}"


def _t_aggregate(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    agg = p.agg(num)
    cat = p.col(t, "cat")
    if cat is not None and p.rng.random() < 0.5:
        v = p.value(t, cat)
        nl = f"What is the {_AGG[agg]} {num.phrase} of {t.plural} whose {cat.phrase} is {v}?"
        return nl, f"SELECT {agg}({num.name}) FROM {t.name} WHERE {cat.name} = {_sql_value(v)}"
    nl = p.say(
        f"What is the {_AGG[agg]} {num.phrase} of all {t.plural}?",
        f"Find the {_AGG[agg]} {num.phrase} over all {t.plural}.",
    )
    return nl, f"SELECT {agg}({num.name}) FROM {t.name}"


def _t_min_max(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    nl = p.say(
        f"What are the maximum and minimum {num.phrase} of {t.plural}?",
        f"Show the highest and lowest {num.phrase} among all {t.plural}.",
    )
    return nl, f"SELECT max({num.name}), min({num.name}) FROM {t.name}"


def _t_group_count(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    nl = p.say(
        f"How many {t.plural} are there for each {cat.phrase}?",
        f"Show each {cat.phrase} and the number of {t.plural} with it.",
        f"For every {cat.phrase}, count the {t.plural}.",
    )
    return nl, f"SELECT {cat.name}, count(*) FROM {t.name} GROUP BY {cat.name}"


def _t_group_agg(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat, num = (p.col(t, "cat"), p.col(t, "num")) if t else (None, None)
    if t is None or cat is None or num is None:
        return None
    agg = p.agg(num)
    nl = f"For each {cat.phrase}, what is the {_AGG[agg]} {num.phrase} of {t.plural}?"
    return nl, f"SELECT {cat.name}, {agg}({num.name}) FROM {t.name} GROUP BY {cat.name}"


def _t_having(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    k = p.rng.choice([2, 3, 5, 8])
    nl = p.say(
        f"Which {_plural(cat.phrase)} have more than {k} {t.plural}?",
        f"List the {_plural(cat.phrase)} shared by more than {k} {t.plural}.",
    )
    return nl, f"SELECT {cat.name} FROM {t.name} GROUP BY {cat.name} HAVING count(*) > {k}"


def _t_top_k(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    desc = p.rng.random() < 0.6
    k = p.rng.choice([1, 1, 3, 5])
    word = "highest" if desc else "lowest"
    lab = t.label
    if k == 1:
        nl = p.say(
            f"Which {t.singular} has the {word} {num.phrase}? Give its {lab.phrase}.",
            f"What is the {lab.phrase} of the {t.singular} with the {word} {num.phrase}?",
        )
    else:
        nl = f"List the {_plural(lab.phrase)} of the {k} {t.plural} with the {word} {num.phrase}."
    order = f"{num.name} DESC" if desc else num.name
    return nl, f"SELECT {lab.name} FROM {t.name} ORDER BY {order} LIMIT {k}"


def _t_order(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    desc = p.rng.random() < 0.5
    lab = t.label
    how = "from highest to lowest" if desc else "in ascending order"
    nl = f"Show the {lab.phrase} and {num.phrase} of all {t.plural}, ordered by {num.phrase} {how}."
    return nl, f"SELECT {lab.name}, {num.name} FROM {t.name} ORDER BY {num.name}{' DESC' if desc else ''}"


def _t_distinct(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    num = p.col(t, "num")
    if num is not None and p.rng.random() < 0.5:
        v = p.value(t, num)
        nl = f"List the distinct {_plural(cat.phrase)} of {t.plural} whose {num.phrase} is greater than {v}."
        return nl, f"SELECT DISTINCT {cat.name} FROM {t.name} WHERE {num.name} > {v}"
    nl = p.say(
        f"What are the different {_plural(cat.phrase)} of {t.plural}?",
        f"List all distinct {_plural(cat.phrase)} of {t.plural}.",
    )
    return nl, f"SELECT DISTINCT {cat.name} FROM {t.name}"


def _t_count_distinct(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    nl = f"How many different {_plural(cat.phrase)} do the {t.plural} have?"
    return nl, f"SELECT count(DISTINCT {cat.name}) FROM {t.name}"


def _t_like(p: _Pick) -> tuple[str, str] | None:
    t = p.table(lambda t: bool(t.by_role("label")))
    if t is None:
        return None
    lab = t.label
    name = str(p.value(t, lab))
    if p.rng.random() < 0.5:
        word = p.rng.choice(name.replace("The ", "").split())
        nl = f"Find the {_plural(lab.phrase)} of {t.plural} that contain the word {word}."
        return nl, f"SELECT {lab.name} FROM {t.name} WHERE {lab.name} LIKE '%{word}%'"
    nl = f"Which {t.plural} have a {lab.phrase} starting with {name[0]}?"
    return nl, f"SELECT {lab.name} FROM {t.name} WHERE {lab.name} LIKE '{name[0]}%'"


def _t_between(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    lo, hi = p.values(t, num, 2) if len({r[num.name] for r in _ROWS[p.db_id][t.name]}) > 1 else (None, None)
    if lo is None:
        return None
    lab = t.label
    nl = f"Find the {_plural(lab.phrase)} of {t.plural} whose {num.phrase} is between {lo} and {hi}."
    return nl, f"SELECT {lab.name} FROM {t.name} WHERE {num.name} BETWEEN {lo} AND {hi}"


def _t_in(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    cat = p.col(t, "cat") if t else None
    if t is None or cat is None:
        return None
    a, b = p.values(t, cat, 2)
    lab = t.label
    nl = p.say(
        f"Show the {_plural(lab.phrase)} of {t.plural} whose {cat.phrase} is either {a} or {b}.",
        f"Which {t.plural} have {cat.phrase} {a} or {b}? List their {_plural(lab.phrase)}.",
    )
    return nl, f"SELECT {lab.name} FROM {t.name} WHERE {cat.name} IN ({_sql_value(a)}, {_sql_value(b)})"


def _t_above_average(p: _Pick) -> tuple[str, str] | None:
    t = p.table()
    num = p.col(t, "num") if t else None
    if t is None or num is None:
        return None
    above = p.rng.random() < 0.6
    lab, op = t.label, ">" if above else "<"
    where = "above" if above else "below"
    nl = f"Which {t.plural} have a {num.phrase} {where} the average? Give their {_plural(lab.phrase)}."
    return nl, f"SELECT {lab.name} FROM {t.name} WHERE {num.name} {op} (SELECT avg({num.name}) FROM {t.name})"


def _join(child: Table, fk: Col, parent: Table) -> str:
    return f"{child.name} AS T1 JOIN {parent.name} AS T2 ON T1.{fk.name} = T2.{parent.key.name}"


def _t_join_filter_parent(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    cat = p.col(parent, "cat", "label")
    if cat is None:
        return None
    v = p.parent_value(child, fk, parent, cat)
    lab = child.label
    nl = f"List the {_plural(lab.phrase)} of {child.plural} whose {fk.phrase}'s {cat.phrase} is {v}."
    return nl, f"SELECT T1.{lab.name} FROM {_join(child, fk, parent)} WHERE T2.{cat.name} = {_sql_value(v)}"


def _t_join_filter_child(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    cat = p.col(child, "cat")
    if cat is None:
        return None
    v = p.value(child, cat)
    lab = parent.label
    labs = _plural(lab.phrase)
    nl = f"What are the distinct {labs} of {parent.plural} with a {child.singular} whose {cat.phrase} is {v}?"
    sql = f"SELECT DISTINCT T2.{lab.name} FROM {_join(child, fk, parent)} WHERE T1.{cat.name} = {_sql_value(v)}"
    return nl, sql


def _t_join_group(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    lab = parent.label
    nl = p.say(
        f"For each {fk.phrase}, show its {lab.phrase} and the number of {child.plural}.",
        f"How many {child.plural} does each {fk.phrase} have? Give the {lab.phrase} too.",
    )
    return nl, f"SELECT T2.{lab.name}, count(*) FROM {_join(child, fk, parent)} GROUP BY T1.{fk.name}"


def _t_join_most(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    lab = parent.label
    most = p.rng.random() < 0.7
    nl = f"Which {fk.phrase} has the {'most' if most else 'fewest'} {child.plural}? Give its {lab.phrase}."
    order = "count(*) DESC" if most else "count(*)"
    return nl, f"SELECT T2.{lab.name} FROM {_join(child, fk, parent)} GROUP BY T1.{fk.name} ORDER BY {order} LIMIT 1"


def _t_join_having(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    lab = parent.label
    k = p.rng.choice([1, 2, 3, 4])
    nl = f"Find the {_plural(lab.phrase)} of {parent.plural} that have at least {k} {child.plural}."
    sql = f"SELECT T2.{lab.name} FROM {_join(child, fk, parent)} GROUP BY T1.{fk.name} HAVING count(*) >= {k}"
    return nl, sql


def _t_join_aggregate(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    num, cat = p.col(child, "num"), p.col(parent, "cat", "label")
    if num is None or cat is None:
        return None
    agg = p.agg(num)
    v = p.parent_value(child, fk, parent, cat)
    nl = f"What is the {_AGG[agg]} {num.phrase} of {child.plural} whose {fk.phrase}'s {cat.phrase} is {v}?"
    sql = f"SELECT {agg}(T1.{num.name}) FROM {_join(child, fk, parent)} WHERE T2.{cat.name} = {_sql_value(v)}"
    return nl, sql


def _t_not_in(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    lab = parent.label
    nl = p.say(
        f"Find the {_plural(lab.phrase)} of {parent.plural} that have no {child.plural}.",
        f"Which {parent.plural} are not the {fk.phrase} of any {child.singular}? List their {_plural(lab.phrase)}.",
    )
    sql = f"SELECT {lab.name} FROM {parent.name} WHERE {parent.key.name} NOT IN (SELECT {fk.name} FROM {child.name})"
    return nl, sql


def _t_in_subquery(p: _Pick) -> tuple[str, str] | None:
    rel = p.relation()
    if rel is None:
        return None
    child, fk, parent = rel
    num = p.col(child, "num")
    if num is None:
        return None
    v, lab = p.value(child, num), parent.label
    labs = _plural(lab.phrase)
    nl = f"List the {labs} of {parent.plural} with at least one {child.singular} whose {num.phrase} is over {v}."
    sql = (
        f"SELECT {lab.name} FROM {parent.name} WHERE {parent.key.name} IN "
        f"(SELECT {fk.name} FROM {child.name} WHERE {num.name} > {v})"
    )
    return nl, sql


_TEMPLATES: tuple[_Template, ...] = (
    _t_filter_cat,
    _t_filter_num,
    _t_count,
    _t_aggregate,
    _t_min_max,
    _t_group_count,
    _t_group_agg,
    _t_having,
    _t_top_k,
    _t_order,
    _t_distinct,
    _t_count_distinct,
    _t_like,
    _t_between,
    _t_in,
    _t_above_average,
    _t_join_filter_parent,
    _t_join_filter_child,
    _t_join_group,
    _t_join_most,
    _t_join_having,
    _t_join_aggregate,
    _t_not_in,
    _t_in_subquery,
)


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    """n tasks `{"nl", "reference", "context": {"db_id"}}` with distinct references, the same for the same seed."""
    rng = random.Random(seed)
    db_ids = sorted(DATABASES)
    tasks: list[dict[str, Any]] = []
    seen: set[str] = set()
    attempts = 0
    while len(tasks) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ValueError(f"could only make {len(tasks)} distinct SQL tasks of the {n} asked for")
        db_id = rng.choice(db_ids)
        made = rng.choice(_TEMPLATES)(_Pick(db_id, rng))
        if made is None or made[1] in seen:
            continue
        seen.add(made[1])
        tasks.append({"nl": made[0], "reference": made[1], "context": {"db_id": db_id}})
    return tasks


def extra_files() -> dict[str, str]:
    """The bundled databases' scripts, which the loader builds into SQLite files on first use."""
    return {f"sql_db/{db_id}.sql": script for db_id, script in DATABASES.items()}
