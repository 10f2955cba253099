"""`doctor-answers reparse ARCHIVE... --out DIR`: the question pages of WARC archives, extracted
again with today's parsers and normalisers, into a new crawl of the datasets.

The archives (files, or folders of `.warc.gz`/`.warc`) are cut into byte ranges
(crawler.archive.reader.chunks) that a pool of processes reads and extracts, one per core;
this process turns their records into rows, in archive order, with the Parquet writer and the
publish protocol of the crawl (pipelines.output.parquet), and writes the new crawl's `crawls` row
last (spider `reparse`, status by the crawl's own rules). A question page is an HTTP 2xx
response whose URL is a question URL; block pages, cut-off pages and pages of no known layout
are counted as a crawl counts them; responses to URLs no crawl asks for (another tool's CSS,
scripts, images) are passed over. Each row keeps the page's fetch time (the record's
WARC-Date), so the rows are the live crawl's, `crawl_id` aside. Revisit records stand for
what they record (ChunkReader.take, Reparse.read_revisits).

A question archived more than once (under two URLs; several crawls' archives at once) keeps
its latest good page: one row per (site, question_id) in the new crawl, as in any crawl.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from crawler import startup_signals
from crawler.archive.reader import (IDENTICAL_PAYLOAD, NOT_MODIFIED, Crawl, Crawls, Located, archive_files, chunks,
                                    copy_words, crawls_at_start, error_text, located, response_at, unreadable_from,
                                    without_copies)
from crawler.discovery import cut_off, is_question_url, is_robots_url, looks_like_sitemap
from crawler.extraction import die_with_parent, extract_page
from crawler.inputs import shown
from crawler.middlewares.blocks import BLOCKED_STATUS, ServedPage, is_block_response, says_not_found
from crawler.middlewares.compression import UNDECODABLE
from crawler.pages import BlockedPage, EmptyPage, NotHtml, PageError, TruncatedPage, UnknownLayout
from crawler.run import CrawlResult, LogFile, crawl_settings, log_cut_line
from crawler.settings import RETRY_HTTP_CODES
from crawler.sites import site_for
from crawler.sites.base import safe_url
from crawler.spiders.questions import START_URL_ERRORS
from pipelines.checks import CrawlFacts, run_checks
from pipelines.checks.coverage import crawl_coverage
from pipelines.checks.crawls_ended import ENDED_WHOLE, UNENDED, UNENDED_WORDS
from pipelines.checks.question_pages import SETTLED
from pipelines.crawls import (DATED_AHEAD, GIVEN_UP, NEWEST_AHEAD, ClockBehind, Outcome, check_clock, crawl_row,
                              dated_ahead, joined, message_of, not_committed,
                              row_after_view, row_before_view, row_not_rewritten, status_of, write_crawl_row)
from pipelines.output.latest import rank, winners
from pipelines.output.parquet import DatasetWriter, check_writable, publish
from pipelines.output.running import RunningCrawl, remove_dead_temporaries
from pipelines.output.unwritable import cannot_write
from pipelines.items import QuestionPageItem
from pipelines.output.validate import RowsDoNotFit, check_page
from pipelines.rows import page_rows
from pipelines.schemas import SCHEMAS
from pipelines.session import new_crawl_id
# Imported here, before the pool forks, rather than once in every process (extract_page
# imports it on its first page).
import pipelines.normalise.records  # noqa: E402,F401

logger = logging.getLogger(__name__)
DATA_DATASETS = ("questions", "answers", "doctors")
CHUNK_BYTES = (256 * 1024, 8 * 1024 * 1024)  # bounds of one process's share of an archive file


class ArchiveError(ValueError):
    """Archives that cannot be reparsed at all (missing, or holding no WARC file)."""


class Page(NamedTuple):
    url: str
    fetched_at: datetime
    content_sha256: str
    family: str
    records: list
    crawl: Crawl  # the crawl whose archive held it
    asked: str  # the URL the crawl asked for (redirects led to `url`): the question it stands for


class Chunk(NamedTuple):
    bytes: int
    pages: list  # [Page], archive order
    # [(url, kind, retries)] of question pages that gave no records, of block pages of any URL,
    # of sitemaps and listings cut off ((url, None, None) once one is read whole), archive order; retries:
    # how often the crawl tried such a page again (None: the archive does not say)
    failed: list
    # [(crawl, url, retries)] of responses of any URL a crawl's retry middleware retries (the
    # statuses it retries), archive order: one it did retry never reached the engine as a
    # response received (pages_fetched); a cut-off page did (the spider retries it). Block
    # pages never do (_count_response).
    retried: list
    counts: Counter
    errors: list  # one line each
    crawls: list  # the crawls its part of the archive belongs to (their start URLs are the reparse's)
    answered: set  # keys of its start URLs that have a response in the chunk
    path: str  # the archive file
    payloads: list  # [(payload digest, record offset)] of the 2xx responses a revisit may stand for
    revisits: list  # [Located] identical-payload revisits, read once every payload is known
    task: Task | None  # what was read (None: no range of a file)
    crawls_in: Crawls | None  # the crawls in force where it starts, as it was read with them
    crawls_out: Crawls | None  # ... and where it ends
    ids: list  # the WARC-Record-IDs of the records it read, each once
    repeats: list  # the ids of records it held again (a file holding a record twice): read once
    ahead: list  # the WARC-Dates of the responses dated past Task.not_after, not read
    ends: list  # what the crawls' closing records it holds say (crawler.archive.files.WarcFiles.end)
    named: set  # the crawl ids its warcinfo records name (our crawls': each should have an end)


class Task(NamedTuple):
    """A byte range of an archive file to read (read_chunk)."""
    path: str
    start: int
    end: int | None
    size: int  # its bytes, for the progress line
    repeated: frozenset = frozenset()  # ids of records read from other files (or earlier in it): passed over
    crawls: Crawls | None = None  # the crawls in force at `start` when known (else those the file opens with)
    not_after: datetime | None = None  # a response dated later is not read (Reparse.not_after)


def _chunk(path: str, size: int, crawl: Crawl) -> Chunk:
    return Chunk(size, [], [], [], Counter(), [], [crawl], set(), path, [], [], None, None, None, [], [], [], [], set())


def _count_response(counts: Counter, response, blocked: bool) -> None:
    """An archived response, counted as the crawl's downloader and retry middleware count it
    (the `fetch_errors` check reads these); a redirect is followed, never received (a 304 is),
    nor is a body the crawl could not decode (its compression middleware failed the request),
    nor a block page (`blocked`: the crawl's block middleware asks again or gives the page up
    before the engine receives it, its last try too): so pages_fetched counts as the crawl's."""
    status = response.status
    counts["downloader/response_count"] += 1
    counts[f"downloader/response_status_count/{status}"] += 1
    if (status == 304 or not 300 <= status < 400) and not response.error and not blocked:
        counts["response_received_count"] += 1


