"""What a stateful crawl remembers between runs: `--state DIR` (SQLite, DIR/state.sqlite).

Three jobs:
- incremental: per question URL, the validators of the version whose rows are committed
  (ETag, Last-Modified, the sitemap's lastmod, content hash), for conditional GETs and for
  skipping sitemap entries that did not change;
- resume: the crawl in progress (its id and start), and per batch an opaque token from the
  output (what it needs to commit the batch again), with what the batch holds: the URLs it
  answers for (`done`: each page under the URL asked for and the URL it ended at, and the URLs
  of pages dropped as a question already written), and the questions and doctors it wrote (a
  question met again after a restart, under any URL, is not written twice);
- ownership: one crawl at a time (DIR/lock, an flock the kernel releases when its process
  dies), one site and one output (recorded at first use, checked by pipelines.session).

Exactly once, even after SIGKILL: the output seals a batch, then the batch is recorded here
as pending with its token and the URLs and validators it carries, then the output commits
it (`commit(token)`, idempotent), then it is marked committed in one transaction. A restart
commits pending batches again (`open_crawl`) and skips the committed URLs. Validators change
only when the rows of the new version are committed, so a kill can never turn a changed page
into a 304 that loses it. This module knows nothing of what a token means.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipelines.output.unwritable import as_os_error, is_full

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, lastmod TEXT, content_sha256 TEXT, crawl_id TEXT,
    fetched_at TEXT, unserved_lastmod TEXT, lastmod_moves_alone INTEGER);
-- a validator's pages (shares_validator): one value, several contents is no validator
CREATE INDEX IF NOT EXISTS pages_etag ON pages (etag);
CREATE INDEX IF NOT EXISTS pages_last_modified ON pages (last_modified);
CREATE TABLE IF NOT EXISTS crawls (
    crawl_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, status TEXT, sites TEXT, start_urls TEXT);
CREATE TABLE IF NOT EXISTS batches (
    crawl_id TEXT, part INTEGER, token TEXT NOT NULL, committed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (crawl_id, part));
CREATE TABLE IF NOT EXISTS batch_pages (
    crawl_id TEXT, part INTEGER, url TEXT, etag TEXT, last_modified TEXT, lastmod TEXT, content_sha256 TEXT,
    fetched_at TEXT, unserved_lastmod TEXT, lastmod_moves_alone INTEGER);
CREATE TABLE IF NOT EXISTS done (crawl_id TEXT, url TEXT, PRIMARY KEY (crawl_id, url));
CREATE TABLE IF NOT EXISTS doctors (crawl_id TEXT, doctor_id TEXT, PRIMARY KEY (crawl_id, doctor_id));
CREATE TABLE IF NOT EXISTS questions (crawl_id TEXT, question TEXT, PRIMARY KEY (crawl_id, question));
CREATE TABLE IF NOT EXISTS owner (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS counts (crawl_id TEXT, name TEXT, value INTEGER, PRIMARY KEY (crawl_id, name));
"""
# Columns added since: a state written before gets them (null: not known) when opened.
ADDED_COLUMNS = (("pages", "fetched_at TEXT"), ("batch_pages", "fetched_at TEXT"), ("crawls", "sites TEXT"),
                 ("pages", "unserved_lastmod TEXT"), ("batch_pages", "unserved_lastmod TEXT"),
                 ("pages", "lastmod_moves_alone INTEGER"), ("batch_pages", "lastmod_moves_alone INTEGER"),
                 ("crawls", "start_urls TEXT"))
# The crawl a crawl on a state resumes: the last one that never finished.
UNFINISHED = ("SELECT crawl_id, started_at FROM crawls WHERE status IS NULL OR status = 'interrupted' "
              "ORDER BY started_at DESC LIMIT 1")
# The count of a crawl that ran to its own end and walked all it found (finish_crawl).
WALKED_ALL = "crawl/walked_all"
# Exit statuses of a crawl that never started because of its state folder.
EXIT_BUSY = 5  # another crawl holds the state
EXIT_UNUSABLE = 2  # not a folder, or a state of another site or output folder
EXIT_DAMAGED = 1  # state.sqlite is not a readable state


