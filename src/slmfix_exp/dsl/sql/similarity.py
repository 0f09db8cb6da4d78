"""Normal form: a qualified sqlglot AST as a label tree with aliases resolved and commutative parts sorted, for
tree edit distance."""

from __future__ import annotations

from collections import Counter

import zss
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

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
