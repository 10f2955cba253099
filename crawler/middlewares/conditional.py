"""Conditional GETs for question pages that a stateful crawl has seen before.

Scrapy's HTTP cache would send these headers too, but it answers a 304 with the cached
200, so the spider would parse and emit unchanged pages again (see ECOSYSTEM.md). Here the
304 itself reaches the spider (HTTPERROR_ALLOWED_CODES), which records "unchanged".

A Last-Modified later than the response's Date (a server whose clock is ahead: RFC 9110
§8.8.2.1 forbids it) is no validator: sent back as If-Modified-Since, it makes a server that
compares dates answer 304 to every change that follows, for ever. So it is dropped from the
response before the spider records the page's version, and a stored one later than now (a
state written before this rule) is never sent. Nor is an ETag the state holds for pages of other
content too, or a Last-Modified most of its pages bear (they tell no version apart), nor any for a page whose last answer held back
the change its sitemap named (pipelines.session.CrawlSession.answered).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from scrapy.exceptions import NotConfigured

from crawler.discovery import is_question_url
from crawler.middlewares import http_date, sent_at

logger = logging.getLogger(__name__)
FUTURE_LAST_MODIFIED = "pages/future_last_modified"  # the stat: Last-Modified later than the Date, dropped
SHARED_VALIDATOR = "pages/shared_validator"  # the stat: a validator of pages of other content too, not sent
VALIDATOR_HEADERS = {"etag": "ETag", "last_modified": "Last-Modified"}


class ConditionalGetMiddleware:
    def __init__(self, session, stats):
        self.session, self.stats = session, stats

    @classmethod
    def from_crawler(cls, crawler):
        # The spider builds the crawl's session; without a state there is nothing to ask for.
        session = getattr(crawler.spider, "session", None)
        if session is None or session.state is None:
            raise NotConfigured  # (no message: Scrapy would log it as a warning)
        return cls(session, crawler.stats)

    def process_request(self, request, spider=None):
        if not is_question_url(request.url):
            return None
        seen = self.session.version(request.url)
        if seen is None or seen.unserved_lastmod:  # the last answer held back a change: ask for the page
            return None
        if seen.etag and self._tells_apart("etag", seen.etag, seen):
            request.headers.setdefault(b"If-None-Match", seen.etag.encode("latin-1"))
        if (seen.last_modified and not later_than(seen.last_modified, datetime.now(timezone.utc))
                and self._tells_apart("last_modified", seen.last_modified, seen)):
            request.headers.setdefault(b"If-Modified-Since", seen.last_modified.encode("latin-1"))
        return None

    def _tells_apart(self, validator: str, value: str, seen) -> bool:
        """Whether a stored validator is one (CrawlState.shares_validator): an ETag of the
        template or the deploy (`"v1"` on every page), the Last-Modified of most pages, would
        get a 304 for a changed page; dropped, a full answer costs some bytes, never a change."""
        if not self.session.state.shares_validator(validator, value, seen.content_sha256):
            return True
        if not self.stats.get_value(SHARED_VALIDATOR):
            logger.warning("%s shared by pages of other content, not sent (not a validator of the page): %s "
                           "(%s %s; and any more: stat %s)", VALIDATOR_HEADERS[validator], seen.url,
                           VALIDATOR_HEADERS[validator], value, SHARED_VALIDATOR)
        self.stats.inc_value(SHARED_VALIDATOR)
        return False

    def process_response(self, request, response, spider=None):
        last_modified = response.headers.get(b"Last-Modified")
        if not last_modified or not is_question_url(response.url):
            return response
        sent = sent_at(response.headers)
        if not later_than(last_modified.decode("latin-1"), sent):
            return response
        if not self.stats.get_value(FUTURE_LAST_MODIFIED):
            logger.warning("Last-Modified later than the response's Date (the server's clock is ahead?), not kept "
                           "as a validator: %s (Last-Modified %s, Date %s; and any more: stat %s)", response.url,
                           last_modified.decode("latin-1"), sent.isoformat(), FUTURE_LAST_MODIFIED)
        self.stats.inc_value(FUTURE_LAST_MODIFIED)
        headers = response.headers.copy()
        del headers[b"Last-Modified"]
        return response.replace(headers=headers)


def later_than(last_modified: str, moment: datetime) -> bool:
    """Whether an HTTP date is later than `moment` (one that is no date is not)."""
    when = http_date(last_modified)
    return when is not None and when > moment
