"""What the spider hands to the item pipelines."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class QuestionPageItem:
    """One question page: its contract records (crawler.extraction.extract_page) and how it
    was fetched."""
    family: str  # the page's markup family: the questions dataset's `layout`
    fetched_url: str
    fetched_at: datetime  # UTC
    content_sha256: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the sitemap's, when the page was found in one
    records: list[dict] = field(default_factory=list)  # the contract records, in page order
    asked_url: str | None = None  # the URL the crawl asked for, when redirects led to fetched_url


NOT_MODIFIED = "pages/not_modified"  # the stat of a 304 to a version the crawl named


@dataclass(slots=True)
class NotModifiedItem:
    """A question page with nothing new to write, yet done: it answered 304 (its committed rows
    stand), or its question was written by this crawl already under another URL."""
    url: str
    lastmod: str | None = None  # the sitemap's, when this crawl's sitemaps named the page
    asked_url: str | None = None  # the URL the crawl asked for, when redirects led to `url`
    fetched_at: datetime | None = None  # of a 304: when the committed version was found still current
    # what it is counted as once in the crawl's batch: a 304, or a question already read
    # (pipelines.crawls.DUPLICATE_QUESTION)
    counted_as: str = NOT_MODIFIED
