"""SQL: sqlglot for syntax and trees, SQLite `EXPLAIN` on an empty in-memory copy of the schema for names.

Why EXPLAIN decides validity for the sqlite dialect (measured on the 499 Spider dev gold queries with
experiments/bench_validator_sql.py, on a loaded 2-core machine): sqlglot parse + `qualify` against the schema, the
paper's validator, runs at ~370 queries/s and rejects 86 of the 499 gold queries, because SQLite reads a
double-quoted name that resolves to nothing as a string (`WHERE country = "USA"`); preparing `EXPLAIN <query>` on an
in-memory copy of the schema is SQLite's own name resolution, exact for the sqlite dialect, and runs at ~40,000
queries/s. sqlglot then only runs on the queries SQLite rejects, to say where the error is and name a misspelled
keyword. For other dialects, or with `explain=False`, sqlglot parses every query and `qualify` checks the names
(with the double-quote rule applied first for sqlite: all 499 accepted, ~550 queries/s).

Nothing a program says is ever run against a real database by the validator: the schema is copied (no rows) into an
in-memory database whose authorizer only allows reading, and only `EXPLAIN` is prepared there. Databases named by
`db_path` are opened read-only (`mode=ro`, `immutable=1`) and only `sqlite_master` is read from them. `execute` runs
a validated query on a read-only connection with a time limit, for execution-based metrics.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import itertools
import os
import random
import re
import sqlite3
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import zss
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema
from sqlglot.tokens import Token, TokenType

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Edge, Mutation, Task, Validation
from slmfix_exp.ted import tree_edit_distance

# Statements are classified by their first word before any parsing, so that nothing else is ever done with a write.
# fmt: off
_WRITE_WORDS = frozenset({
    "INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "MERGE", "DROP", "CREATE", "ALTER", "TRUNCATE", "RENAME",
    "ATTACH", "DETACH", "PRAGMA", "VACUUM", "REINDEX", "ANALYZE", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
    "END", "GRANT", "REVOKE", "COPY", "LOAD", "SET", "CALL", "EXEC", "EXECUTE", "DO", "LOCK", "UNLOCK", "COMMENT",
    "REFRESH", "OPTIMIZE", "IMPORT", "EXPORT", "INSTALL",
})
_KEYWORDS = [
    "SELECT", "FROM", "WHERE", "GROUP", "ORDER", "HAVING", "JOIN", "INNER", "LEFT", "OUTER", "LIMIT", "DISTINCT",
    "UNION", "INTERSECT", "EXCEPT", "BETWEEN", "LIKE", "COUNT", "WITH",
]
# fmt: on
_NON_QUERY_WORDS = frozenset({"EXPLAIN", "SHOW", "DESCRIBE", "DESC", "USE", "VALUES"})
_LEADING_NOISE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$)|\()*", re.S)
_WORD = re.compile(r"[A-Za-z_]+")
_WRITE_NODES = tuple(
    getattr(exp, name)
    for name in ("Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable", "Command",
                 "Pragma", "Attach", "Detach", "Into", "Set", "Transaction", "Commit", "Rollback", "Copy", "Use")
    if hasattr(exp, name)
)  # fmt: skip
_TRAILING_COMMA_DIALECTS = frozenset({"bigquery", "duckdb", "snowflake", "databricks"})
_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
_EXPLAIN_ERROR = re.compile(
    r"^(no such column|no such table|ambiguous column name|no such function): (.+)$"
    r"|^near \"(.+)\": syntax error$|^unrecognized token: \"(.+)\"$",
    re.S,
)
_TRAILING_SEMICOLONS = re.compile(r"[\s;]+$")
_SCHEMA_CACHE_SIZE = 256
_CULPRIT = re.compile(r"^(?:no such column|no such table|ambiguous column name): (\S+)")
_CONTEXT_TABLES, _CONTEXT_COLUMNS = 6, 16  # bounds of what a repair prompt shows of the schema
_TREE_CACHE_SIZE = 4096


def _read_only_authorizer(action: int, *_: object) -> int:
    # Belt and braces: EXPLAIN never runs a statement, and a write is refused before it gets here.
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


def _first_word(program: str) -> str:
    noise = _LEADING_NOISE.match(program)
    m = _WORD.match(program, noise.end() if noise else 0)
    return m.group(0).upper() if m else ""


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def split_statements(script: str) -> list[str]:
    """Split an SQL script into statements, semicolons inside strings and comments respected (SQLite's own test)."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \t\r\n;"):
                out.append(buf.strip())
            buf = ""
    if buf.strip(" \t\r\n;"):
        out.append(buf.strip().rstrip(";"))
    return out


def _unclosed_quote(program: str) -> tuple[int, str] | None:
    """Offset and quote character of a string or quoted name that is never closed."""
    i, n = 0, len(program)
    closing = {"'": "'", '"': '"', "`": "`", "[": "]"}
    while i < n:
        ch = program[i]
        if program.startswith("--", i):
            j = program.find("\n", i)
            i = n if j < 0 else j + 1
        elif program.startswith("/*", i):
            j = program.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif ch in closing:
            end, j = closing[ch], i + 1
            while True:
                j = program.find(end, j)
                if j < 0:
                    return i, ch
                if end != "]" and program.startswith(end * 2, j):  # a doubled quote is an escaped quote
                    j += 2
                    continue
                break
            i = j + 1
        else:
            i += 1
    return None


# ---- schemas ------------------------------------------------------------------------------------------------------


@dataclass
class _Schema:
    """One database schema: its tables and columns, and an empty in-memory copy for EXPLAIN."""

    key: tuple[Any, ...]
    conn: sqlite3.Connection
    tables: dict[str, list[tuple[str, str]]]  # table name as declared -> [(column, declared type)]
    rows_source: Callable[[], sqlite3.Connection] | None = None  # a connection with the real rows, read-only
    dialect: str = "sqlite"
    lock: threading.Lock = field(default_factory=threading.Lock)
    deadline: float = 0.0
    _mapping: MappingSchema | None = None

    def __post_init__(self) -> None:
        self.columns = {t.lower(): {c.lower(): ty for c, ty in cols} for t, cols in self.tables.items()}
        self.all_columns = {c for cols in self.columns.values() for c in cols}
        self.links = _foreign_keys(self.conn, self.tables)
        self.conn.set_authorizer(_read_only_authorizer)
        self.conn.set_progress_handler(lambda: time.monotonic() > self.deadline, 1000)

    @property
    def mapping(self) -> MappingSchema:
        if self._mapping is None:
            raw: dict[str, object] = {t: {c: (ty or "TEXT") for c, ty in cols} for t, cols in self.tables.items()}
            self._mapping = MappingSchema(raw, dialect=self.dialect)  # names normalised as the dialect does
        return self._mapping

    def links_of(self, table: str) -> Iterator[tuple[str, str, str]]:
        """(its column, the other table, that table's column) for each foreign key from or to `table`."""
        for a, a_col, b, b_col in self.links:
            if a == table:
                yield a_col, b, b_col
            if b == table:
                yield b_col, a, a_col

    def table_columns(self, table: str) -> list[str]:
        for name, cols in self.tables.items():
            if name.lower() == table.lower():
                return [c for c, _ in cols]
        return []


def _memory_copy(statements: Iterable[str], dialect: str) -> sqlite3.Connection:
    """An in-memory database with the tables and views of `statements` (CREATE statements only; no rows)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    for stmt in statements:
        if _first_word(stmt) != "CREATE" or re.match(r"\s*CREATE\s+(UNIQUE\s+)?INDEX", stmt, re.I):
            continue
        try:
            conn.execute(stmt)
        except sqlite3.Error:
            try:  # DDL written for another engine (AUTO_INCREMENT, ENGINE=...): let sqlglot translate it
                conn.execute(sqlglot.transpile(stmt, read=None if dialect == "sqlite" else dialect, write="sqlite")[0])
            except Exception:
                continue
    return conn


def _describe(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    query = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY rowid"
    names = [r[0] for r in conn.execute(query)]
    return {n: [(r[1], r[2] or "") for r in conn.execute(f"PRAGMA table_info({_quote(n)})")] for n in names}


def _foreign_keys(conn: sqlite3.Connection, tables: dict[str, list[tuple[str, str]]]) -> list[tuple[str, ...]]:
    """(table, column, referenced table, its column) for each declared foreign key, names as declared."""
    declared = {t.lower(): t for t in tables}
    links: list[tuple[str, ...]] = []
    for table in tables:
        for row in conn.execute(f"PRAGMA foreign_key_list({_quote(table)})"):
            parent, column, to = declared.get(str(row[2]).lower()), row[3], row[4]
            if parent is None:
                continue
            if to is None:  # REFERENCES t without a column: t's primary key
                to = next((c for _, c, _, _, _, pk in conn.execute(f"PRAGMA table_info({_quote(parent)})") if pk), None)
            cols = {c.lower(): c for c, _ in tables[parent]}
            own = {c.lower(): c for c, _ in tables[table]}
            if to is not None and str(to).lower() in cols and str(column).lower() in own:
                links.append((table, own[str(column).lower()], parent, cols[str(to).lower()]))
    return links


@dataclass(frozen=True)
class _Source:
    """A table a SELECT reads: the schema's name for it (None for a derived table, a CTE or an unknown name), the
    name the SELECT calls it by, and its columns in lower case (None when unknown)."""

    table: str | None
    alias: str
    columns: frozenset[str] | None


@dataclass
class _Use:
    """The reference SQLite failed on: the column node, its span in the text and the sources it can see, one level
    per SELECT from its own outwards."""

    column: exp.Column
    span: tuple[int, int] | None
    levels: list[list[_Source]]


def _sources(select: exp.Select, schema: _Schema) -> list[_Source]:
    ctes = {c.alias_or_name.lower(): c.this for c in select.root().find_all(exp.CTE)}
    declared = {t.lower(): t for t in schema.tables}
    out = []
    for node in select.find_all(exp.Table, exp.Subquery):
        if not isinstance(node.parent, exp.From | exp.Join) or node.find_ancestor(exp.Select) is not select:
            continue
        query = node.this if isinstance(node, exp.Subquery) else ctes.get(node.name.lower())
        if isinstance(query, exp.Query):
            out.append(_Source(None, node.alias_or_name, frozenset(n.lower() for n in query.named_selects)))
        elif isinstance(node, exp.Table) and node.name.lower() in declared:
            table = declared[node.name.lower()]
            out.append(_Source(table, node.alias_or_name, frozenset(schema.columns[table.lower()])))
        else:
            out.append(_Source(None, node.alias_or_name, None))
    return out


def _levels(col: exp.Column, schema: _Schema) -> list[list[_Source]]:
    levels, select = [], col.find_ancestor(exp.Select)
    if isinstance(col.find_ancestor(exp.Group, exp.Select), exp.Group):  # SQLite: GROUP BY sees no outer query
        return [_sources(select, schema)] if select is not None else []
    while select is not None:
        levels.append(_sources(select, schema))
        select = select.find_ancestor(exp.Select)
    return levels


def _owners(col: exp.Column, levels: list[list[_Source]]) -> list[_Source]:
    """The sources that hold the column at the first level that has any: none for an unknown column, two or more
    for an ambiguous one. A source of unknown columns holds anything."""
    for level in levels:
        found = [
            s
            for s in level
            if (not col.table or s.alias.lower() == col.table.lower())
            and (s.columns is None or col.name.lower() in s.columns)
        ]
        if found:
            return found
    return []


def _failing_use(stmt: exp.Expr, rule: str, culprit: str, schema: _Schema) -> _Use | None:
    """The first reference to `culprit` that is unknown (or ambiguous) where it stands."""
    qualifier, _, name = culprit.rpartition(".")
    for col in stmt.find_all(exp.Column, bfs=False):
        if col.name.lower() != name.lower() or col.table.lower() != qualifier.lower():
            continue
        if not col.table and col.this.quoted:  # SQLite reads an unknown double-quoted name as a string
            continue
        levels = _levels(col, schema)
        owners = _owners(col, levels)
        select = col.find_ancestor(exp.Select)
        aliases = {e.alias.lower() for e in select.expressions if e.alias} if select else set()
        if (rule == "ambiguous-column" and not col.table and len(owners) > 1) or (
            rule == "unknown-column" and not owners and (col.table or name.lower() not in aliases)
        ):
            first = col.args.get("table") or col.this
            start, end = first.meta.get("start"), col.this.meta.get("end")
            return _Use(col, (start, end + 1) if start is not None and end is not None else None, levels)
    return None


def _other_side(col: exp.Column) -> exp.Column | None:
    """The column a join condition equates this one with, if it stands in one."""
    eq = col.parent
    if not isinstance(eq, exp.EQ) or col.find_ancestor(exp.Join) is None:
        return None
    other = eq.expression if eq.this is col else eq.this
    return other if isinstance(other, exp.Column) else None


def _join_key(use: _Use, named: _Source, schema: _Schema) -> tuple[str, str] | None:
    """In `ON T2.x = T1.y`, where T2 has no x: the column of T2 that a foreign key links to T1.y, and T1's table."""
    other = _other_side(use.column)
    if other is None or not other.table:
        return None
    source = next((s for s in use.levels[0] if s.alias.lower() == other.table.lower()), None)
    if source is None or source.table is None:
        return None
    for my_col, theirs, their_col in schema.links_of(named.table or ""):
        if theirs == source.table and their_col.lower() == other.name.lower():
            return my_col, theirs
    return None


def _join_for(own: list[_Source], elsewhere: list[str], schema: _Schema) -> tuple[_Source, str, str, str] | None:
    """(a source of the SELECT, its column, a table it doesn't read that has the name, that table's column) when a
    declared foreign key links the two."""
    for target in elsewhere:
        for source in own:
            for column, other, other_column in schema.links_of(source.table or ""):
                if other == target:
                    return source, column, target, other_column
    return None


def _join_text(join: tuple[_Source, str, str, str]) -> str:
    source, column, target, target_column = join
    return f"JOIN {target} ON {source.alias}.{column} = {target}.{target_column}"


def _with_join(stmt: exp.Expr, use: _Use, join: tuple[_Source, str, str, str], dialect: str) -> str | None:
    """The query with the table that has the failing column joined to its SELECT and the column qualified by it;
    the SELECT's unqualified columns that the new table also has are qualified by the table they were read from."""
    stmt, (col,) = _copy_at(stmt, use.column)
    select = col.find_ancestor(exp.Select)
    source, column, target, target_column = join
    if select is None:
        return None
    for other in list(select.find_all(exp.Column)):
        if other is col or other.table or other.find_ancestor(exp.Select) is not select:
            continue
        owners = [s for s in use.levels[0] if s.columns is not None and other.name.lower() in s.columns]
        if len(owners) == 1:
            other.set("table", exp.to_identifier(owners[0].alias))
    col.set("table", exp.to_identifier(target))
    on = exp.EQ(this=exp.column(column, source.alias), expression=exp.column(target_column, target))
    select.join(exp.to_table(target), on=on, copy=False)
    return stmt.sql(dialect=dialect)


def _copy_at(stmt: exp.Expr, *nodes: exp.Expr) -> tuple[exp.Expr, list[Any]]:
    """A copy of the statement to edit, and its nodes where `nodes` stand in the original."""
    order = {id(n): i for i, n in enumerate(stmt.walk(bfs=False))}
    copy = stmt.copy()
    walked = list(copy.walk(bfs=False))
    return copy, [walked[order[id(n)]] for n in nodes]


def _unnest_aggregate(stmt: exp.Expr, dialect: str) -> str | None:
    """`SELECT ... HAVING x = (SELECT max(count(*)) FROM t GROUP BY c)` -> the inner aggregate in a subquery that
    groups, the outer one over it: `(SELECT max(n) FROM (SELECT count(*) AS n FROM t GROUP BY c))`. Only a
    grouping SELECT whose one projection nests them."""
    for select in stmt.find_all(exp.Select):
        if not select.args.get("group") or len(select.expressions) != 1:
            continue
        # an aggregate whose nearest aggregate-or-SELECT above is an aggregate: nested in the same SELECT
        aggregates = select.expressions[0].find_all(exp.AggFunc)
        within = (a for a in aggregates if isinstance(a.find_ancestor(exp.AggFunc, exp.Select), exp.AggFunc))
        nested = next(within, None)
        if nested is None:
            continue
        stmt, (target, inner) = _copy_at(stmt, select, nested)
        grouped = target.copy()
        grouped.set("expressions", [exp.alias_(inner.copy(), "n")])
        inner.replace(exp.column("n"))
        target.replace(exp.select(target.expressions[0]).from_(grouped.subquery("grouped")))
        return stmt.sql(dialect=dialect)
    return None


def _spider_ddl(entry: Mapping[str, Any]) -> list[str]:
    """CREATE TABLE statements for a Spider tables.json entry, its foreign keys declared."""
    types = {"number": "NUMERIC", "text": "TEXT", "time": "TEXT", "boolean": "BOOLEAN"}
    names, tables = entry["column_names_original"], entry["table_names_original"]
    columns: dict[int, list[str]] = {}
    for (table_idx, name), ctype in zip(names, entry["column_types"], strict=False):
        if table_idx >= 0:
            columns.setdefault(table_idx, []).append(f"{_quote(name)} {types.get(ctype, '')}".strip())
    for pair in entry.get("foreign_keys") or []:
        with contextlib.suppress(IndexError, TypeError, ValueError):
            (table_idx, name), (ref_idx, ref) = names[pair[0]], names[pair[1]]
            if table_idx in columns and 0 <= ref_idx < len(tables):
                columns[table_idx].append(
                    f"FOREIGN KEY ({_quote(name)}) REFERENCES {_quote(tables[ref_idx])}({_quote(ref)})"
                )
    return [
        f"CREATE TABLE {_quote(t)} ({', '.join(columns.get(i, []))})" for i, t in enumerate(tables) if columns.get(i)
    ]


def _ro_connect(path: Path) -> sqlite3.Connection:
    # immutable: a task's database is a static file, so SQLite takes no locks and writes nothing beside it (a
    # read-only reader of a WAL database otherwise creates its -wal and -shm files)
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)


