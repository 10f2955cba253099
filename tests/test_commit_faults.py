"""The commit under storage faults: a sealed file gone before its commit publishes nothing, a
state whose disk is full is an OSError naming its file (the crawl stops, as for any output),
and the archive's writer says its first failure at once instead of waiting for a seal."""
from __future__ import annotations

import errno
import pickle
import socket
import sqlite3
import threading
from datetime import datetime, timezone

import pytest

from crawler.archive.writer import serve
from crawler.extraction import HEADER, frame
from pipelines.output.parquet import publish
from pipelines.state import CrawlState, PageVersion


def test_a_batch_with_a_sealed_file_gone_publishes_none_of_its_files(tmp_path):
    (tmp_path / "data").mkdir()
    kept = (tmp_path / "data" / ".q.tmp", tmp_path / "data" / "q.parquet")
    kept[0].write_text("rows")
    gone = (tmp_path / "archive" / ".a.warc.gz.tmp", tmp_path / "archive" / "a.warc.gz")  # its folder moved away
    with pytest.raises(FileNotFoundError, match="went away before its commit") as error:
        publish([kept, gone])
    assert error.value.filename == str(gone[0])
    assert kept[0].exists() and not kept[1].exists()


def test_a_batch_published_already_is_published_again_without_error(tmp_path):
    final = tmp_path / "q.parquet"
    final.write_text("rows")
    publish([(tmp_path / ".q.tmp", final)])  # a restart's roll-forward: the rename happened
    assert final.read_text() == "rows"


def test_a_sealed_batch_never_replaces_a_committed_file_of_the_same_name(tmp_path):
    # e.g. another run of the same crawl committed that part number already
    mine = [(tmp_path / f".c-00004.{d}.tmp", tmp_path / f"c-00004.{d}.parquet") for d in ("q", "a")]
    for tmp, _ in mine:
        tmp.write_text("new rows")
    mine[1][1].write_text("committed rows")
    with pytest.raises(FileExistsError, match="never replaced") as error:
        publish(mine)
    assert error.value.filename == str(mine[1][1])
    assert mine[1][1].read_text() == "committed rows" and not mine[0][1].exists()  # all or none


def test_a_state_that_cannot_be_written_is_an_oserror_naming_its_file_and_stays_usable(tmp_path):
    state = CrawlState(tmp_path / "state")
    state.open_crawl("c1", datetime.now(timezone.utc), commit=lambda token: None)
    pages = state.db.execute("PRAGMA page_count").fetchone()[0]
    state.db.execute(f"PRAGMA max_page_count = {pages}")  # as full as a disk with no room left
    many = [PageVersion(f"http://h/question/{i}-{'x' * 200}", content_sha256="0" * 64) for i in range(2000)]
    committed = []
    with pytest.raises(OSError) as error:
        state.commit_batch("c1", 0, "token", many, [], commit=committed.append)
    assert error.value.filename == str(tmp_path / "state" / "state.sqlite")
    assert "full" in error.value.strerror and not committed  # nothing published for a batch not recorded
    assert error.value.errno == errno.ENOSPC  # a full disk, said as such (free space, run again), not a damaged state
    state.db.execute("PRAGMA max_page_count = 1073741823")
    state.commit_batch("c1", 0, "token", many[:3], [], commit=committed.append)  # no transaction left open
    assert committed == ["token"]


def _disk_full() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL  # as SQLite's own
    return error


def _full_connect(*args, **kwargs):
    raise _disk_full()


class _FullDatabase:
    """A state connection whose disk fills: it reads, but every write fails as SQLite's does."""

    def __init__(self, db):
        self.db = db

    def execute(self, statement, *args):
        if statement.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "BEGIN"):
            raise _disk_full()
        return self.db.execute(statement, *args)

    def __getattr__(self, name):
        return getattr(self.db, name)


