"""`doctor-answers demo`: what it prints is true, and its example query runs as printed."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys

from crawler.demo import example_command
from pipelines.loader import load


def test_the_example_query_names_the_data_folder_unless_it_is_the_default():
    assert "--data" not in example_command("data")
    assert example_command("my data").endswith("--data 'my data'")


def test_the_demo_prints_distinct_doctors_and_a_query_that_runs(tmp_path):
    out = tmp_path / "my data"
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--out", str(out), "--questions", "40"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    doctors = len(load("doctors", root=out))
    (crawl,) = load("crawls", root=out).to_dict("records")
    assert crawl["doctors"] == doctors
    assert f"rows: 40 questions, {crawl['answers']} answers, {doctors} distinct doctors" in result.stdout
    (example,) = [line for line in result.stdout.splitlines() if line.startswith("example: ")]
    args = shlex.split(example.removeprefix("example: "))
    assert args[0] == "doctor-answers" and args[-2:] == ["--data", str(out)]
    query = subprocess.run([sys.executable, "-m", "crawler.cli", *args[1:]], capture_output=True, text=True,
                           cwd=tmp_path.parent, timeout=60)
    assert query.returncode == 0 and re.search(r"specialty\s+doctors\s+rating", query.stdout), query.stderr


def test_a_demo_whose_crawl_committed_nothing_shows_no_folders_or_query_and_says_its_status(tmp_path, monkeypatch,
                                                                                          capsys):
    """Nothing committed in --out (a crawl that failed before writing): the summary and `crawl ID:
    STATUS` on stderr, as crawl says it; no latest view, snapshots or example query that are not there."""
    import crawler.demo as demo
    from crawler import startup_signals
    from crawler.run import CrawlResult

    class Site:
        def terminate(self): pass
        def wait(self, timeout=None): pass

    out = tmp_path / "data"
    monkeypatch.setattr(demo, "start_site", lambda questions, seed: (Site(), "http://127.0.0.1:9/"))
    monkeypatch.setattr(demo, "run_crawl", lambda *args, **kwargs: CrawlResult("failed", "c1", {}, out))
    monkeypatch.setattr(startup_signals, "ignore", lambda: None)  # this process is pytest's
    assert demo.run_demo(out=str(out), questions=20) == 1
    printed = capsys.readouterr()
    assert "crawl c1: failed" in printed.out and printed.err.strip().splitlines() == ["crawl c1: failed"]
    assert not [line for line in printed.out.splitlines() if line.startswith(("latest view:", "snapshots:", "example:"))]
