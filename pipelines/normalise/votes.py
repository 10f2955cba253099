"""Vote counts as readers see them."""
from __future__ import annotations

import re
from functools import lru_cache

from .numbers import count_of_number, in_int32, signed_count
from .text import clean

# The expression ng-init assigns to voteCount: up to the statement's end. It is a count when
# it is one integer literal as AngularJS reads it: ASCII digits, no thousands commas, "-" its minus.
_NG_INIT = re.compile(r"voteCount\s*=\s*([^;]*)")
_LITERAL = re.compile(r"[+-]?\s*[0-9]+")


def parse_count(value) -> int | None:
    """3, "3", "+3", "-1", "\u22121", "0" -> int, text as a reader sees it ("4\u00ad2" is 42);
    a count no int32 holds (or inf) -> None; a text that is not one number read whole ("1.2K",
    "1 154", "12 34") -> None."""
    if value is None or isinstance(value, (bool, int, float)):
        return count_of_number(value)
    return signed_count(clean(str(value)))


def legacy_vote(ng_init: str | None) -> int | None:
    """Legacy `ng-init="voteCount=N"`: readers see N + 1. An expression that is not one
    signed number ("4 2", "4-2", "1'234", "3 && x") is no count, never its first digits'."""
    m = _NG_INIT.search(ng_init) if ng_init else None
    expression = clean(m.group(1)) if m else ""
    if not _LITERAL.fullmatch(expression):
        return None
    n = signed_count(expression)
    return None if n is None else in_int32(n + 1)


# The kind of a vote the page shows in data its page object could not read (JSON that does not
# parse): the data's text as printed, which gives no count.
UNREAD = "unread"


def vote_count(value, kind: str = "count") -> int | None:
    if kind == UNREAD:  # no count is guessed from data that does not read ("{likeCount: 3}")
        return None
    if type(value) is str:  # the usual case; the few distinct strings repeat across answers
        return _str_vote(value, kind)
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)


@lru_cache(maxsize=4096)
def _str_vote(value: str, kind: str) -> int | None:
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)
