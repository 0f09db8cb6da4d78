"""slmfix_exp.ted must return exactly what zss returns with unit costs, on any tree pair, of any depth."""

from __future__ import annotations

import math

import pytest
import zss
from hypothesis import given, settings
from hypothesis import strategies as st

from slmfix_exp import ted
from slmfix_exp.ted import tree_edit_distance, tree_size


def reference(a: zss.Node, b: zss.Node) -> int:
    # Costs passed explicitly: zss's default label distance changes when `editdistance` is installed.
    return int(zss.simple_distance(a, b, label_dist=lambda x, y: 0 if x == y else 1))


def node(label: object, *children: zss.Node) -> zss.Node:
    return zss.Node(label, list(children))


def chain(n: int, label: object = "a") -> zss.Node:
    root = cur = zss.Node(label)
    for _ in range(n - 1):
        nxt = zss.Node(label)
        cur.children.append(nxt)
        cur = nxt
    return root


@st.composite
def trees(draw: st.DrawFn, max_size: int = 40) -> zss.Node:
    """Any shape: node k hangs under an earlier node; labels from a tiny alphabet so that they repeat.

    '' is in the alphabet because zss prices inserting or deleting a node labelled '' at 0.
    """
    n = draw(st.integers(1, max_size))
    alphabet = draw(st.sampled_from([["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", ""]]))
    nodes = [zss.Node(draw(st.sampled_from(alphabet))) for _ in range(n)]
    for k in range(1, n):
        nodes[draw(st.integers(0, k - 1))].children.append(nodes[k])
    return nodes[0]


@settings(max_examples=120, deadline=None)
@given(trees(), trees())
def test_equals_zss_on_random_trees(a: zss.Node, b: zss.Node) -> None:
    assert tree_edit_distance(a, b) == reference(a, b)


@settings(max_examples=60, deadline=None)
@given(trees(max_size=25), trees(max_size=25))
def test_every_engine_and_orientation_equals_zss(a: zss.Node, b: zss.Node) -> None:
    # tree_edit_distance runs one of eight variants per pair; each must be exact on its own.
    expected = reference(a, b)
    intern = ted._Interner()
    for mirrored in (False, True):
        ta = ted._flatten(a, intern, mirrored)
        tb = ted._flatten(b, intern, mirrored)
        for rows, cols in ((ta, tb), (tb, ta)):
            assert ted._python_zhang_shasha(rows, cols) == expected
            assert ted._numpy_zhang_shasha(rows, cols) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (node("a"), node("a"), 0),
        (node("a"), node("b"), 1),
        (node("a", node("b"), node("c")), node("a", node("b"), node("c")), 0),
        (node("a", node("b"), node("c")), node("a", node("c"), node("b")), 2),
        (node("a"), chain(6), 5),  # a bare root maps onto one chain node, the rest is deleted
        (node("x"), chain(6), 6),
        (chain(4), chain(7), 3),
        (
            node("f", node("d", node("a"), node("c", node("b"))), node("e")),
            node("f", node("c", node("d", node("a"), node("b"))), node("e")),
            2,
        ),
        (node(""), node("a", node("")), 1),  # '' nodes are free to insert and delete
    ],
)
def test_edge_cases(a: zss.Node, b: zss.Node, expected: int) -> None:
    assert tree_edit_distance(a, b) == expected == reference(a, b)
    assert tree_edit_distance(b, a) == expected


def test_identical_trees_are_at_distance_zero() -> None:
    t = node("select", node("cols", node("a"), node("b")), node("from", node("t")), node("where", node("=", node("a"))))
    assert tree_edit_distance(t, t) == 0


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (1, 2),
        (1, 1.0),  # == across types, as zss compares
        (("t", 1), ("t", 1)),
        (["un", "hashable"], ["un", "hashable"]),
        (float("nan"), float("nan")),
    ],
)
def test_non_string_labels_compare_as_zss_does(x: object, y: object) -> None:
    a = node(x, node(y), node("k", node(x)))
    b = node(y, node("k", node(y)), node(x))
    assert tree_edit_distance(a, b) == reference(a, b)


def test_same_nan_object_relabels_at_cost_one_like_zss() -> None:
    nan = math.nan  # one object: a dict would call it equal to itself, zss's `==` does not
    a, b = node(nan, node("a")), node(nan, node("a"))
    assert tree_edit_distance(a, b) == reference(a, b) == 1


def test_deep_chains_do_not_recurse() -> None:
    deep = chain(10_000)
    assert tree_size(deep) == 10_000
    assert tree_edit_distance(deep, node("a", node("b"), node("a"))) == 9_999
    assert tree_edit_distance(node("a"), deep) == 9_999
    assert tree_edit_distance(chain(3_000), chain(2_000, "b")) == 3_000


def test_tree_size() -> None:
    assert tree_size(node("a")) == 1
    assert tree_size(node("a", node("b", node("c")), node("d"))) == 4
