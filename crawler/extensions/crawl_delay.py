"""Honour robots.txt `Crawl-delay`, which Scrapy's RobotsTxtMiddleware reads but never applies.

When a site's robots.txt is parsed, its Crawl-delay for our User-Agent becomes the floor of
that site's download slot delay; AutoThrottle may raise the delay but never below the floor.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class RobotsCrawlDelay:
    def __init__(self, crawler):
        self.crawler = crawler
        self.floors: dict[str, float] = {}  # netloc -> seconds

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(ext.apply, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.apply_after, signal=signals.response_downloaded)
        return ext

    def robots_parsed(self, robotparser, request):
        agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings["USER_AGENT"]
        delay = robotparser.crawl_delay(agent)
        if delay:
            netloc = urlparse_cached(request).netloc
            self.floors[netloc] = float(delay)
            self.crawler.stats.set_value("robotstxt/crawl_delay", float(delay))
            logger.info("robots.txt of %s asks for Crawl-delay %s s: obeyed", netloc, delay)

    def apply(self, request, spider=None):
        floor = self.floors.get(urlparse_cached(request).netloc)
        if floor is None:
            return
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(request.meta.get("download_slot") or downloader.get_slot_key(request))
        if slot is not None and slot.delay < floor:
            slot.delay = floor
            slot.jitter = 0.0  # the floor is a floor: no random wait below it

    def apply_after(self, response, request, spider=None):
        # AutoThrottle lowers slot delays after each response; put the floor back.
        self.apply(request)
