"""Constrained decoding of edit answers: a search text the SLM writes is always a piece of the draft.

An edit answer (prompts.py) is "```edit\\n<<<\\n <old>\\n===\\n <new>\\n>>>\\n```", and `apply_edit` finds each `old`
in the draft after the previous hunk. A small model often writes the right fix with `old` slightly off (a name from
its training set instead of the one in front of it), and the whole answer is lost. Inside a search block this
processor masks every token that would make `old` something other than a run of the draft after the previous hunk,
and lets the block close only where `old` is what `edit_script` writes in training: whole tokens (`at_boundary`),
found once as such in that part of the draft (`find_once`). The model still chooses where to edit and what to
write; it can't misspell what it copies, stop half-way through a name or an indent, or point at two places at once.
Replacement texts, explanations and everything outside the blocks are left alone, as in grammar-constrained decoding
(Outlines, llguidance), with the grammar taken from the prompt's own draft.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import torch
from transformers import LogitsProcessor, LogitsProcessorList, PreTrainedTokenizerBase

from slmfix_exp.prompts import EDIT_FENCE, LEAD, RepairFormat, at_boundary, find_once, find_search, unlead

OPEN, CLOSE = "<<<\n", "\n===\n"  # a search block opens on a line of its own and closes with the `===` line
FENCE = f"```{EDIT_FENCE}\n"  # the answer's block, as RepairFormat.completion writes it


class SearchTextInDraft(LogitsProcessor):
    """For `model.generate` on repair prompts: each row's draft is read from its own prompt (`RepairFormat.draft_of`),
    so rows may be prompts x samples in any order, and TRL's rollouts need no bookkeeping of ours.

    One instance serves one generate call: its first call sees the prompts alone (left-padded, so every row's
    completion starts at the same index). Where no token fits (the draft holds characters that the vocabulary only
    has as byte pieces) or the prompt shows no draft, the row is left unconstrained rather than stuck."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, names: bool = False) -> None:
        self.tokenizer = tokenizer
        self.vocab = _vocabulary(tokenizer)
        self.names = names  # also hold the names in replacement texts to the prompt's (`NamesFromPrompt`)
        self.prompt_length: int | None = None
        self.drafts: list[str | None] = []
        self.prompt_names: list[NamesFromPrompt | None] = []
        self.openers: dict[tuple[str, str], set[int]] = {}  # the tokens that can open a search text in a region

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.prompt_length is None:
            self.prompt_length = input_ids.shape[1]
            prompts = self.tokenizer.batch_decode(input_ids, skip_special_tokens=True)
            self.drafts = [RepairFormat.draft_of(p) for p in prompts]
            if self.names:
                # the samples of a prompt share one
                by_prompt = {p: NamesFromPrompt(p, self.vocab) for p in dict.fromkeys(prompts)}
                self.prompt_names = [
                    by_prompt[p] if d is not None else None for p, d in zip(prompts, self.drafts, strict=True)
                ]
        completions = self.tokenizer.batch_decode(input_ids[:, self.prompt_length :], skip_special_tokens=True)
        for row, (draft, completion) in enumerate(zip(self.drafts, completions, strict=True)):
            allowed = None if draft is None else self.allowed(draft, completion)
            names = self.prompt_names[row] if self.prompt_names else None
            if allowed is None and names is not None:
                typed = open_replacement(completion)
                allowed = None if typed is None else names.allowed(typed)
            if allowed:
                keep = torch.full_like(scores[row], float("-inf"))
                index = torch.tensor(sorted(allowed), device=scores.device)
                keep[index] = scores[row, index]
                scores[row] = keep
        return scores

    def allowed(self, draft: str, completion: str) -> set[int] | None:
        """The ids that may come next, or None when the completion isn't inside a search block."""
        state = open_search(draft, completion)
        if state is None:
            return None
        region, typed = state
        v = self.vocab
        if typed in ("", LEAD):  # the first token: the LEAD, then perhaps a piece of the region (and the marker)
            if (region, typed) not in self.openers:  # the same for every sample of a prompt
                self.openers[region, typed] = {
                    i for text, ids in v.by_text.items() if _fits(typed + text, region) for i in ids
                }
            return self.openers[region, typed]
        typed = unlead(typed)
        allowed: set[int] = set()
        # Still copying: every token that extends `typed` to a longer run of the region, from a token's start.
        for at in _starts(typed, region):
            end = at + len(typed)
            for n in range(1, min(v.longest, len(region) - end) + 1):
                allowed.update(v.by_text.get(region[end : end + n], ()))
        # Closing: a token holding the marker (or its start) after a last piece of the search text.
        for text, ids in v.with_newline:
            cut = text.index("\n")
            if _marks(text[cut:]) and find_once(region, typed + text[:cut]) >= 0:
                allowed.update(ids)
        # Half-way through the marker ("\n", "\n=", "\n==", "\n==="): the tokens that carry on with it.
        for k in range(1, len(CLOSE)):
            if typed.endswith(CLOSE[:k]) and find_once(region, typed[:-k]) >= 0:
                allowed.update(v.continuing[k])
        return allowed


