"""Output faults: an output folder that cannot be written, a disk that fills mid-crawl.

Either way the crawl stops with one clear error line (naming the folder and the reason),
a non-zero exit status and no traceback; it leaves no partial file, and no `crawls` row
claims that it finished.

Tests may run as root, where permission bits do not stop a write: the cases that must run
everywhere use a file in place of a folder (ENOTDIR) and RLIMIT_FSIZE (EFBIG, a size-limited
file system). A chmod'ed folder is tried when not root; read-only and 1 MB tmpfs mounts are
tried when the test may mount (root, and a kernel that lets it).
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.crawling import CRAWL_TIMEOUT, crawl, crawl_command, crawl_rows, partial_files, question_hits


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " ERROR: " in line or line.startswith("ERROR")]


def assert_stopped_cleanly(result: subprocess.CompletedProcess, out: Path, reason: str) -> None:
    stderr = result.stderr
    assert result.returncode != 0, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-5000:]
    errors = error_lines(stderr)
    assert len(errors) == 1, errors
    assert "cannot write to" in errors[0] and str(out) in errors[0] and reason in errors[0], errors[0]
    assert stderr.rstrip().splitlines()[-1].endswith(": failed")
    if out.is_dir():
        assert partial_files(out) == []
        for path in out.rglob("*.parquet"):  # whatever is in place is whole
            pq.read_table(path)
        for row in crawl_rows(out):
            assert row["status"] == "failed" and row["status"] != "finished"
            assert reason in (row["message"] or "")


# ---- a folder that cannot be written -------------------------------------------------------

def test_output_path_through_a_file(reference_site, tmp_path):
    """A file where a folder of the output path should be: fails for root too (ENOTDIR).

    The CLI and `scrapy crawl` refuse it as a bad argument (exit 2), before the first request."""
    site = reference_site(questions=100)
    (tmp_path / "afile").write_text("not a folder")
    out = tmp_path / "afile" / "data"
    result = crawl(site.url, "--out", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"doctor-answers crawl: error: argument --out: not a folder: '{out}' is under '{tmp_path / 'afile'}', "
        "which is a file"]
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "questions", "-a", f"start_url={site.url}",
                             "-s", f"DATA_DIR={out}"], capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    assert result.returncode == 2 and "Traceback" not in result.stderr  # refused as the CLI refuses it
    assert result.stderr.strip().splitlines()[-1] == (
        f"scrapy crawl: DATA_DIR: not a folder: '{out}' is under '{tmp_path / 'afile'}', which is a file")
    assert not site.hits  # checked before the first request, not after a whole crawl


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_output_folder_without_write_permission(reference_site, tmp_path):
    site = reference_site(questions=100)
    out = tmp_path / "data"
    out.mkdir()
    out.chmod(0o500)
    try:
        result = crawl(site.url, "--out", out)
    finally:
        out.chmod(0o700)
    assert_stopped_cleanly(result, out, "Permission denied")
    assert not site.hits


# ---- a disk that fills mid-crawl -----------------------------------------------------------

def file_size_limit(limit: int):
    def preexec():
        # Writes past `limit` bytes fail with EFBIG instead of killing the process (SIGXFSZ).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_a_size_limited_file_system_fills_mid_crawl(reference_site, tmp_path):
    site = reference_site(questions=300)
    out = tmp_path / "data"
    # Small row groups: rows reach the disk while the crawl runs, and the 64 KB limit is met
    # after some pages, not at the start or at the end.
    args = [site.url, "--out", out, "-s", "PARQUET_ROW_GROUP_ROWS=50"]
    result = subprocess.run(crawl_command(*args), capture_output=True, text=True, timeout=CRAWL_TIMEOUT,
                            preexec_fn=file_size_limit(64 * 1024))
    assert_stopped_cleanly(result, out, "File too large")
    fetched = question_hits(site)
    assert 0 < fetched < 300  # stopped mid-crawl
    (row,) = crawl_rows(out)  # the small crawls row still fits: it says how the crawl ended
    assert row["status"] == "failed"


# ---- real small file systems, where the test may mount them --------------------------------

@pytest.fixture
def tmpfs(tmp_path):
    """mount(size, read_only=False) -> a fresh tmpfs folder; skipped where mounting is not allowed."""
    mounted = []

    def mount(size: str, read_only: bool = False) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        point = tmp_path / f"tmpfs-{uuid.uuid4().hex[:8]}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


@pytest.fixture
def read_only():
    """read_only(folder): `folder` made read-only (a read-only bind mount of itself: root writes
    through permission bits); skipped where the test may not mount."""
    mounted = []

    def bind(folder: Path) -> None:
        if os.geteuid() != 0:
            pytest.skip("a read-only bind mount needs root")
        for options in (["--bind"], ["-o", "remount,ro,bind"]):
            done = subprocess.run(["mount", *options, str(folder), str(folder)], capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
            mounted.append(folder) if options == ["--bind"] else None

    yield bind
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.mark.parametrize("folder", ["questions", "crawls", "answers/crawl_date={today}"])
def test_a_dataset_folder_that_cannot_be_written_is_found_before_the_first_request_and_named(reference_site, tmp_path,
                                                                                            read_only, folder):
    """The data folder writable, one of its folders the crawl writes in not (another user's run
    made it, or it is read-only): the crawl fetched the whole site, then failed naming the data
    folder, which was writable. Now it stops before the first question page, naming that folder."""
    from datetime import datetime, timezone

    site = reference_site(questions=30)
    data = tmp_path / "data"
    refused = data / folder.format(today=f"{datetime.now(timezone.utc):%Y-%m-%d}")
    refused.mkdir(parents=True)
    read_only(refused)
    result = crawl(site.url, "--out", data)
    assert_stopped_cleanly(result, refused, "Read-only file system")
    assert f"why: cannot write to {refused}: Read-only file system" in result.stdout, result.stdout
    assert question_hits(site) == 0  # its row, where it can be written, says failed (assert_stopped_cleanly)


def test_a_read_only_file_system(reference_site, tmpfs):
    site = reference_site(questions=100)
    out = tmpfs("1m", read_only=True)
    result = crawl(site.url, "--out", out)
    assert_stopped_cleanly(result, out, "Read-only file system")
    assert not site.hits
    assert list(out.iterdir()) == []


def test_a_full_tmpfs_mid_crawl(reference_site, tmpfs):
    site = reference_site(questions=300)
    out = tmpfs("1m")
    # Leave about 96 KB free: the crawl fills it after some pages.
    with open(out / "filler", "wb") as f:
        try:
            f.write(b"\0" * (1024 * 1024 - 96 * 1024))
        except OSError:
            pass
    data = out / "data"
    result = crawl(site.url, "--out", data, "-s", "PARQUET_ROW_GROUP_ROWS=50")
    assert_stopped_cleanly(result, data, "No space left on device")
    assert 0 < question_hits(site) < 300


def test_a_disk_that_fills_as_a_batch_is_sealed_leaves_no_file_of_it(reference_site, tmpfs, tmp_path):
    """The archive (elsewhere) seals its files for the batch first; the datasets' seal then
    fails: neither the WARC files nor a dataset already sealed may stay as temporaries."""
    site = reference_site(questions=200)
    data = tmpfs("60k") / "data"
    result = crawl(site.url, "--out", data, "--archive", tmp_path / "archive")
    assert_stopped_cleanly(result, data, "No space left on device")
    assert partial_files(tmp_path / "archive") == []


# ---- the crawls row on a full disk ----------------------------------------------------------

# `doctor-answers crawl` with the disk full at chosen writes of the crawls row (1: the first),
# and optionally at the latest view's update: an exact moment, which a real disk hits by chance.
FULL_AT = """
import errno, sys
import pipelines.crawls as crawls
import pipelines.output.latest as latest
fail, view_fails = {int(n) for n in sys.argv[1].split(",") if n}, sys.argv[2] == "view"
real, calls = crawls.write_table, []
def full():
    return OSError(errno.ENOSPC, "No space left on device")
