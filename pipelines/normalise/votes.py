"""Vote counts as readers see them."""
from __future__ import annotations

import re

_NG_INIT = re.compile(r"voteCount\s*=\s*([+-]?\d+)")
_INT = re.compile(r"[+\-\u2212]?\s*\d+")


def parse_count(value) -> int | None:
    """3, "3", "+3", "-1", "\u22121", "0" -> int."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    m = _INT.search(str(value))
    if not m:
        return None
    return int(m.group(0).replace("\u2212", "-").replace(" ", ""))


def legacy_vote(ng_init: str | None) -> int | None:
    """Legacy `ng-init="voteCount=N"`: readers see N + 1."""
    if not ng_init:
        return None
    m = _NG_INIT.search(ng_init)
    return int(m.group(1)) + 1 if m else None


def vote_count(value, kind: str = "count") -> int | None:
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)
