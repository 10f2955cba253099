"""Honour robots.txt `Crawl-delay`, which Scrapy's RobotsTxtMiddleware reads but never applies.

When a site's robots.txt is parsed, its Crawl-delay for our User-Agent becomes the floor of
that site's download slot delay; AutoThrottle may raise the delay but never below the floor.
A Crawl-delay line that is no number of seconds (`5s`, `2,5`) is a warning naming it; an
infinite one is above any maximum. A Crawl-delay above CRAWL_DELAY_MAX ends the crawl as failed (reason `crawl_delay_too_long`,
`crawl/message` says which site asked for what): a crawl that would take weeks is not run.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.defer import _schedule_coro
from scrapy.utils.httpobj import urlparse_cached

from crawler.extensions.prompt_stop import PromptStop
from crawler.middlewares.robots import INFINITE_DELAY

logger = logging.getLogger(__name__)


class RobotsCrawlDelay:
    def __init__(self, crawler):
        self.crawler = crawler
        self.floors: dict[str, float] = {}  # netloc -> seconds
        self.max_delay = crawler.settings.getfloat("CRAWL_DELAY_MAX")
        self.stopper: PromptStop | None | bool = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(ext.apply, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.apply_after, signal=signals.response_downloaded)
        return ext

    def robots_parsed(self, robotparser, request):
        # The token RobotsTxtMiddleware matches groups with, so the delay is the rules' group's.
        settings = self.crawler.settings
        delay = robotparser.crawl_delay(settings["ROBOTSTXT_USER_AGENT"] or settings["USER_AGENT"])
        netloc = urlparse_cached(request).netloc
        for line in getattr(robotparser, "unread_delays", ()):  # crawler.middlewares.robots.RobotsParser
            logger.warning("robots.txt of %s: %r is not a number of seconds, ignored", netloc, line)
            self.crawler.stats.inc_value("robotstxt/crawl_delay_unread")
        if delay:
            if 0 < self.max_delay < float(delay):
                self.too_long(netloc, float(delay))
                return
            self.floors[netloc] = float(delay)
            self.crawler.stats.set_value("robotstxt/crawl_delay", float(delay))
            logger.info("robots.txt of %s asks for Crawl-delay %s s: obeyed", netloc, delay)

    def too_long(self, netloc: str, delay: float) -> None:
        asked = "an infinite Crawl-delay" if delay >= INFINITE_DELAY else f"Crawl-delay {delay:g} s"
        message = (f"robots.txt of {netloc} asks for {asked}, more than CRAWL_DELAY_MAX "
                   f"({self.max_delay:g} s): not crawled")
        self.crawler.stats.set_value("robotstxt/crawl_delay", delay)
        self.crawler.stats.set_value("crawl/message", message)
        logger.error("%s", message)
        stopper = PromptStop.of(self.crawler)
        if stopper is not None:
            stopper.close("crawl_delay_too_long")
        else:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="crawl_delay_too_long"))

    def apply(self, request, spider=None):
        floor = self.floors.get(urlparse_cached(request).netloc)
        if floor is None or self._stopping():
            return  # a stopping crawl waits for nothing (crawler.extensions.prompt_stop)
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(request.meta.get("download_slot") or downloader.get_slot_key(request))
        if slot is not None and slot.delay < floor:
            slot.delay = floor
            slot.jitter = 0.0  # the floor is a floor: no random wait below it

    def _stopping(self) -> bool:
        if self.stopper is None:  # found on first use: extensions are built one after the other
            self.stopper = PromptStop.of(self.crawler) or False
        return bool(self.stopper) and self.stopper.stopping

    def apply_after(self, response, request, spider=None):
        # AutoThrottle lowers slot delays after each response; put the floor back.
        self.apply(request)
