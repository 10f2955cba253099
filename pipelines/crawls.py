"""The `crawls` row: what one crawl did and how it ended, from the crawler's stats, written last.

How a crawl ended is decided once, by `status_of` (the statuses of DATASETS.md), whichever way
the crawl ran (`doctor-answers crawl`, `scrapy crawl`, a Scrapyd job): the dataset pipeline
calls `crawl_outcome` when the spider closes, and the row, the log, the stats (which the CLI's
summary and exit status read) all say the same.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa

from crawler.discovery import (BAD_LASTMOD, BAD_URLS, BAD_URLS_LIST, LIMITS_HIT, LISTINGS_GIVEN_UP, LISTINGS_GIVEN_UP_LIST,
                               SITEMAPS_FORBIDDEN_LIST, SITEMAPS_LOST, SITEMAPS_LOST_LIST, START_PAGES_UNKNOWN,
                               UNUSABLE_LINKS)
from crawler.install import load_failure
from crawler.middlewares.blocks import BLOCKED_STATUS
from crawler.middlewares.conditional import FUTURE_LAST_MODIFIED, SHARED_VALIDATOR
from crawler.middlewares.offsite import OFF_SITE_LINKS, OFF_SITE_LISTINGS, OFF_SITE_LISTINGS_LIST, REDIRECTED_OFFSITE
from crawler.middlewares.redirect import REDIRECT_NOT_FOLLOWED, REDIRECTED_AWAY, REDIRECTED_AWAY_LIST
from crawler.middlewares.robots import UNREADABLE_STAT as ROBOTS_UNREADABLE
from crawler.middlewares.urllength import URL_TOO_LONG, URL_TOO_LONG_LIST
from crawler.sites import of_sites, sites_of
from pipelines.checks import CheckResult, CrawlFacts, run_checks
from pipelines.checks.coverage import crawl_coverage
from pipelines.checks.fetch_errors import DROPPED_BY_THE_CRAWL, UNDECODABLE, download_errors, error_answers
from pipelines.checks.start_urls import HOME_PAGES_UNREAD, START_URL_ERRORS, failures as start_failures
from pipelines.output.parquet import read_table_file, unreadable_row, write_table, write_table_then
from pipelines.schemas import CRAWLS

logger = logging.getLogger(__name__)

# Scrapy's close reasons to the statuses of DATASETS.md; any other reason is `failed`.
STATUS_OF_REASON = {
    "finished": "finished",
    "closespider_pagecount": "finished",
    "closespider_itemcount": "finished",
    "closespider_timeout": "finished",
    "shutdown": "interrupted",
    "cancelled": "interrupted",
    "blocked": "blocked",
}

# A crawl its own limit stopped did what it was asked (`finished`), and says it stopped early.
STOPPED_AT_A_LIMIT = {
    reason: f"stopped at its limit ({setting}): what was not fetched by then is not in this crawl"
    for reason, setting in (("closespider_pagecount", "--max-pages, CLOSESPIDER_PAGECOUNT"),
                            ("closespider_itemcount", "CLOSESPIDER_ITEMCOUNT"),
                            ("closespider_timeout", "CLOSESPIDER_TIMEOUT"))
}

# The check a crawl fails when its checks could not run at all.
CHECKS_RAN = "checks_ran"

# The exit status of a crawl of each status (the CLI's `crawl`, and `scrapy crawl`).
EXIT_STATUS = {"finished": 0, "degraded": 4, "failed": 1, "blocked": 3, "interrupted": 130}

# Scrapy's download exceptions (by class name), in words a person acts on.
EXCEPTION_WORDS = {
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "CannotResolveHostError": "host name not found",
    "DNSLookupError": "host name not found",
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "NoRouteError": "no route to host",
    "DownloadFailedError": "connection lost",
    "ConnectionLost": "connection lost",
    "ResponseFailed": "connection lost",
    "ResponseNeverReceived": "no response",
    "UnparseableResponse": "unparseable response",
    "ResponseDataLossError": "response cut short",
    # Scrapy's HTTP/1.1 handler cancels a download for one reason: its size (a stop's cancel
    # is CrawlStopping, never counted)
    "DownloadCancelledError": "larger than DOWNLOAD_MAXSIZE",
    "TunnelError": "proxy tunnel failed",
    "SSLError": "TLS failed",
    "ConnectError": "could not connect",
    "ConnectingCancelledError": "connecting cancelled",
}


def exception_words(name: str, message: str = "") -> str:
    """An exception, by its class name, in words: EXCEPTION_WORDS' own, else its message (a
    middleware's own words), else its name taken apart ("SomeNewError" -> "some new error"):
    never a class name where a person reads a reason."""
    name = name.rpartition(".")[2]
    if name in EXCEPTION_WORDS:
        return EXCEPTION_WORDS[name]
    return message.strip() or " ".join(_WORD.findall(name)).lower() or "an error"


# The words of a CamelCase class name: "SSLError" -> SSL, Error; "HTTP2Error" -> HTTP2, Error.
_WORD = re.compile(r"[A-Z0-9]+(?=[A-Z][a-z]|\b|_)|[A-Z]?[a-z0-9]+|[A-Z0-9]+")


@dataclass
class Outcome:
    status: str
    message: str | None
    checks: list[CheckResult] = field(default_factory=list)
    coverage: list[dict] = field(default_factory=list)

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]


def status_of(reason: str, stats: dict, start_urls=(), checks=(), output_error: str | None = None) -> str:
    """THE outcome rule of a crawl: its status, from Scrapy's close reason, the stats, the
    start URLs and the quality checks.

    failed: the output could not be written, the crawl stopped for a reason that is not one of
    Scrapy's normal ones, nothing usable was fetched, or every start URL failed; interrupted
    and blocked as Scrapy (or the block middleware) said; degraded: data was committed but a
    quality check failed; finished: everything else."""
    if output_error:
        return "failed"
    status = STATUS_OF_REASON.get(reason)
    if status is None:
        return "failed"
    if status == "interrupted":
        return status
    # A crawl that ran to its end but left pages behind block walls did not get the site:
    # it says so, rather than `finished` with the blocked pages silently missing.
    if status == "blocked" or stats.get("pages/blocked_gave_up"):
        return "blocked"
    start_errors = stats.get(START_URL_ERRORS) or []
    if not usable_pages(stats) or (start_urls and len(start_errors) >= len(start_urls)):
        return "failed"
    return "degraded" if any(not c.passed for c in checks) else "finished"


def message_of(status: str, reason: str, stats: dict, checks=(), output_error: str | None = None,
               start_urls=()) -> str | None:
    """Why a crawl ended with `status` (status_of's), in words a person acts on. A crawl its own
    limit stopped says so whatever its status: what it holds is not the site's content."""
    if output_error:
        return output_error
    if status == "failed" and reason in STOPPED_AT_A_LIMIT and not usable_pages(stats):
        # the pages it asked for were never sent: the limit is the cause
        return f"no question page read: {STOPPED_AT_A_LIMIT[reason]}"
    return joined(_why(status, reason, stats, checks, start_urls), STOPPED_AT_A_LIMIT.get(reason))


def _why(status: str, reason: str, stats: dict, checks, start_urls) -> str | None:
    if status == "failed":
        if reason not in STATUS_OF_REASON:
            return stats.get("crawl/message") or f"the crawl stopped: {reason}"
        return why_nothing_usable(stats)
    if status == "degraded":
        # the start URLs and sites that gave nothing, named: the check only counts them
        return joined(failed_checks(checks), start_urls_failed(start_failures(stats, sites_of(start_urls), reason == "finished")),
                      dated_ahead(stats), lost_sitemaps(stats), *not_reached(stats), left_out(stats))
    if status == "interrupted":
        return stats.get("crawl/message") or ("stopped by a signal before its end; what was read is "
                                              "committed (with --state, the same command resumes it)")
    # A finished crawl may still have left out what its sources named: said, once (joined).
    return joined(stats.get("crawl/message"), *not_reached(stats), left_out(stats))


def failed_checks(checks) -> str | None:
    """`quality checks failed: name figure (threshold); ...`, None when none failed."""
    return checks_words([c.describe() for c in checks if not c.passed])


def checks_words(described: list[str]) -> str | None:
    """The words of a degraded crawl's message for its failed checks (CheckResult.describe each)."""
    return "quality checks failed: " + "; ".join(described) if described else None


def besides_checks(message: str | None, said: str | None) -> str | None:
    """What a degraded crawl's message says besides its failed checks (`said`: checks_words')."""
    if said and message and message.startswith(said):
        message = message[len(said):].removeprefix("; ")
    return message or None


def joined(*parts: str | None) -> str | None:
    """The parts of a message that say something, each once (a part already said within an
    earlier one, as when an outcome is judged again from its own message, is not said again),
    "; " between them; None when none does."""
    said: list[str] = []
    for part in parts:
        if part and not any(part in earlier for earlier in said):
            said.append(part)
    return "; ".join(said) or None


def not_reached(stats: dict) -> list[str]:
    """What a crawl could not reach, which no status says: the walks cut at their limits, the
    home pages of site roots read through their sitemaps, the question URLs redirected to no
    question page."""
    parts = [cut] if (cut := walks_cut(stats)) else []
    if homes := list(stats.get(HOME_PAGES_UNREAD) or []):
        parts.append("home page not read: " + "; ".join(homes) + " (the site's sitemaps or listings named its "
                     "question pages, but the topic listings the home page links were not walked)")
    if lost := redirected_away(stats):
        parts.append(lost)
    if off_site := off_site_listings(stats):
        parts.append(off_site)
    if given_up := listings_given_up(stats):
        parts.append(given_up)
    return parts


def counted_and_named(stats: dict, count_key: str, list_key: str, what: str) -> str | None:
    """`N WHAT: FIRST; SECOND (and M more, each named in the log)`: a count of the stats and the
    first few it named; None when the count is 0."""
    count = int(stats.get(count_key, 0))
    if not count:
        return None
    named = list(stats.get(list_key) or [])
    more = f" (and {count - len(named)} more, each named in the log)" if count > len(named) else ""
    return f"{count} {what}: " + "; ".join(named) + more


def off_site_listings(stats: dict) -> str | None:
    """`2 listing pages on another site not followed ...: URL (on PAGE); ...`, or None."""
    return counted_and_named(stats, OFF_SITE_LISTINGS, OFF_SITE_LISTINGS_LIST,
                             "listing pages on another site not followed (the questions only they and the pages "
                             "after them name are not in this crawl)")


def listings_given_up(stats: dict) -> str | None:
    """`1 home or listing pages not read whole: URL (cut off on every attempt); ...`, or None."""
    return counted_and_named(stats, LISTINGS_GIVEN_UP, LISTINGS_GIVEN_UP_LIST,
                             "home or listing pages not read whole (their links up to the cut were followed; "
                             "the questions and pages only the rest names are not in this crawl)")


def redirected_away(stats: dict) -> str | None:
    """`2 question pages lost to redirects to a page that is no question page: ASKED -> WHERE (why); ...`."""
    return counted_and_named(stats, REDIRECTED_AWAY, REDIRECTED_AWAY_LIST,
                             "question pages lost to redirects to a page that is no question page (the home "
                             "page, a listing, a login wall)")


def walks_cut(stats: dict) -> str | None:
    """`stopped at its walk limits: LISTING_MAX_PAGES=10 (e.g. URL); ...`, or None when no walk
    reached its bound: the pages past it were not fetched, nor the questions only they name."""
    hit = list(stats.get(LIMITS_HIT) or [])
    if not hit:
        return None
    settings = " ".join(f"-s {line.partition('=')[0]}=N" for line in hit)
    return (f"stopped at its walk limits: {'; '.join(hit)}: questions only the pages past them name "
            f"are not in this crawl (raise the limit: {settings}, 0 for none)")


LATEST_VIEW = "latest_view_updated"


def view_behind(outcome: Outcome, view: str, reason: str) -> Outcome:
    """The outcome of a crawl whose latest view could not be brought up to date: its data is
    committed, but readers of the view do not see it yet, so a `finished` crawl is `degraded`."""
    checks = [*outcome.checks, CheckResult(LATEST_VIEW, 0.0, 1.0, False, at_most=False)]
    status = "degraded" if outcome.status == "finished" else outcome.status
    behind = (f"{view} was not updated ({reason}): it shows the crawls before this one until an update succeeds "
              "(the next crawl's, or python -m pipelines.output.latest)")
    if status != "degraded":
        return Outcome(status, joined(outcome.message, behind), checks, outcome.coverage)
    # The failed checks, this one included, then what the message said besides them (a limit,
    # sitemaps not read, checks that could not run): nothing it said is lost.
    said = besides_checks(outcome.message, failed_checks(outcome.checks))
    return Outcome(status, joined(failed_checks(checks), said, behind), checks, outcome.coverage)


# The latest view holds the crawls with a row, so its update comes after the row. A row that said
# `finished` before it would stay so if the update, then the row's rewrite, failed (a full disk)
# or a kill stopped them: a crawl that ends `finished` first writes a row saying the view is
# behind, and says `finished` once the update is done.
VIEW_UNDER_WAY = "its update had not ended when this row was written; a kill or a full disk stopped it"


def row_before_view(outcome: Outcome, view: str | None) -> Outcome:
    """What a crawl's row says before its latest view's update (`view`: its folder; None: no
    update follows): only what stays true if the update never ends."""
    return view_behind(outcome, view, VIEW_UNDER_WAY) if view and outcome.status == "finished" else outcome


def row_after_view(outcome: Outcome, before: Outcome, view: str, behind: str | None) -> Outcome | None:
    """What the row says once the update is over (`behind`: why it failed); None when the row
    written before says it already."""
    after = view_behind(outcome, view, behind) if behind else outcome
    return None if (after.status, after.message) == (before.status, before.message) else after


def row_not_rewritten(before: Outcome, after: Outcome, view: str, why: str) -> tuple[Outcome, str]:
    """The outcome of a crawl whose row could not be rewritten after its latest view's update
    (`why`), and the line that says so: the row written before stands, and so does its status."""
    if after.status == before.status:
        note = (f"its crawls row could not be rewritten with why the view is behind ({why}); it says "
                f"{before.status}, as the crawl does")
        return Outcome(before.status, f"{after.message}; {note}", before.checks, before.coverage), note
    # the row says the view is behind, which it no longer is
    note = (f"{view} was updated, but the crawls row could not be rewritten as {after.status} ({why}): it stays "
            f"{before.status}; the data and the view are whole")
    return Outcome(before.status, note, before.checks, before.coverage), note


# A resumed crawl has a row already (its earlier run's), so the batches its run commits are read
# at once: the row is rewritten with each of them, and says the run has not ended, which stays
# true if a kill stops it before its end. Its counts are then those of the rows committed so far.
RUN_UNDER_WAY = ("resumed, and the run had not ended when this row was written (it is running, or was killed: the "
                 "same command with --state resumes it); its counts are those of the rows committed by then")


def row_while_resumed() -> Outcome:
    """What a resumed crawl's row says while its run goes on (pipelines.datasets)."""
    return Outcome("interrupted", RUN_UNDER_WAY)


def not_committed(why: str) -> Outcome:
    """The outcome of a crawl whose `crawls` row could not be written (`why`): no row, no commit."""
    return Outcome("failed", f"its crawls row could not be written, so it is not committed (load(), query, latest/ "
                             f"and readers that join on crawls leave its files out): {why}")


# Responses of the archives a reparse read that are dated more than CLOCK_BEHIND_MAX ahead of its
# clock (crawler.reparse), not read, and the newest of their dates.
DATED_AHEAD, NEWEST_AHEAD = "archive/dated_ahead", "archive/newest_dated_ahead"


def dated_ahead(stats: dict) -> str | None:
    """What a reparse did not read of archives dated ahead of its machine's clock, None for none."""
    if not (ahead := int(stats.get(DATED_AHEAD, 0))):
        return None
    return (f"{ahead} archived responses dated ahead of this machine's clock (the newest {stats.get(NEWEST_AHEAD)}) "
            f"not read: rows fetched in the future would hide every later crawl's in the latest view (the archiving "
            f"machine's clock was ahead, or this one is behind); fix the clock, or reparse them once it passes them")


def usable_pages(stats: dict) -> int:
    """Question pages read, found unchanged (304), or known not to need fetching."""
    return sum(int(stats.get(key, 0)) for key in
               ("pages/question", "pages/not_modified", "pages/skipped_done", "pages/skipped_unchanged"))


def start_urls_failed(lines: list[str]) -> str | None:
    """`start URL failed: URL: reason; SITE: no question page read (why)`, the first three; None for none."""
    if not lines:
        return None
    more = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "start URL failed: " + "; ".join(lines[:3]) + more


def why_nothing_usable(stats: dict) -> str:
    """`0 of 14 requests answered: connection refused (14)`, and the like: the causes the stats show."""
    parts = [said] if (said := start_urls_failed(list(stats.get(START_URL_ERRORS) or []))) else []
    requests = int(stats.get("downloader/request_count", 0))
    responses = int(stats.get("downloader/response_count", 0))
    failures = _counts(stats, "downloader/exception_type_count/", _exception_words)
    if failures or (requests and not responses):
        parts.append(f"{responses} of {requests} requests answered" + (f": {_listed(failures)}" if failures else ""))
    errors = _counts(stats, "downloader/response_status_count/", _http_error)
    if errors:
        parts.append(f"{sum(errors.values())} of {responses} answers were errors: {_listed(errors)}")
    unreadable = {words: int(stats.get(key, 0)) for key, words in _UNREADABLE.items()}
    unreadable.update(_counts(stats, GIVEN_UP, lambda reason: f"given up ({reason})"))
    listed = ", ".join(f"{n} {words}" for words, n in unreadable.items() if n)
    if read := usable_pages(stats):  # a crawl failed by its start URLs may have read pages elsewhere
        parts.append(f"{read} question pages read" + (f", others not: {listed}" if listed else ""))
    elif listed:
        parts.append(f"no question page read: {listed}")
    if forbidden := int(stats.get("pages/robots_forbidden", 0)):
        parts.append(f"{forbidden} pages forbidden by robots.txt")
    if forbidden := forbidden_sitemaps(stats):
        parts.append(forbidden)
    if lost := lost_sitemaps(stats):
        parts.append(lost)
    parts.extend(not_reached(stats))
    if bad := bad_urls(stats):
        parts.append(bad)
    if damaged := int(stats.get("archive/damaged", 0)):
        parts.append(f"the archives are damaged in {damaged} place(s) (see the log)")
    if ahead := dated_ahead(stats):
        parts.append(ahead)
    if not parts or damaged:
        # A reparse requests nothing: the responses it read from its archives count here.
        received = requests or int(stats.get("response_received_count", 0))
        if asked := int(stats.get("questions/requested", 0)) - int(stats.get("questions/robots_forbidden", 0)):
            parts.append(f"none of the {asked} question pages asked for gave a question")
        elif other := int(stats.get("sitemaps/other_urls", 0)):
            parts.append(f"no question page found: the sitemaps named {other} URLs, none a question page by the "
                         "site's rules (a site crawler/sites does not define yet?)")
        elif unknown := int(stats.get(START_PAGES_UNKNOWN, 0)):
            parts.append(f"no question page found: {unknown} start page(s) read, none a question page by the "
                         "site's rules nor linking to one (a site crawler/sites does not define yet?)")
        elif received:
            parts.append("no question page found")
        elif other := int(stats.get("reparse/other_responses", 0)):
            parts.append(f"no question page in the archives: {other} responses, none to a question page, "
                         "sitemap or listing")
        else:
            parts.append("no HTTP response in the archives" if "reparse/archive_files" in stats
                         else "nothing was requested")
    return "; ".join(parts)


# Question pages of a question this crawl had read already (its rows' site and question_id),
# not recorded twice; and those of them whose title or answers differed from the page kept.
DUPLICATE_QUESTION = "pages/duplicate_question"
DUPLICATE_DIFFERS = "pages/duplicate_question_differs"

# Pages that gave no rows, in the words of a crawl's message.
_UNREADABLE = {"pages/unknown_layout": "of an unknown layout", "pages/malformed": "malformed",
               "pages/truncated_gave_up": "cut off on every attempt (the document never ends)",
               "pages/empty_gave_up": "empty on every attempt (no byte of a page)",
               "pages/not_html": "no HTML document (JSON, a PDF, an XML error, an image?)",
               "pages/unasked_304": "answered 304 Not Modified to a request that named no version",
               REDIRECTED_OFFSITE: "redirected off the site (not followed)",
               REDIRECTED_AWAY: "redirected to a page that is no question page",
               REDIRECT_NOT_FOLLOWED: "redirected where the crawl cannot follow (no Location, not http or https)",
               UNDECODABLE: "with a body that could not be decoded", "pages/blocked": "block pages"}
PAGE_ERRORS = {"pages/unknown_layout": "unknown layout", "pages/malformed": "malformed",
               "pages/not_html": "no HTML document", "pages/empty": "empty",
               UNDECODABLE: "undecodable body", "pages/unasked_304": "unasked 304",
               REDIRECTED_OFFSITE: "redirected off the site", REDIRECT_NOT_FOLLOWED: "redirect not followed",
               REDIRECTED_AWAY: "question URLs redirected to no question page",
               ROBOTS_UNREADABLE: "robots.txt could not be read",
               OFF_SITE_LINKS: "question links to another host (not followed)",
               OFF_SITE_LISTINGS: "listing pages on another host (not followed)",
               URL_TOO_LONG: "URLs longer than URLLENGTH_LIMIT (not requested)",
               DUPLICATE_DIFFERS: "same question id as a page already read, other title or answers (not recorded)",
               "pages/truncated": "cut off", "pages/blocked": "block pages",
               BAD_LASTMOD: "sitemap lastmods that are no date (ignored)", SITEMAPS_LOST: "sitemaps not read",
               BAD_URLS: "URLs of sitemaps or robots.txt no request can be made of (skipped)",
               UNUSABLE_LINKS: "listing links that are no URL a request can be made of (skipped)",
               "crawl/limit_hit/listing_pages": "listing pages past LISTING_MAX_PAGES (not fetched)",
               "crawl/limit_hit/sitemap_count": "sitemaps past SITEMAP_MAX_COUNT (not read)",
               "crawl/limit_hit/sitemap_depth": "sitemaps nested past SITEMAP_MAX_DEPTH (not read)",
               FUTURE_LAST_MODIFIED: "Last-Modified later than the Date (not kept)",
               SHARED_VALIDATOR: "validators shared by pages of other content (not sent)"}


MAX_LOST_SITEMAPS_NAMED = 3


def lost_sitemaps(stats: dict) -> str | None:
    """`sitemaps not read: URL (reason); ...`, or None when every sitemap was read."""
    lost = list(stats.get(SITEMAPS_LOST_LIST) or [])
    if not lost:
        return None
    more = f" (and {len(lost) - MAX_LOST_SITEMAPS_NAMED} more)" if len(lost) > MAX_LOST_SITEMAPS_NAMED else ""
    return "sitemaps not read: " + "; ".join(lost[:MAX_LOST_SITEMAPS_NAMED]) + more


def bad_urls(stats: dict) -> str | None:
    """`N URLs of sitemaps or robots.txt skipped, ...: URL (reason) in SOURCE; ...`, or None."""
    listed = list(stats.get(BAD_URLS_LIST) or [])
    if not listed:
        return None
    count = max(int(stats.get(BAD_URLS, 0)), len(listed))
    more = f" (and {count - len(listed)} more)" if count > len(listed) else ""
    return (f"{count} URLs of sitemaps or robots.txt skipped, no request can be made of them: "
            + "; ".join(listed) + more)


def forbidden_sitemaps(stats: dict) -> str | None:
    """`sitemaps not read, robots.txt forbids them: URL; ...`, or None."""
    forbidden = list(stats.get(SITEMAPS_FORBIDDEN_LIST) or [])
    if not forbidden:
        return None
    more = (f" (and {len(forbidden) - MAX_LOST_SITEMAPS_NAMED} more)"
            if len(forbidden) > MAX_LOST_SITEMAPS_NAMED else "")
    return ("sitemaps not read, robots.txt forbids them (the questions only they name are not in this crawl): "
            + "; ".join(forbidden[:MAX_LOST_SITEMAPS_NAMED]) + more)


def left_out(stats: dict) -> str | None:
    """What the crawl's sources named that it did not fetch, though no error of the site made
    it so: questions and sitemaps robots.txt forbids, URLs no request can be made of. None: nothing."""
    parts = []
    if forbidden := int(stats.get("questions/robots_forbidden", 0)):
        parts.append(f"{forbidden} question pages not fetched: robots.txt forbids them")
    if forbidden := forbidden_sitemaps(stats):
        parts.append(forbidden)
    if bad := bad_urls(stats):
        parts.append(bad)
    if too_long := urls_too_long(stats):
        parts.append(too_long)
    return "; ".join(parts) or None


def urls_too_long(stats: dict) -> str | None:
    """`N URLs not requested, longer than URLLENGTH_LIMIT: URL... (2,192 characters); ...`, or None."""
    return counted_and_named(stats, URL_TOO_LONG, URL_TOO_LONG_LIST,
                             "URLs not requested, longer than URLLENGTH_LIMIT (raise it with -s URLLENGTH_LIMIT=N)")


# Pages a downloader middleware gave up on ("max redirections reached"), by its reason.
GIVEN_UP = "pages/given_up/"


def errors_by_kind(stats: dict) -> dict[str, int]:
    """Everything that went wrong on the way, by kind, most frequent first: download errors,
    error answers (including those retried with success), pages given up, pages that could not be read."""
    kinds = _counts(stats, "downloader/exception_type_count/", _exception_words)
    kinds.update(_counts(stats, "downloader/response_status_count/", _http_error))
    for status, n in _counts(stats, BLOCKED_STATUS, _http_error).items():  # a wall's 403 is one of its block pages
        if kinds.get(status, 0) > n:
            kinds[status] -= n
        else:
            kinds.pop(status, None)
    # A 4xx robots.txt is a site without one (RFC 9309), not an error.
    for status, n in _counts(stats, "robotstxt/response_status_count/", _no_robots_txt).items():
        kinds[status] = kinds.get(status, 0) - n
        if kinds[status] <= 0:
            kinds.pop(status)
    kinds.update(_counts(stats, GIVEN_UP, lambda reason: reason))
    kinds.update({word: int(stats[key]) for key, word in PAGE_ERRORS.items() if stats.get(key)})
    if not kinds and (failed := int(stats.get("pages/failed", 0))):  # lost pages are never "errors: none"
        kinds["failed pages"] = failed
    return dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))


