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
_MDY = re.compile(r"(?<![A-Za-z])([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s+(\d{4})")
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+|-)([A-Za-z]{3,9})\b\.?,?(?:\s+|-)(\d{4})")  # "22nd October 2012", "22-Oct-2012"
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")  # "2012-10-22", "2012/10/22", "2012.10.22": never year/day/month
# Numbers with a four-digit year last ("10/22/2012", "22.10.2012", "10-22-2012"), whatever
# their separator: read month/day and day/month, a reading that is no date dropped; one that
# reads both ways is settled by its timestamp, the page's other dates, else month first (the
# reference site's US locale; read_date). A two-digit year ("10/22/12") is not read: its
# century and the order of its numbers are guesses (null, and counted).
_US = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
# Each shown form with the groups of its year, month and day, in the order they are tried.
_SHOWN = ((_MDY, 3, 1, 2), (_DMY, 3, 2, 1), (_YMD, 1, 3, 4), (_US, 4, 1, 3))
_NAMED = (_MDY, _DMY)  # a month by its name
# What shows a calendar date, read or not: a month's name, three numbers ("10/22/12") or a
# year ("22 Octobre 2012"). "Answered 3 days ago" shows none.
# A month's name or a year as a word of its own: "mom2012", "jenny_jun5", "sept11survivor" (an
# asker's name) show none.
_A_DATE = re.compile(r"(?<![\w])(?:%s)(?![^\W\d_])(?!\d{2})|\d{1,4}([/.-])\d{1,2}\1\d{2,4}|(?<!\w)(?:19|20)\d\d(?!\d)"
                     % "|".join(_MONTHS), re.I)


# The years a date of a page can name, however it comes (shown text, an ISO string, an epoch):
# none before any site of answers was up ("Jan 1, 0001", an epoch's 0 or -1 for "none") and
# none of a far future. A date outside is no date (null), and no plot of the report has to draw it.
FIRST_YEAR, LAST_YEAR = 1995, 2100


def shows_a_date(text: str | None) -> bool:
    """Whether a text shows a calendar date, read or not ("Oct 22, 2012", "Oct 22, '12"), as
    "1,259 views", "Top 10" and "Asked by jane84" do not."""
    return bool(text and _A_DATE.search(clean(text) or ""))


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
def _read(text: str | None) -> tuple[tuple[str, ...], bool | None]:
    """(shown_readings, written_day_first) of a text."""
    s = clean(text) if text else None  # the one cleaner: a word joiner or a soft hyphen is no text
    if not s:
        return (), None
    for pattern, y, mon, d in _SHOWN:
        m = pattern.search(s)
        month = m and (_MONTHS.get(m.group(mon).lower()) if pattern in _NAMED else m.group(mon))
        if month:
            if not whole_number(s, m.start(), m.end()):
                return (), None
            if pattern is not _US:
                return tuple(filter(None, (_iso(m.group(y), month, m.group(d)),))), None
            readings = tuple(dict.fromkeys(filter(None, (_iso(m.group(y), month, m.group(d)),
                                                         _iso(m.group(y), m.group(d), month)))))
            order = None if len(readings) != 1 or month == m.group(d) else int(month) > 12
            return readings, order
    return (), None


# What labels a date of a line: the item's own (its asking, answering, posting) or a later
# edit's ("Updated May 10, 2013 \u00b7 Answered Oct 22, 2012", "Answered 3 days ago (edited Oct
# 25, 2012)", "Last edited: Oct 25, 2012"). The label nearest before a date is its own.
_LABEL = re.compile(r"\b(?:(answered|asked|posted)|(updated?|edit(?:ed)?|last\s+changed|modified|revised))\b", re.I)
OWN, EDIT = "own", "edit"


def _label(text: str) -> str | None:
    """OWN or EDIT: what the last label word of a date's text before it says, None for none."""
    last = None
    for last in _LABEL.finditer(text):
        pass
    return last and (OWN if last.group(1) else EDIT)


