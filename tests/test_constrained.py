"""Constrained decoding of edit answers: every search text the model can write is a piece of its draft."""

from __future__ import annotations

import random
import re
from unittest.mock import patch

import pytest
import torch

from slmfix_exp.config import TinySLMConfig
from slmfix_exp.constrained import (
    NamesFromPrompt,
    SearchTextInDraft,
    _vocabulary,
    constrain_generation,
    open_replacement,
    open_search,
)
from slmfix_exp.dsl import get_dsl
from slmfix_exp.dsl.base import Task, Validation
from slmfix_exp.generation import generate
from slmfix_exp.models import build_tiny_model, train_tokenizer
from slmfix_exp.prompts import RepairFormat, apply_edit, find_whole

DRAFTS = [
    "SELECT name FROM artists WHERE country = 'France'",
    "SELECT count(*) FROM orders WHERE total > 10 GROUP BY status",
    "- name: Install nginx\n  apt:\n    name: nginx\n    state: presnt\n",
    "find . -name '*.log' -mtime +7 -exec rm {} \\;",
]


@pytest.fixture(scope="module")
def tokenizer():  # type: ignore[no-untyped-def]
    corpus = DRAFTS * 20 + ["```edit\n<<<\n FRMO\n===\n FROM\n>>>\n```\n"] * 20
    return train_tokenizer(corpus, 400)


def test_open_search_tracks_blocks_and_the_floor() -> None:
    draft = "SELECT a FROM t WHERE a = a"
    assert open_search(draft, "Explanation: typo.\n") is None  # no fence yet
    assert open_search(draft, "```edit\n<<<\n SEL") == (draft, " SEL")
    assert open_search(draft, "```edit\n<<<\n SELECT\n===\n SEL") is None  # in the replacement
    # The next hunk may only copy from after the previous search text, as apply_edit looks for it there.
    assert open_search(draft, "```edit\n<<<\n WHERE\n===\n WHERE\n>>>\n<<<\n") == (" a = a", "")
    assert open_search(draft, "```edit\n<<<\n WHERE\n===\n WHERE\n>>>\n```\n<<<\n") is None  # after the fence
    # the floor is where apply_edit applies the hunk: ` a` as a whole token, not the `a` inside `name`
    draft = "SELECT name FROM t WHERE a = 1"
    assert open_search(draft, "```edit\n<<<\n a\n===\n b\n>>>\n<<<\n") == (" = 1", "")


def test_a_search_text_starts_with_the_lead_then_copies(tokenizer) -> None:  # type: ignore[no-untyped-def]
    constraint = SearchTextInDraft(tokenizer)
    text = {i: tokenizer.decode([i]) for i in range(len(tokenizer))}
    draft = DRAFTS[0]
    first = {text[i] for i in constraint.allowed(draft, "```edit\n<<<\n")}  # type: ignore[union-attr]
    assert " artists" in first and " FRMO" not in first and "artists" not in first
    assert all(t.startswith(" ") and t[1:].split("\n")[0] in draft for t in first)
    assert constraint.allowed(draft, "```edit\n<<<\n artists\n===\n") is None  # the replacement is free


