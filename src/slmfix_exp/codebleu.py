"""CodeBLEU-style similarity (Ren et al., 2020) for our DSLs, from its definition:

    CodeBLEU = 0.25 * BLEU + 0.25 * BLEU_weight + 0.25 * Match_ast + 0.25 * Match_df

- BLEU: sentence BLEU-4 on code tokens (words, numbers, operators), brevity penalty, zero counts smoothed as NLTK's
  method1 (epsilon 0.1), as the CodeBLEU scripts do;
- BLEU_weight: CodeBLEU's weighted n-gram match (`weighted_ngram_match.py` of the CodeBLEU scripts). Unlike BLEU it
  is a recall: for n = 1..4 the share of the reference's n-grams that the candidate has (counts clipped to the
  candidate's), unigrams weighted by the reference token's weight: 1 for a keyword of the language (`DSL.keywords`),
  0.2 for anything else (keywords count five times), in any case where the language's keywords are (SQL); the
  same smoothing, and in effect no brevity penalty (`weighted_ngram_match` says why);
- Match_ast: the share of the reference's subtrees (rooted at inner nodes) that occur in the candidate's tree. The
  trees are the DSL's own normalised trees (`DSL.tree`), with each label reduced to its kind (`col:users.name` ->
  `col`, `module=apt` -> `module`, a bare value -> `leaf`): CodeBLEU's syntax match compares node types and leaves
  names and values to the n-gram terms;
- Match_df: the share of the reference's data-flow edges found in the candidate's, names of variables normalised by
  first appearance as CodeBLEU does. Each language says what flows (`DSL.data_flow`): SQL a column into the clause
  that reads it, Bash a pipe, a substitution into a variable, a variable into a command; Ansible nothing. Where the
  reference has no data flow, the other three terms share its weight (the CodeBLEU scripts score such a corpus 0 and
  warn; for a per-sample reward that would cap every such task at 0.75).

Each term and the total are in [0, 1]; an empty or unparseable candidate gets 0 for the terms it can't have.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import zss

from slmfix_exp.dsl.base import DSL, Context, Edge, is_blank

_TOKEN = re.compile(r"\w+|>=|<=|<>|!=|==|\|\||&&|>>|[^\w\s]")
KEYWORD_WEIGHT, OTHER_WEIGHT = 1.0, 0.2


def tokens(program: str, dsl: DSL) -> list[str]:
    out = _TOKEN.findall(program)
    if dsl.keywords_ignore_case:  # SQL: keywords in any case are one token; names and strings keep their case
        keywords = dsl.keywords()
        out = [t.upper() if t.upper() in keywords else t for t in out]
    return out


def _ngrams(seq: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(seq[i : i + n]) for i in range(len(seq) - n + 1))


def bleu(candidate: list[str], reference: list[str]) -> float:
    """Sentence BLEU-4 with brevity penalty and method1 smoothing: CodeBLEU's n-gram match."""
    if not candidate or not reference:
        return 0.0
    log_p = 0.0
    for n in range(1, 5):
        cand, ref = _ngrams(candidate, n), _ngrams(reference, n)
        matched, total = sum(min(c, ref[g]) for g, c in cand.items()), sum(cand.values())
        if n == 1 and matched == 0:
            return 0.0
        log_p += 0.25 * math.log((matched or 0.1) / max(total, 1))
    return _brevity_penalty(candidate, reference) * math.exp(log_p)


def weighted_ngram_match(candidate: list[str], reference: list[str], weights: dict[str, float]) -> float:
    """CodeBLEU's weighted n-gram match, as its reference implementation computes it (`modified_recall` and
    `corpus_bleu` of `weighted_ngram_match.py`, one sentence): for each n the reference's n-grams, each counted at
    most as often as the candidate has it, over all the reference's n-grams; for n = 1 both sums weigh each token by
    `weights` (given per reference token; a token missing from it weighs 1, as there). As there the denominator is
    at least 1, weighted or not, so a reference of four or fewer non-keyword tokens can't reach 1 even against
    itself. No unigram in common: 0; a zero count otherwise: 0.1 (method1). Its brevity penalty is BLEU's, but with
    the reference's length taken as that of each (tokens, weights) pair, 2: 1 from 2 candidate tokens on, exp(-1)
    for one. So in effect there is none, and being a recall, the term needs none: a short candidate misses
    reference n-grams."""
    if not candidate or not reference:
        return 0.0
    log_p = 0.0
    for n in range(1, 5):
        cand, ref = _ngrams(candidate, n), _ngrams(reference, n)
        weight = {g: weights.get(g[0], 1.0) if n == 1 else 1.0 for g in ref}
        matched = sum(weight[g] * min(c, cand[g]) for g, c in ref.items())
        total = max(1.0, sum(weight[g] * c for g, c in ref.items()))
        if n == 1 and matched == 0:
            return 0.0
        log_p += 0.25 * math.log((matched or 0.1) / total)
    return _brevity_penalty(candidate, ["tokens", "weights"]) * math.exp(log_p)