# ---- the language -------------------------------------------------------------------------------------------------


class SQL(DSL):
    """SQL queries over a known schema, validated by sqlglot and SQLite.

    The context names the schema in one of these forms (first found wins): `db_path` (a SQLite file, opened
    read-only), `schema` (DDL text) or `tables` (a Spider tables.json entry); bundled tasks get their `db_path` from
    the loader. Without one, only the syntax is checked.
    """

    name = "sql"
    fence = "sql"
    display_name = "SQL"
    names_in_prompt = True
    max_tree_nodes = 2000  # sqlglot nodes (and, like every DSL, TED's limit); Spider's gold queries have under 100
    max_tree_chars = 20_000  # no tree (similarity 0, no mutation) for longer programs: parsing alone takes ~0.1 s
    keywords_ignore_case = True

    def __init__(self, dialect: str = "sqlite", explain: bool = True, **bounds: Any) -> None:
        """`bounds`: max_program_bytes, timeout_s (also SQLite's limit on compiling a query), max_tree_nodes, as
        `DSL` takes them."""
        super().__init__(**bounds)
        self.dialect = dialect
        self.explain = explain
        self._dialect = sqlglot.Dialect.get_or_raise(dialect)
        self._schemas: OrderedDict[tuple[Any, ...], _Schema] = OrderedDict()
        self._trees: OrderedDict[tuple[Any, ...], zss.Node | None] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()

    @classmethod
    def context_problem(cls, context: Context) -> str | None:
        if {"db_path", "schema", "tables"} & context.keys():
            return None
        return "a SQL task needs a schema: give 'db_path' or 'schema'"

    def keywords(self) -> frozenset[str]:
        return _keywords()

    def data_flow(self, tree: zss.Node) -> list[Edge]:
        """A column into the clause that reads it: projection, join condition, filter, grouping, ordering, nested
        queries (each column leaf `col:t.c` with the path of labels above it)."""
        edges: list[Edge] = []

        def walk(node: zss.Node, path: list[str]) -> None:
            label = str(node.label)
            if label.startswith("col:"):
                edges.append(("$" + label[4:], "flows-into", "/".join(path)))
                return
            for child in node.children:
                walk(child, [*path, label])

        walk(tree, [])
        return edges

    # ---- validation -----------------------------------------------------------------------------------------

    def _validate(self, program: str, context: Context) -> Validation:
        word = _first_word(program)
        if word in _WRITE_WORDS:
            return Validation.of([Diagnostic(1, 1, "not-read-only", f"{word} statements are not allowed: only SELECT")])
        if word in _NON_QUERY_WORDS:
            return Validation.of([Diagnostic(1, 1, "not-a-query", f"{word} is not a query: write a SELECT statement")])
        schema, problem = self._schema(context)
        if schema is not None and self.explain and self.dialect == "sqlite":
            # SQLite decides (exact, ~0.01 ms); sqlglot only runs on a rejected query, to say where and why
            error = self._explain(program, schema)
            if error is None:
                return Validation(ok=True)
            if error.rule not in ("syntax", "multiple-statements"):
                return Validation.of([error])
            statements, diags = self._parse(program, context)
            return Validation.of(diags or self._statement_check(statements, program) or [error])
        statements, diags = self._parse(program, context)
        diags = diags or self._statement_check(statements, program)
        if diags:
            return Validation.of(diags)
        if schema is None:
            return Validation.of([Diagnostic(0, 0, "no-schema", problem, severity="warning")])
        return Validation.of(self._qualify_check(statements[0], schema, program))

    def _parse(self, program: str, context: Context) -> tuple[list[exp.Expr], list[Diagnostic]]:
        """sqlglot's statements, or the syntax error that stopped it."""
        try:
            tokens = self._dialect.tokenize(program)
        except TokenError as exc:
            return [], [self._token_error(program, exc)]
        try:
            statements = [s for s in self._dialect.parser().parse(tokens, program) if s is not None]
        except ParseError as exc:
            return [], [self._parse_error(program, tokens, exc, context)]
        if self.dialect not in _TRAILING_COMMA_DIALECTS:  # sqlglot drops a trailing comma that SQL rejects
            for tok, nxt in itertools.pairwise(tokens):
                if tok.token_type == TokenType.COMMA and nxt.token_type in (TokenType.FROM, TokenType.R_PAREN):
                    line, col = _line_col(program, tok.start)
                    return [], [Diagnostic(line, col, "syntax", f"trailing comma before {nxt.text!r}")]
        return statements, []

    def _token_error(self, program: str, exc: TokenError) -> Diagnostic:
        found = _unclosed_quote(program)
        if found is None:
            return Diagnostic(0, 0, "syntax", f"cannot tokenize: {str(exc)[:200]}")
        offset, quote = found
        line, col = _line_col(program, offset)
        what = "string" if quote == "'" else "quoted name"
        snippet = program[offset : offset + 30].split("\n")[0]
        return Diagnostic(line, col, "syntax", f"unterminated {what} starting {snippet!r}: missing closing {quote}")

    def _parse_error(self, program: str, tokens: list[Token], exc: ParseError, context: Context) -> Diagnostic:
        err = exc.errors[0] if exc.errors else {}
        line, col = int(err.get("line") or 0), int(err.get("col") or 0)
        highlight = str(err.get("highlight") or "")
        if highlight and col:
            col = max(1, col - len(highlight) + 1)  # sqlglot points at the end of the offending token
        message = str(err.get("description") or exc).split("\n")[0]
        missing = re.match(r"Required keyword: '\w+' missing for <class '[\w.]*?(\w+)'>", message)
        if missing:  # sqlglot names its own classes: say which clause is unfinished
            message = f"incomplete {missing.group(1).upper()} expression"
        if highlight:
            message += f" near {highlight!r}"
        typo = self._keyword_typo(tokens, context)
        if typo:
            message += f"; {typo[0]!r} looks like a misspelling of {typo[1]}"
        return Diagnostic(line, col, "syntax", message)

    def _keyword_typo(self, tokens: list[Token], context: Context) -> tuple[str, str] | None:
        names: set[str] = set()
        schema, _ = self._schema(context) if context else (None, "")
        if schema is not None:
            names = {t.lower() for t in schema.columns} | schema.all_columns
        for i, tok in enumerate(tokens):
            if tok.token_type != TokenType.VAR or len(tok.text) < 4 or tok.text.lower() in names:
                continue
            if i and tokens[i - 1].token_type == TokenType.DOT:
                continue
            upper = tok.text.upper()
            match = difflib.get_close_matches(upper, _KEYWORDS, n=1, cutoff=0.75)
            if match and match[0] != upper:
                return tok.text, match[0]
        return None

    def _statement_check(self, statements: list[exp.Expr], program: str) -> list[Diagnostic]:
        if not statements:
            return [Diagnostic(0, 0, "empty", "program has no statement")]
        for stmt in statements:
            if not isinstance(stmt, exp.Query) or stmt.find(*_WRITE_NODES) is not None:
                kind = stmt.key.upper()
                return [Diagnostic(1, 1, "not-read-only", f"{kind} statements are not allowed: only SELECT queries")]
        if len(statements) > 1:
            return [Diagnostic(0, 0, "multiple-statements", f"{len(statements)} statements: write one SELECT query")]
        return []

    def _explain(self, program: str, schema: _Schema) -> Diagnostic | None:
        text = _TRAILING_SEMICOLONS.sub("", program)  # `SELECT 1;;` is one query to us, two statements to Python
        with schema.lock:
            schema.deadline = time.monotonic() + self.timeout_s
            try:
                schema.conn.execute("EXPLAIN " + text).close()
            except (sqlite3.Error, UnicodeEncodeError, ValueError, OverflowError) as exc:
                return self._explain_error(program, str(exc), schema)
        return None

    def _explain_error(self, program: str, message: str, schema: _Schema) -> Diagnostic:
        m = _EXPLAIN_ERROR.match(message)
        if message == "not authorized":
            return Diagnostic(0, 0, "not-read-only", "the query does something other than read (not authorized)")
        if message.startswith("You can only execute one statement"):
            return Diagnostic(0, 0, "multiple-statements", "more than one statement: write one SELECT query")
        if message == "incomplete input":
            return Diagnostic(0, 0, "syntax", "incomplete input: the query ends too early")
        if message == "interrupted":
            return Diagnostic(0, 0, "timeout", f"compiling the query took over {self.timeout_s:g} s")
        if m is None:
            hint = self._aggregate_hint(program)[0] if message.startswith("misuse of aggregate") else ""
            return Diagnostic(0, 0, "semantic", message + hint)
        if m.group(3) is not None or m.group(4) is not None:
            return self._located(program, m.group(3) or m.group(4), "syntax", message)
        what, culprit = m.group(1), m.group(2)
        rule = {
            "no such column": "unknown-column",
            "no such table": "unknown-table",
            "ambiguous column name": "ambiguous-column",
            "no such function": "unknown-function",
        }[what]
        hint, _ = self._suggest(rule, culprit, program, schema)
        return self._located(program, culprit, rule, message + hint)

    def _scope(self, program: str, schema: _Schema) -> list[tuple[str, str]]:
        """(table as the schema declares it, the name the query calls it by) for every known table the query
        reads, in order. Subqueries share one scope here: a hint may name a table of another SELECT."""
        stmt = self._parse_query(program)
        if stmt is None:
            return []
        declared = {t.lower(): t for t in schema.tables}
        scope: dict[str, tuple[str, str]] = {}
        for table in stmt.find_all(exp.Table):
            name = declared.get(table.name.lower())
            if name is not None:
                scope.setdefault(table.alias_or_name.lower(), (name, table.alias_or_name))
        return list(scope.values())

    def _suggest(self, rule: str, culprit: str, program: str, schema: _Schema) -> tuple[str, str | None]:
        """What a message adds to SQLite's, and the program with that advice taken (the `rules` baseline), or None.
        Real LLM errors are mostly a column of another table, a near-miss name or an unqualified column that two
        joined tables share: each gets a hint that says what to write. Names are looked up in the SELECT the
        failing reference stands in and the SELECTs around it, as SQLite resolves them."""
        qualifier, _, name = culprit.rpartition(".")
        if rule == "unknown-table":
            close = self._close(name, list(schema.tables))
            return (f" (did you mean {' or '.join(close)}?)" if close else "", self._replace(program, culprit, close))
        if rule not in ("unknown-column", "ambiguous-column"):
            return "", None
        stmt = self._parse_query(program)
        use = _failing_use(stmt, rule, culprit, schema) if stmt is not None else None
        if use is None:  # sqlglot reads the query otherwise than SQLite: the whole query is the scope
            visible = [_Source(t, a, frozenset(schema.columns[t.lower()])) for t, a in self._scope(program, schema)]
            own = visible
        else:
            own, visible = use.levels[0], [s for level in use.levels for s in level]

        def column(source: _Source) -> str | None:
            cols = schema.tables.get(source.table or "", [])
            return next((c for c, _ in cols if c.lower() == name.lower()), None)

        owners = [(s.alias, col) for s in (own if rule == "ambiguous-column" else visible) if (col := column(s))]
        if rule == "ambiguous-column":
            options = [f"{alias}.{col}" for alias, col in owners]
            held = [s for s in own if column(s)]
            tables = " and ".join(f"{s.table}" + (f" ({s.alias})" if s.alias != s.table else "") for s in held)
            hint = f" (it is in {tables}: write {' or '.join(options)})" if options else ""
            return hint, self._replace(program, culprit, options, use)
        parts, options = [], []
        named = next((s for s in visible if s.alias.lower() == qualifier.lower()), None) if qualifier else None
        if named and named.table:
            parts.append(f"{named.table} has no column {name}")
            key = _join_key(use, named, schema) if use is not None else None
            if key is not None:  # `ON T2.ContId = T1.ContId` where countries links to continents by Continent
                parts.append(f"{named.table} joins {key[1]} by {key[0]}: write {qualifier}.{key[0]}")
                return f" ({'; '.join(parts)})", self._replace(program, culprit, [f"{qualifier}.{key[0]}"], use)
        if use is not None:  # `ON T1.x = T1.x` would join nothing: never offer the other side of an equation
            other = _other_side(use.column)
            owners = [(a, c) for a, c in owners if other is None or f"{a}.{c}".lower() != other.sql().lower()]
        if owners:  # in another table of the query: qualify it by that one
            options = [f"{alias}.{col}" for alias, col in owners]
            parts.append(f"write {' or '.join(options)}")
            return f" ({'; '.join(parts)})", self._replace(program, culprit, options, use)
        pool = [c for s in visible if (named is None or s is named) for c, _ in schema.tables.get(s.table or "", [])]
        close = self._close(name, pool)
        options = [f"{qualifier}.{c}" if qualifier else c for c in close]
        in_scope = {s.table for s in visible}
        elsewhere = [t for t in schema.tables if t not in in_scope and column(_Source(t, t, None))]
        join = _join_for(own, elsewhere, schema) if use is not None and not close and not qualifier else None
        if elsewhere:
            parts.append(f"{name} is a column of {', '.join(elsewhere[:3])}, which its SELECT does not read")
        if join is not None:
            parts.append(f"join it: {_join_text(join)}")
            fixed = _with_join(stmt, use, join, self.dialect) if stmt is not None and use is not None else None
            return f" ({'; '.join(parts)})", fixed
        if close:
            parts.append(f"did you mean {' or '.join(options)}?")
        elif not visible:  # no table of the query is known: any near name of the schema
            options = self._close(name, sorted({c for cols in schema.tables.values() for c, _ in cols}))
            if options:
                parts.append(f"did you mean {' or '.join(options)}?")
        return (f" ({'; '.join(parts)})" if parts else "", self._replace(program, culprit, options, use))

    def _replace(self, program: str, culprit: str, options: list[str], use: _Use | None = None) -> str | None:
        """The program with the failing reference (else the culprit's first occurrence) replaced by options[0]."""
        span = use.span if use is not None and use.span is not None else self._span(program, culprit)
        if not options or span is None:
            return None
        return program[: span[0]] + options[0] + program[span[1] :]

    def _aggregate_hint(self, program: str) -> tuple[str, str | None]:
        """`max(count(*))` over groups: SQLite wants the inner aggregate in a subquery of its own."""
        stmt = self._parse_query(program)
        fixed = _unnest_aggregate(stmt, self.dialect) if stmt is not None else None
        if fixed is None:
            return "", None
        return " (an aggregate of an aggregate: take the outer one over a subquery that groups, as in " + (
            "SELECT max(n) FROM (SELECT count(*) AS n FROM t GROUP BY c))"
        ), fixed

    @staticmethod
    def _close(name: str, pool: list[str]) -> list[str]:
        """Up to two names of `pool` like `name`: near spellings, else names that hold it (`id` -> `StuID`)."""
        by_lower = {p.lower(): p for p in pool}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=2, cutoff=0.6)
        if not close and len(name) >= 2:
            close = [p for p in by_lower if name.lower() in p or (len(p) >= 3 and p in name.lower())][:2]
        return [by_lower[c] for c in close]

    def _repair_context(self, program: str, validation: Validation, context: Context) -> str:
        """The tables the query reads and the tables the messages name, as `table(col, col, ...)`."""
        schema, _ = self._schema(context)
        if schema is None:
            return ""
        tables = list(dict.fromkeys(t for t, _ in self._scope(program, schema)))
        text = " ".join(d.message for d in validation.errors)
        words = set(re.findall(r"\w+", text.lower()))
        tables += [t for t in schema.tables if t.lower() in words and t not in tables]
        if not tables and any(d.rule == "unknown-table" for d in validation.errors):
            tables = list(schema.tables)
        lines = []
        for t in tables[:_CONTEXT_TABLES]:
            cols = [c for c, _ in schema.tables[t]]
            shown = ", ".join(cols[:_CONTEXT_COLUMNS]) + (", ..." if len(cols) > _CONTEXT_COLUMNS else "")
            lines.append(f"{t}({shown})")
        return "\n".join(lines)

    def _rule_fix(self, program: str, validation: Validation, context: Context) -> str | None:
        """The first error's advice taken: a did-you-mean name, a qualifier, a join, an aggregate unnested."""
        schema, _ = self._schema(context)
        error = validation.errors[0]
        if schema is None:
            return None
        if error.message.startswith("misuse of aggregate"):
            return self._aggregate_hint(program)[1]
        m = _CULPRIT.match(error.message)
        return self._suggest(error.rule, m.group(1), program, schema)[1] if m else None

    def _span(self, program: str, culprit: str) -> tuple[int, int] | None:
        parts = [re.escape(p) for p in culprit.split(".")]
        pattern = r"\s*\.\s*".join(rf"[\"`\[]?{p}[\"`\]]?" for p in parts)
        m = re.search(rf"(?<![\w.]){pattern}(?!\w)", program, re.I)
        return (m.start(), m.end()) if m else None

    def _located(self, program: str, culprit: str, rule: str, message: str) -> Diagnostic:
        span = self._span(program, culprit)
        line, col = _line_col(program, span[0]) if span else (0, 0)
        return Diagnostic(line, col, rule, message)

    def _qualify_check(self, stmt: exp.Expr, schema: _Schema, program: str) -> list[Diagnostic]:
        ctes = {cte.alias_or_name.lower() for cte in stmt.find_all(exp.CTE)}
        diags = []
        for table in stmt.find_all(exp.Table):
            if table.name and table.name.lower() not in schema.columns and table.name.lower() not in ctes:
                message = (
                    f"no such table: {table.name}" + self._suggest("unknown-table", table.name, program, schema)[0]
                )
                diags.append(self._at_meta(table.this, "unknown-table", message))
        if diags:
            return diags
        stmt = self._dqs_strings(stmt.copy(), schema)
        try:
            qualify(stmt, schema=schema.mapping, dialect=self.dialect, quote_identifiers=False, expand_stars=False)
        except OptimizeError as exc:
            text = str(exc)
            m = re.match(r"Column '(.+?)' could not be resolved|Unknown column: (.+)", text)
            if m:
                name = m.group(1) or m.group(2)
                return [self._located(program, name, "unknown-column", f"no such column: {name}")]
            rule = "ambiguous-column" if "ambiguous" in text.lower() else "semantic"
            return [Diagnostic(0, 0, rule, text.split("\n")[0][:300])]
        return []

    @staticmethod
    def _at_meta(node: exp.Expr, rule: str, message: str) -> Diagnostic:
        meta = node.meta if isinstance(node, exp.Expr) else {}
        return Diagnostic(int(meta.get("line") or 0), int(meta.get("col") or 0), rule, message)

    def _dqs_strings(self, stmt: exp.Expr, schema: _Schema | None) -> exp.Expr:
        """SQLite reads a double-quoted name that matches no column as a string: make sqlglot's tree say so too."""
        if self.dialect != "sqlite" or schema is None:
            return stmt
        for col in list(stmt.find_all(exp.Column)):
            if not col.table and col.this.quoted and col.name.lower() not in schema.all_columns:
                col.replace(exp.Literal.string(col.name))
        return stmt

    # ---- schemas --------------------------------------------------------------------------------------------

    def _schema(self, context: Context) -> tuple[_Schema | None, str]:
        """The schema named by the context (built once and cached), or None and the reason."""
        if os.getpid() != self._pid:  # SQLite connections must not cross a fork
            self._schemas, self._trees, self._lock = OrderedDict(), OrderedDict(), threading.Lock()
            self._pid = os.getpid()
        try:
            source = self._schema_source(context)
        except (OSError, KeyError, TypeError, ValueError) as exc:
            return None, f"schema unavailable ({type(exc).__name__}: {exc}); only the syntax was checked"
        if source is None:
            return None, "no schema in context (db_path, schema or tables); only the syntax was checked"
        key, build = source
        with self._lock:
            schema = self._schemas.get(key)
            if schema is not None:
                self._schemas.move_to_end(key)
                return schema, ""
        try:
            schema = build()
        except (sqlite3.Error, OSError, KeyError, TypeError, ValueError, IndexError) as exc:
            return None, f"schema unavailable ({type(exc).__name__}: {exc}); only the syntax was checked"
        with self._lock:
            self._schemas[key] = schema
            while len(self._schemas) > _SCHEMA_CACHE_SIZE:
                self._schemas.popitem(last=False)
        return schema, ""

    def _schema_source(self, context: Context) -> tuple[tuple[Any, ...], Callable[[], _Schema]] | None:
        if context.get("db_path"):
            path = str(context["db_path"])
            st = os.stat(path)  # a missing file is reported, not built; the key names the file whatever the cwd
            key: tuple[Any, ...] = ("db", st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
            return key, lambda: self._from_database(key, Path(path).resolve())
        if context.get("schema"):
            ddl = str(context["schema"])
            key = ("ddl", hashlib.sha1(ddl.encode("utf-8", "replace")).hexdigest())
            return key, lambda: self._from_statements(key, split_statements(ddl))
        if context.get("tables"):
            entry = context["tables"]
            fingerprint = repr((entry["table_names_original"], entry["column_names_original"], entry["column_types"]))
            key = ("spider", hashlib.sha1(fingerprint.encode()).hexdigest())
            return key, lambda: self._from_statements(key, _spider_ddl(entry))
        return None

    def _from_database(self, key: tuple[Any, ...], path: Path) -> _Schema:
        src = _ro_connect(path)
        try:
            rows = src.execute(
                "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'view', rowid"
            ).fetchall()
        finally:
            src.close()
        return self._from_statements(key, [sql for _, sql in rows], lambda: _ro_connect(path))

    def _from_statements(
        self, key: tuple[Any, ...], statements: list[str], rows_source: Callable[[], sqlite3.Connection] | None = None
    ) -> _Schema:
        conn = _memory_copy(statements, self.dialect)
        return _Schema(key=key, conn=conn, tables=_describe(conn), rows_source=rows_source, dialect=self.dialect)

    # ---- execution ------------------------------------------------------------------------------------------

    def execute(self, program: str, context: Context, time_limit: float = 5.0, max_rows: int = 100_000) -> list[tuple]:
        """Run a query that validates on a read-only connection to the context's database (db_path or bundled
        db_id), with a time limit. Raises ValueError when the query is invalid or there are no rows to run on,
        sqlite3.Error when it fails or runs out of time."""
        verdict = self.validate(program, context)
        if not verdict.ok:
            raise ValueError(f"invalid query: {verdict.feedback(1)}")
        schema, problem = self._schema(context)
        if schema is None or schema.rows_source is None:
            raise ValueError(problem or "the context's schema has no rows to run the query on")
        conn = schema.rows_source()
        deadline = time.monotonic() + time_limit
        try:
            conn.set_authorizer(_read_only_authorizer)
            conn.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
            rows = conn.execute(program).fetchmany(max_rows + 1)
        finally:
            conn.close()
        if len(rows) > max_rows:
            raise sqlite3.OperationalError(f"more than {max_rows} rows")
        return rows

    def execution_match(self, pred: str, reference: str, context: Context, time_limit: float = 5.0) -> bool | None:
        """Whether two queries return the same multiset of rows; None when the reference itself can't be run."""
        try:
            expected = _row_multiset(self.execute(reference, context, time_limit))
        except (ValueError, sqlite3.Error):
            return None
        try:
            return _row_multiset(self.execute(pred, context, time_limit)) == expected
        except (ValueError, sqlite3.Error):
            return False

    # ---- trees and similarity -------------------------------------------------------------------------------

    def tree(self, program: str, context: Context) -> zss.Node | None:
        schema, _ = self._schema(context)
        key = (program, schema.key if schema else None)
        with self._lock:
            if key in self._trees:
                self._trees.move_to_end(key)
                return self._trees[key]
        node = self._build_tree(program, schema)
        with self._lock:
            self._trees[key] = node
            while len(self._trees) > _TREE_CACHE_SIZE:
                self._trees.popitem(last=False)
        return node

    def paper_similarity(self, pred: str, reference: str, context: Context) -> float:
        a, b = self.tree(pred, context), self.tree(reference, context)
        if a is None or b is None:
            return 0.0
        return 1.0 / (1.0 + tree_edit_distance(a, b))

    def _parse_query(self, program: str) -> exp.Expr | None:
        if not isinstance(program, str) or len(program) > self.max_tree_chars or self.refusal(program) is not None:
            return None
        if _first_word(program) in _WRITE_WORDS | _NON_QUERY_WORDS:
            return None
        try:
            program.encode("utf-8")  # lone surrogates: no database would take this text
            statements = [s for s in self._dialect.parse(program) if s is not None]
        except (ParseError, TokenError, RecursionError, UnicodeEncodeError):
            return None
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            return None
        if sum(1 for _ in itertools.islice(statements[0].walk(), self.max_tree_nodes + 1)) > self.max_tree_nodes:
            return None  # normalising and comparing trees this large would take seconds to minutes
        return statements[0]

    def _build_tree(self, program: str, schema: _Schema | None) -> zss.Node | None:
        stmt = self._parse_query(program)
        if stmt is None:
            return None
        stmt = self._dqs_strings(stmt, schema)
        with contextlib.suppress(Exception):  # an unresolvable query still has a tree: names stay as written
            stmt = qualify(
                stmt,
                schema=schema.mapping if schema else None,
                dialect=self.dialect,
                validate_qualify_columns=False,
                quote_identifiers=False,
                expand_stars=False,
            )
        try:
            return _to_zss(_Normaliser(stmt).run())
        except RecursionError:
            return None

    # ---- training variants ----------------------------------------------------------------------------------

    def _vary(self, task: Task, rng: random.Random) -> Task:
        """The task over a copy of its schema with every table and column renamed in one naming style (CamelCase,
        snake_case, Upper_Snake, abbreviations, plurals, prefixes: the styles real databases use), the reference
        rewritten to match. A model trained on a few schemas learns their names by heart; over renamed copies the
        names change from task to task and copying them from the prompt is the only way to get them right."""
        schema, _ = self._schema(task.context)
        stmt = self._parse_query(task.reference or "")
        if schema is None or stmt is None:
            return task
        namer = _Namer(rng, fresh_words=0.5)
        tables = {t.lower(): namer.table(t) for t in schema.tables}
        columns = {c.lower(): namer.column(c) for cols in schema.tables.values() for c, _ in cols}
        if len(set(tables.values())) < len(tables) or len(set(columns.values())) < len(columns):
            return task  # two names fell together: keep the original rather than change what the query means
        renamed = stmt.copy()
        for table in renamed.find_all(exp.Table):
            if table.name.lower() in tables:
                table.set("this", exp.to_identifier(tables[table.name.lower()]))
        for col in renamed.find_all(exp.Column):
            if col.name.lower() in columns:
                col.set("this", exp.to_identifier(columns[col.name.lower()]))
            if col.table and col.table.lower() in tables:
                col.set("table", exp.to_identifier(tables[col.table.lower()]))
        ddl = "\n".join(
            f"CREATE TABLE {_quote(tables[t.lower()])} ("
            + ", ".join(f"{_quote(columns[c.lower()])} {ty}".strip() for c, ty in cols)
            + ");"
            for t, cols in schema.tables.items()
        )
        context = {"schema": ddl}
        reference = renamed.sql(dialect=self.dialect)
        if not self.validate(reference, context).ok:
            return task
        return Task(task.id, task.nl, reference, context, task.split, task.source)

    # ---- mutations ------------------------------------------------------------------------------------------

    def mutate(self, program: str, context: Context, rng: random.Random, invalid: bool) -> Mutation | None:
        rules = {label: rule for label, (_, rule) in (_INVALID_KINDS | _VALID_KINDS).items()}
        for label, candidate in self.iter_mutations(program, context, rng, invalid):
            verdict = self.validate(candidate, context)
            # a kind applies when the validator agrees with what it promises (a missing comma can make an alias)
            if invalid and not verdict.ok and rules[label] & {d.rule for d in verdict.errors}:
                return Mutation(candidate, label, True)
            if not invalid and verdict.ok:
                return Mutation(candidate, label, False)
        return None

    def iter_mutations(
        self, program: str, context: Context, rng: random.Random, invalid: bool
    ) -> Iterator[tuple[str, str]]:
        """Unchecked candidates (kind, program), a few per kind, kinds in a random order weighted by `_KIND_WEIGHTS`.
        `mutate` keeps the first the validator agrees with."""
        stmt = self._parse_query(program)
        if stmt is None:
            return
        try:
            tokens = self._dialect.tokenize(program)
        except TokenError:
            return
        schema, _ = self._schema(context)
        site = _Site(program, tokens, stmt, schema, rng)
        kinds = _INVALID_KINDS if invalid else _VALID_KINDS
        # a random order in which a kind comes first with a chance that grows with its weight (Efraimidis-Spirakis)
        order = sorted(kinds, key=lambda k: -(rng.random() ** (1 / _KIND_WEIGHTS.get(k, 1))))
        for label in order:
            for start, end, text in kinds[label][0](site):
                candidate = program[:start] + text + program[end:]
                if candidate != program:
                    yield label, candidate


def _row_multiset(rows: list[tuple]) -> Counter:
    return Counter(tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows)


# ---- tree normalisation -----------------------------------------------------------------------------------------

_Tree = tuple[str, tuple["_Tree", ...]]
_SKIP_ARGS = {"nulls_first", "quoted", "alias", "with_fill"}
_SWAP = {"GT": "LT", "GTE": "LTE"}
_SYMMETRIC = {"EQ", "NEQ", "NullSafeEQ", "NullSafeNEQ", "Add", "Mul"}


class _Normaliser:
    """sqlglot AST (qualified) -> a label tree with table aliases replaced by table names, projection aliases and
    parentheses dropped, and AND/OR/=/<> operands in a canonical order (`a > b` is written `b < a`)."""

    def __init__(self, stmt: exp.Expr) -> None:
        self.stmt = stmt
        self.column_labels: dict[int, str] = {}
        self.table_labels: dict[int, str] = {}
        self.keep_alias: set[int] = set()  # projections of derived tables and CTEs: outer queries refer to them
        self.inlined: dict[int, exp.Expr] = {}  # ORDER BY alias reference -> the aliased expression

    def run(self) -> _Tree:
        try:
            scopes = traverse_scope(self.stmt)
        except Exception:
            scopes = []
        canon_by_scope: dict[int, dict[str, str]] = {}
        derived = 0
        for scope in scopes:
            seen: Counter = Counter()
            names: dict[str, str] = {}
            for alias, (node, source) in scope.selected_sources.items():
                if isinstance(source, Scope):
                    canon = node.name.lower() if isinstance(node, exp.Table) else f"_d{derived}"
                    derived += 1
                    if isinstance(source.expression, exp.Select):
                        self.keep_alias.add(id(source.expression))
                else:
                    table = source.name.lower()
                    seen[table] += 1
                    canon = table if seen[table] == 1 else f"{table}#{seen[table]}"
                if isinstance(node, exp.Table):
                    self.table_labels[id(node)] = canon
                names[alias.lower()] = canon
            canon_by_scope[id(scope)] = names
        # every column, ORDER BY ones included (sqlglot's scopes leave those out): the nearest enclosing query that
        # knows the qualifier names the table, which also resolves correlated columns to the outer query
        by_query = {id(scope.expression): canon_by_scope[id(scope)] for scope in scopes}
        for col in self.stmt.find_all(exp.Column):
            if not col.table:
                continue
            anc: exp.Expr | None = col
            found: str | None = None
            while anc is not None and found is None:
                found = by_query.get(id(anc), {}).get(col.table.lower())
                anc = anc.parent
            self.column_labels[id(col)] = f"col:{found or col.table.lower()}.{col.name.lower()}"
        for cte in self.stmt.find_all(exp.CTE):
            if isinstance(cte.this, exp.Select):
                self.keep_alias.add(id(cte.this))
        return self.node(self.stmt)

    def node(self, e: exp.Expr) -> _Tree:
        if id(e) in self.inlined:
            return self.node(self.inlined[id(e)])
        if isinstance(e, exp.Column):
            label = self.column_labels.get(id(e)) or "col:" + ".".join(p.name.lower() for p in e.parts)
            return (label, ())
        if isinstance(e, exp.Table):
            label = self.table_labels.get(id(e)) or e.name.lower()
            return ("table:" + label, tuple(self.node(c) for c in _children(e, skip={"this", "db", "catalog"})))
        if isinstance(e, exp.Identifier):
            return ("id:" + e.name.lower(), ())
        if isinstance(e, exp.TableAlias):  # derived tables and CTEs are renamed where they are used
            return ("TableAlias", tuple(self.node(c) for c in e.columns))
        if isinstance(e, exp.Literal):
            return (("str:" if e.is_string else "num:") + str(e.this), ())
        if isinstance(e, (exp.Paren,)):
            return self.node(e.this)
        if isinstance(e, exp.Alias) and isinstance(e.parent, exp.Select) and id(e.parent) not in self.keep_alias:
            return self.node(e.this)
        if isinstance(e, exp.Select) and id(e) not in self.keep_alias:
            self._inline_order_aliases(e)
        label = type(e).__name__
        if isinstance(e, exp.Anonymous):
            label = "fn:" + str(e.this).lower()
        flags = []
        for key in e.arg_types:
            value = e.args.get(key)
            if key in _SKIP_ARGS or value is None or value is False or isinstance(value, (exp.Expr, list)):
                continue
            if isinstance(e, exp.Anonymous) and key == "this":
                continue
            if key == "kind" and str(value).upper() == "INNER":  # JOIN is INNER JOIN
                continue
            flags.append(key if value is True else f"{key}={str(value).upper()}")
        if flags:
            label += "[" + ",".join(flags) + "]"
        kids = tuple(self.node(c) for c in _children(e))
        return _canonical(label, kids)

    def _inline_order_aliases(self, select: exp.Select) -> None:
        # `ORDER BY cnt` where `count(*) AS cnt`: the alias is about to be dropped, so order by the expression.
        order = select.args.get("order")
        if order is None:
            return
        aliases = {a.alias.lower(): a.this for a in select.expressions if isinstance(a, exp.Alias)}
        for col in order.find_all(exp.Column):
            if not col.table and col.name.lower() in aliases and id(col) not in self.column_labels:
                self.inlined[id(col)] = aliases[col.name.lower()]


def _children(e: exp.Expr, skip: set[str] | frozenset[str] = frozenset()) -> list[exp.Expr]:
    out: list[exp.Expr] = []
    for key in e.arg_types:
        if key in skip or (key in _SKIP_ARGS and key != "alias") or (key == "alias" and isinstance(e, exp.Table)):
            continue
        value = e.args.get(key)
        if isinstance(value, exp.Expr):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, exp.Expr))
    return out


