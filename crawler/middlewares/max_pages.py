"""At most N pages (`--max-pages N`, setting CLOSESPIDER_PAGECOUNT), robots.txt aside.

Scrapy's CloseSpider closes the spider once N responses arrived, but the requests already in
flight still arrive after that: 66 pages for N=50. Here a download is let through only while
fewer than N were let through, so no more than N requests reach the site. A place goes back
only when the request never left: no connection made (refused, host not found, connect
timeout). A request the server did receive counts whatever came of it: a response head, a body
cut short, a connection reset or a timeout after sending. When the N-th is let through,
the spider is closed (reason `closespider_pagecount`, as Scrapy's): the ones in flight are
read, nothing more is sent.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    NotConfigured,
    UnsupportedURLSchemeError,
)
from twisted.internet.error import ConnectError, ConnectingCancelledError, DNSLookupError
from scrapy.utils.defer import _schedule_coro

from crawler.extensions.prompt_stop import CrawlStopping
from crawler.middlewares.backoff import RetryAfterTooLong

logger = logging.getLogger(__name__)


# Download exceptions of a request that never reached the server.
NEVER_SENT = (
    ConnectError,  # refused, connect timeout, no route
    ConnectingCancelledError,
    DNSLookupError,
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    UnsupportedURLSchemeError,
    RetryAfterTooLong,  # taken out of the downloader's queue when its host asked for a long wait
)


class PageCapReached(CrawlStopping):
    """Not sent: the crawl already sent its --max-pages requests."""


class MaxPagesMiddleware:
    def __init__(self, crawler, max_pages: int):
        self.crawler = crawler
        self.max_pages = max_pages
        self.sent = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        max_pages = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if max_pages <= 0:
            raise NotConfigured
        return cls(crawler, max_pages)

    def process_request(self, request, spider=None):
        if request.url.endswith("/robots.txt"):
            return None
        if self.sent >= self.max_pages:
            self.crawler.stats.inc_value("pages/max_pages_not_sent")
            raise PageCapReached(f"--max-pages {self.max_pages} reached: {request.url} not fetched")
        self.sent += 1
        request.meta["max_pages_counted"] = True
        if self.sent >= self.max_pages and not self.closing:
            self.closing = True
            logger.info("%d pages sent (CLOSESPIDER_PAGECOUNT): the crawl stops when they are read", self.sent)
            _schedule_coro(self.crawler.engine.close_spider_async(reason="closespider_pagecount"))
        return None

    def process_exception(self, request, exception, spider=None):
        # Never sent: the place goes back (a retry of it is counted again through here). One the
        # server received keeps its place, so retries of cut-short or reset pages stay bounded.
        if request.meta.pop("max_pages_counted", False) and isinstance(exception, NEVER_SENT):
            self.sent -= 1
        return None