def _exception_words(name: str) -> str | None:
    """A download exception's kind (its stat key ends in the class name), in words."""
    return None if name.rpartition(".")[2] in DROPPED_BY_THE_CRAWL else exception_words(name)


def _no_robots_txt(code: str) -> str | None:
    return f"HTTP {code}" if code.isdigit() and 400 <= int(code) < 500 and code != "429" else None


def _http_error(code: str) -> str | None:
    return f"HTTP {code}" if code.isdigit() and int(code) >= 400 else None


def _counts(stats: dict, prefix: str, word) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, n in stats.items():
        if key.startswith(prefix) and (name := word(key[len(prefix):])):
            counts[name] = counts.get(name, 0) + int(n)
    return counts


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ({n})" for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# the end of a crawl ---------------------------------------------------------------------

def crawl_outcome(crawler, spider, reason: str, root: Path, output_error: str | None = None) -> Outcome:
    """How the crawl ended: its checks run on what it committed, then `status_of` decides."""
    stats = crawler.stats.get_stats()
    start_urls = list(getattr(spider, "start_urls", []) or [])
    if output_error:  # the files may not be readable: nothing to check
        return Outcome("failed", output_error)
    checks, coverage, unchecked = [], [], None
    try:
        facts = _facts(crawler, spider, reason, root, stats, start_urls)
        coverage, checks = facts.coverage, run_checks(facts)
    except Exception as error:  # a check must never cost the crawl its row: say so, go on
        unchecked = f"quality checks could not run ({load_failure(error) or f'{type(error).__name__}: {error}'})"
        logger.error("%s", unchecked)
        # not checked is not passed: a crawl no check could judge is not `finished`
        checks = [CheckResult(CHECKS_RAN, 0.0, 1.0, False, at_most=False)]
    status = status_of(reason, stats, start_urls, checks)
    message = (joined(unchecked, STOPPED_AT_A_LIMIT.get(reason)) if unchecked and status == "degraded"
               else message_of(status, reason, stats, checks, start_urls=start_urls))
    return Outcome(status, message, checks, coverage)


