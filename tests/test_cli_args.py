"""Bad arguments: a one-line error and exit status 2, no traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.arguments import ArgumentError, check_crawl_settings

ROOT = Path(__file__).resolve().parent.parent


def doctor_answers(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))  # this tree's, from any working folder


@pytest.mark.parametrize("args", [
    ["crawl", "not a url"],
    ["crawl", "ftp://example.com/"],
    ["crawl", "http://127.0.0.1:1/", "--bogus"],
    ["crawl", "http://127.0.0.1:1/", "--max-pages", "0"],
    ["frobnicate"],
])
def test_bad_arguments_exit_2_with_one_line(args):
    result = doctor_answers(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("doctor-answers")


@pytest.mark.parametrize("args, says", [
    ([], "doctor-answers: error: the following arguments are required: COMMAND"),
    (["frobnicate"], "doctor-answers: error: argument COMMAND: invalid choice"),
    (["--bogus"], "doctor-answers: error: unrecognized arguments: --bogus"),  # not "COMMAND is required"
    (["--bogus=1", "-x"], "doctor-answers: error: unrecognized arguments: --bogus=1 -x"),
    (["crawl", "--bogus"], "doctor-answers crawl: error: unrecognized arguments: --bogus"),
    (["query", "--data", "d", "--nope"], "doctor-answers query: error: unrecognized arguments: --nope"),
    (["crawl"], "doctor-answers crawl: error: the following arguments are required: START_URL"),
    (["crawl", "http://127.0.0.1:1/", "--bogus"], "doctor-answers crawl: error: unrecognized arguments: --bogus"),
    (["crawl", "http://127.0.0.1:1/", "--log-level", "loud"], "doctor-answers crawl: error: argument --log-level"),
    (["crawl", "http://127.0.0.1:1/", "--out"], "doctor-answers crawl: error: argument --out: expected one argument"),
    (["reparse", "a.warc.gz", "--processes", "x"], "doctor-answers reparse: error: argument --processes"),
    (["query"], "doctor-answers query: error: the following arguments are required: sql"),
    (["site", "--nope"], "doctor-answers site: error: unrecognized arguments: --nope"),
    (["schedule"], "doctor-answers schedule: error: the following arguments are required"),
    (["extract", "a.html", "b.html", "--url"], "doctor-answers extract: error: argument --url"),
    (["demo", "extra"], "doctor-answers demo: error: unrecognized arguments: extra"),
    (["report", "--crawl"], "doctor-answers report: error: argument --crawl"),
])
def test_argparse_errors_are_one_line_naming_the_command_without_the_usage_block(args, says):
    """README: a bad argument is one line and exit status 2; argparse printed its usage first."""
    result = doctor_answers(*args)
    command = says.split(": error:")[0]
    assert result.returncode == 2
    assert result.stderr.startswith(says) and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.endswith(f"; see {command} --help\n") and result.stdout == ""


def test_an_output_path_that_is_a_file(tmp_path):
    (tmp_path / "out").write_text("I am a file")
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "is a file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ["crawl", ""],
    ["crawl", "http://[::1/"],  # urllib cannot parse it
    ["crawl", "127.0.0.1:8000/question/x"],  # no scheme
    ["crawl", "http://127.0.0.1:1/", "--max-pages", "abc"],
    ["crawl", "http://127.0.0.1:1/", "--out"],
    ["crawl", "http://127.0.0.1:1/", "-s", "no-equals-sign"],
    ["crawl", "http://127.0.0.1:1/", "-s", "EXTRACT_PROCESSES=1000"],  # processes past a few per core: memory only
    ["reparse", "nowhere.warc.gz", "--processes", "1000"],
    ["crawl", "http://127.0.0.1:1/", "-s", 'ITEM_PIPELINES={"nope.Pipe": 1}'],  # classes Scrapy would load mid-start
    ["crawl", "http://127.0.0.1:1/", "-s", 'DOWNLOADER_MIDDLEWARES={"x": "y"}'],
    ["crawl", "http://127.0.0.1:1/", "-s", "SCHEDULER=nope.Scheduler"],
    ["crawl", "http://127.0.0.1:1/", "-s", "STATS_CLASS=nope"],
    ["crawl", "http://127.0.0.1:1/", "-s", 'FEEDS={"x.json": 5}'],
    ["crawl"],
])
def test_more_bad_crawl_arguments_exit_2_with_one_error_line(args):
    result = doctor_answers(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0] == result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:1/", "--archive", "{file}"],  # one line, not argparse's usage block too
    ["crawl", "http://127.0.0.1:1/", "--out", "{file}"],
    ["crawl", "http://127.0.0.1:1/", "--state", "{file}"],
    ["demo", "--out", "{file}"],
    ["query", "SELECT 1", "--data", "{file}"],
])
def test_every_folder_argument_that_is_a_file(tmp_path, args):
    file = tmp_path / "out"
    file.write_text("I am a file")
    result = doctor_answers(*(a.format(file=file) for a in args))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "is a file" in errors[0]
    assert file.read_text() == "I am a file"  # untouched


@pytest.mark.parametrize("setting, says", [
    ("JOBDIR={tmp}/jobdir", "use --state"),  # Scrapy's pause/resume marks a dropped request seen: lost
    ("HTTPCACHE_ENABLED=true", "--archive"),  # a replay would be recorded as a fetch of now
    ("CRAWL_ID=../../evil", "no path"),  # it names files
    ("CRAWL_ID=c1", "already written"),  # a committed crawl's id: its files and row would be replaced
    ("ARCHIVE_DIR={tmp}/file", "is a file"),
    ("CONCURRENT_REQUESTS=abc", "must be a number"),
    # read with getint(): refused, not cut to 10 (doctor-answers) or a ValueError once started (scrapy)
    ("CLOSESPIDER_PAGECOUNT=10.5", "must be a whole number"),
    ("DOWNLOAD_MAXSIZE=1e7", "must be a whole number"),
    ("DOWNLOAD_DELAY=1e6", "above CRAWL_DELAY_MAX"),  # it would fetch nothing, and say nothing
    # past what a timer or a 64-bit integer holds: every worker died, or an OverflowError at the start
    ("EXTRACT_PAGE_TIMEOUT=1e30", "must be at most 2147483"), ("CLOCK_BEHIND_MAX=1e30", "must be at most 2147483"),
    ("DOWNLOAD_MAXSIZE=99999999999999999999", "must be at most 9223372036854775807"),
    ("USER_AGENT=", "a polite crawler says who it is"),  # Scrapy would send no User-Agent
    # -s replaces the project's dict: the archive, the latest view and the others would be gone in silence
    ('EXTENSIONS={{"scrapy.extensions.telnet.TelnetConsole": null}}', "would drop crawler.extensions"),
    ("DOWNLOADER_MIDDLEWARES_BASE={{}}", "null in DOWNLOADER_MIDDLEWARES"),  # robots.txt would go unread
])
@pytest.mark.parametrize("command", ["doctor-answers crawl", "scrapy crawl"])
def test_settings_that_would_make_the_data_wrong_are_refused_however_the_crawl_is_started(tmp_path, setting, says,
                                                                                         command):
    out = tmp_path / "data"
    (out / "crawls" / "crawl_date=2026-11-30").mkdir(parents=True)
    (out / "crawls" / "crawl_date=2026-11-30" / "c1.parquet").write_text("a committed crawl's row")
    (tmp_path / "file").write_text("I am a file")
    setting = setting.format(tmp=tmp_path)
    if command == "scrapy crawl":
        args = [sys.executable, "-m", "scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
                "-s", f"DATA_DIR={out}", "-s", setting]
    else:
        args = [sys.executable, "-m", "crawler.cli", "crawl", "http://127.0.0.1:1/", "--out", str(out), "-s", setting]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and says in result.stderr.strip().splitlines()[-1]
    assert result.stderr.count("\n") == 1, result.stderr  # one line: Scrapy's start-up log came first
    assert not (tmp_path / "jobdir").exists() and not (tmp_path.parent / "evil.log").exists()
    assert sorted(p.name for p in out.rglob("*")) == ["c1.parquet", "crawl_date=2026-11-30", "crawls"]


@pytest.mark.parametrize("argument, says", [
    ("start_url=ftp://example.com/", "not an http(s) URL"), ("start_url=http://", "not an http(s) URL"),
    ("start_url=not a url", "not an http(s) URL"), ("start_url=", "no start URL"),
    ("start_urls=[5]", "must be a JSON list"), ("start_ur=http://127.0.0.1:1/", "unknown spider argument"),
])
def test_scrapy_crawl_refuses_a_bad_start_url_as_doctor_answers_crawl_does(tmp_path, argument, says):
    """README: `scrapy crawl` has the same exit status; it opened the spider, which wrote a failed row."""
    out = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "questions", "-a", argument,
                             "-s", f"DATA_DIR={out}"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"scrapy crawl: {result.stderr.split(': ', 1)[1]}" and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and says in result.stderr
    assert not list(out.rglob("*.parquet"))


@pytest.mark.parametrize("option, setting", [
    ("--out {tmp}/a", "DATA_DIR={tmp}/b"),
    ("--state {tmp}/a", "STATE_DIR={tmp}/b"),
    ("--max-pages 50", "CLOSESPIDER_PAGECOUNT=0"),
    ("--archive {tmp}/a", "ARCHIVE_DIR={tmp}/b"),
    ("--log-file {tmp}/a.log", "LOG_FILE={tmp}/b.log"),
    ("--log-level DEBUG", "LOG_LEVEL=WARNING"),
])
def test_an_option_and_a_setting_that_disagree_are_refused_not_one_silently_dropped(tmp_path, option, setting):
    option, setting = option.format(tmp=tmp_path).split(), setting.format(tmp=tmp_path)
    result = doctor_answers("crawl", "http://127.0.0.1:1/", *option, "-s", setting)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"{setting} and {' '.join(option)} disagree: give one of them")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spelling", ["{tmp}/./data", "{tmp}/link"])
def test_an_option_and_a_setting_that_agree_are_one_crawl_into_the_folder_both_name(tmp_path, spelling):
    """One folder however it is spelled: `.` in it, or a link to it."""
    out = tmp_path / "data"
    out.mkdir()
    (tmp_path / "link").symlink_to(out)
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", str(out), "-s", "DATA_DIR=" + spelling.format(tmp=tmp_path),
                            "--max-pages", "1", "-s", "CLOSESPIDER_PAGECOUNT=1", "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stderr  # nothing listens: failed, but into the one folder
    assert f"data: {out}" in result.stdout and (out / "crawls").is_dir()


def test_a_setting_of_no_such_name_is_a_warning_with_the_likely_one(tmp_path):
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", str(tmp_path / "data"), "--max-pages", "1",
                            "-s", "CONCURENT_REQUESTS=4", "-s", "RETRY_TIMES=0")
    assert result.stderr.splitlines()[0] == ("doctor-answers crawl: warning: CONCURENT_REQUESTS is no setting of "
                                             "Scrapy or this project (did you mean CONCURRENT_REQUESTS?); set as given")


def test_a_refused_scrapy_crawl_says_why_in_its_log_file_too(tmp_path):
    """A Scrapyd job's reason is looked for in its log (its stderr goes to the daemon's)."""
    log = tmp_path / "job.log"
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
                             "-s", f"DATA_DIR={tmp_path / 'data'}", "-s", "JOBDIR=x", "-s", f"LOG_FILE={log}"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Not started: JOBDIR is not supported" in log.read_text()


def scrapy_crawl(tmp_path, *settings):
    args = [sys.executable, "-m", "scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
            "-s", f"DATA_DIR={tmp_path / 'data'}"]
    for value in settings:
        args += ["-s", value]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("setting, says", [
    ("LOG_LEVEL=LOUD", "LOG_LEVEL must be one of"),
    ("LOG_LEVEL=10", "LOG_LEVEL must be one of"),
    ("LOG_ENABLED=nah", "LOG_ENABLED must be true or false"),
    ("LOG_STDOUT=maybe", "LOG_STDOUT must be true or false"),
    ("LOG_ENCODING=bogus", "LOG_ENCODING must be a text encoding"),
    ("LOG_FORMAT=%(nokey)s", "LOG_FORMAT cannot write a log line"),
    ("LOG_DATEFORMAT=%Y\udcff", "LOG_DATEFORMAT cannot write a log line"),  # no UTF-8: "--- Logging error ---"
])
@pytest.mark.parametrize("log", [False, True])
def test_a_log_setting_scrapy_cannot_use_is_refused_before_its_log_set_up(tmp_path, setting, says, log):
    """Scrapy's log set-up read these before the -s checks ran: a traceback and exit 1 (Scrapyd: an
    empty job log, the job `finished`); `%(nokey)s` ran with a "--- Logging error ---" per record."""
    job_log = tmp_path / "job.log"
    result = scrapy_crawl(tmp_path, setting, *([f"LOG_FILE={job_log}"] if log else []))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    assert says in result.stderr and result.stderr.count("\n") == 1, result.stderr  # not after Scrapy's start-up log
    if log:
        assert f"Not started: {says}" in job_log.read_text()


def test_log_settings_that_cannot_write_a_line_together_are_refused(tmp_path):
    check_crawl_settings({"LOG_ENCODING": "latin-1", "LOG_FORMAT": "é %(message)s"}, tmp_path)
    with pytest.raises(ArgumentError, match="cannot write a log line"):
        check_crawl_settings({"LOG_ENCODING": "ascii", "LOG_FORMAT": "é %(message)s"}, tmp_path)


def test_a_log_level_of_any_case_is_taken_by_scrapy_crawl_too(tmp_path):
    job_log = tmp_path / "job.log"
    result = scrapy_crawl(tmp_path, "LOG_LEVEL=debug", f"LOG_FILE={job_log}", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stderr  # nothing listens: failed, having run
    assert "Traceback" not in result.stderr
    assert "] DEBUG: " in job_log.read_text()


def test_a_crawl_id_is_refused_for_its_own_files_only_not_those_of_a_longer_id(tmp_path):
    # `nightly-2-00000.parquet` is crawl nightly-2's first part, not a part of crawl nightly
    for dataset in ("questions", "answers"):
        folder = tmp_path / dataset / "crawl_date=2026-11-30"
        folder.mkdir(parents=True)
        (folder / "nightly-2-00000.parquet").write_text("rows")
    check_crawl_settings({"CRAWL_ID": "nightly"}, tmp_path)
    check_crawl_settings({"CRAWL_ID": "nightly-2-00000"}, tmp_path)
    with pytest.raises(ArgumentError, match="already written"):
        check_crawl_settings({"CRAWL_ID": "nightly-2"}, tmp_path)


def from_a_deleted_folder(tmp_path, *args):
    """`doctor-answers ARGS` started in a working folder that is deleted before it runs (a shell
    or a cron job left in a removed folder)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=120,
                          cwd=gone, preexec_fn=lambda: os.rmdir(gone), env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_absolute_paths_need_no_working_folder(tmp_path, reference_site):
    site = reference_site(questions=10)
    data, archive = tmp_path / "data", tmp_path / "archive"
    crawl = from_a_deleted_folder(tmp_path, "crawl", site.url, "--out", str(data), "--archive", str(archive))
    assert crawl.returncode == 0, crawl.stderr
    for args in (["report", "--data", str(data)], ["query", "SELECT count(*) FROM questions", "--data", str(data)],
                 ["reparse", str(archive), "--out", str(tmp_path / "again")]):
        result = from_a_deleted_folder(tmp_path, *args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:1/"],                                     # --out's default: data/
    ["crawl", "http://127.0.0.1:1/", "--out", "{tmp}/data", "--log-file", "crawl.log"],
    ["schedule", "http://127.0.0.1:1/", "--scrapyd", "http://127.0.0.1:1/"],
    ["report", "--data", "{tmp}", "--out", "report.html"],
    ["query", "SELECT 1"],
    ["extract", "page.html"],
    ["reparse", "archive", "--out", "{tmp}/data"],
])
def test_a_relative_path_without_a_working_folder_is_one_line_and_status_2(tmp_path, args):
    result = from_a_deleted_folder(tmp_path, *(arg.format(tmp=tmp_path) for arg in args))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "the working folder is gone" in result.stderr


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}", "--archive", "{d}/questions"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}", "--state", "{d}/doctors/state"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}", "--log-file", "{d}/answers/crawl.log"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}", "--archive", "{d}/latest/answers"],  # a link into .latest
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}", "-s", "ARCHIVE_DIR={d}/crawls/crawl_date=2026-11-30"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}", "--archive", "{link}/questions"],  # through a link to the folder
    ["report", "--data", "{d}", "--out", "{d}/answers"],
    ["schedule", "http://127.0.0.1:1/", "--out", "{d}", "--state", "{d}/.latest/state"],
])
def test_nothing_of_ours_is_written_where_readers_load_a_dataset_whole(tmp_path, args):
    # pd.read_parquet("data/answers") reads every file there: a log, a state, an archive or a
    # report in it breaks the reader (and under latest/ the next generation deletes it).
    data = tmp_path / "data"
    (data / ".latest" / "g000001" / "answers").mkdir(parents=True)
    (data / "latest").symlink_to(".latest/g000001")
    (data / "answers").mkdir()
    (tmp_path / "link").symlink_to(data)
    result = doctor_answers(*(a.format(d=data, link=tmp_path / "link") for a in args))
    assert result.returncode == 2, result.stderr
    assert "which readers of the data folder load whole" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in data.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}/questions/more"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{d}/latest"],
    ["crawl", "http://127.0.0.1:1/", "-s", "DATA_DIR={d}/crawls/x"],
    ["reparse", "{tmp}/archive", "--out", "{d}/answers"],
    ["demo", "--out", "{d}/doctors/demo"],
    ["schedule", "http://127.0.0.1:1/", "--scrapyd", "http://127.0.0.1:1/", "--out", "{d}/questions/crawl_date=x"],
])
def test_a_data_folder_is_never_made_inside_another(tmp_path, args):
    """Readers of data/ load data/questions/ whole, nested folders too: a data folder made in it
    would be read as its own rows, twice over in the latest view."""
    data = tmp_path / "data"
    (data / "crawls").mkdir(parents=True)
    (tmp_path / "archive").mkdir()
    result = doctor_answers(*(a.format(d=data, tmp=tmp_path) for a in args))
    assert result.returncode == 2, result.stderr
    assert "is inside the data folder" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in data.rglob("*")] == ["crawls"]