def write_table(path, table):
    calls.append(path)
    if len(calls) in fail:
        raise full()
    real(path, table)
def update_latest(root, **kwargs):
    raise full()
crawls.write_table = write_table
if view_fails:
    latest.update_latest = update_latest
from crawler.cli import main
sys.exit(main(sys.argv[3:]))
"""


def crawl_full_at(fail: str, view: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FULL_AT, fail, view, "crawl", *map(str, args)],
                          capture_output=True, text=True, timeout=CRAWL_TIMEOUT)


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "state"])
def test_a_crawls_row_that_cannot_be_written_fails_the_crawl_which_is_not_committed(reference_site, tmp_path,
                                                                                   stateful):
    from pipelines.loader import load

    site = reference_site(questions=60)
    data = tmp_path / "data"
    state = ["--state", tmp_path / "state"] if stateful else []
    result = crawl_full_at("1", "", site.url, "--out", data, *state)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.rstrip().splitlines()[-1].endswith(": failed")
    (error,) = error_lines(result.stderr)
    assert f"cannot write to {data}: No space left on device; free space there and " in error, error
    assert "crawl " in result.stdout and ": failed" in result.stdout.splitlines()[1]
    why = next(line for line in result.stdout.splitlines() if line.startswith("  why: "))
    assert "not committed" in why and "No space left on device" in why and str(data) in why
    assert crawl_rows(data) == []  # not committed: no reader that joins on crawls sees its files
    assert load("questions", root=data).empty and load("questions", root=data, latest=False).empty
    if stateful:  # its batches are committed in the state: the same command resumes it and writes its row
        again = crawl(site.url, "--out", data, *state)
        assert again.returncode == 0, again.stderr[-3000:]
        (row,) = crawl_rows(data)
        assert row["status"] == "finished" and row["questions"] == 60
        assert len(load("questions", root=data)) == 60


@pytest.mark.parametrize("fail, view, status, words", [
    ("2", "view", "degraded", "could not be rewritten with why the view is behind"),
    ("2", "", "degraded", "was updated, but the crawls row could not be rewritten as finished"),
    ("", "view", "degraded", "No space left on device): it shows the crawls before this one"),
    ("3", "", "finished", None),  # nothing fails: the second write says finished
])
def test_a_crawls_row_never_says_finished_when_the_crawl_says_otherwise(reference_site, tmp_path, fail, view,
                                                                        status, words):
    """The row is written before the latest view's update, then rewritten: whichever of those
    fails, the row, the summary and the exit status say the same, and never a false `finished`."""
    site = reference_site(questions=60)
    data = tmp_path / "data"
    result = crawl_full_at(fail, view, site.url, "--out", data)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == {"finished": 0, "degraded": 4}[status], result.stderr[-3000:]
    assert result.stdout.splitlines()[1].endswith(f": {status}")
    (row,) = crawl_rows(data)
    assert row["status"] == status and row["questions"] == 60
    if words:
        if fail:  # the rewrite failed: said on stderr, with what to do, and the row says the view is behind
            assert words in result.stderr and "free space there" in result.stderr, result.stderr
            assert "was not updated" in row["message"]
        else:
            assert words in row["message"]
        assert "latest_view_updated" in {check["name"] for check in row["checks"] if not check["passed"]}


# ---- the log on a full disk ------------------------------------------------------------------

# `doctor-answers crawl` whose log files take `limit` bytes, then fail as a full disk does: the
# write that does not fit, and every flush and close after it (the bytes stay buffered).
LOG_FULL_AT = """
import errno, logging, sys
limit = int(sys.argv[1])
class Full:
    def __init__(self, stream):
        self.stream, self.written, self.failed = stream, 0, False
    def write(self, text):
        if self.failed or self.written + len(text) > limit:
            self.failed = True
            raise OSError(errno.ENOSPC, "No space left on device")
        self.written += len(text)
        return self.stream.write(text)
    def flush(self):
        self.stream.flush()
        if self.failed:
            raise OSError(errno.ENOSPC, "No space left on device")
    def close(self):
        self.stream.close()
        if self.failed:
            raise OSError(errno.ENOSPC, "No space left on device")
