"""A crawl that cannot start its pieces (a memory limit, too few file descriptors) names the
real cause: one line for a crawl that could not be built, the workers' failure as its message,
and a row saying `failed` when its files cannot be counted back. Limits are set in the crawl's
own process (resource.setrlimit)."""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import crawl, crawl_command, crawl_rows

TIMEOUT = 300
ROOT = Path(__file__).resolve().parents[1]


def crawl_limited(limit: int, amount: int, *args) -> subprocess.CompletedProcess:
    def limited():
        resource.setrlimit(limit, (amount, amount))

    return subprocess.run(crawl_command(*args), capture_output=True, text=True, timeout=TIMEOUT,
                          preexec_fn=limited)


def test_a_crawl_whose_workers_cannot_start_says_so(reference_site, tmp_path):
    """Out of file descriptors, the workers failed (only in the log) and the crawl read no page
    while its message blamed the fetches (`80 of 85 requests answered: ConnectBindError`)."""
    site = reference_site(questions=30)
    out = tmp_path / "data"
    result = crawl_limited(resource.RLIMIT_NOFILE, 14, site.url, "--out", out, "-s", "EXTRACT_PROCESSES=2")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "why: cannot start the extraction workers: Too many open files" in result.stdout
    assert "Traceback" not in result.stderr


# Memory runs out where a limit meets the program's growth, which moves with the machine (the
# libraries' threads, their shared objects, a module compiled): each place it was seen under
# `ulimit -v` is reproduced here at a fixed point, in the crawl's own process.
BUILD_RUNS_OUT = """
import sys
import scrapy.middleware
load_object = scrapy.middleware.load_object
def loading_out_of_memory(path):
    if path.startswith("crawler.middlewares."):
        raise MemoryError()
    return load_object(path)
scrapy.middleware.load_object = loading_out_of_memory
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""

IMPORT_RUNS_OUT = """
import sys
failing = sys.argv.pop(1)
class OutOfMemory:
    def find_spec(self, name, path=None, target=None):
        if name == failing:
            raise {error}
sys.meta_path.insert(0, OutOfMemory())
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""

OUT_OF_MEMORY = "out of memory (MemoryError; a memory limit, ulimit -v?)"


