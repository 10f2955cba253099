"""Dates to ISO (YYYY-MM-DD): the text shown decides; a timestamp only where none is shown,
read in its own offset (never converted to UTC)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache

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


def _iso(y, m, d) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def parse_shown_date(text: str | None) -> str | None:
    """"Oct 22, 2012", "October 22, 2012", "22 Oct 2012", "2012-10-22", "10/22/2012"."""
    s = clean(text) if text else None  # the one cleaner: a word joiner or a soft hyphen is no text
    if not s:
        return None
    m = _MDY.search(s)
    if m:
        mon = _MONTHS.get(m.group(1).lower())
        if mon:
            return _iso(m.group(3), mon, m.group(2))
    m = _DMY.search(s)
    if m:
        mon = _MONTHS.get(m.group(2).lower())
        if mon:
            return _iso(m.group(3), mon, m.group(1))
    m = _ISO.search(s)
    if m:
        return _iso(*m.groups())
    m = _US.search(s)
    if m:
        return _iso(m.group(3), m.group(1), m.group(2))
    return None


_SITES_UP, _SITES_UP_TO = 1995, 2100  # the years an epoch timestamp of a page can name


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
        # 0 or -1 stand for "none" (1970-01-01 is no date a question was asked on), and so
        # does a year no site of answers has been up in
        return day.isoformat() if _SITES_UP <= day.year <= _SITES_UP_TO else None
    m = _ISO.match(str(value).strip())
    return _iso(*m.groups()) if m else None


def to_iso_date(shown: str | None, timestamp=None) -> str | None:
    return parse_shown_date(shown) or parse_timestamp(timestamp)
