"""Item pipeline: the Scrapy side of the output. Question pages in, the `crawls` row last.

A thin adapter: it opens the crawl's session (state) and output when the spider opens, turns
each page's records into rows (pipelines.rows) and hands them to the batches
(pipelines.output.batches), which check them against the schemas, buffer them and commit them
with the Parquet datasets (pipelines.output.datasets). A page whose rows do not fit is
malformed (`pages/malformed`, logged with its URL): nothing of it is written. However the
crawl ends, the last batch is committed first, then the status is decided, then the `crawls`
row is written (then `crawl_ended` is sent), then the state is finished, then the latest view is updated and the row
rewritten to say how that went (pipelines.crawls.row_before_view), then `crawl_committed` is
sent: readers going through the loader never see a crawl's rows before its row says how it
ended, and a row that cannot be written fails the crawl, which is then not committed.
"""
from __future__ import annotations

import errno
import logging
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import _schedule_coro

from pipelines.crawls import (ClockBehind, Outcome, check_clock, crawl_outcome, crawl_row, not_committed,
                              record_outcome, row_after_view, row_before_view, row_not_rewritten, row_while_resumed,
                              run_counts, write_crawl_row)
from pipelines.items import NOT_MODIFIED, NotModifiedItem
from pipelines.output.batches import Batches
from pipelines.output.datasets import DATA_DATASETS, ParquetDatasets
from pipelines.output.parquet import warm_arrow
from pipelines.output.unwritable import cannot_write
from pipelines.output.validate import RowsDoNotFit
from pipelines.rows import page_rows
from pipelines.session import CHANGE_NOT_SERVED
from pipelines.signals import batch_sealing, crawl_committed, crawl_ended, output_failed
from pipelines.state import PageVersion

logger = logging.getLogger(__name__)


class DatasetsPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.session = crawler.spider.session  # the spider builds the crawl's session
        self.root = Path(settings["DATA_DIR"])
        self.version = settings["PROJECT_VERSION"]
        self.output = ParquetDatasets(self.root, row_group_rows=settings.getint("PARQUET_ROW_GROUP_ROWS"),
                                      row_group_bytes=settings.getint("PARQUET_ROW_GROUP_BYTES"),
                                      file_rows=settings.getint("PARQUET_FILE_ROWS"))
        self.checkpoint_pages = settings.getint("CHECKPOINT_PAGES")
        self.checkpoint_seconds = settings.getfloat("CHECKPOINT_SECONDS")
        self.batches: Batches | None = None  # once open
        self.output_error: str | None = None  # why nothing more is written: the output failed, or the start was refused
        self.finished_at: datetime | None = None  # when the crawl ended: what both of its rows say
        self.has_row = False  # a resumed crawl whose earlier run wrote its row: readers see its batches at once

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # Opened here, while the engine is built: a refusal (StateError) stops the crawl before
        # anything has started, so nothing needs stopping and no crawls row is written.
        pipeline.open()
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.output_failed, signal=output_failed)
        return pipeline

    def open(self) -> None:
        self.crawler.stats.set_value("crawl/id", self.session.crawl_id)  # a resumed crawl's, once open
        # Before any request: a folder that cannot be written fails now, not after a whole crawl;
        # so does a clock behind a crawl the folder holds, whose rows would hide this one's.
        # Either way the spider is closed as soon as it is open (spider_opened), its row `failed`.
        try:
            self.output.check_writable(self.session.crawl_id)
            # now, not the session's start: a resumed crawl's is its first run's, maybe days before
            check_clock(self.root, datetime.now(timezone.utc), self.crawler.settings.getfloat("CLOCK_BEHIND_MAX"))
            self._open()
        except ClockBehind as behind:
            self._stop(str(behind), "The crawl cannot start")
        except OSError as error:
            self._fail(error)

    def _open(self) -> None:
        self.session.open(self.crawler.spider.start_urls, self.output, self.root)
        stats = self.crawler.stats
        stats.set_value("crawl/id", self.session.crawl_id)
        if self.session.message:
            stats.set_value("crawl/message", self.session.message)
        if self.session.resumed:
            # Questions, not done URLs (a page is done under the URL asked for and where it
            # led); a state written before questions were recorded has its URLs alone.
            stats.set_value("crawl/resumed_done_pages", len(self.session.questions) or len(self.session.done))
            for name, value in run_counts(self.session.earlier_counts).items():  # its row counts the whole crawl
                stats.inc_value(name, value)
        removed = self.output.begin(self.session.crawl_id, self.session.crawl_date, self.session.next_part)
        if removed:
            logger.info("Removed %d temporary files left by crawls that died", removed)
        self.has_row = self.session.resumed and self.output.crawl_status(self.session.crawl_id) is not None
        self._row_while_resumed()  # opening may have committed a batch a kill left pending
        self.batches = Batches(self.output, self.session, checkpoint_pages=self.checkpoint_pages,
                               checkpoint_seconds=self.checkpoint_seconds, seal_others=self._seal_others,
                               counts=self._counts, publish=self._publish)
        # pyarrow imports pandas on its first conversion (0.2-0.3 s): let that happen now, in a
        # thread, while the crawl mostly waits for robots.txt and its first pages.
        threading.Thread(target=warm_arrow, name="warm-arrow", daemon=True).start()

    def spider_opened(self, spider):
        if self.output_error:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="output_failed"))

    # items -------------------------------------------------------------------------------

    def process_item(self, item, spider=None):
        if self.output_error:
            raise DropItem("output failed; not writing")
        try:
            # A question page settled for good is counted as it enters the batch, not before: the
            # counts a stateful crawl keeps with a batch are those of the pages it holds, so a page
            # a kill left out of every batch is counted once, by the run that fetches it again.
            if isinstance(item, NotModifiedItem):
                page = PageVersion(item.url, lastmod=item.lastmod, fetched_at=_iso(item.fetched_at))
                if item.counted_as == NOT_MODIFIED:  # a 304, not a question read under another URL
                    page = self._answered(page)
                self.batches.page_done(page, item.asked_url)
                self.crawler.stats.inc_value(item.counted_as)
            else:
                self._write(item)
            if self.batches.is_full():
                self._commit()
        except OSError as error:
            self._fail(error)
            raise DropItem(f"output failed: {error}") from error
        return item

    def _write(self, item) -> None:
        page = self._answered(PageVersion(item.fetched_url, item.etag, item.last_modified, item.lastmod,
                                          item.content_sha256, _iso(item.fetched_at)))
        try:
            self.batches.add_page(page_rows(item, self.session.crawl_id), page, item.asked_url)
            self.crawler.stats.inc_value("pages/question")
        except (RowsDoNotFit, ValueError) as error:  # a date out of range fails while making rows
            # The page is malformed, nothing more: none of its rows is written, and it is not
            # marked done, so a later crawl tries it again.
            self.crawler.stats.inc_value("pages/malformed")
            logger.error("Malformed page %s: its rows do not fit the datasets: %s", item.fetched_url,
                           str(error).encode("utf-8", "backslashreplace").decode("utf-8"))

    def _answered(self, page: PageVersion) -> PageVersion:
        """The version to record of a page's answer (CrawlSession.answered); one that did not serve
        the change its sitemap lastmod names is counted, and said once."""
        recorded = self.session.answered(page)
        if recorded.unserved_lastmod:
            stats = self.crawler.stats
            if not stats.get_value(CHANGE_NOT_SERVED):
                logger.warning("Answered with the version held, though the sitemap says the page changed since "
                               "(lastmod %s; a cache or a replica behind the site?), asked again next crawl: %s "
                               "(and any more: stat %s)", page.lastmod, page.url, CHANGE_NOT_SERVED)
            stats.inc_value(CHANGE_NOT_SERVED)
        return recorded

    def _commit(self) -> None:
        self.batches.commit()
        self.crawler.stats.inc_value("crawl/batches")

    def _publish(self, token: str) -> None:
        """Make a sealed batch visible. A crawl with a row (resumed) has its row count it: the
        row is written first under a temporary name, the batch's files are renamed into place,
        then the row at once, the folders flushed after both (pipelines.crawls.row_while_resumed):
        only renames lie between the two, whether or not this run ever writes its end. No order of
        renames of several files is one step: a kill between them leaves the row a batch short
        until the next run opens (DATASETS.md, crawls)."""
        if not self.has_row:
            self.output.commit(token)
            return
        self._row_while_resumed(token, then=lambda rename_row: self.output.commit(token, then=rename_row))

    def _row_while_resumed(self, token: str | None = None, then=None) -> None:
        """The row of a resumed crawl, counting its committed rows (and those of batch `token`)."""
        if not self.has_row:
            return
        written = {name: self.output.rows_of_crawl(name, token) for name in DATA_DATASETS}
        row = self._crawl_row(self.crawler.spider, row_while_resumed(), written, datetime.now(timezone.utc))
        write_crawl_row(self.root, self.session.crawl_date, row, then)

    def _counts(self) -> dict[str, int]:
        return run_counts(self.crawler.stats.get_stats())

    def _seal_others(self, part: int) -> list:
        sealed = []
        for _, files in self.crawler.signals.send_catch_log(batch_sealing, part=part):
            sealed.extend(files or [])
        if self.output_error:  # a component failed to seal its part: the batch is not whole
            raise OSError(self.output_error)
        return sealed

    # failure and the end -----------------------------------------------------------------

    def _fail(self, error: OSError) -> None:
        # The file that failed when it is not the data folder's (the state's, an archive's); in the
        # data folder, the folder that refused it (another user's, read-only); a full disk or a
        # folder gone is the data folder's (free space there; moved or removed)
        where = self.root
        if error.filename and not _under(error.filename, self.root):
            where = error.filename
        elif error.filename and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = Path(error.filename).parent
        if where == self.root and error.errno == errno.ENOENT and self.session.state is not None:
            # A path of the data folder gone: the folder moved or removed under the crawl, its
            # committed batches with it, is said as such (whichever write met it first)
            self._check_still_there()
        # Its `failed` row follows, and a crawl with a row is over: the next run is a new crawl
        # (only a crawl whose row could not be written resumes: _not_committed)
        self.output_failed(cannot_write(where, error, "run the crawl again (a new crawl: this one ends failed)"))

    def output_failed(self, message: str) -> None:
        """Stop the crawl, its open batch dropped: this pipeline's output or another part of
        the commit (the `output_failed` signal) cannot be written."""
        # One clear error, then stop: a crawl that cannot write must not go on fetching.
        self._stop(message, "Output failed, stopping the crawl")

    def _stop(self, message: str, what: str) -> None:
        """Stop the crawl, writing nothing more but its `failed` row, which says `message`."""
        if self.output_error:
            return
        self.output_error = message
        logger.error("%s: %s", what, self.output_error)
        # a crawl whose pieces could not start (out of file descriptors) fails on its output for
        # the same cause, which SQLite names "unable to open database file": the first is the reason
        cannot_start = getattr(getattr(self.crawler.spider, "extraction", None), "cannot_start", None)
        self.crawler.stats.set_value("crawl/message", f"{cannot_start}; then {message}" if cannot_start else message)
        self.output.abort()
        if self.batches is not None:  # crawling (before, spider_opened closes the spider)
            _schedule_coro(self.crawler.engine.close_spider_async(reason="output_failed"))

    def spider_closed(self, spider, reason):
        try:
            self._end(spider, reason)
        finally:
            self.output.close()
            self.session.close()

    def _end(self, spider, reason) -> None:
        session, stats = self.session, self.crawler.stats
        if not self.output_error and self.batches is not None:
            try:
                self._commit()
                if session.state is not None:
                    session.state.fill_lastmods(session.crawl_id, session.sitemap_lastmod)
                    self._check_still_there()
            except OSError as error:
                self._fail(error)
        outcome, written = self._counted(crawl_outcome(self.crawler, spider, reason, self.root, self.output_error))
        self.finished_at = datetime.now(timezone.utc)
        view = self._latest_view()
        before = row_before_view(outcome, view and str(self.root / "latest"))
        try:
            path = self._write_row(spider, before, written)
        except OSError as error:
            self._not_committed(outcome, error, written)
            return
        # How the crawl ended is known now: said at once, since a kill in the minutes the view's
        # update may take would leave it unsaid for good (a row rewritten `finished` after the
        # update ended whole as the `degraded` said here did)
        self.crawler.signals.send_catch_log(crawl_ended, root=self.root, crawl_id=session.crawl_id,
                                            status=before.status)
        # the crawl's own status: a view behind leaves its pages whole
        self._finish_state(outcome.status, reason == "finished" and not stats.get_value("pages/not_followed_at_limit"))
        # Its row is written: no run resumes it into this folder now, so its lock goes before the
        # latest view's update and the report (a kill there would leave it for good).
        self.output.close()
        told = self._update_view(view, spider, outcome, before, written) if view is not None else before
        status = told.status
        self.crawler.signals.send_catch_log(crawl_committed, root=self.root, crawl_id=session.crawl_id, status=status)
        # Anything but `finished` is worth a warning: it shows at -s LOG_LEVEL=WARNING too.
        log = logger.info if status == "finished" else logger.warning
        log("Crawl %s %s%s: %s", session.crawl_id, status, f" ({told.message})" if told.message else "", path)

    def _counted(self, outcome: Outcome) -> tuple[Outcome, dict]:
        """The outcome, and the rows the crawl committed to each dataset (for its row)."""
        try:
            return outcome, {name: self.output.rows_of_crawl(name) if self.batches is not None else 0
                             for name in DATA_DATASETS}
        except OSError as error:  # its committed files cannot be counted (out of file descriptors): say so
            failed = Outcome("failed", f"cannot count the rows committed to {self.root}: {error.strerror or error}")
            return failed, dict.fromkeys(DATA_DATASETS, 0)

    def _write_row(self, spider, outcome: Outcome, written: dict) -> Path:
        """Write the crawl's `crawls` row saying `outcome` (whole or not at all: OSError)."""
        row = self._crawl_row(spider, outcome, written)
        path = write_crawl_row(self.root, self.session.crawl_date, row)
        record_outcome(self.crawler.stats, row, outcome)
        return path

    def _not_committed(self, outcome: Outcome, error: OSError, written: dict) -> None:
        """No row could be written: the crawl is not committed, and says so (failed, with what to
        do), after the failure of its own it had (workers that could not start: the cause)."""
        why = cannot_write(self.root, error, self._again_uncommitted())
        # After an output failure this is the same failure again: one error line is enough.
        (logger.warning if self.output_error else logger.error)(
            "Could not write the crawls row of %s: %s", self.session.crawl_id, why)
        if self.output_error:
            told = Outcome("failed", f"{self.output_error}; nor could its crawls row be written: it is not committed")
        elif outcome.status == "failed" and outcome.message:
            told = Outcome("failed", f"{outcome.message}; nor could its crawls row be written ({why}): "
                                     "it is not committed")
        else:
            told = not_committed(why)
        record_outcome(self.crawler.stats, written, told)

    def _finish_state(self, status: str, walked_all: bool) -> None:
        """Tell the state the crawl ended (its row is written), and whether it ran to its own end
        with no walk cut (the next crawl's listing walks may then stop at what it knew)."""
        session = self.session
        if session.state is None or self.batches is None:
            return
        try:
            session.state.finish_crawl(session.crawl_id, status, walked_all)
        except OSError as error:  # its row is written; the next crawl on this state notices the end
            logger.error("Could not record the end of crawl %s in the state: %s (the crawl is committed; the "
                         "next crawl with this state reads its end from its row)", session.crawl_id,
                         cannot_write(error.filename or session.state.folder, error))

    def _update_view(self, view, spider, outcome: Outcome, before: Outcome, written: dict) -> Outcome:
        """Bring the latest view up to date (the crawl's last step), then make its row say how
        that went; what the committed row says."""
        folder = str(self.root / "latest")
        after = row_after_view(outcome, before, folder, view.update(self.root, self.session.crawl_id, outcome.status))
        if after is None:
            return before
        try:
            self._write_row(spider, after, written)
        except OSError as error:
            kept, note = row_not_rewritten(before, after, folder, cannot_write(self.root, error))
            logger.error("Crawl %s: %s", self.session.crawl_id, note)
            record_outcome(self.crawler.stats, written, kept)
            return kept
        return after

    def _latest_view(self):
        """The extension that keeps the latest view, or None when it is off."""
        from crawler.extensions.latest_view import LatestView

        return self.crawler.get_extension(LatestView)

    def _again_uncommitted(self) -> str:
        """What to do once the disk has room again, for a crawl with no row (not committed)."""
        return ("run the same command again: the crawl resumes" if self.session.state is not None
                else "run the crawl again")

    def _check_still_there(self) -> None:
        """The batches committed (this crawl's earlier ones too) are still in the output folder:
        one moved or removed while the crawl ran would leave a row that counts rows not there."""
        if not all(self.output.holds(token) for token in self.session.state.committed_tokens()):
            self.output_failed(f"output folder {self.root} no longer holds files committed to it (moved or removed "
                               "while the crawl ran?); the next crawl with this state fetches every page again")

    def _crawl_row(self, spider, outcome: Outcome, written: dict, finished_at: datetime | None = None) -> dict:
        return crawl_row(
            crawl_id=self.session.crawl_id,
            spider=spider.name,
            started_at=self.session.started_at,
            finished_at=finished_at or self.finished_at,
            outcome=outcome,
            start_urls=getattr(spider, "start_urls", []),
            stats=self.crawler.stats.get_stats(),
            written=written,
            version=self.version,
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment is not None else None


def _under(path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))