def test_a_log_is_never_appended_to_a_file_that_is_no_log(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "state.sqlite").write_bytes(b"SQLite format 3\0" + bytes(100))
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", str(tmp_path / "data"),
                            "--log-file", str(state / "state.sqlite"))
    assert result.returncode == 2 and "is no log" in result.stderr, result.stderr
    assert (state / "state.sqlite").read_bytes() == b"SQLite format 3\0" + bytes(100)


@pytest.mark.parametrize("name", ["CONCURRENT_REQUESTS", "RETRY_TIMES", "EXTRACT_PROCESSES", "DOWNLOAD_MAXSIZE",
                                  "CLOSESPIDER_PAGECOUNT", "DEPTH_LIMIT"])
@pytest.mark.parametrize("text", ["1.5", "1e7", "2.0"])
def test_a_whole_number_setting_takes_no_decimal(name, text):
    from crawler.arguments import setting_value

    with pytest.raises(ArgumentError, match=f"{name} must be a whole number"):
        setting_value(name, text)


@pytest.mark.parametrize("name", ["DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "DNS_TIMEOUT", "CLOSESPIDER_TIMEOUT",
                                  "AUTOTHROTTLE_MAX_DELAY", "PROGRESS_INTERVAL"])
def test_a_setting_read_as_seconds_takes_a_decimal(name):
    from crawler.arguments import setting_value

    assert setting_value(name, "1.5") == 1.5


