"""The Scrapy extension that archives a crawl: `ARCHIVE_DIR` (`crawl --archive DIR`).

Every response the downloader receives (robots.txt, sitemaps, listings, question pages, block
pages, errors, redirects; Scrapy's `response_downloaded` signal, before any middleware can
retry or drop it) goes to the writer process (crawler.archive.writer) with its request. The
moment it arrived is put in the request's meta as `fetched_at`: the spider's rows take the
same datetime, so a page re-extracted from the archive gets the `fetched_at` the crawl wrote.

The archive is part of the crawl's commit: on the output's `batch_sealing` signal the writer
closes its file and the (temporary, final) pairs go back to the dataset pipeline, which
renames them with the batch's dataset files, before them (and, for stateful crawls, records
them in the state's pending batch first, so a kill then a resume rolls them forward). So every
row of a committed batch has its response in a committed WARC file, whatever rename a kill
lands at. A resumed crawl deletes its own
temporary files first: what they held was never committed, and is fetched again.

Once the crawl's `crawls` row is first written (`crawl_ended`, whatever its status, before the
latest view's update, which may take minutes), the writer writes the crawl's closing record
(crawler.archive.files.WarcFiles.end), published at once: a reparse then knows how the crawl
its archive holds ended (crawler.reparse).
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.archive import description
from crawler.archive.files import SUFFIX, Exchange, temporary_files, warc_date
from crawler.extraction import HEADER, frame
from pipelines.output.parquet import check_writable, publish
from pipelines.output.running import RunningCrawl, remove_dead_temporaries
from pipelines.signals import batch_sealing, crawl_ended, output_failed
from pipelines.state import StateError

logger = logging.getLogger(__name__)
SOCKET_BUFFER = 4 * 1024 * 1024  # responses in flight to the writer before the crawl waits for it


class WarcArchive:
    def __init__(self, crawler, folder: Path, max_bytes: int):
        self.crawler = crawler
        self.folder = folder
        self.max_bytes = max_bytes
        self.process: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.failed = False
        self.crawl_id: str | None = None
        self.running: RunningCrawl | None = None

    @classmethod
    def from_crawler(cls, crawler):
        folder = crawler.settings.get("ARCHIVE_DIR")
        if not folder:
            raise NotConfigured
        archive = cls(crawler, Path(folder), crawler.settings.getint("ARCHIVE_FILE_BYTES"))
        crawler.signals.connect(archive.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(archive.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(archive.batch_sealing, signal=batch_sealing)
        crawler.signals.connect(archive.crawl_ended, signal=crawl_ended)
        crawler.signals.connect(archive.engine_stopped, signal=signals.engine_stopped)
        return archive

    def spider_opened(self, spider):
        # The crawl's session is open by now (a resumed crawl rolled its pending batch forward):
        # its id names the files, and any temporary file of it is stale.
        session = getattr(spider, "session", None)
        crawl_id = self.crawler.stats.get_value("crawl/id") or getattr(session, "crawl_id", None)
        if not crawl_id:
            self._fail("no crawl id: the archive goes with the dataset pipeline's batches")
            return
        try:
            check_writable(self.folder, crawl_id)
            # Held like the output folder's lock: a crawl that dies leaves no temporary file
            # here for good (the next crawl into the folder removes those of dead crawls,
            # spares a dead stateful crawl's for its resume, and removes its own).
            if self.folder.resolve() != Path(self.crawler.settings.get("DATA_DIR")).resolve():
                # (in the output folder itself, the output's lock is this one: taken twice, it would wait on itself)
                state = getattr(session, "state", None)
                self.running = RunningCrawl(self.folder, crawl_id, state.folder if state is not None else None)
            remove_dead_temporaries(self.folder, crawl_id, (f".*{SUFFIX}.tmp",))
        except OSError as error:
            self._fail(f"{error.strerror or error}")
            return
        except StateError as error:  # the same crawl id runs into another output folder, archived here
            self._fail(str(error))
            return
        self.crawl_id = crawl_id
        self._start(crawl_id, self._warcinfo(spider, crawl_id))

    def _warcinfo(self, spider, crawl_id: str) -> dict:
        import scrapy
        from importlib.metadata import version

        settings = self.crawler.settings
        return {
            "software": f"doctor-answers/{settings.get('PROJECT_VERSION')} (Scrapy {scrapy.__version__}, "
                        f"warcio {version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": crawl_id,
            "crawl-id": crawl_id,
            "description": description(getattr(spider, "start_urls", [])),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            # how often a page is tried again: a reparse tells a page given up on from one still
            # waiting for its retry when the crawl was stopped
            "retry-times": str(settings.getint("RETRY_TIMES") if settings.getbool("RETRY_ENABLED") else 0),
            "retry-http-codes": ",".join(str(code) for code in settings.getlist("RETRY_HTTP_CODES")),
            "block-retry-times": str(settings.getint("BLOCK_RETRY_TIMES")),
        }

    def _start(self, crawl_id: str, info: dict) -> None:
        ours, theirs = socket.socketpair()
        try:
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        except OSError:
            pass
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.archive.writer", str(theirs.fileno()), str(self.folder), crawl_id,
             str(self.max_bytes), json.dumps(info)],
            # its own process group: a Ctrl-C to the crawl's group must not reach it before
            # it ignores SIGINT (the crawl decides when its writer stops)
            pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL, process_group=0)
        theirs.close()
        self.sock = ours
        self.answers = ours.makefile("rb")

    def response_downloaded(self, response, request, spider):
        if self.sock is None:
            return
        fetched_at = datetime.now(timezone.utc)
        request.meta["fetched_at"] = fetched_at
        ip = getattr(response, "ip_address", None)
        exchange = Exchange(response.url, fetched_at, request.method, list(request.headers.items()),
                            request.body, response.status, getattr(response, "protocol", None),
                            list(response.headers.items()), response.body, str(ip) if ip else None,
                            (request.meta.get("redirect_urls") or [None])[0])
        try:
            self.sock.sendall(frame(exchange))
        except OSError as error:
            self._fail(self._last_words() or f"the archive's writer is gone ({error.strerror or error})")

    def batch_sealing(self, part):
        """The files closed since the last batch, for the batch's commit."""
        try:
            sealed = self._sealed("seal")
        except _WriterGone as gone:
            self._fail(str(gone))
            return []
        self.crawler.stats.inc_value("archive/files", len(sealed))
        return sealed

    def crawl_ended(self, root, crawl_id, status):
        """The crawl's closing record, once its row says how it ended (published alone: its
        batches are committed). A failure here costs the record only, and is said: a reparse of
        the archive then says it holds no end for the crawl."""
        stats = self.crawler.stats
        outcome = {"status": status, "ended_at": warc_date(datetime.now(timezone.utc)),
                   "pages": stats.get_value("response_received_count", 0),
                   "questions": stats.get_value("crawl/rows/questions", 0)}
        try:
            publish(self._sealed(("end", outcome)))
        except (_WriterGone, OSError) as error:
            logger.warning("Could not write the end of crawl %s to the archive %s: %s (a reparse of it will say the "
                           "archive holds no end for this crawl)", crawl_id, self.folder,
                           error if isinstance(error, _WriterGone) else error.strerror or error)

    def _sealed(self, message) -> list[tuple[Path, Path]]:
        """The writer's answer to a seal (or an end): the (temporary, final) files it closed."""
        if self.sock is None:
            return []
        try:
            self.sock.sendall(frame(message))
        except OSError as error:
            raise _WriterGone(self._last_words() or f"the archive's writer is gone ({error.strerror or error})")
        kind, value = self._answer() or ("error", "the archive's writer is gone")
        if kind == "error":
            raise _WriterGone(value)
        return [(Path(tmp), Path(final)) for tmp, final in value]

    def _answer(self) -> tuple | None:
        """The writer's next frame; None once it is gone without one."""
        try:
            header = self.answers.read(HEADER.size)
            if len(header) < HEADER.size:
                return None
            return pickle.loads(self.answers.read(HEADER.unpack(header)[0]))
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def _last_words(self) -> str | None:
        """Why a writer that stopped reading stopped, when it said so (its first failed write)."""
        answer = self._answer()
        return answer[1] if answer and answer[0] == "error" else None

    def engine_stopped(self):
        self._stop()

    def _stop(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)  # end of input: the writer drops what no seal took
            except OSError:
                pass
            self.answers.close()
            self.sock.close()
            self.sock = None
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.running is not None:
            self.running.release()
            self.running = None

    def _fail(self, reason: str) -> None:
        # Like a dataset that cannot be written: the dataset pipeline stops the crawl and
        # commits nothing more, since rows would otherwise lack the responses they came from.
        if self.failed:
            return
        self.failed = True
        self._stop()
        if self.crawl_id:  # what the writer left (a killed writer's file) belongs to no batch
            for stale in temporary_files(self.folder, self.crawl_id):
                stale.unlink(missing_ok=True)
        self.crawler.signals.send_catch_log(output_failed, message=f"cannot write the archive to {self.folder}: {reason}")


class _WriterGone(Exception):
    """The writer answered a seal with an error, or is gone: why, in words."""
