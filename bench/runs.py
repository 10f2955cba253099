"""Crawls as subprocesses (Twisted's reactor cannot restart): wall time, peak RSS, Scrapy stats.

Peak RSS comes from the kernel (`os.wait4`'s rusage of that one child, `ru_maxrss`), checked
against psutil polling every 50 ms. The stats are the ones Scrapy dumps to stderr at the end
of every crawl ("Dumping Scrapy stats"), read back from the log: nothing is added to the crawl.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from crawler.cli import main; raise SystemExit(main())"]
_STAT = re.compile(r"^ '([^']+)': (-?\d+(?:\.\d+)?),?$", re.M)


@dataclass
class Run:
    name: str
    returncode: int
    wall: float  # seconds, process start to exit (interpreter start-up and imports included)
    peak_rss: int  # bytes
    stats: dict = field(default_factory=dict)
    log: str = ""

    @property
    def pages(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    def stat(self, key: str, default=0):
        return self.stats.get(key, default)


def read_stats(log: str) -> dict:
    """The numeric stats of the last "Dumping Scrapy stats" block of a crawl's log."""
    start = log.rfind("Dumping Scrapy stats")
    if start < 0:
        return {}
    block = log[start:]
    end = block.find("}\n")
    block = block[: end + 1] if end >= 0 else block
    return {key: float(value) if "." in value else int(value) for key, value in _STAT.findall(block)}


def run(name: str, cmd: list[str], poll: float = 0.05, profile: Path | None = None) -> Run:
    """Run one crawl command to its end; `profile` wraps it in py-spy (raw collapsed stacks)."""
    if profile is not None:
        cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "-r", "100", "-f", "raw", "-o", str(profile),
               "--", *cmd]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, env=env)
        peak = [0]
        done = threading.Event()

        def watch():
            try:
                p = psutil.Process(proc.pid)
                while not done.is_set():
                    rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                    peak[0] = max(peak[0], rss)
                    done.wait(poll)
            except psutil.Error:
                pass

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read()
    # ru_maxrss is in KiB on Linux; under py-spy it is py-spy's own (the crawl is its child).
    peak_rss = peak[0] if profile is not None else max(peak[0], usage.ru_maxrss * 1024)
    return Run(name, proc.returncode, wall, peak_rss, read_stats(text), text)


def full_crawl(url: str, out: Path, state: Path | None = None, profile: Path | None = None,
               archive: Path | None = None) -> Run:
    # --log-file -: the whole log on stderr, where read_stats finds the stats
    cmd = [*CLI, "crawl", url, "--out", str(out), "--log-file", "-"] + (["--state", str(state)] if state else [])
    cmd += ["--archive", str(archive)] if archive else []
    return checked(run("crawl", cmd, profile=profile))


def bare_crawl(url: str, out: Path) -> Run:
    return checked(run("bare", [sys.executable, "-m", "bench.bare_spider", url, "--out", str(out)]))


def checked(result: Run) -> Run:
    if result.returncode != 0 or not result.stats:
        tail = "\n".join(result.log.splitlines()[-30:])
        raise SystemExit(f"{result.name} failed (exit {result.returncode}):\n{tail}")
    return result
