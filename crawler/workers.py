"""The crawl's extraction workers: processes that read and normalise question pages.

A crawl is CPU-bound in its one process: Scrapy's engine, downloads and middlewares take a
core, and parse + normalise took ~25% more on top (BENCHMARKS.md). With `EXTRACT_PROCESSES`
>= 1 `ExtractionWorkers.extract(url, body, content_type)` sends the page to a worker
(`python -m crawler.extraction`) over a socket and resolves when its answer comes back; with
0 it runs the same function, `crawler.extraction.extract_page`, in this process. Everything on the crawl's side runs on the reactor's asyncio loop: no threads, so
no fight for the GIL. (concurrent.futures' process pool was tried first: its two helper
threads per crawl made the crawl slower than parsing in place.)

A worker that dies (killed, out of memory, a crash in C) is replaced, and its pages are
tried once more on a fresh one; a page that kills a worker twice is reported as a PageError.
A page a worker reads for longer than `EXTRACT_PAGE_TIMEOUT` seconds of its CPU time (a
pathological page: the next parser's quadratic corner) is a PageError too, never tried again (it
would cost the budget again): the worker ends itself (crawler.extraction.serve: SIGPROF) and is
replaced, and the pages queued behind it go to the fresh one, that death not counted against
them. CPU time, not the clock's: a crawl paused (Ctrl-Z then `fg`, a laptop's lid, a VM
stalled) found the worker's answer waiting and called the page pathological all the same. When the crawl is asked to stop (Ctrl-C,
SIGTERM, Scrapyd's cancel) the pages in the workers are abandoned, the workers killed, so the
crawl stops within seconds; they are not committed, and a resumed crawl fetches them again.
Workers die with the crawl's process, ignore Ctrl-C and end when the engine stops. Workers that
cannot be started (out of file descriptors, of processes) fail the crawl, its message naming
why (`CANNOT_START`): it had gone on fetching pages it could not read, and blamed the fetches.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys

from scrapy import signals
from scrapy.exceptions import CloseSpider

from crawler.extensions.prompt_stop import CrawlStopping, crawl_interrupted
from crawler.extraction import HEADER, PageExtract, extract_page, frame
from crawler.pages import PageError
from crawler.pages.registry import registered

logger = logging.getLogger(__name__)
SAMPLE_URL = "https://www.realself.com/question/"  # the contract's sample page's own URL
CANNOT_START = "extraction_workers_failed"  # the close reason of a crawl whose workers cannot start
INSTALL_BROKEN = "install_broken"  # the close reason of a crawl whose extraction code cannot read a sample page


class WorkerDied(Exception):
    """The worker a page was sent to is gone. `blameless`: it was killed for another page's sake
    (past its time budget), so this page's death does not count against it."""

    def __init__(self, blameless: bool = False):
        super().__init__()
        self.blameless = blameless


class PageTimedOut(Exception):
    """The worker read the page for longer than its budget; it ended itself."""