def _facts(crawler, spider, reason: str, root: Path, stats: dict, start_urls: list[str]) -> CrawlFacts:
    from pipelines.session import CrawlSession

    crawl_id = stats.get("crawl/id", "")
    sites = sites_of(start_urls)
    # Every start site started from its root (the spider's site_roots are site keys too).
    full = (reason == "finished" and not CrawlSession.from_crawler(crawler).incremental
            and bool(sites) and set(sites) <= set(getattr(spider, "site_roots", ()) or ())
            and not any(key.startswith("crawl/limit_hit/") for key in stats))
    return CrawlFacts(stats=stats, settings=crawler.settings, root=Path(root), crawl_id=crawl_id, sites=sites,
                      full=full, ended=reason == "finished", coverage=crawl_coverage(root, crawl_id),
                      earlier=earlier_crawls(root, sites, crawl_id))


def earlier_crawls(root: Path, sites: list[str], crawl_id: str) -> list[dict]:
    """Committed crawls rows of the same sites, newest first (this crawl's own left out); OSError
    when a file among the rows cannot be read: checks against rows not read are no checks."""
    rows, unreadable = crawl_rows(root, ["crawl_id", "started_at", "status", "start_urls", "checks", "coverage"])
    if unreadable:
        raise OSError("; ".join(unreadable))
    rows = [row for row in rows if row["crawl_id"] != crawl_id and of_sites(row["start_urls"], sites)]
    return sorted(rows, key=lambda row: row["started_at"], reverse=True)


