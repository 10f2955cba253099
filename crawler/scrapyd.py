"""A small client for Scrapyd's JSON API (standard library only), used by `doctor-answers schedule`.

    from crawler.scrapyd import schedule
    job = schedule("http://127.0.0.1:6800/", "http://127.0.0.1:8000/", out="/srv/doctor-answers/data")

is the same call as

    curl http://127.0.0.1:6800/schedule.json -d project=doctor_answers -d spider=questions \\
         -d start_url=http://127.0.0.1:8000/ -d setting=DATA_DIR=/srv/doctor-answers/data

Scrapyd starts the crawl in its own working folder, so folders are always sent as absolute paths.
"""
from __future__ import annotations

import json
import os
import socket
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "doctor_answers"
SPIDER = "questions"


class ScrapydError(Exception):
    """Scrapyd could not be reached, or it answered with an error; the message is one line."""


def call(base_url: str, endpoint: str, data: list[tuple[str, str]] | dict | None = None,
         timeout: float = 10.0) -> dict:
    """GET (no data) or POST (form data; a list of pairs may repeat a key) `endpoint` of the
    Scrapyd at `base_url`; return its JSON answer, or raise ScrapydError."""
    if not base_url.endswith("/"):
        base_url += "/"
    url = urljoin(base_url, endpoint)
    body = None if data is None else urlencode(data).encode("ascii")
    request = Request(url, data=body, headers={"Accept": "application/json"})
    try:
        with urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        raise ScrapydError(f"{url}: HTTP {exc.code} {_message(detail) or exc.reason}") from None
    except URLError as exc:
        raise ScrapydError(f"cannot reach Scrapyd at {base_url}: {exc.reason}") from None
    except (TimeoutError, socket.timeout, ConnectionError) as exc:
        raise ScrapydError(f"cannot reach Scrapyd at {base_url}: {exc}") from None
    try:
        answer = json.loads(payload)
    except ValueError:
        raise ScrapydError(f"{url}: not a Scrapyd answer: {payload[:80]!r}") from None
    if answer.get("status") != "ok":
        raise ScrapydError(f"{url}: {_message(answer) or answer}")
    return answer


def _message(detail) -> str:
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return " ".join(detail.split())[:200]
    if isinstance(detail, dict):
        return " ".join(str(detail.get("message", "")).split())[:200]
    return ""


def schedule_form(start_urls: str | list[str], out: str | os.PathLike, state: str | os.PathLike | None = None,
                  project: str = DEFAULT_PROJECT, max_pages: int | None = None) -> list[tuple[str, str]]:
    """The form of a `schedule.json` call for the questions crawl (folders made absolute)."""
    if not isinstance(start_urls, str):
        start_urls = ",".join(start_urls)
    form = [
        ("project", project),
        ("spider", SPIDER),
        ("start_url", start_urls),
        ("setting", f"DATA_DIR={os.path.abspath(out)}"),
    ]
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
    return answer["jobid"]


def daemon_status(base_url: str, timeout: float = 10.0) -> dict:
    return call(base_url, "daemonstatus.json", timeout=timeout)


def list_jobs(base_url: str, project: str = DEFAULT_PROJECT, timeout: float = 10.0) -> dict:
    """`{"pending": [...], "running": [...], "finished": [...]}`, each job a dict with its `id`."""
    return call(base_url, f"listjobs.json?{urlencode({'project': project})}", timeout=timeout)


def job_state(base_url: str, job_id: str, project: str = DEFAULT_PROJECT, timeout: float = 10.0) -> str | None:
    """"pending", "running", "finished", or None when Scrapyd does not know the job."""
    jobs = list_jobs(base_url, project, timeout=timeout)
    for state in ("pending", "running", "finished"):
        if any(job.get("id") == job_id for job in jobs.get(state, [])):
            return state
    return None
