"""Exact unit-cost tree edit distance, equal to `zss.simple_distance` with a 0/1 label distance, only faster.

The distance is the one of Zhang & Shasha (1989), "Simple fast algorithms for the editing distance between trees
and related problems", SIAM J. Comput. 18(6): the least total cost of deleting nodes of `a`, inserting nodes of `b`
and relabelling mapped nodes, with the costs `zss.simple_distance(a, b, label_dist=lambda x, y: 0 if x == y else 1)`
implies: relabel 0 when the labels are `==` and 1 otherwise; insert or delete 1, except 0 for a node labelled ''
(zss prices those as `label_dist('', label)`). Any exact algorithm returns the same number; this one is still
Zhang-Shasha's recurrence, computed three ways faster than zss:

- Labels are interned to ints and the trees flattened to postorder arrays (leftmost-leaf and keyroot lists), so
  the inner loop compares ints in local variables instead of calling cost callbacks per cell.
- Path choice: mirroring both trees gives the same distance (mappings keep ancestor and sibling order either way),
  and swapping them only transposes the tables, so of the four "left/right path, which tree is the row tree"
  variants the one with the least estimated work is run. This is the cheap half of the idea behind RTED/APTED
  (Pawlik & Augsten 2011, 2016), who choose a path per subtree pair.
- Large inputs run a numpy form of the recurrence. For one keyroot `i` of the row tree, the forest-distance rows of
  all keyroots `j` of the column tree are laid side by side in one vector, and a row is computed in a handful of
  vector operations: the delete and "map a whole subtree" candidates are element-wise, and the insert chain
  `fd[x][y] = min(c[y], fd[x][y-1] + ins(y))` is a prefix minimum, `S[y] + cummin(c - S)[y]` with `S` the
  prefix sums of insert costs (kept from leaking across segments by a per-segment offset). Rows of nodes on the
  left path of `i` read tree distances of the same row that lower keyroots of the column tree produce, so those
  rows are computed block by block in order of keyroot nesting depth.

Small inputs use the plain-Python loop, whose per-call cost beats numpy's fixed per-operation overhead; cost models
of both engines pick the engine and the orientation. Everything is iterative (explicit stacks), so trees nested
10,000+ deep work (a 10,000-node chain against a small tree: ~0.2 s). There is no size cap; the work is
Zhang-Shasha's, O(|a| |b| min(depth, leaves)(a) min(depth, leaves)(b)) time for the better orientation, and its
worst case is one left-branching tree against one right-branching tree (two opposite 2,000-node caterpillars take
over a minute), where APTED's per-subtree path choice would be quadratic.
Labels must be hashable with `==` consistent with `hash` (strings, numbers, tuples); unhashable labels and labels
unequal to themselves (NaN) are handled too, by `==` scans and by a fresh id respectively.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import zss


class _Tree(NamedTuple):
    """A tree flattened in postorder, as Zhang-Shasha's recurrence wants it."""

    label: list[int]  # interned label id per node
    cost: list[int]  # insert or delete cost per node: 0 for a node labelled '', else 1
    lmd: list[int]  # postorder index of the node's leftmost leaf
    keyroots: list[int]  # the root and every node with a left sibling, increasing
    level: dict[int, int]  # keyroot -> 1 + the deepest level of a keyroot strictly below it (0 if none)

    @property
    def work(self) -> int:
        """Sum of keyroot subtree sizes: the number of table rows this tree contributes as the row tree."""
        return sum(k - self.lmd[k] + 1 for k in self.keyroots)


class _Interner:
    """Maps labels to small ints so that two ids are equal exactly when zss would price the relabel 0."""

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}
        self.unhashable: list[tuple[Any, int]] = []

    def __call__(self, label: Any) -> int:
        try:
            if label == label:
                return self.ids.setdefault(label, len(self.ids))
        except TypeError:  # unhashable: zss only needs ==, so compare with the ones seen so far
            for seen, ident in self.unhashable:
                if label == seen:
                    return ident
            ident = self.ids.setdefault(object(), len(self.ids))
            self.unhashable.append((label, ident))
            return ident
        # label != label (NaN): zss prices even its relabel to itself 1, so it gets an id nothing shares.
        return self.ids.setdefault(object(), len(self.ids))


