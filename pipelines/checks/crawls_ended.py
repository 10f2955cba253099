"""Crawls of the archives a reparse read that did not end whole (crawler.reparse counts them).

An archive holds what its crawl fetched until it stopped: of a crawl interrupted, failed,
blocked, killed (no closing record) or still running, that is not a walk of its site, and may
hold pages the crawl fetched but never committed. The reparse reads them all the same, but
is then `degraded`, not `finished`, its message naming those crawls and how they ended.
A live crawl reads no archive: the check does not apply.
"""
from __future__ import annotations

from . import CheckResult

NAME = "archive_crawls_not_ended"
ENDED_WHOLE = ("finished", "degraded")  # statuses of a crawl that ran to its end (its closing record's)
UNENDED = "reparse/crawls_not_ended"  # how many
UNENDED_WORDS = "reparse/crawls_not_ended_words"  # which, and how they ended, in words


def check(facts) -> list[CheckResult]:
    if "reparse/archive_files" not in facts.stats:
        return []
    return [CheckResult.judge(NAME, int(facts.stats.get(UNENDED, 0)), 0)]