def crawl_rows(root: Path, wanted: list[str]) -> tuple[list[dict], list[str]]:
    """The `wanted` columns of every committed crawls row in `root` (None for a column an older
    row lacks: checks, coverage), and why each file among them that could not be read was not
    (it may be a row: the caller must not take it for none)."""
    rows, unreadable = [], []
    # One small file per crawl, read whole: pyarrow.dataset would cost the crawl's process a few
    # MB for nothing.
    for path in Path(root).glob("crawls/crawl_date=*/*.parquet"):
        if path.name.startswith((".", "_")):
            continue
        try:
            table = read_table_file(path, wanted)
        except ValueError as error:  # not a crawls row (a stray file): as `query` skips it
            logger.warning("Skipped %s, not a crawls row file: %s", path, error)
            continue
        except OSError as error:
            unreadable.append(unreadable_row(path, error))
            logger.warning("%s", unreadable[-1])
            continue
        found = [] if table is None else table.to_pylist()
        rows.extend({name: row.get(name) for name in wanted} for row in found)
    return rows, unreadable


class ClockBehind(Exception):
    """A crawl whose clock is behind a committed crawl's in its data folder (check_clock): it must
    not run. Its message says which crawl, and what to do."""


MAX_AHEAD_NAMED = 3


def check_clock(root: Path, now: datetime, tolerance: float) -> None:
    """Raise ClockBehind when `root` holds a committed crawl that started or ended more than
    `tolerance` seconds (CLOCK_BEHIND_MAX; 0: no check) after `now`, this crawl's start by this
    machine's clock. The latest view keeps the row fetched last and the checks compare with the
    crawl started last, both by the clocks that stamped them: this crawl's rows would rank behind
    that crawl's until real time passed it, in silence (its clock was ahead, or this one is
    behind). Read before any request, from the crawls rows: one small file per crawl."""
    if not tolerance:
        return
    limit = now + timedelta(seconds=tolerance)
    rows, _ = crawl_rows(root, ["crawl_id", "started_at", "finished_at"])  # a row not read: warned, fails the checks
    ahead = sorted((row for row in rows if _last_time(row) > limit), key=_last_time, reverse=True)
    if ahead:
        raise ClockBehind(_clock_behind_words(root, now, limit, ahead))