def _retries(crawl: Crawl, kind: str, status: int) -> int | None:
    """How often the crawl tried a page again after this failure (None: its archive does not
    say): block pages by its block budget, the statuses it retried (its archive's, else this
    project's default) and cut-off or empty pages by its retry budget, anything else never."""
    if kind == "blocked":
        return crawl.block_retry_times
    retried = RETRY_HTTP_CODES if crawl.retry_http_codes is None else crawl.retry_http_codes
    return crawl.retry_times if kind in _CUT or kind == "http_error" and status in retried else 0


def read_chunk(task: Task) -> Chunk:
    """Extract the question pages of one byte range of an archive file (in a pool process),
    each record once: those of `task.repeated` (read from another file) are passed over, and a
    record the range holds twice is read at its first place. Each record is of its crawl (Crawls),
    from the crawls in force at the range's start on (Reparse.exact checks them)."""
    task = Task(*task)
    path, start, end = task.path, task.start, task.end
    crawls = task.crawls.copy() if task.crawls is not None else crawls_at_start(path)
    chunk = _chunk(path, task.size, crawls.current)._replace(task=task, crawls_in=crawls.copy())
    reader, taken = ChunkReader(path, chunk, task.not_after), set()
    try:
        for record in located(path, start, end, on_damage=reader.damaged, crawls=crawls, ends=chunk.ends,
                              named=chunk.named):
            if record.record_id in task.repeated:
                continue
            if record.record_id is not None:
                if record.record_id in taken:
                    chunk.repeats.append(record.record_id)
                    continue
                taken.add(record.record_id)
                chunk.ids.append(record.record_id)
            try:
                reader.take(record)
            except Exception as error:  # a value the crawl's rules cannot read: this record's alone
                reader.damaged(record.offset, error)
    except Exception as error:  # damage with no record after it to go on at: the rest of the range is lost
        reader.chunk.counts["archive/damaged"] += 1
        reader.chunk.errors.append(f"{shown(path)}: {unreadable_from(start, error)}")
    chunk.crawls.extend(crawls.named.values())  # the warcinfo records read (and before it)
    return chunk._replace(crawls_out=crawls)


class ChunkReader:
    """What becomes of each response of a chunk, as the crawl's middlewares and spider took it."""

    def __init__(self, path: str, chunk: Chunk, not_after: datetime | None = None):
        self.path, self.chunk, self.counts, self.not_after = path, chunk, chunk.counts, not_after
        self.crawl, self.start_keys = None, set()
        self._of(chunk.crawls[0])

    def _of(self, crawl: Crawl) -> None:
        """What follows is of this crawl (its retries, its start URLs, its rows)."""
        if crawl is not self.crawl:
            self.crawl, self.start_keys = crawl, {_page_key(url) for url in crawl.start_urls}

    def damaged(self, offset: int, error: Exception) -> None:
        self.counts["archive/damaged"] += 1
        self.chunk.errors.append(f"{shown(self.path)}: damaged record at byte {offset}, passed over ({error_text(error)})")

    def take(self, record: Located) -> None:
        """A record read: a revisit as what it stands for, a response as it is."""
        if record.crawl is not None:
            self._of(record.crawl)
        response = record.response
        if self.not_after is not None and response.fetched_at > self.not_after:
            self.chunk.ahead.append(response.fetched_at)  # never a row fetched in the future (Reparse.not_after)
            return
        question = response.is_question()
        if not question and not self._asked_by_a_crawl(response):
            self.counts["reparse/other_responses"] += 1  # another tool's: a page's CSS, scripts, images, ...
            return
        if response.revisit == IDENTICAL_PAYLOAD:  # its payload may be anywhere in the archives: read at the end
            self.chunk.revisits.append(record)
            return
        if response.revisit == NOT_MODIFIED:  # the server answered 304: the record keeps its head, or none
            response = response._replace(status=304)
        elif response.revisit is not None:
            self.counts["reparse/revisits_unread"] += 1
            self.chunk.errors.append(f"{shown(self.path)}: revisit record at byte {record.offset} ({response.url}) of "
                                     f"profile {response.revisit!r} not read: only {NOT_MODIFIED} and "
                                     f"{IDENTICAL_PAYLOAD} revisits are")
            return
        elif record.payload_digest and 200 <= response.status < 300:
            self.chunk.payloads.append((record.payload_digest, record.offset))
        self.read(response)

    def _asked_by_a_crawl(self, response) -> bool:
        """Whether a crawl asks for a response's (non-question) URL: robots.txt, a sitemap, a
        listing, a site's home page, a start URL. Our archives hold no other; another tool's
        archive holds what a browser or `wget -p` fetched beside the pages (CSS, scripts,
        images, other pages), which no crawl receives, counts or fails."""
        if _page_key(response.asked) in self.start_keys:
            return True
        for url in {response.url, response.asked}:
            site = site_for(url)
            if is_robots_url(url) or site.is_sitemap_url(url) or site.is_listing_url(url) or site.is_root_url(url):
                return True
        return looks_like_sitemap(response.body)  # last: it parses the body, the URL rules do not

    def read(self, response) -> None:
        blocked = not response.error and is_block_response(response.url, response.body, response.content_type)
        _count_response(self.counts, response, blocked)
        if self.start_keys and (key := _page_key(response.asked)) in self.start_keys:
            self.chunk.answered.add(key)
        question = response.is_question()
        if response.error:  # a body the crawl could not decode either: it failed there
            self.counts[UNDECODABLE] += 1
            if question:
                self._gave_up(response, "undecodable")
        elif blocked:
            # Counted whatever the page, as the crawl's block middleware does, and given up
            # on (a robots.txt, a sitemap as much as a question) once its retries are spent.
            self.counts["pages/blocked"] += 1
            self.counts[f"{BLOCKED_STATUS}{response.status}"] += 1
            self._gave_up(response, "blocked")
        elif response.status == 304 and question:  # unchanged since an earlier crawl: its page is there
            self.counts["pages/not_modified"] += 1
        elif not 200 <= response.status < 300 or not question:  # the crawl's spider gets 2xx
            outcome, retries = _not_a_question_page(response, question, self.crawl, self.counts)
            self.chunk.failed.extend(outcome)
            self._retried(response, retries)
        else:
            self._question_page(response)

    def _question_page(self, response) -> None:
        if response.fault:  # its coding's stream cut or damaged: the crawl retried it as cut off
            self.counts["pages/truncated"] += 1
            self._gave_up(response, "truncated")
            return
        try:
            extract = extract_page(response.url, response.body, response.content_type)
        except PageError as error:
            kind = next((kind for cls, kind in _KINDS.items() if isinstance(error, cls)), "malformed")
            if kind == "unknown_layout" and says_not_found(ServedPage(response.url, response.body, response.content_type)):
                kind = REMOVED  # as the crawl's spider settles it (QuestionsSpider.removed)
            if kind in _LOGGED:
                self.chunk.errors.append(f"{_LOGGED[kind]}, not recorded: {error}")
            self.counts[f"pages/{kind}"] += 1
            self._gave_up(response, kind)
            return
        self.counts["pages/question"] += 1
        self.counts.update(extract.counts)  # the values it printed that did not read, as the crawl counts them
        self.chunk.pages.append(Page(response.url, response.fetched_at, hashlib.sha256(response.body).hexdigest(),
                                     extract.family, extract.records, self.crawl, response.asked))

    def _gave_up(self, response, kind: str) -> int | None:
        """The page failed so; how often the crawl tried it again (None: the archive does not say)."""
        retries = _retries(self.crawl, kind, response.status)
        self.chunk.failed.append((response.asked, kind, retries))
        return retries

    def _retried(self, response, retries: int | None) -> None:
        if retries:  # the crawl's downloader middlewares asked for it again
            self.chunk.retried.append((self.crawl.name, response.asked, retries))


