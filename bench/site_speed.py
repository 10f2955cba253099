"""Measure how many question pages a second the reference site serves to a concurrent client.

Starts `doctor-answers site` in its own process (as a crawl would see it), then fetches question
pages with N concurrent aiohttp connections and prints `site speed: N pages/s`.

    .venv/bin/python bench/site_speed.py [--questions 2000] [--requests 5000] [--concurrency 50]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def start_site(questions: int, seed: int = 1, day: int = 0, port: int = 0) -> tuple[subprocess.Popen, str]:
    """Start `doctor-answers site` in its own process; (process, base URL ending in /).

    `port` 0 picks a free one; the days of one site must share a port (a page is its URL)."""
    cmd = [sys.executable, "-c", "from crawler.cli import main; raise SystemExit(main())", "site", "--port", str(port),
           "--questions", str(questions), "--seed", str(seed), "--day", str(day)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("serving "):
        proc.kill()
        raise SystemExit(f"site did not start: {line!r}")
    return proc, line.split()[1]


async def hammer(base: str, slugs: list[str], total: int, concurrency: int) -> tuple[float, int]:
    queue = [f"{base}question/{slugs[i % len(slugs)]}" for i in range(total)]
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def worker():
            nonlocal errors
            while queue:
                async with session.get(queue.pop()) as resp:
                    await resp.read()
                    errors += resp.status != 200
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, errors


def stop_site(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def site_speed(questions: int, requests: int, concurrency: int, seed: int = 1) -> tuple[float, int]:
    """(pages/s, non-200 responses) of a fresh site of `questions` questions, fetched alone."""
    from reference_site.site import Site
    slugs = Site(questions, seed).question_slugs()
    proc, base = start_site(questions, seed)
    try:
        elapsed, errors = asyncio.run(hammer(base, slugs, requests, concurrency))
    finally:
        stop_site(proc)
    return requests / elapsed, errors


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--questions", type=int, default=2000)
    p.add_argument("--requests", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=50)
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    speed, errors = site_speed(args.questions, args.requests, args.concurrency)
    print(f"site speed: {speed:.0f} pages/s ({args.requests} requests, "
          f"{args.concurrency} concurrent, {errors} non-200, {args.questions} questions)")


if __name__ == "__main__":
    main()
