"""Retries of 5xx and 429 with exponential backoff, honouring Retry-After.

Scrapy's RetryMiddleware re-queues a failed request at once; against a server that is
overloaded (5xx) or asking us to slow down (429) that is the least polite thing to do.
This keeps its rules (RETRY_TIMES, RETRY_HTTP_CODES, stats) and adds a wait before the retry.
"""
from __future__ import annotations

import asyncio
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

from crawler.extensions.prompt_stop import CrawlStopping, PromptStop

DELAY_META = "retry_delay"


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date in any of the three
    forms RFC 9110 5.6.7 makes recipients accept (IMF-fixdate, RFC 850, asctime); None if
    absent or unreadable, and the caller falls back to its own schedule."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    # ASCII digits only: str.isdigit() also takes superscripts such as "\xb2", float() does not.
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        # asctime dates and dates with no zone or "-0000": HTTP-dates are always GMT.
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")
        self.stopper = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.stopper = PromptStop.of(crawler)
        return middleware

    async def process_request(self, request: Request, spider=None) -> None:
        # The wait happens here, in the downloader, so the callback that asked for the
        # retry is never blocked and other requests go on meanwhile.
        delay = request.meta.pop(DELAY_META, None)
        if delay and await self._sleep(delay):
            raise CrawlStopping(f"crawl stopping: {request.url} not retried")

    async def _sleep(self, seconds: float) -> bool:
        """Wait, unless the crawl stops meanwhile: True if it is stopping."""
        if self.stopper is not None:
            return await self.stopper.wait(seconds)
        await asyncio.sleep(seconds)
        return False

    def process_response(self, request: Request, response: Response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        retry.meta[DELAY_META] = self._delay(retry, response)
        return retry

    def process_exception(self, request: Request, exception: Exception, spider=None):
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            self.crawler.stats.inc_value("pages/download_errors")
            retry.meta[DELAY_META] = self._backoff(retry)
        return retry

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 1)
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))

    def _delay(self, request: Request, response: Response) -> float:
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None:
            return min(self.backoff_max, max(asked, self._backoff(request)))
        return self._backoff(request)
