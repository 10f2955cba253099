"""Run the `questions` crawl in this process, as the CLI's `crawl` and `demo` do.

Scrapy's log goes to a file beside the data (`<out>/logs/<crawl id>.log` unless told
otherwise); errors still reach stderr, one line each. What the crawl did ends as a summary
(`CrawlResult.summary()`), read from the stats the dataset pipeline left: the same outcome as
the `crawls` row (pipelines.crawls decides it once).
"""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from crawler import startup_signals
from pipelines.crawls import EXIT_STATUS
from pipelines.state import StateError

STDERR = "-"  # --log-file - : the whole log on stderr, as Scrapy does by default
NO_LOG = Path(os.devnull)  # no log file could be written: the log goes nowhere, errors to stderr
logger = logging.getLogger(__name__)
MAX_CHECKS_SHOWN = 8


@dataclass
class CrawlResult:
    status: str
    crawl_id: str
    stats: dict
    out: Path = Path("data")
    seconds: float = 0.0
    log_file: Path | None = None  # None: the log went to stderr
    resumed: bool = False
    log_cut: str | None = None  # why the log file is cut short (its disk filled), if it is

    @property
    def exit_code(self) -> int:
        return EXIT_STATUS.get(self.status, 1)

    def summary(self) -> list[str]:
        """What a person reads at the end: status, why, pages, rows, errors, checks, time, where."""
        from pipelines.checks.values_not_read import not_read
        from pipelines.crawls import DUPLICATE_QUESTION, besides_checks, checks_words, errors_by_kind, lost_sitemaps
        from pipelines.session import CHANGE_NOT_SERVED, REVISITED

        stats = self.stats
        lines = [f"crawl {self.crawl_id or '(none)'}: {self.status}"]
        failed = stats.get("crawl/checks_failed") or []
        # degraded: the failed checks are listed below; what else it says (a limit reached) is said here
        message = besides_checks(stats.get("crawl/message"), checks_words(failed))
        if message:
            lines.append(f"  why: {message}")
        duplicates, gone = stats.get(DUPLICATE_QUESTION, 0), stats.get("questions/gone", 0)
        unserved, revisited = stats.get(CHANGE_NOT_SERVED, 0), stats.get(REVISITED, 0)
        lines.append(f"  pages: {pages_fetched(stats)}, "
                     f"{stats.get('pages/question', 0)} question pages read, "
                     # an alias, a redirect, a page carrying a question id already read: one row
                     + (f"{duplicates} duplicates of a question already read (not recorded twice), " if duplicates else "")
                     + f"{stats.get('pages/not_modified', 0)} not modified, "
                     # 404 or 410, a page saying so, a permanent redirect home: settled, no page lost
                     + (f"{gone} questions the site removed, " if gone else "")
                     # the server behind its sitemap (CrawlSession.answered): not settled, said
                     + (f"{unserved} answered unchanged though their sitemap lastmod moved (asked again next crawl), "
                        if unserved else "")
                     # a lastmod that never moves hides no change for good (REVISIT_AFTER_DAYS)
                     + (f"{revisited} asked again, unchanged by their lastmod but long unverified, " if revisited else "")
                     # as the row: a resumed crawl's earlier runs count as read, not skipped
                     + f"{stats.get('pages/skipped_unchanged', 0)} skipped")
        lines.append(f"  rows: {stats.get('crawl/rows/questions', 0)} questions, "
                     f"{stats.get('crawl/rows/answers', 0)} answers, "
                     f"{stats.get('crawl/rows/doctors', 0)} distinct doctors")
        errors = errors_by_kind(stats)
        lines.append("  errors: " + (", ".join(f"{kind} ({n})" for kind, n in errors.items()) or "none"))
        if (lost := lost_sitemaps(stats)) and lost not in (message or ""):  # said once
            lines.append(f"  {lost}")
        lines.extend(f"  {unread}" for unread in not_read(stats))
        if failed:
            lines.append("  failed checks:")
            lines.extend(f"    {check}" for check in failed[:MAX_CHECKS_SHOWN])
            if len(failed) > MAX_CHECKS_SHOWN:
                lines.append(f"    and {len(failed) - MAX_CHECKS_SHOWN} more (the crawls row's `checks`)")
        lines.append(f"  time: {self.seconds:.1f} s")
        lines.append(f"  data: {self.out.resolve()}")
        cut = f" (cut short: {self.log_cut})" if self.log_cut else ""
        where = "none (it could not be written)" if self.log_file == NO_LOG else self.log_file or "stderr"
        lines.append(f"  log: {where.resolve() if isinstance(where, Path) else where}{cut}")
        return lines

    def log_cut_line(self) -> str | None:
        """One line for stderr when the log file is cut short, or None."""
        return log_cut_line(self.log_file, self.log_cut) if self.log_cut else None