def _last_time(row: dict) -> datetime:
    return max((moment for moment in (row["started_at"], row["finished_at"]) if moment is not None), default=_NEVER)


_NEVER = datetime.min.replace(tzinfo=timezone.utc)  # a row with no time (none is written so) is ahead of no clock


def _clock_behind_words(root: Path, now: datetime, limit: datetime, ahead: list[dict]) -> str:
    newest = ahead[0]
    crawl = newest["crawl_id"]
    # its end alone is ahead when it was resumed (or ran on) with the clock ahead
    when = (f"started {_utc(newest['started_at'])}" if newest["started_at"] > limit
            else f"ended {_utc(newest['finished_at'])}")
    others, whose, name = "", f"{crawl}'s", crawl
    if len(ahead) > 1:  # a clock left ahead for a week of nightly crawls: each is to be moved
        ids = [row["crawl_id"] for row in ahead[1:]]
        named = ", ".join(ids[:MAX_AHEAD_NAMED]) + (f" and {len(ids) - MAX_AHEAD_NAMED} more"
                                                    if len(ids) > MAX_AHEAD_NAMED else "")
        more = f"{len(ids)} more crawl{'s' * (len(ids) > 1)}"
        others, whose, name = f" (and {more} ahead of this clock: {named})", "these crawls'", "ID"
    return (f"this machine's clock ({_utc(now)}) is behind crawl {crawl}, which {when}{others}: the latest view "
            f"and the checks order crawls by time, so this crawl's rows would be hidden behind {crawl}'s; fix the "
            f"clock, or, if {whose} clock was wrong, move {whose} files out of {root} (every file named "
            f"{name}-NNNNN.parquet in questions/, answers/ and doctors/, and {name}.parquet in crawls/, under "
            f"crawl_date=*{', for each crawl ID' if len(ahead) > 1 else ''}) and rebuild the latest view "
            f"(python -m pipelines.output.latest {root})")


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"


