"""How a crawl ends, as a cron job sees it: exit status, the `crawls` row, the summary on stdout.

failed (1) when nothing usable was fetched, with a message naming the cause; degraded (4) when
data was committed but a quality check failed, naming the check and its figures; finished (0)
otherwise. The hostile servers here change the site in ways the checks were not written for:
the checks look at outcomes, not at the kinds of fault injected.
"""
from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError

import pytest

from pipelines.loader import load
from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, question_hits, wait_for
from reference_site.text import TOPICS
from tests.hostile import HostileServer, Reply
from tests.truthcheck import read_truth

FAST_FAILURE = ["-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_BACKOFF_BASE=0.01"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_row(out) -> dict:
    return sorted(crawl_rows(out), key=lambda row: row["started_at"])[-1]


def check_named(row: dict, prefix: str) -> dict:
    (check,) = [c for c in row["checks"] if c["name"] == prefix] or [None]
    return check


def assert_errors_are_one_line_each(result) -> None:
    assert "Traceback" not in result.stderr
    for line in result.stderr.splitlines():
        assert line.startswith(("ERROR: ", "CRITICAL: ", "crawl ")), line


# ---- failed ---------------------------------------------------------------------------------

def test_a_host_with_nothing_listening_fails_naming_the_cause(tmp_path):
    out = tmp_path / "data"
    result = crawl(f"http://127.0.0.1:{free_port()}/", "--out", out, *FAST_FAILURE, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "failed" and row["pages_fetched"] == 0
    # robots.txt is its first request: rules that cannot be read disallow the site (RFC 9309)
    assert re.match(r"robots\.txt of 127\.0\.0\.1:\d+ could not be read \(connection refused\)", row["message"]), \
        row["message"]
    assert f"why: {row['message']}" in result.stdout
    assert f"crawl {row['crawl_id']}: failed" in result.stdout
    assert_errors_are_one_line_each(result)
    assert result.stderr.splitlines()[-1].endswith(": failed")
    assert "Dumping Scrapy stats" in crawl_log(out)  # the whole log is in its file


@pytest.mark.parametrize("retries", [0, 2])
def test_download_errors_are_every_failed_attempt_as_the_summary_and_the_check_count_them(reference_site, tmp_path,
                                                                                         retries):
    """A page whose connection closes on every attempt is one failed page and 1 + RETRY_TIMES
    download errors: the row, the summary's errors and the fetch_errors check count the same."""
    site = reference_site(questions=40)

    def dropped(path):
        return path.startswith("/question/") and zlib.crc32(path.encode()) % 5 == 0
    server = HostileServer(lambda path: Reply(drop=True) if dropped(path) else None, upstream=site.url, in_front=True)
    out = tmp_path / "data"
    try:
        result = crawl(server.url + "/", "--out", out, "-s", f"RETRY_TIMES={retries}", "-s", "RETRY_BACKOFF_BASE=0.01")
    finally:
        server.stop()
    attempts = {path: n for path, n in server.hits.items() if dropped(path)}
    assert attempts and set(attempts.values()) == {1 + retries}, attempts
    row = last_row(out)
    assert (row["download_errors"], row["pages_failed"]) == (sum(attempts.values()), len(attempts)), row
    (errors,) = [line for line in result.stdout.splitlines() if line.startswith("  errors:")]
    assert sum(int(n) for n in re.findall(r"\((\d+)\)", errors)) == row["download_errors"], errors
    share = (row["download_errors"] + row["responses_5xx"] + row["responses_429"]) / (
        row["download_errors"] + row["responses"])
    assert {c["name"]: c["value"] for c in row["checks"]}["fetch_errors"] == pytest.approx(share)


def test_a_site_answering_errors_to_everything_fails(reference_site, tmp_path):
    site = reference_site(questions=30, faults="error=1")
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, *FAST_FAILURE, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "failed" and row["questions"] == 0
    assert re.search(r"answers were errors: HTTP 5\d\d \(\d+\)", row["message"]), row["message"]
    assert row["message"] in result.stdout


# ---- degraded -------------------------------------------------------------------------------

def test_a_redesign_on_a_share_of_pages_degrades_the_crawl_naming_the_check(reference_site, tmp_path):
    truth_file = tmp_path / "truth.jsonl"
    site = reference_site(questions=200, drift="family=0.3", truth=str(truth_file))
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out)
    assert result.returncode == 4, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "degraded"
    check = check_named(row, "unknown_or_malformed_pages")
    drifted = [q for q in read_truth(truth_file)["questions"].values() if "family" in q.get("drift", "")]
    assert check["value"] == pytest.approx(len(drifted) / 200) and not check["passed"]
    assert 0.2 < check["value"] < 0.4
    assert f"unknown_or_malformed_pages {check['value']:.3f} (at most 0.020)" in result.stdout
    assert "unknown_or_malformed_pages" in row["message"]
    assert row["questions"] == 200 - len(drifted)  # what could be read was committed
    # one page, one class: an unknown layout is a malformed page, not a failed one too
    assert (row["pages_malformed"], row["pages_failed"]) == (len(drifted), 0)
    assert f"errors: unknown layout ({len(drifted)})" in result.stdout


def test_a_degraded_crawl_stopped_at_max_pages_says_it_stopped_at_its_limit(reference_site, tmp_path):
    """A crawl --max-pages stopped holds part of the site, whatever its checks say: a degraded
    one names its limit too (row, summary), and the summary's pages figure says it counts robots.txt."""
    site = reference_site(questions=300, drift="family=0.3")
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, "--max-pages", 60)
    assert result.returncode == 4, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "degraded" and "unknown_or_malformed_pages" in row["message"]
    assert "stopped at its limit (--max-pages" in row["message"]
    assert "  why: stopped at its limit (--max-pages" in result.stdout
    assert row["pages_fetched"] == 61 and "  pages: 61 fetched (1 of them robots.txt)" in result.stdout