class Worker:
    """One extraction process and the socket to it."""

    def __init__(self, page_timeout: float | None = None):
        ours, theirs = socket.socketpair()
        # The worker imports what this process can: sys.path says where (a Scrapyd egg, too).
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        # The families this process knows, its own registrations included; a process group of
        # its own, so that a Ctrl-C to the crawl's group cannot reach it before it ignores SIGINT.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.extraction", str(theirs.fileno()), str(page_timeout or 0), *registered()],
            pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL, process_group=0)
        theirs.close()
        # In the order sent, which is the order the worker reads them: the first is the one it reads now.
        self.pending: dict[int, asyncio.Future] = {}
        self.ids = itertools.count()
        self.dead = False
        self.timed_out = False  # ended by the page it read, past its budget
        self.sock = ours
        self.connected = asyncio.ensure_future(self._connect(ours))

    async def _connect(self, sock: socket.socket):
        reader, writer = await asyncio.open_connection(sock=sock)
        self.reading = asyncio.ensure_future(self._read_answers(reader))
        return writer

    async def extract(self, url: str, body: bytes, content_type=None) -> PageExtract:
        writer = await self.connected
        if self.dead:
            raise WorkerDied(blameless=self.timed_out)
        request_id = next(self.ids)
        answer = self.pending[request_id] = asyncio.get_running_loop().create_future()
        writer.write(frame((request_id, url, body, content_type)))
        extract, error = await answer
        if error is not None:
            raise error
        return extract

    async def _read_answers(self, reader: asyncio.StreamReader) -> None:
        try:
            await _read_frame(reader)  # the worker is ready (crawler.extraction.main)
            while True:
                request_id, extract, error = await _read_frame(reader)
                answer = self.pending.pop(request_id, None)
                if answer is not None and not answer.done():
                    answer.set_result((extract, error))
        except (asyncio.IncompleteReadError, ConnectionError):  # the worker is gone
            self.timed_out = self._ended_by_its_page()
        except Exception:  # an answer that cannot be read: stop using this worker
            logger.exception("Unreadable answer from extraction worker %s", self.process.pid)
            self.process.kill()
        finally:
            self.dead = True
            # The first pending is the page it read (in the order sent); those behind it are blameless.
            for index, answer in enumerate(self.pending.values()):
                if not answer.done():
                    answer.set_exception(PageTimedOut() if self.timed_out and index == 0
                                         else WorkerDied(blameless=self.timed_out))
            self.pending.clear()

    def _ended_by_its_page(self) -> bool:
        """Whether the worker, its socket closed, ended itself past a page's budget (SIGPROF).
        Its socket closes as it exits: the wait is that of its last instant."""
        try:
            return self.process.wait(timeout=5) == -signal.SIGPROF
        except subprocess.TimeoutExpired:
            return False

    def kill(self) -> None:
        """End the worker now, whatever it reads (the crawl is stopping): its pages fail with WorkerDied."""
        self.dead = True
        self.process.kill()

    def close(self) -> int:
        """Stop the worker; its exit status (negative: the signal that killed it)."""
        # End of input is the worker's signal to exit (it is killed if it does not). Shut the
        # socket down now: a transport's close() waits for the loop, which this call blocks.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # never connected, or already gone
        if self.connected.done() and not self.connected.cancelled() and self.connected.exception() is None:
            self.connected.result().close()
            self.reading.cancel()
        else:
            self.connected.cancel()
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


async def _read_frame(reader: asyncio.StreamReader):
    size = HEADER.unpack(await reader.readexactly(HEADER.size))[0]
    return pickle.loads(await reader.readexactly(size))