def _brevity_penalty(candidate: list[str], reference: list[str]) -> float:
    return 1.0 if len(candidate) > len(reference) else math.exp(1 - len(reference) / len(candidate))


_NAMED = re.compile(r"([A-Za-z_]+)[:=]")


def _kind(node: zss.Node) -> str:
    """A node's label without the name or value it carries: `col:users.name` -> `col`, a bare leaf -> `leaf`."""
    label = str(node.label)
    named = _NAMED.match(label)
    if named:
        return named.group(1)
    return label if node.children else "leaf"


def subtrees(tree: zss.Node) -> list[str]:
    """The s-expressions of the subtrees rooted at inner nodes (and at the root), names and values left out."""
    out: list[str] = []

    def sexp(node: zss.Node) -> str:
        if not node.children:
            return _kind(node)
        text = f"({_kind(node)} {' '.join(sexp(c) for c in node.children)})"
        out.append(text)
        return text

    root = sexp(tree)
    if not tree.children:
        out.append(root)
    return out


def syntax_match(candidate: zss.Node | None, reference: zss.Node) -> float:
    ref = subtrees(reference)
    if candidate is None or not ref:
        return 0.0
    cand = set(subtrees(candidate))
    return sum(s in cand for s in ref) / len(ref)


def data_flow(tree: zss.Node | None, dsl: DSL) -> list[Edge]:
    """The language's data-flow edges of a program's tree, variable names normalised by first appearance."""
    if tree is None:
        return []
    names: dict[str, str] = {}

    def norm(name: str) -> str:
        if not name.startswith("$"):
            return name  # a utility, a clause: not a variable
        return names.setdefault(name, f"var_{len(names)}")

    return [(norm(a), how, norm(b)) for a, how, b in dsl.data_flow(tree)]


def dataflow_match(candidate: list[Edge], reference: list[Edge]) -> float | None:
    """The share of reference edges matched one-to-one in the candidate; None when the reference has none."""
    if not reference:
        return None
    left = Counter(candidate)
    matched = 0
    for edge in reference:
        if left[edge] > 0:
            left[edge] -= 1
            matched += 1
    return matched / len(reference)


@dataclass(frozen=True)
class CodeBLEU:
    ngram: float
    weighted_ngram: float
    syntax: float | None  # None: the reference has no tree
    dataflow: float | None  # None: the reference has no data flow, or the language none that applies

    @property
    def score(self) -> float:
        """The mean of the terms that apply: CodeBLEU's equal weights, renormalised."""
        terms = [t for t in (self.ngram, self.weighted_ngram, self.syntax, self.dataflow) if t is not None]
        return min(1.0, max(0.0, sum(terms) / len(terms)))


def codebleu(dsl: DSL, candidate: str, reference: str, context: Context | None = None) -> CodeBLEU:
    """CodeBLEU of `candidate` against `reference` in the language of `dsl`; 0 for a blank candidate."""
    context = context or {}
    if not candidate or is_blank(candidate):
        return CodeBLEU(0.0, 0.0, None, None)
    cand_tokens, ref_tokens = tokens(candidate, dsl), tokens(reference, dsl)
    keywords = dsl.keywords()
    weights = {t: KEYWORD_WEIGHT if t in keywords else OTHER_WEIGHT for t in ref_tokens}  # per reference token
    ngram, weighted = bleu(cand_tokens, ref_tokens), weighted_ngram_match(cand_tokens, ref_tokens, weights)
    ref_tree = dsl.tree(reference, context)
    if ref_tree is None:  # nothing to compare trees with: the token terms alone
        return CodeBLEU(ngram, weighted, None, None)
    cand_tree = dsl.tree(candidate, context)
    flow = dataflow_match(data_flow(cand_tree, dsl), data_flow(ref_tree, dsl))
    return CodeBLEU(ngram, weighted, syntax_match(cand_tree, ref_tree), flow)