def test_a_rating_moved_out_of_the_byline_degrades_the_next_crawl(reference_site, tmp_path):
    out = tmp_path / "data"
    clean = reference_site(questions=300)
    first = crawl(clean.url, "--out", out)
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    clean.stop()
    # The same site (same address: another port would be another site, compared with nothing).
    port = int(clean.url.rstrip("/").rsplit(":", 1)[1])
    drifted = reference_site(questions=300, drift="rating=0.5", port=port)
    result = crawl(drifted.url, "--out", out)
    assert result.returncode == 4, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "degraded"
    failed = [c["name"] for c in row["checks"] if not c["passed"]]
    assert "coverage/doctors.rating/all" in failed, failed
    assert "coverage/doctors.rating/all" in result.stdout and "coverage/doctors.rating/all" in row["message"]
    assert row["questions"] == 300  # every page read: only the coverage shows it


NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', re.S)


def answers_by_script(body: bytes) -> bytes:
    """A nextjs page whose answers load by script: "Doctor Answers 0", a spinner, no answer in
    its JSON either. It still parses: a question with no answers."""
    import json

    page = body.decode("utf-8")
    found = NEXT_DATA.search(page)
    data = json.loads(found.group(2))
    question = data["props"]["pageProps"]["question"]
    question.update(answers=[], answerCount=0, answersEndpoint=f"/api/questions/{question['id']}/answers")
    page = page[:found.start(2)] + json.dumps(data) + page[found.end(2):]
    page = re.sub(r'(<section class="answers-list_list__\w+">).*?</section>',
                  r'\1<div class="spinner_root__1">Loading answers</div></section>', page, flags=re.S)
    return re.sub(r'(<h2 class="answers-list_heading__\w+">)Doctor Answers \d+', r"\1Doctor Answers 0", page).encode()


def test_one_family_losing_its_answers_degrades_the_next_crawl_naming_the_family(reference_site, tmp_path):
    """A redesign reaches one family at a time: the nextjs third of the site loads its answers by
    script. The site lost a third of its answers, not half; that family lost all of its."""
    site = reference_site(questions=150)
    nextjs = {f"/question/{slug}" for slug in site.site.question_slugs() if site.site.family_of(slug) == "nextjs"}
    assert len(nextjs) >= 30  # CHECK_COVERAGE_MIN_ROWS: enough to judge the family
    redesigned = threading.Event()

    def route(path):
        if redesigned.is_set() and path in nextjs:
            reply = server.fetch(path)
            return Reply(reply.status, answers_by_script(reply.body), reply.headers)
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)  # one address for both crawls: one site
    out = tmp_path / "data"
    try:
        first = crawl(server.url + "/", "--out", out)
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        redesigned.set()
        result = crawl(server.url + "/", "--out", out)
    finally:
        server.stop()
    assert result.returncode == 4, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "degraded" and row["questions"] == 150  # every page read: only the answers went
    assert [c["name"] for c in row["checks"] if not c["passed"]] == ["answers_per_question/nextjs"], row["checks"]
    assert check_named(row, "answers_per_question/nextjs")["value"] == 0
    assert "answers_per_question/nextjs 0 (at least" in row["message"] and "answers_per_question/nextjs" in result.stdout


