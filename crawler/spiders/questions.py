"""The `questions` spider: discover every question of a site and route its page to the parsers.

    scrapy crawl questions -a start_url=http://127.0.0.1:8000/
    scrapy crawl questions -a start_url=https://www.realself.com/question/some-slug

A start URL is a site root (robots.txt, its Sitemap: lines and the home page's topic
listings are read), a sitemap (plain or gzip), a topic listing, a question page, or any other
page (its question and listing links are followed). The spider only routes: what a URL is
comes from the site definition (crawler.sites), reading a page is crawler.pages' job, turning
it into records the item pipelines'.

Every walk is bounded (settings SITEMAP_MAX_DEPTH, SITEMAP_MAX_COUNT, LISTING_MAX_PAGES; a
listing page that names no new question ends its topic's walk); a bound that is hit is the
stat `crawl/limit_hit/<name>` and a log line. A start URL that fails is listed in the stat
`crawl/start_url_errors` ("URL: reason"); nothing else is tried in its place.
"""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timezone
from functools import cached_property
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (CannotResolveHostError, CloseSpider, DontCloseSpider, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import discovery
from crawler.extensions.prompt_stop import CrawlStopping
from crawler.middlewares import CountedDrop, cut_short
from crawler.middlewares.backoff import download_error_words
from crawler.middlewares.blocks import BlockPageMiddleware
from crawler.middlewares.offsite import OFF_SITE_LINKS, OffsiteMiddleware
from crawler.middlewares.robots import RobotsUnreadable
from crawler.pages import BlockedPage, PageError, TruncatedPage, UnknownLayout
from crawler.sites import site_for, site_key, sites_of
from crawler.spiders.arguments import QuestionsArguments, SpiderArgumentError
from crawler.spiders.sitemaps_first import SitemapsFirst
from crawler.workers import ExtractionWorkers
from pipelines.crawls import DUPLICATE_DIFFERS, DUPLICATE_QUESTION, GIVEN_UP, exception_words
from pipelines.items import NotModifiedItem, QuestionPageItem
from pipelines.session import CrawlSession, question_key

logger = logging.getLogger(__name__)
# An incremental crawl (its state knows pages of earlier crawls) reads its sitemaps before
# anything else: they say what changed. Any other crawl, a stateful one's first included,
# reads them after the questions already queued, so the queue holds one sitemap's questions
# at a time, not the whole site's (40 MB of requests at 20,000 questions).
SITEMAP_PRIORITY = {"incremental": 30, "full": 0}
START_URL_ERRORS = "crawl/start_url_errors"
# The bounds of the walks (stat crawl/limit_hit/<name>) and the settings that set them.
LIMIT_SETTINGS = {"sitemap_depth": "SITEMAP_MAX_DEPTH", "sitemap_count": "SITEMAP_MAX_COUNT",
                  "listing_pages": "LISTING_MAX_PAGES"}


class QuestionsSpider(scrapy.Spider):
    name = "questions"

    def __init__(self, start_url=None, start_urls=None, **kwargs):
        # Bad arguments are not an exception (Scrapy would print its traceback): the spider
        # opens, says what is wrong in one line and closes as `bad_arguments` (a failed crawl).
        self.argument_error = None
        try:
            arguments = QuestionsArguments.parse(start_url, start_urls, **kwargs)
        except SpiderArgumentError as error:
            self.argument_error, arguments = str(error), QuestionsArguments(())
        super().__init__(**{name: value for name, value in kwargs.items() if name.startswith("_")})
        self.start_urls = list(arguments.start_urls)
        # Never leave the start sites (site_key: a host a site definition names is that site,
        # any other is its host and port): the offsite middleware reads this, not Scrapy's
        # allowed_domains, whose host names let other ports and subdomains in.
        self.allowed_sites = frozenset(sites_of(self.start_urls))
        # Sites started from their root: their robots.txt sitemaps are read.
        self.site_roots = set(sites_of(url for url in self.start_urls if _kind(url) == "site"))

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.session = CrawlSession(crawler.settings)  # the crawl's; other components use spider.session
        # With bad arguments nothing is read: no worker processes to start (and to leave behind
        # when the crawl closes while it opens).
        spider.extraction = ExtractionWorkers(0) if spider.argument_error else ExtractionWorkers.from_crawler(crawler)
        spider.requested: set[str] = set()  # question keys (Site.question_key) requested
        # question_key (its rows' site, question_id) -> the content (content_of) of the page kept:
        # a later page of the same question that reads otherwise is said (first_sighting)
        spider.kept_contents: dict[str, int] = {}
        spider.limits = {name: crawler.settings.getint(setting) for name, setting in LIMIT_SETTINGS.items()}
        spider.sitemaps_seen: set[str] = set()
        spider.listing_pages = 0
        spider.limits_logged: set[str] = set()
        spider.sitemaps_first = SitemapsFirst(active=spider.session.state is not None and bool(spider.site_roots))
        # Stateful crawls read sitemaps before listings: once they named questions, a listing
        # page naming only known ones ends its topic's walk (parse_listing).
        spider.sitemaps_named_questions = False
        crawler.signals.connect(spider.release_listings, signal=signals.spider_idle)
        if spider.argument_error:
            crawler.signals.connect(spider.refuse_arguments, signal=signals.spider_opened)
        if crawler.settings.getbool("ROBOTSTXT_OBEY"):
            # robots.txt is fetched once, by Scrapy's RobotsTxtMiddleware; its Sitemap: lines come from there.
            crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def refuse_arguments(self, spider):
        """spider_opened, with bad arguments: one line, and the crawl ends before any request."""
        self.crawler.stats.set_value("crawl/message", f"questions spider: {self.argument_error}")
        logger.error("questions spider: %s", self.argument_error)
        raise CloseSpider("bad_arguments")

    async def start(self):
        for url in self.start_urls:
            for request in self.requests_for_start(url):
                request.meta["start_url"] = url
                yield request

    def requests_for_start(self, url: str):
        kind = _kind(url)
        if kind == "question":
            if request := self.question_request(url):
                yield request
        elif kind == "sitemap":
            if request := self.sitemap_request(url):
                yield request
        elif kind == "site":  # a site root: robots.txt for sitemaps, the home page for topic listings
            if not self.settings.getbool("ROBOTSTXT_OBEY"):
                root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/"
                yield self.request(root + "robots.txt", self.parse_robots)
            # The home page goes now: its request is what makes Scrapy read robots.txt.
            self.listing_pages += 1
            yield self.request(url, self.parse_listing)
        else:  # a topic listing, or another page: its links, and nothing else of the site
            self.listing_pages += 1
            yield self.request(url, self.parse_listing)

    def release_listings(self):
        """spider_idle: whatever the sitemaps did, the held listings go now."""
        held = self.sitemaps_first.release()
        if held:
            self.enqueue(held)
            raise DontCloseSpider

    def enqueue(self, requests) -> None:
        for request in requests:
            self.crawler.engine.crawl(request)

    def listing_request(self, url: str):
        if self.over_limit("listing_pages", self.listing_pages):
            self.limit_hit("listing_pages", url)
            return None
        self.listing_pages += 1
        return self.sitemaps_first.hold(self.request(url, self.parse_listing))

    def sitemap_request(self, url: str, depth: int = 1) -> scrapy.Request | None:
        """A request for a sitemap `depth` sitemaps down from robots.txt or the start URL, or
        None when it was requested already or a bound says no (an index naming an index
        naming an index... or naming thousands of sitemaps is a trap, not a site)."""
        if url in self.sitemaps_seen:
            return None
        if self.over_limit("sitemap_depth", depth - 1):
            self.limit_hit("sitemap_depth", url)
            return None
        if self.over_limit("sitemap_count", len(self.sitemaps_seen)):
            self.limit_hit("sitemap_count", url)
            return None
        self.sitemaps_seen.add(url)
        self.sitemaps_first.sitemap_requested()
        priority = SITEMAP_PRIORITY["incremental" if self.session.incremental else "full"]
        return self.request(url, self.parse_sitemap, priority=priority,
                            meta={"sitemap": True, "sitemap_depth": depth})

    def over_limit(self, name: str, done: int) -> bool:
        """Whether one more would pass the bound `name` (0: no bound, as Scrapy's own limits)."""
        return 0 < self.limits[name] <= done

    def limit_hit(self, name: str, url: str) -> None:
        """A bounded walk reached its bound: counted for the outcome, logged once per bound."""
        self.count(f"crawl/limit_hit/{name}")
        if name not in self.limits_logged:
            self.limits_logged.add(name)
            logger.warning("Limit hit: %s (%s = %d); not followed: %s (and any more past the limit)",
                           name, LIMIT_SETTINGS[name], self.limits[name], url)

    def on_site(self, url: str) -> bool:
        """Whether the offsite middleware would let a request for `url` through (the start URLs' sites)."""
        return self.offsite is None or self.offsite.should_follow(scrapy.Request(url), self)

    @cached_property
    def offsite(self) -> OffsiteMiddleware | None:
        # Looked up once (a walk of the middlewares), not for every new question link.
        return self.crawler.get_downloader_middleware(OffsiteMiddleware)

    def request(self, url: str, callback, **kwargs) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, **kwargs)

    def question_request(self, url: str, lastmod: str | None = None):
        """A request for a question page, or None when it is already requested or needless."""
        url = site_for(url).question_key(url)
        if lastmod and self.session.state is not None and self.session.note_lastmod(url, lastmod):
            self.crawler.stats.inc_value("pages/skipped_unchanged", -1)  # a stale entry read first: fetched now
        if url in self.requested:
            return None  # cheaper than a trip through the spider middlewares and the dupefilter
        if not self.on_site(url):  # a sitemap's or a page's link to another host: not this crawl's
            self.count(OFF_SITE_LINKS)
            return None
        if reason := self.session.skip_reason(url):
            self.count(f"pages/{reason}")
            return None
        self.requested.add(url)
        self.count("questions/requested")
        # Question pages first: they are the product; discovery pages only feed them.
        # `requested` is their filter: Scrapy's would drop a question page redirected to a page
        # the crawl has fetched (the home page, a login wall, a loop) without a word; followed,
        # it ends in parse_question or failed, counted like any page that gave no question.
        return self.request(url, self.parse_question, priority=10, dont_filter=True)

    # discovery ------------------------------------------------------------------------

    def robots_parsed(self, robotparser, request):
        if site_key(request.url) not in self.site_roots:
            return  # started from a question, a listing or a sitemap: not the whole site
        sitemaps = getattr(getattr(robotparser, "rp", None), "sitemaps", ())
        self.enqueue([request for url in sitemaps if (request := self.sitemap_request(url))])
        self.enqueue(self.sitemaps_first.robots_done())

    def parse_robots(self, response):
        for url in discovery.sitemaps_in_robots(response.url, response.body):
            if request := self.sitemap_request(url):
                yield request
        yield from self.sitemaps_first.robots_done()

    def parse_sitemap(self, response):
        body = self.sitemap_body(response)
        cut = cut_short(response) or discovery.sitemap_cut_off(body)
        if cut and (retry := self.retry_truncated(response, "sitemap")):
            yield retry  # its URLs come with the whole sitemap (sitemaps_first waits for it)
            return
        kind, entries = discovery.read_sitemap(response.url, body)
        self.count_bad_lastmods(response.url, entries)
        if cut:  # given up on: what was read whole, not its last URL, perhaps cut in two
            entries = entries[:-1]
        if not kind:  # a sitemap lost, not a question page of an unknown shape
            self.sitemap_lost(response.url, "not a sitemap")
            self.start_url_failed(response.request, "not a sitemap")
        depth = response.meta.get("sitemap_depth", 1)
        for entry in entries:
            if kind == "sitemapindex":
                if request := self.sitemap_request(entry.url, depth + 1):
                    yield request
            elif discovery.is_question_url(entry.url):
                self.sitemaps_named_questions = True
                if request := self.question_request(entry.url, entry.lastmod):
                    yield request
            else:  # no question by the site's rules: another page, or a site crawler.sites does not define
                self.count("sitemaps/other_urls")
        yield from self.sitemaps_first.sitemap_read()

    def count_bad_lastmods(self, url: str, entries) -> None:
        """Lastmods that are no date were read as absent (discovery.lastmod_time): their pages
        get a conditional GET. Counted (the summary's errors), and said once a crawl: a
        template the site left unrendered says so on every entry."""
        bad = [entry.bad_lastmod for entry in entries if entry.bad_lastmod]
        if not bad:
            return
        if not self.crawler.stats.get_value(discovery.BAD_LASTMOD):
            logger.warning("Sitemap lastmod that is no date, ignored (its pages are asked if they changed): "
                           "%r in %s (and any more: stat %s)", bad[0], url, discovery.BAD_LASTMOD)
        self.crawler.stats.inc_value(discovery.BAD_LASTMOD, len(bad))

    def sitemap_body(self, response) -> bytes:
        """The sitemap's XML, gzip decompressed under the download size limits, as Scrapy's
        SitemapSpider reads it (b"" when it decompresses past DOWNLOAD_MAXSIZE)."""
        max_size = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        warn_size = response.meta.get("download_warnsize", self.settings.getint("DOWNLOAD_WARNSIZE"))
        try:
            body = discovery.sitemap_body(response.body, max_size=max_size)
        except discovery.SitemapTooBig as error:
            logger.warning("Sitemap larger than DOWNLOAD_MAXSIZE once decompressed, not read: %s (%s)",
                           response.url, error)
            return b""
        if len(response.body) < warn_size <= len(body):
            logger.warning("Sitemap of %d bytes once decompressed (DOWNLOAD_WARNSIZE %d): %s",
                           len(body), warn_size, response.url)
        return body

    def parse_listing(self, response):
        if discovery.looks_like_sitemap(response.body):  # a start URL that is a sitemap by its body
            yield from self.parse_sitemap(response)
            return
        cut = cut_short(response) or discovery.listing_cut_off(response.body)
        if cut and (retry := self.retry_truncated(response, "listing")):
            yield retry
            return
        links = discovery.read_listing(response.url, response.body)
        new = [request for url in links.questions if (request := self.question_request(url))]
        yield from new
        next_pages = [links.next_page] if links.next_page else []
        if next_pages and not new:
            # Newest first: a page that names no question not already requested (by the
            # sitemaps, or by the pages before it) is followed by older pages that name
            # nothing new either; and a rel="next" that goes on for ever naming the same
            # questions is a trap. Either way the topic's walk ends here. For incremental
            # crawls this is most of what they would otherwise fetch (every page shifts
            # when a question is added).
            self.count("pages/listing_pages_not_followed")
            next_pages = []
        for url in links.listings + next_pages:
            if request := self.listing_request(url):
                yield request

    # question pages -------------------------------------------------------------------

    async def parse_question(self, response):
        asked = _asked_url(response.request)
        lastmod = self.session.sitemap_lastmod.get(asked) or self.session.sitemap_lastmod.get(response.url)
        if response.status == 304:
            if not _asked_to_validate(response.request):  # a cache's or a wall's answer: no page, no news
                self.count("pages/failed")
                self.count("pages/unasked_304")
                logger.error("Not Modified, though the request named no version it had: %s (not recorded)",
                             response.url)
                return
            self.count("pages/not_modified")
            yield NotModifiedItem(response.url, lastmod, asked_url=asked, fetched_at=_fetched_at(response))
            return
        if cut_short(response):  # what is read of it is not the page: retried as a cut-off one
            if retry := self.retry_truncated(response, "body cut short", question=True):
                yield retry
            return
        try:
            page = await self.extraction.extract(response.url, response.body, response.headers.get(b"Content-Type"))
        except CrawlStopping:  # dropped unread as the crawl stops: no error, and a resume fetches it again
            logger.debug("Not read, the crawl stopping: %s", response.url)
            return
        except BlockedPage as error:  # a wall past the block middleware's look; never recorded
            logger.warning("%s", error)
            if retry := self.wait_out_block(response):
                yield retry
            return
        except TruncatedPage as error:
            if retry := self.retry_truncated(response, error.reason, question=True):
                yield retry
            return
        except UnknownLayout as error:  # a page of no known family: the site's next redesign, or a wall?
            if self.wall_met(response):
                return
            # pages_malformed, not pages_failed too: one page, one class (it was read, never given up)
            self.count("pages/unknown_layout")
            logger.error("Page of an unknown layout, not recorded: %s", error)
            return
        except PageError as error:
            self.page_read(response)
            self.count("pages/malformed")  # as an unknown layout: not a failed page too
            logger.error("Malformed page, not recorded: %s", error)
            self.start_url_failed(response.request, f"not a question page ({error.reason})")
            return
        self.page_read(response)
        if not self.first_sighting(page.records, response.url):
            self.count(DUPLICATE_QUESTION)
            # Nothing to write, yet its URLs are done: a resumed crawl must not ask for them again.
            yield NotModifiedItem(response.url, lastmod, asked_url=asked)
            return
        self.count("pages/question")
        for key, count in page.counts.items():
            self.crawler.stats.inc_value(key, count)
        yield QuestionPageItem(
            family=page.family,
            fetched_url=response.url,
            # The archive (crawler.archive) stamps the moment the response arrived: its WARC-Date.
            fetched_at=_fetched_at(response),
            content_sha256=hashlib.sha256(response.body).hexdigest(),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            lastmod=lastmod,
            records=page.records,
            asked_url=asked,
        )
        for url in page.related_urls:
            if request := self.question_request(url):
                yield request

    def first_sighting(self, records, fetched_url: str) -> bool:
        """Whether this crawl meets this question (site, question_id) for the first time: the same
        question under another URL (a redirect, an alias, a canonical the keys did not foresee) is
        one row per crawl, not two, its runs before a restart included (CrawlSession.questions)."""
        question = next((r for r in records if r.get("type") == "question"), None)
        if question is None:
            return True
        url, question_id = question.get("url") or fetched_url, question.get("question_id")
        key = question_key(site_key(url), question_id)  # its rows' (site, question_id), as pipelines.rows makes them
        content = content_of(records)
        if key in self.session.questions:
            kept = self.kept_contents.get(key)
            if kept is not None and kept != content:
                # Not an alias: another question, or the question changed between two reads.
                # The first read is kept (a question is one row per crawl); this one is lost.
                self.count(DUPLICATE_DIFFERS)
                logger.warning("Question %s read again, with another title or other answers, not recorded: "
                               "%s (the page read first is kept)", question_id, fetched_url)
            else:
                logger.info("Question %s already read in this crawl, not recorded twice: %s", question_id, url)
            return False
        self.session.questions.add(key)
        self.kept_contents[key] = content
        return True

    def wait_out_block(self, response):
        """A block page the block middleware did not see (its markers past where it looks) is
        waited out as it would have been: counted, retried later, a failed page once its
        retries are spent, and the crawl stopped as `blocked` when the site keeps blocking."""
        blocks = BlockPageMiddleware.of(self.crawler)
        if blocks is None:  # the middleware was turned off: counted, never retried
            self.count("pages/blocked")
            return None
        try:
            return blocks.wait_out(response.request, response)
        except IgnoreRequest as gave_up:  # as the middleware's IgnoreRequest reaches the errback
            failure = Failure(gave_up)
            failure.request = response.request
            self.failed(failure)
            return None

    def wall_met(self, response) -> bool:
        """Whether a page of no known layout is a wall without the site's markers: the same
        page at many question URLs (BlockPageMiddleware.no_question_page), now a block page."""
        blocks = BlockPageMiddleware.of(self.crawler)
        if blocks is None:
            return False
        try:
            blocks.no_question_page(response.request, response)
        except IgnoreRequest as wall:  # as the middleware's IgnoreRequest reaches the errback
            failure = Failure(wall)
            failure.request = response.request
            self.failed(failure)
            return True
        return False

    def page_read(self, response) -> None:
        """A question URL gave a page of a known layout: no wall stands before its site."""
        if blocks := BlockPageMiddleware.of(self.crawler):
            blocks.question_page(response.request)

    def retry_truncated(self, response, error, question: bool = False):
        """A retry of a page that arrived cut off (a question page, a sitemap, a listing: what
        is read of it then is all of it), or None once its retries are spent (what was read
        whole of a sitemap or a listing is used). Only a question page given up is one of
        the question pages the parsers could not read (pages/truncated_gave_up); a sitemap is
        a sitemap lost."""
        self.count("pages/truncated")
        retry = get_retry_request(response.request, spider=self, reason="truncated page")
        if retry is None:
            self.count("pages/failed")
            if question:
                self.count("pages/truncated_gave_up")
            if response.meta.get("sitemap"):
                self.sitemap_lost(response.url, "cut off on every attempt")
            logger.error("Gave up on a page that keeps arriving cut off: %s (%s)", response.url, error)
        else:
            # The cut-off attempt's latency is not the retry's (AutoThrottle would read it).
            retry.meta.pop("download_latency", None)
        return retry

    # failures -------------------------------------------------------------------------

    def failed(self, failure):
        request = failure.request
        if failure.check(CrawlStopping):
            return  # dropped because the crawl is stopping: not the site's failure
        if request.meta.get("sitemap"):
            self.enqueue(self.sitemaps_first.sitemap_read())
        self.start_url_failed(request, _failure_reason(failure))
        question = request.callback == self.parse_question
        if _robots_refused(failure):
            self.count("pages/robots_forbidden")
            if question:
                self.count("questions/robots_forbidden")
            return
        if failure.check(HttpError) and failure.value.response.status == 404 and not discovery.is_question_url(request.url):
            self.count("pages/not_found")
            return
        if request.meta.get("sitemap"):
            self.sitemap_lost(request.url, _failure_reason(failure))
        if question and _gone(failure):
            self.count("questions/gone")
        elif failure.check(IgnoreRequest) and not failure.check(HttpError, CountedDrop):
            # given up by a middleware that counts nothing: too many redirects, ...
            self.count(f"{GIVEN_UP}{_without_url(failure.getErrorMessage())}")
        self.count("pages/failed")
        logger.error("Failed %s: %s", request.url, _failure_reason(failure))

    def sitemap_lost(self, url: str, reason: str) -> None:
        """A sitemap given up on, whatever the transport did: counted (the `sitemaps_unread`
        check), and named in the crawl's message and summary; never a question page."""
        self.count(discovery.SITEMAPS_LOST)
        lost = self.crawler.stats.get_value(discovery.SITEMAPS_LOST_LIST) or []
        self.crawler.stats.set_value(discovery.SITEMAPS_LOST_LIST, [*lost, f"{url} ({reason})"])
        logger.error("Sitemap not read: %s (%s); the questions only it names are not in this crawl", url, reason)

    def start_url_failed(self, request, reason: str) -> None:
        """A start URL that gave nothing is an error of the crawl's outcome, listed in the
        stats as "URL: reason"; nothing else of its site is tried in its place."""
        start_url = request.meta.get("start_url")
        if not start_url:
            return
        errors = self.crawler.stats.get_value(START_URL_ERRORS) or []
        line = f"{start_url}: {reason}"
        if line not in errors:
            self.crawler.stats.set_value(START_URL_ERRORS, [*errors, line])
            logger.error("Start URL failed: %s", line)

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)


