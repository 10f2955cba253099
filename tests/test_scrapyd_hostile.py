"""`doctor-answers schedule` against servers that are not a working Scrapyd: one line, exit 1, and
a bounded time whatever the server does (a deadline for the whole call, not for each read)."""
from __future__ import annotations

import json
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawler.scrapyd import ScrapydError, call, job_state, schedule

ROOT = Path(__file__).resolve().parent.parent


def answer(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode() + body


def trickle(data: bytes, every: float = 0.5):
    """One byte, then a pause, for ever (until the client goes away)."""
    def send(sock: socket.socket):
        for i in range(10**6):
            sock.sendall(data[i % len(data):i % len(data) + 1])
            time.sleep(every)
    return send


def flood(sock: socket.socket):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"status\": \"ok\", \"x\": \"")
    chunk = b"a" * 65536
    for _ in range(1000):   # 64 MB at most, if nobody stops reading
        sock.sendall(chunk)


def silence(sock: socket.socket):
    time.sleep(30)


def hang_up(sock: socket.socket):
    pass


HOSTILE = {
    "a list": answer("200 OK", b"[1,2,3]"),
    "ok without a job id": answer("200 OK", b'{"status": "ok"}'),
    "a job id that is a number": answer("200 OK", b'{"status": "ok", "jobid": 5}'),
    "a job id of two lines": answer("200 OK", b'{"status": "ok", "jobid": "a\\nb"}'),
    "a string": answer("200 OK", b'"ok"'),
    "not JSON": answer("200 OK", b"<html><body>Welcome to nginx!</body></html>", "text/html"),
    "not UTF-8": answer("200 OK", b"\xff\xfe\x00garbage"),
    "nested for ever": answer("200 OK", b"[" * 200_000),
    "HTTP 500": answer("500 Internal Server Error", b"<html>\n<h1>Oops</h1>\n</html>", "text/html"),
    "HTTP 500 in JSON": answer("500 Internal Server Error", b'{"status": "error", "message": "boom\\nbang"}'),
    "an error status": answer("200 OK", b'{"status": "error", "message": "spider \'questions\' not found"}'),
    "not HTTP": b"SSH-2.0-OpenSSH_9.6\r\n",
    "hangs up": hang_up,
    "trickles the status line": trickle(b"HTTP/1.1 200 OK\r\n"),
    "trickles the headers": lambda sock: (sock.sendall(b"HTTP/1.1 200 OK\r\n"), trickle(b"X-A: b\r\n")(sock)),
    "trickles the body": lambda sock: (sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"),
                                       trickle(b"{")(sock)),
    # http.client hands the socket of an answer that ends with the connection to the response:
    # the deadline must find it there.
    "trickles a body that ends with the connection": lambda sock: (
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"), trickle(b"{")(sock)),
    "trickles a body, Connection: close": lambda sock: (
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"),
        trickle(b"{")(sock)),
    "a job id with terminal escapes": answer("200 OK", json.dumps(
        {"status": "ok", "jobid": "job\x1b]0;pwned\x07\x1b[2J\x1b[31mRED"}).encode()),
    "a job id with a bidi override": answer("200 OK", json.dumps({"status": "ok", "jobid": "job\u202eRED"}).encode()),
    "an error message with terminal escapes": answer("500 Internal Server Error", json.dumps(
        {"status": "error", "message": "boom \x1b[2J\x1b]0;pwned\x07"}).encode()),
    "an error page with terminal escapes": answer("500 Internal Server Error", b"boom \x1b[2J \x9b31m", "text/plain"),
    "a reason with terminal escapes": b"HTTP/1.1 503 Busy \x1b[2J\x1b[31m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    "never answers": silence,
    "answers without end": flood,
}


class Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour):
        self.behaviour = behaviour
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            self.request.recv(65536)   # the request (a small form)
            behaviour = self.server.behaviour
            if callable(behaviour):
                behaviour(self.request)
            else:
                self.request.sendall(behaviour)
        except OSError:   # the client gave up: what a deadline is for
            pass


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request):
    server = Hostile(HOSTILE[request.param])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_schedule_against_a_hostile_server(hostile, tmp_path):
    # Without a deadline for the whole call, the trickling servers keep it going past the
    # subprocess timeout, and the test fails with TimeoutExpired.
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "schedule", "http://127.0.0.1:8000/", "--scrapyd", hostile,
         "--out", str(tmp_path / "data"), "--timeout", "2"],
        capture_output=True, text=True, timeout=45, cwd=ROOT)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("doctor-answers schedule: "), result.stderr
    assert len(lines[0]) < 400
    assert lines[0].isprintable(), lines[0]   # what the server sent cannot drive the terminal