class StateError(Exception):
    """A state folder this crawl cannot use; the message is one line for the user."""

    def __init__(self, message: str, exit_status: int):
        super().__init__(message)
        self.exit_status = exit_status


@dataclass(frozen=True, slots=True)
class PageVersion:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the sitemap's, when the page came from one
    content_sha256: str | None = None  # None for a 304: the committed version stays
    # when the page was last fetched (ISO, UTC; a 304 too: the version was still current then),
    # to tell whether it came after all its sitemap lastmod speaks of; in a state written
    # before it was kept, its crawl's start (no later than the fetch)
    fetched_at: str | None = None
    # a sitemap lastmod later than `lastmod` whose change the server did not serve: it answered
    # with this very version (pipelines.session.CrawlSession.answered); the next request for the
    # page is sent without validators, and its answer settles the lastmod
    unserved_lastmod: str | None = None
    # an answer without validators to a moved lastmod held this very content: the page's lastmod
    # moves without it (a sitemap stamping "now"), and a 304 to the next one settles it; cleared
    # by the next content. Not compared: it says what the lastmod is worth, not which version
    lastmod_moves_alone: bool | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class OpenCrawl:
    crawl_id: str
    started_at: datetime
    resumed: bool
    next_part: int
    done: frozenset[str]
    doctors: frozenset[str]
    questions: frozenset[str]  # "site/question_id" of the questions its runs before this one wrote
    counts: dict  # what its runs before this one counted (pages fetched, failed...), as of their last batch


Commit = Callable[[str], None]  # the output's: commit the batch of this token (idempotent)


