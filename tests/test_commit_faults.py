"""The commit under storage faults: a sealed file gone before its commit publishes nothing, a
state whose disk is full is an OSError naming its file (the crawl stops, as for any output),
and the archive's writer says its first failure at once instead of waiting for a seal."""
from __future__ import annotations

import pickle
import socket
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
    state.db.execute("PRAGMA max_page_count = 1073741823")
    state.commit_batch("c1", 0, "token", many[:3], [], commit=committed.append)  # no transaction left open
    assert committed == ["token"]


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
