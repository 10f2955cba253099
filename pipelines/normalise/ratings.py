"""Ratings (1-5 or null) and review counts."""
from __future__ import annotations

import math
import re

from .numbers import COUNT, count_of_digits, count_of_number, signed_negative, whole_number
from .text import clean

# A number with its sign ("-1" is no rating, not 1), never the tail of another: "4,2 out of
# 5" (a decimal comma) is 4.2, not 2; "4 1/2 out of 5" is no rating, not 2.
_NUM = re.compile(r"(?<![\d/])(?<!\d[.,])([-\u2212]?\d+(?:[.,]\d+)?)")
# The scale of a rating ("out of 5", "of 5", "/5"; its 5 written "5.0" too), not a word's tail ("proof 5").
_SCALE = r"\s*(?:(?<![^\W\d_])out\s+of|(?<![^\W\d_])of|/)\s*5(?:[.,]0+)?\b"
_OUT_OF = re.compile(_NUM.pattern + _SCALE)
_A_SCALE = re.compile(_SCALE)
# A count spelt out, as style guides print the small ones ("One review", "Twelve reviews").
_SPELT = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
# The words a spelt number is made of: a run of them is one number, read only when it is one
# word of _SPELT ("Thirty-five", "twenty one", "One hundred" are no count, never 5, 20 or 1).
_NUMBER_WORDS = (*_SPELT, "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
                 "hundred", "thousand", "million", "dozen")
_SPELT_NUMBER = (r"(?<![^\W\d_])(?<!-)(?:{w})\b(?:(?:\s*-\s*|\s+(?:and\s+)?)(?:{w})\b)*"
                 .format(w="|".join(_NUMBER_WORDS)))
# Words that may stand between a count and "reviews" because they qualify every review it
# counts ("68 verified reviews", "68 verified patient reviews"); any other word makes the
# number another one ("3 new reviews", "10 most recent reviews": a few of them, no count).
_ALL_REVIEWS = ("verified", "patient", "patients", "customer", "client", "user", "total")
# A count of reviews as a person reads one: its number, in digits or spelt out, then "reviews",
# only words of _ALL_REVIEWS between; or a count alone in brackets beside a rating ("4.7 out
# of 5 stars (68)"). A count that is a bound ("Over 500 reviews", "500+ reviews") or
# abbreviated ("1.2k reviews") is no count: a rounded number is a wrong one (null, counted as
# not read, in every family alike: this is the one reader of a printed count).
_REVIEWS = re.compile(rf"({COUNT}|{_SPELT_NUMBER})(?:\s+(?:{'|'.join(_ALL_REVIEWS)})\b)*\s*reviews?\b", re.I)
# Words before a count that make it a bound, not the count ("Over 500", "~500", "at least 500").
_BOUND = re.compile(r"(?:(?<![^\W\d_])(?:over|under|more\s+than|fewer\s+than|less\s+than|at\s+least|"
                    r"up\s+to|about|around|almost|nearly|approximately|approx\.?|roughly|some)|[~<>\u2248\u2264\u2265])\s*$", re.I)
_BRACKETED = re.compile(rf"[(\[]\s*({COUNT})\s*[)\]]")
# Without its scale, a number is a rating alone ("4.7": a meta's content) or in a text that
# says it is one ("4.7 stars", "Rated 4.7", "4.7 (68 reviews)").
_SAYS_RATING = re.compile(r"\b(?:stars?|rat(?:ed|ing)|reviews?)\b", re.I)


def parse_rating(value) -> float | None:
    """4.7, "4.7", "4.7 out of 5 stars", "4.7 of 5" or "4.7/5" -> 4.7; outside 1..5 (the site's 0.0) -> None.
    Text as a reader sees it (the one cleaner)."""
    r = rating_number(value)
    return r if r is not None and 1.0 <= r <= 5.0 else None


#: The rating the site prints for "no rating yet": a rating line read, whose null is no miss.
NO_RATING_YET = 0.0