@pytest.mark.parametrize("seed", range(40))
def test_any_walk_through_the_allowed_tokens_writes_an_edit_that_applies(tokenizer, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Whatever the model picks among the allowed tokens, each closed search text is found by apply_edit."""
    rng = random.Random(seed)
    draft = rng.choice(DRAFTS)
    constraint = SearchTextInDraft(tokenizer)
    text = {i: tokenizer.decode([i]) for i in range(len(tokenizer))}
    completion = "```edit\n"
    for _ in range(rng.randint(1, 3)):
        completion += "<<<\n"
        while (allowed := constraint.allowed(draft, completion)) is not None:
            assert allowed, f"nothing allowed after {completion!r}"
            completion += text[rng.choice(sorted(allowed))]
        completion += " fixed\n>>>\n"  # the replacement is free
        if not open_search(draft, completion + "<<<\n")[0]:  # type: ignore[index]
            break  # nothing of the draft is left to anchor another hunk on
    script = completion.removeprefix("```edit\n")
    assert apply_edit(draft, script) is not None
    floor = 0  # and each is what edit_script writes in training: whole tokens, found once after the previous hunk
    for hunk in script.split("<<<\n")[1:]:
        assert hunk.startswith(" ")
        old = hunk.split("\n===\n")[0][1:]
        at = find_whole(draft, old, floor)
        assert at >= 0 and find_whole(draft, old, at + 1) < 0, old
        floor = at + len(old)


def test_generate_with_the_constraint_only_copies_the_draft(tokenizer) -> None:  # type: ignore[no-untyped-def]
    """Through generation.generate on real repair prompts: an untrained model's sampled answers, opened by hand into a
    search block, copy pieces of their own row's draft (rows are prompts x samples, sorted by length), and the same
    model unconstrained writes search texts that aren't."""
    model = build_tiny_model(
        TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64), tokenizer, 0
    )
    dsl = get_dsl("sql")
    drafts = DRAFTS[:2]
    prompts = [
        RepairFormat(dsl, answer="edit").prompt(Task(f"t{i}", "a request", d), d, Validation(ok=False))
        + "```edit\n<<<\n "
        for i, d in enumerate(drafts)
    ]
    # The processor reads the answer from the end of the prompt on: move the opened block into the answer.
    opened = len(tokenizer("```edit\n<<<\n ", add_special_tokens=False)["input_ids"])
    calls: list = []

    class Opened(SearchTextInDraft):
        def __call__(self, input_ids, scores):  # type: ignore[no-untyped-def]
            if self.prompt_length is None:
                super().__call__(input_ids, scores.clone())
                self.prompt_length = input_ids.shape[1] - opened
            calls.append(1)
            return super().__call__(input_ids, scores)

    def search_texts(processor: type | None) -> list[list[str]]:
        torch.manual_seed(0)
        with patch("slmfix_exp.generation.SearchTextInDraft", processor or SearchTextInDraft):
            answers = generate(
                model, tokenizer, prompts, 12, 64, num_samples=4, temperature=1.0, constrain=bool(processor)
            )
        return [[a.split("\n===\n")[0] for a in texts] for texts in answers]

    for draft, texts in zip(drafts, search_texts(Opened), strict=True):
        assert all(t and t in draft for t in texts), texts
    assert calls
    free = search_texts(None)
    assert not all(t in d for d, texts in zip(drafts, free, strict=True) for t in texts)


def test_draft_of_reads_back_the_draft_of_a_repair_prompt() -> None:
    dsl = get_dsl("ansible")
    for draft in [*DRAFTS, "echo '```'\n```\n### Validator"]:
        prompt = RepairFormat(dsl).prompt(Task("t", "a ### Program ``` request", draft), draft, Validation(ok=False))
        assert (
            RepairFormat.draft_of(prompt) == draft.split("\n```\n### Validator")[0]
        )  # a draft holding the marker is cut there
    assert RepairFormat.draft_of("no prompt here") is None