def crawl_failing(script: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_a_crawl_that_cannot_be_built_is_one_line(reference_site, tmp_path):
    """Under a memory limit Scrapy failed importing a middleware: a Twisted traceback on
    stderr and a `failed` summary with no why."""
    site = reference_site(questions=30)
    out = tmp_path / "data"
    result = crawl_failing(BUILD_RUNS_OUT, "crawl", site.url, "--out", out)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.splitlines() == [f"doctor-answers crawl: the crawl could not start: {OUT_OF_MEMORY}"]
    assert crawl_rows(out) == []


@pytest.mark.parametrize("module, error, said", [
    # A module's text decoded as it loads (scrapy.responsetypes reading mimetypes): a traceback.
    ("mimetypes", "MemoryError()", OUT_OF_MEMORY),
    # The loader cannot map a compiled module: it was "the install is broken (reinstall ...)".
    ("_sqlite3", "ImportError('libsqlite3.so.0: failed to map segment from shared object', name='_sqlite3')",
     f"cannot import _sqlite3: {OUT_OF_MEMORY}"),
])
def test_a_command_whose_modules_cannot_load_for_memory_says_so(tmp_path, module, error, said):
    result = crawl_failing(IMPORT_RUNS_OUT.format(error=error), module, "crawl", "http://127.0.0.1:9/",
                           "--out", tmp_path / "data")
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.splitlines() == [f"doctor-answers crawl: error: {said}"]


COUNT_FAILS = """
import errno, sys
from pipelines.output.datasets import ParquetDatasets
def rows_of_crawl(self, dataset):
    raise OSError(errno.EMFILE, "Too many open files")
ParquetDatasets.rows_of_crawl = rows_of_crawl
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crawl_whose_files_cannot_be_counted_still_writes_its_row(reference_site, tmp_path):
    """Counting the committed rows ran out of file descriptors: `Error caught on signal handler:
    DatasetsPipeline.spider_closed` on stderr, and no row."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = subprocess.run([sys.executable, "-c", COUNT_FAILS, "crawl", site.url, "--out", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "failed" and "Too many open files" in row["message"]
    assert "Error caught on signal handler" not in result.stderr


SECOND_PROCESS_FAILS = """
import errno, sys
from multiprocessing.process import BaseProcess
start, started = BaseProcess.start, []
def second_fails(self):
    if started:
        raise OSError(errno.EMFILE, "Too many open files")
    started.append(self)
    start(self)
BaseProcess.start = second_fails
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""
HANG = 60  # seconds: the command ends in a few; past this it is hung


def test_a_reparse_whose_processes_cannot_all_start_fails_and_exits(reference_site, tmp_path):
    """Under `ulimit -n 16` the pool's second process could not start: the reparse said
    `cannot write to OUT: Too many open files`, `failed`, and never exited (the exit waited for
    the first process, which waited for work)."""
    site = reference_site(questions=20)
    assert crawl(site.url, "--out", tmp_path / "data", "--archive", tmp_path / "archive").returncode == 0
    out = tmp_path / "reparsed"
    result = subprocess.run([sys.executable, "-c", SECOND_PROCESS_FAILS, "reparse", str(tmp_path / "archive"),
                             "--out", str(out), "--processes", "2"], capture_output=True, text=True, timeout=HANG)
    assert result.returncode == 1, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "failed"
    assert row["message"].startswith("cannot start the reparse processes: Too many open files")
    assert row["message"] in result.stderr and "Traceback" not in result.stderr


def broken_install(tmp_path, missing: str) -> Path:
    """A copy of the package without one of its files, as an egg built from an incomplete tree."""
    copy = tmp_path / "install"
    for package in ("crawler", "pipelines", "reference_site"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "scrapy.cfg", copy / "scrapy.cfg")
    (copy / missing).unlink()
    return copy


def run_in(install: Path, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(install))
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT,
                          cwd=install, env=env)


@pytest.mark.parametrize("processes", [0, 1])
def test_an_install_missing_a_data_file_fails_the_crawl_naming_it_before_any_fetch(reference_site, tmp_path,
                                                                                 processes):
    """Every page was "malformed" (FileNotFoundError) and the crawl `degraded`, blaming the site."""
    install = broken_install(tmp_path, "pipelines/normalise/data/specialties.txt")
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = run_in(install, "-m", "crawler.cli", "crawl", site.url, "--out", out, "-s", f"EXTRACT_PROCESSES={processes}")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    (row,) = crawl_rows(out)
    assert row["status"] == "failed"
    assert "the install is broken (reinstall doctor-answers)" in row["message"]
    assert "specialties.txt" in row["message"] and "FileNotFoundError" in row["message"]
    assert not site.hits  # nothing fetched: the site is not blamed


@pytest.mark.parametrize("command", [["-m", "crawler.cli", "crawl", "http://127.0.0.1:1/", "--out", "{tmp}/data"],
                                     ["-m", "crawler.cli", "extract", "{tmp}/page.html"],
                                     ["-m", "scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
                                      "-s", "DATA_DIR={tmp}/data"]])
def test_an_install_missing_a_module_is_one_line(tmp_path, command):
    install = broken_install(tmp_path, "crawler/pages/legacy.py")
    (tmp_path / "page.html").write_text("<html></html>")
    result = run_in(install, *(arg.format(tmp=tmp_path) for arg in command))
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "cannot import crawler.pages.legacy" in line and line.endswith("the install is broken (reinstall "
                                                                          "doctor-answers)")
    assert not (tmp_path / "data").exists()


def test_a_thread_that_cannot_start_names_the_limits():
    """A thread's stack is memory: under `ulimit -v`, Scrapy's thread pool failed to start and
    the crawl said only "RuntimeError: can't start new thread"."""
    from crawler.install import load_failure

    said = load_failure(RuntimeError("can't start new thread"))
    assert "ulimit -v" in said and "cannot start a thread" in said
    assert load_failure(RuntimeError("dictionary changed size during iteration")) is None


# ---- a clock behind a crawl of the data folder -----------------------------------------------

# The command with this machine's clock shifted by argv[1] seconds: every datetime.now() of the
# project's modules (crawl ids, starts and ends, fetch times), as on a machine whose clock is off.
CLOCK_SHIFTED = """
import datetime, importlib, pkgutil, sys
shift = datetime.timedelta(seconds=float(sys.argv.pop(1)))
real = datetime.datetime
class Any(type):
    def __instancecheck__(cls, value):
        return isinstance(value, real)
    def __subclasscheck__(cls, kind):
        return issubclass(kind, real)
class Shifted(real, metaclass=Any):
    @classmethod
    def now(cls, tz=None):
        return real.now(tz) + shift
import crawler, pipelines
for package in (crawler, pipelines):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
for name, module in list(sys.modules.items()):
    if name.startswith(("crawler", "pipelines")) and getattr(module, "datetime", None) is real:
        module.datetime = Shifted
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""
A_YEAR = 365 * 86400


def command_at(shift: float, *args) -> subprocess.CompletedProcess:
    """`doctor-answers ARGS` on a machine whose clock is `shift` seconds off (0: right)."""
    if not shift:
        return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                              timeout=TIMEOUT)
    return crawl_failing(CLOCK_SHIFTED, shift, *args)


def latest_crawls(out: Path, dataset: str = "answers") -> set:
    import pyarrow.parquet as pq

    return set(pq.read_table(out / "latest" / dataset, columns=["crawl_id"])["crawl_id"].to_pylist())


@pytest.mark.parametrize("first, then", [(A_YEAR, 0),  # a VM booted with its clock a year ahead, put right
                                         (0, -600)])  # the clock set back ten minutes between two crawls