def _canonical(label: str, kids: tuple[_Tree, ...]) -> _Tree:
    base = label.split("[")[0]
    if base in ("And", "Or"):
        flat: list[_Tree] = []
        for k in kids:
            flat.extend(k[1] if k[0] == label else (k,))
        return (label, tuple(sorted(flat, key=repr)))
    if base in _SWAP and len(kids) == 2:
        return (_SWAP[base], (kids[1], kids[0]))
    if base in _SYMMETRIC and len(kids) == 2:
        return (label, tuple(sorted(kids, key=repr)))
    return (label, kids)


def _to_zss(t: _Tree) -> zss.Node:
    root = zss.Node(t[0])
    stack = [(root, t)]
    while stack:
        node, (_, kids) = stack.pop()
        for kid in kids:
            child = zss.Node(kid[0])
            node.addkid(child)
            stack.append((child, kid))
    return root


# ---- mutations ----------------------------------------------------------------------------------------------------

_Edit = tuple[int, int, str]  # replace program[start:end] with text
_SITES_PER_KIND = 6


@dataclass
class _Site:
    """A program to mutate: its text, tokens (with character spans), AST and schema."""

    program: str
    tokens: list[Token]
    stmt: exp.Expr
    schema: _Schema | None
    rng: random.Random
    depths: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.depths, depth = [], 0
        for tok in self.tokens:
            if tok.token_type == TokenType.R_PAREN:
                depth -= 1
            self.depths.append(depth)
            if tok.token_type == TokenType.L_PAREN:
                depth += 1

    def sample(self, items: list[Any]) -> list[Any]:
        """A few of the places a kind could apply, in random order: each becomes one candidate."""
        return self.rng.sample(items, min(len(items), _SITES_PER_KIND))

    def kinds(self, *types: TokenType) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.token_type in types]

    def clause_end(self, i: int) -> int:
        """Index of the token that ends the clause starting at token i (len(tokens) at the end)."""
        stops = {TokenType.LIMIT, TokenType.UNION, TokenType.INTERSECT, TokenType.EXCEPT, TokenType.SEMICOLON}
        for j in range(i + 1, len(self.tokens)):
            if self.depths[j] < self.depths[i] or (
                self.depths[j] == self.depths[i] and self.tokens[j].token_type in stops
            ):
                return j
        return len(self.tokens)

    def table_of(self, col: exp.Column) -> str | None:
        """The schema table a column reference belongs to, resolved through aliases."""
        if self.schema is None:
            return None
        tables = self.tables_around(col)
        if col.table:
            tables = [t for t in tables if t.alias_or_name.lower() == col.table.lower()]
        owners = [t.name for t in tables if col.name.lower() in self.schema.columns.get(t.name.lower(), {})]
        return owners[0] if len(owners) == 1 else None

    def tables_around(self, col: exp.Column) -> list[exp.Table]:
        """The tables of the SELECT a column reference stands in."""
        select = col.find_ancestor(exp.Select)
        return [t for t in (select or self.stmt).find_all(exp.Table) if t.find_ancestor(exp.Select) is select]

    def qualifier_span(self, col: exp.Column) -> tuple[int, int] | None:
        """The span of a column's table qualifier (`T1` of `T1.name`), None when it has none."""
        qualifier = col.args.get("table")
        return self.name_span(qualifier) if isinstance(qualifier, exp.Identifier) else None

    def name_span(self, node: exp.Expr) -> tuple[int, int] | None:
        """The span of a name in the text, without its quotes (end exclusive)."""
        meta = node.meta
        if "start" not in meta:
            return None
        start, end = meta["start"], meta["end"] + 1
        if self.program[start] in '"`[' and end - start >= 2:
            return start + 1, end - 1
        return start, end


