"""Retries of 5xx and 429 with exponential backoff, honouring Retry-After.

Scrapy's RetryMiddleware re-queues a failed request at once; against a server that is
overloaded (5xx) or asking us to slow down (429) that is the least polite thing to do.
This keeps its rules (RETRY_TIMES, RETRY_HTTP_CODES, stats) and adds a wait before the retry.
"""
from __future__ import annotations

import asyncio
import logging
from time import monotonic
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.response import response_status_message
from twisted.python.failure import Failure

from crawler.extensions.prompt_stop import CrawlStopping, PromptStop
from crawler.middlewares import CountedDrop, http_date, sent_at
from crawler.sites.base import host_key
from crawler.unparseable import UnparseableResponse

logger = logging.getLogger(__name__)

DELAY_META = "retry_delay"
RETRY_AFTER_HEADER = b"Retry-After"


def retry_after_seconds(value: bytes | None, sent: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date in any of the three
    forms RFC 9110 5.6.7 makes recipients accept (IMF-fixdate, RFC 850, asctime); None if
    absent or unreadable, and the caller falls back to its own schedule. A date is measured
    from `sent`, the moment the server sent it by its own clock (its Date: `sent_at`; now
    when not given): a server a day ahead asking for 3 s means 3 s, not a day."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    # ASCII digits only: str.isdigit() also takes superscripts such as "\xb2", float() does not.
    if text.isascii() and text.isdigit():
        return float(text)
    when = http_date(text)
    return None if when is None else max(0.0, (when - (sent or datetime.now(timezone.utc))).total_seconds())


def download_error_words(exception: BaseException) -> str:
    """A download error as a person reads it: the summary's words ("response cut short",
    "no response", "connection lost", "unparseable response") and what Twisted says happened, never a raw Failure repr."""
    from pipelines.crawls import exception_words  # here: pipelines.crawls imports blocks, which imports us

    # Scrapy wraps Twisted's ResponseFailed (ResponseNeverReceived: closed before any answer)
    # and keeps it as the cause, with Twisted's own reasons as Failures.
    cause = exception.__cause__
    name = type(exception).__name__
    if name == "DownloadFailedError" and cause is not None:
        name = type(cause).__name__  # the wrapper is generic; what it wraps says more
    words = exception_words(name)
    if isinstance(exception, UnparseableResponse):
        return str(exception)  # its own words, the server's bytes in them made short and printable
    if name in ("ResponseDataLossError", "DownloadCancelledError"):
        # its reasons only say the connection closed, what "cut short" says; a cancel's message
        # is Scrapy's size warning (the log file has it), its request's repr in it
        return words
    reasons = getattr(cause if cause is not None else exception, "reasons", None) or ()
    detail = "; ".join(dict.fromkeys(m for m in (r.getErrorMessage() for r in reasons) if m)) or str(exception).strip()
    if not detail or detail.startswith("[<"):  # a list of Failure reprs, as str(ResponseFailed) is
        return words
    return f"{words}: {detail}"


class RetryAfterTooLong(CountedDrop):
    """Not sent: its host asked for a wait longer than RETRY_AFTER_MAX."""


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries wait out their backoff or the Retry-After asked for, whichever is longer. A 429,
    or any retried status with a Retry-After, holds its whole host: no request of that host is
    sent before the time the server asked for (blocks.py holds it too, for a wall's answer)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX")
        self.not_before: dict[str, float] = {}  # host -> monotonic() its requests wait for
        self.stopper = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.stopper = PromptStop.of(crawler)
        return middleware

    @classmethod
    def of(cls, crawler) -> "BackoffRetryMiddleware | None":
        return crawler.get_downloader_middleware(cls)

    async def process_request(self, request: Request, spider=None) -> None:
        # The wait happens here, in the downloader, so the callback that asked for the
        # retry is never blocked and other requests go on meanwhile.
        delay = request.meta.pop(DELAY_META, None) or 0.0
        while True:
            held = self._host_wait(request.url)
            if held > self.retry_after_max:
                raise self._not_sent(request, held)
            delay = max(delay, held)
            if delay <= 0:
                return
            if await self._sleep(delay):
                raise CrawlStopping(f"crawl stopping: {request.url} not retried")
            delay = 0.0  # its own delay is over; the host's hold may have grown meanwhile

    async def _sleep(self, seconds: float) -> bool:
        """Wait, unless the crawl stops meanwhile: True if it is stopping."""
        if self.stopper is not None:
            return await self.stopper.wait(seconds)
        await asyncio.sleep(seconds)
        return False

    def hold_host(self, request: Request, seconds: float) -> None:
        """Nothing more to the host of `request` for `seconds` (a 429, a Retry-After)."""
        host = host_key(request.url)
        self.not_before[host] = max(self.not_before.get(host, 0.0), monotonic() + seconds)
        self._hold_slot(request, self.not_before[host] - monotonic())

    def _hold_slot(self, request: Request, seconds: float) -> None:
        """Requests already past process_request wait in the host's downloader slot: its queue
        is not served before the hold ends (the call the slot waits for is moved there), or,
        for a hold past RETRY_AFTER_MAX, is given up now."""
        try:
            downloader = self.crawler.engine.downloader
        except RuntimeError:  # no engine yet: nothing is queued
            return
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return
        if seconds > self.retry_after_max:
            while slot.queue:
                queued, deferred = slot.queue.popleft()
                deferred.errback(Failure(self._not_sent(queued, seconds)))
            return
        if slot.latercall:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, downloader._latercall, slot)

    def _host_wait(self, url: str) -> float:
        return self.not_before.get(host_key(url), 0.0) - monotonic()

    def retry_after(self, request: Request, response: Response) -> float | None:
        """The Retry-After of a response, with its host held that long. A wait longer than
        RETRY_AFTER_MAX is not waited: the page is given up (RetryAfterTooLong), never
        retried before the server allows it."""
        raw = response.headers.get(RETRY_AFTER_HEADER)
        asked = retry_after_seconds(raw, sent_at(response.headers))
        if asked is None:
            return None
        self.hold_host(request, asked)
        if asked > self.retry_after_max:
            self._give_up(request, raw, asked)
        return asked

    def _give_up(self, request: Request, raw: bytes, asked: float) -> None:
        self._count_given_up()
        message = (
            f"the site asked to wait {asked:.0f} s (Retry-After: {raw.decode('latin-1').strip()}), "
            f"more than RETRY_AFTER_MAX {self.retry_after_max:.0f} s; not retried: {request.url}"
        )
        self.crawler.stats.set_value("crawl/message", message)
        raise RetryAfterTooLong(message)

    def _not_sent(self, request: Request, held: float) -> RetryAfterTooLong:
        self._count_given_up()
        return RetryAfterTooLong(f"its host asked to wait {held:.0f} s (Retry-After): {request.url} not sent")

    def _count_given_up(self) -> None:
        # Under the summary's "given up (...)": the spider counts no CountedDrop itself.
        from pipelines.crawls import GIVEN_UP  # here: pipelines.crawls imports blocks, which imports us
        self.crawler.stats.inc_value(f"{GIVEN_UP}Retry-After over RETRY_AFTER_MAX ({self.retry_after_max:.0f} s)")

    def retried(self, request: Request, response: Response) -> bool:
        """Whether this answer's status is one retried after a wait (a 5xx, a 429)."""
        return not request.meta.get("dont_retry", False) and response.status in self.retry_http_codes

    def will_retry(self, request: Request, response: Response) -> bool:
        """Whether this answer will be asked again after a wait: retried, its retries not spent."""
        return (self.retried(request, response)
                and request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retry_times))

    def process_response(self, request: Request, response: Response, spider=None):
        if not self.retried(request, response):
            return response
        asked = self.retry_after(request, response)
        retry = self._retry(request, response_status_message(response.status))
        if asked is None and response.status == 429:
            # A 429 with no Retry-After still says the host, not the page, is over its rate.
            self.hold_host(request, self._backoff(retry or request))
        if retry is None:
            return response
        retry.meta[DELAY_META] = max(asked or 0.0, self._backoff(retry))
        return retry

    def process_exception(self, request: Request, exception: Exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        if isinstance(exception, UnparseableResponse):  # the server's bytes: once more (a new connection), not RETRY_TIMES
            request.meta["max_retry_times"] = min(request.meta.get("max_retry_times", self.max_retry_times),
                                                  request.meta.get("retry_times", 0) + 1)
        # Scrapy's "Retrying ..." and "Gave up retrying ..." lines end with this reason.
        retry = self._retry(request, download_error_words(exception))
        if isinstance(retry, Request):
            retry.meta[DELAY_META] = self._backoff(retry)
        return retry

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 1)
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
