"""`doctor-answers demo`: serve the reference site, crawl it, and say what landed where."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from crawler.run import run_crawl

EXAMPLE_QUERY = "SELECT specialty, count(*) AS doctors, round(avg(rating), 2) AS rating FROM doctors GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
START_TIMEOUT = 60.0


def start_site(questions: int, seed: int) -> tuple[subprocess.Popen, str]:
    """The reference site in its own process; its URL from the first line it prints."""
    site = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "site", "--port", "0", "--questions", str(questions), "--seed", str(seed)],
        stdout=subprocess.PIPE, text=True,
    )
    line = site.stdout.readline()  # the site prints its URL first, once it listens
    if not line.startswith("serving "):
        site.kill()
        raise RuntimeError(f"the reference site did not start: {line!r}")
    return site, line.split()[1]


def run_demo(out: str = "data", questions: int = 500, seed: int = 1) -> int:
    from pipelines.query import run

    site, url = start_site(questions, seed)
    print(f"reference site: {url} ({questions} questions)", flush=True)
    began = time.monotonic()
    try:
        result = run_crawl([url], out=out, overrides={"LOG_LEVEL": "WARNING", "PROGRESS_PRINT": True,
                                                      "PROGRESS_INTERVAL": 1.0})
    finally:
        site.terminate()
        site.wait(timeout=10)
    seconds = time.monotonic() - began
    stats = result.stats
    print(f"crawl {result.crawl_id}: {result.status} in {seconds:.1f} s")
    print(f"pages: {stats.get('response_received_count', 0)}, questions: {stats.get('records/question', 0)}, "
          f"answers: {stats.get('records/answer', 0)}, doctors: {stats.get('records/doctor', 0)} (per page)")
    print(f"datasets: {Path(out).resolve()}/{{questions,answers,doctors,crawls}}/crawl_date=*/")
    print(f'example: doctor-answers query "{EXAMPLE_QUERY}"')
    print(run(EXAMPLE_QUERY, root=out).to_string(index=False))
    return result.exit_code
