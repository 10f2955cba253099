"""`doctor-answers demo`: serve the reference site, crawl it, and say what landed where."""
from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from crawler import demo_sites
from crawler.cli import say
from crawler.run import run_crawl

EXAMPLE_QUERY = "SELECT specialty, count(*) AS doctors, round(avg(rating), 2) AS rating FROM doctors GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
START_TIMEOUT = 60.0


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


def start_new_site(questions: int, seed: int, taken: set[int]) -> tuple[subprocess.Popen, str]:
    """The reference site on a free port no site of the data folder has: on one of them its
    questions would be another site's, under the same ids."""
    while True:
        site, url = start_site(questions, seed)
        if urlsplit(url).port not in taken:
            return site, url
        site.terminate()
        site.wait(timeout=10)


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


def remember(out: str, port: int, questions: int, seed: int) -> None:
    """The site this demo served, for the next demo into `out` (crawler.demo_sites)."""
    try:
        demo_sites.record(out, port, questions, seed)
    except OSError as error:  # the crawl is committed whatever: only the next demo's port is not known
        print(f"doctor-answers demo: warning: cannot record the site served in {out} ({error}): the next demo "
              f"there serves it on a new port", file=sys.stderr)


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

    port = demo_sites.port_of(out, questions, seed)
    if port and port_in_use(port):  # on another port the crawl would be another site: refused, not doubled
        print(f"doctor-answers demo: error: port {port} is in use; an earlier demo into {out} served this reference "
              f"site ({questions} questions, seed {seed}) there, and on another port its questions would be counted "
              f"twice (a site is its host and port): free port {port}, or give another --out", file=sys.stderr)
        return 1
    if port:
        site, url = start_site(questions, seed, port)
    else:
        taken = demo_sites.taken_ports(out)
        site, url = start_new_site(questions, seed, taken)
        if taken:  # the folder holds loopback sites already: this one is apart from them, and says so
            say(f"a new site in {out}: no demo served this reference site ({questions} questions, seed {seed}) "
                f"there, so it has a port of its own, apart from the loopback sites {out} holds "
                f"(ports {', '.join(map(str, sorted(taken)))})")
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
    if Path(out).is_dir():  # else nothing was written there, to count twice or to replace
        remember(out, urlsplit(url).port, questions, seed)
    say_outcome("demo", result)
    if not (Path(out) / "latest").exists():  # nothing committed there: no folders or query to show
        return result.exit_code
    say(f"latest view: {Path(out).resolve()}/latest/{{questions,answers,doctors}}/*.parquet (one row per key)")
    say(f"snapshots: {Path(out).resolve()}/{{questions,answers,doctors,crawls}}/crawl_date=*/")
    say(f"example: {example_command(out)}")
    say(table_text(fetch(EXAMPLE_QUERY, root=out)))  # as `query` prints it
    return result.exit_code
