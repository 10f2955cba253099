"""Numbers read from a page's text: whole or not at all.

One rule for every number read from text (votes, review counts, ratings, the answer count a
page declares, the digits of a date): the digits found are the whole number as printed, or
the text gives no value (null), never a wrong one. "1e30 reviews" is no count, not 30;
"1'234" no vote count, not 1; "Jan 1, 10000" no date, not 1000-01-01. Text is read as a
reader sees it, through the one cleaner (pipelines.normalise.text.clean) first: "4\u00ad2"
(a soft hyphen) is 42, never 4.
"""
from __future__ import annotations

import math
import re
from itertools import islice

# A count as printed: its thousands set apart by commas ("1,234") or not ("1234"); "12,34"
# is no such count (its "34" is then the tail of another number, below).
COUNT = r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+"
# Marks that join digits into one number in some notation or locale: a decimal point or comma
# (Arabic's too), a thousands separator (an apostrophe, Arabic's), a middle dot, an
# underscore, a fraction's slash, an exponent ("3.5", "1'234", "1\u066c234", "3\u00b75", "1e30").
_JOINS = frozenset(".,'\u2019\u066b\u066c\u00b7_/eE")
# Before the digits, these make them a tail even with no digit in front: ".5", "/5", "_5".
_TAIL = frozenset("./_\u066b")
_BASES = frozenset("xXbBoO")  # "0x10", "0b1", "0o7": another base
_ABBREVIATED = frozenset("kKmM_")  # "1.2K", "2M", "1_000"
_NEXT_GROUP = re.compile(r"\s(\d+)")
_PREVIOUS_GROUP = re.compile(r"(?<![\d.,])(\d+)\s$")
# A sign: a minus at the start, or after a space or a bracket; not a dash after a word or a
# number ("4.8-68 reviews", "stars-68 reviews", "Q&A-3").
_MINUS = re.compile("(?:^|[\\s(\\[])[-\u2212]$")


def whole_number(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] (a number, or a date or rating that starts or ends with
    digits) is the whole of what is printed there, not part of a number these parsers do not
    read: a longer one ("10000", "123 Oct"), a decimal or abbreviated one ("1.2K", "3,5",
    "3\u066b5", "2M"), one in groups set apart by spaces ("1 154") or by another locale's marks
    ("1'234", "1\u066c234"), or one written otherwise ("1e3", "0x10", "1_000", "3/4", the "5"
    of "12.5" or of "1/5"), or one that goes on in numerals these parsers do not read ("12²",
    "3½": isnumeric, not isdecimal; a mark before the digits, "²10", is a footnote's). "4.7 68 reviews" is a rating and a count, not one number."""
    span = text[start:end]
    if span[-1:].isdecimal():
        after, then = text[end:end + 1], text[end + 1:end + 2]
        if after.isnumeric() or after in _ABBREVIATED or after in _JOINS and then.isdecimal():
            return False
        if span == "0" and after in _BASES:
            return False
    if span[:1].isdecimal():
        before, ahead = text[start - 1:start] if start else "", text[start - 2:start - 1] if start > 1 else ""
        if before.isdecimal() or before in _TAIL or (before in _JOINS or before in _BASES) and ahead.isdecimal():
            return False
    return not (span.replace(",", "").isdecimal() and _spaced_group(text, start, end, len(span.replace(",", ""))))


def _spaced_group(text: str, start: int, end: int, digits: int) -> bool:
    """Whether the digits are a group of a number set apart by spaces ("1 154")."""
    following, previous = _NEXT_GROUP.match(text, end), _PREVIOUS_GROUP.search(text[:start])
    if following and len(following.group(1)) == 3 and digits <= 3:
        return True
    return bool(previous and len(previous.group(1)) <= 3 and digits == 3)


# A count with its sign ("+3", "-1", "\u22122"; any white space between them, "- 5").
_SIGNED_COUNT = re.compile(rf"([+\-\u2212]?)\s*({COUNT})")


def signed_count(text: str) -> int | None:
    """The one count a value's (cleaned) text shows, with its sign: "+3", "- 5", "1,234",
    "12 votes". None when it shows none, more than one ("12 34", "4-2": which is the count is
    a guess, and a reader may see "1234"), or one not read whole ("1.2K", "1 154", "1e3")."""
    found = list(islice(_SIGNED_COUNT.finditer(text), 2))
    if len(found) != 1 or not whole_number(text, found[0].start(2), found[0].end(2)):
        return None
    sign, digits = found[0].groups()
    return count_of_digits(digits, negative=sign in ("-", "\u2212"))


def signed_negative(text: str, start: int) -> bool:
    """Whether a minus sign stands just before text[start] ("-3", "(-3)"), not a dash."""
    return bool(_MINUS.search(text, 0, start))


def count_of_number(value) -> int | None:
    """A count the page's data gives as a JSON number (None and booleans are no count)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):  # 3.0 is 3; 1.5 is no count, not 1
        return in_int32(int(value)) if math.isfinite(value) and value.is_integer() else None
    return in_int32(value)


def count_of_digits(digits: str, negative: bool = False) -> int | None:
    """A count from its digits (commas of its thousands dropped); None past 12 digits (int()
    is not even tried) or beyond int32."""
    digits = digits.replace(",", "")
    if len(digits) > 12:
        return None
    n = int(digits)
    return in_int32(-n if negative else n)


def in_int32(n: int) -> int | None:
    """`n` if the datasets' int32 columns hold it; a count beyond is not a count the site shows."""
    return n if -2**31 <= n < 2**31 else None
