"""What a stateful crawl remembers between runs: `--state DIR` (SQLite, DIR/state.sqlite).

Two jobs:
- incremental: per question URL, the validators of the version whose rows are committed
  (ETag, Last-Modified, the sitemap's lastmod, content hash), for conditional GETs and for
  skipping sitemap entries that did not change;
- resume: the crawl in progress (its id and start), and per batch of files what it holds.

Exactly once, even after SIGKILL: a batch's files are sealed and fsynced under temporary
names, then recorded as pending with the URLs and validators they carry, then renamed, then
marked committed in one transaction. A restart rolls pending batches forward (the sealed
files are whole), deletes any other temporary file of the crawl, and skips the committed URLs.
Validators change only when the rows of the new version are committed, so a kill can never
turn a changed page into a 304 that loses it.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.parquet import publish

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, lastmod TEXT, content_sha256 TEXT, crawl_id TEXT);
CREATE TABLE IF NOT EXISTS crawls (
    crawl_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, status TEXT);
CREATE TABLE IF NOT EXISTS batches (
    crawl_id TEXT, part INTEGER, files TEXT NOT NULL, committed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (crawl_id, part));
CREATE TABLE IF NOT EXISTS batch_pages (
    crawl_id TEXT, part INTEGER, url TEXT, etag TEXT, last_modified TEXT, lastmod TEXT, content_sha256 TEXT);
CREATE TABLE IF NOT EXISTS done (crawl_id TEXT, url TEXT, PRIMARY KEY (crawl_id, url));
CREATE TABLE IF NOT EXISTS doctors (crawl_id TEXT, doctor_id TEXT, PRIMARY KEY (crawl_id, doctor_id));
"""


@dataclass(frozen=True, slots=True)
class PageVersion:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the sitemap's, when the page came from one
    content_sha256: str | None = None  # None for a 304: the committed version stays


@dataclass(frozen=True, slots=True)
class OpenCrawl:
    crawl_id: str
    started_at: datetime
    resumed: bool
    next_part: int
    done: frozenset[str]
    doctors: frozenset[str]


