"""A stop (SIGINT, SIGTERM, SIGHUP: Ctrl-C, `timeout`, a service manager's, Scrapyd's cancel, a
closed terminal) at any
moment of a command: exit status 130 and the command's own words, an `interrupted` row where a
crawl had begun, and once the outcome is final, the outcome's exit status.

Each signal is sent from inside the command's process, at a point of its code the test names
(a wrapper script), so that the moment is the same on every run."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.loader import load
from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, question_hits, wait_for
from tests.hostile_pages import serve_pages, slow_site
from tests.test_workers import workers_of

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


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
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


def test_scrapy_crawl_stopped_twice_while_it_runs_is_interrupted_with_its_row(reference_site, tmp_path):
    """Two stops back to back (Scrapy's "forcing unclean shutdown") still end with the row: the
    second changes nothing, the first ends the crawl within seconds."""
    site = reference_site(questions=200, faults="latency=20ms")
    out = tmp_path / "data"
    result = scrapy_crawl(signal.SIGINT, 2, "item_scraped", site, out)
    assert result.returncode == 130, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and row["questions"] >= 1
    assert not list(out.glob(".*.running"))


def test_a_stop_while_python_shuts_down_leaves_scrapy_crawls_exit_status(reference_site, tmp_path):
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = run_script(SCRAPY_AT_SHUTDOWN, int(signal.SIGTERM), "crawl", "questions", "-a", f"start_url={site.url}",
                        "-s", f"DATA_DIR={out}", cwd=PROJECT)
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"


# ---- doctor-answers COMMAND -----------------------------------------------------------------

AT_SHUTDOWN = STOP_AT_SHUTDOWN + """
from crawler.cli import main
sys.exit(main(sys.argv[2:]))
"""

# `doctor-answers COMMAND` with the signal (argv[1]) sent argv[2] times the moment
# `argv[3]` (module:function) is called.
STOPPED_AT = """
import importlib, os, sys
signum, times, (module, name) = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(":")
module = importlib.import_module(module)
real, sent = getattr(module, name), []
def stopped(*args, **kwargs):
    if not sent:
        sent.append(name)
        for _ in range(times):
            os.kill(os.getpid(), signum)
    return real(*args, **kwargs)
setattr(module, name, stopped)
from crawler.cli import main
sys.exit(main(sys.argv[4:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_python_shuts_down_leaves_the_crawls_exit_status(reference_site, tmp_path, signum):
    """Once the summary is printed and the row committed, a stop changes nothing: Python had
    put the default handlers back, and the process died by the signal (130, or 143) with its
    row and summary saying `finished`."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = run_script(AT_SHUTDOWN, int(signum), "crawl", site.url, "--out", out)
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "finished" and f"crawl {row['crawl_id']}: finished" in result.stdout


def test_any_commands_exit_status_is_its_outcomes_whenever_the_stop_comes(tmp_path):
    result = run_script(AT_SHUTDOWN, int(signal.SIGTERM), "query", "SELECT 42 AS answer", "--data", tmp_path)
    assert result.returncode == 0 and "42" in result.stdout, result.stderr[-2000:]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_before_the_command_takes_it_over_is_one_line_and_130(tmp_path, signum):
    """While the arguments are checked: no traceback, and SIGTERM is no 143."""
    result = run_script(STOPPED_AT, int(signum), 1, "crawler.arguments:validate", "query", "SELECT 1",
                        "--data", tmp_path)
    assert result.returncode == 130, result.stderr[-2000:]
    assert result.stderr.splitlines() == ["doctor-answers query: interrupted"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("when", ["crawler.demo:start_site", "crawler.demo:run_crawl", "crawler.run:state_refusals"])
def test_a_demo_stopped_while_it_starts_is_an_interrupted_crawl_as_crawls_is(tmp_path, signum, when):
    """demo holds its stops while its site and its crawl start, as crawl does: its crawl ends
    `interrupted` with its row, exit status 130, no traceback (was: `NotStarted: ...
    KeyboardInterrupt`, exit 1)."""
    out = tmp_path / "data"
    result = run_script(STOPPED_AT, int(signum), 1, when, "demo", "--out", out, "--questions", 20)
    assert result.returncode == 130, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted"
    assert result.stderr.strip().splitlines()[-1] == f"crawl {row['crawl_id']}: interrupted"


def test_two_sigterms_while_a_crawl_starts_end_it_with_130_and_one_line(reference_site, tmp_path):
    """A second stop while starting ends the process at once, as a second Ctrl-C does: 130
    (SIGTERM's own death, 143, is no status of the README's). Sent as the arguments are checked:
    `hold` itself is main()'s first line now, before which a signal is its own default."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = run_script(STOPPED_AT, int(signal.SIGTERM), 2, "crawler.arguments:validate", "crawl", site.url,
                        "--out", out)
    assert result.returncode == 130, result.stderr[-2000:]
    assert "interrupted" in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr
    assert crawl_rows(out) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_two_stops_while_a_crawl_runs_still_commit_what_was_read(reference_site, tmp_path, signum):
    """A process group's kill and a supervisor's TERM, milliseconds apart (or Ctrl-C twice): the
    second stop used to stop the reactor before the row was written, what was read lost, its
    lock left, and the summary said `interrupted` with 0 rows. It changes nothing now."""
    site = reference_site(questions=200, faults="latency=20ms")
    out = tmp_path / "data"
    result = run_script(STOPPED_AT, int(signum), 2, "pipelines.datasets:page_rows", "crawl", site.url, "--out", out)
    assert result.returncode == 130, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and row["questions"] >= 1
    assert f"rows: {row['questions']} questions" in result.stdout
    assert not list(out.glob(".*.running")) and "Traceback" not in result.stderr
    assert "already stopping" in crawl_log(out)


def test_a_closed_terminal_stops_a_running_crawl_as_sigterm_does(reference_site, tmp_path):
    """SIGHUP (the terminal or ssh session closed; Scrapyd's cancel with signal=HUP) killed the
    crawl at once: exit status 129, no row, no summary, its lock left."""
    site = reference_site(questions=200, faults="latency=50ms")
    out = tmp_path / "data"
    crawl_process = subprocess.Popen(crawl_command(site.url, "--out", out), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: sum(site.hits.values()) >= 10, what="pages fetched")
        crawl_process.send_signal(signal.SIGHUP)
        stdout, stderr = crawl_process.communicate(timeout=TIMEOUT)
    finally:
        crawl_process.kill()
    assert crawl_process.returncode == 130, stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and f"crawl {row['crawl_id']}: interrupted" in stdout
    assert not list(out.glob(".*.running"))


@pytest.fixture(scope="module")
def slow_pages():
    """Four question pages, one of them minutes to parse; its path."""
    return slow_site(questions=4, attributes=100_000)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_a_worker_reads_a_slow_page_ends_the_crawl_within_seconds(slow_pages, tmp_path, signum):
    """The engine's close waited for the page in the extraction worker: a pathological page
    (minutes to parse) held a Ctrl-C that long. The page is abandoned now, its worker killed:
    not recorded, so a resumed crawl fetches it again."""
    pages, victim = slow_pages
    url, stop = serve_pages(pages)
    out = tmp_path / "data"
    crawl_process = subprocess.Popen(crawl_command(*(url + path for path in pages), "--out", out,
                                                   "-s", "EXTRACT_PAGE_TIMEOUT=600"),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # A page takes milliseconds, a worker's start 0.2 s of CPU: past 2 s it reads the slow page.
        wait_for(lambda: any(w.cpu_times().user > 2 for w in workers_of(crawl_process)),
                 what="the worker to read the slow page")
        crawl_process.send_signal(signum)
        asked = time.monotonic()
        stdout, stderr = crawl_process.communicate(timeout=TIMEOUT)
        took = time.monotonic() - asked
    finally:
        crawl_process.kill()
        stop()
    assert crawl_process.returncode == 130, stderr[-2000:]
    assert took < 10, f"{took:.0f} s from the stop to the end of the crawl"
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and row["pages_malformed"] == 0
    assert "Traceback" not in stderr
    if row["questions"]:  # the pages read before the slow one are committed; never the slow one
        slug = victim.rsplit("/", 1)[1]
        assert not [u for u in load("questions", root=out, latest=False)["url"] if u.rstrip("/").endswith(slug)]


@pytest.mark.parametrize("signum", [signal.SIGUSR1, signal.SIGUSR2])
def test_user_signals_are_logged_and_change_nothing(reference_site, tmp_path, signum):
    """SIGUSR1/2 mean something else to each program (reopen a log, dump a status): they ended
    the crawl at once (138, 140) with no row; now it goes on, and its log says they came. The
    site is big and slow enough that the first page's rows are written long before the crawl
    closes (with 20 fast pages, all could reach the writer as the crawl closed, and the log
    line, which the reactor writes on its next turn, came after the crawl's log was closed)."""
    site = reference_site(questions=200, faults="latency=20ms")
    out = tmp_path / "data"
    result = run_script(STOPPED_AT, int(signum), 1, "pipelines.datasets:page_rows", "crawl", site.url, "--out", out)
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"
    assert f"Received {signal.Signals(signum).name}: ignored" in crawl_log(out)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, reference_site_module):
    folder = tmp_path_factory.mktemp("archived")
    site = reference_site_module(questions=30)
    result = crawl(site.url, "--out", folder / "data", "--archive", folder / "archive")
    assert result.returncode == 0, result.stderr[-2000:]
    return folder / "archive"


@pytest.fixture(scope="module")
def reference_site_module():
    from reference_site.server import start_in_thread

    running = []

    def start(questions: int = 50, **kwargs):
        running.append(start_in_thread(questions=questions, **kwargs))
        return running[-1]

    yield start
    for site in running:
        site.stop()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("when", ["crawler.reparse:archive_files", "crawler.reparse:check_writable"])
def test_a_reparse_stopped_while_it_starts_or_runs_is_interrupted_with_its_row_and_log(archive, tmp_path, signum,
                                                                                      when):
    """As a crawl: the stop is held while the reparse lists its archives, then honoured once it
    can write its row (it ended 130 with no row and no log); a SIGHUP while it runs is a stop
    too (it was ignored once, and ended the process with no row the second time)."""
    out = tmp_path / "out"
    result = run_script(STOPPED_AT, int(signum), 1, when, "reparse", archive, "--out", out, "--processes", "2")
    assert result.returncode == 130, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["spider"] == "reparse" and row["status"] == "interrupted" and row["questions"] == 0
    assert f"reparse {row['crawl_id']}: interrupted" in result.stderr
    assert "interrupted" in crawl_log(out)


# ---- query ----------------------------------------------------------------------------------

# `doctor-answers query` whose DuckDB connection says when the query goes to DuckDB.
QUERY_SAYS_WHEN = """
import sys
from pipelines import query
connect = query.connect
class Saying:
    def __init__(self, con):
        self.con = con
    def __getattr__(self, name):
        return getattr(self.con, name)
    def execute(self, sql):
        print("executing", flush=True)
        return self.con.execute(sql)
query.connect = lambda root: Saying(connect(root))
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
"""
FOR_EVER = "SELECT count(*) FROM range(1000000000000) r WHERE hash(r.range) % 7 = 0"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_query_stops_at_once_when_asked(tmp_path, signum):
    """DuckDB runs in C, where Python runs no signal handler: Ctrl-C waited for the query's end."""
    process = subprocess.Popen([sys.executable, "-c", QUERY_SAYS_WHEN, "query", FOR_EVER, "--data", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "executing\n"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stderr[-2000:]
    assert stderr.splitlines() == ["doctor-answers query: interrupted"]


# ---- signals ignored on entry -----------------------------------------------------------------

def ignoring(signum):
    """A child's start as nohup's (SIGHUP) or a non-interactive shell's `cmd &` (SIGINT) makes it."""
    return lambda: signal.signal(signum, signal.SIG_IGN)


@pytest.mark.parametrize("ignored, sent, status", [
    (signal.SIGHUP, signal.SIGHUP, "finished"), (signal.SIGINT, signal.SIGINT, "finished"),
    (signal.SIGHUP, signal.SIGTERM, "interrupted"), (signal.SIGINT, signal.SIGHUP, "interrupted")])
def test_a_stop_ignored_when_the_crawl_started_stays_ignored(reference_site, tmp_path, ignored, sent, status):
    """`nohup doctor-answers crawl ... &`, then the ssh session closes: the crawl took SIGHUP over
    anyway and ended `interrupted` (130). A signal ignored on entry stays ignored (nohup(1), POSIX
    shells); the others still stop it."""
    site = reference_site(questions=200, faults="latency=20ms")
    out = tmp_path / "data"
    crawl_process = subprocess.Popen(crawl_command(site.url, "--out", out), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=ignoring(ignored))
    try:
        wait_for(lambda: question_hits(site) >= 5, what="question pages fetched")
        crawl_process.send_signal(sent)
        stdout, stderr = crawl_process.communicate(timeout=TIMEOUT)
    finally:
        crawl_process.kill()
    assert crawl_process.returncode == {"finished": 0, "interrupted": 130}[status], stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == status and (status != "finished" or row["questions"] == 200)


def test_a_reparse_started_with_sighup_ignored_keeps_it_ignored(archive, tmp_path):
    """reparse takes the stops over as the crawl does: not one ignored on entry."""
    out = tmp_path / "again"
    result = subprocess.run([sys.executable, "-c", STOPPED_AT, str(int(signal.SIGHUP)), "1",
                             "crawler.reparse:check_writable", "reparse", str(archive), "--out", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=ignoring(signal.SIGHUP))
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"


# ---- a stop while a request is in flight ------------------------------------------------------

class Silent:
    """A site that accepts connections and answers nothing, but (`robots`) a 404 to robots.txt:
    a stop comes while its first request waits."""

    def __init__(self, robots: bool):
        import socket
        import threading

        self.robots = robots
        self.paths: list[str] = []
        self.held: list = []
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # closed at the test's end
                return
            self.held.append(connection)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                request += chunk
            path = request.split(b" ")[1].decode() if request.count(b" ") >= 2 else ""
            self.paths.append(path)
            if self.robots and path == "/robots.txt":
                connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                connection.close()  # the next request comes on a connection of its own, seen at once

    def close(self):
        self.socket.close()
        for connection in self.held:
            connection.close()


@pytest.mark.parametrize("waiting", ["/robots.txt", "/"])
def test_a_stop_while_a_request_is_in_flight_is_no_fetch_error(tmp_path, waiting):
    """A stop while robots.txt (or the start URL) waits for its answer: the request is dropped by
    the crawl, which said "robots.txt could not be read", a failed start URL, and failed the
    row's start_urls_failed check. README: requests a crawl drops itself are no fetch errors."""
    site = Silent(robots=waiting != "/robots.txt")
    out = tmp_path / "data"
    crawl_process = subprocess.Popen(crawl_command(site.url, "--out", out), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: waiting in site.paths, what=f"{waiting} requested")
        crawl_process.send_signal(signal.SIGTERM)
        stdout, stderr = crawl_process.communicate(timeout=TIMEOUT)
    finally:
        crawl_process.kill()
        site.close()
    assert crawl_process.returncode == 130, stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted"
    assert [check["name"] for check in row["checks"] if not check["passed"]] == []
    assert "could not be read" not in stdout + stderr and "Start URL failed" not in stderr
    assert "errors: none" in stdout


# ---- a stop while the arguments are read ---------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("when", ["crawler.cli:build_parser", "crawler.arguments:validate"])
def test_a_crawl_stopped_while_its_arguments_are_read_is_interrupted_with_its_row(reference_site, tmp_path,
                                                                                 signum, when):
    """Stops were held only once `cmd_crawl` ran: one in the crawl's first quarter second (its
    arguments parsed and checked) ended it 130 with one line, no summary and no row."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    result = run_script(STOPPED_AT, int(signum), 1, when, "crawl", site.url, "--out", out)
    assert result.returncode == 130, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and f"crawl {row['crawl_id']}: interrupted" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_reparse_stopped_while_its_arguments_are_read_is_interrupted_with_its_row(archive, tmp_path):
    out = tmp_path / "out"
    result = run_script(STOPPED_AT, int(signal.SIGTERM), 1, "crawler.arguments:validate", "reparse", archive,
                        "--out", out)
    assert result.returncode == 130, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["spider"] == "reparse" and row["status"] == "interrupted"


def test_a_query_stopped_while_its_arguments_are_parsed_is_one_line_and_130(tmp_path):
    result = run_script(STOPPED_AT, int(signal.SIGTERM), 1, "crawler.cli:build_parser", "query", "SELECT 1",
                        "--data", tmp_path)
    assert result.returncode == 130, result.stderr[-2000:]
    assert result.stderr.splitlines() == ["doctor-answers query: interrupted"]  # held, then honoured