# ---- finished -------------------------------------------------------------------------------

def test_a_clean_crawl_finishes_with_a_summary(reference_site, tmp_path):
    site = reference_site(questions=80)
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert result.stderr == ""  # nothing for cron to mail
    row = last_row(out)
    assert row["status"] == "finished" and all(c["passed"] for c in row["checks"])
    assert {c["name"] for c in row["checks"]} >= {"unknown_or_malformed_pages", "fetch_errors", "questions_found"}
    assert {(c["dataset"], c["layout"]) for c in row["coverage"]} >= {("questions", "*"), ("doctors", "legacy")}
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"crawl {row['crawl_id']}: started on {site.url}")
    summary = "\n".join(lines[1:])
    assert f"crawl {row['crawl_id']}: finished" in summary
    doctors = len(load("doctors", root=out))
    assert f"rows: 80 questions, {row['answers']} answers, {doctors} distinct doctors" in summary
    assert "errors: none" in summary and re.search(r"time: \d+\.\d s", summary)
    assert f"data: {out.resolve()}" in summary
    log = out / "logs" / f"{row['crawl_id']}.log"
    assert f"log: {log.resolve()}" in summary and "Spider closed (finished)" in log.read_text()


def test_log_options(reference_site, tmp_path):
    site = reference_site(questions=20)
    log = tmp_path / "elsewhere" / "crawl.log"
    result = crawl(site.url, "--out", tmp_path / "data", "--log-file", log, "--log-level", "warning")
    assert result.returncode == 0 and log.is_file()
    assert " INFO: " not in log.read_text() and not (tmp_path / "data" / "logs").exists()
    on_stderr = crawl(site.url, "--out", tmp_path / "data2", "--log-file", "-")
    assert on_stderr.returncode == 0 and "Spider closed (finished)" in on_stderr.stderr


def test_a_resumed_crawl_says_so_at_its_start(reference_site, tmp_path):
    site = reference_site(questions=600, faults="latency=20ms")
    out, state = tmp_path / "data", tmp_path / "state"
    command = crawl_command(site.url, "--out", out, "--state", state, "-s", "CHECKPOINT_PAGES=20")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: question_hits(site) >= 80, what="80 questions fetched")
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130 and ": interrupted" in stdout
    result = crawl(site.url, "--out", out, "--state", state)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    first = result.stdout.splitlines()[0]
    assert re.search(r"crawl \S+: resuming from state .* \(\d+ question pages already committed\)", first), first
    assert "Resuming crawl" in crawl_log(out)
    # Its row counts the whole crawl, both runs: every question page fetched once (or more),
    # none skipped (it counted only the last run's pages, and the first run's as skipped)
    (row,) = crawl_rows(out)
    assert row["status"] == "finished" and row["questions"] == 600
    assert row["pages_fetched"] > 600 and row["pages_skipped"] == 0
    assert re.search(r"600 question pages read, \d+ not modified, 0 skipped", result.stdout), result.stdout  # as the row




