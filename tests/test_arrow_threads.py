"""A command whose Arrow threads cannot start (a memory limit, `ulimit -v`: a thread's stack is
memory) ends at once, saying so, never waits for good in Arrow's scanner, in C code where no
SIGTERM is handled.

Where `ulimit -v` meets a thread start moves with the machine, so every native thread's start
fails here by a limit of the command's process alone: a default thread stack (glibc takes the
stack limit's) larger than the address space allowed. Python's own threads are given a small
stack explicitly, so only the libraries' threads (Arrow's pools) fail."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import crawl

DEADLINE = 60  # seconds: the command ends well within it, or it hangs
ROOT = Path(__file__).resolve().parents[1]

SMALL_PYTHON_STACKS = """
import sys, threading
threading.stack_size(1 << 20)
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""


def no_native_thread() -> None:
    resource.setrlimit(resource.RLIMIT_STACK, (1 << 40, resource.RLIM_INFINITY))  # 1 TB a thread
    resource.setrlimit(resource.RLIMIT_AS, (1 << 36, 1 << 36))  # 64 GB in all


def run_without_native_threads(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")  # numpy's BLAS waits too
    return subprocess.run([sys.executable, "-c", SMALL_PYTHON_STACKS, *map(str, args)], capture_output=True,
                          text=True, timeout=DEADLINE, env=env, cwd=ROOT, preexec_fn=no_native_thread)


NO_THREAD = "could not start a thread: out of memory or too many threads"
# What was said of a machine's want as if it were the file's: a file fine, blamed or to be moved.
THE_FILES_FAULT = ("move it out of the data folder", "make it readable", "Failed to launch worker thread",
                   "ArrowException", "MachineFailure", "cannot read the crawls", "Traceback")


@pytest.fixture
def site(reference_site):
    return reference_site(questions=10)


@pytest.fixture
def data(site, tmp_path):
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, "--archive", tmp_path / "archive")
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def said_of_the_machine(result: subprocess.CompletedProcess) -> str:
    """The command's output, checked to name the machine's want and to blame no file."""
    said = result.stdout + result.stderr
    assert NO_THREAD in said and "ulimit -v" in said, said[-2000:]
    assert not [words for words in THE_FILES_FAULT if words in said], said[-2000:]
    return said


@pytest.mark.parametrize("sql", ["SELECT count(*) FROM answers", "SELECT count(*) FROM answers_all"])
def test_a_query_whose_arrow_threads_cannot_start_says_so(data, sql):
    """It waited for good reading the crawls rows, deaf to SIGTERM."""
    result = run_without_native_threads("query", sql, "--data", data)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "error: could not start a thread: out of memory or too many threads" in result.stderr
    assert "ulimit -v" in result.stderr and "Traceback" not in result.stderr


def test_a_report_whose_arrow_threads_cannot_start_says_so(data):
    """It said `cannot read the crawls of D: ...Failed to launch worker thread`, Arrow's words."""
    result = run_without_native_threads("report", "--data", data, "--out", data.parent / "report.html")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "report: error: " + NO_THREAD in said_of_the_machine(result)


def test_a_crawl_whose_arrow_threads_cannot_start_blames_no_file(site, tmp_path):
    """Its checks `could not run (ArrowException: ...)`, and its latest view was not updated since its
    own committed crawls row `may be a committed crawl's row; make it readable ..., or move it out
    of the data folder`: a file fine, that advice would have removed a committed crawl."""
    result = run_without_native_threads("crawl", site.url, "--out", tmp_path / "data")
    said = said_of_the_machine(result)
    assert f"quality checks could not run ({NO_THREAD}" in said
    assert f"latest was not updated ({NO_THREAD}" in said
    assert len(list((tmp_path / "data" / "crawls").glob("*/*.parquet"))) == 1


def test_a_crawl_whose_arrow_threads_cannot_read_the_earlier_crawls_does_not_start(site, data):
    """An earlier crawl's row it cannot read was `may be a committed crawl's row; ... move it out of
    the data folder`, and the crawl went on unchecked against it. Its clock cannot be checked
    against rows not read: it does not start, saying why in the machine's words."""
    result = run_without_native_threads("crawl", site.url, "--out", data)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "the crawl could not start: " + NO_THREAD in said_of_the_machine(result)
    assert len(list((data / "crawls").glob("*/*.parquet"))) == 1  # the earlier crawl's row, untouched


def test_a_reparse_whose_arrow_threads_cannot_start_says_so(data):
    """It said `reparse stopped by an error (ArrowException: ...)` or the like, a bug's words."""
    result = run_without_native_threads("reparse", data.parent / "archive", "--out", data)
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"reparse stopped by an error ({NO_THREAD}" in said_of_the_machine(result)