def test_every_setting_read_as_a_decimal_takes_one():
    """A setting read with getfloat() whose default is whole (DOWNLOAD_DELAY = 0) is in
    DECIMAL_SETTINGS: found in Scrapy's source and this project's."""
    import re

    import scrapy

    from crawler.arguments import whole_setting

    sources = [*Path(scrapy.__file__).parent.rglob("*.py"), *(ROOT / "crawler").rglob("*.py"),
               *(ROOT / "pipelines").rglob("*.py")]
    read_as_decimal = {name for source in sources
                       for name in re.findall(r"getfloat\(\s*[\"']([A-Z_]+)[\"']", source.read_text(encoding="utf-8"))}
    assert read_as_decimal and not [name for name in read_as_decimal if whole_setting(name)]


def test_log_file_setting_dash_is_stderr_as_the_option_is(tmp_path):
    """`-s LOG_FILE=-` is `--log-file -`: the log on stderr, never a file named `-`; and the two
    given together agree only when both say `-`."""
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", tmp_path / "data", "-s", "LOG_FILE=-",
                            "-s", "RETRY_TIMES=0", cwd=tmp_path)
    assert result.returncode == 1 and "  log: stderr" in result.stdout, result.stderr[-2000:]
    assert "[scrapy" in result.stderr and not (tmp_path / "-").exists()
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", tmp_path / "data", "--log-file", "-",
                            "-s", "LOG_FILE=./-", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.strip().endswith("disagree: give one of them")