# The crawl command as `doctor-answers crawl` runs it, with a signal arriving the moment it
# starts holding them: during the imports, half a second before Scrapy handles signals.
SIGNAL_WHILE_STARTING = """
import os, sys
from crawler import startup_signals
from crawler.cli import main
hold, sent = startup_signals.hold, []
def hold_then_signal():
    hold()
    if not sent:
        sent.append(os.kill(os.getpid(), int(sys.argv[1])))
startup_signals.hold = hold_then_signal
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_crawl_stopped_while_it_starts_still_gets_its_row(reference_site, tmp_path, signum):
    """A cron job's `timeout` or a quick Ctrl-C before Scrapy handles signals ends the crawl as
    any interrupted crawl: exit 130, a row that says so (Python's default ended it, no row)."""
    site = reference_site(questions=20)
    out = tmp_path / "data"
    command = [sys.executable, "-c", SIGNAL_WHILE_STARTING, str(int(signum)), "crawl", site.url, "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 130, result.stderr[-2000:]
    row = last_row(out)
    assert row["status"] == "interrupted" and "stopped by a signal" in row["message"]
    assert f"crawl {row['crawl_id']}: interrupted" in result.stdout


def test_a_crawl_stopped_twice_is_interrupted_not_failed(reference_site, tmp_path):
    """A second Ctrl-C forces Scrapy to end at once, before the crawl's row is written: the
    exit status and the summary still say interrupted (they said failed, exit 1)."""
    site = reference_site(questions=600, faults="latency=20ms")
    out = tmp_path / "data"
    process = subprocess.Popen(crawl_command(site.url, "--out", out), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: question_hits(site) >= 40, what="40 questions fetched")
        process.send_signal(signal.SIGINT)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, stderr[-2000:]
    assert ": interrupted" in stdout and ": failed" not in stdout + stderr

# ---- changes nobody wrote a fault for -------------------------------------------------------

class HostileProxy:
    """A server of the test's own in front of the reference site: it rewrites question pages
    with `change` (bytes -> bytes) once `hostile` is set."""

    def __init__(self, upstream: str, change):
        self.upstream, self.change, self.hostile = upstream.rstrip("/"), change, False
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                request = urllib.request.Request(proxy.upstream + self.path, headers={"Host": self.headers["Host"]})
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, body, ctype = answer.status, answer.read(), answer.headers.get("Content-Type")
                except HTTPError as error:
                    status, body, ctype = error.code, error.read(), error.headers.get("Content-Type")
                if proxy.hostile and self.path.startswith("/question/"):
                    body = proxy.change(body)
                self.send_response(status)
                self.send_header("Content-Type", ctype or "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def answer_titles_vanish(body: bytes) -> bytes:
    return re.sub(rb"<h3\b[^>]*>.*?</h3>", b"", body, flags=re.S)


def doctor_links_move(body: bytes) -> bytes:
    return body.replace(b'href="/dr/', b'href="/team/')


# An answer part every answer has that vanishes makes its pages malformed (crawler.pages.page:
# ElementPage._shown); a link that moves is read as no doctor, which the coverage check sees.
@pytest.mark.parametrize("change, check", [(answer_titles_vanish, "unknown_or_malformed_pages"),
                                           (doctor_links_move, "coverage/answers.doctor_id/")])
def test_a_change_nobody_wrote_down_is_caught_by_the_checks(reference_site, tmp_path, change, check):
    out = tmp_path / "data"
    result = crawl_before_and_after(reference_site(questions=200), change, out)
    assert result.returncode == 4, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    failed = [c["name"] for c in row["checks"] if not c["passed"]]
    assert row["status"] == "degraded" and any(name.startswith(check) for name in failed), failed
    assert check in result.stdout


def test_not_modified_to_a_request_that_named_no_version_is_no_page(reference_site, tmp_path):
    """A cache or a wall answering 304 to every question: nothing was read, and the crawl says so."""
    site = reference_site(questions=20)
    server = HostileServer(lambda path: Reply(304, b"", {}) if path.startswith("/question/") else None,
                           upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert row["message"] == "no question page read: 20 answered 304 Not Modified to a request that named no version"
    assert (row["pages_not_modified"], row["pages_failed"]) == (0, 20)


def crawl_through(server, out) -> tuple:
    """(the result, the crawls row) of a crawl of `server`'s site, the server stopped after."""
    try:
        result = crawl(server.url + "/", "--out", out)
    finally:
        server.stop()
    return result, last_row(out)


@pytest.mark.parametrize("moved, retried", [(3, False), (3, True), (20, False)])
def test_pages_redirected_off_the_site_are_failed_pages_named_in_the_outcome(reference_site, tmp_path, moved, retried):
    """Scrapy drops a redirect to another host without a word (the host's other name here),
    and follows one after a retry: the crawl follows none, names them, and fails when that was
    every question."""
    site = reference_site(questions=20)
    paths, tried = [], set()

    def route(path):
        if path.startswith("/question/") and (path in paths or len(paths) < moved):
            if path not in paths:
                paths.append(path)
            if retried and path not in tried:  # a 503 first: the retry is dont_filter
                tried.add(path)
                return Reply(503, b"busy")
            return Reply(301, b"", {"Location": f"http://localhost:{server.url.rsplit(':', 1)[1]}{path}"})
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert row["pages_failed"] == moved and row["questions"] == 20 - moved, result.stdout
    if moved == 20:
        assert result.returncode == 1 and row["message"] == "no question page read: 20 redirected off the site (not followed)"
    else:
        # 3 of 20 questions missing: a hole in the data the crawl names
        assert result.returncode == 4 and row["questions"] == 17, result.stdout + result.stderr[-2000:]
        assert f"redirected off the site ({moved})" in result.stdout and "question_pages_unread 0.150" in result.stdout
    assert "Redirected off the site, not followed: " + server.url in result.stderr


UNFOLLOWABLE = {  # a question page's answer, and what its failure names
    "to ftp:": (Reply(302, b"", {"Location": "ftp://127.0.0.1/x"}), "HTTP 302 to ftp://127.0.0.1/x, not followed"),
    "to file:": (Reply(301, b"", {"Location": "file:///etc/passwd"}), "HTTP 301 to file:///etc/passwd, not followed"),
    "to javascript:": (Reply(302, b"", {"Location": "javascript:alert(1)"}),
                       "HTTP 302 to javascript:alert(1), not followed (not a URL the crawl can follow)"),
    "without a Location": (Reply(302, b""), "HTTP 302 without a Location, not followed"),
    "a long Location": (Reply(302, b"", {"Location": "data:," + "x" * 5000}), "HTTP 302 to data:,xxx"),
}


@pytest.mark.parametrize("redirect", list(UNFOLLOWABLE))
@pytest.mark.parametrize("share", ["all", "some"])
def test_pages_redirected_where_the_crawl_cannot_follow_are_failed_pages_in_the_errors(reference_site, tmp_path,
                                                                                      redirect, share):
    """Scrapy passed such a 3xx on as an "HTTP 302" (no error by the summary's rules: `errors:
    none` beside the lost pages), or raised `ValueError: Missing scheme`: each is a failed page
    whose reason names where it pointed, counted in the errors line."""
    site = reference_site(questions=20)
    reply, named = UNFOLLOWABLE[redirect]
    moved = 20 if share == "all" else 3
    paths: list[str] = []

    def route(path):
        if path.startswith("/question/") and (path in paths or len(paths) < moved):
            paths.append(path)
            return reply
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert row["pages_failed"] == moved and row["questions"] == 20 - moved, result.stdout
    assert f"errors: redirect not followed ({moved})" in result.stdout
    assert named in result.stderr and "ValueError" not in result.stderr and "x" * 200 not in result.stderr
    assert_errors_are_one_line_each(result)
    if moved == 20:
        assert result.returncode == 1 and row["message"] == (
            "no question page read: 20 redirected where the crawl cannot follow (no Location, not http or https)")
    else:
        assert result.returncode == 4 and "question_pages_unread 0.150" in result.stdout


def crawl_before_and_after(site, change, out):
    """Two crawls of `site` into `out` through one HostileProxy (one site: one address): the
    first as the site is (it must finish), the second with its question pages changed."""
    proxy = HostileProxy(site.url, change)
    try:
        assert crawl(proxy.url, "--out", out).returncode == 0
        proxy.hostile = True
        return crawl(proxy.url, "--out", out)
    finally:
        proxy.close()


def first_crawl_through(site, change, out):
    """A crawl of `site` through a HostileProxy changing its question pages from the start."""
    proxy = HostileProxy(site.url, change)
    proxy.hostile = True
    try:
        return crawl(proxy.url, "--out", out)
    finally:
        proxy.close()


def legacy_doctor_links_move(body: bytes) -> bytes:
    """One family's redesign: the legacy markup's profile links move (`/dr/` to `/team/`)."""
    return body.replace(b'href="/dr/', b'href="/team/') if b'class="rs-question' in body else body


def test_a_field_one_family_stops_showing_degrades_even_a_first_crawl(reference_site, tmp_path):
    """No earlier crawl to compare with: the other families of the same crawl are the baseline.
    (A part every answer shows that vanishes makes the page malformed: a field read as absent
    is one whose markup still shows something, here a byline's link of another form.)"""
    out = tmp_path / "data"
    result = first_crawl_through(reference_site(questions=150), legacy_doctor_links_move, out)
    assert result.returncode == 4, result.stdout + result.stderr[-2000:]
    row = last_row(out)
    failed = [c["name"] for c in row["checks"] if not c["passed"]]
    # the links of another form are printed values that do not read, too many of legacy's
    assert row["status"] == "degraded" and sorted(failed) == ["family_coverage/answers.doctor_id/legacy",
                                                              "values_not_read/answers/profile/legacy"], failed
    assert "family_coverage/answers.doctor_id/legacy 0 (at least" in result.stdout


def answers_loaded_later(body: bytes) -> bytes:
    """The page declares three answers more than it shows (the rest would come by script)."""
    def more(match):
        return match.group(1) + str(int(match.group(2)) + 3).encode()
    body = re.sub(rb"(Doctor Answers\D{0,40}?)(\d+)", more, body)
    return re.sub(rb'("answerCount":\s*)(\d+)', more, body)


def on_a_third_of_pages(change):
    return lambda body: change(body) if zlib.crc32(body) % 3 == 0 else body


@pytest.mark.parametrize("share", ["all", "a third"])
def test_pages_that_stay_short_of_their_answers_are_bad_pages_even_on_a_first_crawl(reference_site, tmp_path, share):
    """Whole pages short of their answers are markup (answers elsewhere), not pages cut off in
    transfer: each is asked for once, and the outcome points at the markup, not the network."""
    out = tmp_path / "data"
    site = reference_site(questions=60)
    change = answers_loaded_later if share == "all" else on_a_third_of_pages(answers_loaded_later)
    result = first_crawl_through(site, change, out)
    row = last_row(out)
    assert row["pages_truncated"] == 0 and question_hits(site) == 60, result.stdout
    assert "cut off" not in result.stdout + result.stderr
    assert re.search(r"Malformed page, not recorded: \S+: the page declares \d+ answers but holds \d+: "
                     r"answers on other pages or loaded by script\?", result.stderr), result.stderr[-2000:]
    if share == "all":  # nothing read: failed, saying what the pages were
        assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
        assert row["message"] == "no question page read: 60 malformed", row["message"]
    else:
        check = check_named(row, "unknown_or_malformed_pages")
        assert result.returncode == 4 and row["status"] == "degraded", result.stdout + result.stderr[-2000:]
        assert 0.15 < check["value"] < 0.55 and row["questions"] == round(60 * (1 - check["value"]))
        assert f"unknown_or_malformed_pages {check['value']:.3f} (at most 0.020)" in result.stdout


def test_answers_split_across_pages_are_asked_for_once_and_named_as_markup(reference_site, tmp_path):
    """Pages with over two answers show two and link the rest (?page=2), still declaring them
    all: each is asked for once (no retry cures markup), never counted as cut off."""
    from crawler.pages import detect_family
    from tests.test_pages_samples import _answers_on_pages

    def paged(body: bytes) -> bytes:
        html = body.decode()
        if len(re.findall(r'class="(?:rs-answer|Content Content--answer|answer-card_card__\w+)"', html)) <= 2:
            return body
        return _answers_on_pages(html, detect_family(html)).encode()

    site, out = reference_site(questions=60), tmp_path / "data"
    result = first_crawl_through(site, paged, out)
    row = last_row(out)
    assert 0 < row["pages_malformed"] < 60 and row["pages_truncated"] == 0, result.stdout + result.stderr[-2000:]
    assert max(n for path, n in site.hits.items() if path.startswith("/question/")) == 1
    assert result.returncode == 4 and f"errors: malformed ({row['pages_malformed']})" in result.stdout
    assert result.stderr.count("answers on other pages or loaded by script?") == row["pages_malformed"]


def test_scrapy_crawl_exits_with_the_crawls_status(tmp_path):
    out = tmp_path / "data"
    project = Path(__file__).resolve().parent.parent  # scrapy.cfg
    result = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "crawl", "questions", "-a",
                             f"start_url=http://127.0.0.1:{free_port()}/", "-s", f"DATA_DIR={out}", *FAST_FAILURE],
                            capture_output=True, text=True, cwd=project, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    assert last_row(out)["status"] == "failed"
    assert re.search(r"Crawl \S+ failed \(.*connection refused", result.stderr)  # the outcome, in the log


@pytest.mark.parametrize("trap", ["home", "loop", "waf"])
def test_question_pages_that_give_no_question_leave_no_silent_hole(reference_site, tmp_path, trap):
    """Redirected to a page the crawl fetched already (Scrapy's duplicate filter would drop it
    without a word), into a loop, or refused by a WAF: every such page is counted, named, and
    the hole they leave in the data makes the crawl degraded."""
    site = reference_site(questions=40)
    lost = set()

    def route(path):
        page = path.split("?")[0]
        if not page.startswith("/question/") or (page not in lost and len(lost) >= 8):
            return None
        lost.add(page)
        if trap == "home":
            return Reply(302, b"", {"Location": "/"})
        if trap == "loop":
            return Reply(302, b"", {"Location": page if "?" in path else page + "?again"})
        return Reply(403, b"<html><body>Request blocked by the firewall</body></html>")

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert result.returncode == 4 and row["status"] == "degraded", result.stdout + result.stderr[-2000:]
    assert row["questions"] == 32 and "question_pages_unread 0.200 (at most 0.050)" in row["message"]
    errors = next(line for line in result.stdout.splitlines() if line.startswith("  errors: "))
    assert {"home": "question URLs redirected to no question page (8)", "loop": "max redirections reached (8)",
            "waf": "HTTP 403 (8)"}[trap] in errors


# where a question URL is redirected ({page}: its path), how many are, and what its line says of where it led
LEADS_AWAY = {
    "the home page": ("/", 3, "not a question page"),
    "a topic listing": (f"/questions/{TOPICS[0][1]}", 3, "not a question page"),
    "a login form": ("/signin?next={page}", 3, "not a question page"),
    "a login wall that answers 404": ("/login?next={page}", 3, "HTTP 404"),
    "a login wall that answers 410": ("/login-gone", 3, "HTTP 410"),
    "the home page, one question": ("/", 1, "not a question page"),
}


@pytest.mark.parametrize("target", list(LEADS_AWAY))
def test_question_urls_redirected_to_no_question_page_are_named_with_where_they_led(reference_site, tmp_path, target):
    """A question URL redirected to the home page, a listing or a login wall lost its question:
    each is named with where it led (log, message), counted as such, not as an unknown layout
    (a redesign's sign) nor as a page the site does not have (the login wall's 404)."""
    site = reference_site(questions=40)
    where, moved, why = LEADS_AWAY[target]
    lost: list[str] = []

    def route(path):
        if path.startswith("/signin"):
            return Reply(200, b"<html><head><title>Sign in</title></head><body><form><input name=u></form></body></html>")
        if path.startswith("/login"):
            return Reply(410 if path == "/login-gone" else 404, b"<html><body>Not here</body></html>")
        if path.startswith("/question/") and (path in lost or len(lost) < moved):
            if path not in lost:
                lost.append(path)
            return Reply(302, b"", {"Location": where.format(page=path)})
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert row["questions"] == 40 - moved, result.stdout + result.stderr[-2000:]
    if moved == 1:  # 1 of 40: under the checks' threshold, finished, and still said
        assert result.returncode == 0 and row["status"] == "finished"
        assert f"why: {row['message']}" in result.stdout
    else:
        assert result.returncode == 4 and row["status"] == "degraded"
        assert "unknown_or_malformed_pages" not in row["message"]
    assert f"{moved} question pages lost to redirects" in row["message"]
    errors = next(line for line in result.stdout.splitlines() if line.startswith("  errors: "))
    assert f"question URLs redirected to no question page ({moved})" in errors and "unknown layout" not in errors
    for path in lost:
        line = f"{server.url}{path} -> {server.url}{where.format(page=path)} ({why})"
        assert line in result.stderr and line in row["message"]


_REMOVED_PAGE = (b"<!DOCTYPE html><html><head><title>Question removed | Site</title></head><body><main>"
                 b"<h1>This question is no longer available</h1><p>Browse other questions.</p></main></body></html>")
# how a site takes a question down: (status, Location or None, body)
REMOVALS = {
    "a page saying so": (200, None, _REMOVED_PAGE),
    "a page saying so, reached by 302": (302, "/removed", b""),
    "301 to a topic listing": (301, f"/questions/{TOPICS[0][1]}", b""),
    "308 to the home page": (308, "/", b""),
}


@pytest.mark.parametrize("how", list(REMOVALS))
def test_questions_the_site_removed_are_gone_not_an_unknown_layout_nor_lost(reference_site, tmp_path, how):
    """A question the site took down, as sites do (a page saying so, a permanent redirect to
    where its readers should go): settled as gone, as a 404 is, and said in the summary; not an
    unknown layout (a redesign's sign) nor a page lost, which would fail an incremental crawl
    asking for a few pages each day for as long as a sitemap names it."""
    site = reference_site(questions=40)
    status, where, body = REMOVALS[how]
    removed: list[str] = []

    def route(path):
        if path == "/removed":
            return Reply(200, _REMOVED_PAGE, {"Content-Type": "text/html; charset=utf-8"})
        if path.startswith("/question/") and (path in removed or len(removed) < 3):
            if path not in removed:
                removed.append(path)
            return Reply(status, body, {"Content-Type": "text/html; charset=utf-8", **({"Location": where} if where else {})})
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert (result.returncode, row["status"], row["questions"]) == (0, "finished", 37), result.stdout + result.stderr[-2000:]
    assert row["pages_malformed"] == 0 and "3 questions the site removed" in result.stdout
    for path in removed:
        assert f"Question removed by the site: {server.url}{path}" in crawl_log(tmp_path / "data")


@pytest.mark.parametrize("how", ["308 to the home page", "a page saying so"])
def test_most_question_urls_gone_at_once_is_a_site_wide_change_not_removals(reference_site, tmp_path, how):
    """Every question URL but a few sent home for good (a redesign, a rewrite rule) or answered
    with an outage page titled "not found": no site removes most of its questions in a day, so
    the crawl is degraded and names the check, not finished with "questions the site removed"."""
    site = reference_site(questions=20)
    status, where, body = REMOVALS[how]
    kept: list[str] = []

    def route(path):
        if path.startswith("/question/") and path not in kept:
            if len(kept) < 3:
                kept.append(path)
                return None
            return Reply(status, body, {"Content-Type": "text/html; charset=utf-8", **({"Location": where} if where else {})})
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert (result.returncode, row["status"], row["questions"]) == (4, "degraded", 3), result.stdout + result.stderr[-2000:]
    assert "questions_gone 0.850 (at most 0.500)" in row["message"]


# permanent redirects to a gate in front of a question that still is ({page}: its path)
GATES = {
    "a sign-in query on the home page": "/?signin=required&return_to={page}",
    "a listing asking to sign in": f"/questions/{TOPICS[0][1]}?signin=1",
    "a sign-in page under a listing naming the question": f"/questions/{TOPICS[0][1]}/signin{{page}}",
}


@pytest.mark.parametrize("gate", list(GATES))
def test_a_permanent_redirect_to_a_gate_on_the_home_page_or_a_listing_is_a_question_lost_not_removed(
        reference_site, tmp_path, gate):
    """A 301 home or to a listing that carries a query (a sign-in prompt naming the question it
    gates) is no removal: the question is there behind it, lost to this crawl and said so."""
    site = reference_site(questions=40)
    lost: list[str] = []

    def route(path):
        if "/signin/" in path:
            return Reply(200, b"<html><head><title>Sign in</title></head><body><form><input name=u></form></body></html>")
        if path.startswith("/question/") and (path in lost or len(lost) < 3):
            if path not in lost:
                lost.append(path)
            return Reply(301, b"", {"Location": GATES[gate].format(page=path)})
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert (result.returncode, row["status"], row["questions"]) == (4, "degraded", 37), result.stdout + result.stderr[-2000:]
    assert "3 question pages lost to redirects" in row["message"] and "the site removed" not in result.stdout


NOT_HTML = {  # a whole answer at a question URL that is no HTML document, with its right length
    "json": ("application/json", b'{"question": {"id": 1, "title": "x", "answers": []}}'),
    "pdf": ("application/pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    "xml-error": ("application/xml", b'<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>'),
}


@pytest.mark.parametrize("kind", list(NOT_HTML))
def test_a_whole_body_that_is_no_html_is_asked_once_and_named_so(reference_site, tmp_path, kind):
    """Not "cut off" (a network's fault, worth 6 retries): the same body would come again.
    Each is asked for once and said as what it is."""
    site = reference_site(questions=40)
    content_type, body = NOT_HTML[kind]
    served = set()

    def route(path):
        if path.startswith("/question/") and (path in served or len(served) < 3):
            served.add(path)
            return Reply(200, body, {"Content-Type": content_type})
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    assert row["questions"] == 37 and row["pages_truncated"] == 0, result.stdout + result.stderr[-2000:]
    assert {path: server.hits[path] for path in served} == {path: 1 for path in served}
    errors = next(line for line in result.stdout.splitlines() if line.startswith("  errors: "))
    assert "no HTML document (3)" in errors and "cut off" not in errors
    for path in served:
        assert f"{server.url}{path}: no HTML document (Content-Type {content_type}" in result.stderr


@pytest.mark.parametrize("status", [200, 204])
@pytest.mark.parametrize("stays", [False, True])
def test_an_empty_answer_is_asked_again_and_if_it_stays_empty_named_so(reference_site, tmp_path, status, stays):
    """A 200 with no bytes (or a 204): a server with nothing to send at that moment, which a
    retry may cure; one that stays empty is a page lost as empty, not of an unknown layout
    (the sign of a redesign)."""
    site = reference_site(questions=40)
    empty: dict[str, int] = {}

    def route(path):
        if path.startswith("/question/") and (path in empty or not empty):
            empty[path] = empty.get(path, 0) + 1
            if stays or empty[path] == 1:
                return Reply(status, b"", {"Content-Type": "text/html; charset=utf-8"})
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data")
    ((path, asked),) = empty.items()
    errors = next(line for line in result.stdout.splitlines() if line.startswith("  errors: "))
    assert "unknown layout" not in errors and row["pages_malformed"] == 0, result.stdout + result.stderr[-2000:]
    if not stays:
        assert asked == 2 and row["questions"] == 40 and row["status"] == "finished"
        assert errors == "  errors: empty (1)"
    else:
        assert asked == 7 and row["questions"] == 39 and row["pages_failed"] == 1  # RETRY_TIMES 6
        assert errors == "  errors: empty (7)"
        assert f"Gave up on a page that keeps arriving empty: {server.url}{path}" in result.stderr
        assert "unknown_or_malformed_pages" not in (row["message"] or "")
