"""Ratings (1-5 or null) and review counts."""
from __future__ import annotations

import math
import re

from .votes import in_int32

_NUM = re.compile(r"(\d+(?:[.,]\d+)?)")
_OUT_OF = re.compile(r"(\d+(?:\.\d+)?)\s*(?:out\s+of|/)\s*5")
_REVIEWS = re.compile(r"(\d[\d,]*)\s*reviews?\b", re.I)


def parse_rating(value) -> float | None:
    """4.7, "4.7" or "4.7 out of 5 stars" -> 4.7; outside 1..5 (the site's 0.0) -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            r = float(value)
        except OverflowError:  # an int beyond any float: no rating
            return None
    else:
        s = str(value)
        m = _OUT_OF.search(s) or _NUM.search(s)
        if not m:
            return None
        r = float(m.group(1).replace(",", "."))
    if not 1.0 <= r <= 5.0:
        return None
    return r


def parse_review_count(value) -> int | None:
    """68, "68", "68 reviews", "1 review", "4.8 out of 5 stars 1,234 reviews" -> int."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return in_int32(value)
    if isinstance(value, float):
        return in_int32(int(value)) if math.isfinite(value) else None
    s = str(value).strip()
    if s.isdigit():
        return in_int32(int(s)) if len(s) <= 12 else None
    m = _REVIEWS.search(s)
    if m:
        digits = m.group(1).replace(",", "")
        return in_int32(int(digits)) if len(digits) <= 12 else None
    return None


def rating_pair(rating, reviews) -> tuple[float | None, int | None]:
    """(rating, review_count); a byline without a rating line gives (None, None)."""
    return parse_rating(rating), parse_review_count(reviews)
