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
import hashlib
import itertools
import os
import random
import re
import sqlite3
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlglot
import zss
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.tokens import Token, TokenType

from slmfix_exp.dsl.base import DSL, Context, Diagnostic, Edge, Mutation, Task, Validation
from slmfix_exp.dsl.sql.mutations import MUTATIONS, _Site
from slmfix_exp.dsl.sql.names import _keywords, _Namer
from slmfix_exp.dsl.sql.schema import (
    _CONTEXT_COLUMNS,
    _CONTEXT_TABLES,
    _CULPRIT,
    _EXPLAIN_ERROR,
    _KEYWORDS,
    _NON_QUERY_WORDS,
    _SCHEMA_CACHE_SIZE,
    _TRAILING_COMMA_DIALECTS,
    _TRAILING_SEMICOLONS,
    _TREE_CACHE_SIZE,
    _WRITE_NODES,
    _WRITE_WORDS,
    _describe,
    _first_word,
    _line_col,
    _memory_copy,
    _quote,
    _read_only_authorizer,
    _ro_connect,
    _Schema,
    _spider_ddl,
    _unclosed_quote,
    split_statements,
)
from slmfix_exp.dsl.sql.scopes import (
    _failing_use,
    _join_for,
    _join_key,
    _join_text,
    _other_side,
    _Source,
    _unnest_aggregate,
    _Use,
    _with_join,
)
from slmfix_exp.dsl.sql.similarity import _Normaliser, _to_zss
from slmfix_exp.ted import tree_edit_distance

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
    mutations = MUTATIONS
    max_tree_nodes = 2000  # sqlglot nodes (and, like every DSL, TED's limit); Spider's gold queries have under 100
    # no tree (similarity 0, no mutation) for longer programs: parsing alone is slow (docs/validators.md, costs)
    max_tree_chars = 20_000
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

    @classmethod
    def holdout_group(cls, task: Task) -> str:
        """A database: a held-out part is the databases no rule, prompt or recipe was tuned on."""
        return str(task.context.get("db_id") or task.context.get("db_path") or task.nl)

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
            # SQLite decides (exact, and fast: docs/validators.md, costs); sqlglot only runs on a rejected query, to
            # say where and why
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
        for label, candidate in self.iter_mutations(program, context, rng, invalid):
            # a kind applies when the validator agrees with what it promises (a missing comma can make an alias)
            if self.mutations.kinds[label].kept_by(self.validate(candidate, context)):
                return Mutation(candidate, label, invalid)
        return None

    def iter_mutations(
        self, program: str, context: Context, rng: random.Random, invalid: bool
    ) -> Iterator[tuple[str, str]]:
        """Unchecked candidates (kind, program), a few per kind, kinds in a random order weighted by their `weight`.
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
        kinds = self.mutations.of(invalid)
        # a random order in which a kind comes first with a chance that grows with its weight (Efraimidis-Spirakis)
        order = sorted(kinds, key=lambda k: -(rng.random() ** (1 / kinds[k].weight)))
        for label in order:
            for start, end, text in kinds[label].find(site):
                candidate = program[:start] + text + program[end:]
                if candidate != program:
                    yield label, candidate


def _row_multiset(rows: list[tuple]) -> Counter:
    return Counter(tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows)
