"""The asker's place as printed ("Phoenix, AZ"): a name and its region, never anything else.

What is a place is read from what it shows, as the contract prints one: a name, a comma, its
region ("Phoenix, AZ", "St. Louis, MO", "Beverly Hills, CA 90210", "London, England, UK").
Whatever else stands where a place would (a byline item a redesign adds, "Posted anonymously",
"Verified patient"; a date shown as plain text; a view count, "1,234 views") is no place,
wherever it comes from (any family's markup or data).
"""
from __future__ import annotations

import re

from .dates import shown_readings
from .text import collapse

# A number alone, or a count: a number and a word or two ("12", "1,234 views", "1.2K views",
# "3 days ago").
_COUNT = re.compile(r"[-+\u2212]?\d[\d,.'\u00a0 ]*[kKmM]?(?:\s+[^\W\d]+){0,2}\.?")


def is_place(text: str | None) -> bool:
    """Whether a printed item is a place: parts separated by commas, two at least, each a
    name (it begins with a capital letter), that is no date ("Monday, April 24")."""
    s = collapse(text)
    if s is None or shown_readings(s):
        return False
    parts = s.split(",")
    return len(parts) > 1 and all(part.strip()[:1].isupper() for part in parts)


def is_count(text: str | None) -> bool:
    """Whether a printed item is a number or a count ("12", "1,234 views", "3 days ago")."""
    s = collapse(text)
    return s is not None and _COUNT.fullmatch(s) is not None


def place(text: str | None) -> str | None:
    """The place as printed, cleaned; None when there is none, or the text is no place."""
    return collapse(text) if is_place(text) else None