def record_outcome(stats, row: dict, outcome: Outcome) -> None:
    """The outcome in the crawl's stats: the CLI's summary and exit status read them, and the
    stats the crawl logs at its end (a Scrapyd job's log) hold them."""
    stats.set_value("crawl/status", outcome.status)
    for name in ("questions", "answers", "doctors"):
        stats.set_value(f"crawl/rows/{name}", row[name])
    # Each time: a row rewritten (after the latest view's update) says no more than it says now.
    _set_or_clear(stats, "crawl/message", outcome.message)
    failed = [c.describe() for c in outcome.failed_checks] if outcome.status == "degraded" else None
    _set_or_clear(stats, "crawl/checks_failed", failed)  # otherwise the status has a reason of its own


def _set_or_clear(stats, name: str, value) -> None:
    if value or stats.get_value(name) is not None:
        stats.set_value(name, value or None)


# the row --------------------------------------------------------------------------------

# What the next run of a resumed crawl carries on from, for the whole crawl's row (run_counts):
# - every response, as fetched (as its archive holds it): a run fetches some pages again (a page
#   a kill left unread or uncommitted, the sitemaps, the listings), and each fetch is one;
# - the question pages its runs settled for good (done: read, not modified, a question read
#   already), which no run asks for again, and as many questions asked for.
# Any other outcome (a page unreadable, failed, given up; a sitemap lost) leaves its page to be
# asked for again by the next run, which counts it then: carried too, it would count once per run.
_RESPONSES = ("downloader/", "response_received_count")
_SETTLED = ("pages/question", "pages/not_modified", DUPLICATE_QUESTION)  # each page once
_CARRIED = frozenset((*_SETTLED, DUPLICATE_DIFFERS,
                      "pages/truncated", "pages/blocked",  # each cut-off or block page met, as fetched
                      "pages/not_followed_at_limit"))  # a walk cut by any run: the crawl did not walk all
