"""`crawl --report` (setting REPORT): write the HTML report next to the data once the crawl's
`crawls` row is written, so it shows the crawl as readers see it.

A report that cannot be made is logged on one line and changes nothing of the crawl: its data
and its status are already committed.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

from pipelines.signals import crawl_committed

logger = logging.getLogger("doctor_answers.report")


class Report:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REPORT"):
            raise NotConfigured("REPORT is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.committed, signal=crawl_committed)
        return extension

    def committed(self, root, crawl_id, status):
        from pipelines.report import ReportError, write_report

        try:
            path = write_report(root, crawl_id=crawl_id)
        except Exception as error:  # noqa: BLE001 - whatever it is, the committed crawl stands as it is
            # A ReportError says itself (`cannot write ...`); anything else is named by its class.
            why = str(error) if isinstance(error, ReportError) else f"{type(error).__name__}: {error}"
            logger.error("No report of crawl %s (the crawl is committed): %s", crawl_id, why)
            self.crawler.stats.set_value("report/error", str(error))
            return
        self.crawler.stats.set_value("report/path", str(path))
        logger.info("Report of crawl %s (%s): %s", crawl_id, status, path)