def _match_case(original: str, word: str) -> str:
    if original.islower():
        return word.lower()
    if original[:1].isupper() and original[1:2].islower():
        return word.capitalize()
    return word.upper()


def _wrong_names(name: str, taken: set[str], rng: random.Random) -> list[str]:
    """Plausible but wrong spellings of a name, as an LLM guesses them: plural, typo, another naming convention."""
    out = [name[:-1] if name.lower().endswith("s") else name + "s"]
    if len(name) > 3:
        i = rng.randrange(1, len(name) - 2)
        out.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
        out.append(name[:i] + name[i + 1 :])
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()
    out.append(snake.replace("_", "") if "_" in snake else snake + "_name")
    out.append(snake.split("_")[-1] + "_id" if not snake.endswith("_id") else snake[:-3])
    unique: dict[str, str] = {}
    for n in out:
        if n and n != name and n.lower() not in taken:
            unique.setdefault(n.lower(), n)
    return list(unique.values())


_TYPOS = {
    TokenType.SELECT: ["SELCT", "SELET", "SLECT", "SEELCT"],
    TokenType.FROM: ["FORM", "FRMO", "FRON"],
    TokenType.WHERE: ["WHRE", "WEHRE", "WHER"],
    TokenType.GROUP_BY: ["GRUOP BY", "GROPU BY", "GROUPBY"],
    TokenType.ORDER_BY: ["ODER BY", "ORDR BY", "ORDERBY"],
    TokenType.JOIN: ["JION", "JOIM"],
    TokenType.HAVING: ["HAVNG", "HAIVNG"],
    TokenType.LIMIT: ["LIMT", "LIMTI"],
}


