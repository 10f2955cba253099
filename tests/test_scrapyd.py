"""The project on a real Scrapyd: deploy the egg, schedule the crawl, wait for the job, read the datasets.

The fixture starts `scrapyd` on 127.0.0.1 with its own config (free port, its own eggs, logs and
dbs folders, no items feed) in tmp_path; the project is deployed with `scrapyd-deploy` from a copy
of the source tree (so the shared work tree gets no build/ folder), and the crawl is scheduled with
`doctor-answers schedule` in a subprocess, as a user would.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from urllib.parse import quote, urlencode

from twisted.web.http import parse_qs   # as Twisted reads a form for Scrapyd

from crawler.scrapyd import ScrapydError, daemon_status, job_state, schedule_form
from crawler.spiders.arguments import QuestionsArguments
from pipelines.loader import load
from tests.truthcheck import differences, read_truth

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "doctor_answers"
SOURCES = ("crawler", "pipelines", "reference_site", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")
START_TIMEOUT = 60.0
JOB_TIMEOUT = 300.0
POLL = 0.1


def tool(name: str) -> str:
    """A console script of this environment: next to the interpreter first, then on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} not found next to {sys.executable} nor on PATH (pip install -e '.[test]')")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(predicate, timeout: float, what: str, detail=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(POLL)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{detail()}")


class Scrapyd:
    def __init__(self, home: Path, credentials: tuple[str, str] | None = None):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.credentials = credentials
        # What the fixture itself calls with: user:password@ in the URL, percent-encoded.
        self.auth_url = self.url if not credentials else \
            self.url.replace("//", "//{}:{}@".format(*(quote(part, safe="") for part in credentials)))
        self.logs = home / "logs"
        self.eggs = home / "eggs"
        self.output = home / "scrapyd.out"
        self.process: subprocess.Popen | None = None

    def start(self):
        for folder in ("eggs", "logs", "dbs"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        # Read from the working folder by scrapyd and by the job processes it starts.
        (self.home / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            f"eggs_dir = {self.home / 'eggs'}\n"
            f"logs_dir = {self.home / 'logs'}\n"
            f"dbs_dir = {self.home / 'dbs'}\n"
            "items_dir =\n"
            "poll_interval = 0.2\n"
            "max_proc = 1\n"
            + ("username = {}\npassword = {}\n".format(*self.credentials) if self.credentials else "")
        )
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen([tool("scrapyd")], cwd=self.home, stdout=out, stderr=subprocess.STDOUT)
        poll(self._up, START_TIMEOUT, f"scrapyd on {self.url}", self.tail)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"scrapyd exited with {self.process.returncode}\n{self.tail()}")
        try:
            return daemon_status(self.auth_url, timeout=2)["status"] == "ok"
        except ScrapydError:
            return False

    def tail(self, chars: int = 4000) -> str:
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        for log in sorted(self.logs.rglob("*.log")):
            text += f"\n--- {log.name}\n" + log.read_text(errors="replace")
        return text[-chars:]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def scrapyd(tmp_path):
    server = Scrapyd(tmp_path / "scrapyd")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def deploy(server: Scrapyd, tmp_path: Path) -> Path:
    """`scrapyd-deploy fixture` from a copy of the project, its scrapy.cfg given a target for `server`."""
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    with open(src / "scrapy.cfg", "a") as cfg:
        cfg.write(f"\n[deploy:fixture]\nurl = {server.url}\nproject = {PROJECT}\n")
    egg = tmp_path / "doctor_answers.egg"
    result = subprocess.run([tool("scrapyd-deploy"), "fixture", "--version", "1"], cwd=src,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and '"status": "ok"' in result.stdout, result.stdout + result.stderr
    (stored,) = (server.eggs / PROJECT).glob("*.egg")
    shutil.copy(stored, egg)
    return egg


@pytest.mark.slow
def test_deploy_schedule_and_read_the_datasets(scrapyd, reference_site, tmp_path):
    egg = deploy(scrapyd, tmp_path)
    with zipfile.ZipFile(egg) as z:
        names = set(z.namelist())
        entry_points = z.read("EGG-INFO/entry_points.txt").decode()
    # The vocabularies travel in the egg, and Scrapyd finds the project's settings through it.
    assert {"pipelines/normalise/data/specialties.txt", "pipelines/normalise/data/credentials.txt"} <= names
    assert "settings = crawler.settings" in entry_points

    truth_file = tmp_path / "truth.jsonl"
    site = reference_site(questions=50, truth=str(truth_file))
    out = tmp_path / "data"
    state = tmp_path / "state"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "schedule", site.url, "--scrapyd", scrapyd.url,
         "--project", PROJECT, "--out", str(out), "--state", str(state)],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    job = result.stdout.strip()
    assert job and "\n" not in job

    poll(lambda: job_state(scrapyd.url, job, PROJECT, timeout=5) == "finished", JOB_TIMEOUT,
         f"job {job} to finish", scrapyd.tail)

    log = scrapyd.tail(200_000)
    assert "Traceback" not in log, log[-4000:]
    crawls = load("crawls", root=out)
    assert len(crawls) == 1, log[-4000:]
    row = crawls.iloc[0]
    assert row["status"] == "finished", log[-4000:]
    truth = read_truth(truth_file)
    questions = load("questions", root=out)
    assert len(questions) == len(truth["questions"]) == 50
    assert row["questions"] == 50
    assert differences(truth, out) == []