ASKED = "questions/requested"


def run_counts(stats: dict) -> dict[str, int]:
    """What a crawl has counted so far that its row reads and its next run carries on from; a
    stateful crawl keeps it with each batch, so that once resumed its row counts the runs before
    too, each page once (a state may hold more, written by an older version: read through this too)."""
    counts = {name: value for name, value in stats.items() if type(value) is int
              and (name.startswith(_RESPONSES) or name in _CARRIED)}
    # the share of pages asked for that gave no question compares counts of the same pages
    counts[ASKED] = sum(counts.get(name, 0) for name in _SETTLED)
    return counts


def crawl_row(*, crawl_id, spider, started_at, finished_at, outcome: Outcome, start_urls, stats, written,
              version) -> dict:
    """The `crawls` row. `finished_at` is when the crawl ended, given by the caller: a row rewritten
    after the latest view's update keeps it (the view's manifest names each crawl by it)."""
    def stat(key):
        return int(stats.get(key, 0) or 0)

    return {
        "crawl_id": crawl_id,
        "spider": spider,
        "started_at": started_at,
        "finished_at": finished_at,
        "status": outcome.status,
        "start_urls": list(start_urls),
        "pages_fetched": stat("response_received_count"),
        "pages_failed": stat("pages/failed"),
        "pages_blocked": stat("pages/blocked"),
        "questions": written.get("questions", 0),
        "answers": written.get("answers", 0),
        "doctors": written.get("doctors", 0),
        "project_version": version,
        "pages_not_modified": stat("pages/not_modified"),
        "pages_truncated": stat("pages/truncated"),
        # Unreadable question pages, of an unknown layout or otherwise.
        "pages_malformed": stat("pages/malformed") + stat("pages/unknown_layout") + stat("pages/not_html"),
        # Every such answer met, retried or not (Scrapy's downloader counts them all), but a
        # wall's: a block page is counted in pages_blocked, one response in one class.
        "responses_5xx": error_answers(stats, lambda code: code.startswith("5")),
        "responses_429": error_answers(stats, "429".__eq__),
        # Every failed attempt, the last one of a page given up included: as the summary and
        # the fetch_errors check count them.
        "download_errors": download_errors(stats),
        "message": outcome.message,
        # Not what a resumed crawl's earlier runs committed: those are counted as they were fetched.
        "pages_skipped": stat("pages/skipped_unchanged"),
        "checks": [c.row() for c in outcome.checks],
        "coverage": outcome.coverage,
        "responses": stat("downloader/response_count"),
    }


def write_crawl_row(root: Path, crawl_date: str, row: dict, then=None) -> Path:
    """Write the crawl's row (`then`: write_table_then's, given the row's rename to do)."""
    path = Path(root) / "crawls" / f"crawl_date={crawl_date}" / f"{row['crawl_id']}.parquet"
    table = pa.Table.from_pylist([row], schema=CRAWLS)
    if then is None:
        write_table(path, table)
    else:
        write_table_then(path, table, then)
    return path
