"""Item pipeline: the crawl's rows into the four Parquet datasets, the `crawls` row last.

Rows are buffered per dataset (pipelines.parquet) under hive partitions by the crawl's UTC
start date. The three data datasets are sealed and published together as one batch, so a
question never lands without its answers: at the end of the crawl, when a file grows to
PARQUET_FILE_ROWS, and, for stateful crawls, every CHECKPOINT_PAGES pages (what a kill can
cost). A doctor is written once per crawl, as first met. However the crawl ends, the data
files go in place first and the `crawls` row last, so readers going through the loader
never see a crawl's rows before its row says how it ended.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import _schedule_coro

from pipelines.items import NotModifiedItem
from pipelines.crawls import crawl_outcome, crawl_row, record_outcome, write_crawl_row
from pipelines.parquet import DatasetWriter, publish, warm_arrow
from pipelines.rows import row_for
from pipelines.schemas import SCHEMAS
from pipelines.session import CrawlSession
from pipelines.signals import batch_sealing, crawl_committed
from pipelines.state import PageVersion

logger = logging.getLogger(__name__)
DATA_DATASETS = ("questions", "answers", "doctors")


class DatasetsPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.session = CrawlSession.from_crawler(crawler)
        self.root = Path(settings.get("DATA_DIR", "data"))
        self.version = settings.get("PROJECT_VERSION", "")
        self.file_rows = settings.getint("PARQUET_FILE_ROWS", 1_000_000)
        self.checkpoint_pages = settings.getint("CHECKPOINT_PAGES", 0) if self.session.state else 0
        self.checkpoint_seconds = settings.getfloat("CHECKPOINT_SECONDS", 0) if self.session.state else 0
        self.writers = {
            name: DatasetWriter(
                folder=self.root / name / f"crawl_date={self.session.crawl_date}",
                schema=SCHEMAS[name],
                stem=self.session.crawl_id,
                row_group_rows=settings.getint("PARQUET_ROW_GROUP_ROWS", 50_000),
                row_group_bytes=settings.getint("PARQUET_ROW_GROUP_BYTES", 8 * 1024 * 1024),
                part=self.session.next_part,
            )
            for name in DATA_DATASETS
        }
        self.batch_pages: list[PageVersion] = []  # stateful crawls only
        self.batch_page_count = 0
        self.batch_doctors: list[str] = []  # stateful crawls only
        self.batch_started = time.monotonic()
        self.output_error: str | None = None
        crawler.stats.set_value("crawl/id", self.session.crawl_id)
        if self.session.resumed:
            crawler.stats.set_value("crawl/resumed_done_pages", len(self.session.done))
            self._remove_stale_temporaries()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_opened(self, spider):
        # A folder that cannot be written fails now, not after a whole crawl has been fetched.
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".{self.session.crawl_id}.write-test.tmp"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            self._fail(error)
        # pyarrow imports pandas on its first conversion (0.2-0.3 s): let that happen now, in a
        # thread, while the crawl mostly waits for robots.txt and its first pages.
        threading.Thread(target=warm_arrow, name="warm-arrow", daemon=True).start()

    # items -------------------------------------------------------------------------------

    def process_item(self, item, spider=None):
        if self.output_error:
            raise DropItem("output failed; not writing")
        try:
            if isinstance(item, NotModifiedItem):
                self._page_done(PageVersion(item.url, lastmod=item.lastmod))
            else:
                self._write(item)
            if self._batch_is_full():
                self.checkpoint()
        except OSError as error:
            self._fail(error)
            raise DropItem(f"output failed: {error}") from error
        return item

    def _write(self, item) -> None:
        for record in item.records:
            dataset, row = row_for(record, fetched_at=item.fetched_at, crawl_id=self.session.crawl_id,
                                   layout=item.family, content_sha256=item.content_sha256)
            if dataset == "doctors":
                if row["doctor_id"] in self.session.doctors:
                    continue
                self.session.doctors.add(row["doctor_id"])
                if self.session.state is not None:
                    self.batch_doctors.append(row["doctor_id"])
            self.writers[dataset].add(row)
        self._page_done(PageVersion(item.fetched_url, item.etag, item.last_modified, item.lastmod,
                                    item.content_sha256))

    def _page_done(self, page: PageVersion) -> None:
        # Only a stateful crawl remembers its pages' versions (for the state's batch commit);
        # a stateless one counts them, or a crawl would hold a PageVersion for every page.
        self.batch_page_count += 1
        if self.session.state is not None:
            self.batch_pages.append(page)

    def _batch_is_full(self) -> bool:
        if any(w.rows_in_file >= self.file_rows for w in self.writers.values()):
            return True
        if self.checkpoint_pages and self.batch_page_count >= self.checkpoint_pages:
            return True
        return bool(self.checkpoint_seconds) and time.monotonic() - self.batch_started >= self.checkpoint_seconds

    def checkpoint(self) -> None:
        """Seal the three datasets' files and publish them as one batch."""
        part = self.writers["questions"].part
        files = [paths for paths in (w.seal() for w in self.writers.values()) if paths]
        for writer in self.writers.values():
            writer.part = part + 1  # one part number per batch, across datasets
        for _, sealed in self.crawler.signals.send_catch_log(batch_sealing, part=part):
            files.extend(sealed or [])
        if self.session.state is not None:
            self.session.state.commit_batch(self.session.crawl_id, part, files, self.batch_pages, self.batch_doctors)
        else:
            publish(files)
        self.session.done.update(page.url for page in self.batch_pages)
        self.batch_pages, self.batch_doctors, self.batch_page_count = [], [], 0
        self.batch_started = time.monotonic()
        self.crawler.stats.inc_value("crawl/batches")

    # failure and the end -----------------------------------------------------------------

    def _fail(self, error: OSError) -> None:
        # One clear error, then stop: a crawl that cannot write must not go on fetching.
        if self.output_error:
            return
        self.output_error = f"cannot write to {self.root}: {error}"
        logger.error("Output failed, stopping the crawl: %s", self.output_error)
        self.crawler.stats.set_value("crawl/message", self.output_error)
        for writer in self.writers.values():
            writer.abort()
        if self.crawler.engine is not None and self.crawler.engine.spider is not None:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="output_failed"))

    def _remove_stale_temporaries(self) -> None:
        # A kill leaves the file being written: it holds no committed row, so it goes.
        for name in DATA_DATASETS:
            for tmp in (self.root / name).glob(f"crawl_date=*/.{self.session.crawl_id}-*.tmp"):
                tmp.unlink()

    def spider_closed(self, spider, reason):
        if not self.output_error:
            try:
                self.checkpoint()
            except OSError as error:
                self._fail(error)
        if self.session.state is not None and not self.output_error:
            self.session.state.fill_lastmods(self.session.crawl_id, self.session.sitemap_lastmod)
        outcome = crawl_outcome(self.crawler, spider, reason, self.root, self.output_error)
        status = outcome.status
        row = self._crawl_row(spider, outcome)
        record_outcome(self.crawler.stats, row, outcome)
        try:
            path = write_crawl_row(self.root, self.session.crawl_date, row)
        except OSError as error:
            # After an output failure this is the same failure again: one error line is enough.
            log = logger.warning if self.output_error else logger.error
            log("Could not write the crawls row of %s: %s", self.session.crawl_id, error)
            return
        if self.session.state is not None:
            self.session.state.finish_crawl(self.session.crawl_id, status)
        self.crawler.signals.send_catch_log(crawl_committed, root=self.root, crawl_id=self.session.crawl_id,
                                            status=status)
        # Anything but `finished` is worth a warning: it shows at -s LOG_LEVEL=WARNING too.
        log = logger.info if status == "finished" else logger.warning
        log("Crawl %s %s%s: %s", self.session.crawl_id, status, f" ({outcome.message})" if outcome.message else "", path)

    def _rows_of_crawl(self, dataset: str) -> int:
        # Counted from the files themselves, so a resumed crawl counts its earlier runs too.
        files = (self.root / dataset).glob(f"crawl_date=*/{self.session.crawl_id}-*.parquet")
        return sum(pq.ParquetFile(path).metadata.num_rows for path in files)

    def _crawl_row(self, spider, outcome) -> dict:
        return crawl_row(
            crawl_id=self.session.crawl_id,
            spider=spider.name,
            started_at=self.session.started_at,
            outcome=outcome,
            start_urls=getattr(spider, "start_urls", []),
            stats=self.crawler.stats.get_stats(),
            written={name: self._rows_of_crawl(name) for name in DATA_DATASETS},
            version=self.version,
        )
