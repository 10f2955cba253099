"""The `questions` spider: discover every question of a site and route its page to the parsers.

    scrapy crawl questions -a start_url=http://127.0.0.1:8000/
    scrapy crawl questions -a start_url=https://www.realself.com/question/some-slug

A start URL is a site root (robots.txt, its Sitemap: lines and the home page's topic
listings are read), a sitemap, a topic listing, or a question page. The spider only routes:
reading a page is crawler.pages' job, turning it into records is the item pipelines'.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler import discovery
from crawler.pages import BlockedPage, PageError, TruncatedPage
from crawler.spiders.sitemaps_first import SitemapsFirst
from crawler.workers import ExtractionWorkers
from pipelines.items import NotModifiedItem, QuestionPageItem
from pipelines.session import CrawlSession

logger = logging.getLogger(__name__)
# An incremental crawl (its state knows pages of earlier crawls) reads its sitemaps before
# anything else: they say what changed. Any other crawl, a stateful one's first included,
# reads them after the questions already queued, so the queue holds one sitemap's questions
# at a time, not the whole site's (40 MB of requests at 20,000 questions).
SITEMAP_PRIORITY = {"incremental": 30, "full": 0}


def _split_urls(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [url.strip() for url in value if url.strip()]


class QuestionsSpider(scrapy.Spider):
    name = "questions"

    def __init__(self, start_url=None, start_urls=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = _split_urls(start_url) + _split_urls(start_urls)
        if not self.start_urls:
            raise ValueError("the questions spider needs -a start_url=URL")
        for url in self.start_urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"not an http(s) URL: {url!r}")
        # Never leave the start sites: Scrapy's OffsiteMiddleware reads this.
        self.allowed_domains = sorted({urlsplit(url).hostname for url in self.start_urls})
        # Sites started from their root: their robots.txt sitemaps are read.
        self.site_roots = {urlsplit(url).netloc for url in self.start_urls if _kind(url) == "site"}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.session = CrawlSession(crawler.settings)  # the crawl's; other components use spider.session
        spider.extraction = ExtractionWorkers.from_crawler(crawler)
        spider.requested: set[str] = set()
        spider.sitemaps_first = SitemapsFirst(active=spider.session.state is not None and bool(spider.site_roots))
        # Stateful crawls read sitemaps before listings: once they named questions, a listing
        # page naming only known ones ends its topic's walk (parse_listing).
        spider.sitemaps_named_questions = False
        crawler.signals.connect(spider.release_listings, signal=signals.spider_idle)
        if crawler.settings.getbool("ROBOTSTXT_OBEY"):
            # robots.txt is fetched once, by Scrapy's RobotsTxtMiddleware; its Sitemap: lines come from there.
            crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    async def start(self):
        for url in self.start_urls:
            for request in self.requests_for_start(url):
                yield request

    def requests_for_start(self, url: str):
        kind = _kind(url)
        if kind == "question":
            if request := self.question_request(url):
                yield request
        elif kind == "sitemap":
            yield self.sitemap_request(url)
        elif kind == "listing":
            yield self.request(url, self.parse_listing)
        else:  # a site root: robots.txt for sitemaps, the home page for topic listings
            if not self.settings.getbool("ROBOTSTXT_OBEY"):
                root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/"
                yield self.request(root + "robots.txt", self.parse_robots)
            # The home page goes now: its request is what makes Scrapy read robots.txt.
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
        return self.sitemaps_first.hold(self.request(url, self.parse_listing))

    def sitemap_request(self, url: str) -> scrapy.Request:
        self.sitemaps_first.sitemap_requested()
        priority = SITEMAP_PRIORITY["incremental" if self.session.incremental else "full"]
        return self.request(url, self.parse_sitemap, priority=priority, meta={"sitemap": True})

    def request(self, url: str, callback, **kwargs) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, **kwargs)

    def question_request(self, url: str, lastmod: str | None = None):
        """A request for a question page, or None when it is already requested or needless."""
        if lastmod and self.session.state is not None:
            self.session.sitemap_lastmod[url] = lastmod
        if url in self.requested:
            return None  # cheaper than a trip through the spider middlewares and the dupefilter
        if reason := self.session.skip_reason(url):
            self.count(f"pages/{reason}")
            return None
        self.requested.add(url)
        # Question pages first: they are the product; discovery pages only feed them.
        return self.request(url, self.parse_question, priority=10)

    # discovery ------------------------------------------------------------------------

    def robots_parsed(self, robotparser, request):
        if urlsplit(request.url).netloc not in self.site_roots:
            return  # started from a question, a listing or a sitemap: not the whole site
        sitemaps = getattr(getattr(robotparser, "rp", None), "sitemaps", ())
        self.enqueue([self.sitemap_request(url) for url in sitemaps])
        self.enqueue(self.sitemaps_first.robots_done())

    def parse_robots(self, response):
        yield from (self.sitemap_request(url) for url in discovery.sitemaps_in_robots(response.url, response.body))
        yield from self.sitemaps_first.robots_done()

    def parse_sitemap(self, response):
        kind, entries = discovery.read_sitemap(response.url, response.body)
        if not kind:
            self.count("pages/malformed")
            logger.warning("Not a sitemap: %s", response.url)
        for entry in entries:
            if kind == "sitemapindex":
                yield self.sitemap_request(entry.url)
            elif discovery.is_question_url(entry.url):
                self.sitemaps_named_questions = True
                if request := self.question_request(entry.url, entry.lastmod):
                    yield request
        yield from self.sitemaps_first.sitemap_read()

    def parse_listing(self, response):
        links = discovery.read_listing(response.url, response.body)
        new = [request for url in links.questions if (request := self.question_request(url))]
        yield from new
        next_pages = [links.next_page] if links.next_page else []
        if next_pages and links.questions and not new and self.sitemaps_first.active and self.sitemaps_named_questions:
            # Newest first: a page that names nothing the sitemaps did not is followed by
            # older pages that name nothing new either. Not walking them is most of what an
            # incremental crawl would otherwise fetch (every page shifts when one is added).
            self.count("pages/listing_pages_not_followed")
            next_pages = []
        for url in links.listings + next_pages:
            if request := self.listing_request(url):
                yield request

    # question pages -------------------------------------------------------------------

    async def parse_question(self, response):
        if response.status == 304:
            self.count("pages/not_modified")
            yield NotModifiedItem(response.url, self.session.sitemap_lastmod.get(response.url))
            return
        try:
            page = await self.extraction.extract(response.url, response.body, response.headers.get(b"Content-Type"))
        except BlockedPage as error:  # the block middleware should have caught it; never record it
            self.count("pages/blocked")
            logger.warning("%s", error)
            return
        except TruncatedPage as error:
            if retry := self.retry_truncated(response, error):
                yield retry
            return
        except PageError as error:
            self.count("pages/malformed")
            self.count("pages/failed")
            logger.error("Malformed page, not recorded: %s", error)
            return
        self.count("pages/question")
        yield QuestionPageItem(
            family=page.family,
            fetched_url=response.url,
            fetched_at=datetime.now(timezone.utc),
            content_sha256=hashlib.sha256(response.body).hexdigest(),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            lastmod=self.session.sitemap_lastmod.get(response.url),
            records=page.records,
        )
        for url in page.related_urls:
            if request := self.question_request(url):
                yield request

    def retry_truncated(self, response, error):
        self.count("pages/truncated")
        retry = get_retry_request(response.request, spider=self, reason="truncated page")
        if retry is None:
            self.count("pages/failed")
            logger.error("Gave up on a page that keeps arriving cut off: %s", error)
        else:
            # The cut-off attempt's latency is not the retry's (AutoThrottle would read it).
            retry.meta.pop("download_latency", None)
        return retry

    # failures -------------------------------------------------------------------------

    def failed(self, failure):
        request = failure.request
        if request.meta.get("sitemap"):
            self.enqueue(self.sitemaps_first.sitemap_read())
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.count("pages/robots_forbidden")
            return
        if failure.check(HttpError) and failure.value.response.status == 404 and not discovery.is_question_url(request.url):
            self.count("pages/not_found")
            return
        self.count("pages/failed")
        logger.error("Failed %s: %s", request.url, failure.getErrorMessage())

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)


def _kind(start_url: str) -> str:
    """What a start URL is: a question, a sitemap, a listing, or a site (root or any other page)."""
    if discovery.is_question_url(start_url):
        return "question"
    if urlsplit(start_url).path.endswith(".xml"):
        return "sitemap"
    return "listing" if discovery.is_listing_url(start_url) else "site"


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