# What a page extraction gave up on counts as (pages/<kind>), and the error lines of the kinds
# the crawl's spider logs as errors, in its words.
_KINDS = {BlockedPage: "blocked", EmptyPage: "empty", TruncatedPage: "truncated", NotHtml: "not_html",
          UnknownLayout: "unknown_layout"}
_CUT = ("truncated", "empty")  # pages the crawl's spider tries again (retry_truncated), by its retry budget
# A question page answered by a redirect and by nothing after it in the archives: the crawl
# gave it up (a loop, a Location off the site or one it cannot follow) where no answer came.
REDIRECTED = "redirected"
# A question page saying it is not found or removed (a soft 404): the question is gone, a page read.
REMOVED = "removed"
_LOGGED = {"unknown_layout": "Page of an unknown layout", "not_html": "Page of no HTML", "malformed": "Malformed page"}
# Pages that arrived and could not be read: the crawls row's pages_malformed, never pages_failed.
_READ_NOT_FAILED = frozenset(_LOGGED)


def _not_a_question_page(response, question: bool, crawl: Crawl, counts: Counter) -> tuple[list, int]:
    """An error answer, or a 2xx the question callback never reads (robots.txt, a sitemap, a
    listing): its outcome entries (Chunk.failed) and how often the crawl retried it."""
    status = response.status
    if status >= 400:
        retries = _retries(crawl, "http_error", status)
        if is_robots_url(response.url):  # Scrapy's: retried as any request, and no answer of it fails
            return [], retries
        # Given up on, unless a good page follows
        return [(response.asked, _error_kind(response, question), retries)], retries
    if 200 <= status < 300:  # whole, or cut off as the spider would see it
        if response.fault or cut_off(response.url, response.body, response.length_vouched):
            counts["pages/truncated"] += 1
            return [(response.asked, "truncated", _retries(crawl, "truncated", status))], 0
        return [(response.asked, None, None)], 0
    if question:  # a redirect (3xx, 304 aside): lost unless an answer to where it led follows
        return [(response.asked, REDIRECTED, 0)], 0
    return [], 0


def _error_kind(response, question: bool) -> str:
    """What an error answer is, as the crawl's spider tells them apart: a question page 404 or
    410 at its own URL (no redirect led there) is gone, the site removed the question; a sitemap
    or a listing not found is not found, no failed page; anything else an HTTP error."""
    if question and response.status in (404, 410) and response.asked == response.url:
        return "gone"
    return "not_found" if response.status == 404 and not question else "http_error"


