"""Block pages (bot walls such as PerimeterX's px-captcha) are never parsed.

A block page is a page with its site's block markers, whatever its HTTP status (a wall answers
503 and 429 too) and Content-Type. It is counted, retried later with a longer delay, and when
the site keeps blocking us the crawl stops with the reason `blocked`. Nothing here tries to solve or
get around a captcha: the only answer to a block is to wait, and then to stop.
"""
from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.defer import _schedule_coro
from scrapy.http import Request, Response

from crawler.extensions.prompt_stop import PromptStop
from crawler.middlewares import CountedDrop
from crawler.middlewares.backoff import DELAY_META, BackoffRetryMiddleware
from crawler.pages import is_block_page
from crawler.sites import site_for
from crawler.sites.base import host_key

logger = logging.getLogger(__name__)
# Block pages met, by the HTTP status they came with: a wall's 503 or 429 is a block, not the
# site's error (pipelines.checks.fetch_errors leaves them out of its share).
BLOCKED_STATUS = "pages/blocked_status_count/"


class Blocked(CountedDrop):
    """A request dropped behind a block page (the crawl stopping, or its retries spent)."""


class BlockPageMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.retry_times = settings.getint("BLOCK_RETRY_TIMES")
        self.retry_delay = settings.getfloat("BLOCK_RETRY_DELAY")
        self.stop_after = settings.getint("BLOCK_STOP_AFTER")
        self.blocked_in_a_row: dict[str, int] = {}  # by host: another site's pages do not reset a wall's count
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None):
        if not is_block_response(response.url, response.body, response.headers.get(b"Content-Type")):
            if response.status == 200:
                self.blocked_in_a_row.pop(host_key(response.url), None)
            return response
        self.crawler.stats.inc_value(f"{BLOCKED_STATUS}{response.status}")
        return self.wait_out(request, response)

    def wait_out(self, request: Request, response: Response) -> Request:
        """A block page met: counted, and its request again after a delay that grows with
        each attempt. IgnoreRequest once its retries are spent, or when the site has answered
        so many block pages in a row that the crawl stops. The spider calls it too, for a wall
        whose markers lie past what is_block_response looks at."""
        stats = self.crawler.stats
        stats.inc_value("pages/blocked")
        host = host_key(response.url)
        in_a_row = self.blocked_in_a_row[host] = self.blocked_in_a_row.get(host, 0) + 1
        if in_a_row >= self.stop_after:
            self._stop(host, in_a_row)
            raise Blocked(f"blocked: {response.url}")
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason="block page",
            max_retry_times=self.retry_times,
            stats_base_key="blocked_retry",
        )
        if retry is None:
            stats.inc_value("pages/blocked_gave_up")
            stats.set_value("crawl/message", f"pages still blocked after {self.retry_times} retries, e.g. {response.url}")
            logger.error("Still blocked after %d retries, not recorded: %s", self.retry_times, response.url)
            raise Blocked(f"still blocked after {self.retry_times} retries: {response.url}")
        # Blocks are retried later and later: the wall may be a rate limit that time lifts;
        # never sooner than the wall's own Retry-After, which holds the whole host meanwhile.
        retry.meta[DELAY_META] = max(self.retry_delay * retry.meta["retry_times"], self._retry_after(request, response))
        return retry

    def _retry_after(self, request: Request, response: Response) -> float:
        backoff = BackoffRetryMiddleware.of(self.crawler)
        if backoff is None:
            return 0.0
        return backoff.retry_after(request, response) or 0.0

    @classmethod
    def of(cls, crawler) -> "BlockPageMiddleware | None":
        return crawler.get_downloader_middleware(cls)

    def _stop(self, host: str, in_a_row: int) -> None:
        if self.stopping:
            return
        self.stopping = True
        message = f"the site {host} answered {in_a_row} block pages in a row; stopping"
        self.crawler.stats.set_value("crawl/message", message)
        logger.error("Blocked: %s", message)
        stopper = PromptStop.of(self.crawler)
        if stopper is not None:
            stopper.close("blocked")  # retries waiting out their block delay end now
        else:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="blocked"))


# How far into a body the block markers are looked for. A bot wall's page is a few KB; looking
# no further keeps the look cheap on every response (a sitemap may be 8 MB). A marker deeper
# in a 2xx page is still found where the page is read, and waited out the same way (the spider).
BLOCK_MARKERS_WITHIN = 256 * 1024


def is_block_response(url: str, body: bytes, content_type: bytes | str | None) -> bool:
    """Whether a response is its site's block page (crawler.pages.is_block_page), whatever its
    status and Content-Type: a wall answers 503 or 429 as well as 403, as text/plain or with
    no Content-Type, and the site contract makes the markers decide. The page is read only
    when a marker shows in its first BLOCK_MARKERS_WITHIN bytes, or when those bytes hold NULs
    (UTF-16 or -32 text, where the markers are no ASCII bytes)."""
    site = site_for(url)
    head = body[:BLOCK_MARKERS_WITHIN]
    if site.block_element_id.encode() not in head and site.block_title.encode() not in head and b"\x00" not in head:
        return False
    return is_block_page(body, content_type or None, url)
