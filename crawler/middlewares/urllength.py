"""Scrapy's UrlLengthMiddleware, saying what it drops.

Scrapy drops a request whose URL is longer than URLLENGTH_LIMIT with one INFO line: a question
named by a sitemap was then never fetched, the crawl `finished` with "errors: none". Here each
such URL is counted (`pages/url_too_long`, an error of the summary), the first few are named
in the crawl's message and every one in a log warning, and a start URL it drops fails.
"""
from __future__ import annotations

import logging

from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware as ScrapyUrlLength

URL_TOO_LONG = "pages/url_too_long"
URL_TOO_LONG_LIST = "crawl/urls_too_long"
NAMED = 3
SHOWN = 120  # characters of such a URL a message shows: the rest is its slug, said by its length

logger = logging.getLogger(__name__)


class UrlLengthMiddleware(ScrapyUrlLength):
    def get_processed_request(self, request, response):
        if len(request.url) <= self.maxlength:
            return request
        stats = self.crawler.stats
        stats.inc_value(URL_TOO_LONG)
        line = f"{request.url[:SHOWN]}... ({len(request.url):,} characters)"
        named = stats.get_value(URL_TOO_LONG_LIST) or []
        if len(named) < NAMED:
            stats.set_value(URL_TOO_LONG_LIST, [*named, line])
        logger.warning("Not requested, URL longer than URLLENGTH_LIMIT=%d: %s", self.maxlength, request.url)
        start_url_failed = getattr(self.crawler.spider, "start_url_failed", None)
        if start_url_failed is not None:
            start_url_failed(request, f"URL longer than URLLENGTH_LIMIT={self.maxlength}, not requested")
        return None