@dataclass
class Reparse:
    """The new crawl: its rows, counts and files, fed chunk results in archive order."""
    root: Path
    settings: object
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    crawl_id: str = ""
    stats: Counter = field(default_factory=Counter)
    writers: dict = field(default_factory=dict)
    sealed: dict = field(default_factory=lambda: {name: [] for name in DATA_DATASETS})
    latest: dict = field(default_factory=dict)  # (site, question_id) -> (rank, fetched_at) of the page written
    read: set = field(default_factory=set)  # question keys (_page_key) with a good page
    superseded: set = field(default_factory=set)  # (site, question_id, fetched_at) of pages a later one replaced
    # (site, question_id) -> [(row, crawl, fetched µs, started µs)]: the doctors of the page kept
    # for the question. A capture a later one replaced (an orphan a resumed crawl fetched again,
    # an older crawl's) is no doctor's source: each crawl's row of a doctor is read from its
    # first kept page naming them (as the crawl wrote it, from the pages it committed); the
    # commit keeps, of the crawls' rows, the one the latest view keeps (`winners`).
    doctors: dict = field(default_factory=dict)
    # question key -> (last failure, failures in a row, retries the crawl allowed), for
    # questions with no good page (yet)
    bad: dict = field(default_factory=dict)
    tries: dict = field(default_factory=dict)  # (crawl, URL key) -> responses its middlewares could retry
    start_urls: dict = field(default_factory=dict)  # key -> start URL of the crawls read
    answered: set = field(default_factory=set)  # keys of the start URLs with a response
    payloads: dict = field(default_factory=dict)  # payload digest -> (file, offset) of a 2xx response with it
    revisits: list = field(default_factory=list)  # (file, crawl, Located) of identical-payload revisits
    read_ids: dict = field(default_factory=dict)  # WARC-Record-ID -> the file it was read from: each is read once
    crawls_at: dict = field(default_factory=dict)  # file -> the crawls in force where its chunks added so far end
    repeats: dict = field(default_factory=dict)  # file -> {file it repeats records of: how many} (exact)
    own: Counter = field(default_factory=Counter)  # file -> records read from it
    # A response dated past this (CLOCK_BEHIND_MAX after the reparse's start; None: 0, no check)
    # is not read: its rows, fetched in the future, would hide every later crawl's in the latest
    # view until real time passed them, as a crawl's behind the data would (check_clock).
    not_after: datetime | None = None
    ahead: list = field(default_factory=list)  # the WARC-Dates of the responses not read so
    archived: set = field(default_factory=set)  # the ids of our crawls whose records were read
    ends: dict = field(default_factory=dict)  # crawl id -> what its newest closing record says

    def __post_init__(self):
        self.crawl_id = self.crawl_id or new_crawl_id(self.started_at)
        if tolerance := self.settings.getfloat("CLOCK_BEHIND_MAX"):
            self.not_after = self.started_at + timedelta(seconds=tolerance)
        date = f"{self.started_at:%Y-%m-%d}"
        self.writers = {
            name: DatasetWriter(folder=self.root / name / f"crawl_date={date}", schema=SCHEMAS[name],
                                stem=self.crawl_id,
                                row_group_rows=self.settings.getint("PARQUET_ROW_GROUP_ROWS"),
                                row_group_bytes=self.settings.getint("PARQUET_ROW_GROUP_BYTES"))
            for name in DATA_DATASETS
        }
        self.file_rows = self.settings.getint("PARQUET_FILE_ROWS")

    def known(self, task: Task) -> Task:
        """The task with the crawls in force at its start as far as the chunks added know them
        (a range submitted to the pool once its file's earlier ranges are in is read with them)."""
        task = Task(*task)._replace(not_after=self.not_after)
        return task._replace(crawls=self.crawls_at.get(task.path)) if task.start else task

    def exact(self, chunk: Chunk) -> Chunk:
        """The chunk as the chunks before it say it is to be read: from the crawls in force
        where it starts (a warcinfo record of an earlier range of its file names another crawl:
        `cat day0.warc.gz day1.warc.gz`), without the records read already, from any file (a
        file joining others, a copy without its head). A chunk read without knowing them is
        read again, here: only a file of several crawls or holding other files' records is."""
        task = chunk.task
        expected = self.crawls_at.get(task.path, chunk.crawls_in) if task.start else chunk.crawls_in
        seen = [record_id for record_id in chunk.ids if record_id in self.read_ids]
        if seen or expected != chunk.crawls_in:
            chunk = read_chunk(task._replace(repeated=task.repeated | frozenset(seen), crawls=expected))
        repeats = self.repeats.setdefault(task.path, Counter())
        repeats.update(self.read_ids[record_id] for record_id in seen)
        repeats[task.path] += len(chunk.repeats)
        self.crawls_at[task.path] = chunk.crawls_out
        self.read_ids.update(dict.fromkeys(chunk.ids, task.path))
        self.own[task.path] += len(chunk.ids)
        return chunk

    def say_repeats(self) -> None:
        """Each file that held records read from another (or twice in itself), said once."""
        for path, sources in self.repeats.items():
            if +sources:
                logger.warning("%s", copy_words(path, +sources, self.own[path], "responses"))

    def add(self, chunk: Chunk) -> None:
        self.stats.update(chunk.counts)
        self.ahead.extend(chunk.ahead)
        self.start_urls.update((_page_key(url), url) for crawl in chunk.crawls for url in crawl.start_urls)
        self.answered |= chunk.answered
        self.archived |= chunk.named
        for end in chunk.ends:  # a resumed crawl ended again: the newest end says how it ended
            if end["crawl-id"] not in self.ends or str(end.get("ended_at")) >= str(self.ends[end["crawl-id"]].get("ended_at")):
                self.ends[end["crawl-id"]] = end
        for line in chunk.errors:
            logger.error("%s", line)
        for digest, offset in chunk.payloads:
            self.payloads.setdefault(digest, (chunk.path, offset))
        self.revisits.extend((chunk.path, record.crawl or chunk.crawls[0], record) for record in chunk.revisits)
        for url, kind, retries in chunk.failed:
            if kind is None:  # a sitemap or a listing read whole at last: its failures are undone
                self.bad.pop(_page_key(url), None)
            else:
                self._failed(_page_key(url), kind, retries)
        for crawl, url, retries in chunk.retried:
            key = (crawl, _page_key(url))
            self.tries[key] = tries = self.tries.get(key, 0) + 1
            if tries <= retries:  # the crawl's middleware asked again instead: never a response received
                self.stats["response_received_count"] -= 1
        for page in chunk.pages:
            self._add_page(page)

    def _failed(self, key: str, kind: str, retries: int | None) -> None:
        """A page of no good page (yet) failed so once more. What follows a redirect answers
        another request (where it led), with tries of its own."""
        if key in self.read:
            return
        last, failures, _ = self.bad.get(key, (None, 0, None))
        self.bad[key] = (kind, 1 if last == REDIRECTED else failures + 1, retries)

    def _add_page(self, page: Page) -> None:
        asked = _page_key(page.asked)
        item = QuestionPageItem(family=page.family, fetched_url=page.url, fetched_at=page.fetched_at,
                                content_sha256=page.content_sha256, records=page.records)
        try:  # the crawl's own rows and checks: a row that does not fit makes the page malformed
            rows = page_rows(item, self.crawl_id)
            check_page(rows)
        except (RowsDoNotFit, ValueError) as error:  # as the crawl's pipeline counts it: no question read
            logger.error("Malformed page %s: %s", page.url, error)
            self.stats["pages/question"] -= 1
            self.stats["pages/malformed"] += 1
            self._failed(asked, "malformed", 0)
            return
        self.bad.pop(asked, None)
        self.read.add(asked)
        fetched, started = _micros(page.fetched_at), _micros(page.crawl.started)
        # One row per question, as in a crawl: the same question under another URL, or in
        # another crawl's archive, keeps its newest good page by the latest view's rule (`rank`).
        question = rows["questions"][0]
        key = (question["site"], question["question_id"])
        place = rank(fetched, started)
        earlier = self.latest.get(key)
        if earlier is not None:  # counted as a crawl counts a question met twice
            self.stats["pages/question"] -= 1
            self.stats["pages/duplicate_question"] += 1
            # An equal fetch (µs) is the same response archived twice, parsed here by one parser:
            # its rows are those written already, whichever crawl `rank` prefers (and dropping
            # the earlier by its fetched_at would drop both).
            if earlier[0] >= place or earlier[1] == page.fetched_at:
                return
            self.superseded.add((*key, earlier[1]))
        for dataset in ("questions", "answers"):
            for row in rows.get(dataset, ()):
                self.writers[dataset].add(row)
        self.latest[key] = (place, page.fetched_at)
        self.doctors[key] = [(row, page.crawl.name, fetched, started) for row in rows.get("doctors", ())]
        if any(w.rows_in_file >= self.file_rows for w in self.writers.values()):
            self.seal()

    def seal(self) -> None:
        part = self.writers["questions"].part
        for name, writer in self.writers.items():
            if paths := writer.seal():
                self.sealed[name].append(paths)
            writer.part = part + 1

    def commit(self) -> dict[str, int]:
        """Seal, drop the rows of superseded pages, publish every file at once; rows per dataset."""
        for row in self._newest_doctors():
            self.writers["doctors"].add(row)
        self.seal()
        if self.superseded:
            for name in ("questions", "answers"):
                for tmp, _ in self.sealed[name]:
                    _drop_rows(tmp, self.superseded)
        publish([pair for name in DATA_DATASETS for pair in self.sealed[name]])
        return {name: sum(_rows(final) for _, final in self.sealed[name]) for name in DATA_DATASETS}

    def _newest_doctors(self) -> list[dict]:
        """Of the crawls' rows of each doctor, the one the latest view keeps: the rule is
        `winners`, the view's and the loader's, not one of the reparse's own."""
        first = {}  # (site, doctor_id, crawl) -> (fetched, started, row) of its first kept page
        for page_doctors in self.doctors.values():
            for row, crawl, fetched, started in page_doctors:
                held = first.get(crawl_key := (row["site"], row["doctor_id"], crawl))
                if held is None or fetched < held[0]:
                    first[crawl_key] = (fetched, started, row)
        if not first:
            return []
        sites, ids, crawls = zip(*first)
        fetched, started, rows = zip(*first.values())
        keep = winners(sites, ids, started, fetched)
        return [row for row, kept in zip(rows, keep) if kept]

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()
        for pairs in self.sealed.values():
            for tmp, _ in pairs:
                tmp.unlink(missing_ok=True)

    def judge_ends(self) -> None:
        """Our crawls whose archive does not prove a whole crawl: no closing record (killed,
        still running, archived before crawls' ends were), or one saying it did not end
        finished or degraded. Their pages are read, but the reparse is not `finished`
        (pipelines.checks.crawls_ended): the archive holds what they fetched until they
        stopped, not a walk of their sites."""
        unended = []
        for crawl_id in sorted(self.archived):
            end = self.ends.get(crawl_id)
            if end is None:
                unended.append(f"{crawl_id} has no end in the archives (killed, still running, or archived before "
                               "crawls' ends were recorded)")
            elif end["status"] not in ENDED_WHOLE:
                unended.append(f"{crawl_id} ended {end['status']} (at {end.get('ended_at')})")
        self.stats[UNENDED] = len(unended)
        if unended:
            shown_ends = unended[:3] + ([f"{len(unended) - 3} more"] if len(unended) > 3 else [])
            self.stats[UNENDED_WORDS] = ("the archives hold crawls that did not end finished, their pages only "
                                         "what they fetched until they stopped: " + "; ".join(shown_ends))
            logger.warning("%s", self.stats[UNENDED_WORDS])

    def say_ahead(self) -> None:
        """The responses dated ahead of this machine's clock, counted (the reparse is `degraded`:
        pipelines.checks.archive_damage) and said once, with the newest date."""
        if self.ahead:
            self.stats[DATED_AHEAD] = len(self.ahead)
            self.stats[NEWEST_AHEAD] = f"{max(self.ahead):%Y-%m-%d %H:%M:%S} UTC"
            logger.error("%s", dated_ahead(self.stats))

    def read_revisits(self) -> None:
        """The identical-payload revisits (WARC 1.1, 6.7.2), once every payload of the archives is
        known: each is the page its payload digest names, fetched at the revisit's WARC-Date
        (so it is the latest capture, if it is); one whose payload is in none of the archives
        is counted as not modified (as a 304: its page is in an archive not given), and said."""
        revisits, self.revisits, unresolved = self.revisits, [], []
        for path, crawl, record in revisits:
            revisit = record.response
            where = self.payloads.get(record.payload_digest) if record.payload_digest else None
            original = response_at(*where, record.payload_digest) if where else None
            reader = ChunkReader(path, _chunk(path, 0, crawl))
            if original is None:
                unresolved.append(revisit)
                reader.read(revisit._replace(status=304, revisit=None))
            else:
                reader.read(original._replace(url=revisit.url, fetched_at=revisit.fetched_at,
                                              requested_url=revisit.requested_url,
                                              status=revisit.status or original.status))
            self.add(reader.chunk)
        if unresolved:
            self.stats["reparse/revisits_unresolved"] = len(unresolved)
            logger.warning("%d revisit records name a payload that is in none of the archives (e.g. %s, revisited "
                           "at %s), counted as not modified: give the archives that hold it to read them",
                           len(unresolved), unresolved[0].url, unresolved[0].fetched_at.isoformat())

    def finish_counts(self) -> None:
        # A question with no good page in the archives: given up on, as the crawl does, once
        # tried as often as the crawl would (a crawl stopped before a page's retry had not).
        given_up = {key: kind for key, (kind, failures, retries) in self.bad.items()
                    if retries is None or failures > retries}
        self.stats["reparse/retries_pending"] = len(self.bad) - len(given_up)
        for kind in given_up.values():
            if kind == REMOVED:
                self.stats["questions/gone"] += 1
                continue
            if kind in _READ_NOT_FAILED:  # counted as read (pages/<kind>) already: one page, one class
                continue
            self.stats["pages/not_found" if kind == "not_found" else "pages/failed"] += 1
            if kind in ("blocked", *_CUT):
                self.stats[f"pages/{kind}_gave_up"] += 1
            elif kind == "gone":
                self.stats["questions/gone"] += 1
            elif kind == REDIRECTED:
                self.stats[f"{GIVEN_UP}{_GAVE_UP[REDIRECTED]}"] += 1
        self.count_asked(given_up)
        # A start URL that gave nothing, as the crawl's spider lists them (its check, its status)
        unanswered = ("no answer read from the archives (a download error, or its record lost where they are "
                      "damaged?)" if self.stats["archive/damaged"] else "no answer in the archives (a download error?)")
        errors = [f"{url}: {_GAVE_UP.get(given_up[key], given_up[key])}" if key in given_up else f"{url}: {unanswered}"
                  for key, url in self.start_urls.items() if key in given_up or key not in self.answered]
        if errors:
            self.stats[START_URL_ERRORS] = errors
        if blocked := self.stats["pages/blocked_gave_up"]:  # the crawl's block middleware says as much
            example = next(url for url, kind in given_up.items() if kind == "blocked")
            self.stats["crawl/message"] = f"{blocked} pages only ever a block page in the archives, e.g. {example}"

    def count_asked(self, given_up: dict) -> None:
        """The question pages asked for, which the `question_pages_unread` check weighs against
        the settled ones: each page settled (read, not modified, a question read already, gone)
        as a page asked, as a resumed crawl carries them (pipelines.crawls.run_counts), and each
        question given up with no question read once, however many captures the archives hold.
        A page the crawl was still to try again is neither (the crawl had not given up)."""
        unread = sum(1 for key, kind in given_up.items() if kind not in ("gone", REMOVED) and is_question_url(key))
        self.stats["questions/requested"] = sum(int(self.stats[key]) for key in SETTLED) + unread


