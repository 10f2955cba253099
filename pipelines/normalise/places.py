"""The asker's place as printed ("Phoenix, AZ"): never a date, a number or a count.

A byline list that shows its date as plain text (no longer in a <time>) or a view count
("1,234 views") holds items that a page object could take for the asker's location; such an
item is no place, wherever it comes from (any family's markup or data). A place is kept as
printed, whatever its script or shape ("Toronto", "東京, 日本", "Phoenix AZ").

Where the page does not say which item is the place (provider-card's unlabelled byline list,
beside items a redesign may add: "Posted anonymously", "Verified patient"), only one that shows
a region after a comma (`shows_region`) is taken for one: a guess would write a badge as the
asker's place.
"""
from __future__ import annotations

import re

from .dates import shown_readings
from .text import collapse

# A number alone, or a count: a number and a word or two ("12", "1,234 views", "1.2K views",
# "3 days ago"); a place's name starts with a word ("Twentynine Palms, CA").
_COUNT = re.compile(r"[-+\u2212]?\d[\d,.'\u00a0 ]*[kKmM]?(?:\s+[^\W\d]+){0,2}\.?")


def is_place(text: str | None) -> bool:
    """Whether a printed item can be a place: some text that is no date ("Apr 24, 2021",
    "Asked on 04/24/2021") and no number or count."""
    s = collapse(text)
    return s is not None and not shown_readings(s) and not _COUNT.fullmatch(s)


def shows_region(text: str | None) -> bool:
    """Whether a printed item is a place that names its region after a comma ("Phoenix, AZ",
    "東京, 日本"): what tells a place from another item in a list that does not label them."""
    s = collapse(text)
    return is_place(s) and "," in s and all(part.strip() for part in s.split(","))


def place(text: str | None) -> str | None:
    """The place as printed, cleaned; None when there is none, or the text is no place."""
    return collapse(text) if is_place(text) else None
