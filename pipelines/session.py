"""One crawl's identity and memory, shared by the spider, the conditional-GET middleware and
the dataset writer: built once per crawler, from its settings (`CRAWL_ID`, `STATE_DIR`)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from pipelines.state import CrawlState, PageVersion


def new_crawl_id(started_at: datetime) -> str:
    return f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class CrawlSession:
    def __init__(self, settings):
        started_at = datetime.now(timezone.utc)
        self.sitemap_lastmod: dict[str, str] = {}  # question URL -> lastmod, as this crawl's sitemaps say
        self.skipped: set[str] = set()
        crawl_id = settings.get("CRAWL_ID") or new_crawl_id(started_at)
        state_dir = settings.get("STATE_DIR")
        self.state = CrawlState(state_dir) if state_dir else None
        if self.state is None:
            self.incremental = False
            self.crawl_id, self.started_at, self.resumed, self.next_part = crawl_id, started_at, False, 0
            self.done, self.doctors = set(), set()
            return
        # Incremental: pages of earlier crawls are known, so a sitemap's lastmod can skip them.
        self.incremental = self.state.knows_pages()
        opened = self.state.open_crawl(crawl_id, started_at)
        self.crawl_id, self.started_at, self.resumed = opened.crawl_id, opened.started_at, opened.resumed
        self.next_part = opened.next_part
        self.done, self.doctors = set(opened.done), set(opened.doctors)

    @classmethod
    def from_crawler(cls, crawler) -> "CrawlSession":
        # One per crawler: the spider, a middleware and a pipeline all ask for it.
        session = crawler.__dict__.get("_crawl_session")
        if session is None:
            session = crawler.__dict__["_crawl_session"] = cls(crawler.settings)
        return session

    @property
    def crawl_date(self) -> str:
        return f"{self.started_at:%Y-%m-%d}"

    def version(self, url: str) -> PageVersion | None:
        return self.state.version(url) if self.state else None

    def skip_reason(self, url: str) -> str | None:
        """Why a question need not be fetched (None: fetch it): it was committed earlier in
        this resumed crawl, or its sitemap lastmod is the one we saw when we last fetched it."""
        if url in self.skipped:
            return "skipped"
        if url in self.done:
            reason = "skipped_done"
        elif (lastmod := self.sitemap_lastmod.get(url)) and (seen := self.version(url)) and seen.lastmod == lastmod:
            reason = "skipped_unchanged"
        else:
            return None
        self.skipped.add(url)  # listings and related links name it again: skip those too
        return reason
