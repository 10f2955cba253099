"""A stop (SIGINT, SIGTERM: Ctrl-C, `timeout`, a service manager's, Scrapyd's cancel) at any
moment of a command: exit status 130 and the command's own words, an `interrupted` row where a
crawl had begun, and once the outcome is final, the outcome's exit status.

Each signal is sent from inside the command's process, at a point of its code the test names
(a wrapper script), so that the moment is the same on every run."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import crawl_rows

PROJECT = Path(__file__).resolve().parent.parent  # scrapy.cfg
TIMEOUT = 120

# Sends the signal while Python shuts down, after the command has returned: the moment a module
# global goes. The process ends by then with its outcome printed and its row committed.
STOP_AT_SHUTDOWN = """
import os, sys
class StopAtShutdown:
    def __del__(self, kill=os.kill, pid=os.getpid(), signum=int(sys.argv[1])):
        kill(pid, signum)
_stop = StopAtShutdown()
"""


def run_script(script: str, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=cwd)


# ---- scrapy crawl (a Scrapyd job) -----------------------------------------------------------

SCRAPY_AT_SHUTDOWN = STOP_AT_SHUTDOWN + """
from scrapy.cmdline import execute
execute(["scrapy", *sys.argv[2:]])
"""

# `scrapy crawl`, as Scrapyd runs it, sending the signal (argv[1]) argv[2] times the moment
# Scrapy sends `argv[3]` (spider_opened: between the reactor's start and the engine's).
SCRAPY_STOPPED_AT = """
import os, sys
from scrapy import signals
from scrapy.cmdline import execute
from pydispatch import dispatcher
signum, times, at, sent = int(sys.argv[1]), int(sys.argv[2]), getattr(signals, sys.argv[3]), []
def stop(*args, **kwargs):
    if not sent:
        sent.append(at)
        for _ in range(times):
            os.kill(os.getpid(), signum)
dispatcher.connect(stop, signal=at, weak=False)
execute(["scrapy", "crawl", "questions", *sys.argv[4:]])
"""


def scrapy_crawl(signum, times: int, at: str, site, out: Path) -> subprocess.CompletedProcess:
    return run_script(SCRAPY_STOPPED_AT, int(signum), times, at, "-a", f"start_url={site.url}",
                      "-s", f"DATA_DIR={out}", cwd=PROJECT)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_scrapy_crawl_stopped_as_its_spider_opens_is_interrupted_with_its_row(reference_site, tmp_path, signum):
    """`scrapy crawl` (a Scrapyd job) holds a stop while it starts, as `doctor-answers crawl`
    does: Scrapy's own handler stopped the reactor without closing the spider (exit 1, no row,
    nothing said)."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = scrapy_crawl(signum, 1, "spider_opened", site, out)
    assert result.returncode == 130, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and "stopped by a signal" in row["message"]


def test_scrapy_crawl_stopped_twice_while_it_starts_is_130_and_one_line(reference_site, tmp_path):
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = scrapy_crawl(signal.SIGTERM, 2, "spider_opened", site, out)
    assert result.returncode == 130, result.stderr[-2000:]
    assert "interrupted" in result.stderr.strip().splitlines()[-1]
    assert crawl_rows(out) == []


def test_scrapy_crawl_stopped_twice_while_it_runs_is_interrupted_not_failed(reference_site, tmp_path):
    """Scrapy's second stop ends the crawl before its row: still interrupted (130), and said."""
    site = reference_site(questions=200, faults="latency=20ms")
    out = tmp_path / "data"
    result = scrapy_crawl(signal.SIGINT, 2, "response_received", site, out)
    assert result.returncode == 130, result.stderr[-2000:]
    rows = crawl_rows(out)
    if not rows:  # Scrapy stopped it before its row: one line says so
        assert result.stderr.strip().splitlines()[-1].startswith("scrapy crawl: interrupted")
    else:
        assert rows[0]["status"] == "interrupted"


def test_a_stop_while_python_shuts_down_leaves_scrapy_crawls_exit_status(reference_site, tmp_path):
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = run_script(SCRAPY_AT_SHUTDOWN, int(signal.SIGTERM), "crawl", "questions", "-a", f"start_url={site.url}",
                        "-s", f"DATA_DIR={out}", cwd=PROJECT)
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"