def pages_fetched(stats: dict) -> str:
    """`101 fetched (1 of them robots.txt; 130 responses, ...)`: the crawls row's pages_fetched,
    saying what it counts: robots.txt is among them, though --max-pages leaves it aside."""
    fetched, responses = stats.get("response_received_count", 0), stats.get("downloader/response_count", 0)
    robots = min(fetched, stats.get("robotstxt/response_count", 0))
    notes = [f"{robots} of them robots.txt"] if robots else []
    if responses > fetched:
        notes.append(f"{responses} response{'s' * (responses != 1)}, retried ones and block pages included")
    return f"{fetched} fetched" + (f" ({'; '.join(notes)})" if notes else "")


def log_cut_line(path, why: str) -> str:
    return (f"the log {path} is cut short ({why}): what was logged after that is lost (the outcome said here is "
            "whole); free space there")


def crawl_settings(out: str | Path, max_pages: int | None = None, state: str | Path | None = None,
                   overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("DATA_DIR", str(out), priority="cmdline")
    if max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    if state:
        settings.set("STATE_DIR", str(state), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(start_urls: list[str], out: str | Path = "data", max_pages: int | None = None,
              state: str | Path | None = None, overrides: dict | None = None,
              log_file: str | Path | None = None, log_level: str | None = None, echo=None) -> CrawlResult:
    """Crawl `start_urls` into `out`. `log_file`: Scrapy's log (default `<out>/logs/<crawl id>.log`,
    `-` for stderr); `echo`: where the crawl's first line goes (e.g. print), None for nowhere."""
    from scrapy.crawler import CrawlerProcess

    from pipelines.session import new_crawl_id

    began = time.monotonic()
    settings = crawl_settings(out, max_pages, state, overrides)
    out = settings.get("DATA_DIR")  # as `-s DATA_DIR=` may set it (the CLI has checked that it agrees with --out)
    # A new crawl's id is chosen here, so that its log can be named after it (a resumed
    # crawl keeps the id its state holds; its log is this run's). At the project's priority,
    # below -s: the session tells an id the user chose from this one (pipelines.session).
    if not settings.get("CRAWL_ID"):
        settings.set("CRAWL_ID", new_crawl_id(datetime.now(timezone.utc)), priority="project")
    if log_level:
        settings.set("LOG_LEVEL", log_level.upper(), priority="cmdline")
    # A crawl of the same -s CRAWL_ID running now writes this log: never ours to remove if refused.
    shared_log = (Path(out) / "logs" / f"{settings.get('CRAWL_ID')}.log").exists()
    log_path = _log_path(settings, out, log_file)
    if log_path is not None:  # the log file is ours (LogFile), not Scrapy's: see LogFile
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    log = LogFile.install(log_path, settings) if log_path is not None else None
    try:
        result = _run(process, settings, start_urls, state, out, log_path, shared_log, echo)
    finally:
        if log is not None:
            log.remove()
    result.log_cut = log.cut if log is not None else None
    result.seconds = time.monotonic() - began
    return result


def _run(process, settings, start_urls, state, out, log_path, shared_log, echo) -> CrawlResult:
    from scrapy import signals

    if log_path is not None:
        _errors_to_stderr()
    crawler = process.create_crawler("questions")
    result = CrawlResult("failed", settings.get("CRAWL_ID"), {}, Path(out), 0.0, log_path)

    def opened(spider):
        stats = crawler.stats
        result.crawl_id = stats.get_value("crawl/id", result.crawl_id)
        done = stats.get_value("crawl/resumed_done_pages")
        result.resumed = done is not None
        if echo is not None:
            echo(_first_line(result, start_urls, state, done))

    crawler.signals.connect(opened, signal=signals.spider_opened)
    startup_signals.release_when_running(process, crawler)
    refused = state_refusals(process.crawl(crawler, start_urls=list(start_urls)))
    with startup_signals.held():
        process.start(install_signal_handlers=False)  # startup_signals gives them to Scrapy
    if refused:
        if not shared_log and not isinstance(refused[0], NotStarted):  # its log says why, with the traceback
            _forget_default_log(log_path, out, settings.get("CRAWL_ID"))
        raise refused[0]
    stats = crawler.stats.get_stats()
    result.stats = stats
    result.status = stats.get("crawl/status") or ("interrupted" if startup_signals.asked_to_stop() else "failed")
    if not stats.get("crawl/status") and result.status == "interrupted":  # its output could not end it
        stats["crawl/message"] = ("stopped by a signal before its crawls row could be written: no crawls row "
                                  "written; with --state the same command resumes the crawl")
    result.crawl_id = stats.get("crawl/id", result.crawl_id)
    return result


def state_refusals(crawling) -> list:
    """What kept a crawl from starting, once the crawl process has run: none, or one error of
    one line and an exit status (a StateError). The state folder's refusal, or a crawl that
    could not be built (`NotStarted`: out of memory, out of file descriptors while Scrapy loads
    its components), which was a Twisted traceback on stderr and a `failed` with no why.
    `crawling`: what the crawl process's `crawl()` returned, a Deferred (Scrapy's Twisted
    process) or an asyncio task (its asyncio one)."""
    refused: list = []

    def failed(error: BaseException) -> None:
        if isinstance(error, StateError):
            refused.append(error)
            return
        # In the log, with its traceback; the one line on stderr is the caller's (NotStarted).
        logger.warning("The crawl could not start: %s", describe(error), exc_info=error)
        refused.append(NotStarted(f"the crawl could not start: {describe(error)}"))

    if hasattr(crawling, "addErrback"):
        crawling.addErrback(lambda failure: failed(failure.value))
    else:
        crawling.add_done_callback(lambda task: None if task.cancelled() or task.exception() is None
                                   else failed(task.exception()))
    return refused


class NotStarted(StateError):
    """A crawl that could not be built: never started, no row, one line and exit status 1, as a
    crawl its state refuses (whose handling it shares)."""

    def __init__(self, message: str):
        super().__init__(message, 1)


def describe(error: BaseException) -> str:
    """An error in words a person acts on, one line."""
    from crawler.install import load_failure

    loading = load_failure(error)  # a component Scrapy loads: a module missing, memory, a thread
    if loading:
        return loading
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} ({type(error).__name__})"
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__


def _forget_default_log(log_path: Path | None, out, crawl_id: str) -> None:
    """A crawl its state refused never started: its default log goes, and the folders made for
    it when they are empty (a folder argument refused writes nothing; a log asked for stays)."""
    default = Path(out) / "logs" / f"{crawl_id}.log"
    if log_path != default:
        return
    default.unlink(missing_ok=True)
    for folder in (default.parent, Path(out)):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            return


def _first_line(result: CrawlResult, start_urls, state, done) -> str:
    where = "log: none" if result.log_file == NO_LOG else f"log: {result.log_file or 'stderr'}"
    if done is not None:
        return (f"crawl {result.crawl_id}: resuming from state {state} "
                f"({done} question pages already committed); {where}")
    return f"crawl {result.crawl_id}: started on {', '.join(start_urls)}; {where}"


def _log_path(settings, out, log_file) -> Path | None:
    """Where Scrapy's log goes (set in `settings`); None for stderr (`--log-file -` or `-s
    LOG_FILE=-`: the two say the same, whatever the value). A log file that cannot be written is
    no reason not to crawl, nor to pour the whole log on stderr (cron mails it): the default log
    takes it, or, when that cannot be written either, none (NO_LOG; errors still reach stderr,
    one line each); one line says so."""
    if log_file is None:
        log_file = settings.get("LOG_FILE") or None
    if log_file == STDERR:
        settings.set("LOG_FILE", None, priority="cmdline")
        return None
    default = Path(out) / "logs" / f"{settings.get('CRAWL_ID')}.log"
    path = Path(log_file) if log_file else default
    for candidate in dict.fromkeys((path, default)):
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            with open(candidate, "a", encoding="utf-8"):
                pass
        except OSError as error:
            why = f"cannot write the log to {candidate} ({error.strerror or error})"
            continue
        if candidate != path:
            print(f"doctor-answers crawl: {why}; logging to {candidate}", file=sys.stderr)
        settings.set("LOG_FILE", str(candidate), priority="cmdline")
        return candidate
    print(f"doctor-answers crawl: {why}: no log (errors on stderr only)", file=sys.stderr)
    settings.set("LOG_FILE", None, priority="cmdline")
    return NO_LOG


class LogFile(logging.FileHandler):
    """A run's log file. A disk that fills cuts it short, and never ends in a traceback:
    Python's FileHandler prints one per record it cannot write, and Scrapy's, closing it when
    the crawler replaces it, raised one. The first failed write drops the rest of the log (a
    log with holes misleads more than a short one), and `cut` says why, for the run to say."""

    def __init__(self, path: Path, mode: str = "a", encoding: str | None = None):
        super().__init__(path, mode=mode, encoding=encoding)
        self.cut: str | None = None

    @classmethod
    def install(cls, path: Path, settings) -> "LogFile":
        """The root logger's handler, as Scrapy's own LOG_FILE handler would be (format, level,
        LOG_FILE_APPEND, LOG_ENCODING, LOG_SHORT_NAMES)."""
        from scrapy.utils.log import TopLevelFormatter, log_scrapy_info

        handler = cls(path, "a" if settings.getbool("LOG_FILE_APPEND") else "w", settings.get("LOG_ENCODING"))
        handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
        handler.setLevel(settings.get("LOG_LEVEL"))
        if settings.getbool("LOG_SHORT_NAMES"):
            handler.addFilter(TopLevelFormatter(["scrapy"]))
        logging.root.setLevel(logging.NOTSET)
        logging.root.addHandler(handler)
        log_scrapy_info(settings)  # the crawl process said it before the handler was there
        return handler

    def emit(self, record: logging.LogRecord) -> None:
        if self.cut is None:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
        elif self.cut is None:
            self.cut = error.strerror or str(error)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            self.cut = self.cut or error.strerror or str(error)

    def close(self) -> None:
        try:
            super().close()
        except OSError as error:  # the last lines, buffered: cut as the others were
            self.cut = self.cut or error.strerror or str(error)

    def remove(self) -> None:
        self.flush()
        logging.root.removeHandler(self)
        self.close()


class _OneLine(logging.Formatter):
    """`ERROR: message`, the message's first line only: no traceback on a user's terminal
    (it is in the log file)."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines() or [""]
        return f"{record.levelname}: {lines[0]}"


def _errors_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(_OneLine())
    logging.getLogger().addHandler(handler)
    # A log on a disk that fills must not print a traceback per line it could not write.
    logging.raiseExceptions = False