def content_of(records) -> int:
    """What tells two reads of one question apart: its title and its answers' ids, in order."""
    return hash(tuple((r.get("type"), r.get("title") if r.get("type") == "question" else r.get("answer_id"))
                      for r in records if r.get("type") in ("question", "answer")))


def _kind(start_url: str) -> str:
    """What a start URL is: a question, a sitemap, a listing, a site (its root) or a page."""
    site = site_for(start_url)
    if site.is_question_url(start_url):
        return "question"
    if site.is_sitemap_url(start_url):
        return "sitemap"
    if site.is_listing_url(start_url):
        return "listing"
    return "site" if site.is_root_url(start_url) else "page"


def _without_url(message: str) -> str:
    """"still blocked after 3 retries: http://..." -> "still blocked after 3 retries": a kind to count."""
    return re.split(r"\s*:?\s*'?https?://", message, maxsplit=1)[0][:80] or "no reason given"


def _gone(failure) -> bool:
    """A question page the site says is no more (404 or 410 at its own URL, not after a
    redirect): the site removed the question, no page was lost."""
    return (failure.check(HttpError) is not None and failure.value.response.status in (404, 410)
            and not failure.request.meta.get("redirect_urls"))


def _failure_reason(failure) -> str:
    """Why a request failed, in a few words: "HTTP 404", "connection refused", "DNS lookup failed"."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(RobotsUnreadable):  # says so, and why
        return str(failure.value)
    if _robots_refused(failure):
        return "forbidden by robots.txt"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused"
    if failure.check(CannotResolveHostError):
        return "DNS lookup failed"
    if failure.check(DownloadTimeoutError, TimeoutError):
        return "timed out"
    if failure.check(IgnoreRequest):  # a middleware's own words: "blocked: URL", ...
        return exception_words(type(failure.value).__name__, failure.getErrorMessage())
    return download_error_words(failure.value)


def _robots_refused(failure) -> bool:
    """A request robots.txt kept from being sent (Scrapy's words, or ours: RobotsUnreadable); not
    one a middleware dropped after it was sent (its reason may name a robots.txt URL)."""
    return (failure.check(IgnoreRequest) is not None and failure.check(CountedDrop) is None
            and "robots.txt" in str(failure.value))


def _fetched_at(response) -> datetime:
    """When the response arrived: the archive (crawler.archive) stamps it, its WARC-Date."""
    return response.meta.get("fetched_at") or datetime.now(timezone.utc)


def _asked_url(request) -> str:
    """The question URL the crawl asked for (its key), wherever redirects led the request."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def _asked_to_validate(request) -> bool:
    return bool(request.headers.get(b"If-None-Match") or request.headers.get(b"If-Modified-Since"))


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
