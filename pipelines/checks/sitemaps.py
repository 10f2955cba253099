"""Sitemaps lost: failed or cut off on every attempt, not a sitemap, or redirected where the
crawl cannot follow (the spider counts them, `sitemaps/lost`, and lists them).

A lost sitemap or sitemap index is a hole the other checks may not see: the questions only it
names are never asked for, so no question page fails (a site whose listings name them all
loses nothing; one whose sitemaps are its only list loses them all). Whatever the transport
did (a body cut short, a timeout, a close-delimited body whose root does not close), it is
judged the same: one lost sitemap makes the crawl `degraded`, and its message names it.
"""
from __future__ import annotations

from crawler.discovery import SITEMAPS_LOST

from . import CheckResult

NAME = "sitemaps_unread"


def check(facts) -> list[CheckResult]:
    lost = int(facts.stats.get(SITEMAPS_LOST, 0))
    return [CheckResult.judge(NAME, lost, 0)] if lost else []
