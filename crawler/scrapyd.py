"""A small client for Scrapyd's JSON API (standard library only), used by `doctor-answers schedule`.

    from crawler.scrapyd import schedule
    job = schedule("http://127.0.0.1:6800/", "http://127.0.0.1:8000/", out="/srv/doctor-answers/data")

is the same call as

    curl http://127.0.0.1:6800/schedule.json -d project=doctor_answers -d spider=questions \\
         --data-urlencode start_url=http://127.0.0.1:8000/ -d setting=DATA_DIR=/srv/doctor-answers/data

Scrapyd starts the crawl in its own working folder, so folders are always sent as absolute paths.
The start URLs are sent as `start_urls`, a JSON list: a URL may hold a comma, even one before
"http://", so no character can separate them.

`user:password@` in the Scrapyd URL is sent as HTTP Basic auth (as scrapyd-deploy sends its
`username` and `password`) and never shown: every message names the URL with `***@` in their
place. What the server says (its job id, its error message) reaches a message with its control
characters escaped, so an answer cannot drive the terminal it is printed on.
"""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "doctor_answers"
SPIDER = "questions"


class ScrapydError(Exception):
    """Scrapyd could not be reached, or it answered with an error; the message is one line."""


# A Scrapyd answer is a small JSON object; anything longer is not one.
MAX_ANSWER_BYTES = 1024 * 1024


def call(base_url: str, endpoint: str, data: list[tuple[str, str]] | dict | None = None,
         timeout: float = 10.0) -> dict:
    """GET (no data) or POST (form data; a list of pairs may repeat a key) `endpoint` of the
    Scrapyd at `base_url`; return its JSON object, or raise ScrapydError.

    `timeout` bounds the whole call, not each read: a server that trickles its answer a byte at a
    time is cut off when the time is up."""
    if not base_url.endswith("/"):
        base_url += "/"
    url = urljoin(base_url, endpoint)
    body = None if data is None else urlencode(data).encode("ascii")
    status, reason, payload = _exchange(url, body, timeout, base_url)
    if status >= 400:
        detail = _message(payload.decode("utf-8", "replace")) or _short(reason)
        raise ScrapydError(f"{shown_url(url)}: HTTP {status} {detail}")
    try:
        answer = json.loads(payload)
    except (ValueError, RecursionError):
        answer = None
    if not isinstance(answer, dict):
        raise ScrapydError(f"{shown_url(url)}: not a Scrapyd answer (HTTP {status}): {payload[:80]!r}")
    if answer.get("status") != "ok":
        raise ScrapydError(f"{shown_url(url)}: {_message(answer) or _short(answer)}")
    return answer