# A start URL given up on, in the words of the crawl's `crawl/start_url_errors`.
_GAVE_UP = {"http_error": "HTTP error", "not_found": "HTTP 404", "gone": "gone (HTTP 404 or 410)", "blocked": "blocked",
            "truncated": "cut off", "empty": "empty",
            REDIRECTED: "redirected, and nothing after it in the archives (a loop, or off the site?)",
            "unknown_layout": "not a question page (unknown layout)", "not_html": "not a question page (no HTML document)",
            "malformed": "not a question page (malformed)", REMOVED: "gone (the page says it is not found or removed)",
            "undecodable": "undecodable body"}


def _page_key(url: str) -> str:
    """One page whatever URL named it: a question's key by its site (`?ref=x`, a trailing
    slash), any other page's URL without its fragment (a listing's `?page=2` is a page of its
    own); either in the form the crawl requested it (safe_url: a start URL given with a space
    or `é` is requested, and archived, percent-encoded)."""
    try:
        url = safe_url(url)
    except ValueError:  # no URL (a broken IPv6 host): as it is, as the crawl's request failed
        pass
    site = site_for(url)
    return site.question_key(url) if site.is_question_url(url) else url.partition("#")[0]


def _micros(moment: datetime) -> int:
    """A timezone-aware moment as int64 µs since the epoch, as Parquet holds it (exact, no float)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _drop_rows(path: Path, superseded: set) -> None:
    """Rewrite a sealed file without the rows of superseded pages (rare: a resumed crawl's
    archive, or several crawls' archives in one reparse)."""
    table = pq.ParquetFile(path).read()  # not pq.read_table: see pipelines.loader.dataset_of
    keys = zip(table["site"].to_pylist(), table["question_id"].to_pylist(), table["fetched_at"].to_pylist())
    keep = [key not in superseded for key in keys]
    if all(keep):
        return
    with open(path, "wb") as sink:
        pq.write_table(table.filter(pa.array(keep)), sink, compression="zstd")
        sink.flush()
        os.fsync(sink.fileno())


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


# the run ------------------------------------------------------------------------------------


def tasks_of(files: list[Path], processes: int, repeats: dict | None = None) -> list[Task]:
    """The byte ranges of the files to read (ids of records read from another file to pass over:
    without_copies's): a few per process, so that one file uses every core."""
    sizes = {path: path.stat().st_size for path in files}
    low, high = CHUNK_BYTES
    size = max(low, min(high, sum(sizes.values()) // max(1, processes * 8)))
    tasks = []
    for path in files:
        ranges = chunks(path, size)
        for start, end in ranges:
            share = (end if end is not None else sizes[path]) - start
            tasks.append(Task(str(path), start, end, share, (repeats or {}).get(path, (None, frozenset()))[1]))
    return tasks


def _results(tasks, processes: int, known=lambda task: task):
    """Chunk results in task order, from `processes` processes (or this one, for 1); each task
    as `known` gives it when it is submitted (Reparse.known)."""
    tasks = map(known, tasks)  # lazily: a task is made known when it is submitted
    if processes <= 1:
        yield from map(read_chunk, tasks)
        return
    # fork: the pool starts at once with what this process has imported (and registered).
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=die_with_parent)
    try:
        window = processes * 2  # results held at most: memory stays bounded, whatever the archive
        pending = [_submit(pool, task) for task in itertools.islice(tasks, window)]
        while pending:
            head = pending.pop(0)
            if (task := next(tasks, None)) is not None:
                pending.append(_submit(pool, task))
            yield head.result()
    except BaseException:  # failed, stopped, or left by its reader (GeneratorExit): its work is dropped
        _end(pool)
        raise
    pool.shutdown()


class CannotStart(Exception):
    """The reparse's processes cannot be started (out of file descriptors, of processes, of
    memory): the reason is the limit, not the output folder or a bug."""


def _submit(pool: ProcessPoolExecutor, task: Task):
    try:
        return pool.submit(read_chunk, task)  # starts the pool's processes and its thread
    except (OSError, RuntimeError) as error:  # RuntimeError: "can't start new thread"
        raise CannotStart(f"cannot start the reparse processes: {getattr(error, 'strerror', None) or error}") \
            from error


def _end(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now. A pool that could not start whole has no thread to end
    them, and its started processes wait for work for ever: the process exit joins them, so
    the reparse said `failed` and never exited."""
    processes = list((pool._processes or {}).values())  # no public way to them before 3.14's kill_workers
    pool.shutdown(wait=False, cancel_futures=True)  # which forgets them
    for process in processes:
        process.kill()


class Progress:
    """A progress line on stderr: redrawn in place on a terminal, every 10 s otherwise."""

    def __init__(self, total: int, stream=None):
        self.total, self.stream = max(1, total), stream if stream is not None else sys.stderr
        self.done = self.pages = 0
        self.started = self.shown = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, nbytes: int, pages: int) -> None:
        self.done += nbytes
        self.pages += pages
        now = time.monotonic()
        if now - self.shown >= (0.2 if self.tty else 10.0):
            self.shown = now
            self._show(end="\r" if self.tty else "\n")

    def close(self) -> None:
        self._show(end="\n")

    def _show(self, end: str) -> None:
        elapsed = max(1e-9, time.monotonic() - self.started)
        share = self.done / self.total
        width = 30
        bar = "#" * int(share * width) + "-" * (width - int(share * width))
        print(f"reparse [{bar}] {share:4.0%} {self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB, "
              f"{self.pages} pages, {self.pages / elapsed:.0f} pages/s", end=end, file=self.stream, flush=True)


def run_reparse(paths, out: str | Path = "data", processes: int | None = None, stream=None) -> CrawlResult:
    """Reparse the archives into a new crawl under `out`. Raises ArchiveError for archives
    that give nothing to read (before anything is written)."""
    files, errors, passed_over = archive_files(paths)
    if errors:
        raise ArchiveError("; ".join(passed_over + errors))
    files, copies, repeats = without_copies(files)
    settings = crawl_settings(out)
    processes = processes or os.cpu_count() or 1
    root = Path(out)
    reparse = Reparse(root, settings)
    reparse.stats["reparse/archive_files"] = len(files)
    tasks = tasks_of(files, processes, repeats)
    progress = Progress(sum(t[3] for t in tasks), stream)
    with _logging(root, reparse.crawl_id, progress.stream, settings) as log, _running(root, reparse.crawl_id), \
            _stop_handlers_kept():
        for line in passed_over:  # an archive of the folder not read: its pages are missing, as a damaged record's
            logger.error("%s", line)
        reparse.stats["archive/damaged"] += len(passed_over)
        for copy, original in copies:
            logger.warning("%s", copy_words(copy, {original: 1}, 0))
        for path, (original, ids) in repeats.items():
            logger.warning("%s", copy_words(path, {original: len(ids)}, 1))
        result = _run(reparse, tasks, processes, paths, settings, progress)
    if log is not None and log.cut:  # known once it is closed: its last lines are written then
        print(f"doctor-answers reparse: {log_cut_line(log.baseFilename, log.cut)}", file=progress.stream)
    # for its summary, as a crawl's: where its data and log are, and how long it took
    return replace(result, out=root, seconds=time.monotonic() - progress.started,
                               log_file=Path(log.baseFilename) if log is not None else None,
                               log_cut=log.cut if log is not None else None)


_STOPS = startup_signals.STOPS  # SIGINT, SIGTERM, SIGHUP: the stops the CLI holds while it starts


@contextmanager
def _stop_handlers_kept():
    """The stops' handlers of before the reparse, after it (_stops_interrupt, _ignore_stops)."""
    main = threading.current_thread() is threading.main_thread()  # signals are the main thread's
    before = {signum: signal.getsignal(signum) for signum in _STOPS} if main else {}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _stops_interrupt() -> None:
    """From here a stop (Ctrl-C, SIGTERM: a service manager's, `timeout`'s, SIGHUP) is a
    KeyboardInterrupt: the reparse ends `interrupted`, in its crawls row too, and its pool's
    processes with it (they inherit the handler). A stop held while the reparse started (the
    CLI holds them through its imports: crawler.startup_signals) is honoured now."""
    if threading.current_thread() is threading.main_thread():
        for signum in _STOPS:
            startup_signals.take(signum, signal.default_int_handler)  # not one ignored on entry (nohup)
    if startup_signals.take_held():
        raise KeyboardInterrupt


def _ignore_stops() -> None:
    """A stop once the commit begins would leave files published and no row."""
    if threading.current_thread() is threading.main_thread():
        for signum in _STOPS:
            signal.signal(signum, signal.SIG_IGN)


@contextmanager
def _running(root: Path, crawl_id: str):
    """Hold the lock a crawl holds in its output folder: a crawl that starts there meanwhile
    takes this reparse for a live crawl and leaves its temporary files alone. A folder that
    cannot be written has no lock; the reparse fails on its first write and says so."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        running = RunningCrawl(root, crawl_id)
    except OSError:
        running = None
    else:
        remove_dead_temporaries(root, crawl_id)  # what a crawl starting here removes, too
    try:
        yield
    finally:
        if running is not None:
            running.release()


def _run(reparse, tasks, processes: int, paths, settings, progress) -> CrawlResult:
    root = reparse.root
    written, failure = {}, None
    try:
        _stops_interrupt()  # the log and the lock are there: a stop from here on gets its row
        check_writable(root, reparse.crawl_id)  # before any archive is read
        # Its rows keep their fetch times, but a tie (an archive of a crawl here) goes to the crawl
        # started last: one behind a crawl here by its clock would lose it (pipelines.output.latest).
        check_clock(root, reparse.started_at, settings.getfloat("CLOCK_BEHIND_MAX"))
        for chunk in _results(tasks, processes, reparse.known):
            chunk = reparse.exact(chunk)
            reparse.add(chunk)
            progress.update(chunk.bytes, len(chunk.pages))
        progress.close()
        reparse.say_repeats()
        reparse.say_ahead()
        reparse.read_revisits()
        reparse.finish_counts()
        reparse.judge_ends()
        _ignore_stops()  # from here on the reparse is committed, then its row written: whole
        written = reparse.commit()
    except KeyboardInterrupt:
        reparse.abort()
        failure = ("interrupted", "reparse interrupted; nothing written")
    except ClockBehind as behind:
        reparse.abort()
        failure = ("failed", f"{behind}; nothing written")
    except OSError as error:
        reparse.abort()
        failure = ("failed", cannot_write(root, error, "run the reparse again"))
    except CannotStart as limit:
        reparse.abort()
        failure = ("failed", f"{limit}; nothing written: run it again with fewer --processes, or a higher limit "
                             "(ulimit -n, ulimit -u)")
    except BrokenProcessPool:
        reparse.abort()
        failure = ("failed", "a reparse process died (killed, or out of memory?); nothing written: run it again, "
                             "with fewer --processes if memory is short")
    except Exception as error:  # a bug: named in one line, nothing half written, the crawls row says so
        reparse.abort()
        failure = ("failed", f"reparse stopped by an error ({error_text(error)}); nothing written")
    stats = dict(reparse.stats)
    outcome = Outcome(*failure) if failure else _outcome(root, reparse.crawl_id, stats, settings,
                                                         list(reparse.start_urls.values()))
    if outcome.message:
        logger.info("%s", outcome.message)
        print(f"doctor-answers reparse: {outcome.message}", file=progress.stream)
    told = _commit(reparse, outcome, stats, written, paths, settings, progress.stream)
    if told.message:
        stats["crawl/message"] = told.message
    stats.update({f"crawl/rows/{name}": n for name, n in written.items()})  # as a crawl counts them, for its summary
    return CrawlResult(told.status, reparse.crawl_id, stats)


def _commit(reparse, outcome: Outcome, stats: dict, written: dict, paths, settings, stream) -> Outcome:
    """Write the reparse's `crawls` row, then bring the latest view up to date, as a crawl does
    (pipelines.crawls.row_before_view): what the committed row says, or `failed` with no row."""
    root = reparse.root
    view = str(root / "latest") if settings.getbool("LATEST_VIEW_ENABLED") else None
    finished_at = datetime.now(timezone.utc)  # both of its rows say it (the view's manifest names it)

    def write(told: Outcome) -> None:
        write_crawl_row(root, f"{reparse.started_at:%Y-%m-%d}", crawl_row(
            crawl_id=reparse.crawl_id, spider="reparse", started_at=reparse.started_at, finished_at=finished_at,
            outcome=told,
            start_urls=[str(Path(p).resolve()) for p in paths], stats=stats, written=written,
            version=settings.get("PROJECT_VERSION")))

    before = row_before_view(outcome, view)
    try:
        write(before)
    except OSError as error:
        if outcome.status == "failed" and outcome.message:  # the same failure, said already
            return not_committed(outcome.message)
        told = not_committed(cannot_write(root, error, "run the reparse again"))
        print(f"doctor-answers reparse: {told.message}", file=stream)
        return told
    if view is None:
        return before
    after = row_after_view(outcome, before, view, _update_latest(root, settings))
    if after is None:
        return before
    if after.message and after.message != outcome.message:  # the view's failure: the outcome's own was said
        print(f"doctor-answers reparse: {after.message}", file=stream)
    try:
        write(after)
    except OSError as error:
        told, note = row_not_rewritten(before, after, view, cannot_write(root, error))
        print(f"doctor-answers reparse: {note}", file=stream)
        return told
    return after


@contextmanager
def _logging(root: Path, crawl_id: str, stream, settings):
    """The reparse's log, as a crawl's: INFO and up in DIR/logs/CRAWL_ID.log, in the crawl's
    LOG_FORMAT and LOG_DATEFORMAT (when the folder can be written: the run fails on its own
    writes otherwise, and says so), and its warnings and errors on stderr, one line each."""
    on_stderr = logging.StreamHandler(stream or sys.stderr)
    on_stderr.setLevel(logging.WARNING)
    on_stderr.setFormatter(logging.Formatter("doctor-answers reparse: %(message)s"))
    handlers, log = [on_stderr], None
    try:
        path = root / "logs" / f"{crawl_id}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        log = LogFile(path, encoding="utf-8")  # a disk that fills cuts it short, said at the end
        log.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
        handlers.append(log)
    except OSError:
        pass
    top, level, raising = logging.getLogger(), logging.getLogger().level, logging.raiseExceptions
    top.setLevel(logging.INFO)
    for handler in handlers:
        top.addHandler(handler)
    logging.raiseExceptions = False  # a log on a disk that fills: no traceback per line it could not write
    try:
        yield log
    finally:
        for handler in handlers:
            top.removeHandler(handler)
            handler.close()  # LogFile: its last lines, on a full disk, cut as the others were
        top.setLevel(level)
        logging.raiseExceptions = raising


def _outcome(root: Path, crawl_id: str, stats: dict, settings, start_urls=()) -> Outcome:
    """How a reparse that ran to its end went: the crawl's own checks on what it committed
    (no earlier crawl to compare coverage with: an archive is not a crawl of a site), then the
    crawl's own rule (status_of)."""
    coverage = crawl_coverage(root, crawl_id)
    checks = run_checks(CrawlFacts(stats=stats, settings=settings, root=root, crawl_id=crawl_id, sites=[],
                                   full=False, ended=True, coverage=coverage))
    status = status_of("finished", stats, start_urls, checks)
    message = joined(message_of(status, "finished", stats, checks, start_urls=start_urls), stats.get(UNENDED_WORDS))
    return Outcome(status, message, checks, coverage)


def _update_latest(root: Path, settings) -> str | None:
    """The latest view, as after a crawl (crawler.extensions.latest_view): behind its switch;
    why it could not be updated (it stays behind, readers compute it from the snapshots), or None."""
    if not settings.getbool("LATEST_VIEW_ENABLED"):
        return None
    from crawler.install import MachineFailure
    from pipelines.output.latest import LatestError, update_latest

    try:
        update_latest(root, buckets=settings.getint("LATEST_BUCKETS"))
    except (LatestError, MachineFailure, OSError) as error:
        logger.warning("The latest view of %s was not updated after the reparse: %s", root, error)
        return str(error)
    return None
