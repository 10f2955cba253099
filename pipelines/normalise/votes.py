"""Vote counts as readers see them."""
from __future__ import annotations

import math
import re
from functools import lru_cache

_NG_INIT = re.compile(r"voteCount\s*=\s*([+-]?)(\d+)(?![\w.])")
# A count, its thousands set apart by commas or not ("1,234", "1234")
_INT = re.compile(r"([+\-\u2212]?)\s*(\d{1,3}(?:,\d{3})+(?![\d,])|\d+)")
_NEXT_GROUP = re.compile(r"\s(\d+)")
_PREVIOUS_GROUP = re.compile(r"(?<![\d.,])(\d+)\s$")


def parse_count(value) -> int | None:
    """3, "3", "+3", "-1", "\u22121", "0" -> int; a count no int32 holds (or inf) -> None;
    a number not read whole ("1.2K", "1 154") -> None."""
    if value is None or isinstance(value, (bool, int, float)):
        return count_of_number(value)
    text = str(value)
    m = _INT.search(text)
    if not m or not whole_number(text, m.start(2), m.end(2)):
        return None
    # Any white space may stand between the sign and the digits, not only a space.
    sign, digits = m.groups()
    return count_of_digits(digits.replace(",", ""), negative=sign in ("-", "\u2212"))


def whole_number(text: str, start: int, end: int) -> bool:
    """Whether the digits text[start:end] are the whole number as printed, not part of one
    these parsers do not read: a decimal or abbreviated one ("1.2K", "3,5", "2M") or one in
    groups of three digits set apart by spaces ("1 154"). Such a count is no count (null),
    never a wrong one. "4.7 68 reviews" is a rating and a count, not one number. Nor is a
    number written otherwise ("1e3", "0x10", "1_000", "3/4", the "5" of "12.5" or of "1/5")."""
    after, before = text[end:end + 2], text[start - 1:start]
    if after[:1] in ("k", "K", "m", "M", "_") or after[:1] in (".", ",", "e", "E", "/") and after[1:2].isdigit():
        return False
    if before in (".", "/", "_") or text[start:end] == "0" and after[:1] in ("x", "X", "b", "B", "o", "O"):
        return False
    digits = len(text[start:end].replace(",", ""))
    following, previous = _NEXT_GROUP.match(text, end), _PREVIOUS_GROUP.search(text[:start])
    if following and len(following.group(1)) == 3 and digits <= 3:
        return False
    return not (previous and len(previous.group(1)) <= 3 and digits == 3)


def count_of_number(value) -> int | None:
    """A count the page's data gives as a JSON number (None and booleans are no count)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):  # 3.0 is 3; 1.5 is no count, not 1
        return in_int32(int(value)) if math.isfinite(value) and value.is_integer() else None
    return in_int32(value)


def count_of_digits(digits: str, negative: bool = False) -> int | None:
    """A count from its digits; None past 12 digits (int() is not even tried) or beyond int32."""
    if len(digits) > 12:
        return None
    n = int(digits)
    return in_int32(-n if negative else n)


def in_int32(n: int) -> int | None:
    """`n` if the datasets' int32 columns hold it; a count beyond is not a count the site shows."""
    return n if -2**31 <= n < 2**31 else None


def legacy_vote(ng_init: str | None) -> int | None:
    """Legacy `ng-init="voteCount=N"`: readers see N + 1."""
    if not ng_init:
        return None
    m = _NG_INIT.search(ng_init)
    n = count_of_digits(m.group(2), negative=m.group(1) == "-") if m else None
    return None if n is None else in_int32(n + 1)


def vote_count(value, kind: str = "count") -> int | None:
    if type(value) is str:  # the usual case; the few distinct strings repeat across answers
        return _str_vote(value, kind)
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)


@lru_cache(maxsize=4096)
def _str_vote(value: str, kind: str) -> int | None:
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)
