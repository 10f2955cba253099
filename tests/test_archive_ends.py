"""A crawl's end in its archive: a reparse says finished only of an archive whose crawls ended so.

An archive holds what its crawl fetched until it stopped. Interrupted (SIGINT) or killed
(SIGKILL: no closing record), that is not a walk of the site: the reparse reads the pages but
ends `degraded`, naming the crawl and how it ended. A crawl resumed to its end closes its
archive again, and the newest end wins."""
from __future__ import annotations

import signal
import subprocess
import sys

from pipelines.loader import load
from tests.crawling import crawl_command, crawl_rows, kill_after, question_hits, wait_for


def reparse(archive, out) -> tuple[subprocess.CompletedProcess, dict]:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", str(archive), "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    (row,) = crawl_rows(out)
    return result, row


def test_an_interrupted_crawls_archive_is_no_finished_reparse_until_its_resume_ends_it(reference_site, tmp_path):
    site = reference_site(questions=300, seed=3, faults="latency=10ms")
    command = crawl_command(site.url, "--out", tmp_path / "data", "--state", tmp_path / "state",
                            "--archive", tmp_path / "archive", "-s", "CHECKPOINT_PAGES=40")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: question_hits(site) >= 80 or process.poll() is not None, timeout=120, what="80 question pages")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    (live,) = crawl_rows(tmp_path / "data")
    assert live["status"] == "interrupted"

    result, row = reparse(tmp_path / "archive", tmp_path / "once")
    assert result.returncode == 4 and row["status"] == "degraded", result.stderr[-2000:]
    assert f"{live['crawl_id']} ended interrupted" in row["message"]
    assert f"{live['crawl_id']} ended interrupted" in result.stderr
    assert len(load("questions", root=tmp_path / "once")) > 0  # what was fetched is still read

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    result, row = reparse(tmp_path / "archive", tmp_path / "twice")
    assert result.returncode == 0 and row["status"] == "finished", result.stderr[-2000:]
    assert row["questions"] == 300


def test_a_killed_crawls_archive_holds_no_end_and_is_no_finished_reparse(reference_site, tmp_path):
    site = reference_site(questions=300, seed=8, faults="latency=10ms")
    command = crawl_command(site.url, "--out", tmp_path / "data", "--state", tmp_path / "state",
                            "--archive", tmp_path / "archive", "-s", "CHECKPOINT_PAGES=40")
    kill_after(command, site, 120)
    crawl_id = (tmp_path / "archive").glob("*.warc.gz").__next__().name.rsplit("-", 1)[0]

    result, row = reparse(tmp_path / "archive", tmp_path / "again")
    assert result.returncode == 4 and row["status"] == "degraded", result.stderr[-2000:]
    assert f"{crawl_id} has no end in the archives" in row["message"]
    assert {c["name"]: c["passed"] for c in row["checks"]}["archive_crawls_not_ended"] is False


# The crawl, killed once its row is written, while the latest view is updated (minutes on a big root).
KILLED_IN_VIEW_UPDATE = """
import os, signal, sys
import pipelines.output.latest as latest
latest.update_latest = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crawl_killed_after_its_row_is_written_has_its_end_in_its_archive(reference_site, tmp_path):
    """Its row says how it ended, and nothing will add the end later (the same command starts a
    new crawl): the archive says it too, and a reparse of it is `finished`."""
    site = reference_site(questions=30, seed=1)
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_VIEW_UPDATE, "crawl", site.url, "--out", tmp_path / "data",
                             "--state", tmp_path / "state", "--archive", tmp_path / "archive"],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    (live,) = crawl_rows(tmp_path / "data")
    assert live["status"] == "degraded"  # the view's update had not ended

    result, row = reparse(tmp_path / "archive", tmp_path / "again")
    assert result.returncode == 0 and row["status"] == "finished", result.stderr[-2000:]
    assert row["questions"] == 30
