"""Retries wait: exponential backoff, and at least what Retry-After asks."""
import asyncio
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from scrapy.exceptions import DownloadFailedError, DownloadTimeoutError, ResponseDataLossError
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived, _DataLoss

from crawler.middlewares.backoff import (DELAY_META, BackoffRetryMiddleware, RetryAfterTooLong, download_error_words,
                                         retry_after_seconds)
from crawler.middlewares.blocks import BlockPageMiddleware
from tests.contract import PAGES
from tests.crawling import crawl, crawl_rows
from tests.hostile import HostileServer, Reply


def middleware(**settings):
    crawler = get_crawler(settings_dict={
        "RETRY_BACKOFF_BASE": 0.5, "RETRY_BACKOFF_MAX": 10, "RETRY_TIMES": 3, "RETRY_AFTER_MAX": 600,
        "BLOCK_RETRY_TIMES": 4, "BLOCK_RETRY_DELAY": 1.0, "BLOCK_STOP_AFTER": 25, **settings})
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The middleware's clock, moved on by the waits below instead of real time."""
    now = [1000.0]
    monkeypatch.setattr("crawler.middlewares.backoff.monotonic", lambda: now[0])
    return now


def waits(mw, url: str, clock) -> list[float]:
    """The waits process_request makes before `url` goes out (recorded, not slept)."""
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds
        return False
    mw._sleep = sleep
    asyncio.run(mw.process_request(Request(url)))
    return slept


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds(b"7") == 7.0
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True).encode()
    assert 25 < retry_after_seconds(later) <= 30
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize("skew", [timedelta(days=1), timedelta(hours=-1), timedelta(days=-400)])
def test_a_retry_after_date_is_measured_from_the_responses_date_not_our_clock(skew):
    """A server whose clock is off by `skew` asks for 3 s: waited 3 s, not 3 s plus or minus the
    skew (a day ahead is not over RETRY_AFTER_MAX; an hour behind is not already over)."""
    server_now = datetime.now(timezone.utc) + skew
    mw = middleware()
    request = Request("http://127.0.0.1/question/x")
    headers = {"Date": format_datetime(server_now, usegmt=True),
               "Retry-After": format_datetime(server_now + timedelta(seconds=3), usegmt=True)}
    retry = mw.process_response(request, Response(request.url, status=429, headers=headers))
    assert isinstance(retry, Request) and retry.meta[DELAY_META] == 3.0
    assert retry_after_seconds(headers["Retry-After"].encode(), server_now.replace(microsecond=0)) == 3.0


def test_429_waits_for_retry_after_and_5xx_backs_off_exponentially():
    mw = middleware()
    request = Request("http://127.0.0.1/question/x")
    retry = mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "2"}))
    assert retry.meta[DELAY_META] == 2.0
    delays = []
    for _ in range(3):
        retry = mw.process_response(retry, Response(retry.url, status=503))
        if isinstance(retry, Response):
            break
        delays.append(retry.meta[DELAY_META])
    assert delays == [1.0, 2.0]  # 0.5 * 2**(n-1) for the 2nd and 3rd retry
    assert isinstance(retry, Response) and retry.status == 503  # retries exhausted: the error goes on


def test_retry_after_reads_every_http_date_form_and_nothing_else():
    """RFC 9110 5.6.7: IMF-fixdate, RFC 850 and asctime, all GMT, even when the zone is missing."""
    later = datetime.now(timezone.utc) + timedelta(seconds=60)
    forms = [
        later.strftime("%a, %d %b %Y %H:%M:%S GMT"),  # IMF-fixdate
        later.strftime("%A, %d-%b-%y %H:%M:%S GMT"),  # RFC 850
        later.strftime("%a %b ") + f"{later.day:2d}" + later.strftime(" %H:%M:%S %Y"),  # asctime
        later.strftime("%a, %d %b %Y %H:%M:%S"),  # no zone
        later.strftime("%a, %d %b %Y %H:%M:%S -0000"),
    ]
    for form in forms:
        assert 50 < retry_after_seconds(form.encode()) <= 60, form
    for bad in [b"\xb2", b"\xb2\xb3", "\u0663".encode("utf-8"), b"5.5", b"-5", b"Sun Nov 99 99:99:99 1994", b"Mon, 32 Foo"]:
        assert retry_after_seconds(bad) is None, bad


def test_a_retry_after_longer_than_the_backoff_cap_is_waited_in_full():
    mw = middleware()  # RETRY_BACKOFF_MAX 10
    request = Request("http://127.0.0.1/question/x")
    retry = mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "40"}))
    assert retry.meta[DELAY_META] == 40.0


