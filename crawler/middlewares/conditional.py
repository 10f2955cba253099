"""Conditional GETs for question pages that a stateful crawl has seen before.

Scrapy's HTTP cache would send these headers too, but it answers a 304 with the cached
200, so the spider would parse and emit unchanged pages again (see ECOSYSTEM.md). Here the
304 itself reaches the spider (HTTPERROR_ALLOWED_CODES), which records "unchanged".
"""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.discovery import is_question_url


class ConditionalGetMiddleware:
    def __init__(self, session):
        self.session = session

    @classmethod
    def from_crawler(cls, crawler):
        # The spider builds the crawl's session; without a state there is nothing to ask for.
        session = getattr(crawler.spider, "session", None)
        if session is None or session.state is None:
            raise NotConfigured  # (no message: Scrapy would log it as a warning)
        return cls(session)

    def process_request(self, request, spider=None):
        if not is_question_url(request.url):
            return None
        seen = self.session.version(request.url)
        if seen is None:
            return None
        if seen.etag:
            request.headers.setdefault(b"If-None-Match", seen.etag.encode("latin-1"))
        if seen.last_modified:
            request.headers.setdefault(b"If-Modified-Since", seen.last_modified.encode("latin-1"))
        return None
