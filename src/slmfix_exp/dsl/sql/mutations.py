"""Mutations: how an LLM breaks a SQL query, as textual edits at sites found in its tokens and AST."""

from __future__ import annotations

import itertools
import random
import re
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from slmfix_exp.dsl.base import MutationKinds
from slmfix_exp.dsl.sql.names import _words
from slmfix_exp.dsl.sql.schema import _quote, _read_only_authorizer, _Schema

# ---- mutations ----------------------------------------------------------------------------------------------------

_Edit = tuple[int, int, str]  # replace program[start:end] with text
_SITES_PER_KIND = 6
# Each kind finds its sites in a `_Site` and returns its edits. The errors real LLMs make most on real schemas (a
# column of another table, a near-miss name, a shared column left unqualified) weigh more than typos, which they
# rarely make.
MUTATIONS = MutationKinds()


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


@MUTATIONS.invalid("keyword-typo", rules={"syntax"})
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


@MUTATIONS.invalid("unknown-column", rules={"unknown-column"}, weight=2)
def _mut_unknown_column(site: _Site) -> list[_Edit]:
    if site.schema is None:
        return []
    return _mut_unknown_name(site, list(site.stmt.find_all(exp.Column)), site.schema.all_columns)


@MUTATIONS.invalid("unknown-table", rules={"unknown-table"})
def _mut_unknown_table(site: _Site) -> list[_Edit]:
    if site.schema is None:
        return []
    return _mut_unknown_name(site, list(site.stmt.find_all(exp.Table)), set(site.schema.columns))


@MUTATIONS.invalid("wrong-qualifier", rules={"unknown-column"}, weight=3)
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


@MUTATIONS.invalid("foreign-column", rules={"unknown-column"}, weight=3)
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


@MUTATIONS.invalid("dropped-join", rules={"unknown-column"}, weight=3)
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


@MUTATIONS.invalid("dropped-qualifier", rules={"ambiguous-column"}, weight=3)
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


@MUTATIONS.invalid("unbalanced-paren", rules={"syntax"})
def _mut_unbalanced_paren(site: _Site) -> list[_Edit]:
    out = [(t.start, t.end + 1, "") for t in (site.tokens[i] for i in site.sample(site.kinds(TokenType.R_PAREN)))]
    selects = site.kinds(TokenType.SELECT)
    if selects:
        tok = site.tokens[site.rng.choice(selects)]
        out.append((tok.end + 1, tok.end + 1, " ("))
    return out


@MUTATIONS.invalid("unclosed-quote", rules={"syntax"})
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


@MUTATIONS.invalid("missing-comma", rules={"syntax"})
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


@MUTATIONS.invalid("trailing-comma", rules={"syntax"})
def _mut_trailing_comma(site: _Site) -> list[_Edit]:
    return [(site.tokens[j - 1].end + 1, site.tokens[j - 1].end + 1, ",") for _, j in site.sample(_select_lists(site))]


def _affinity(declared: str) -> str:
    """SQLite's type affinity, in two classes: a wrong column of the same class is the plausible mistake."""
    t = declared.upper()
    return "text" if any(k in t for k in ("CHAR", "CLOB", "TEXT")) or not t else "number"


@MUTATIONS.valid("wrong-column")
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


@MUTATIONS.valid("wrong-operator")
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


@MUTATIONS.valid("wrong-constant")
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


@MUTATIONS.valid("drop-order-by")
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


@MUTATIONS.valid("limit-change")
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


@MUTATIONS.valid("flip-order")
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