@pytest.mark.parametrize("retry_after", ["3600", "Fri, 31 Dec 2100 23:59:59 GMT"])
def test_a_retry_after_past_its_bound_gives_the_page_and_its_host_up(retry_after, clock):
    mw = middleware(RETRY_AFTER_MAX=600)
    request = Request("http://127.0.0.1/question/x")
    with pytest.raises(RetryAfterTooLong, match=f"Retry-After: {retry_after}"):
        mw.process_response(request, Response(request.url, status=503, headers={"Retry-After": retry_after}))
    with pytest.raises(RetryAfterTooLong):  # the host's other pages are not sent inside its window
        waits(mw, "http://127.0.0.1/question/y", clock)
    assert waits(mw, "http://127.0.0.2/question/y", clock) == []
    assert mw.crawler.stats.get_value("pages/given_up/Retry-After over RETRY_AFTER_MAX (600 s)") == 2
    assert "Retry-After" in mw.crawler.stats.get_value("crawl/message")


@pytest.mark.parametrize("status, headers", [(429, {"Retry-After": "20"}), (503, {"Retry-After": "20"}), (429, {})])
def test_a_429_or_a_retry_after_holds_the_whole_host(status, headers, clock):
    mw = middleware()
    request = Request("http://127.0.0.1/question/x")
    retry = mw.process_response(request, Response(request.url, status=status, headers=headers))
    (held,) = waits(mw, "http://127.0.0.1/question/other", clock)  # another page of the same host
    assert held == retry.meta[DELAY_META]
    assert waits(mw, "http://127.0.0.2/question/other", clock) == []  # another host goes on


def test_a_503_without_retry_after_delays_only_its_own_page(clock):
    mw = middleware()
    request = Request("http://127.0.0.1/question/x")
    mw.process_response(request, Response(request.url, status=503))
    assert waits(mw, "http://127.0.0.1/question/other", clock) == []


def test_a_walls_retry_after_is_waited_and_holds_its_host(clock):
    """A bot wall answering 429 + Retry-After: its own block schedule (1 s, 2 s, ...) is not enough."""
    mw = middleware()
    blocks = BlockPageMiddleware(mw.crawler)
    blocks._retry_after = lambda request, response: mw.retry_after(request, response) or 0.0
    wall = (PAGES / "blocked.html").read_bytes()
    request = Request("http://127.0.0.1/question/x")
    retry = blocks.process_response(request, Response(request.url, status=429, body=wall, headers={"Retry-After": "30"}))
    assert retry.meta[DELAY_META] == 30.0
    (held,) = waits(mw, "http://127.0.0.1/question/other", clock)
    assert held == 30.0


