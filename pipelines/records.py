"""Item pipeline: a parsed question page to the contract's records, by the normalisers.

`doctor-answers extract` goes through the same `page_records`, so a crawl and an offline
run of a saved page give the same records. A page read by an extraction worker
(crawler.extraction, `EXTRACT_PROCESSES` >= 1) arrives with its records already made by the
same function there: it is only counted here.
"""
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
        if item.records is None:
            # Imported here: with extraction workers the crawl's own process never normalises,
            # and nameparser's import is 40 ms of its start-up.
            from pipelines.normalise.records import page_records

            item.records = page_records(item.page)
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