_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
_WORD = re.compile(f"[{_WORD_CHARS}]+")


class NamesFromPrompt:
    """The tokens a replacement text may go on with when every name in it must be one the prompt shows (the SQL
    schema's tables and columns are in it: `DSL.names_in_prompt`). A word that starts with a letter or `_` must be,
    when finished, a word of the prompt, and while being typed the start of one; numbers, blanks and punctuation are
    free. So a small model that doesn't know a foreign schema's names can't invent one (`Momon` for `Model`); which
    name it copies, and where, is still its choice. As PICARD does for text-to-SQL, with the prompt as the lexicon."""

    def __init__(self, prompt: str, vocab: _Vocabulary) -> None:
        self.words = set(_WORD.findall(prompt))
        self.prefixes = {w[:k] for w in self.words for k in range(1, len(w) + 1)}
        self.vocab = vocab
        self.by_word: dict[str, set[int]] = {}

    def _named(self, word: str, finished: bool) -> bool:
        return not word or word[0].isdigit() or word in (self.words if finished else self.prefixes)

    def allowed(self, typed: str) -> set[int] | None:
        """The ids that may follow the replacement text typed so far, or None where none would fit."""
        word = typed[len(typed.rstrip(_WORD_CHARS)) :]  # the word being typed, if any
        if word not in self.by_word:
            allowed = set()
            for text, ids in self.vocab.by_text.items():
                pieces = _WORD.findall(text)
                if text[0] in _WORD_CHARS:  # it goes on with the word being typed
                    pieces[0] = word + pieces[0]
                elif word and not self._named(word, True):
                    continue
                ends_open = _WORD.fullmatch(text[-1:]) is not None
                ok = all(
                    self._named(w, finished=not (ends_open and k == len(pieces) - 1)) for k, w in enumerate(pieces)
                )
                if ok:
                    allowed.update(ids)
            self.by_word[word] = allowed
        return self.by_word[word] or None


def open_replacement(completion: str) -> str | None:
    """The replacement text typed so far (after its LEAD), or None when the completion isn't inside a replacement."""
    start = completion.find(FENCE)
    if start < 0:
        return None
    body = completion[start + len(FENCE) :]
    at = body.rfind(CLOSE)
    if at < 0 or "\n>>>" in body[at + len(CLOSE) :] or "```" in body[at:]:
        return None
    return unlead(body[at + len(CLOSE) :])


@dataclass(frozen=True)
class _Vocabulary:
    by_text: dict[str, list[int]]  # a token's text -> the ids that decode to it
    with_newline: list[tuple[str, list[int]]]  # the texts holding a newline: they can carry the closing marker
    continuing: dict[int, set[int]]  # k -> the ids that carry on a marker begun with its first k characters
    longest: int