def test_scrapy_crawl_log_file_dash_is_stderr(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
                             "-s", f"DATA_DIR={tmp_path / 'data'}", "-s", "LOG_FILE=-", "-s", "RETRY_TIMES=0"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1 and "[scrapy" in result.stderr and not (ROOT / "-").exists()


@pytest.mark.parametrize("how", ["option", "setting", "both", "scrapy crawl"])
def test_log_file_in_a_new_folder_is_made_however_it_is_given(tmp_path, how):
    log = "new/deeper/x.log"
    args = {"option": ["--log-file", log], "setting": ["-s", f"LOG_FILE={log}"],
            "both": ["--log-file", log, "-s", f"LOG_FILE={log}"]}.get(how)
    if args is None:
        command = [sys.executable, "-m", "scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
                   "-s", f"DATA_DIR={tmp_path / 'data'}", "-s", f"LOG_FILE={tmp_path / log}", "-s", "RETRY_TIMES=0"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    else:
        result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", tmp_path / "data", "-s", "RETRY_TIMES=0",
                                *args, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "robots.txt" in (tmp_path / log).read_text()


@pytest.mark.parametrize("how", ["option", "setting", "scrapy crawl"])
def test_a_log_file_that_cannot_be_written_is_a_bad_argument(tmp_path, how):
    (tmp_path / "file").write_text("I am a file")
    log = str(tmp_path / "file" / "x.log")
    if how == "scrapy crawl":
        result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "questions", "-a",
                                 "start_url=http://127.0.0.1:1/", "-s", f"DATA_DIR={tmp_path / 'data'}",
                                 "-s", f"LOG_FILE={log}"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    else:
        args = ["--log-file", log] if how == "option" else ["-s", f"LOG_FILE={log}"]
        result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", tmp_path / "data", *args)
        assert len(result.stderr.strip().splitlines()) == 1
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "is a file" in result.stderr.strip().splitlines()[-1] and not (tmp_path / "data").exists()


def test_a_crawl_whose_log_cannot_be_made_finishes_with_one_line_not_its_log_on_stderr(reference_site, tmp_path):
    """README's cron: stderr stays empty when a crawl finished, but for one line when its log
    could not be written; never the whole log."""
    site = reference_site(questions=10)
    out = tmp_path / "data"
    out.mkdir()
    (out / "logs").write_text("not a folder")  # the default log's folder cannot be made
    result = doctor_answers("crawl", site.url, "--out", out)
    assert result.returncode == 0, result.stderr[-2000:]
    (line,) = result.stderr.strip().splitlines()
    assert "cannot write the log" in line and "no log" in line
    assert "  log: none" in result.stdout


LATIN1 = os.fsdecode(b"caf\xe9")  # a folder named in latin-1 by another tool: not UTF-8


@pytest.mark.parametrize("args, cwd", [
    (["crawl", "http://127.0.0.1:1/", "--out", "{tmp}/" + LATIN1], None),
    (["crawl", "http://127.0.0.1:1/", "-s", "DATA_DIR={tmp}/" + LATIN1], None),
    (["crawl", "http://127.0.0.1:1/"], LATIN1),                           # --out's default, data/, in it
    (["crawl", "http://127.0.0.1:1/", "--out", "{tmp}/link"], None),      # a link to it
    (["reparse", "{tmp}/" + LATIN1 + "/a.warc.gz", "--out", "{tmp}/data"], None),
    (["reparse", "{tmp}/a.warc.gz", "--out", "{tmp}/" + LATIN1], None),
    (["query", "SELECT 1", "--data", "{tmp}/" + LATIN1], None),
    (["report", "--data", "{tmp}/" + LATIN1], None),
])
def test_a_path_pyarrow_or_a_crawls_row_takes_that_is_not_utf8_is_refused_up_front(tmp_path, args, cwd):
    """pyarrow and DuckDB take UTF-8 paths only, and a crawls row holds its archives' paths as
    text: a data folder or an archive named in latin-1 fetched the whole site (read every
    archive), then failed with a traceback and no row. Refused before anything runs, named as
    it can be printed."""
    (tmp_path / LATIN1).mkdir()
    (tmp_path / LATIN1 / "a.warc.gz").write_bytes(b"")
    (tmp_path / "a.warc.gz").write_bytes(b"")
    (tmp_path / "link").symlink_to(tmp_path / LATIN1)
    before = sorted(os.listdir(tmp_path / LATIN1))
    result = doctor_answers(*(arg.format(tmp=tmp_path) for arg in args), cwd=tmp_path / cwd if cwd else None)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "Traceback" not in result.stderr
    assert "caf\\xe9" in result.stderr and "' is not UTF-8 text" in result.stderr
    assert sorted(os.listdir(tmp_path / LATIN1)) == before and not (tmp_path / "data").exists()


@pytest.mark.parametrize("option", ["--state", "--archive", "--log-file"])
def test_a_file_python_writes_may_have_a_name_that_is_not_utf8(tmp_path, option):
    """A state, an archive to write or a log is opened by Python, which takes any name: no refusal."""
    from crawler.arguments import validate
    from crawler.cli import build_parser

    args = build_parser().parse_args(["crawl", "http://127.0.0.1:1/", "--out", str(tmp_path / "data"), option,
                                      str(tmp_path / LATIN1)])
    assert getattr(validate("crawl", args), option[2:].replace("-", "_")) == str(tmp_path / LATIN1)


def long_folder(tmp_path: Path, size: int) -> str:
    """A folder path of `size` bytes, each name in it shorter than NAME_MAX."""
    parts, left = [], size - len(str(tmp_path)) - 1
    while left > 0:
        parts.append("x" * min(200, left))
        left -= len(parts[-1]) + 1
    path = os.path.join(tmp_path, *parts)
    return path[:size] if len(path) > size else path


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:1/", "--out", "{long}"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{tmp}/data", "--state", "{long}"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{tmp}/data", "--archive", "{long}"],
    ["crawl", "http://127.0.0.1:1/", "--out", "{tmp}/data", "--log-file", "{long}/crawl.log"],
    ["crawl", "http://127.0.0.1:1/", "-s", "DATA_DIR={long}"],
    ["reparse", "{tmp}", "--out", "{long}"],
    ["report", "--data", "{tmp}", "--out", "{long}/report.html"],
])
@pytest.mark.parametrize("size", [4075, 4030])  # past PATH_MAX with the log's name; with a dataset file's
def test_a_folder_whose_files_would_pass_path_max_is_refused_up_front(tmp_path, args, size):
    """Every name under NAME_MAX, the whole near PATH_MAX: a crawl ended in a traceback (its log's
    path), or fetched the whole site, then failed 'File name too long' writing its first batch."""
    long = long_folder(tmp_path, size)
    if args[0] == "report":
        os.makedirs(long)
    result = doctor_answers(*(arg.format(tmp=tmp_path, long=long) for arg in args))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "Traceback" not in result.stderr
    assert "a path may hold; choose a shorter one" in result.stderr
    assert not (tmp_path / "data").exists()


