"""What the spider hands to the item pipelines."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class QuestionPageItem:
    """One parsed question page."""
    page: Any  # crawler.pages.QuestionPage: raw strings as the page printed them
    fetched_url: str
    fetched_at: datetime  # UTC
    content_sha256: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the sitemap's, when the page was found in one
    # Filled by pipelines.records.NormalisePipeline: the contract records, page order.
    records: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class NotModifiedItem:
    """A question page that answered 304: its committed rows stand; nothing new to write."""
    url: str
    lastmod: str | None = None  # the sitemap's, when this crawl's sitemaps named the page
