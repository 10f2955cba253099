"""Block pages (bot walls such as PerimeterX's px-captcha) are never parsed.

A block page is counted, retried later with a longer delay, and when the site keeps
blocking us the crawl stops with the reason `blocked`. Nothing here tries to solve or
get around a captcha: the only answer to a block is to wait, and then to stop.
"""
from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.defer import _schedule_coro
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.extensions.prompt_stop import PromptStop
from crawler.middlewares.backoff import DELAY_META
from crawler.pages import is_block_page
from crawler.sites import site_for

logger = logging.getLogger(__name__)


class BlockPageMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.retry_times = settings.getint("BLOCK_RETRY_TIMES")
        self.retry_delay = settings.getfloat("BLOCK_RETRY_DELAY")
        self.stop_after = settings.getint("BLOCK_STOP_AFTER")
        self.blocked_in_a_row = 0
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None):
        if response.status not in site_for(response.url).block_statuses or not _looks_blocked(response):
            if response.status == 200:
                self.blocked_in_a_row = 0
            return response
        stats = self.crawler.stats
        stats.inc_value("pages/blocked")
        self.blocked_in_a_row += 1
        if self.blocked_in_a_row >= self.stop_after:
            self._stop()
            raise IgnoreRequest(f"blocked: {response.url}")
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
            raise IgnoreRequest(f"still blocked after {self.retry_times} retries: {response.url}")
        # Blocks are retried later and later: the wall may be a rate limit that time lifts.
        retry.meta[DELAY_META] = self.retry_delay * retry.meta["retry_times"]
        return retry

    def _stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        message = f"the site answered {self.blocked_in_a_row} block pages in a row; stopping"
        self.crawler.stats.set_value("crawl/message", message)
        logger.error("Blocked: %s", message)
        stopper = PromptStop.of(self.crawler)
        if stopper is not None:
            stopper.close("blocked")  # retries waiting out their block delay end now
        else:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="blocked"))


def _looks_blocked(response: Response) -> bool:
    # Only HTML can be a block page; sitemaps and robots.txt are checked by their own parsers.
    content_type = response.headers.get(b"Content-Type", b"") or b""
    if b"html" not in content_type.lower() and not response.body.lstrip()[:15].lower().startswith(b"<!doctype html"):
        return False
    return is_block_page(response.body, content_type or None, response.url)
