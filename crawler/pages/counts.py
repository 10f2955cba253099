"""The number of answers a page declares: in a heading's words, or as a number in its data."""
from __future__ import annotations

import re

from pipelines.normalise.numbers import COUNT, count_of_digits, count_of_number, signed_negative, whole_number
from pipelines.normalise.text import clean

# A count as printed ("1,234", "12"): \d in a str pattern is exactly str.isdecimal (Unicode
# category Nd), which int() reads.
_COUNT = re.compile(COUNT)
# "9 of 10", "9 out of 10": some shown of a total
_OF_TOTAL = re.compile(rf"(?:{COUNT})\s+(?:out\s+)?of\s+({COUNT})", re.I)


# A number followed by who answered, in any words ("8 doctors answered", "5 board-certified
# nurses responded"), or by who or what else is counted ("by 8 doctors", "1,259 views"),
# counts those, not answers: it is no answer count ("10 doctor answers" still is).
_ANSWER_WORDS = r"(?:answers?|responses?|replies)\b"
_COUNTS_OTHER = re.compile(rf"\s*(?!{_ANSWER_WORDS})(?:[^\s\d]+\s+){{1,3}}?(?:answered|responded|replied|weighed\s+in)\b"
                           r"|\s*(?:doctors?|physicians?|experts?|providers?|specialists?|surgeons?|dentists?"
                           rf"|people|users?|members?|views?|votes?|likes?)\b(?!\s+{_ANSWER_WORDS})", re.I)


# A zero a heading states in words: "No answers yet", "No doctor answers".
_NONE_YET = re.compile(r"\s*no\b[^.!?]{0,30}\banswers?\b", re.I)


def declared_count(text) -> int | None:
    """The number of answers a heading declares: its one number ("Doctor Answers (1,234)" ->
    1234); the total of "N of M" ("Showing 9 of 10" -> 10: a page showing 9 of its 10
    answers is not whole); None for none, for different numbers otherwise ("3 new, 10 in
    all": which is the count is a guess), or for a number that is no count as printed: not
    read whole ("3.5", "12,34", "1'234") or negative ("(-3)"). Such a heading declares no
    count, as one without a number (the page's answers are then not checked against it).
    A number counting others ("8 doctors answered") is none of answers. A heading stating
    none in words ("No doctor answers yet") declares 0. The heading as a
    reader sees it, through the one cleaner ("Doctor Answers 1\u00ad2": 12)."""
    if not text:
        return None
    text = clean(text)
    numbers = []
    for m in _COUNT.finditer(text):
        if _COUNTS_OTHER.match(text, m.end()):
            continue
        if not whole_number(text, m.start(), m.end()) or signed_negative(text, m.start()):
            return None
        numbers.append(count_of_digits(m.group()))
    if not numbers and _NONE_YET.match(text):
        return 0
    if (of := _OF_TOTAL.search(text)) and len(numbers) == 2:
        return count_of_digits(of.group(1))
    return numbers[0] if len(set(numbers)) == 1 else None


def declared_number(value) -> int | None:
    """A count of answers the page's data declares as a JSON number: a whole, non-negative
    one an int32 holds (JSON true, 1.5 or -5 declare none)."""
    count = count_of_number(value) if isinstance(value, (int, float)) else None
    return count if count is not None and count >= 0 else None