class CrawlState:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.folder / "state.sqlite", isolation_level=None)
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    # the crawl ---------------------------------------------------------------------------

    def open_crawl(self, crawl_id: str, started_at: datetime) -> OpenCrawl:
        """Resume the last crawl if it never finished, else begin `crawl_id`."""
        row = self.db.execute(
            "SELECT crawl_id, started_at FROM crawls WHERE status IS NULL OR status = 'interrupted' "
            "ORDER BY started_at DESC LIMIT 1").fetchone()
        if row is None:
            self.db.execute("INSERT INTO crawls (crawl_id, started_at) VALUES (?, ?)", (crawl_id, started_at.isoformat()))
            return OpenCrawl(crawl_id, started_at, False, 0, frozenset(), frozenset())
        crawl_id, started = row[0], datetime.fromisoformat(row[1])
        self.db.execute("UPDATE crawls SET status = NULL WHERE crawl_id = ?", (crawl_id,))
        self._roll_forward(crawl_id)
        next_part = self.db.execute("SELECT coalesce(max(part) + 1, 0) FROM batches WHERE crawl_id = ?", (crawl_id,)).fetchone()[0]
        done = frozenset(r[0] for r in self.db.execute("SELECT url FROM done WHERE crawl_id = ?", (crawl_id,)))
        doctors = frozenset(r[0] for r in self.db.execute("SELECT doctor_id FROM doctors WHERE crawl_id = ?", (crawl_id,)))
        return OpenCrawl(crawl_id, started, True, next_part, done, doctors)

    def finish_crawl(self, crawl_id: str, status: str) -> None:
        self.db.execute("UPDATE crawls SET status = ? WHERE crawl_id = ?", (status, crawl_id))

    def batch_files(self, crawl_id: str) -> set[Path]:
        """Every final path of the crawl's batches (to tell a stale temporary file from a sealed one)."""
        paths = set()
        for (files,) in self.db.execute("SELECT files FROM batches WHERE crawl_id = ?", (crawl_id,)):
            paths.update(Path(final) for _, final in json.loads(files))
        return paths

    # pages -------------------------------------------------------------------------------

    def knows_pages(self) -> bool:
        """Whether pages were committed (by an earlier crawl, or by this one before a restart):
        then sitemaps can say what did not change."""
        return self.db.execute("SELECT 1 FROM pages LIMIT 1").fetchone() is not None

    def version(self, url: str) -> PageVersion | None:
        row = self.db.execute("SELECT url, etag, last_modified, lastmod, content_sha256 FROM pages WHERE url = ?", (url,)).fetchone()
        return PageVersion(*row) if row else None

    def fill_lastmods(self, crawl_id: str, lastmods: dict[str, str]) -> None:
        """Give the pages this crawl fetched before its sitemaps named them the sitemaps' lastmod
        (a page found by a listing or a related link first): the next crawl can skip them too."""
        with self._transaction():
            self.db.executemany(
                "UPDATE pages SET lastmod = ? WHERE url = ? AND crawl_id = ? AND lastmod IS NULL",
                [(lastmod, url, crawl_id) for url, lastmod in lastmods.items()])

    # batches -----------------------------------------------------------------------------

    def commit_batch(self, crawl_id: str, part: int, files: list[tuple[Path, Path]],
                     pages: list[PageVersion], doctors: list[str]) -> None:
        """Put a batch's sealed files in place and remember what they hold, exactly once."""
        with self._transaction():
            self.db.execute("INSERT INTO batches (crawl_id, part, files) VALUES (?, ?, ?)",
                            (crawl_id, part, json.dumps([[str(t), str(f)] for t, f in files])))
            self.db.executemany(
                "INSERT INTO batch_pages VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(crawl_id, part, p.url, p.etag, p.last_modified, p.lastmod, p.content_sha256) for p in pages])
            self.db.executemany("INSERT OR IGNORE INTO doctors VALUES (?, ?)", [(crawl_id, d) for d in doctors])
        publish(files)
        self._mark_committed(crawl_id, part)

    def _roll_forward(self, crawl_id: str) -> None:
        pending = self.db.execute("SELECT part, files FROM batches WHERE crawl_id = ? AND committed = 0", (crawl_id,)).fetchall()
        for part, files in pending:
            publish([(Path(t), Path(f)) for t, f in json.loads(files)])
            self._mark_committed(crawl_id, part)

    def _mark_committed(self, crawl_id: str, part: int) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT INTO pages SELECT url, etag, last_modified, lastmod, content_sha256, crawl_id FROM batch_pages "
                "WHERE crawl_id = ? AND part = ? AND content_sha256 IS NOT NULL "
                "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "lastmod = coalesce(excluded.lastmod, pages.lastmod), content_sha256 = excluded.content_sha256, "
                "crawl_id = excluded.crawl_id", (crawl_id, part))
            # A 304 keeps the committed version; it may teach us the sitemap's lastmod, though.
            self.db.execute(
                "UPDATE pages SET lastmod = (SELECT b.lastmod FROM batch_pages b WHERE b.crawl_id = ? AND b.part = ? "
                "AND b.url = pages.url AND b.content_sha256 IS NULL AND b.lastmod IS NOT NULL) "
                "WHERE url IN (SELECT url FROM batch_pages WHERE crawl_id = ? AND part = ? "
                "AND content_sha256 IS NULL AND lastmod IS NOT NULL)", (crawl_id, part, crawl_id, part))
            self.db.execute("INSERT OR IGNORE INTO done SELECT crawl_id, url FROM batch_pages WHERE crawl_id = ? AND part = ?",
                            (crawl_id, part))
            self.db.execute("DELETE FROM batch_pages WHERE crawl_id = ? AND part = ?", (crawl_id, part))
            self.db.execute("UPDATE batches SET committed = 1 WHERE crawl_id = ? AND part = ?", (crawl_id, part))

    def _transaction(self):
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