class CrawlState:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._lock = None
        # shares_validator's: the state's pages with a Last-Modified, and the dates most bear
        self._dated: int | None = None
        self._site_dates: set[str] = set()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            if is_full(error):
                raise StateError(unwritable_state(self.folder, error), EXIT_DAMAGED) from None
            raise StateError(f"cannot use {self.folder} as a state folder: {error.strerror or error}",
                             EXIT_UNUSABLE) from None
        try:
            self.db = sqlite3.connect(self.folder / "state.sqlite", isolation_level=None, timeout=30)
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            self._add_columns()
            # A truncated file can open and still be damaged further in: check it whole (ms).
            (check,) = self.db.execute("PRAGMA quick_check").fetchone()
        except (sqlite3.Error, OSError) as error:
            error = as_os_error(error)
            if is_full(error) or isinstance(error, OSError) and error.errno == errno.EMFILE:
                # not damaged: moving it away would lose what it knows
                raise StateError(unwritable_state(self.folder, error), EXIT_DAMAGED) from None
            raise StateError(f"{self.folder / 'state.sqlite'} is not a usable crawl state ({error}); "
                             "move it away to start afresh", EXIT_DAMAGED) from None
        if check != "ok":
            raise StateError(f"{self.folder / 'state.sqlite'} is damaged ({check}); move it away to start afresh",
                             EXIT_DAMAGED)

    # one crawl at a time -----------------------------------------------------------------

    def lock(self) -> None:
        """Hold the state for this process, or raise StateError naming the crawl that holds it.

        flock: the kernel drops the lock when its holder dies (even by SIGKILL), so a dead
        crawl's lock is taken over by the next crawl, which then resumes it."""
        handle = open(self.folder / "lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _holder(handle.read())
            handle.close()
            raise StateError(f"state folder {self.folder} is in use by {holder}; "
                             "one crawl at a time per state", EXIT_BUSY) from None
        self._lock = handle

    def record_holder(self, crawl_id: str) -> None:
        """Say in the lock file who holds it (for the message a second crawl gets)."""
        try:
            self._lock.seek(0)
            self._lock.truncate()
            self._lock.write(json.dumps({"crawl_id": crawl_id, **holder()}))
            self._lock.flush()
        except OSError as error:  # named, as the state's other writes
            raise OSError(error.errno, error.strerror, str(self.folder / "lock")) from error

    def _add_columns(self) -> None:
        for table, column in ADDED_COLUMNS:
            names = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column.split()[0] not in names:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")

    # what the state belongs to -----------------------------------------------------------

    def owner(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM owner WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_owner(self, key: str, value: str) -> None:
        with self._transaction():  # a full disk: an OSError naming the file, as every write of the state
            self.db.execute("INSERT INTO owner VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            (key, value))

    def committed_tokens(self) -> list[str]:
        return [token for (token,) in self.db.execute("SELECT token FROM batches WHERE committed = 1")]

    def forget(self) -> None:
        """Forget every page, crawl and batch (what they describe is gone); keep the owner."""
        with self._transaction():
            for table in ("pages", "crawls", "batches", "batch_pages", "done", "doctors", "questions", "counts"):
                self.db.execute(f"DELETE FROM {table}")

    # the crawl ---------------------------------------------------------------------------

    def open_crawl(self, crawl_id: str, started_at: datetime, commit: Commit, sites: str = "",
                   start_urls: list[str] | None = None) -> OpenCrawl:
        """Resume the last crawl if it never finished (committing its pending batch), else begin
        `crawl_id`, a crawl of `sites` from `start_urls` (crawl_sites, crawl_start_urls)."""
        row = self.db.execute(UNFINISHED).fetchone()
        if row is None:
            with self._transaction():
                self.db.execute("INSERT INTO crawls (crawl_id, started_at, sites, start_urls) VALUES (?, ?, ?, ?)",
                                (crawl_id, started_at.isoformat(), sites or None,
                                 json.dumps(start_urls) if start_urls else None))
            return OpenCrawl(crawl_id, started_at, False, 0, frozenset(), frozenset(), frozenset(), {})
        crawl_id, started = row[0], datetime.fromisoformat(row[1])
        with self._transaction():
            self.db.execute("UPDATE crawls SET status = NULL WHERE crawl_id = ?", (crawl_id,))
        self._roll_forward(crawl_id, commit)
        next_part = self.db.execute("SELECT coalesce(max(part) + 1, 0) FROM batches WHERE crawl_id = ?", (crawl_id,)).fetchone()[0]
        done = frozenset(r[0] for r in self.db.execute("SELECT url FROM done WHERE crawl_id = ?", (crawl_id,)))
        doctors = frozenset(r[0] for r in self.db.execute("SELECT doctor_id FROM doctors WHERE crawl_id = ?", (crawl_id,)))
        questions = frozenset(r[0] for r in self.db.execute("SELECT question FROM questions WHERE crawl_id = ?", (crawl_id,)))
        counts = dict(self.db.execute("SELECT name, value FROM counts WHERE crawl_id = ?", (crawl_id,)).fetchall())
        return OpenCrawl(crawl_id, started, True, next_part, done, doctors, questions, counts)

    def crawl_sites(self, crawl_id: str) -> str | None:
        """The sites a crawl was begun for, as open_crawl was given them (None: not recorded, a
        state written before they were)."""
        row = self.db.execute("SELECT sites FROM crawls WHERE crawl_id = ?", (crawl_id,)).fetchone()
        return row[0] if row else None

    def crawl_start_urls(self, crawl_id: str) -> list[str] | None:
        """The start URLs a crawl was begun with, as given (None: not recorded, a state written
        before they were)."""
        row = self.db.execute("SELECT start_urls FROM crawls WHERE crawl_id = ?", (crawl_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def unfinished_crawl(self) -> str | None:
        """The id of the crawl `open_crawl` resumes, if any."""
        row = self.db.execute(UNFINISHED).fetchone()
        return row[0] if row else None

    def crawl_tokens(self, crawl_id: str) -> list[str]:
        """The tokens of a crawl's batches, committed or pending: every file of it this state knows."""
        return [token for (token,) in self.db.execute("SELECT token FROM batches WHERE crawl_id = ?", (crawl_id,))]

    def finish_crawl(self, crawl_id: str, status: str, walked_all: bool = False) -> None:
        """The crawl ended with `status`; `walked_all`: it ran to its own end (no limit stopped
        it, no walk was cut at a bound), so the questions it knows are all its walks named."""
        with self._transaction():
            self.db.execute("UPDATE crawls SET status = ? WHERE crawl_id = ?", (status, crawl_id))
            if walked_all:
                self.db.execute("INSERT OR REPLACE INTO counts VALUES (?, ?, 1)", (crawl_id, WALKED_ALL))
            if status == "degraded":
                # Its pages may hold a hole (answers a redesign hid, a field moved): the versions it
                # saw are not kept, so the next crawl fetches them again and mends the hole once the
                # site or the parsers are fixed, rather than skipping them as unchanged for good.
                self.db.execute("UPDATE pages SET etag = NULL, last_modified = NULL, lastmod = NULL "
                                "WHERE crawl_id = ?", (crawl_id,))

    def knows_a_complete_crawl(self, crawl_id: str) -> bool:
        """Whether the last crawl that ended on this state before `crawl_id` ended `finished` and
        walked all it found (finish_crawl's `walked_all`: not stopped at --max-pages or another
        limit, no walk cut at a bound): the questions it knows are then all those its listings
        named. Said, not assumed: a crawl of an older state is not complete."""
        row = self.db.execute("SELECT crawl_id, status FROM crawls WHERE crawl_id != ? AND status IS NOT NULL "
                              "AND status != 'interrupted' ORDER BY started_at DESC LIMIT 1", (crawl_id,)).fetchone()
        if row is None or row[1] != "finished":
            return False
        said = self.db.execute("SELECT value FROM counts WHERE crawl_id = ? AND name = ?", (row[0], WALKED_ALL)).fetchone()
        return bool(said and said[0])

    # pages -------------------------------------------------------------------------------

    def knows_pages(self) -> bool:
        """Whether pages were committed (by an earlier crawl, or by this one before a restart):
        then sitemaps can say what did not change."""
        return self.db.execute("SELECT 1 FROM pages LIMIT 1").fetchone() is not None

    def pages_of_earlier_crawls(self, crawl_id: str) -> int:
        """How many pages the state knows from crawls before `crawl_id` (its own, if resumed, left out)."""
        return self.db.execute("SELECT count(*) FROM pages WHERE crawl_id != ?", (crawl_id,)).fetchone()[0]

    def of_earlier_crawl(self, url: str, crawl_id: str) -> bool:
        """Whether the version of `url` the state holds was committed by a crawl before `crawl_id`
        (one of the pages `pages_of_earlier_crawls` counts)."""
        return self.db.execute("SELECT 1 FROM pages WHERE url = ? AND crawl_id != ?", (url, crawl_id)).fetchone() is not None

    def version(self, url: str) -> PageVersion | None:
        row = self.db.execute("SELECT p.url, p.etag, p.last_modified, p.lastmod, p.content_sha256, "
                              "coalesce(p.fetched_at, c.started_at), p.unserved_lastmod, p.lastmod_moves_alone FROM pages p "
                              "LEFT JOIN crawls c ON c.crawl_id = p.crawl_id WHERE p.url = ?", (url,)).fetchone()
        return PageVersion(*row) if row else None

    def shares_validator(self, validator: str, value: str, content_sha256: str | None) -> bool:
        """Whether a `validator` ("etag" or "last_modified") value tells no version of a page from
        another's. An ETag names a content: one a page of other content holds too names none (the
        template's `"v1"`). A Last-Modified is a time, compared per page: pages changed at one
        time (on one day, where the server gives the date) share it rightly; only one that most
        pages the state holds bear, of other contents, is no time of theirs but the site's (a
        deploy's date)."""
        assert validator in ("etag", "last_modified")
        if validator == "etag":
            return self.db.execute("SELECT 1 FROM pages WHERE etag = ? AND content_sha256 IS NOT ? LIMIT 1",
                                   (value, content_sha256)).fetchone() is not None
        if value in self._site_dates:
            return True
        if self._dated is None:  # once a crawl: asked for every question page
            self._dated, = self.db.execute("SELECT count(last_modified) FROM pages").fetchone()
        half = self._dated // 2
        # counted no further than more than half: a date on every page is counted once, not per page
        others, = self.db.execute("SELECT count(*) FROM (SELECT 1 FROM pages WHERE last_modified = ? "
                                  "AND content_sha256 IS NOT ? LIMIT ?)", (value, content_sha256, half + 1)).fetchone()
        if others and 2 * (others + 1) > self._dated:  # with the page's own: more than half
            self._site_dates.add(value)
            return True
        return False

    def fill_lastmods(self, crawl_id: str, lastmods: dict[str, str]) -> None:
        """Give the pages this crawl fetched before its sitemaps named them the sitemaps' lastmod
        (a page found by a listing or a related link first): the next crawl can skip them too."""
        with self._transaction():
            self.db.executemany(
                "UPDATE pages SET lastmod = ? WHERE url = ? AND crawl_id = ? AND lastmod IS NULL",
                [(lastmod, url, crawl_id) for url, lastmod in lastmods.items()])

    # batches -----------------------------------------------------------------------------

    def commit_batch(self, crawl_id: str, part: int, token: str, pages: list[PageVersion], doctors: list[str],
                     commit: Commit, counts: dict[str, int] | None = None, questions: list[str] = ()) -> None:
        """Record a sealed batch as pending, have the output commit it, mark it committed: exactly once.
        `counts`: what the crawl has counted so far, for its row once it is resumed; `questions`:
        the questions ("site/question_id") the batch writes. A pending batch is committed again by
        the next run (`open_crawl`), so what it holds counts as written from now on."""
        with self._transaction():
            self.db.execute("INSERT INTO batches (crawl_id, part, token) VALUES (?, ?, ?)", (crawl_id, part, token))
            self.db.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?, ?)",
                                [(crawl_id, name, value) for name, value in (counts or {}).items()])
            self.db.executemany(
                "INSERT INTO batch_pages (crawl_id, part, url, etag, last_modified, lastmod, content_sha256, "
                "fetched_at, unserved_lastmod, lastmod_moves_alone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(crawl_id, part, p.url, p.etag, p.last_modified, p.lastmod, p.content_sha256, p.fetched_at,
                  p.unserved_lastmod, p.lastmod_moves_alone) for p in pages])
            self.db.executemany("INSERT OR IGNORE INTO doctors VALUES (?, ?)", [(crawl_id, d) for d in doctors])
            self.db.executemany("INSERT OR IGNORE INTO questions VALUES (?, ?)", [(crawl_id, q) for q in questions])
        commit(token)
        self._mark_committed(crawl_id, part)

    def _roll_forward(self, crawl_id: str, commit: Commit) -> None:
        pending = self.db.execute("SELECT part, token FROM batches WHERE crawl_id = ? AND committed = 0", (crawl_id,)).fetchall()
        for part, token in pending:
            commit(token)
            self._mark_committed(crawl_id, part)

    def _mark_committed(self, crawl_id: str, part: int) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT INTO pages (url, etag, last_modified, lastmod, content_sha256, crawl_id, fetched_at, "
                "lastmod_moves_alone) SELECT url, etag, last_modified, lastmod, content_sha256, crawl_id, fetched_at, "
                "lastmod_moves_alone "
                "FROM batch_pages WHERE crawl_id = ? AND part = ? AND content_sha256 IS NOT NULL "
                "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "lastmod = coalesce(excluded.lastmod, pages.lastmod), content_sha256 = excluded.content_sha256, "
                "crawl_id = excluded.crawl_id, fetched_at = excluded.fetched_at, unserved_lastmod = NULL, "
                "lastmod_moves_alone = excluded.lastmod_moves_alone",
                (crawl_id, part))
            # A 304 keeps the committed version; it may teach us the sitemap's lastmod, though, and
            # that the version was still the page's at that moment...
            self.db.execute(
                "UPDATE pages SET lastmod = coalesce(b.lastmod, pages.lastmod), "
                "fetched_at = coalesce(b.fetched_at, pages.fetched_at), unserved_lastmod = NULL FROM batch_pages b "
                "WHERE b.url = pages.url AND b.crawl_id = ? AND b.part = ? AND b.content_sha256 IS NULL "
                "AND b.unserved_lastmod IS NULL", (crawl_id, part))
            # ... unless it contradicts the sitemap: then only that the change is awaited.
            self.db.execute(
                "UPDATE pages SET unserved_lastmod = b.unserved_lastmod FROM batch_pages b "
                "WHERE b.url = pages.url AND b.crawl_id = ? AND b.part = ? AND b.unserved_lastmod IS NOT NULL",
                (crawl_id, part))
            self.db.execute("INSERT OR IGNORE INTO done SELECT crawl_id, url FROM batch_pages WHERE crawl_id = ? AND part = ?",
                            (crawl_id, part))
            self.db.execute("DELETE FROM batch_pages WHERE crawl_id = ? AND part = ?", (crawl_id, part))
            self.db.execute("UPDATE batches SET committed = 1 WHERE crawl_id = ? AND part = ?", (crawl_id, part))

    def _transaction(self):
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None


def resumes(folder: str | Path, crawl_id: str) -> bool:
    """Whether the state in `folder` would resume `crawl_id` (read-only, without its lock). A state
    that is gone (moved away to start afresh) resumes nothing; one that cannot be read now may."""
    path = Path(folder) / "state.sqlite"
    if not path.is_file():
        return False
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute(UNFINISHED).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return True
    return row is not None and row[0] == crawl_id


def holder() -> dict:
    """What a lock file says of the process holding it, for the line a second crawl gets."""
    return {"pid": os.getpid(), "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def held_by(text: str) -> dict | None:
    """A lock file's content (`holder()` and more), or None while its crawl is taking it."""
    try:
        info = json.loads(text)
    except ValueError:
        return None
    return info if isinstance(info, dict) and {"pid", "since"} <= info.keys() else None


def _holder(text: str) -> str:
    info = held_by(text)
    if info is None or "crawl_id" not in info:
        return "another crawl (starting)"
    return f"crawl {info['crawl_id']} (pid {info['pid']}) since {info['since']}"


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK on an error. A state that cannot be written (its disk is
    full) is an OSError naming its file, as any output that cannot be written: the crawl stops."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self._do("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        if kind is None:
            try:
                self._do("COMMIT")
            except OSError:
                self._rollback()
                raise
            return False
        self._rollback()
        if isinstance(value, sqlite3.Error):
            raise _unwritable(self.db, value) from value
        return False

    def _do(self, statement: str) -> None:
        try:
            self.db.execute(statement)
        except sqlite3.Error as error:
            raise _unwritable(self.db, error) from error

    def _rollback(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite rolled back itself (a full disk): nothing is left to undo
            pass


def _unwritable(db, error: sqlite3.Error) -> OSError:
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), None)
    cause = as_os_error(error)
    if isinstance(cause, OSError):
        return OSError(cause.errno, cause.strerror, path)
    return OSError(errno.ENOSPC if is_full(error) else errno.EIO, str(error), path)


def unwritable_state(folder: Path, error: BaseException) -> str:
    """A state folder that cannot be written, in one line; for a full disk, what to do."""
    error = as_os_error(error)
    why = getattr(error, "strerror", None) or str(error)
    if not is_full(error):
        return f"cannot write to state folder {folder}: {why}"
    return (f"cannot write to state folder {folder}: its disk is full ({why}); free space there and run the same "
            "command again: the state is not damaged (a crawl it left unfinished resumes)")
