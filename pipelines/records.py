"""Item pipeline: a parsed question page to the contract's records, by the normalisers.

`doctor-answers extract` goes through the same `page_records`, so a crawl and an offline
run of a saved page give the same records.
"""
from __future__ import annotations

from pipelines.items import NotModifiedItem
from pipelines.normalise.records import page_records


class NormalisePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        if isinstance(item, NotModifiedItem):
            return item
        item.records = page_records(item.page)
        for record in item.records:
            self.stats.inc_value(f"records/{record['type']}")
            if record["type"] == "doctor" and record.get("title_line") and record.get("specialty") is None:
                # Counted, never guessed: a title line with no known specialty.
                self.stats.inc_value("doctors/title_line_unmatched")
        return item
