"""Vote counts as readers see them."""
from __future__ import annotations

import math
import re
from functools import lru_cache

_NG_INIT = re.compile(r"voteCount\s*=\s*([+-]?\d+)")
_INT = re.compile(r"([+\-\u2212]?)\s*(\d+)")


def parse_count(value) -> int | None:
    """3, "3", "+3", "-1", "\u22121", "0" -> int; a count no int32 holds (or inf) -> None."""
    if value is None or isinstance(value, (bool, int, float)):
        return count_of_number(value)
    m = _INT.search(str(value))
    if not m:
        return None
    # Any white space may stand between the sign and the digits, not only a space.
    sign, digits = m.groups()
    return count_of_digits(digits, negative=sign in ("-", "\u2212"))


def count_of_number(value) -> int | None:
    """A count the page's data gives as a JSON number (None and booleans are no count)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return in_int32(int(value)) if math.isfinite(value) else None
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
    return int(m.group(1)) + 1 if m else None


def vote_count(value, kind: str = "count") -> int | None:
    if type(value) is str:  # the usual case; the few distinct strings repeat across answers
        return _str_vote(value, kind)
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)


@lru_cache(maxsize=4096)
def _str_vote(value: str, kind: str) -> int | None:
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)
