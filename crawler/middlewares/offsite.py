"""Scrapy's OffsiteMiddleware, saying when it drops a redirect.

Scrapy filters a request to another host at scheduling, without calling its errback, and
counts it in `offsite/filtered` only. For links the spider never yields off-site that is
noise; for a page that *redirected* off the site (a question moved to another host, a bot
wall's login host) it is a page lost: the crawl said `finished`, "errors: none", without it.
Such a drop is a failed page, counted as `pages/redirected_offsite` too (an error of the
crawl's outcome and of the `fetch_errors` check), logged as an error naming both URLs; it
fails its start URL.
"""
from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware as ScrapyOffsite
from scrapy.exceptions import IgnoreRequest

REDIRECTED_OFFSITE = "pages/redirected_offsite"

logger = logging.getLogger(__name__)


class OffsiteMiddleware(ScrapyOffsite):
    def process_request(self, request, spider=None):
        try:
            return super().process_request(request)
        except IgnoreRequest:
            if request.meta.get("redirect_urls"):
                self._redirected_offsite(request)
            raise

    def _redirected_offsite(self, request) -> None:
        asked = request.meta["redirect_urls"][0]
        self.stats.inc_value(REDIRECTED_OFFSITE)
        self.stats.inc_value("pages/failed")
        logger.error("Redirected off the site, not followed: %s -> %s", asked, request.url)
        start_url_failed = getattr(self.crawler.spider, "start_url_failed", None)
        if start_url_failed is not None:
            start_url_failed(request, f"redirected off the site, to {request.url}")