def _mut_keyword_typo(site: _Site) -> list[_Edit]:
    out = []
    for i in site.sample(site.kinds(*_TYPOS)):
        tok = site.tokens[i]
        typo = _match_case(site.program[tok.start : tok.end + 1], site.rng.choice(_TYPOS[tok.token_type]))
        out.append((tok.start, tok.end + 1, typo))
    return out


def _mut_unknown_name(site: _Site, nodes: list[exp.Expr], taken: set[str]) -> list[_Edit]:
    out: list[_Edit] = []
    for node in site.sample([n for n in nodes if n.name.lower() in taken]):
        span = site.name_span(node.this)
        if span is not None:
            wrong = _wrong_names(site.program[span[0] : span[1]], taken, site.rng)
            out.extend((span[0], span[1], w) for w in wrong[:2])
    return out


def _mut_unknown_column(site: _Site) -> list[_Edit]:
    if site.schema is None:
        return []
    return _mut_unknown_name(site, list(site.stmt.find_all(exp.Column)), site.schema.all_columns)


def _mut_unknown_table(site: _Site) -> list[_Edit]:
    if site.schema is None:
        return []
    return _mut_unknown_name(site, list(site.stmt.find_all(exp.Table)), set(site.schema.columns))


def _mut_unbalanced_paren(site: _Site) -> list[_Edit]:
    out = [(t.start, t.end + 1, "") for t in (site.tokens[i] for i in site.sample(site.kinds(TokenType.R_PAREN)))]
    selects = site.kinds(TokenType.SELECT)
    if selects:
        tok = site.tokens[site.rng.choice(selects)]
        out.append((tok.end + 1, tok.end + 1, " ("))
    return out