@pytest.mark.slow
def test_a_429_pauses_the_whole_host_for_its_retry_after(reference_site, tmp_path):
    """Every question page answers 429 + Retry-After: 3 for 3 s: after the first 429 the host
    gets no new request inside the window (at most the ones already on the wire)."""
    site = reference_site(questions=40)
    arrivals: list[float] = []

    def route(path):
        if not path.startswith("/question/"):
            return None
        now = time.monotonic()
        arrivals.append(now)
        if now - arrivals[0] < 3:
            return Reply(429, b"<html><body>slow down</body></html>", {"Content-Type": "text/html", "Retry-After": "3"})
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    out = tmp_path / "data"
    try:
        result = crawl(server.url + "/", "--out", out, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    finally:
        server.stop()
    (row,) = crawl_rows(out)
    assert result.returncode == 0 and row["status"] == "finished", result.stdout + result.stderr[-2000:]
    assert row["questions"] == 40
    in_window = [t for t in arrivals[1:] if t - arrivals[0] < 3]
    assert len(in_window) <= 2, [round(t - arrivals[0], 2) for t in in_window]


def wrapped(outer, inner):
    """As Scrapy raises a Twisted failure: its own exception, the Twisted one as the cause."""
    exception = outer(str(inner))
    exception.__cause__ = inner
    return exception


@pytest.mark.parametrize("exception, words", [
    (wrapped(DownloadFailedError, ResponseNeverReceived([Failure(error.ConnectionDone())])),
     "no response: Connection was closed cleanly."),
    (wrapped(DownloadFailedError, ResponseFailed([Failure(error.ConnectionLost())])),
     "connection lost: Connection to the other side was lost in a non-clean fashion."),
    (wrapped(ResponseDataLossError, ResponseFailed([Failure(_DataLoss()), Failure(error.ConnectionDone())])),
     "response cut short"),
    (DownloadTimeoutError("Getting http://x/ took longer than 180.0 seconds."),
     "timed out: Getting http://x/ took longer than 180.0 seconds."),
])
def test_download_errors_read_as_words_never_as_a_failure_repr(exception, words):
    assert download_error_words(exception) == words


def test_a_retry_and_its_give_up_name_the_download_error_in_words(caplog):
    mw = middleware(RETRY_TIMES=1)
    request = Request("http://127.0.0.1/question/x")
    cut = wrapped(ResponseDataLossError, ResponseFailed([Failure(_DataLoss())]))
    retry = mw.process_exception(request, cut)
    assert mw.process_exception(retry, cut) is None
    lines = [record.getMessage() for record in caplog.records]
    assert lines[-1].endswith("(failed 2 times): response cut short"), lines


@pytest.mark.slow
def test_a_retry_after_past_its_bound_ends_the_crawl_without_another_request(reference_site, tmp_path):
    """Every question page answers 429 + Retry-After: 3600: no page is asked twice, the crawl
    does not sit out the hour, and its summary names the Retry-After."""
    site = reference_site(questions=20)

    def route(path):
        if path.startswith("/question/"):
            return Reply(429, b"<html><body>come back in an hour</body></html>",
                         {"Content-Type": "text/html", "Retry-After": "3600"})
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    out = tmp_path / "data"
    try:
        result = crawl(server.url + "/", "--out", out, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", timeout=120)
    finally:
        server.stop()
    (row,) = crawl_rows(out)
    assert row["status"] == "failed" and "Retry-After over RETRY_AFTER_MAX (600 s)" in row["message"], row["message"]
    assert "RetryAfterTooLong" not in row["message"]
    assert "(Retry-After: 3600)" in result.stderr
    asked = [n for path, n in server.hits.items() if path.startswith("/question/")]
    assert asked and max(asked) == 1, server.hits


# Whole responses Twisted's HTTP client refuses to read (it drops the connection): each
# named as such, once more tried, never "connection lost" nor RETRY_TIMES attempts.
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
BODY = b"<html><body>x</body></html>"
REFUSED = {
    "header line too long": (HEAD + b"Content-Security-Policy: " + b"a" * 21000 + b"\r\n"
                             + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, "header line longer than 16 KB"),
    "headers without end": (HEAD + b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 1000) for i in range(2000))
                            + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, "headers larger than 1024 KB in all"),
    "Content-Length with a sign": (HEAD + b"Content-Length: +%d\r\n\r\n" % len(BODY) + BODY,
                                   "Value contains non-decimal digits"),
    "two Content-Lengths": (HEAD + b"Content-Length: %d\r\nContent-Length: 5\r\n\r\n" % len(BODY) + BODY,
                            "Invalid response: conflicting Content-Length headers: b'27,5'"),
    "Transfer-Encoding gzip, chunked": (HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                                        "unknown Transfer-Encoding gzip, chunked"),
    "a status line of control bytes": (b"HTTP/1.1 2\x1b[31m0" + b"\xf1" * 500 + b" OK\r\n\r\n",
                                       "non-integer status code: HTTP/1.1 2\\x1b[31m0\xf1\xf1"),
}


class RawFront:
    """In front of the reference site: one question page answered with raw bytes, the rest
    passed through (Host rewritten, so the site's links name this server)."""

    def __init__(self, site_url: str, raw: bytes):
        import socketserver
        import urllib.request

        self.hits, front = 0, self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                request = self.rfile.readline().split()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                path = request[1].decode()
                if path.startswith("/question/") and (front.target in (None, path)):
                    front.target, front.hits = path, front.hits + 1
                    self.wfile.write(raw)
                    return
                asked = urllib.request.Request(site_url.rstrip("/") + path, headers={"Host": front.host})
                try:
                    with urllib.request.urlopen(asked, timeout=30) as answer:
                        status, body, kind = answer.status, answer.read(), answer.headers["Content-Type"]
                except urllib.error.HTTPError as error:
                    status, body, kind = error.code, error.read(), "text/html"
                self.wfile.write(b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                                 % (status, kind.encode(), len(body)) + body)

        self.target = None
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_response_the_client_refuses_is_named_unparseable_and_tried_once_more(reference_site, tmp_path, case):
    raw, words = REFUSED[case]
    front = RawFront(reference_site(questions=10).url, raw)
    out = tmp_path / "data"
    try:
        result = crawl(f"http://{front.host}/", "--out", out, "-s", "RETRY_BACKOFF_BASE=0.01", timeout=120)
    finally:
        front.stop()
    assert front.hits == 2, (front.hits, result.stderr[-2000:])
    (line,) = [line for line in result.stderr.splitlines() if front.target in line and "Failed" in line]
    assert f"unparseable response: {words}" in line and len(line) < 300, line
    assert "connection lost" not in result.stdout + result.stderr
    (errors,) = [line for line in result.stdout.splitlines() if line.startswith("  errors: ")]
    assert "unparseable response (2)" in errors, errors