def _flatten(root: zss.Node, intern: _Interner, mirrored: bool) -> _Tree:
    """Postorder arrays of `root` (of its mirror image when `mirrored`), without recursion."""
    labels: list[int] = []
    costs: list[int] = []
    lmd: list[int] = []
    keyroots: list[int] = []
    level: dict[int, int] = {}
    # A frame is [node, iterator over its children, its leftmost leaf (-1 until the first child reports),
    # the deepest keyroot level met below it (-1 if none)].
    stack: list[list[Any]] = [[root, iter(root.children[::-1] if mirrored else root.children), -1, -1]]
    while stack:
        frame = stack[-1]
        child = next(frame[1], None)
        if child is not None:
            stack.append([child, iter(child.children[::-1] if mirrored else child.children), -1, -1])
            continue
        stack.pop()
        node, _, leftmost, below = frame
        index = len(labels)
        label = node.label
        labels.append(intern(label))
        # zss prices an insert or delete as label_dist between the label and ''.
        costs.append(0 if label == "" else 1)
        if leftmost < 0:
            leftmost = index
        lmd.append(leftmost)
        # The first child hands its leftmost leaf to the parent; every other child (and the root) is a keyroot.
        is_keyroot = not stack or stack[-1][2] >= 0
        if is_keyroot:
            keyroots.append(index)
            level[index] = below + 1
            below = below + 1
        if stack:
            parent = stack[-1]
            if parent[2] < 0:
                parent[2] = leftmost
            if below > parent[3]:
                parent[3] = below
    return _Tree(labels, costs, lmd, keyroots, level)


class _Columns(NamedTuple):
    """One table row for every keyroot `j` of the column tree, side by side.

    Zhang-Shasha fills, per keyroot pair (i, j), a table whose rows are the forests a[li .. x] and whose columns
    are the forests b[lj .. y]. All the tables of one `i` share their rows, so their columns are laid out as one
    row: segment `j` is its column 0 (the empty forest) and then one column per y in lj .. j. Segments are ordered
    by keyroot nesting level (a nested keyroot always has a lower level than the one around it), so a left-to-right
    sweep, or a block-by-block one, meets a nested segment before the segment that reads its distances.
    Rows carry one extra trailing cell, `big`, which the index -1 points at wherever a candidate does not exist.
    """

    y: list[int]  # the node of b a column ends at; -1 for column 0 of a segment
    left_forest: list[int]  # column of the forest b[lj .. lmd(y) - 1], what is left of y's subtree
    ins: list[int]  # insert cost of y; big at column 0 so that the insert chain restarts in every segment
    label: list[int]  # label id of y; -1 at column 0
    row0: list[int]  # first row: cost of inserting b[lj .. y]; ends with the `big` cell
    segment: list[int]  # segment number of the column
    path_col: list[int]  # per node y of b: the column where y lies on its own keyroot's left path
    blocks: list[tuple[int, int]]  # column range of each nesting level, lowest level first


def _columns(b: _Tree, big: int) -> _Columns:
    cols = _Columns([], [], [], [], [], [], [0] * len(b.label), [])

    def add(y: int, left_forest: int, ins: int, label: int, row0: int, segment: int) -> None:
        cols.y.append(y)
        cols.left_forest.append(left_forest)
        cols.ins.append(ins)
        cols.label.append(label)
        cols.row0.append(row0)
        cols.segment.append(segment)

    level = -1
    for s, j in enumerate(sorted(b.keyroots, key=lambda k: (b.level[k], k))):
        if b.level[j] != level:  # a new block starts with the first keyroot of each level
            level = b.level[j]
            cols.blocks.append((len(cols.y), len(cols.y)))
        lj = b.lmd[j]
        base = len(cols.y)
        add(-1, base, big, -1, 0, s)  # column 0: only deletions reach the empty forest
        total = 0
        for y in range(lj, j + 1):
            total += b.cost[y]
            if b.lmd[y] == lj:
                cols.path_col[y] = len(cols.y)
            add(y, base + b.lmd[y] - lj, b.cost[y], b.label[y], total, s)
        cols.blocks[-1] = (cols.blocks[-1][0], len(cols.y))
    cols.row0.append(big)
    return cols