real_open = logging.FileHandler._open
logging.FileHandler._open = lambda self: Full(real_open(self))
from crawler.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("limit", [0, 4096])
@pytest.mark.parametrize("default_log", [False, True], ids=["log-file", "default-log"])
def test_a_log_on_a_full_disk_is_cut_short_and_said_in_one_line_never_a_traceback(reference_site, tmp_path, limit,
                                                                                 default_log):
    site = reference_site(questions=40)
    data = tmp_path / "data"
    log = ([] if default_log else ["--log-file", tmp_path / "crawl.log"])
    result = subprocess.run([sys.executable, "-c", LOG_FULL_AT, str(limit), "crawl", site.url, "--out", data, *log],
                            capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = result.stderr.strip().splitlines()  # the crawl finished: the cut log is all there is to say
    assert " is cut short (No space left on device): " in line and "free space there" in line, line
    path = next(data.glob("logs/*.log")) if default_log else tmp_path / "crawl.log"
    assert str(path) in line and path.stat().st_size <= limit
    assert result.stdout.splitlines()[1].endswith(": finished")
    assert f"log: {path} (cut short: No space left on device)" in result.stdout
    (row,) = crawl_rows(data)
    assert row["status"] == "finished" and row["questions"] == 40


def test_a_default_log_on_a_full_output_disk_ends_in_the_crawls_outcome_not_a_traceback(reference_site, tmpfs):
    site = reference_site(questions=40)
    full = tmpfs("256k")
    with open(full / "filler", "wb") as f:  # not a byte left
        try:
            f.write(b"\0" * 512 * 1024)
        except OSError:
            pass
    data = full / "data"
    result = crawl(site.url, "--out", data)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith(": failed") and sum(" is cut short (No space left on device)" in line for line in lines) == 1
    assert f"cannot write to {data}: No space left on device; free space there" in result.stdout
    assert crawl_rows(data) == []


def test_a_full_disk_mid_crawl_with_a_state_says_what_the_same_command_then_does(reference_site, tmpfs, tmp_path):
    """The crawl's `failed` row is written, which ends it: the same command starts a new crawl,
    and the line says so (it promised a resume the state does not make: every page fetched again)."""
    site = reference_site(questions=300)
    full = tmpfs("1m")
    with open(full / "filler", "wb") as f:  # about 96 KB left: filled after some pages
        try:
            f.write(b"\0" * (1024 * 1024 - 160 * 1024))
        except OSError:
            pass
    out, state = tmp_path / "data", ["--state", full / "state"]  # the state's disk fills; the row fits
    result = crawl(site.url, "--out", out, *state)
    assert result.returncode == 1, result.stderr[-3000:]
    (failed,) = crawl_rows(out)
    (error,) = error_lines(result.stderr)
    assert "free space there and run the crawl again (a new crawl: this one ends failed)" in error, error
    assert "resumes" not in error and "resumes" not in failed["message"]
    (full / "filler").unlink()
    again = crawl(site.url, "--out", out, *state)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming" not in again.stdout and len({row["crawl_id"] for row in crawl_rows(out)}) == 2