class ExtractionWorkers:
    """`EXTRACT_PROCESSES` workers for one crawler (0: pages are read in the crawl's process).
    The spider makes one with `from_crawler` and holds it."""

    def __init__(self, processes: int, crawler=None, page_timeout: float | None = None):
        self.processes = processes
        self.crawler = crawler
        self.page_timeout = page_timeout  # seconds a worker may read one page (None: no bound)
        self.workers: list[Worker] = []
        self.cannot_start: str | None = None  # why the workers cannot be started
        self.abandoned = False  # the crawl is stopping: no page is read any more

    @classmethod
    def from_crawler(cls, crawler) -> "ExtractionWorkers":
        processes = crawler.settings.getint("EXTRACT_PROCESSES")
        if processes and not _asyncio_reactor():
            logger.warning("EXTRACT_PROCESSES needs Twisted's asyncio reactor; parsing in this process")
            processes = 0
        workers = cls(processes, crawler, crawler.settings.getfloat("EXTRACT_PAGE_TIMEOUT") or None)
        crawler.signals.connect(workers.start, signal=signals.spider_opened)
        crawler.signals.connect(workers.check_install, signal=signals.spider_opened)
        # Asked to stop: the engine's close waits for every page in a callback, a page in a
        # worker's parse included (minutes, for a pathological one). Those are abandoned.
        crawler.signals.connect(workers.abandon, signal=crawl_interrupted)
        # Stopped as the spider closes, no page being in flight by then: the crawl's end (last
        # commit, checks, latest view) then runs without an idle worker's memory beside it.
        # engine_stopped is the guarantee for a crawl whose spider never closed.
        crawler.signals.connect(workers.stop, signal=signals.spider_closed)
        crawler.signals.connect(workers.stop, signal=signals.engine_stopped)
        return workers

    @property
    def enabled(self) -> bool:
        return self.processes > 0

    def start(self, spider=None) -> None:
        """Start the workers now: they import lxml and the normalisers while robots.txt loads.
        Later calls replace the workers that died."""
        self._drop_dead()
        try:
            while len(self.workers) < self.processes and not self.cannot_start and not self.abandoned:
                self.workers.append(Worker(self.page_timeout))
        except OSError as error:
            self.cannot_start = f"cannot start the extraction workers: {error.strerror or error}"
            logger.error("%s", self.cannot_start)
            if self.crawler is not None:  # the crawl's message: its reason alone says nothing
                self.crawler.stats.set_value("crawl/message", self.cannot_start)

    def check_install(self, spider=None) -> None:
        """spider_opened, before any request: the extraction code (extract_page, the workers'
        own) reads one sample page the package ships. An install missing a file it reads (a
        vocabulary of the normalisers) made every page of the site "malformed" and the crawl
        `degraded`, blaming the site; now the crawl fails, saying why. In this process, and at
        once: a handler still awaiting a worker when another stops the crawl as it opens (an
        output that cannot be written) made Scrapy fail with a TypeError. The workers run the
        same install (this process's sys.path), so a page this process reads, they read."""
        from crawler.install import BROKEN

        try:
            from reference_site.samples import GOLDEN_SLUG, golden_page  # the samples too are of the install

            if not extract_page(SAMPLE_URL + GOLDEN_SLUG, golden_page("legacy"), "text/html; charset=utf-8").records:
                raise PageError(SAMPLE_URL + GOLDEN_SLUG, "no records")
        except Exception as error:
            reason = error.reason if isinstance(error, PageError) else f"{type(error).__name__}: {error}"
            message = f"{BROKEN}: its extraction code cannot read the sample page it ships: {reason}"
            logger.error("%s", message)
            if self.crawler is not None:
                self.crawler.stats.set_value("crawl/message", message)
            raise CloseSpider(INSTALL_BROKEN) from error

    def stop(self) -> None:
        self._drop_dead()
        for worker in self.workers:
            worker.close()
        self.workers = []

    def abandon(self) -> None:
        """The crawl is stopping: kill the workers, whatever they read; the pages in them, and
        any sent later, raise CrawlStopping (not read, not recorded: a resume fetches them again)."""
        if not self.enabled or self.abandoned:
            return
        self.abandoned = True
        if self.workers:
            logger.info("Stopping: the pages in the extraction workers are dropped, not recorded")
        for worker in self.workers:
            worker.kill()

    def _drop_dead(self) -> None:
        # Each death is reported once, here, whether or not pages were in flight on it. A worker
        # killed for a slow page was reported with the page; one killed at a stop is no news.
        for worker in [w for w in self.workers if w.dead or self.abandoned]:
            self.workers.remove(worker)
            status = worker.close()
            if worker.timed_out or self.abandoned:
                continue
            logger.error("An extraction worker died (exit status %s)", status)
            if self.crawler is not None:
                self.crawler.stats.inc_value("extraction/worker_died")

    async def extract(self, url: str, body: bytes, content_type=None) -> PageExtract:
        """Read and normalise a page, in the least busy worker if there are workers; raises
        the page's PageError."""
        if not self.enabled:
            return extract_page(url, body, content_type)
        deaths = 0  # of workers that died on this page, a blameless death (another page's timeout) aside
        while True:
            self.start()
            if self.abandoned:
                raise CrawlStopping(f"crawl stopping: {url} not read")
            if self.cannot_start:
                raise CloseSpider(CANNOT_START)  # the crawl fails, `crawl/message` saying why
            worker = min(self.workers, key=lambda w: len(w.pending))
            try:
                return await worker.extract(url, body, content_type)
            except PageTimedOut:
                if self.crawler is not None:
                    self.crawler.stats.inc_value("extraction/page_timeout")
                raise PageError(url, f"took longer than {self.page_timeout:g} s to read (a pathological page?)") from None
            except WorkerDied as died:
                if self.abandoned:
                    raise CrawlStopping(f"crawl stopping: {url} not read") from None
                deaths += not died.blameless
                if deaths == 2:
                    raise PageError(url, "the extraction worker died twice on this page") from None
                logger.info("%s goes to a new extraction worker", url)


def _asyncio_reactor() -> bool:
    from scrapy.utils.reactor import is_asyncio_reactor_installed

    try:
        return is_asyncio_reactor_installed()
    except Exception:  # no reactor installed yet: Scrapy installs its default, the asyncio one
        return True