def _mut_unclosed_quote(site: _Site) -> list[_Edit]:
    out = []
    for i in site.sample(site.kinds(TokenType.STRING, TokenType.NUMBER)):
        tok = site.tokens[i]
        if tok.token_type == TokenType.NUMBER:
            out.append((tok.start, tok.start, "'"))
        elif site.program[tok.end] in "'\"":
            out.append((tok.end, tok.end + 1, ""))
    return out


def _select_lists(site: _Site) -> list[tuple[int, int]]:
    """(SELECT index, FROM index) pairs at the same nesting depth."""
    pairs = []
    for i in site.kinds(TokenType.SELECT):
        for j in range(i + 1, len(site.tokens)):
            if site.depths[j] < site.depths[i]:
                break
            if site.depths[j] == site.depths[i] and site.tokens[j].token_type == TokenType.FROM:
                pairs.append((i, j))
                break
    return pairs


def _mut_missing_comma(site: _Site) -> list[_Edit]:
    commas = [
        k
        for i, j in _select_lists(site)
        for k in range(i + 1, j)
        if site.tokens[k].token_type == TokenType.COMMA and site.depths[k] == site.depths[i]
    ]
    out = []
    for k in site.sample(commas):
        tok = site.tokens[k]
        spaced = site.program[tok.end + 1 : tok.end + 2].isspace() or site.program[tok.start - 1].isspace()
        out.append((tok.start, tok.end + 1, "" if spaced else " "))
    return out