@lru_cache(maxsize=8192)
def _dates_shown(text: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(label, shown_readings) of each date a text shows, in the order shown, its label the
    text between it and the date before it (or the line's start)."""
    s = clean(text) if text else None
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for pattern, y, mon, d in _SHOWN if s else ():
        for m in pattern.finditer(s):
            month = _MONTHS.get(m.group(mon).lower()) if pattern in _NAMED else m.group(mon)
            if month and not any(m.start() < end and start < m.end() for start, end, _ in found):
                readings = _read(m.group(0))[0] if whole_number(s, m.start(), m.end()) else ()
                found.append((m.start(), m.end(), readings))
    found.sort()
    ends = (0, *(end for _, end, _ in found))
    return tuple((s[after:start], readings) for (start, _, readings), after in zip(found, ends))


def _the_date(dates, stamped: str | None) -> tuple[str, ...]:
    """The readings of the item's date among a line's dates, never an edit's: the one date not
    labelled as an edit ("Updated", "Edited"); of several, the one its timestamp names (within a
    day), else the one labelled as the item's own ("Answered", "Asked", "Posted"); else none:
    which is the item's date would be a guess."""
    own = [d for d in dates if _label(d[0]) != EDIT]
    if len({readings for _, readings in own}) == 1:
        return own[0][1]
    if stamped is not None:
        agreeing = [readings for _, readings in own if any(_days_apart(r, stamped) <= 1 for r in readings)]
        if len(agreeing) == 1:
            return agreeing[0]
    labelled = [d for d in own if _label(d[0]) == OWN]
    return labelled[0][1] if len(labelled) == 1 else ()


def _before_the_edits(dates, stamped: str | None) -> bool:
    """Whether a timestamp can be the date of an item whose line shows only its edits' dates:
    an item is never posted after its edit (a day's leeway: a timestamp read in UTC may be a
    day later than the date shown)."""
    return stamped is not None and all(_days_apart(r, stamped) <= 1 or r > stamped
                                       for _, readings in dates for r in readings)


def shown_readings(text: str | None) -> tuple[str, ...]:
    """The dates a shown text can mean, the first date it shows deciding, read whole ("Jan 1,
    10000" and "123 Oct 2012" show no date, never 1000-01-01 or Oct 23): one for a month by
    name ("Oct 22, 2012", "22 Oct 2012") or an ISO date; for a numeric one its month/day
    reading ("10/22/2012"), then its day/month one where that is another date ("11/02/2009" is
    Nov 2 or Feb 11; "16/02/2009" is Feb 16 alone). () for none."""
    return _read(text)[0]


def written_day_first(text: str | None) -> bool | None:
    """Whether a numeric date text can only be day/month ("16/02/2009": True) or only
    month/day ("02/16/2009": False); None for any other text, or one read both ways."""
    return _read(text)[1]


def parse_shown_date(text: str | None) -> str | None:
    """"Oct 22, 2012", "October 22, 2012", "22 Oct 2012", "2012-10-22", "10/22/2012": the
    first reading of the text (shown_readings); numbers that are a date both ways read month
    first, as the site writes them, when nothing settles which (read_date)."""
    readings = shown_readings(text)
    return readings[0] if readings else None


@lru_cache(maxsize=8192)  # each item of a page with a timestamp reads it (read_date)
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


# What a date of a record came from (read_date): the text shown; the timestamp, where no
# date is shown; or the text shown where the timestamp names another date (more than a day
# apart: a timestamp read in another offset, UTC's, may be a day off the date shown).
SHOWN, STAMPED, DISAGREES = "shown", "timestamp", "disagrees"


def read_date(shown: str | None, timestamp=None, day_first: bool = False) -> tuple[str | None, str | None]:
    """(the ISO date, what it came from) of an item's shown text and its timestamp (an
    element's machine-readable `datetime`, or its data's): the text shown decides; where it
    can be read two ways (11/02/2009), the reading the timestamp names (within a day) decides,
    else the page's order (`day_first`: the page writes other dates day first) and else month
    first. The timestamp's own date only where the text shows no calendar date ("Answered 3
    days ago", none): a date shown that does not read ("Oct 22, '12") is no date, never the
    timestamp's, which read in UTC may be a day off it. A text showing several dates
    ("Updated May 10, 2013 \u00b7 Answered Oct 22, 2012") or an edit's ("Answered 3 days ago
    (edited Oct 25, 2012)") reads as the one _the_date picks, never an edit's; a text showing
    edits' dates alone reads as the timestamp's date when it is no later than theirs, else as
    no date. (None, None) for no date."""
    readings = shown_readings(shown)
    stamped = parse_timestamp(timestamp) if timestamp is not None else None
    dates = _dates_shown(shown)
    if len({r for _, r in dates}) > 1 or any(_label(label) == EDIT for label, _ in dates):
        readings = _the_date(dates, stamped)  # "Updated May 10, 2013 \u00b7 Answered Oct 22, 2012"
        if not readings:
            if any(_label(label) != EDIT for label, _ in dates) or not _before_the_edits(dates, stamped):
                return None, None
            return stamped, STAMPED  # "Updated Oct 25, 2012": an edit's date alone, never the item's
    if not readings:
        if stamped is None or shows_a_date(shown):
            return None, None
        return stamped, STAMPED
    unsettled = readings[-1] if day_first else readings[0]
    if stamped is None:
        return unsettled, SHOWN
    if stamped in readings:  # the usual page: one date, both ways
        return stamped, SHOWN
    agreeing = [r for r in readings if _days_apart(r, stamped) <= 1]
    if agreeing:
        return min(agreeing, key=lambda r: _days_apart(r, stamped)), SHOWN
    return unsettled, DISAGREES


def _days_apart(a: str, b: str) -> int:
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def to_iso_date(shown: str | None, timestamp=None, day_first: bool = False) -> str | None:
    return read_date(shown, timestamp, day_first)[0]
