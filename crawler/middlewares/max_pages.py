"""At most N pages (`--max-pages N`, setting CLOSESPIDER_PAGECOUNT), robots.txt aside.

Scrapy's CloseSpider closes the spider once N responses arrived, but the requests already in
flight still arrive after that: 66 pages for N=50. Here a download is let through only while
fewer than N were let through (a download that ends without a response, a connection error,
gives its place back), so no more than N responses can come. When the N-th is let through,
the spider is closed (reason `closespider_pagecount`, as Scrapy's): the ones in flight are
read, nothing more is sent.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import _schedule_coro

from crawler.extensions.prompt_stop import CrawlStopping

logger = logging.getLogger(__name__)


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
        # No response came of it: the place goes back (a retry of it is sent again through here).
        if request.meta.pop("max_pages_counted", False) and not isinstance(exception, IgnoreRequest):
            self.sent -= 1
        return None
