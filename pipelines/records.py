"""Item pipeline: counts a question page's records (made by crawler.extraction.extract_page,
in a worker or in the crawl's process, as for `doctor-answers extract`)."""
from __future__ import annotations

from pipelines.items import NotModifiedItem


class NormalisePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        if isinstance(item, NotModifiedItem):
            return item
        # One stats call per record type and page, not per record: every call on Scrapy's
        # StatsCollector goes through its deprecation-checking __getattribute__ (2% of a crawl).
        counts: dict[str, int] = {}
        unmatched = 0
        for record in item.records:
            kind = record["type"]
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "doctor" and record.get("title_line") and record.get("specialty") is None:
                unmatched += 1  # counted, never guessed: a title line with no known specialty
        inc = self.stats.inc_value
        for kind, count in counts.items():
            inc(f"records/{kind}", count)
        if unmatched:
            inc("doctors/title_line_unmatched", unmatched)
        return item
