"""A resumed crawl's `crawls` row counts every row of the crawl readers see, at every moment.

A stateful crawl stopped (its row says `interrupted`) and resumed keeps its id and its row, so
readers see the batches its run commits at once: the row is rewritten with each of them. A
kill of the resumed run (SIGKILL: no end written) leaves a row that still counts the data.

The stops are sent from inside the crawl's process when its state has committed the N-th
batch (a wrapper script), so that the moment is the same on every run."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.output.names import files_of_crawl
from tests.crawling import crawl, crawl_rows

ROOT = Path(__file__).resolve().parent.parent

# argv: project root, the batch after which to stop, the signal, then the CLI's arguments
STOP_AT_BATCH = """
import os, sys
sys.path.insert(0, sys.argv[1])
from pipelines.state import CrawlState
real, batches = CrawlState.commit_batch, [0]
def commit_batch(self, *args, **kwargs):
    real(self, *args, **kwargs)
    batches[0] += 1
    if batches[0] == int(sys.argv[2]):
        os.kill(os.getpid(), int(sys.argv[3]))
CrawlState.commit_batch = commit_batch
from crawler.cli import main
sys.exit(main(sys.argv[4:]))
"""


def stopped_crawl(url, out, state, batch: int, signum: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", STOP_AT_BATCH, str(ROOT), str(batch), str(int(signum)), "crawl", url,
                           "--out", str(out), "--state", str(state), "-s", "CHECKPOINT_PAGES=5",
                           "-s", "CONCURRENT_REQUESTS=2"], capture_output=True, text=True, timeout=600)


def rows_in_files(out: Path, crawl_id: str) -> dict[str, int]:
    return {name: sum(pq.ParquetFile(path).metadata.num_rows for path in files_of_crawl(out, crawl_id, (name,)))
            for name in ("questions", "answers", "doctors")}


def the_row(out: Path) -> dict:
    (row,) = crawl_rows(out)
    return row


@pytest.mark.parametrize("killed_at", [1, 3])
def test_a_resumed_run_killed_leaves_a_row_that_counts_every_row_of_the_crawl(reference_site, tmp_path, killed_at):
    site = reference_site(questions=80)
    out, state = tmp_path / "data", tmp_path / "state"
    stopped = stopped_crawl(site.url, out, state, 2, signal.SIGTERM)
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr[-2000:]
    first = the_row(out)
    assert first["status"] == "interrupted" and 0 < first["questions"] < 80
    assert {k: first[k] for k in ("questions", "answers", "doctors")} == rows_in_files(out, first["crawl_id"])

    killed = stopped_crawl(site.url, out, state, killed_at, signal.SIGKILL)  # resumed, then killed
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    row = the_row(out)
    assert row["crawl_id"] == first["crawl_id"] and row["status"] == "interrupted"
    assert row["questions"] > first["questions"], "the resumed run committed batches"
    assert {k: row[k] for k in ("questions", "answers", "doctors")} == rows_in_files(out, row["crawl_id"])
    assert "had not ended" in row["message"] and row["started_at"] == first["started_at"]
    assert row["pages_fetched"] >= first["pages_fetched"]

    ended = crawl(site.url, "--out", out, "--state", state)  # resumed again, to its end
    assert ended.returncode == 0, ended.stdout + ended.stderr[-2000:]
    row = the_row(out)
    assert (row["status"], row["questions"]) == ("finished", 80), row["message"]
    assert {k: row[k] for k in ("questions", "answers", "doctors")} == rows_in_files(out, row["crawl_id"])
    assert f"rows: {row['questions']} questions, {row['answers']} answers" in ended.stdout


# argv: project root, then the CLI's arguments: SIGKILL at the first flush of a questions folder
# (a batch's renames done, their folders being flushed to disk)
KILL_AT_FLUSH = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from pipelines.output import parquet
real = parquet.fsync_folder
def fsync_folder(folder):
    if folder.parent.name == "questions":
        os.kill(os.getpid(), signal.SIGKILL)
    real(folder)
parquet.fsync_folder = fsync_folder
from crawler.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_resumed_run_killed_while_a_batch_is_flushed_leaves_a_row_that_counts_it(reference_site, tmp_path):
    """The row's rename follows the batch's renames at once, the folders flushed after both: a
    kill while the disk is flushed (milliseconds) finds the row counting what readers see."""
    site = reference_site(questions=40)
    out, state = tmp_path / "data", tmp_path / "state"
    stopped = stopped_crawl(site.url, out, state, 2, signal.SIGTERM)
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr[-2000:]
    first = the_row(out)
    killed = subprocess.run([sys.executable, "-c", KILL_AT_FLUSH, str(ROOT), "crawl", site.url, "--out", str(out),
                             "--state", str(state), "-s", "CHECKPOINT_PAGES=5", "-s", "CONCURRENT_REQUESTS=2"],
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    row = the_row(out)
    assert row["questions"] > first["questions"], "the resumed run published a batch"
    assert {k: row[k] for k in ("questions", "answers", "doctors")} == rows_in_files(out, row["crawl_id"])


def test_a_crawl_killed_and_resumed_counts_each_unreadable_page_once_and_judges_as_a_straight_crawl(
        reference_site, tmp_path):
    """Pages of an unknown markup are never done: every run asks for them again. A resumed
    crawl's row counts each once, and compares the questions asked for with the pages read over
    the same runs: its checks read the figures of the straight crawl of the same site."""
    site = reference_site(questions=60, drift="family=0.15")
    straight = crawl(site.url, "--out", tmp_path / "straight", "-s", "CHECKPOINT_PAGES=5")
    assert straight.returncode == 4, straight.stdout + straight.stderr[-2000:]
    out, state = tmp_path / "data", tmp_path / "state"
    killed = stopped_crawl(site.url, out, state, 4, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    resumed = crawl(site.url, "--out", out, "--state", state)
    assert resumed.returncode == 4, resumed.stdout + resumed.stderr[-2000:]
    expected, row = the_row(tmp_path / "straight"), the_row(out)
    assert expected["pages_malformed"] > 0
    for name in ("questions", "pages_malformed", "status"):
        assert row[name] == expected[name], name
    checks = {c["name"]: (round(c["value"], 6), c["passed"]) for c in row["checks"]}
    for check in expected["checks"]:
        if check["name"] in ("unknown_or_malformed_pages", "question_pages_unread"):
            assert checks[check["name"]] == (round(check["value"], 6), check["passed"]), check["name"]
