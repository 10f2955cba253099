"""Dates as the site prints them: shown text, legacy local timestamps, nextjs UTC timestamps."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

DAY0 = date(2026, 11, 1)   # the calendar date of day 0; day D is D days later
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_date(day: int) -> date:
    return DAY0 + timedelta(days=day)


def shown(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def pacific_offset(d: date) -> int:
    """-7 in US daylight time (2nd Sunday of March to 1st Sunday of November), else -8."""
    return -7 if _nth_sunday(d.year, 3, 2) <= d < _nth_sunday(d.year, 11, 1) else -8


def legacy_stamp(d: date, minute: int) -> str:
    return f"{d.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00{pacific_offset(d):+03d}:00"


def utc_stamp(d: date, minute: int) -> str:
    """The same instant in UTC: an evening in Pacific time falls on the next UTC day."""
    local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=timezone(timedelta(hours=pacific_offset(d))))
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def http_date(d: date) -> str:
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