@pytest.mark.parametrize("new", [False, True], ids=["existing-state", "new-state"])
def test_a_state_on_a_full_disk_is_said_full_with_what_to_do_never_damaged(tmp_path, monkeypatch, new):
    """Not `OperationalError: ...`, not `not a usable crawl state ...; move it away` (which would
    lose a healthy state's knowledge): its folder, that its disk is full, and what to do."""
    from scrapy.settings import Settings

    from pipelines import state as state_module
    from pipelines.output.datasets import ParquetDatasets
    from pipelines.session import CrawlSession
    from pipelines.state import StateError

    folder, data = tmp_path / "state", tmp_path / "data"
    settings = Settings({"STATE_DIR": str(folder)})
    with pytest.raises(StateError) as refused:
        if new:  # the state's file cannot even be made
            monkeypatch.setattr(state_module.sqlite3, "connect", _full_connect)
            CrawlSession(settings)
        else:
            session = CrawlSession(settings)
            session.state.db = _FullDatabase(session.state.db)
            output = ParquetDatasets(data, row_group_rows=100, row_group_bytes=1 << 20, file_rows=1000)
            session.open(["http://127.0.0.1:9/"], output, data)
    message = str(refused.value)
    assert message == (f"cannot write to state folder {folder}: its disk is full (database or disk is full); free "
                       "space there and run the same command again: the state is not damaged (a crawl it left "
                       "unfinished resumes)")
    assert refused.value.exit_status == 1
    assert not list(data.glob(".*.running"))  # nothing held


class _FullDisk:
    def __init__(self):
        self.written, self.aborted = 0, False

    def write(self, exchange):
        self.written += 1
        raise OSError(28, "No space left on device", "/archive/.c-00000.warc.gz.tmp")

    def seal(self):
        raise AssertionError("a writer that failed seals nothing")

    def abort(self):
        self.aborted = True


def test_the_archive_writer_says_its_first_failure_at_once_and_stops_reading():
    from crawler.archive.files import Exchange

    ours, theirs = socket.socketpair()
    ours.settimeout(10)  # a writer that waits for a seal never answers
    files = _FullDisk()
    server = threading.Thread(target=serve, args=(theirs.makefile("rwb"), files), daemon=True)
    server.start()
    exchange = Exchange("http://h/q", datetime.now(timezone.utc), "GET", [], b"", 200, None, [], b"x", None, None)
    ours.sendall(frame(exchange))
    answers = ours.makefile("rb")
    header = answers.read(HEADER.size)  # no seal asked: the error comes by itself
    kind, reason = pickle.loads(answers.read(HEADER.unpack(header)[0]))
    server.join(timeout=10)
    assert not server.is_alive() and files.written == 1 and files.aborted
    assert (kind, reason) == ("error", "No space left on device: /archive/.c-00000.warc.gz.tmp")
    ours.close()
    theirs.close()


def test_an_output_folder_moved_away_mid_crawl_fails_the_crawl_not_a_finished_row_short_of_rows(reference_site, tmp_path):
    """A state's crawl commits batches as it goes: a folder rotated away under it (its
    earlier batches gone with it) must not end `finished` with a row counting rows not there."""
    import subprocess

    from tests.crawling import CRAWL_TIMEOUT, crawl_command, crawl_rows, wait_for

    site = reference_site(questions=300, faults="latency=30ms")
    data = tmp_path / "data"
    crawl = subprocess.Popen(crawl_command(site.url, "--out", data, "--state", tmp_path / "state",
                                           "-s", "CHECKPOINT_PAGES=30"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    wait_for(lambda: any(data.glob("questions/*/*.parquet")) or crawl.poll() is not None, what="a first batch")
    assert crawl.poll() is None, "the crawl ended before its first batch was moved"
    data.rename(tmp_path / "data.old")
    data.mkdir()
    out, err = crawl.communicate(timeout=CRAWL_TIMEOUT)
    assert crawl.returncode == 1, out + err
    (row,) = crawl_rows(data)
    # (a move in the middle of a commit is met there: a sealed file went away)
    assert row["status"] == "failed" and ("no longer holds files committed to it" in row["message"]
                                          or "went away before its commit" in row["message"]), row["message"]


def test_a_full_disk_is_said_with_what_to_do_other_failures_as_they_are():
    from pipelines.output.unwritable import cannot_write, is_full

    full = OSError(errno.ENOSPC, "No space left on device", "/d/x")
    assert cannot_write("/d", full, "run the crawl again") == (
        "cannot write to /d: No space left on device; free space there and run the crawl again")
    assert cannot_write("/d", OSError(errno.EDQUOT, "Disk quota exceeded")).endswith("; free space there")
    assert cannot_write("/d", OSError(errno.EROFS, "Read-only file system"), "x") == (
        "cannot write to /d: Read-only file system")  # freeing space would not help
    assert is_full(_disk_full()) and not is_full(sqlite3.OperationalError("database is locked"))
