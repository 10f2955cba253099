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


@pytest.fixture
def data(reference_site, tmp_path):
    out = tmp_path / "data"
    result = crawl(reference_site(questions=10).url, "--out", out)
    assert result.returncode == 0, result.stderr[-2000:]
    return out


@pytest.mark.parametrize("sql", ["SELECT count(*) FROM answers", "SELECT count(*) FROM answers_all"])
def test_a_query_whose_arrow_threads_cannot_start_says_so(data, sql):
    """It waited for good reading the crawls rows, deaf to SIGTERM."""
    result = run_without_native_threads("query", sql, "--data", data)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "error: could not start a thread: out of memory or too many threads" in result.stderr
    assert "ulimit -v" in result.stderr and "Traceback" not in result.stderr


def test_a_report_whose_arrow_threads_cannot_start_says_so(data):
    result = run_without_native_threads("report", "--data", data, "--out", data.parent / "report.html")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Failed to launch worker thread" in result.stderr and "Traceback" not in result.stderr