@functools.lru_cache(maxsize=4)
def _vocabulary(tokenizer: PreTrainedTokenizerBase) -> _Vocabulary:
    """The token texts, once per tokenizer: a 150k vocabulary takes a while. Each token is read after another one,
    as it stands in a completion: SentencePiece's decoders drop the space of a word-initial token (`▁albums`) that
    starts the text, byte-level BPE's keep it (`Ġalbums`)."""
    special = set(tokenizer.all_special_ids)
    before = tokenizer.tokenize("a")[-1:]
    skip = len(tokenizer.convert_tokens_to_string(before))
    by_text: dict[str, list[int]] = defaultdict(list)
    for token, i in tokenizer.get_vocab().items():
        if i not in special:
            by_text[tokenizer.convert_tokens_to_string([*before, token])[skip:]].append(i)
    by_text.pop("", None)
    continuing = {
        k: {i for text, ids in by_text.items() if _marks(CLOSE[:k] + text) for i in ids} for k in range(1, len(CLOSE))
    }
    with_newline = [(text, ids) for text, ids in by_text.items() if "\n" in text]
    return _Vocabulary(dict(by_text), with_newline, continuing, max(map(len, by_text), default=1))


def _marks(text: str) -> bool:
    """Whether `text` is the closing marker begun, or the marker and the replacement after it."""
    return CLOSE.startswith(text) or text.startswith(CLOSE)


def _fits(text: str, region: str) -> bool:
    """Whether `text` can begin a search block in `region`: the LEAD, then nothing yet, the start of a run of the
    region from a token's start, or a whole search text and the closing marker."""
    if not text.startswith(LEAD):
        return False
    text = unlead(text)
    cut = text.find("\n")
    return bool(_starts(text, region)) or (cut > 0 and _marks(text[cut:]) and find_once(region, text[:cut]) >= 0)


def _starts(piece: str, region: str) -> list[int]:
    """Where `piece` occurs in `region` starting on a token's start."""
    found, at = [], region.find(piece)
    while at >= 0:
        if at_boundary(region, at):
            found.append(at)
        at = region.find(piece, at + 1)
    return found


def open_search(draft: str, completion: str) -> tuple[str, str] | None:
    """(the part of the draft the open search block may copy from, the search text typed so far), or None when the
    completion isn't inside a search block: before the fence, between hunks, in a replacement, after the fence.

    Hunks are matched as `apply_edit` applies them: each search text from the end of the previous one on."""
    start = completion.find(FENCE)
    if start < 0:
        return None
    body = completion[start + len(FENCE) :]
    floor, i = 0, 0
    while True:
        at = body.find(OPEN, i)
        while at > 0 and body[at - 1] != "\n":  # `<<<` counts only at the start of a line
            at = body.find(OPEN, at + 1)
        fence = body.find("```", i)
        if at < 0 or 0 <= fence < at:
            return None
        typed = body[at + len(OPEN) :]
        close = ("\n" + typed).find(CLOSE)  # a leading newline: an empty search text closes at once
        if close < 0:
            return draft[floor:], typed
        old = unlead(typed[: max(close - 1, 0)])
        found = find_search(draft, old, floor) if old else -1
        if found < 0:  # a hunk the constraint didn't write (it began unconstrained): no floor to follow
            return None
        floor = found + len(old)
        i = at + len(OPEN) + close


def constrain_generation(model: Any, tokenizer: PreTrainedTokenizerBase, names: bool = False) -> None:
    """Make every `model.generate` call of a trainer constrain search texts. TRL's GRPO and RLOO trainers take no
    logits processors, so the model's own `generate` is wrapped: RL then samples its rollouts as evaluation does, and
    its reward tells apart where and how the repairs edit, not whether they copied the draft without a typo."""
    generate = model.generate

    def constrained(*args: Any, **kwargs: Any) -> Any:
        processors = LogitsProcessorList(kwargs.pop("logits_processor", None) or [])
        if not any(isinstance(p, SearchTextInDraft) for p in processors):  # generation.generate brings its own
            processors.append(SearchTextInDraft(tokenizer, names))
        return generate(*args, logits_processor=processors, **kwargs)

    model.generate = constrained