def rating_read(value) -> bool:
    """Whether a rating line reads: as a rating on the 1-5 scale, or as the site's "no rating
    yet". A number outside both (9.6 or 96 on a scale of 10 or 100, -1) is a rating on
    another scale, printed but not read, as "9.6 out of 10" is."""
    r = rating_number(value)
    return r is not None and (r == NO_RATING_YET or 1.0 <= r <= 5.0)


def rating_number(value) -> float | None:
    """The number a rating line shows, in range or not (the site's 0.0 for "no rating yet"
    too); None for a line that shows none that reads ("4.5 \u2605", "4,5 von 5")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float: no rating
            return None
        return number if math.isfinite(number) else None  # NaN shows no number
    m = _rating_number(clean(str(value)))
    return None if m is None else float(m.group(1).replace(",", ".").replace("\u2212", "-"))


def _rating_number(s: str) -> re.Match | None:
    """The rating of a line read whole: the number on its scale; without a scale, the line's
    one number besides its review count. A scale without its number ("NaN out of 5 stars",
    "\u00bd out of 5", "3\u066b5 out of 5") is no rating, never the scale's 5."""
    m = _OUT_OF.search(s)
    if m is not None:
        return m if whole_number(s, m.start(), m.end()) else None
    if _A_SCALE.search(s):
        return None
    said = _SAYS_RATING.search(s)
    # ("4.7 (68 reviews)": 4.7; "Top 5 doctor, rated 4.8": none; "1e3 reviews": none, not 1)
    s = _REVIEWS.sub(lambda count: "" if whole_number(s, count.start(1), count.end(1)) else count.group(), s)
    numbers = _NUM.findall(s)
    if len(numbers) != 1:
        return None
    m = _NUM.search(s)
    if not said and m.group(1) != s.strip():  # "Top 5 doctor", "Answered 3 questions": no rating
        return None
    return m if whole_number(s, m.start(1), m.end(1)) else None


def shows_rating(text: str) -> bool:
    """Whether a text as a reader sees it prints a rating line: a number on the scale of 5 ("4.7
    out of 5 stars", "0.0 of 5"), read or not."""
    return _OUT_OF.search(clean(text)) is not None


def shows_review_count(text: str) -> bool:
    """Whether a text as a reader sees it prints a review count ("68 reviews", "1 review")."""
    return _REVIEWS.search(clean(text)) is not None


def parse_review_count(value) -> int | None:
    """68, "68", "68 reviews", "1 review", "One review", "68 verified reviews", "4.7 (68)",
    "4.8 out of 5 stars 1,234 reviews" -> int, text as
    a reader sees it (the one cleaner: "4\u00ad03 reviews" is 403); a negative count (-3,
    "-3 reviews") is none."""
    if value is None or isinstance(value, (bool, int, float)):
        count = count_of_number(value)
        return count if count is None or count >= 0 else None
    s = clean(str(value))
    # isdecimal, not isdigit: superscripts and the like ("\u00b2") pass isdigit but int()
    # refuses them; decimal digits are what \d matches in the other count parsers.
    if s.isdecimal():
        return count_of_digits(s)
    m = _REVIEWS.search(s) or _BRACKETED.search(s)
    if not m or not _whole_count(s, m) or signed_negative(s, m.start(1)) or _BOUND.search(s, 0, m.start(1)):
        return None
    number = m.group(1).lower()
    if number[0].isdecimal():
        return count_of_digits(number)
    return _SPELT.get(number)  # a number of several words ("thirty-five") is not read


def _whole_count(s: str, count: re.Match) -> bool:
    """Whether a count's digits are a number whole (numbers.whole_number), read after the
    rating's scale before them: the scale's number is the rating's, never a group of the
    count's digits ("4.8 out of 5 154 reviews" and "4.8/5 154 reviews" are 154 reviews)."""
    scales = [scale.end() for scale in _A_SCALE.finditer(s, 0, count.start(1))]
    after = scales[-1] if scales else 0
    return whole_number(s[after:], count.start(1) - after, count.end(1) - after)


def rating_pair(rating, reviews) -> tuple[float | None, int | None]:
    """(rating, review_count) of a byline's values, texts as a reader sees them (the one
    cleaner: "68 re\u00adviews" is 68 reviews); a byline without a rating line gives (None, None)."""
    return parse_rating(rating), parse_review_count(reviews)
