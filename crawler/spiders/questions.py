"""The `questions` spider: discover every question of a site and route its page to the parsers.

    scrapy crawl questions -a start_url=http://127.0.0.1:8000/
    scrapy crawl questions -a start_url=https://www.realself.com/question/some-slug

A start URL is a site root (robots.txt, its Sitemap: lines and the home page's topic
listings are read), a sitemap (plain or gzip), a topic listing, a question page, or any other
page (its question and listing links are followed). The spider only routes: what a URL is
comes from the site definition (crawler.sites), reading a page is crawler.pages' job, turning
it into records the item pipelines'.

Every walk is bounded (settings SITEMAP_MAX_DEPTH, SITEMAP_MAX_COUNT, LISTING_MAX_PAGES; a
listing page that names no question its own walk has not named ends that walk, and so, in an
incremental crawl, does one naming only questions the sitemaps vouch for: known to the state,
given a lastmod, and every question the state knew named by them); a bound that
is hit is the stat `crawl/limit_hit/<name>`, a log line and the crawl's message. A start URL
that fails is listed in the stat `crawl/start_url_errors` ("URL: reason"); nothing else is tried
in its place. A site root fails only when its discovery named no question page: a home page that
failed beside sitemaps that named them is `crawl/home_pages_unread`.
"""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timezone
from functools import cached_property
from urllib.parse import parse_qsl, unquote, urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (CannotResolveHostError, CloseSpider, DontCloseSpider, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import discovery
from crawler.extensions.prompt_stop import CrawlStopping, PromptStop
from crawler.middlewares import CountedDrop, body_fault, cut_short
from crawler.middlewares.compression import DamagedBody
from crawler.middlewares.backoff import download_error_words
from crawler.middlewares.blocks import BlockPageMiddleware, ServedPage, says_not_found
from crawler.middlewares.offsite import OFF_SITE_LINKS, OFF_SITE_LISTINGS, OFF_SITE_LISTINGS_LIST, OffsiteMiddleware
from crawler.middlewares.redirect import PERMANENT, REDIRECTED_AWAY, REDIRECTED_AWAY_LIST, REDIRECTED_AWAY_NAMED
from crawler.middlewares.robots import RobotsTxtMiddleware, RobotsUnreadable
from crawler.pages import BlockedPage, EmptyPage, NotHtml, PageError, TruncatedPage, UnknownLayout, not_html
from crawler.sites import rows_site, site_for, site_key, sites_of
from crawler.spiders.arguments import QuestionsArguments, SpiderArgumentError
from crawler.spiders.sitemaps_first import SitemapsFirst
from crawler.workers import ExtractionWorkers
from pipelines.checks.start_urls import HOME_PAGES_UNREAD, START_URL_ERRORS, site_lost, site_read
from pipelines.crawls import DUPLICATE_DIFFERS, DUPLICATE_QUESTION, GIVEN_UP, exception_words
from pipelines.items import NotModifiedItem, QuestionPageItem
from pipelines.session import REVISITED, CrawlSession, question_key

logger = logging.getLogger(__name__)
# An incremental crawl (its state knows pages of earlier crawls) reads its sitemaps before
# anything else: they say what changed. Any other crawl, a stateful one's first included,
# reads them after the questions already queued, so the queue holds one sitemap's questions
# at a time, not the whole site's (40 MB of requests at 20,000 questions).
SITEMAP_PRIORITY = {"incremental": 30, "full": 0}
# The bounds of the walks (stat crawl/limit_hit/<name>) and the settings that set them.
# URLs no request can be made of, listed by name in the crawl's message (the rest only counted).
MAX_BAD_URLS_LISTED = 3
LIMIT_SETTINGS = {"sitemap_depth": "SITEMAP_MAX_DEPTH", "sitemap_count": "SITEMAP_MAX_COUNT",
                  "listing_pages": "LISTING_MAX_PAGES"}


class QuestionsSpider(scrapy.Spider):
    name = "questions"

    def __init__(self, start_url=None, start_urls=None, **kwargs):
        # Bad arguments are not an exception (Scrapy would print its traceback): the spider
        # opens, says what is wrong in one line and closes as `bad_arguments` (a failed crawl).
        # `scrapy crawl` refuses them before (crawler.commands.crawl): this is a crawl started from code.
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
        spider.limit_refused: set[str] = set()  # URLs a bound, or the start sites', kept from being requested, each counted once
        # a topic's walk (its first page's URL) -> the question keys its pages named so far
        spider.listing_walks: dict[str, set[str]] = {}
        spider.sitemaps_first = SitemapsFirst(active=spider.session.state is not None and bool(spider.site_roots))
        # Stateful crawls read sitemaps before listings: what they skip as unchanged is not
        # asked again when a listing names it.
        spider.sitemaps_named_questions = False
        # Site roots whose discovery (robots.txt's sitemaps, listings) named a question page of
        # their site, and the roots whose home page failed before that (start URL -> its error line).
        spider.roots_reached: set[str] = set()
        spider.home_failures: dict[str, str] = {}
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

    def listing_request(self, url: str, linked_from: str, walk: str | None = None):
        """A request for a listing page `linked_from` names; `walk`: the topic walk its
        rel="next" goes on (None: a topic's first page, a walk of its own)."""
        if not self.on_site(url):  # Scrapy's offsite filter would drop it without a word
            self.off_site_listing(url, linked_from)
            return None
        if self.over_limit("listing_pages", self.listing_pages):
            self.limit_hit("listing_pages", url)
            return None
        try:
            request = self.request(url, self.parse_listing, meta={"listing_walk": walk} if walk else None)
        except ValueError as error:  # no URL a request can be made of: never raised out of a callback
            self.unusable_links("a listing", [f"{url} ({error})"])
            return None
        self.listing_pages += 1
        return self.sitemaps_first.hold(request)

    def off_site_listing(self, url: str, linked_from: str) -> None:
        """A listing page on another site (`www.` of a crawl started without it, another port):
        not this crawl's to fetch, but the questions past it in its walk are lost, so each URL is
        counted once (a topic link recurs on every page), the first few named, each logged."""
        if url in self.limit_refused:
            return
        self.limit_refused.add(url)
        self.count(OFF_SITE_LISTINGS)
        named = self.crawler.stats.get_value(OFF_SITE_LISTINGS_LIST) or []
        if len(named) < MAX_BAD_URLS_LISTED:
            self.crawler.stats.set_value(OFF_SITE_LISTINGS_LIST, [*named, f"{url} (on {linked_from})"])
        logger.warning("Listing page on another site, %s, not followed: %s (on %s); the questions only it and "
                       "the pages after it name are not in this crawl", site_key(url), url, linked_from)

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

    def closing(self) -> bool:
        """Whether the crawl is closing: a discovery page's requests stop there, since Scrapy's
        close waits for a callback's whole output (50,000 requests of a sitemap, for nothing)."""
        return PromptStop.closing(self.crawler)

    def over_limit(self, name: str, done: int) -> bool:
        """Whether one more would pass the bound `name` (0: no bound, as Scrapy's own limits)."""
        return 0 < self.limits[name] <= done

    def limit_hit(self, name: str, url: str) -> None:
        """A bounded walk reached its bound: each URL it kept out counted once (a topic link
        recurs on every listing page), the first one named in the crawl's message and the log."""
        if url in self.limit_refused:
            return
        self.limit_refused.add(url)
        self.count(f"crawl/limit_hit/{name}")
        # also in the state's counts (pages/...): the next crawl knows this one's walks were cut
        self.count("pages/not_followed_at_limit")
        if name not in self.limits_logged:
            self.limits_logged.add(name)
            setting = LIMIT_SETTINGS[name]
            hit = self.crawler.stats.get_value(discovery.LIMITS_HIT) or []
            self.crawler.stats.set_value(discovery.LIMITS_HIT, [*hit, f"{setting}={self.limits[name]} (e.g. {url})"])
            logger.warning("Limit hit: %s (%s = %d); not followed: %s (and any more past the limit; raise it "
                           "with -s %s=N, 0 for no bound)", name, setting, self.limits[name], url, setting)

    def on_site(self, url: str) -> bool:
        """Whether the offsite middleware would let a request for `url` through (the start URLs' sites)."""
        return self.offsite is None or self.offsite.should_follow(scrapy.Request(url), self)

    @cached_property
    def offsite(self) -> OffsiteMiddleware | None:
        # Looked up once (a walk of the middlewares), not for every new question link.
        return self.crawler.get_downloader_middleware(OffsiteMiddleware)

    @cached_property
    def robots(self) -> RobotsTxtMiddleware | None:
        # The middleware that read robots.txt knows the URL it came from (its redirects followed).
        return RobotsTxtMiddleware.of(self.crawler)

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
            site_read(self.crawler.stats, url)  # known unchanged, or read by a run before: the site gave it
            return None
        self.requested.add(url)
        self.count("questions/requested")
        if url in self.session.revisited:
            self.count(REVISITED)
        # Question pages first: they are the product; discovery pages only feed them.
        # `requested` is their filter: Scrapy's would drop a question page redirected to a page
        # the crawl has fetched (the home page, a login wall, a loop) without a word; followed,
        # it ends in parse_question or failed, counted like any page that gave no question.
        return self.request(url, self.parse_question, priority=10, dont_filter=True)

    # discovery ------------------------------------------------------------------------

    def robots_parsed(self, robotparser, request):
        if site_key(request.url) not in self.site_roots:
            return  # started from a question, a listing or a sitemap: not the whole site
        lines = getattr(getattr(robotparser, "rp", None), "sitemaps", ())
        robots_url = self.robots.robots_url(request.url) if self.robots else request.url
        self.enqueue(list(self.robots_sitemaps(robots_url, lines)))
        self.enqueue(self.sitemaps_first.robots_done())

    def parse_robots(self, response):
        yield from self.robots_sitemaps(response.url, discovery.sitemap_lines(response.body))
        yield from self.sitemaps_first.robots_done()

    def robots_sitemaps(self, robots_url: str, lines):
        """Requests for the sitemaps robots.txt's Sitemap: lines name, relative ones resolved
        against robots.txt's URL; a line no request can be made of is skipped and said."""
        for url, unusable in discovery.sitemaps_in_robots(robots_url, lines):
            if request := self.named_sitemap(url, unusable, robots_url):
                yield request

    def named_sitemap(self, url: str, unusable: str | None, named_in: str, depth: int = 1):
        """A request for a sitemap robots.txt or a sitemap index names, or None: a URL no
        request can be made of is a bad URL (counted, listed), one on another site a sitemap
        lost (the crawl stays on its sites, and the questions only it names are not in it)."""
        if unusable:
            self.bad_url(url, unusable, named_in)
            return None
        if url not in self.sitemaps_seen and not self.on_site(url):
            self.sitemaps_seen.add(url)
            self.sitemap_lost(url, f"on another site, {site_key(url)}: not followed; a crawl of that site reads it")
            return None
        return self.sitemap_request(url, depth)

    def bad_url(self, url: str, reason: str, named_in: str) -> None:
        """A URL of a sitemap or robots.txt that no request can be made of: skipped, counted,
        the first few listed for the crawl's message, logged."""
        self.count(discovery.BAD_URLS)
        listed = self.crawler.stats.get_value(discovery.BAD_URLS_LIST) or []
        if len(listed) < MAX_BAD_URLS_LISTED:
            self.crawler.stats.set_value(discovery.BAD_URLS_LIST, [*listed, f"{url[:200]} ({reason}) in {named_in}"])
            logger.warning("Skipped a URL no request can be made of: %r in %s (%s)", url[:200], named_in, reason)

    def parse_sitemap(self, response):
        body, damaged, too_big = self.sitemap_body(response)
        sitemap = discovery.read_sitemap(response.url, body)
        fault = _discovery_fault(response, damaged or sitemap.cut_off)
        if fault and (retry := self.retry_truncated(response, "sitemap", kind=fault)):
            yield retry  # its URLs come with the whole sitemap (sitemaps_first waits for it)
            return
        kind, entries = sitemap.kind, sitemap.entries
        self.count_bad_lastmods(response.url, entries)
        if fault == "truncated" and not sitemap.cut_off:  # given up on, cut short in transfer where its text
            entries = entries[:-1]  # does not tell (a text sitemap): not its last URL, perhaps cut in two
        # A sitemap lost, not a question page of an unknown shape (one given up on is, said)
        if lost := too_big or (not kind and not fault and "not a sitemap"):
            self.sitemap_lost(response.url, lost, said=self.start_url_failed(response.request, lost))
        if sitemap.damage:  # no retry mends it: what the parser could read is used, and the loss said
            self.sitemap_lost(response.url, f"damaged XML at {sitemap.damage}: entries past it may be missing")
        depth = response.meta.get("sitemap_depth", 1)
        for entry in entries:
            if self.closing():
                return
            if kind == "sitemapindex":
                if request := self.named_sitemap(entry.url, entry.unusable, response.url, depth + 1):
                    yield request
            elif entry.unusable:  # a question or no question, no request can be made of it
                self.bad_url(entry.url, entry.unusable, response.url)
            elif discovery.is_question_url(entry.url):
                self.sitemaps_named_questions = True
                self.root_reached(entry.url)
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

    def sitemap_body(self, response) -> tuple[bytes, bool, str | None]:
        """The sitemap's XML, gzip decompressed under the download size limits, as Scrapy's
        SitemapSpider reads it; whether its gzip stream is damaged (then b"", and the sitemap is
        retried as a cut-off one); and why it was not read when it decompresses past
        DOWNLOAD_MAXSIZE (then b""): a size, which no retry changes and a setting does."""
        max_size = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        warn_size = response.meta.get("download_warnsize", self.settings.getint("DOWNLOAD_WARNSIZE"))
        try:
            body = discovery.sitemap_body(response.body, max_size=max_size)
        except discovery.SitemapTooBig as error:
            reason = f"{error}; raise it with -s DOWNLOAD_MAXSIZE=N"
            logger.warning("Sitemap larger than DOWNLOAD_MAXSIZE once decompressed, not read: %s (%s)",
                           response.url, reason)
            return b"", False, reason
        except DamagedBody as damaged:
            logger.warning("Sitemap %s: %s (read as cut short)", damaged, response.url)
            return b"", True, None
        if len(response.body) < warn_size <= len(body):
            logger.warning("Sitemap of %d bytes once decompressed (DOWNLOAD_WARNSIZE %d): %s",
                           len(body), warn_size, response.url)
        return body, False, None

    def parse_listing(self, response):
        if discovery.looks_like_sitemap(response.body):  # a start URL that is a sitemap by its body
            yield from self.parse_sitemap(response)
            return
        # A transfer whose end the server marked (a Content-Length, a chunked stream's last
        # chunk) vouches for its length; one ended by closing the connection (HTTP/1.0) does
        # not: Scrapy flags it "partial".
        vouched = "partial" not in response.flags
        fault = _discovery_fault(response, discovery.listing_cut_off(response.body, vouched))
        if fault and (retry := self.retry_truncated(response, "listing", kind=fault)):
            yield retry
            return
        content_type = response.headers.get(b"Content-Type")
        if why := not_html(response.body, content_type):  # a robots.txt, JSON, an image: no links to read
            logger.warning("Not an HTML page, no links read: %s (%s)", response.url, why)
            self.start_url_failed(response.request, f"{why}: no links to follow")
            return
        links = discovery.read_listing(response.url, response.body, content_type)
        self.unusable_links(response.url, links.unusable)
        if response.meta.get("start_url") and not (links.questions or links.listings or links.next_page):
            # Said when the crawl finds no question page: the site's rules may not know its paths.
            self.count(discovery.START_PAGES_UNKNOWN)
        if links.questions:
            self.root_reached(links.questions[0])
        for url in links.questions:
            if self.closing():
                return
            if request := self.question_request(url):
                yield request
        for url in links.listings:
            if request := self.listing_request(url, response.url):
                yield request
        walk = response.meta.get("listing_walk") or response.url
        if (links.next_page and self.walk_goes_on(walk, response.url, links.questions)
                and (request := self.listing_request(links.next_page, response.url, walk))):
            yield request
        else:  # the walk ends here
            self.listing_walks.pop(walk, None)

    def walk_goes_on(self, walk: str, url: str, questions: list[str]) -> bool:
        """Whether a topic's rel="next" walk goes past this page. A page naming no question its
        own walk has not named is a trap (a rel="next" naming the same questions for ever), or
        the end. In an incremental crawl, a page naming only questions the sitemaps vouch for
        (session.vouched_for: known, given a lastmod, and the sitemaps named every question the
        state knew) ends it too: what lies past it is asked for through the sitemaps, so the
        crawl saves the listing pages (every page shifts when a question is added). Without
        that, the walk goes to its end: a sitemap of the newest questions only, or none, must
        not leave older questions unasked, nor new ones at the end of an oldest-first listing."""
        keys = {site_for(link).question_key(link) for link in questions}
        named = self.listing_walks.setdefault(walk, set())
        fresh = keys - named
        named |= keys
        if not fresh:
            self.count("pages/listing_walks_repeating")
            logger.info("Listing walk ended: %s names no question its walk has not named (%s)", url, walk)
            return False
        if all(self.session.vouched_for(key) for key in keys):
            self.count("pages/listing_pages_not_followed")
            return False
        return True

    def unusable_links(self, page: str, links) -> None:
        """Links no request can be made of: counted (the summary's errors) and named in the log."""
        for link in links:
            self.count(discovery.UNUSABLE_LINKS)
            logger.warning("Link skipped, no URL a request can be made of: %r on %s", link, page)

    # question pages -------------------------------------------------------------------

    async def parse_question(self, response):
        asked = _asked_url(response.request)
        lastmod = self.session.sitemap_lastmod.get(asked) or self.session.sitemap_lastmod.get(response.url)
        if site_key(asked) != site_key(response.url):  # its rows are the other site's: the asked one gets none
            site_lost(self.crawler.stats, asked, f"its question pages redirected to {site_key(response.url)}, "
                                                 "another site of this crawl")
        if response.status == 304:
            if not _asked_to_validate(response.request):  # a cache's or a wall's answer: no page, no news
                self.count("pages/failed")
                self.count("pages/unasked_304")
                logger.error("Not Modified, though the request named no version it had: %s (not recorded)",
                             response.url)
                return
            site_read(self.crawler.stats, response.url)
            yield NotModifiedItem(response.url, lastmod, asked_url=asked, fetched_at=_fetched_at(response))
            return
        if cut_short(response):  # what is read of it is not the page: retried as a cut-off one
            if retry := self.retry_truncated(response, body_fault(response), question=True):
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
        except TruncatedPage as error:  # an empty body too: both are what a retry may cure
            kind = "empty" if isinstance(error, EmptyPage) else "truncated"
            if retry := self.retry_truncated(response, error.reason, question=True, kind=kind):
                yield retry
            return
        except UnknownLayout as error:  # no question page (a new markup, no HTML at all): a redesign, or a wall?
            if self.wall_met(response) or self.removed(response) or \
                    self.redirected_away(response.request, "not a question page"):
                return
            # pages_malformed, not pages_failed too: one page, one class (it was read, never given up)
            kind, words = (("not_html", "no HTML document") if isinstance(error, NotHtml)
                           else ("unknown_layout", "unknown layout"))
            self.count(f"pages/{kind}")
            logger.error("Page of %s, not recorded: %s", "no HTML" if kind == "not_html" else "an unknown layout", error)
            self.start_url_failed(response.request, f"not a question page ({words})")
            return
        except PageError as error:
            self.page_read(response)
            self.count("pages/malformed")  # as an unknown layout: not a failed page too
            logger.error("Malformed page, not recorded: %s", error)
            self.start_url_failed(response.request, f"not a question page ({error.reason})")
            return
        self.page_read(response)
        site_read(self.crawler.stats, response.url)
        if not self.first_sighting(page.records, response.url):
            # Nothing to write, yet its URLs are done: a resumed crawl must not ask for them again.
            yield NotModifiedItem(response.url, lastmod, asked_url=asked, counted_as=DUPLICATE_QUESTION)
            return
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
        question_id = question.get("question_id")
        key = question_key(rows_site(fetched_url, question.get("url")), question_id)  # its rows' (site, question_id)
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
                logger.info("Question %s already read in this crawl, not recorded twice: %s", question_id, fetched_url)
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

    def retry_truncated(self, response, error, question: bool = False, kind: str = "truncated"):
        """A retry of a page that arrived cut off (a question page, a sitemap, a listing: what
        is read of it then is all of it), or empty (`kind` "empty"), or None
        once its retries are spent (what was read whole of a sitemap or a listing is used).
        Every page the crawl reads is empty or cut off by one rule (a sitemap, a listing or a
        home page: _discovery_fault). Only a question page given up is one of the question pages
        the parsers could not read (pages/truncated_gave_up); a sitemap is a sitemap lost, a
        listing a listing given up, each named. An empty page given up is a page lost
        (pages/empty_gave_up), not one of a new shape: it had no markup at all; an empty
        discovery page that is a start URL is that start URL's failure."""
        words = {"truncated": "cut off", "empty": "empty"}[kind]
        self.count(f"pages/{kind}")
        retry = get_retry_request(response.request, spider=self, reason=f"{kind} page")
        if retry is None:
            self.count("pages/failed")
            said = False
            if kind == "empty" and not question:  # nothing of it read: a start URL that gave nothing
                said = self.start_url_failed(response.request, f"{words} on every attempt")
            if question:
                self.count(f"pages/{kind}_gave_up")
            elif response.meta.get("sitemap"):
                said = self.sitemap_lost(response.url, f"{words} on every attempt", said)
            else:
                self.listing_given_up(response.url, words)
            if not said:  # one line on stderr for one failure
                logger.error("Gave up on a page that keeps arriving %s: %s (%s)", words, response.url, error)
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
        question = request.callback == self.parse_question
        if question and failure.check(HttpError) and self.redirected_away(request, _failure_reason(failure)):
            return  # a login wall's 404 is a question lost, not a page the site does not have
        said = self.start_url_failed(request, _failure_reason(failure))
        if _robots_refused(failure):
            self.count("pages/robots_forbidden")
            if question:
                self.count("questions/robots_forbidden")
            elif request.meta.get("sitemap"):
                self.sitemap_forbidden(request.url)
            return
        if failure.check(HttpError) and failure.value.response.status == 404 and not discovery.is_question_url(request.url) \
                and not request.meta.get("sitemap"):  # a sitemap named, then 404: lost, said below
            self.count("pages/not_found")
            return
        if request.meta.get("sitemap"):
            said = self.sitemap_lost(request.url, _failure_reason(failure), said)
        if question and _gone(failure):
            self.count("questions/gone")
        elif failure.check(IgnoreRequest) and not failure.check(HttpError, CountedDrop):
            # given up by a middleware that counts nothing: too many redirects, ...
            self.count(f"{GIVEN_UP}{_without_url(failure.getErrorMessage())}")
        self.count("pages/failed")
        if not said:  # one line on stderr for one failure
            logger.error("Failed %s: %s", request.url, _failure_reason(failure))

    def sitemap_lost(self, url: str, reason: str, said: bool = False) -> bool:
        """A sitemap given up on, whatever the transport did: counted (the `sitemaps_unread`
        check), and named in the crawl's message and summary; never a question page. Said in a
        line of its own unless a line said its failure already (`said`: a start URL's); True."""
        self.count(discovery.SITEMAPS_LOST)
        lost = self.crawler.stats.get_value(discovery.SITEMAPS_LOST_LIST) or []
        self.crawler.stats.set_value(discovery.SITEMAPS_LOST_LIST, [*lost, f"{url} ({reason})"])
        if not said:
            logger.error("Sitemap not read: %s (%s); the questions only it names are not in this crawl", url, reason)
        return True

    def listing_given_up(self, url: str, words: str) -> None:
        """A home or listing page cut off or empty on every attempt: what was read whole of it is
        used, yet the links past the cut (its rel="next", the later topics) are not in this crawl,
        so it is counted and the first few named in the crawl's message, as a sitemap lost is."""
        self.count(discovery.LISTINGS_GIVEN_UP)
        named = self.crawler.stats.get_value(discovery.LISTINGS_GIVEN_UP_LIST) or []
        if len(named) < MAX_BAD_URLS_LISTED:
            self.crawler.stats.set_value(discovery.LISTINGS_GIVEN_UP_LIST, [*named, f"{url} ({words} on every attempt)"])

    def sitemap_forbidden(self, url: str) -> None:
        """A sitemap robots.txt forbids: rightly not fetched, yet the questions only it names are
        not in the crawl, so it is named in the message (not lost: the site said so)."""
        forbidden = self.crawler.stats.get_value(discovery.SITEMAPS_FORBIDDEN_LIST) or []
        self.crawler.stats.set_value(discovery.SITEMAPS_FORBIDDEN_LIST, [*forbidden, url])
        logger.warning("Sitemap not read, robots.txt forbids it: %s; the questions only it names are not in this "
                       "crawl", url)

    def start_url_failed(self, request, reason: str) -> bool:
        """A start URL that gave nothing is an error of the crawl's outcome, listed in the
        stats as "URL: reason"; nothing else of its site is tried in its place. A site root
        stands for its site's discovery, not its home page alone: its home page's failure is
        its error only until that discovery names a question page (root_reached). A robots.txt
        that failed is none: a 404 is a site without rules, and the home page says the rest.
        Whether it said the failure in a line of its own (then no other line says it)."""
        start_url = request.meta.get("start_url")
        if not start_url or request.callback == self.parse_robots:
            return False
        line = f"{start_url}: {reason}"
        root = _kind(start_url) == "site"
        if root and site_key(start_url) in self.roots_reached:
            self.home_page_unread(line)
            return True
        errors = self.crawler.stats.get_value(START_URL_ERRORS) or []
        if line in errors:
            return False
        self.crawler.stats.set_value(START_URL_ERRORS, [*errors, line])
        if not root:
            logger.error("Start URL failed: %s", line)
            return True
        if start_url not in self.home_failures:  # an error once the crawl closes with it unreached (closed)
            self.home_failures[start_url] = line
            logger.warning("Home page not read: %s (the start URL fails unless its site's sitemaps or listings "
                           "name question pages)", line)
            return True
        return False

    def closed(self, reason):
        """The site roots that failed: their discovery named no question page, their home page's failure stands."""
        for line in self.home_failures.values():
            logger.error("Start URL failed: %s", line)

    def root_reached(self, url: str) -> None:
        """Discovery named a question page of `url`'s site: its site root is reached, whether
        its home page was read or not (a robots.txt that allows only questions and sitemaps,
        a home page that 404s or moved to another host); that page's failure is said as such."""
        if len(self.roots_reached) == len(self.site_roots):
            return  # the common case: every root reached, no URL to take apart
        site = site_key(url)
        if site not in self.site_roots or site in self.roots_reached:
            return
        self.roots_reached.add(site)
        for start_url, line in list(self.home_failures.items()):
            if site_key(start_url) == site:
                del self.home_failures[start_url]
                errors = self.crawler.stats.get_value(START_URL_ERRORS) or []
                self.crawler.stats.set_value(START_URL_ERRORS, [error for error in errors if error != line])
                self.home_page_unread(line)

    def home_page_unread(self, line: str) -> None:
        """A reached site root whose home page failed: no failed start URL, but said (the
        outcome's message), since its topic listings, which it links, were not walked."""
        unread = self.crawler.stats.get_value(HOME_PAGES_UNREAD) or []
        if line not in unread:
            self.crawler.stats.set_value(HOME_PAGES_UNREAD, [*unread, line])
            logger.warning("Start URL reached, its home page not read: %s (its site's sitemaps or listings named "
                           "question pages; the topic listings the home page links were not walked)", line)

    def removed(self, response) -> bool:
        """Whether a question URL answered with a page that is no question page says the site
        removed its question, as a 404 or 410 at its own URL does (_gone): a page whose title or
        first heading says it is not found or removed (a soft 404, wherever redirects led), or a
        redirect, each hop permanent (301, 308), to the site's bare home page or a listing
        (_sends_readers_away). The question is gone, counted as settled (the `question_pages_unread`
        check), not an unknown layout nor a page lost: a removal is the site's change, and its
        URL, asked again while a sitemap names it, must not fail each day's crawl."""
        request = response.request
        redirects = request.meta.get("redirect_urls") or ()
        site = site_for(response.url)
        if says_not_found(ServedPage(response.url, response.body, response.headers.get(b"Content-Type")),
                          response.status):
            why = "the page says it is not found or removed"
        elif redirects and set(request.meta.get("redirect_reasons") or ()) <= PERMANENT \
                and _sends_readers_away(site, response.url, _asked_url(request)):
            why = "moved permanently to the home page or a listing"
        else:
            return False
        self.count("questions/gone")
        where = f" -> {response.url}" if redirects else ""
        logger.info("Question removed by the site: %s%s (%s)", _asked_url(request), where, why)
        self.start_url_failed(request, f"removed by the site ({why}{where})")  # a start URL that gave nothing
        return True

    def redirected_away(self, request, what: str) -> bool:
        """Whether a question URL's request was redirected to a page that is no question page
        (the home page, a topic listing, a login wall that may answer 404): its question is
        lost, counted and named with where it led; not an unknown layout (a redesign's sign)
        nor a page the site does not have. A redirect to another question URL is not this."""
        redirects = request.meta.get("redirect_urls")
        if not redirects or discovery.is_question_url(request.url):
            return False
        self.count(REDIRECTED_AWAY)
        self.count("pages/failed")
        line = f"{redirects[0]} -> {request.url} ({what})"
        named = self.crawler.stats.get_value(REDIRECTED_AWAY_LIST) or []
        if len(named) < REDIRECTED_AWAY_NAMED:  # examples for the message; the log names every one
            self.crawler.stats.set_value(REDIRECTED_AWAY_LIST, [*named, line])
        logger.error("Question page redirected to a page that is no question page, not recorded: %s", line)
        self.start_url_failed(request, f"redirected to {request.url} ({what})")
        return True

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


def _discovery_fault(response, cut: bool) -> str | None:
    """What a retry may cure in a discovery page's answer (a sitemap, a listing, a home page),
    as in a question page's: "truncated" (cut short in transfer, or, by what it holds, `cut`),
    "empty" (no text at all: a 200 with no bytes, a 204, a 304 no request asked for), or None."""
    if cut_short(response) or cut:
        return "truncated"
    return None if response.body.strip() else "empty"


def _without_url(message: str) -> str:
    """"still blocked after 3 retries: http://..." -> "still blocked after 3 retries": a kind to count."""
    return re.split(r"\s*:?\s*'?https?://", message, maxsplit=1)[0][:80] or "no reason given"


def _gone(failure) -> bool:
    """A question page the site says is no more (404 or 410 at its own URL, not after a
    redirect): the site removed the question, no page was lost."""
    return (failure.check(HttpError) is not None and failure.value.response.status in (404, 410)
            and not failure.request.meta.get("redirect_urls"))


def _sends_readers_away(site, target: str, asked: str) -> bool:
    """Whether a permanent redirect's target is where a site sends the readers of a question it
    took down: its home page or a listing, bare. A target with a query (a listing's page number
    aside), or naming the question back, is a gate in front of a question that still is
    (`/?signin=required&return_to=/question/x`): no removal."""
    parts = urlsplit(target)
    query = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)
             if not (site.is_listing_url(target) and name == site.listing_page_parameter)]
    asked_path = urlsplit(asked).path.rstrip("/")
    return (site.is_root_url(target) or site.is_listing_url(target)) and not query \
        and not (asked_path and asked_path in unquote(target))


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