def _mut_trailing_comma(site: _Site) -> list[_Edit]:
    return [(site.tokens[j - 1].end + 1, site.tokens[j - 1].end + 1, ",") for _, j in site.sample(_select_lists(site))]


def _affinity(declared: str) -> str:
    """SQLite's type affinity, in two classes: a wrong column of the same class is the plausible mistake."""
    t = declared.upper()
    return "text" if any(k in t for k in ("CHAR", "CLOB", "TEXT")) or not t else "number"


def _mut_wrong_column(site: _Site) -> list[_Edit]:
    if site.schema is None:
        return []
    out = []
    for col in site.sample(list(site.stmt.find_all(exp.Column))):
        table, span = site.table_of(col), site.name_span(col.this)
        if table is None or span is None:
            continue
        types = site.schema.columns[table.lower()]
        kind = _affinity(types.get(col.name.lower(), ""))
        others = [c for c in site.schema.table_columns(table) if c.lower() != col.name.lower()]
        alike = [c for c in others if _affinity(types.get(c.lower(), "")) == kind]
        if others:
            out.append((span[0], span[1], site.rng.choice(alike or others)))
    return out


_OPERATOR_SWAPS = {
    "=": ["!=", ">", "<"],
    "!=": ["="],
    "<>": ["="],
    ">": [">=", "<"],
    ">=": [">", "<="],
    "<": ["<=", ">"],
    "<=": ["<", ">="],
}
_VALUE_TOKENS = {TokenType.NUMBER, TokenType.STRING, TokenType.L_PAREN}


def _mut_wrong_operator(site: _Site) -> list[_Edit]:
    # comparisons with a value, not join conditions: `x > 3`, `x = (SELECT ...)`
    ops = [
        i
        for i, tok in enumerate(site.tokens[1:-1], start=1)
        if tok.text in _OPERATOR_SWAPS
        and (site.tokens[i + 1].token_type in _VALUE_TOKENS or site.tokens[i - 1].token_type in _VALUE_TOKENS)
    ]
    return [
        (t.start, t.end + 1, site.rng.choice(_OPERATOR_SWAPS[t.text]))
        for t in (site.tokens[i] for i in site.sample(ops))
    ]


def _mut_wrong_constant(site: _Site) -> list[_Edit]:
    literals = [
        i
        for i in site.kinds(TokenType.NUMBER, TokenType.STRING)
        if not (i and site.tokens[i - 1].token_type == TokenType.LIMIT)
    ]
    out = []
    for i in site.sample(literals):
        tok = site.tokens[i]
        if tok.token_type == TokenType.STRING:
            value = _other_value(site, i) or _garble(tok.text, site.rng)
            quote = site.program[tok.start]
            out.append((tok.start, tok.end + 1, quote + value.replace(quote, quote * 2) + quote))
            continue
        try:
            number = float(tok.text)
        except ValueError:
            continue
        if number.is_integer() and "." not in tok.text and "e" not in tok.text.lower():
            n = int(number)
            new = str(site.rng.choice([n + 1, n - 1, n * 2 if n else 2, n + 10]))
        else:
            new = repr(round(number * site.rng.choice([0.5, 1.1, 2.0]) + 0.5, 2))
        out.append((tok.start, tok.end + 1, new))
    return out


def _garble(value: str, rng: random.Random) -> str:
    options = [value.lower(), value.upper(), value[:-1], value + "s"]
    return rng.choice([o for o in options if o != value] or [value + "x"])


