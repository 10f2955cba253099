"""What the spider hands to the item pipelines."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class QuestionPageItem:
    """One question page: parsed (`page`), or already normalised by a worker (`records`)."""
    family: str  # the page's markup family: the questions dataset's `layout`
    page: Any  # crawler.pages.QuestionPage (raw strings as printed), or None when `records` came with it
    fetched_url: str
    fetched_at: datetime  # UTC
    content_sha256: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the sitemap's, when the page was found in one
    # The contract records, page order: from an extraction worker (crawler.extraction), or
    # made from `page` by pipelines.records.NormalisePipeline.
    records: list[dict] | None = None


@dataclass(slots=True)
class NotModifiedItem:
    """A question page that answered 304: its committed rows stand; nothing new to write."""
    url: str
    lastmod: str | None = None  # the sitemap's, when this crawl's sitemaps named the page
