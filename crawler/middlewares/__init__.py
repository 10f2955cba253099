"""The project's downloader middlewares."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.exceptions import IgnoreRequest


# Scrapy's flag of a response whose body stopped before its end (a transfer cut short, read with
# DOWNLOAD_FAIL_ON_DATALOSS off); crawler.middlewares.compression sets it too on a body whose
# content coding stopped before its end (a gzip stream without its end: Scrapy's decoders give
# what they inflated of it without a word).
CUT_SHORT = "dataloss"
# Ours, beside CUT_SHORT, on a body whose content coding failed its own check (a gzip CRC-32):
# emptied, since any byte of it may be wrong (crawler.middlewares.compression).
DAMAGED = "damaged"


def cut_short(response) -> bool:
    """Whether a response's body is known to stop before its end, whatever it holds: for a
    robots.txt, which has no end of its own to look for, the only test; for question pages,
    sitemaps and listings the first one (their own end is looked for too)."""
    return CUT_SHORT in response.flags


def body_fault(response) -> str:
    """What is wrong with a body cut_short() flags, in words a person reads."""
    return "its body failed its content coding's check" if DAMAGED in response.flags else "its body was cut short"


class CountedDrop(IgnoreRequest):
    """A request a middleware of ours gave up on and counted itself (a block page waited on in
    vain, an undecodable body, a redirect off the site): the spider does not count it again."""


def http_date(value: str | bytes | None) -> datetime | None:
    """An HTTP-date (Date, Last-Modified, Retry-After) in any of the three forms RFC 9110 5.6.7
    makes recipients accept, as an aware datetime; None when absent or unreadable. asctime
    dates and dates with no zone or "-0000" are GMT, as every HTTP-date is."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        when = parsedate_to_datetime(value.strip()) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=timezone.utc) if when is not None and when.tzinfo is None else when


def sent_at(headers) -> datetime:
    """When the server sent a response by its own clock: its Date, else now. The dates the
    server writes (Last-Modified, a Retry-After date) are measured against this, not against
    our clock: a server whose clock is a day off still means what it says."""
    return http_date(headers.get(b"Date")) or datetime.now(timezone.utc)