def _other_value(site: _Site, i: int) -> str | None:
    """Another value of the column a string is compared with, read from the database when there are rows."""
    if site.schema is None or site.schema.rows_source is None or i < 2:
        return None
    name_tok, op = site.tokens[i - 2], site.tokens[i - 1]
    if name_tok.token_type not in (TokenType.VAR, TokenType.IDENTIFIER) or op.token_type not in (
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.LIKE,
    ):
        return None
    qualifier = site.tokens[i - 4].text if i >= 4 and site.tokens[i - 3].token_type == TokenType.DOT else ""
    col = next(
        (
            c
            for c in site.stmt.find_all(exp.Column)
            if c.name.lower() == name_tok.text.lower() and c.table.lower() == qualifier.lower()
        ),
        None,
    )
    table = site.table_of(col) if col is not None else None
    if col is None or table is None:
        return None
    conn = site.schema.rows_source()
    deadline = time.monotonic() + 1.0
    try:
        conn.set_authorizer(_read_only_authorizer)
        conn.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
        name = _quote(col.name)
        values = conn.execute(
            f"SELECT DISTINCT {name} FROM {_quote(table)} WHERE {name} IS NOT NULL AND {name} != ? ORDER BY 1 LIMIT 50",
            (site.tokens[i].text,),
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    strings = [v[0] for v in values if isinstance(v[0], str)]
    return site.rng.choice(strings) if strings else None


def _mut_drop_order_by(site: _Site) -> list[_Edit]:
    out = []
    for i in site.sample(site.kinds(TokenType.ORDER_BY)):
        tok, j = site.tokens[i], site.clause_end(i)
        if j < len(site.tokens) and site.tokens[j].token_type not in (TokenType.R_PAREN, TokenType.SEMICOLON):
            out.append((tok.start, site.tokens[j].start, ""))  # up to the LIMIT / UNION that follows
        else:  # up to the end or a closing parenthesis: drop the space before ORDER BY too
            end = site.tokens[j].start if j < len(site.tokens) else site.tokens[-1].end + 1
            out.append((len(site.program[: tok.start].rstrip()), end, ""))
    return out


def _mut_limit_change(site: _Site) -> list[_Edit]:
    out = []
    for i in site.sample(site.kinds(TokenType.LIMIT)):
        if i + 1 >= len(site.tokens) or not site.tokens[i + 1].text.isdigit():
            continue
        tok, num = site.tokens[i], site.tokens[i + 1]
        n = int(num.text)
        if site.rng.random() < 0.3 and (
            i + 2 == len(site.tokens) or site.tokens[i + 2].token_type == TokenType.SEMICOLON
        ):
            out.append((len(site.program[: tok.start].rstrip()), num.end + 1, ""))  # drop the LIMIT
        else:
            out.append(
                (num.start, num.end + 1, str(site.rng.choice([c for c in (n + 1, n + 2, n - 1, 10) if 0 < c != n])))
            )
    return out


def _mut_flip_order(site: _Site) -> list[_Edit]:
    terms: list[tuple[int, int | None]] = []  # the last token of every ORDER BY term
    for i in site.kinds(TokenType.ORDER_BY):
        last = None
        for k in range(i + 1, site.clause_end(i)):
            if site.tokens[k].token_type == TokenType.COMMA and site.depths[k] == site.depths[i]:
                terms.append((i, last))
            last = k
        terms.append((i, last))
    out = []
    for i, k in site.sample([t for t in terms if t[1] is not None]):
        t = site.tokens[k]
        if t.token_type in (TokenType.DESC, TokenType.ASC):
            out.append((t.start, t.end + 1, _match_case(t.text, "ASC" if t.token_type == TokenType.DESC else "DESC")))
        else:
            out.append((t.end + 1, t.end + 1, " " + _match_case(site.tokens[i].text.split()[0], "DESC")))
    return out


def _mut_wrong_qualifier(site: _Site) -> list[_Edit]:
    """`T1.col` written `T2.col`, T2 being another table of the query that lacks col (a real LLM's error)."""
    if site.schema is None:
        return []
    out = []
    for col in site.sample([c for c in site.stmt.find_all(exp.Column) if c.table]):
        others = [
            t.alias_or_name
            for t in site.tables_around(col)
            if t.alias_or_name.lower() != col.table.lower()
            and col.name.lower() not in site.schema.columns.get(t.name.lower(), {})
        ]
        span = site.qualifier_span(col)
        if others and span is not None:
            out.append((span[0], span[1], site.rng.choice(others)))
    return out


def _mut_foreign_column(site: _Site) -> list[_Edit]:
    """A column of a table the query doesn't read, in place of one it does (the commonest real LLM error): a
    column that shares a word with the right one when there is one."""
    if site.schema is None:
        return []
    out = []
    for col in site.sample(list(site.stmt.find_all(exp.Column))):
        span = site.name_span(col.this)
        read = {t.name.lower() for t in site.tables_around(col)}
        if span is None or not read:
            continue
        in_scope = {c for t in read for c in site.schema.columns.get(t, {})}
        foreign = sorted(
            {
                c
                for t, cols in site.schema.tables.items()
                if t.lower() not in read
                for c, _ in cols
                if c.lower() not in in_scope
            }
        )
        words = set(_words(col.name))
        alike = [c for c in foreign if words & set(_words(c))]
        if foreign:
            out.append((span[0], span[1], site.rng.choice(alike or foreign)))
    return out


_JOIN_WORDS = {TokenType.JOIN, TokenType.INNER, TokenType.LEFT, TokenType.RIGHT, TokenType.OUTER, TokenType.CROSS,
               TokenType.NATURAL, TokenType.FULL}  # fmt: skip
_CLAUSE_STARTS = _JOIN_WORDS | {TokenType.WHERE, TokenType.GROUP_BY, TokenType.ORDER_BY, TokenType.HAVING,
                                TokenType.LIMIT, TokenType.UNION, TokenType.EXCEPT, TokenType.INTERSECT,
                                TokenType.SEMICOLON}  # fmt: skip


def _mut_dropped_join(site: _Site) -> list[_Edit]:
    """`FROM a AS T1 JOIN b AS T2 ON ... WHERE T2.x` written `FROM a AS T1 WHERE x`: the join real LLMs forget, so
    that b's columns are unknown. One edit from the first cut to the last."""
    out = []
    for join in site.sample([j for j in site.stmt.find_all(exp.Join) if j.args.get("on")]):
        select, table = join.parent, join.this
        if not isinstance(select, exp.Select) or not isinstance(table, exp.Table) or "start" not in table.this.meta:
            continue
        alias = table.alias_or_name.lower()
        first = next(k for k, t in enumerate(site.tokens) if t.start >= table.this.meta["start"])
        while first and site.tokens[first - 1].token_type in _JOIN_WORDS:
            first -= 1
        depth = site.depths[first]
        after = (k for k in range(first + 1, len(site.tokens)) if site.depths[k] < depth or (
            site.depths[k] == depth and site.tokens[k].token_type in _CLAUSE_STARTS))  # fmt: skip
        last = next(after, None)
        cuts = [(site.tokens[first].start, site.tokens[last].start if last is not None else len(site.program))]
        for col in select.find_all(exp.Column):
            qualifier = col.args.get("table")
            if col.table.lower() != alias or not isinstance(qualifier, exp.Identifier):
                continue
            at = qualifier.meta.get("start")
            if at is None or "start" not in col.this.meta:
                break
            if col.find_ancestor(exp.Join) not in (None, join):  # another join's condition needs the table
                break
            if not cuts[0][0] <= at < cuts[0][1]:
                cuts.append((at, col.this.meta["start"]))
        else:
            if len(cuts) > 1:
                cuts.sort()
                pieces = [site.program[a[1] : b[0]] for a, b in itertools.pairwise(cuts)]
                out.append((cuts[0][0], cuts[-1][1], "".join(pieces)))
    return out


def _mut_dropped_qualifier(site: _Site) -> list[_Edit]:
    """`T1.col` written `col` where another table of the query has a column of that name too: ambiguous."""
    if site.schema is None:
        return []
    out = []
    for col in site.sample([c for c in site.stmt.find_all(exp.Column) if c.table]):
        owners = [t for t in site.tables_around(col) if col.name.lower() in site.schema.columns.get(t.name.lower(), {})]
        start, end = site.qualifier_span(col), site.name_span(col.this)
        if len(owners) > 1 and start is not None and end is not None:
            out.append((start[0], end[0], ""))
    return out


def _words(name: str) -> list[str]:
    """The words of a name in any style: `CountryName`, `country_name`, `COUNTRY_NAME` -> country, name."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]


_ABBREVIATIONS = {
    "identifier": "id", "number": "num", "name": "nm", "description": "desc", "department": "dept",
    "employee": "emp", "customer": "cust", "quantity": "qty", "address": "addr", "amount": "amt", "date": "dt",
    "product": "prod", "category": "cat", "country": "ctry", "student": "stu", "teacher": "tchr", "average": "avg",
    "count": "cnt", "price": "prc", "manager": "mgr", "title": "ttl", "year": "yr", "order": "ord",
}  # fmt: skip


@functools.cache
def _keywords() -> frozenset[str]:
    """sqlglot's keywords, word by word (ORDER BY: ORDER and BY), and the aggregates, SQL's builtins."""
    words = {w for k in sqlglot.tokens.Tokenizer.KEYWORDS for w in k.split() if w.isalpha()}
    return frozenset(words | {"COUNT", "SUM", "AVG", "MIN", "MAX"})


@functools.cache
def _lexicon() -> list[str]:
    """Common English words of 3-10 letters (wordfreq's list) that aren't SQL keywords, sorted: the same seed draws
    the same words."""
    import wordfreq

    keywords = {k.lower() for k in sqlglot.tokens.Tokenizer.KEYWORDS}
    words = wordfreq.top_n_list("en", 20000)
    return sorted({w for w in words if re.fullmatch(r"[a-z]{3,10}", w) and w not in keywords})


class _Namer:
    """New names in one naming style per schema, as real databases differ: `CountryName`, `country_name`,
    `Country_Name`, `COUNTRY_NAME`, `countryName`; some words abbreviated, table names singular or plural and
    sometimes prefixed."""

    def __init__(self, rng: random.Random, fresh_words: float = 0.0) -> None:
        self.rng = rng
        self.style = rng.choice(["snake", "Snake", "Camel", "camel", "UPPER", "flat"])
        self.abbreviate = rng.random() < 0.4
        self.plural = rng.choice([None, True, False])  # None: as they are
        self.prefix = rng.choice(["", "", "", "tbl_", "t_"])
        # words swapped for other English words, the same swap everywhere in the schema: names no model has seen,
        # as on a real database it never trained on
        self.fresh: dict[str, str] | None = {} if rng.random() < fresh_words else None

    def join(self, words: list[str]) -> str:
        if self.style == "snake":
            return "_".join(words)
        if self.style == "Snake":
            return "_".join(w.upper() if w == "id" else w.capitalize() for w in words)
        if self.style == "Camel":
            return "".join(w.upper() if w == "id" else w.capitalize() for w in words)
        if self.style == "camel":
            return words[0] + "".join(w.upper() if w == "id" else w.capitalize() for w in words[1:])
        if self.style == "UPPER":
            return "_".join(words).upper()
        return "".join(words)

    def words(self, name: str) -> list[str]:
        words = _words(name) or [name.lower()]
        if self.fresh is not None:
            lexicon = _lexicon()
            words = [
                w if w == "id" or w.isdigit() else self.fresh.setdefault(w, self.rng.choice(lexicon)) for w in words
            ]
        if self.abbreviate:
            words = [_ABBREVIATIONS.get(w, w) if self.rng.random() < 0.7 else w for w in words]
        return words

    def table(self, name: str) -> str:
        words = self.words(name)
        last = words[-1]
        if self.plural is True and not last.endswith("s"):
            words[-1] = last + "s"
        elif self.plural is False and last.endswith("s") and len(last) > 3:
            words[-1] = last[:-1]
        table = self.join(words)
        return (self.prefix.upper() if self.style == "UPPER" else self.prefix) + table

    def column(self, name: str) -> str:
        return self.join(self.words(name))


_Maker = Callable[[_Site], list[_Edit]]
_INVALID_KINDS: dict[str, tuple[_Maker, set[str]]] = {
    "keyword-typo": (_mut_keyword_typo, {"syntax"}),
    "unknown-column": (_mut_unknown_column, {"unknown-column"}),
    "unknown-table": (_mut_unknown_table, {"unknown-table"}),
    "wrong-qualifier": (_mut_wrong_qualifier, {"unknown-column"}),
    "foreign-column": (_mut_foreign_column, {"unknown-column"}),
    "dropped-join": (_mut_dropped_join, {"unknown-column"}),
    "dropped-qualifier": (_mut_dropped_qualifier, {"ambiguous-column"}),
    "unbalanced-paren": (_mut_unbalanced_paren, {"syntax"}),
    "unclosed-quote": (_mut_unclosed_quote, {"syntax"}),
    "missing-comma": (_mut_missing_comma, {"syntax"}),
    "trailing-comma": (_mut_trailing_comma, {"syntax"}),
}
_VALID_KINDS: dict[str, tuple[_Maker, set[str]]] = {
    "wrong-column": (_mut_wrong_column, set()),
    "wrong-operator": (_mut_wrong_operator, set()),
    "wrong-constant": (_mut_wrong_constant, set()),
    "drop-order-by": (_mut_drop_order_by, set()),
    "limit-change": (_mut_limit_change, set()),
    "flip-order": (_mut_flip_order, set()),
}
# the errors real LLMs make most on real schemas (a column of another table, a near-miss name, a shared column left
# unqualified) come up more often than typos, which they rarely make
_KIND_WEIGHTS = {
    "foreign-column": 3, "dropped-join": 3, "wrong-qualifier": 3, "dropped-qualifier": 3, "unknown-column": 2
}  # fmt: skip
MUTATION_KINDS = {"invalid": tuple(_INVALID_KINDS), "valid": tuple(_VALID_KINDS)}
