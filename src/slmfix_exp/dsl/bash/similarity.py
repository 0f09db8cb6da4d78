"""The paper's similarity: per command, the reference's (utility, flag, value) pairs found in the prediction."""

from __future__ import annotations

import re
from dataclasses import dataclass

import zss

from slmfix_exp.dsl.bash.checker import Checker, Word
from slmfix_exp.dsl.bash.spec import Spec

# ---------------------------------------------------------------------------------------------------------------

_WRAPPERS = frozenset({"sudo", "nohup", "time", "exec", "command", "builtin", "nice"})
# utilities whose single-dash options are words (`find -name`), so `-name` must not be read as `-n -a -m -e`
_SINGLE_DASH_LONG = frozenset(
    {
        "find",
        "java",
        "gcc",
        "g++",
        "cc",
        "clang",
        "ffmpeg",
        "convert",
        "mogrify",
        "identify",
        "openssl",
        "dig",
        "ip",
        "xdotool",
        "xrandr",
        "mplayer",
        "tcpdump",
        "qemu-img",
        "iptables",
    }
)


@dataclass(frozen=True)
class _CommandPairs:
    utility: str
    pairs: tuple[tuple[str, str], ...]  # (flag, value): flag "" for a positional value, value "" for a bare flag


def _command_pairs(tree: zss.Node, checker: Checker | None = None) -> list[_CommandPairs]:
    """Every command of the tree in pre-order (pipeline / list position, substitutions after their command)."""
    out: list[_CommandPairs] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.label == "command":
            out.append(_pairs_of(node, checker))
        stack.extend(reversed(node.children))
    return out


def _pairs_of(command: zss.Node, checker: Checker | None = None) -> _CommandPairs:
    """A command's (flag, value) pairs: read against its utility's spec where there is one (`-la` = `-l -a`,
    `--recursive` = `-r`, `-n5` = `-n 5` = `--lines=5`, an option's argument as its value and operands apart),
    else by the paper's rule of thumb (a flag's value is the word after it)."""
    words = [c.label for c in command.children if c.label.startswith(("util:", "flag:", "word:"))]
    words = [w.split(":", 1)[1] for w in words]
    while len(words) > 1 and words[0] in _WRAPPERS and not words[1].startswith("-"):
        words = words[1:]
    utility = words[0] if words else ""
    spec = checker.spec(utility) if checker is not None and utility else None
    pairs = _spec_pairs(checker, utility, spec, words) if spec is not None and checker is not None else None
    if pairs is None:
        pairs = _loose_pairs(utility, words)
    for child in command.children:  # redirections are (operator, target) pairs of the command
        if child.label.startswith("redirect:"):
            target = child.children[0].label.split(":", 1)[1] if child.children else ""
            pairs.append((child.label.split(":", 1)[1], target))
    return _CommandPairs(utility, tuple(pairs))


_STRIDE = 1 << 20  # words of a tree command stand at k * _STRIDE, so an argument's word is found from its start


def _spec_pairs(checker: Checker, utility: str, spec: Spec, words: list[str]) -> list[tuple[str, str]] | None:
    plain = [Word.plain(w, k * _STRIDE) for k, w in enumerate(words)]
    try:
        parsed = checker.parse(utility.rsplit("/", 1)[-1], spec, plain)
    except Exception:  # odd input: the rule of thumb
        return None
    pairs: list[tuple[str, str]] = []
    used = {0}
    for canon, name, arg, k in parsed.options:
        flag, value = canon, arg.value if arg is not None else ""
        if canon == "-NUM":  # head -5 = head -n 5; gzip -9 stays -9
            flag, value = ("-n", name[1:]) if utility in ("head", "tail") else (name, "")
        pairs.append((flag, value))
        used.add(k)
        if arg is not None:
            used.add(arg.start // _STRIDE)
    for k, w in enumerate(words):
        if k not in used:
            pairs.append((w, "") if w.startswith("-") and len(w) > 1 else ("", w))
    return pairs


def _loose_pairs(utility: str, words: list[str]) -> list[tuple[str, str]]:
    flags_split = utility not in _SINGLE_DASH_LONG
    pairs: list[tuple[str, str]] = []
    k = 1
    while k < len(words):
        w = words[k]
        if w.startswith("-") and len(w) > 1:
            if w.startswith("--") and "=" in w:
                flag, value = w.split("=", 1)
                pairs.append((flag, value))
                k += 1
                continue
            flags = [f"-{ch}" for ch in w[1:]] if flags_split and re.fullmatch(r"-[A-Za-z]{2,}", w) else [w]
            value = words[k + 1] if k + 1 < len(words) and not words[k + 1].startswith("-") else ""
            pairs.extend((f, "") for f in flags[:-1])
            pairs.append((flags[-1], value))
            k += 2 if value else 1
        else:
            pairs.append(("", w))
            k += 1
    return pairs


def _command_score(ref: _CommandPairs, pred: _CommandPairs | None) -> float:
    """Fraction of the reference command's pairs matched: the utility counts as one pair and gates the rest.
    A pair not matched exactly earns half for its flag and half for its value found elsewhere in the command,
    since which flag of `-rl foo` takes `foo` is the utility's business: `-lr foo` and a changed path score high."""
    if pred is None or pred.utility != ref.utility:
        return 0.0
    pred_flags = {f for f, _ in pred.pairs if f}
    pred_values = {v for _, v in pred.pairs if v}
    pred_pairs = set(pred.pairs)
    score = 1.0
    for flag, value in ref.pairs:
        if (flag, value) in pred_pairs:
            score += 1.0
        elif flag and value:
            score += 0.5 * (flag in pred_flags) + 0.5 * (value in pred_values)
        else:
            score += flag in pred_flags if flag else value in pred_values
    return score / (1 + len(ref.pairs))


# ---------------------------------------------------------------------------------------------------------------
# Mutations: how an LLM breaks Bash.