# Start URLs that a separator or the form's encoding would change: a comma (and one followed by
# a URL), a space, non-ASCII, the form's own & + % = ; and a JSON list's own brackets and quotes.
AWKWARD_URLS = ["http://127.0.0.1:1/questions/botox?utm=a,b", "http://127.0.0.1:1/a,http://127.0.0.1:2/",
                "http://127.0.0.1:1/two words", "http://127.0.0.1:1/réponse?q=ü", "http://127.0.0.1:1/?a=1&b=2+3%2C4;c=d",
                'http://127.0.0.1:1/["x", "y"]']


@pytest.mark.parametrize("urls", [[url] for url in AWKWARD_URLS] + [AWKWARD_URLS])
def test_the_start_urls_reach_the_spider_as_given(urls):
    """schedule.json's form, read as Scrapyd reads it (the first value of each field, then
    `-a NAME=VALUE` for each field but its own), gives the spider the URLs scheduled."""
    form = urlencode(schedule_form(urls, "/srv/data")).encode("ascii")
    fields = {key.decode(): values[0].decode() for key, values in parse_qs(form, 1).items()}
    arguments = {key: value for key, value in fields.items() if key not in ("project", "spider", "setting")}
    assert QuestionsArguments.parse(**arguments).start_urls == tuple(urls)


@pytest.mark.slow
def test_scheduled_start_urls_are_crawled_as_given(scrapyd, tmp_path):
    deploy(scrapyd, tmp_path)
    out = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "schedule", *AWKWARD_URLS, "--scrapyd", scrapyd.url,
         "--project", PROJECT, "--out", str(out)],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    job = result.stdout.strip()
    poll(lambda: job_state(scrapyd.url, job, PROJECT, timeout=5) == "finished", JOB_TIMEOUT,
         f"job {job} to finish", scrapyd.tail)
    (row,) = load("crawls", root=out).itertuples()
    assert list(row.start_urls) == AWKWARD_URLS, scrapyd.tail()
    assert row.status == "failed"   # nothing listens on port 1: each start URL failed, none was another


def test_credentials_in_the_scrapyd_url_open_a_scrapyd_that_wants_them(tmp_path):
    server = Scrapyd(tmp_path / "scrapyd", credentials=("admin", "s3cr:et@"))
    try:
        server.start()   # polls daemonstatus.json with the credentials in the URL
        assert daemon_status(server.auth_url, timeout=5)["status"] == "ok"
        with pytest.raises(ScrapydError, match="HTTP 401"):
            daemon_status(server.url, timeout=5)
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "schedule", "http://127.0.0.1:8000/", "--scrapyd",
             server.url.replace("//", "//admin:wrong@"), "--out", str(tmp_path / "data")],
            capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert result.returncode == 1 and "HTTP 401" in result.stderr and "wrong" not in result.stderr
    finally:
        server.stop()


def test_schedule_without_scrapyd_is_one_line_and_status_1():
    port = free_port()  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "schedule", "http://127.0.0.1:8000/",
         "--scrapyd", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot reach Scrapyd" in result.stderr
