"""Schemas: statements classified before parsing, a schema read from a database, DDL or a Spider entry
into an in-memory copy, its tables, columns and foreign keys."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.schema import MappingSchema

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