def test_the_library_calls_raise_scrapyd_error(hostile):
    with pytest.raises(ScrapydError) as raised:
        schedule(hostile, "http://127.0.0.1:8000/", timeout=1)
    assert "\n" not in str(raised.value)
    for attempt in (lambda: call(hostile, "daemonstatus.json", timeout=1),
                    lambda: job_state(hostile, "abc", timeout=1)):
        try:
            attempt()
        except ScrapydError as exc:
            assert "\n" not in str(exc)


@pytest.mark.parametrize("trickle_kind", [name for name in HOSTILE if name.startswith("trickles")])
def test_a_trickled_answer_is_cut_at_the_deadline(trickle_kind):
    server = Hostile(HOSTILE[trickle_kind])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    began = time.monotonic()
    try:
        with pytest.raises(ScrapydError, match="no answer .* within 1 s"):
            call(f"http://127.0.0.1:{server.server_address[1]}/", "daemonstatus.json", timeout=1)
        assert time.monotonic() - began < 2.5   # the whole call, not each read
    finally:
        server.shutdown()
        server.server_close()


class Recorder(socketserver.ThreadingTCPServer):
    """A Scrapyd that wants HTTP Basic auth, and keeps the request heads it was sent."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, authorization: str):
        self.authorization, self.heads = authorization, []
        super().__init__(("127.0.0.1", 0), RecorderHandler)


class RecorderHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        head = self.request.recv(65536).partition(b"\r\n\r\n")[0].decode("latin-1")
        self.server.heads.append(head)
        if f"\r\nAuthorization: {self.server.authorization}\r\n" in head + "\r\n":
            self.request.sendall(answer("200 OK", b'{"status": "ok", "jobid": "authok"}'))
        else:
            self.request.sendall(answer("401 Unauthorized", b"Unauthorized", "text/plain"))


@pytest.fixture
def wants_auth():
    # admin / p@ss:w%rd, the password percent-encoded in the URL (RFC 3986 userinfo)
    server = Recorder("Basic YWRtaW46cEBzczp3JXJk")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, f"127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def run_schedule(scrapyd: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "schedule", "http://127.0.0.1:8000/", "--scrapyd",
                           scrapyd, "--out", str(tmp_path / "data"), "--timeout", "5"],
                          capture_output=True, text=True, timeout=45, cwd=ROOT)


def test_credentials_in_the_scrapyd_url_are_sent_as_basic_auth(wants_auth, tmp_path):
    server, address = wants_auth
    result = run_schedule(f"http://admin:p%40ss%3Aw%25rd@{address}", tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "authok\n", "")
    assert f"\r\nHost: {address.rstrip('/')}\r\n" in server.heads[0]   # no userinfo in the Host header


@pytest.mark.parametrize("scrapyd", ["http://admin:s3cret@{address}", "http://admin:s3cret@{address}nope/",
                                     "http://admin:s3cret@127.0.0.1:99999/", "https://admin:s3cret@{address}"])
def test_credentials_are_never_shown(wants_auth, tmp_path, scrapyd):
    server, address = wants_auth
    result = run_schedule(scrapyd.format(address=address), tmp_path)
    assert result.returncode in (1, 2) and result.stdout == ""
    assert "s3cret" not in result.stderr and "***@" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