def _exchange(url: str, body: bytes | None, timeout: float, base_url: str) -> tuple[int, str, bytes]:
    """(status, reason, body) of one HTTP request, all of it within `timeout` seconds."""
    parts = urlsplit(url)
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    headers = {"Accept": "application/json"}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    late = f"no answer from Scrapyd at {shown_url(base_url)} within {timeout:g} s"
    # At the deadline the socket is shut down, which ends whatever read is waiting on it. It is
    # kept here once connected: http.client hands the socket of an answer that ends with the
    # connection (`Connection: close`, no Content-Length) to the response, and forgets it.
    expired = threading.Event()
    kept: list[socket.socket] = []
    timer = threading.Timer(timeout, _cut, (connection, kept, expired))
    timer.daemon = True
    timer.start()
    try:
        try:
            connection.connect()
            kept.append(connection.sock)
        except OSError as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise ScrapydError(late) from None
            raise ScrapydError(f"cannot reach Scrapyd at {shown_url(base_url)}: {_short(exc.strerror or exc)}") from None
        try:
            if expired.is_set():   # the deadline came between connect() and keeping its socket
                raise TimeoutError
            connection.request("POST" if body is not None else "GET", target, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read(MAX_ANSWER_BYTES + 1)
        except (OSError, HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise ScrapydError(late) from None
            raise ScrapydError(f"{shown_url(url)}: broken answer ({type(exc).__name__}: {_short(exc)})") from None
        if expired.is_set():   # the shutdown ends a read as if the answer ended: it did not
            raise ScrapydError(late)
        if len(payload) > MAX_ANSWER_BYTES:
            raise ScrapydError(f"{shown_url(url)}: not a Scrapyd answer: longer than {MAX_ANSWER_BYTES:,} bytes")
        return response.status, response.reason, payload
    finally:
        timer.cancel()
        connection.close()
        for sock in kept:
            sock.close()


def _cut(connection, kept: list, expired: threading.Event) -> None:
    expired.set()
    # connection.sock while connecting (a TLS handshake runs on it), the kept socket after.
    for sock in (connection.sock, *kept):
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# The user:password@ of a URL (up to the last @ before the path).
_USERINFO = re.compile(r"(?<=//)[^/?#]*@")


def without_credentials(url: str) -> str:
    return _USERINFO.sub("***@", url, count=1)


def shown_url(url: str) -> str:
    """`url` as a message may show it: credentials masked, control characters escaped."""
    return _printable(without_credentials(url))


def _message(detail) -> str:
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except (ValueError, RecursionError):
            return _short(detail)
    if isinstance(detail, dict):
        return _short(detail.get("message", ""))
    return ""


def _short(value) -> str:
    """A server's words on one line of at most 200 characters, its control characters escaped."""
    return _printable(" ".join(str(value).split()))[:200]


def _printable(text: str) -> str:
    # ESC, BEL, bidi overrides and the like: shown as \x1b, \u202e, never sent to a terminal.
    return text if text.isprintable() else "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def is_job_id(value) -> bool:
    """Scrapyd's job ids are one printable token (a uuid, or the `jobid` the caller chose)."""
    return isinstance(value, str) and value != "" and value.isprintable() and " " not in value


def schedule_form(start_urls: str | list[str], out: str | os.PathLike, state: str | os.PathLike | None = None,
                  project: str = DEFAULT_PROJECT, max_pages: int | None = None) -> list[tuple[str, str]]:
    """The form of a `schedule.json` call for the questions crawl (folders made absolute).

    The start URLs reach the spider as given, as `start_urls`, a JSON list (crawler/spiders/arguments.py)."""
    urls = [start_urls] if isinstance(start_urls, str) else list(start_urls)
    form = [("project", project), ("spider", SPIDER), ("start_urls", json.dumps(urls))]
    form.append(("setting", f"DATA_DIR={os.path.abspath(out)}"))
    if state:
        form.append(("setting", f"STATE_DIR={os.path.abspath(state)}"))
    if max_pages:
        form.append(("setting", f"CLOSESPIDER_PAGECOUNT={int(max_pages)}"))
    return form


def schedule(base_url: str, start_urls: str | list[str], out: str | os.PathLike = "data",
             state: str | os.PathLike | None = None, project: str = DEFAULT_PROJECT,
             max_pages: int | None = None, timeout: float = 10.0) -> str:
    """Schedule the questions crawl on Scrapyd; return the job id."""
    answer = call(base_url, "schedule.json", schedule_form(start_urls, out, state, project, max_pages),
                  timeout=timeout)
    job = answer.get("jobid")
    if not is_job_id(job):
        raise ScrapydError(f"Scrapyd at {shown_url(base_url)} answered without a job id: {_short(answer)}")
    return job


def daemon_status(base_url: str, timeout: float = 10.0) -> dict:
    return call(base_url, "daemonstatus.json", timeout=timeout)


def list_jobs(base_url: str, project: str = DEFAULT_PROJECT, timeout: float = 10.0) -> dict:
    """`{"pending": [...], "running": [...], "finished": [...]}`, each job a dict with its `id`."""
    return call(base_url, f"listjobs.json?{urlencode({'project': project})}", timeout=timeout)


def job_state(base_url: str, job_id: str, project: str = DEFAULT_PROJECT, timeout: float = 10.0) -> str | None:
    """"pending", "running", "finished", or None when Scrapyd does not know the job."""
    jobs = list_jobs(base_url, project, timeout=timeout)
    for state in ("pending", "running", "finished"):
        listed = jobs.get(state)
        if isinstance(listed, list) and any(isinstance(job, dict) and job.get("id") == job_id for job in listed):
            return state
    return None
