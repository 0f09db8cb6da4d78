"""Which table a column belongs to in a SELECT's scopes, and the join or qualification that fixes a name the
query reads from the wrong place: what the validator's messages and `rule_fix` suggest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from slmfix_exp.dsl.sql.schema import _Schema


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
