"""Does AST similarity agree with execution? The SLMFix paper's Table 3 check (it reports 73-78% agreement).

    python experiments/similarity_vs_execution.py [--spider ../shared/data/sql/spider] [--limit 499] [--seed 0]

For every Spider dev gold query, candidates are built two ways:
- valid but off: the SQL module's valid mutations (wrong column, operator, constant, ORDER BY / LIMIT changes),
  the first two kinds that apply;
- rewrites meant to be equivalent, made on the sqlglot AST: table aliases renamed (or added), AND/OR and `=`
  operands swapped, `a > b` written `b < a` (these three the tree normaliser undoes), and BETWEEN spelled as two
  comparisons, `x IN (a, b)` as `x = a OR x = b`, the two tables of a join swapped, `count(*)` as `count(1)`,
  `SELECT DISTINCT a` as `SELECT a ... GROUP BY a` (these it does not).
Each candidate and its gold query run on the real database (read-only, time-limited): a candidate is
execution-equivalent when it returns the same multiset of rows. Then "similarity >= t" is read as a prediction of
equivalence, and the agreement rate at the best t is printed for `ted` (1 - TED / (|a| + |b|)) and `paper`
(1 / (1 + TED)) similarity, next to the majority-class rate (what a constant guess gets).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import sqlglot
from sqlglot import exp

from slmfix_exp.dsl.sql import SQL
from slmfix_exp.evaluate import best_threshold

DEFAULT_SPIDER = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sql" / "spider"


def _rename_aliases(tree: exp.Expression) -> bool:
    tables = list(tree.find_all(exp.Table))
    aliased = [t for t in tables if t.alias]
    if aliased:
        mapping = {t.alias.lower(): f"x{i}" for i, t in enumerate(aliased)}
        if len(set(mapping)) != len(aliased):  # an alias reused in a subquery: renamed alike, still a bijection
            mapping = {a: f"x{i}" for i, a in enumerate(sorted(mapping))}
        for t in aliased:
            t.set("alias", exp.TableAlias(this=exp.to_identifier(mapping[t.alias.lower()])))
        for col in tree.find_all(exp.Column):
            if col.table and col.table.lower() in mapping:
                col.set("table", exp.to_identifier(mapping[col.table.lower()]))
        return True
    if len(tables) == 1 and not list(tree.find_all(exp.Subquery)):  # one table: give it an alias and use it
        tables[0].set("alias", exp.TableAlias(this=exp.to_identifier("t0")))
        for col in tree.find_all(exp.Column):
            if not col.table and not col.this.quoted:  # "USA" may be SQLite's double-quoted string
                col.set("table", exp.to_identifier("t0"))
        return True
    return False


def _swap_operands(tree: exp.Expression) -> bool:
    nodes = [n for n in tree.find_all(exp.And, exp.Or, exp.EQ)]
    for n in nodes:
        left, right = n.this, n.expression
        n.set("this", right)
        n.set("expression", left)
    return bool(nodes)


def _flip_comparisons(tree: exp.Expression) -> bool:
    flips = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}
    nodes = [n for n in tree.find_all(*flips)]
    for n in nodes:
        n.replace(flips[type(n)](this=n.expression.copy(), expression=n.this.copy()))
    return bool(nodes)


def _between_as_range(tree: exp.Expression) -> bool:
    nodes = [n for n in tree.find_all(exp.Between) if not isinstance(n.parent, exp.Not)]
    for n in nodes:
        low = exp.GTE(this=n.this.copy(), expression=n.args["low"].copy())
        high = exp.LTE(this=n.this.copy(), expression=n.args["high"].copy())
        n.replace(exp.Paren(this=exp.And(this=low, expression=high)))
    return bool(nodes)


def _in_as_or(tree: exp.Expression) -> bool:
    nodes = [
        n
        for n in tree.find_all(exp.In)
        if n.expressions and not n.args.get("query") and not isinstance(n.parent, exp.Not)
    ]
    for n in nodes:
        ors = [exp.EQ(this=n.this.copy(), expression=v.copy()) for v in n.expressions]
        n.replace(exp.Paren(this=exp.or_(*ors)))
    return bool(nodes)


def _join_swap(tree: exp.Expression) -> bool:
    swapped = False
    for sel in tree.find_all(exp.Select):
        frm, joins = sel.args.get("from_"), sel.args.get("joins") or []
        if frm is None or len(joins) != 1 or joins[0].side or joins[0].kind not in ("", None, "INNER"):
            continue
        if (
            not joins[0].args.get("on")
            or not isinstance(frm.this, exp.Table)
            or not isinstance(joins[0].this, exp.Table)
        ):
            continue
        first, second = frm.this.copy(), joins[0].this.copy()
        frm.set("this", second)
        joins[0].set("this", first)
        swapped = True
    return swapped


def _count_one(tree: exp.Expression) -> bool:
    stars = [c for c in tree.find_all(exp.Count) if isinstance(c.this, exp.Star)]
    for c in stars:
        c.set("this", exp.Literal.number(1))
    return bool(stars)


def _distinct_as_group_by(tree: exp.Expression) -> bool:
    done = False
    for sel in tree.find_all(exp.Select):
        if (
            sel.args.get("distinct")
            and not sel.args.get("group")
            and all(isinstance(e, exp.Column) for e in sel.expressions)
        ):
            sel.set("distinct", None)
            sel.set("group", exp.Group(expressions=[e.copy() for e in sel.expressions]))
            done = True
    return done


# the first three are spellings the tree normaliser undoes; the others it does not
REWRITES = {
    "alias-rename": _rename_aliases,
    "swap-operands": _swap_operands,
    "flip-comparison": _flip_comparisons,
    "between-as-range": _between_as_range,
    "in-as-or": _in_as_or,
    "join-swap": _join_swap,
    "count-one": _count_one,
    "distinct-as-group-by": _distinct_as_group_by,
}


def rewrites(query: str, rng: random.Random, k: int) -> list[tuple[str, str]]:
    out = []
    for name in rng.sample(list(REWRITES), len(REWRITES)):
        try:
            tree = sqlglot.parse_one(query, read="sqlite")
        except sqlglot.errors.ParseError:
            return []
        if REWRITES[name](tree):
            out.append((name, tree.sql(dialect="sqlite")))
        if len(out) == k:
            break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spider", type=Path, default=DEFAULT_SPIDER)
    parser.add_argument("--limit", type=int, default=0, help="first N gold queries (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-source", type=int, default=2, help="mutations and rewrites per gold query")
    args = parser.parse_args()
    records = [json.loads(line) for line in (args.spider / "dev.jsonl").read_text().splitlines() if line.strip()]
    records = records[: args.limit or None]
    dsl, rng = SQL(), random.Random(args.seed)

    rows = []  # (source, kind, equivalent, ted, paper)
    skipped = Counter()
    for r in records:
        gold, ctx = r["program"], {"db_path": str((args.spider / r["db_path"]).resolve())}
        candidates = rewrites(gold, rng, args.per_source)
        kinds_seen: set[str] = set()
        for _ in range(6):
            m = dsl.mutate(gold, ctx, rng, invalid=False)
            if m is not None and m.label not in kinds_seen:
                kinds_seen.add(m.label)
                candidates.append((m.label, m.program))
            if len(kinds_seen) == args.per_source:
                break
        seen = {gold}
        for kind, cand in candidates:
            if cand in seen or not dsl.validate(cand, ctx).ok:
                skipped["invalid or repeated"] += 1
                continue
            seen.add(cand)
            same = dsl.execution_match(cand, gold, ctx, time_limit=5.0)
            if same is None:
                skipped["gold failed"] += 1
                continue
            source = "rewrite" if kind in REWRITES else "mutation"
            ted = dsl.similarity(cand, gold, ctx, kind="ted")
            paper = dsl.similarity(cand, gold, ctx, kind="paper")
            rows.append((source, kind, same, ted, paper))

    labels = [row[2] for row in rows]
    print(f"{len(records)} gold queries, {len(rows)} candidates ({sum(labels)} execution-equivalent)", end="")
    print(f"; skipped: {dict(skipped)}")
    by_kind: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in rows:
        by_kind[(row[0], row[1])].append(row)
    print(f"\n{'source / kind':34} {'n':>5} {'equiv':>6} {'ted':>6} {'paper':>6}")
    for (source, kind), group in sorted(by_kind.items()):
        equiv = sum(g[2] for g in group) / len(group)
        ted = statistics.mean(g[3] for g in group)
        paper = statistics.mean(g[4] for g in group)
        print(f"{source + ' / ' + kind:34} {len(group):5d} {equiv:6.1%} {ted:6.3f} {paper:6.3f}")

    majority = max(sum(labels), len(labels) - sum(labels)) / len(labels)
    print(f"\nagreement of (similarity >= t) with execution equivalence; majority-class guess: {majority:.1%}")
    for name, col in (("ted", 3), ("paper", 4)):
        scores = [row[col] for row in rows]
        t, agree = best_threshold(scores, labels)
        exact = sum((s >= 1.0) == y for s, y in zip(scores, labels, strict=True)) / len(labels)
        print(f"{name:6} best t = {t:.3f}: {agree:.1%}   (t = 1, identical trees: {exact:.1%})")


if __name__ == "__main__":
    main()
