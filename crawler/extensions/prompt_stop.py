"""A crawl that is asked to stop stops within seconds, whatever it is waiting on.

Scrapy's graceful stop (the first Ctrl-C, Scrapyd's cancel, a spider closed for a reason) waits
for every request already handed to the downloader. Some of those wait a long time: a
downloader slot's delay (a robots.txt Crawl-delay of minutes), a retry's backoff, a server that
accepts the connection and never answers (DOWNLOAD_TIMEOUT later). Once the crawl is stopping,
`PromptStop` ends those waits: requests queued behind a slot delay fail at once, downloads
in progress are cancelled (through `StoppableHTTPDownloadHandler`), backoff waits end. They
fail with `CrawlStopping`, which nothing counts as an error. The spider and the output then
close as they always do: the crawls row says `interrupted` (or the close reason's status).

    PromptStop.of(crawler).close(reason)  # stop waiting, then close the spider with `reason`

A stop asked from outside (a signal, Scrapyd's cancel) also sends `crawl_interrupted`: the
crawl's extraction workers then drop the pages they read (crawler.workers), which the engine's
close would otherwise wait for, however long a page takes.

The close also waits for the output of every callback under way, so a callback that hands
Scrapy many requests (a sitemap of 50,000 URLs) asks `PromptStop.closing(crawler)` between
them, and stops once the crawl is closing, for whatever reason: a stop, --max-pages reached,
Scrapy's memory guard.
"""
from __future__ import annotations

import asyncio
import logging

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import DownloadFailedError, IgnoreRequest
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import _schedule_coro
from twisted.python.failure import Failure

from crawler.unparseable import UnparseableResponse, refusal

logger = logging.getLogger(__name__)
CHECK_EVERY = 0.2  # seconds between looks at whether the crawl is stopping
crawl_interrupted = object()  # signal: the crawl was asked to stop (Ctrl-C, SIGTERM, Scrapyd's cancel)


class CrawlStopping(IgnoreRequest):
    """A request dropped because the crawl is stopping: not a failure of the site."""


class PromptStop:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stopping = False
        self.interrupted = False
        self.downloads: set[asyncio.Task] = set()
        self._stopped: asyncio.Event | None = None
        self._loop = create_looping_call(self._check)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @classmethod
    def of(cls, crawler) -> "PromptStop | None":
        return crawler.get_extension(cls)

    @classmethod
    def closing(cls, crawler) -> bool:
        """Whether the crawl is closing, whatever closes it (a stop asked, --max-pages reached,
        Scrapy's memory guard, a close reason): a request made now would never be fetched."""
        engine = crawler.engine
        # Scrapy says a spider is closing only through its engine slot's `closing`, set as
        # close_spider_async() begins (whoever calls it) and kept until the engine is gone. Not
        # our `stopping`, set by the signal before the close is asked for: discovery stopped
        # then left the spider idle, and Scrapy closed it `finished` before the stop's close
        # (an interrupted crawl ended 0 with a `finished` row).
        slot = getattr(engine, "_slot", None)
        return not crawler.crawling or engine is None or slot is None or slot.closing is not None

    def engine_started(self):
        self._loop.start(CHECK_EVERY, now=False)

    def spider_closed(self, spider, reason):
        if self._loop.running:
            self._loop.stop()

    def _check(self):
        # crawler.crawling turns False when Crawler.stop_async() begins: a signal (Ctrl-C,
        # SIGTERM) or Scrapyd's cancel. Until the spider is closed, requests may still enter
        # the downloader (released by robots.txt, by a middleware): drop them too.
        if not self.interrupted and not self.crawler.crawling:
            self.interrupted = True
            self.stop_waiting()
            self.crawler.signals.send_catch_log(crawl_interrupted)
        elif self.stopping:
            self._drop_waiting()

    def close(self, reason: str) -> None:
        """Close the spider with `reason` now, without waiting for what waits."""
        self.stop_waiting()
        _schedule_coro(self.crawler.engine.close_spider_async(reason=reason))

    def stop_waiting(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        logger.info("Stopping: requests waiting for a delay, a retry or a slow server are dropped")
        if self._stopped is not None:
            self._stopped.set()
        self._drop_waiting()

    async def wait(self, seconds: float) -> bool:
        """Sleep `seconds`, or less if the crawl starts stopping; True if it is stopping."""
        if self.stopping:
            return True
        if self._stopped is None:
            self._stopped = asyncio.Event()
        try:
            await asyncio.wait_for(self._stopped.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        return self.stopping

    def _drop_waiting(self) -> None:
        downloader = self.crawler.engine.downloader
        for slot in list(downloader.slots.values()):
            slot.delay = 0.0
            slot.close()  # cancels the call that was waiting for the slot's delay
            while slot.queue:
                request, deferred = slot.queue.popleft()
                deferred.errback(Failure(CrawlStopping(f"crawl stopping: {request.url} not fetched")))
        for download in list(self.downloads):
            download.cancel()


class StoppableHTTPDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, with downloads that PromptStop can cancel (which aborts
    their connections). Registered in DOWNLOAD_HANDLERS for http and https."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.stopper = PromptStop.of(crawler)

    async def download_request(self, request):
        try:
            return await self._download(request)
        except DownloadFailedError as error:  # a response it refused is no connection lost: said so
            if (why := refusal(error.__cause__)) is not None:
                raise UnparseableResponse(why) from error.__cause__
            raise

    async def _download(self, request):
        if self.stopper is None:
            return await super().download_request(request)
        if self.stopper.stopping:
            raise CrawlStopping(f"crawl stopping: {request.url} not fetched")
        download = asyncio.ensure_future(super().download_request(request))
        self.stopper.downloads.add(download)
        try:
            return await download
        except asyncio.CancelledError:
            if download.cancelled() and self.stopper.stopping:
                raise CrawlStopping(f"crawl stopping: {request.url} not fetched") from None
            raise
        finally:
            self.stopper.downloads.discard(download)