def test_trainer_generation_is_constrained_once(tokenizer) -> None:  # type: ignore[no-untyped-def]
    """constrain_generation wraps model.generate (TRL's trainers take no logits processors) and adds one processor,
    also when the caller (generation.generate) brings its own."""
    seen: list[list] = []

    class Model:
        def generate(self, *args, logits_processor=None, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(list(logits_processor))

    model = Model()
    constrain_generation(model, tokenizer)
    model.generate(max_new_tokens=1)
    model.generate(logits_processor=[SearchTextInDraft(tokenizer)])
    assert [[type(p) for p in ps] for ps in seen] == [[SearchTextInDraft], [SearchTextInDraft]]


def test_sentencepiece_tokens_keep_their_space() -> None:
    """A Metaspace (SentencePiece-style, Llama's) token `▁artists` is ` artists` inside a completion, though it decodes
    alone as `artists`: it must open a search text after the LEAD like byte-level BPE's `Ġartists`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    sp = Tokenizer(models.BPE(unk_token="<unk>"))
    sp.pre_tokenizer, sp.decoder = pre_tokenizers.Metaspace(), decoders.Metaspace()
    sp.train_from_iterator(DRAFTS * 20, trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<pad>"]))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=sp, unk_token="<unk>", pad_token="<pad>")
    artists = tokenizer.convert_tokens_to_ids("▁artists")
    assert tokenizer.decode([artists]) == "artists"
    assert artists in SearchTextInDraft(tokenizer).allowed(DRAFTS[0], "```edit\n<<<\n")  # type: ignore[operator]


def test_open_replacement_is_the_replacement_typed_so_far() -> None:
    assert open_replacement("```edit\n<<<\n pet_type\n===\n Pet") == "Pet"
    assert open_replacement("```edit\n<<<\n pet_type\n===\n") == ""
    assert open_replacement("```edit\n<<<\n pet_type") is None  # in the search text
    assert open_replacement("```edit\n<<<\n a\n===\n b\n>>>\n") is None  # between hunks
    assert open_replacement("```edit\n<<<\n a\n===\n b\n>>>\n```\n") is None  # after the fence
    assert open_replacement("Explanation: no fence") is None


@pytest.mark.parametrize("seed", range(20))
def test_a_replacement_only_writes_the_prompts_names(tokenizer, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Whatever the model picks among the allowed tokens, every finished word of the replacement that starts with a
    letter is a word of the prompt; numbers and punctuation stay free."""
    rng = random.Random(seed)
    prompt = (
        "### Program\n```sql\nSELECT nme FROM artists\n```\n### Validator\nno such column: nme (did you mean name?)\n"
    )
    prompt = prompt.replace("### ", "")
    names = NamesFromPrompt(prompt, _vocabulary(tokenizer))
    text = {i: tokenizer.decode([i]) for i in range(len(tokenizer))}
    typed = ""
    for _ in range(rng.randint(1, 12)):
        allowed = names.allowed(typed)
        assert allowed, typed
        typed += text[rng.choice(sorted(allowed))]
    words = set(_words(prompt))
    typing = typed[-1:].isalnum() or typed.endswith("_")
    named = _words(typed)
    finished, last = (named[:-1], named[-1:]) if typing else (named, [])
    assert all(w in words for w in finished), typed
    assert all(any(w.startswith(t) for w in words) for t in last), typed  # a name still being typed
    assert not any(text[i] == " FRMO" for i in names.allowed("") or ())  # a word the prompt doesn't show


def test_generate_with_names_writes_no_new_name(tokenizer) -> None:  # type: ignore[no-untyped-def]
    """Through generation.generate: an untrained model sampling replacements writes only the prompt's words with
    `names`, and other words without it."""
    model = build_tiny_model(
        TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64), tokenizer, 0
    )
    dsl = get_dsl("sql")
    draft = DRAFTS[0]
    prompt = RepairFormat(dsl, answer="edit").prompt(Task("t", "a request", draft), draft, Validation(ok=False))
    opened = "```edit\n<<<\n name\n===\n "
    n_opened = len(tokenizer(opened, add_special_tokens=False)["input_ids"])

    class Opened(SearchTextInDraft):
        def __call__(self, input_ids, scores):  # type: ignore[no-untyped-def]
            if self.prompt_length is None:
                super().__call__(input_ids, scores.clone())
                self.prompt_length = input_ids.shape[1] - n_opened
            return super().__call__(input_ids, scores)

    def replacements(names: bool) -> list[str]:
        torch.manual_seed(0)
        with patch("slmfix_exp.generation.SearchTextInDraft", Opened):
            answers = generate(
                model, tokenizer, [prompt + opened], 8, 64, num_samples=16, temperature=1.0, constrain=True, names=names
            )
        return [re.split("\n>>>|```", a)[0] for a in answers[0]]  # the replacement ends at either

    words = set(_words(prompt + opened))
    finished = [set(_words(r, finished=True)) for r in replacements(names=True)]  # not those cut short at 8 tokens
    assert all(w <= words for w in finished), finished
    free = [set(_words(r, finished=True)) for r in replacements(names=False)]
    assert not all(w <= words for w in free)


def _words(text: str, finished: bool = False) -> list[str]:
    """The runs of word characters that start with a letter or `_` (a run starting with a digit is a number);
    `finished`: only those followed by another character."""
    runs = re.findall(r"[A-Za-z0-9_]+(?=[^A-Za-z0-9_])" if finished else r"[A-Za-z0-9_]+", text)
    return [w for w in runs if not w[0].isdigit()]
