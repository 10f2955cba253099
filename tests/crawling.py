"""Running `doctor-answers crawl` as a user does, in its own process, for the tests."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds

CRAWL_TIMEOUT = 600


def crawl_command(*args) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", *map(str, args)]


def crawl(*args, timeout: float = CRAWL_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_command(*args), capture_output=True, text=True, timeout=timeout)


def crawl_rows(root: Path) -> list[dict]:
    folder = Path(root) / "crawls"
    if not folder.is_dir():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


def crawl_log(root: Path) -> str:
    """The Scrapy log of the crawls into `root` (`<root>/logs/*.log`, the CLI's default), oldest first."""
    return "".join(path.read_text() for path in sorted(Path(root, "logs").glob("*.log")))


def partial_files(root: Path) -> list[Path]:
    """Temporary or otherwise hidden files anywhere under the dataset root."""
    return [p for p in Path(root).rglob("*") if p.is_file() and p.name.startswith(".")]


def wait_for(predicate, timeout: float = 60.0, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def question_hits(site) -> int:
    return sum(n for url, n in list(site.hits.items()) if url.startswith("/question/"))


def kill_after(command: list[str], site, moment: int) -> None:
    """Start the crawl `command`, SIGKILL it once `site` has served `moment` question pages
    (the crawl must still be running then)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: question_hits(site) >= moment or process.poll() is not None,
                 timeout=120, what=f"{moment} question pages")
        assert process.poll() is None, f"the crawl ended before its kill at {moment} pages"
    finally:
        process.kill()
        process.wait()