def _python_zhang_shasha(a: _Tree, b: _Tree) -> int:
    """Zhang-Shasha's keyroot recurrence over flat lists, one row of all keyroots of `b` per loop."""
    big = 4 * (len(a.label) + len(b.label) + 1)  # exceeds every real distance: a candidate carrying it never wins
    cols = _columns(b, big)
    row0, left_forest, ins, col_label = cols.row0, cols.left_forest, cols.ins, cols.label
    # What a path row finishes column y with: -1 at column 0 (nothing), 0 on the segment's own left path (relabel
    # x to y), else the column of this same row where td[x][y] was just computed.
    source = [-1 if y < 0 else 0 if cols.path_col[y] == k else cols.path_col[y] for k, y in enumerate(cols.y)]
    td_cols = [cols.path_col[y] if y >= 0 else -1 for y in cols.y]
    td: list[list[int]] = [[] for _ in a.label]  # td[x][k]: distance of subtrees x and (column k's) y
    a_label, a_cost, a_lmd = a.label, a.cost, a.lmd
    root = len(a.label) - 1
    # Each cell is the least of: delete x (the cell above, + dx), insert y (the cell to the left, + cy), and
    # either relabel x to y after the diagonal cell (both on their keyroots' left paths) or map subtree x onto
    # subtree y after the forests left of them (td plus the cell in row "left of x", column "left of y").
    for i in a.keyroots:
        li = a_lmd[i]
        rows = [row0]  # rows[k]: the forest a[li .. li + k - 1]; rows[lmd(x) - li] is "left of x's subtree"
        prev = row0
        for x in range(li, i + 1):
            dx = a_cost[x]
            left = big
            cur: list[int] = []
            append = cur.append
            if a_lmd[x] == li:  # x on i's left path
                ax = a_label[x]
                diag = big
                for up, q, p, cy, by in zip(prev, left_forest, source, ins, col_label, strict=False):
                    v = up + dx
                    w = left + cy
                    if w < v:
                        v = w
                    if p > 0:
                        w = row0[q] + cur[p]
                        if w < v:
                            v = w
                    elif p == 0:
                        w = diag + (ax != by)
                        if w < v:
                            v = w
                    append(v)
                    left = v
                    diag = up
                append(big)
                if x == root:
                    return cur[cols.path_col[-1]]
                if i != root:  # nodes on the root's left path are never off a left path later
                    td[x] = list(map(cur.__getitem__, td_cols))
            else:
                prow = rows[a_lmd[x] - li]
                for up, q, t, cy in zip(prev, left_forest, td[x], ins, strict=False):
                    v = up + dx
                    w = left + cy
                    if w < v:
                        v = w
                    w = prow[q] + t
                    if w < v:
                        v = w
                    append(v)
                    left = v
                append(big)
            rows.append(cur)
            prev = cur
    raise AssertionError("the root is always the last keyroot")