def test_the_longest_folder_taken_holds_the_longest_file_the_crawl_writes(tmp_path):
    """The bound is the one the file system sets, not a guess: in the longest folder taken, the
    longest name written (a crawl id at its longest, a dataset's temporary file) is made."""
    from crawler.arguments import CRAWL_ID_MAX, LONGEST_WRITTEN, PATH_MAX, output_folder

    folder = long_folder(tmp_path, PATH_MAX - 2 - LONGEST_WRITTEN)
    assert output_folder(folder) == folder
    with pytest.raises(ArgumentError, match="choose a shorter one"):
        output_folder(folder + "y")
    longest = Path(folder, "questions/crawl_date=2026-12-02", f".{'x' * CRAWL_ID_MAX}-000000.parquet.tmp")
    assert len(os.fsencode(str(longest))) == PATH_MAX - 1
    longest.parent.mkdir(parents=True)
    longest.write_bytes(b"")


def test_an_os_error_no_check_foresaw_is_one_line_not_a_traceback(monkeypatch, capsys):
    """A file system refusing a path past the checks (ENAMETOOLONG, ELOOP, ...): one line naming
    the error and the path, exit status 1."""
    import errno

    from crawler import cli

    def refused(args):
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), os.fsdecode(b"/d/caf\xe9/logs/x.log"))
    monkeypatch.setattr(cli, "cmd_query", refused)
    # main() leaves the stops and SIGUSR1/2 ignored once its outcome is final: conftest puts them back
    assert cli.main(["query", "SELECT 1", "--data", str(ROOT)]) == 1
    err = capsys.readouterr().err
    assert err == "doctor-answers query: error: File name too long (/d/caf\\xe9/logs/x.log)\n"