def test_a_crawl_whose_clock_is_behind_a_crawl_of_its_folder_is_refused_before_fetching(reference_site, tmp_path,
                                                                                       first, then):
    """A crawl run with the clock behind a committed crawl's had its rows ranked behind that
    crawl's, by fetched_at in the latest view and by started_at in the checks' baseline: the view
    kept the other crawl's stale rows and every later crawl was compared with it, in silence,
    until real time passed it."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    assert command_at(first, "crawl", site.url, "--out", out).returncode == 0
    (ahead,) = crawl_rows(out)
    view = latest_crawls(out)
    site.hits.clear()
    result = command_at(then, "crawl", site.url, "--out", out)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not site.hits  # nothing fetched
    refused = next(row for row in crawl_rows(out) if row["crawl_id"] != ahead["crawl_id"])
    assert refused["status"] == "failed" and refused["questions"] == 0
    words = refused["message"]
    assert words in result.stdout and words in result.stderr
    assert f"is behind crawl {ahead['crawl_id']}, which started {ahead['started_at']:%Y-%m-%d %H:%M:%S} UTC" in words
    assert f"move {ahead['crawl_id']}'s files out of {out}" in words
    assert f"python -m pipelines.output.latest {out}" in words
    assert latest_crawls(out) == view


def test_the_remedy_a_refused_crawl_names_lets_the_next_crawl_run(reference_site, tmp_path):
    """Moving the clock-ahead crawl's files out, as the message says, and rebuilding the view:
    the next crawl runs, and the latest view is its rows."""
    site = reference_site(questions=20)
    out, aside = tmp_path / "data", tmp_path / "aside"
    assert command_at(A_YEAR, "crawl", site.url, "--out", out).returncode == 0
    (ahead,) = crawl_rows(out)
    crawl_id = ahead["crawl_id"]
    assert command_at(0, "crawl", site.url, "--out", out).returncode == 1
    its_files = [*out.glob(f"*/crawl_date=*/{crawl_id}-*.parquet"),
                 *out.glob(f"crawls/crawl_date=*/{crawl_id}.parquet")]
    assert len(its_files) == 4  # its rows in questions/, answers/ and doctors/, and its crawls row
    for path in its_files:
        moved = aside / path.relative_to(out)
        moved.parent.mkdir(parents=True, exist_ok=True)
        path.rename(moved)
    rebuilt = subprocess.run([sys.executable, "-m", "pipelines.output.latest", str(out)], capture_output=True,
                             text=True, timeout=TIMEOUT)
    assert rebuilt.returncode == 0, rebuilt.stderr
    result = command_at(0, "crawl", site.url, "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    (finished,) = [row for row in crawl_rows(out) if row["status"] == "finished"]
    for dataset in ("questions", "answers", "doctors"):
        assert latest_crawls(out, dataset) == {finished["crawl_id"]}, dataset


@pytest.mark.parametrize("first, then, settings", [(120, 0, []),  # clocks of two machines a little apart
                                                   (A_YEAR, 0, ["-s", "CLOCK_BEHIND_MAX=0"])])  # the check off
def test_a_clock_behind_by_less_than_the_tolerance_crawls(reference_site, tmp_path, first, then, settings):
    site = reference_site(questions=20)
    out = tmp_path / "data"
    assert command_at(first, "crawl", site.url, "--out", out).returncode == 0
    result = command_at(then, "crawl", site.url, "--out", out, *settings)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def test_a_reparse_whose_clock_is_behind_a_crawl_of_its_folder_is_refused(reference_site, tmp_path):
    """A reparse of a clock-ahead crawl's archive into its folder: its rows tie with that
    crawl's on fetched_at, and the tie goes to the crawl started last."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    assert command_at(A_YEAR, "crawl", site.url, "--out", out, "--archive", tmp_path / "archive").returncode == 0
    (ahead,) = crawl_rows(out)
    result = command_at(0, "reparse", tmp_path / "archive", "--out", out)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    (refused,) = [row for row in crawl_rows(out) if row["spider"] == "reparse"]
    assert refused["status"] == "failed" and refused["questions"] == 0
    assert f"is behind crawl {ahead['crawl_id']}" in refused["message"]
    assert refused["message"] in result.stderr


FILLED = """
import os, resource, sys
from pipelines.state import CrawlState, StateError
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
state = CrawlState(sys.argv[1])  # the lock and the database open
held = []
try:
    while True:
        held.append(os.open(os.devnull, os.O_RDONLY))
except OSError:
    pass
try:
    state.open_crawl("c1", __import__("datetime").datetime.now(__import__("datetime").timezone.utc), commit=lambda t: None)
except OSError as error:
    print(error.strerror)
"""


def test_a_state_out_of_file_descriptors_says_so_not_unable_to_open_its_database(tmp_path):
    """SQLite names running out of file descriptors "unable to open database file": the
    operator then looks at the state folder's permissions, not at `ulimit -n`."""
    result = subprocess.run([sys.executable, "-c", FILLED, str(tmp_path / "state")], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.stdout.strip() == "Too many open files", result.stdout + result.stderr
