"""Item pipeline: the crawl's rows into the four Parquet datasets, the `crawls` row last.

Rows are buffered per dataset (pipelines.parquet) and land under hive partitions by the
crawl's UTC start date. A doctor is written once per crawl, as first met. When the crawl
ends, however it ends, the data files are put in place first and the `crawls` row last, so
readers going through the loader never see a crawl's rows before its row says it is done.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import _schedule_coro

from pipelines.crawls import status_of, crawl_row, write_crawl_row
from pipelines.parquet import DatasetWriter
from pipelines.rows import row_for
from pipelines.schemas import SCHEMAS

logger = logging.getLogger(__name__)
DATA_DATASETS = ("questions", "answers", "doctors")


def new_crawl_id(started_at: datetime) -> str:
    return f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class DatasetsPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.root = Path(settings.get("DATA_DIR", "data"))
        self.started_at = datetime.now(timezone.utc)
        self.crawl_id = settings.get("CRAWL_ID") or new_crawl_id(self.started_at)
        self.crawl_date = f"{self.started_at:%Y-%m-%d}"
        self.version = settings.get("PROJECT_VERSION", "")
        self.writers = {
            name: DatasetWriter(
                folder=self.root / name / f"crawl_date={self.crawl_date}",
                schema=SCHEMAS[name],
                stem=self.crawl_id,
                row_group_rows=settings.getint("PARQUET_ROW_GROUP_ROWS", 50_000),
                file_rows=settings.getint("PARQUET_FILE_ROWS", 1_000_000),
            )
            for name in DATA_DATASETS
        }
        self.seen_doctors: set[str] = set()
        self.output_error: str | None = None
        crawler.stats.set_value("crawl/id", self.crawl_id)

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item, spider=None):
        if self.output_error:
            raise DropItem("output failed; not writing")
        try:
            self._write(item)
        except OSError as error:
            self._fail(error)
            raise DropItem(f"output failed: {error}") from error
        return item

    def _write(self, item) -> None:
        for record in item.records:
            dataset, row = row_for(
                record,
                fetched_at=item.fetched_at,
                crawl_id=self.crawl_id,
                layout=item.page.family,
                content_sha256=item.content_sha256,
            )
            if dataset == "doctors":
                if row["doctor_id"] in self.seen_doctors:
                    continue
                self.seen_doctors.add(row["doctor_id"])
            self.writers[dataset].add(row)

    def _fail(self, error: OSError) -> None:
        # One clear error, then stop: a crawl that cannot write must not go on fetching.
        self.output_error = f"cannot write to {self.root}: {error}"
        logger.error("Output failed, stopping the crawl: %s", self.output_error)
        self.crawler.stats.set_value("crawl/message", self.output_error)
        for writer in self.writers.values():
            writer.abort()
        _schedule_coro(self.crawler.engine.close_spider_async(reason="output_failed"))

    def spider_closed(self, spider, reason):
        if not self.output_error:
            try:
                for writer in self.writers.values():
                    writer.close()
            except OSError as error:
                self._fail(error)
        status = "failed" if self.output_error else status_of(reason)
        written = {name: writer.rows_written for name, writer in self.writers.items()}
        row = crawl_row(
            crawl_id=self.crawl_id,
            spider=spider.name,
            started_at=self.started_at,
            status=status,
            start_urls=getattr(spider, "start_urls", []),
            stats=self.crawler.stats.get_stats(),
            written=written,
            version=self.version,
            message=self.output_error,
        )
        self.crawler.stats.set_value("crawl/status", status)
        try:
            path = write_crawl_row(self.root, self.crawl_date, row)
        except OSError as error:
            logger.error("Could not write the crawls row of %s: %s", self.crawl_id, error)
            return
        logger.info("Crawl %s %s: %s", self.crawl_id, status, path)