@pytest.mark.parametrize("how", ["data folder", "stderr", "scrapy crawl"])
def test_log_times_are_utc_and_say_so_in_any_local_zone(tmp_path, how):
    """Every other time the product writes is UTC: a log line must be found by them, in a zone
    14 hours ahead (Kiritimati) as in Greenwich, whichever handler writes it."""
    import re
    from datetime import datetime, timedelta, timezone

    env = dict(os.environ, PYTHONPATH=str(ROOT), TZ="Pacific/Kiritimati")
    began = datetime.now(timezone.utc).replace(microsecond=0)
    if how == "scrapy crawl":
        command = ["scrapy", "crawl", "questions", "-a", "start_url=http://127.0.0.1:1/",
                   "-s", f"DATA_DIR={tmp_path / 'data'}", "-s", "LOG_FILE=-"]
    else:
        command = ["crawl", "http://127.0.0.1:1/", "--out", tmp_path / "data"]
        command = ["crawler.cli", *command, *(["--log-file", "-"] if how == "stderr" else [])]
    result = subprocess.run([sys.executable, "-m", *map(str, command), "-s", "RETRY_TIMES=0"], capture_output=True,
                            text=True, timeout=60, cwd=ROOT, env=env)
    assert result.returncode == 1, result.stderr[-2000:]
    log = result.stderr if how != "data folder" else next((tmp_path / "data" / "logs").glob("*.log")).read_text()
    times = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\S*) \[", log, re.MULTILINE)
    assert times, log[-2000:]
    for text in times:
        logged = datetime.strptime(text, "%Y-%m-%d %H:%M:%S%z")  # ValueError: no zone written
        assert logged.utcoffset() == timedelta(0) and began <= logged <= datetime.now(timezone.utc), text


@pytest.mark.parametrize("args, says", [
    (["--report", "-s", "REPORT=false"], "REPORT=false and --report disagree: give one of them"),
    (["--report", "--log-file", "{out}/report.html"], "is where --report writes the crawl's report"),
    (["-s", "REPORT=true", "-s", "LOG_FILE={out}/report.html"], "is where --report writes the crawl's report"),
])
def test_the_report_flag_is_refused_where_another_argument_would_undo_it(tmp_path, args, says):
    """`--report -s REPORT=false` ran without a word; a log file at the report's path was
    replaced by the report, and the summary's `log:` named a file that held no log."""
    out = tmp_path / "data"
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", out, *(a.format(out=out) for a in args))
    assert result.returncode == 2 and says in result.stderr.strip().splitlines()[-1], result.stderr
    assert not out.exists()


@pytest.mark.parametrize("option, place", [("--state", "answers/state"), ("--archive", "crawls/archive"),
                                           ("--log-file", "questions/crawl.log"), ("--log-file", "latest/x.log")])
def test_a_place_inside_another_data_folders_datasets_is_refused_as_inside_its_own(tmp_path, option, place):
    """`pd.read_parquet("other/answers")` broke on a state put there by a crawl into another folder."""
    other = tmp_path / "other"
    (other / "crawls").mkdir(parents=True)
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", tmp_path / "data", option, other / place)
    assert result.returncode == 2, result.stderr
    assert f"which readers of the data folder {str(other)!r} load whole" in result.stderr.strip().splitlines()[-1]
    assert not (other / place).exists()