def _numpy_zhang_shasha(a: _Tree, b: _Tree) -> int:
    """The same recurrence, each row of all keyroots of `b` computed by a few numpy vector operations."""
    n_a, n_b = len(a.label), len(b.label)
    big = 4 * (n_a + n_b + 1)
    cols = _columns(b, big)
    width = len(cols.y)
    first_row = np.array(cols.row0, dtype=np.int64)
    ys = np.array(cols.y)
    left_forest = np.array(cols.left_forest)
    path_col = np.array(cols.path_col)
    on_path = np.zeros(width, dtype=bool)
    on_path[path_col] = True
    # The insert chain fd[x][y] = min(c[y], fd[x][y - 1] + ins(y)) is row0[y] + cummin(c - row0)[y] inside a
    # segment; subtracting a per-segment offset that falls from segment to segment keeps the running minimum
    # from carrying over from earlier segments.
    row0_off = first_row[:width] - (len(b.keyroots) - np.array(cols.segment, dtype=np.int64)) * big
    left_row0 = np.where(ys >= 0, first_row[left_forest], big)
    own_col = np.where(on_path | (ys < 0), -1, path_col[ys])  # where a path row reads td[x][y] of this row
    not_path = np.where(on_path, 0, big)
    col_label = np.array(cols.label)

    td: list[np.ndarray | None] = [None] * n_a  # td[x][y], with td[x][-1] = big for the empty forest
    root = n_a - 1
    for i in a.keyroots:
        li = a.lmd[i]
        # Keep only the rows a later node of this keyroot reads as "the forest left of its subtree".
        needed = {a.lmd[x] - li for x in range(li, i + 1) if a.lmd[x] != li}
        rows = {0: first_row}
        prev = first_row
        for x in range(li, i + 1):
            dx = a.cost[x]
            cur = np.empty(width + 1, dtype=np.int64)
            cur[width] = big
            c = cur[:width]
            np.add(prev[:width], dx, out=c)
            if a.lmd[x] == li:  # x on i's left path
                diag = np.empty(width, dtype=np.int64)
                diag[0] = big
                np.add(prev[: width - 1], (col_label[1:] != a.label[x]) + not_path[1:], out=diag[1:])
                np.minimum(c, diag, out=c)
                for s0, s1 in cols.blocks:  # lower levels first: their path columns feed the blocks above
                    block = cur[s0:s1]
                    np.minimum(block, cur[own_col[s0:s1]] + left_row0[s0:s1], out=block)
                    shift = row0_off[s0:s1]
                    block -= shift
                    np.minimum.accumulate(block, out=block)
                    block += shift
                if x == root:
                    return int(cur[cols.path_col[-1]])
                if i != root:  # nodes on the root's left path are never off a left path later
                    td[x] = np.append(cur[path_col], big).astype(np.int32)
            else:
                np.minimum(c, rows[a.lmd[x] - li][left_forest] + td[x][ys], out=c)  # type: ignore[index]
                c -= row0_off
                np.minimum.accumulate(c, out=c)
                c += row0_off
            if x - li + 1 in needed:
                rows[x - li + 1] = cur
            prev = cur
    raise AssertionError("the root is always the last keyroot")


# Cost models of the two engines in nanoseconds, least-squares fitted on the project's 2-core CPU over random and
# SQL trees of 5-160 nodes. A wrong pick only costs time, never exactness.
def _python_estimate(rows: _Tree, cols: _Tree) -> float:
    width = cols.work + len(cols.keyroots)
    return 95.0 * rows.work * width + 2000.0 * rows.work + 10_000.0


def _numpy_estimate(rows: _Tree, cols: _Tree) -> float:
    width = cols.work + len(cols.keyroots)
    path_rows = len(rows.label)  # every node is on exactly one keyroot's left path
    other_rows = rows.work - path_rows
    blocks = 1 + max(cols.level.values())
    return other_rows * (5200.0 + 3.0 * width) + path_rows * (3600.0 + 2000.0 * blocks + 17.0 * width) + 54_000.0


def tree_size(node: zss.Node) -> int:
    """Number of nodes, counted without recursion."""
    stack, n = [node], 0
    while stack:
        cur = stack.pop()
        n += 1
        stack.extend(cur.children)
    return n


def tree_edit_distance(a: zss.Node, b: zss.Node) -> int:
    """`zss.simple_distance(a, b, label_dist=lambda x, y: 0 if x == y else 1)`, computed exactly and faster."""
    intern = _Interner()
    candidates: list[tuple[float, Any, _Tree, _Tree]] = []
    for mirrored in (False, True):
        ta = _flatten(a, intern, mirrored)
        tb = _flatten(b, intern, mirrored)
        for rows, cols in ((ta, tb), (tb, ta)):
            candidates.append((_python_estimate(rows, cols), _python_zhang_shasha, rows, cols))
            candidates.append((_numpy_estimate(rows, cols), _numpy_zhang_shasha, rows, cols))
    _, engine, rows, cols = min(candidates, key=lambda candidate: candidate[0])
    return int(engine(rows, cols))
