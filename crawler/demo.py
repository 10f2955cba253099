"""`doctor-answers demo`: serve the reference site, crawl it, and say what landed where."""
from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

from crawler.cli import say
from crawler.run import run_crawl

EXAMPLE_QUERY = "SELECT specialty, count(*) AS doctors, round(avg(rating), 2) AS rating FROM doctors GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
START_TIMEOUT = 60.0


# The URL a demo crawls: the reference site's root on loopback, as `site` prints it.
DEMO_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def start_site(questions: int, seed: int, port: int = 0) -> tuple[subprocess.Popen, str]:
    """The reference site in its own process; its URL from the first line it prints."""
    site = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "site", "--port", str(port), "--questions", str(questions),
         "--seed", str(seed)],
        stdout=subprocess.PIPE, text=True,
    )
    line = site.stdout.readline()  # the site prints its URL first, once it listens
    if not line.startswith("serving "):
        site.kill()
        raise RuntimeError(f"the reference site did not start: {line!r}")
    return site, line.split()[1]


def previous_port(out: str) -> int:
    """The port the newest demo into `out` served the reference site on, 0 (any free one) for
    the first. A site's key is its host and port: a demo on a new port would be another site,
    whose rows the latest view keeps beside the earlier demo's (every question counted twice)."""
    from pipelines.loader import committed_crawls

    crawls = committed_crawls(out).sort_by([("started_at", "descending")])
    for spider, urls in zip(crawls["spider"].to_pylist(), crawls["start_urls"].to_pylist()):
        if spider == "questions" and len(urls or ()) == 1 and (demo := DEMO_URL.fullmatch(urls[0])):
            return int(demo[1])
    return 0


def port_in_use(port: int) -> bool:
    """Something listens on 127.0.0.1:port (asked before the site starts, so that the demo says
    it in one line, not the site's error and its own). SO_REUSEADDR as the site binds: the
    earlier demo's connections left in TIME_WAIT do not hold the port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def example_command(out: str) -> str:
    """The example query as a person would type it: with `--data` unless the data is in data/."""
    data = "" if Path(out) == Path("data") else f" --data {shlex.quote(str(out))}"
    return f'doctor-answers query "{EXAMPLE_QUERY}"{data}'


def run_demo(out: str = "data", questions: int = 500, seed: int = 1) -> int:
    """Serve, crawl, say. Stops are held by the caller until the crawl runs (startup_signals), as
    `crawl`'s are: a stop ends the crawl `interrupted`, with its row."""
    from crawler import startup_signals
    from crawler.cli import say_outcome
    from pipelines.query import fetch, table_text
    from pipelines.state import StateError

    port = previous_port(out)
    if port and port_in_use(port):  # on another port the crawl would be another site: refused, not doubled
        print(f"doctor-answers demo: error: port {port} is in use; the earlier demos into {out} served the "
              f"reference site there, and on another port their questions would be counted twice (a site is its "
              f"host and port): free port {port}, or give another --out", file=sys.stderr)
        return 1
    site, url = start_site(questions, seed, port)
    say(f"reference site: {url} ({questions} questions)")
    try:
        result = run_crawl([url], out=out, overrides={"PROGRESS_PRINT": True, "PROGRESS_INTERVAL": 1.0}, echo=say)
    except StateError as error:  # a crawl that could not start: one line, its own status, as crawl says it
        print(f"doctor-answers demo: {error}", file=sys.stderr)
        return error.exit_status
    finally:
        site.terminate()
        site.wait(timeout=10)
    startup_signals.ignore()  # the outcome is committed: a stop now would only contradict it
    say_outcome("demo", result)
    if not (Path(out) / "latest").exists():  # nothing committed there: no folders or query to show
        return result.exit_code
    say(f"latest view: {Path(out).resolve()}/latest/{{questions,answers,doctors}}/*.parquet (one row per key)")
    say(f"snapshots: {Path(out).resolve()}/{{questions,answers,doctors,crawls}}/crawl_date=*/")
    say(f"example: {example_command(out)}")
    say(table_text(fetch(EXAMPLE_QUERY, root=out)))  # as `query` prints it
    return result.exit_code
