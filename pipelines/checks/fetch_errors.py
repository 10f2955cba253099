"""Download errors, 5xx and 429 answers, bodies that could not be decoded (a broken gzip
stream, one past DOWNLOAD_MAXSIZE), redirects off the site and redirects the crawl could not follow, against the requests the crawl
made. A block page sent with a 503 or 429 is left out: it is a block (crawler.middlewares.blocks),
waited on and counted as one.

Retries hide them from the data (a page that answered 503 twice and then 200 is recorded
whole), but a site answering errors to a large share of requests is a crawl at risk: pages
given up, a site under strain, or a crawl too fast for it. Scrapy's own downloader stats are
read, so every response counts, robots.txt and sitemaps included.
"""
from __future__ import annotations

from crawler.middlewares.blocks import BLOCKED_STATUS
from crawler.middlewares.compression import UNDECODABLE
from crawler.middlewares.offsite import REDIRECTED_OFFSITE
from crawler.middlewares.redirect import REDIRECT_NOT_FOLLOWED

from . import CheckResult

NAME = "fetch_errors"
STATUS = "downloader/response_status_count/"
EXCEPTION = "downloader/exception_type_count/"
# Requests the crawl chose not to send (robots.txt forbids them, another host, stopping, its
# --max-pages reached, a host that asked for a wait past RETRY_AFTER_MAX): Scrapy's downloader
# stats count them as download exceptions, and they are no error of the site. Each is counted by its own reason (pages/robots_forbidden, ...).
# A page not sent because its site's robots.txt could not be read (RobotsUnreadable) is one of
# them: the robots.txt is the error (robotstxt/unreadable), its pages are robots_forbidden.
DROPPED_BY_THE_CRAWL = frozenset(("IgnoreRequest", "CrawlStopping", "PageCapReached", "RetryAfterTooLong",
                                  "RobotsUnreadable"))


def download_errors(stats: dict) -> int:
    """Download attempts that failed (no answer: refused, reset, timed out...), every attempt,
    retried or not, the crawl's own drops left out (the stat's key ends in the class name): the
    `crawls` row's download_errors, the summary's errors by kind, and this check's share."""
    return sum(int(n) for key, n in stats.items()
               if key.startswith(EXCEPTION) and key.rpartition(".")[2] not in DROPPED_BY_THE_CRAWL)


def error_answers(stats: dict, status=lambda code: code.startswith("5") or code == "429") -> int:
    """Answers whose status `status` takes (by its text: 5xx and 429 unless told), block pages
    left out: a wall's 503 or 429 is a block (pages/blocked), not the site's error. The
    `crawls` row's responses_5xx and responses_429 are these, so the row, the summary's
    errors and this check count one response in one class."""
    return _statuses(stats, STATUS, status) - _statuses(stats, BLOCKED_STATUS, status)


def error_share(stats: dict) -> float | None:
    """Share of download attempts that met a download error, a 5xx, a 429, a body that
    could not be decoded or a redirect off the site; None when none."""
    exceptions = download_errors(stats)
    responses = int(stats.get("downloader/response_count", 0))
    if exceptions + responses == 0:
        return None
    errors = error_answers(stats)
    errors += sum(int(stats.get(key, 0)) for key in (UNDECODABLE, REDIRECTED_OFFSITE, REDIRECT_NOT_FOLLOWED))
    return (exceptions + errors) / (exceptions + responses)


def _statuses(stats: dict, prefix: str, status) -> int:
    """The per-status counts under `prefix` of the statuses `status` takes."""
    return sum(int(n) for key, n in stats.items() if key.startswith(prefix) and status(key[len(prefix):]))


def check(facts) -> list[CheckResult]:
    share = error_share(facts.stats)
    if share is None:
        return []
    return [CheckResult.judge(NAME, share, facts.settings.getfloat("CHECK_FETCH_ERRORS_MAX"))]
