"""Dates to ISO (YYYY-MM-DD): the text shown decides; a timestamp only where none is shown,
read in its own offset (never converted to UTC)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache

from .numbers import whole_number
from .text import clean

# A month's name or its abbreviation, whole ("Octopus 1, 2012" and "Mayo 12" show no date).
_MONTHS = {word: i for i, names in enumerate((
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
    "aug august", "sep sept september", "oct october", "nov november", "dec december"), 1)
    for word in names.split()}
# A month is not the tail of a word ("CalendarOct 22" shows no date): a shown date is read, never guessed.
_MDY = re.compile(r"(?<![A-Za-z])([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DMY = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\b\.?,?\s+(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
# Each shown form with the groups of its year, month and day, in the order they are tried.
_SHOWN = ((_MDY, 3, 1, 2), (_DMY, 3, 2, 1), (_ISO, 1, 2, 3), (_US, 3, 1, 2))
_NAMED = (_MDY, _DMY)  # a month by its name


# The years a date of a page can name, however it comes (shown text, an ISO string, an epoch):
# none before any site of answers was up ("Jan 1, 0001", an epoch's 0 or -1 for "none") and
# none of a far future. A date outside is no date (null), and no plot of the report has to draw it.
FIRST_YEAR, LAST_YEAR = 1995, 2100


def plausible_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _iso(y, m, d) -> str | None:
    if not plausible_year(int(y)):
        return None
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def parse_shown_date(text: str | None) -> str | None:
    """"Oct 22, 2012", "October 22, 2012", "22 Oct 2012", "2012-10-22", "10/22/2012"; the
    first date the text shows decides, read whole ("Jan 1, 10000" and "123 Oct 2012" show
    no date, never 1000-01-01 or Oct 23)."""
    s = clean(text) if text else None  # the one cleaner: a word joiner or a soft hyphen is no text
    if not s:
        return None
    for pattern, y, mon, d in _SHOWN:
        m = pattern.search(s)
        month = m and (_MONTHS.get(m.group(mon).lower()) if pattern in _NAMED else m.group(mon))
        if month:
            return _iso(m.group(y), month, m.group(d)) if whole_number(s, m.start(), m.end()) else None
    return None


def parse_timestamp(value) -> str | None:
    """The calendar date of a timestamp in its own offset ("2012-10-22T23:30:00-07:00" -> 2012-10-22).
    Epoch numbers (seconds or milliseconds) have no offset of their own: read as UTC."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        secs = value / 1000 if value >= 1e11 else value
        try:
            day = datetime.fromtimestamp(secs, tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):  # NaN, inf, past year 9999: no date
            return None
        # 0 or -1 stand for "none" (1970-01-01 is no date a question was asked on)
        return day.isoformat() if plausible_year(day.year) else None
    text = str(value).strip()
    m = _ISO.match(text)
    return _iso(*m.groups()) if m and whole_number(text, m.start(), m.end()) else None


def to_iso_date(shown: str | None, timestamp=None) -> str | None:
    return parse_shown_date(shown) or parse_timestamp(timestamp)
