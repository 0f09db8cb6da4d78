"""New names for a schema in one naming style, as real databases differ (`DSL.vary`)."""

from __future__ import annotations

import functools
import random
import re

import sqlglot


def _words(name: str) -> list[str]:
    """The words of a name in any style: `CountryName`, `country_name`, `COUNTRY_NAME` -> country, name."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]


_ABBREVIATIONS = {
    "identifier": "id", "number": "num", "name": "nm", "description": "desc", "department": "dept",
    "employee": "emp", "customer": "cust", "quantity": "qty", "address": "addr", "amount": "amt", "date": "dt",
    "product": "prod", "category": "cat", "country": "ctry", "student": "stu", "teacher": "tchr", "average": "avg",
    "count": "cnt", "price": "prc", "manager": "mgr", "title": "ttl", "year": "yr", "order": "ord",
}  # fmt: skip


@functools.cache
def _keywords() -> frozenset[str]:
    """sqlglot's keywords, word by word (ORDER BY: ORDER and BY), and the aggregates, SQL's builtins."""
    words = {w for k in sqlglot.tokens.Tokenizer.KEYWORDS for w in k.split() if w.isalpha()}
    return frozenset(words | {"COUNT", "SUM", "AVG", "MIN", "MAX"})


@functools.cache
def _lexicon() -> list[str]:
    """Common English words of 3-10 letters (wordfreq's list) that aren't SQL keywords, sorted: the same seed draws
    the same words."""
    import wordfreq

    keywords = {k.lower() for k in sqlglot.tokens.Tokenizer.KEYWORDS}
    words = wordfreq.top_n_list("en", 20000)
    return sorted({w for w in words if re.fullmatch(r"[a-z]{3,10}", w) and w not in keywords})


class _Namer:
    """New names in one naming style per schema, as real databases differ: `CountryName`, `country_name`,
    `Country_Name`, `COUNTRY_NAME`, `countryName`; some words abbreviated, table names singular or plural and
    sometimes prefixed."""

    def __init__(self, rng: random.Random, fresh_words: float = 0.0) -> None:
        self.rng = rng
        self.style = rng.choice(["snake", "Snake", "Camel", "camel", "UPPER", "flat"])
        self.abbreviate = rng.random() < 0.4
        self.plural = rng.choice([None, True, False])  # None: as they are
        self.prefix = rng.choice(["", "", "", "tbl_", "t_"])
        # words swapped for other English words, the same swap everywhere in the schema: names no model has seen,
        # as on a real database it never trained on
        self.fresh: dict[str, str] | None = {} if rng.random() < fresh_words else None

    def join(self, words: list[str]) -> str:
        if self.style == "snake":
            return "_".join(words)
        if self.style == "Snake":
            return "_".join(w.upper() if w == "id" else w.capitalize() for w in words)
        if self.style == "Camel":
            return "".join(w.upper() if w == "id" else w.capitalize() for w in words)
        if self.style == "camel":
            return words[0] + "".join(w.upper() if w == "id" else w.capitalize() for w in words[1:])
        if self.style == "UPPER":
            return "_".join(words).upper()
        return "".join(words)

    def words(self, name: str) -> list[str]:
        words = _words(name) or [name.lower()]
        if self.fresh is not None:
            lexicon = _lexicon()
            words = [
                w if w == "id" or w.isdigit() else self.fresh.setdefault(w, self.rng.choice(lexicon)) for w in words
            ]
        if self.abbreviate:
            words = [_ABBREVIATIONS.get(w, w) if self.rng.random() < 0.7 else w for w in words]
        return words

    def table(self, name: str) -> str:
        words = self.words(name)
        last = words[-1]
        if self.plural is True and not last.endswith("s"):
            words[-1] = last + "s"
        elif self.plural is False and last.endswith("s") and len(last) > 3:
            words[-1] = last[:-1]
        table = self.join(words)
        return (self.prefix.upper() if self.style == "UPPER" else self.prefix) + table

    def column(self, name: str) -> str:
        return self.join(self.words(name))
