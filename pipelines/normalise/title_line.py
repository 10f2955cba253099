"""Title line: "<city> <specialty>", the longest known specialty that ends the line wins."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .text import clean, collapse
from .vocab import specialties


class TitleLine(NamedTuple):
    title_line: str | None
    city: str | None
    specialty: str | None
    known: bool          # False when a line is present but ends in no known specialty


@lru_cache(maxsize=1)
def _vocab() -> frozenset[str]:
    return frozenset(s.lower() for s in specialties())


@lru_cache(maxsize=1)
def _max_words() -> int:
    return max(len(s.split()) for s in specialties())


@lru_cache(maxsize=65536)
def parse_title_line(line: str | None) -> TitleLine:
    """City and specialty (case as printed) of a byline's title line."""
    text = collapse(line)
    if text is None:
        return TitleLine(None, None, None, True)
    words = text.split(" ")
    vocab = _vocab()
    n = len(words)
    for k in range(max(0, n - _max_words()), n):   # longest candidate first
        cand = " ".join(words[k:])
        if cand.lower() in vocab:
            city = " ".join(words[:k]) or None
            if city is not None and _not_a_city(city):
                break  # two specialties: which is the doctor's, and where the city ends, is a guess
            return TitleLine(text, city, cand, True)
    return TitleLine(text, None, None, False)


# What joins two specialties ("Cosmetic Surgeon, Dermatologist", " & ", " and ", "/", "|",
# " · "), left at the end of what precedes the last one: a city ends in a word (or "St.", "(IL)").
# The words in lower case only: "Portland, OR" ends in a state.
_JOINED = re.compile(r"(?:[^\w.)]|(?<!\S)(?:and|or))$")
_WORDS = re.compile(r"[\w&'-]+")  # a vocabulary phrase's words, without the separators around them


def _not_a_city(city: str) -> bool:
    """Whether what precedes the line's specialty is no city: it ends in a separator, or
    holds a specialty of the vocabulary ("Baltimore Cosmetic Surgeon, Dermatologist")."""
    return bool(_JOINED.search(city)) or shows_specialty(city)


def shows_specialty(text: str) -> bool:
    """Whether a text holds a specialty of the vocabulary, anywhere in it ("Aurora, CO
    Dermatologist", "Board-certified Plastic Surgeon · 4.8")."""
    words, vocab, most = _WORDS.findall(clean(text).lower()), _vocab(), _max_words()
    return any(" ".join(words[i:j]) in vocab
               for i in range(len(words)) for j in range(i + 1, min(len(words), i + most) + 1))


def state_from_slug(slug: str | None) -> str | None:
    """`state` = last hyphen-separated part of the profile slug, upper-cased, when it can be a
    state's code: two letters ("ontario", "calif." or the "doe" of "jane-doe" give None)."""
    if not slug:
        return None
    last = slug.rstrip("-").rsplit("-", 1)[-1]
    return last.upper() if len(last) == 2 and last.isascii() and last.isalpha() else None
