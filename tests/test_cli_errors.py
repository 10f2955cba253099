"""Every command fails with one line on stderr, its exit status, and no traceback.

Bad arguments exit 2 before anything is fetched or written; a failure of the work itself exits 1.
The CLI runs in a subprocess, as a user runs it.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from crawler.arguments import ArgumentError, setting, setting_default

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "reference_site" / "samples"


def doctor_answers(*args, cwd=ROOT, timeout=60):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def assert_one_line(result, status: int) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("doctor-answers"), lines[0]
    assert result.returncode == status, (result.returncode, result.stderr)
    return lines[0]


def listening_socket() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


# ---- bad arguments: exit 2, one line, before anything is fetched or written ----

BAD_SETTINGS = [
    "DOWNLOAD_MAXSIZE=abc", "DOWNLOAD_MAXSIZE=-1", "CONCURRENT_REQUESTS=-1", "CONCURRENT_REQUESTS=0",
    "CONCURRENT_REQUESTS=many", "DOWNLOAD_DELAY=soon", "DOWNLOAD_TIMEOUT=nan", "AUTOTHROTTLE_MAX_DELAY=inf",
    "RETRY_TIMES=1e", "PARQUET_FILE_ROWS=0", "ROBOTSTXT_OBEY=maybe", "RETRY_HTTP_CODES=500,five",
    "DOWNLOADER_MIDDLEWARES=not json", "DOWNLOADER_MIDDLEWARES=[1]", "LOG_LEVEL=LOUD",
    "STATE_DIR=/etc/passwd/x", "DATA_DIR=/etc/passwd/x", "LOG_FILE=/etc/passwd/x/log",
    # read by Scrapy's log set-up: a traceback (LookupError) or a log of "--- Logging error ---"
    "LOG_LEVEL=10", "LOG_ENCODING=bogus", "LOG_ENCODING=rot13", "LOG_FORMAT=%(nokey)s", "LOG_FORMAT=%(message)d",
    "LOG_FORMAT={message}", "LOG_DATEFORMAT=%Y\udcff", "LOG_ENABLED=nah", "LOG_STDOUT=maybe", "LOG_SHORT_NAMES=2", "LOG_FILE_APPEND=x",
]


@pytest.mark.parametrize("value", BAD_SETTINGS)
def test_a_setting_that_does_not_fit_its_default(tmp_path, value):
    with listening_socket() as site:   # a site that would see any request the crawl made
        site.settimeout(0.01)
        url = f"http://127.0.0.1:{site.getsockname()[1]}/"
        result = doctor_answers("crawl", url, "--out", tmp_path / "data", "-s", value)
        line = assert_one_line(result, 2)
        assert value.split("=")[0] in line
        with pytest.raises(TimeoutError):
            site.accept()
    assert not (tmp_path / "data").exists()


def number_settings() -> list[str]:
    import crawler.settings as project
    from scrapy.settings import default_settings

    names = {n for module in (project, default_settings) for n in dir(module) if n.isupper()}
    return sorted(n for n in names
                  if isinstance(setting_default(n), (int, float)) and not isinstance(setting_default(n), bool))


def test_every_number_setting_refuses_text_and_negatives():
    names = number_settings()
    assert {"DOWNLOAD_MAXSIZE", "CONCURRENT_REQUESTS", "CHECKPOINT_SECONDS", "RETRY_BACKOFF_BASE"} <= set(names)
    for name in names:
        for bad in ("abc", "", "1.2.3", "nan", "-inf"):
            with pytest.raises(ArgumentError):
                setting(f"{name}={bad}")
        if "PRIORITY" not in name:
            with pytest.raises(ArgumentError):
                setting(f"{name}=-1")


def test_settings_that_fit_are_converted():
    assert setting("DOWNLOAD_MAXSIZE=1024") == ("DOWNLOAD_MAXSIZE", 1024)
    assert setting("DOWNLOAD_DELAY=0.5") == ("DOWNLOAD_DELAY", 0.5)     # an int default read as a float
    assert setting("DEPTH_PRIORITY=-1") == ("DEPTH_PRIORITY", -1)       # breadth-first order
    assert setting("ROBOTSTXT_OBEY=False") == ("ROBOTSTXT_OBEY", False)
    assert setting("RETRY_HTTP_CODES=500,503") == ("RETRY_HTTP_CODES", [500, 503])
    assert setting("USER_AGENT=me") == ("USER_AGENT", "me")
    assert setting("SOMETHING_OF_AN_EXTENSION=x") == ("SOMETHING_OF_AN_EXTENSION", "x")
    assert setting("LOG_LEVEL=debug") == ("LOG_LEVEL", "DEBUG")   # Scrapy's log set-up takes upper case only
    assert setting("LOG_ENCODING=latin-1") == ("LOG_ENCODING", "latin-1")
    assert setting("LOG_FORMAT=%(levelname)s %(message)s") == ("LOG_FORMAT", "%(levelname)s %(message)s")
    assert setting("LOG_DATEFORMAT=%H:%M") == ("LOG_DATEFORMAT", "%H:%M")
    assert setting("LOG_ENABLED=no") == ("LOG_ENABLED", False)


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:9/", "--state", "/etc/passwd/x"],
    ["crawl", "http://127.0.0.1:9/", "--state", "{file}/x"],
    ["crawl", "http://127.0.0.1:9/", "--out", "{file}/x/y"],
    ["crawl", "http://127.0.0.1:9/", "--out", "{file}/../x"],
    ["crawl", "http://127.0.0.1:9/", "--out", "{tmp}/" + "n" * 300],
    ["crawl", "http://127.0.0.1:9/", "--max-pages", "-3"],
    ["crawl", "http://127.0.0.1:99999/"],
    ["demo", "--out", "{file}/x"],
    ["demo", "--questions", "1000000000"],
    ["schedule", "http://127.0.0.1:9/", "--state", "{file}/x"],
    ["schedule", "http://127.0.0.1:9/", "--timeout", "0"],
    ["schedule", "http://127.0.0.1:9/", "--timeout", "1e300"],
    ["schedule", "http://127.0.0.1:9/", "--scrapyd", "localhost:6800"],
    ["query", "SELECT 1", "--data", "{tmp}", "--max-rows", "-5"],
    ["query", "SELECT 1", "--data", "{tmp}", "--max-rows", "lots"],
    ["query", "SELECT 1", "--data", "{tmp}", "--max-rows", "100000000000000000000"],  # past 64 bits: a traceback
    ["demo", "--seed", "-100000000000000000000"],
    ["query", "SELECT 1", "--data", "{file}/x"],
    ["site", "--port", "70000"],
    ["site", "--port", "-1"],
    ["site", "--port", "http"],
    ["site", "--questions", "-5"],
    ["site", "--questions", "0"],
    ["site", "--questions", "1000000000"],
    ["site", "--questions", "1000", "--day", "5000"],   # a million questions by then
    ["site", "--day", "-1"],
    ["site", "--crawl-delay", "nan"],
    ["site", "--truth", "{file}/truth.jsonl"],
    ["site", "--faults", "error=2"],
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, args):
    file = tmp_path / "a-file"
    file.write_text("I am a file")
    result = doctor_answers(*(a.format(file=file, tmp=tmp_path) for a in args), cwd=tmp_path)
    line = assert_one_line(result, 2)
    assert "error: argument" in line
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]   # nothing written


def test_a_folder_under_a_file_names_the_file(tmp_path):
    file = tmp_path / "a-file"
    file.write_text("")
    line = assert_one_line(doctor_answers("crawl", "http://127.0.0.1:9/", "--state", file / "x" / "y"), 2)
    assert f"{file}" in line and "is a file" in line


def test_version():
    result = doctor_answers("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"doctor-answers {version('doctor-answers')}"


# ---- query ----

@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT * FROM no_such_table", "SELECT CAST('x' AS INTEGER)", ";",
                                 "COPY (SELECT 1) TO 'x.csv'"])
def test_query_errors_are_one_line_and_status_1(tmp_path, sql):
    result = doctor_answers("query", sql, "--data", tmp_path)
    assert_one_line(result, 1)
    assert result.stdout == ""


def test_query_of_a_missing_data_folder(tmp_path):
    result = doctor_answers("query", "SELECT count(*) FROM questions", "--data", tmp_path / "missing")
    line = assert_one_line(result, 2)
    assert "no such folder" in line and "missing" in line
    assert not (tmp_path / "missing").exists()


# ---- site ----

def test_site_on_a_busy_port():
    with listening_socket() as busy:
        result = doctor_answers("site", "--port", busy.getsockname()[1])
    line = assert_one_line(result, 1)
    assert "cannot listen" in line and "in use" in line


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_site_whose_url_cannot_be_printed_stops_in_one_line():
    """Its URL is its result (the port, with --port 0): a site that cannot say it stops."""
    result = run_with_stdout("full disk", ["site", "--port", "0", "--questions", "5"], timeout=60)
    assert assert_one_line(result, 1).endswith("error: cannot write to stdout (No space left on device)")


def test_site_on_an_address_not_of_this_machine():
    line = assert_one_line(doctor_answers("site", "--host", "192.0.2.1"), 1)   # TEST-NET-1
    assert "cannot listen" in line


def test_the_size_limit_is_the_reference_sites_own():
    from reference_site.site import MAX_QUESTIONS, Site, questions_on_day

    assert questions_on_day(MAX_QUESTIONS, 0) == MAX_QUESTIONS
    assert questions_on_day(1000, 100) > 1000
    with pytest.raises(ValueError, match="at most"):
        Site(MAX_QUESTIONS + 1)
    with pytest.raises(ValueError, match="at most"):
        Site(10, day=10**9)   # refused at once, not after growing day by day


# ---- stdout closed early: `... | head -1` ----

def test_extract_into_a_closed_pipe():
    page = SAMPLES / "botox-injections-days-knot-redness-injection-sites.legacy.html"
    process = subprocess.Popen([sys.executable, "-m", "crawler.cli", "extract", *[str(page)] * 200],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    first = process.stdout.readline()
    process.stdout.close()   # as `head -1` does: well before the ~1 MB of records are written
    stderr = process.stderr.read().decode()
    status = process.wait(timeout=60)
    assert first.startswith(b"{")
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr and "Exception ignored" not in stderr
    assert stderr == ""
    assert status in (0, 141)


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_text_the_terminal_cannot_hold_is_printed_escaped(tmp_path, encoding):
    """A cron line's ASCII or latin-1 stdout: a doctor's Japanese name is escaped, not a
    traceback and exit status 1 after the work is done."""
    from pipelines.output.latest import update_latest
    from tests.latestdata import T0, write_crawl

    write_crawl(tmp_path, "a", T0, {"questions": ["q1"]})
    update_latest(tmp_path)
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "query", "SELECT '東京 Zoë' AS city",
                             "--data", str(tmp_path)], capture_output=True, cwd=ROOT, timeout=60,
                            env={**os.environ, "PYTHONIOENCODING": encoding})
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    assert "\\u6771\\u4eac" in result.stdout.decode(encoding)


def test_query_prints_no_control_character_raw(tmp_path):
    """`SELECT chr(27) || '[31m'` would colour the terminal, a NUL or a bidi override garble it:
    printed escaped, as "\\n" is."""
    result = doctor_answers("query", "SELECT chr(27) || '[31mred' AS a, chr(0) AS b, chr(8238) AS c, 'x' AS \"d\x1b\"",
                            "--data", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\\x1b[31mred" in result.stdout and "\\x00" in result.stdout and "\\u202e" in result.stdout
    assert "d\\x1b" in result.stdout
    assert not any(ch in result.stdout for ch in "\x1b\x00\u202e")


def _closed(fd: int):
    return lambda: os.close(fd)


def run_with_stdout(how: str, argv: list, **kwargs) -> subprocess.CompletedProcess:
    """The CLI with stdout as a cron line may leave it: closed (`>&-`), or a log on a full disk;
    or with stderr closed (`2>&-`)."""
    command = [sys.executable, "-m", "crawler.cli", *map(str, argv)]
    if how == "closed":
        return subprocess.run(command, stderr=subprocess.PIPE, text=True, preexec_fn=_closed(1), cwd=ROOT, **kwargs)
    if how == "stderr closed":
        return subprocess.run(command, stdout=subprocess.PIPE, text=True, preexec_fn=_closed(2), cwd=ROOT, **kwargs)
    with open("/dev/full", "w") as full:
        return subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, **kwargs)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("how", ["closed", "full disk", "stderr closed"])
def test_a_crawl_whose_stdout_cannot_be_written_still_exits_with_its_outcome(reference_site, tmp_path, how):
    from tests.crawling import crawl_rows

    site = reference_site(questions=10)
    result = run_with_stdout(how, ["crawl", site.url, "--out", tmp_path], timeout=120)
    assert "Traceback" not in (result.stderr or "") and "Error caught" not in (result.stderr or ""), result.stderr
    (row,) = crawl_rows(tmp_path)
    assert row["status"] == "finished" and result.returncode == 0, (result.returncode, result.stderr)
    if how == "full disk":
        assert result.stderr.count("cannot write to stdout (No space left on device)") == 1, result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("how", ["closed", "full disk"])
def test_a_command_whose_result_cannot_be_written_fails_in_one_line(tmp_path, how):
    from pipelines.output.latest import update_latest
    from tests.latestdata import T0, write_crawl

    write_crawl(tmp_path, "a", T0, {"questions": ["q1"]})
    update_latest(tmp_path)
    for argv in (["query", "SELECT 1 AS one", "--data", tmp_path], ["extract", SAMPLES / "botox-injections-days-knot-redness-injection-sites.legacy.html"],
                 ["report", "--data", tmp_path], ["--version"], ["--help"], ["report", "--help"]):
        result = run_with_stdout(how, argv, timeout=300)
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        if how == "closed":  # nothing to write to: nothing lost that anyone asked for
            assert result.returncode == 0 and not result.stderr, result.stderr
        else:
            assert assert_one_line(result, 1).endswith("error: cannot write to stdout (No space left on device)"), argv


def test_a_crawl_whose_reader_goes_away_exits_with_its_outcome(reference_site, tmp_path):
    """`crawl ... | head -1`: the crawl ran to its end and committed `finished`, then exited 141 as
    it printed its summary (a cron wrapper took it for a failure). A crawl's exit status is its
    outcome's: the reader gone loses the summary only (the crawls row has it)."""
    from tests.crawling import crawl_command, crawl_rows

    site = reference_site(questions=10)
    process = subprocess.Popen(crawl_command(site.url, "--out", tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT)
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    stderr = process.stderr.read().decode()
    status = process.wait(timeout=120)
    (row,) = crawl_rows(tmp_path)
    assert b"started" in first and row["status"] == "finished"
    assert status == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr and "Exception ignored" not in stderr


def test_a_failed_crawl_whose_stderr_reader_goes_away_exits_with_its_outcome(reference_site, tmp_path):
    """`crawl ... 2>&1 | head -1` when its one line on stderr is its status: still 1, not 141."""
    from tests.crawling import crawl_command, crawl_rows

    site = reference_site(questions=10)
    process = subprocess.Popen(crawl_command(f"{site.url}no-such-page", "--out", tmp_path),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    process.stderr.close()  # its reader gone before the crawl says anything there
    status = process.wait(timeout=120)
    (row,) = crawl_rows(tmp_path)
    assert row["status"] == "failed" and status == 1
