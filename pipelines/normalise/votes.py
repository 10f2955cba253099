"""Vote counts as readers see them."""
from __future__ import annotations

import re
from functools import lru_cache

from .numbers import COUNT, count_of_digits, count_of_number, in_int32, whole_number

_NG_INIT = re.compile(r"voteCount\s*=\s*([+-]?)(\d+)(?![\w.])")
_INT = re.compile(rf"([+\-\u2212]?)\s*({COUNT})")  # a count with its sign


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
    return count_of_digits(digits, negative=sign in ("-", "\u2212"))


def legacy_vote(ng_init: str | None) -> int | None:
    """Legacy `ng-init="voteCount=N"`: readers see N + 1."""
    if not ng_init:
        return None
    m = _NG_INIT.search(ng_init)
    whole = m and whole_number(ng_init, m.start(2), m.end(2))  # "voteCount=1'234" is no count, not 1
    n = count_of_digits(m.group(2), negative=m.group(1) == "-") if whole else None
    return None if n is None else in_int32(n + 1)


def vote_count(value, kind: str = "count") -> int | None:
    if type(value) is str:  # the usual case; the few distinct strings repeat across answers
        return _str_vote(value, kind)
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)


@lru_cache(maxsize=4096)
def _str_vote(value: str, kind: str) -> int | None:
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)
