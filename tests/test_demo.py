"""`doctor-answers demo`: what it prints is true, and its example query runs as printed."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.demo import example_command
from pipelines.loader import load
from pipelines.schemas import SCHEMAS


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
    monkeypatch.setattr(demo, "start_site", lambda questions, seed, port=0: (Site(), "http://127.0.0.1:9/"))
    monkeypatch.setattr(demo, "run_crawl", lambda *args, **kwargs: CrawlResult("failed", "c1", {}, out))
    monkeypatch.setattr(startup_signals, "ignore", lambda: None)  # this process is pytest's
    assert demo.run_demo(out=str(out), questions=20) == 1
    printed = capsys.readouterr()
    assert "crawl c1: failed" in printed.out and printed.err.strip().splitlines() == ["crawl c1: failed"]
    assert not [line for line in printed.out.splitlines() if line.startswith(("latest view:", "snapshots:", "example:"))]


def demo(out, *args):
    return subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--out", str(out), "--questions", "30",
                           "--seed", "3", *args], capture_output=True, text=True, timeout=300)


def test_a_second_demo_into_a_folder_is_the_same_site_not_a_second_one(tmp_path):
    """A site is its host and port: a demo served on a fresh port each run made a second site,
    and the latest view counted every question twice. Its port busy, it is refused, not doubled."""
    import socket

    out = tmp_path / "data"
    first = demo(out)
    assert first.returncode == 0, first.stderr[-2000:]
    (port,) = {int(url.rsplit(":", 1)[1].strip("/")) for url in load("crawls", root=out)["start_urls"].explode()}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        refused = demo(out)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and f"port {port} is in use" in refused.stderr, refused.stderr
    assert len(load("crawls", root=out)) == 1  # nothing crawled
    second = demo(out)
    assert second.returncode == 0, second.stderr[-2000:]
    crawls = load("crawls", root=out)
    assert len(crawls) == 2 and {url for urls in crawls["start_urls"] for url in urls} == {f"http://127.0.0.1:{port}/"}
    questions = load("questions", root=out)
    assert len(questions) == 30 and questions["site"].nunique() == 1


def demo_port(result) -> int:
    (url,) = re.findall(r"^reference site: (\S+)", result.stdout, re.M)
    return int(url.rsplit(":", 1)[1].strip("/"))


def test_a_demo_of_another_reference_site_is_a_site_apart_and_the_same_one_again_is_not(tmp_path):
    """A demo reused the folder's earlier demo port whatever it served: with another --seed (or
    --questions) the same site key, whose questions replaced the first site's under their ids."""
    out = tmp_path / "data"
    first = demo(out)
    assert first.returncode == 0, first.stderr[-2000:]
    titles = load("questions", root=out).set_index("question_id")["title"]
    other = demo(out, "--seed", "4")
    assert other.returncode == 0, other.stderr[-2000:]
    assert demo_port(other) != demo_port(first)
    (said,) = [line for line in other.stdout.splitlines() if line.startswith("a new site in")]
    assert "seed 4" in said and str(demo_port(first)) in said
    again = demo(out)  # the first site again: its port, not a third site
    assert again.returncode == 0, again.stderr[-2000:]
    assert demo_port(again) == demo_port(first) and "a new site" not in again.stdout
    questions = load("questions", root=out)
    assert len(questions) == 60 and questions["site"].nunique() == 2
    firsts = questions[questions["site"] == f"127.0.0.1:{demo_port(first)}"].set_index("question_id")["title"]
    assert firsts.sort_index().equals(titles.sort_index())  # the first site's questions, not the other's


def test_a_plain_crawl_of_a_loopback_site_is_no_earlier_demo(tmp_path, reference_site):
    """Any crawl of http://127.0.0.1:PORT/ counted as an earlier demo: the demo served there (the
    other site's key), or was refused saying an earlier demo had served the reference site there."""
    out = tmp_path / "data"
    site = reference_site(questions=5, seed=7)  # still listening: its port is in use
    crawl = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", site.url, "--out", str(out)],
                           capture_output=True, text=True, timeout=300)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    result = demo(out)
    assert result.returncode == 0 and "earlier demo" not in result.stderr, result.stderr[-2000:]
    assert f"127.0.0.1:{demo_port(result)}/" != site.url.removesuffix("/") + "/"
    assert load("questions", root=out)["site"].nunique() == 2


def test_a_loopback_site_whose_rows_came_by_a_reparse_takes_its_port(tmp_path):
    """A folder holding 127.0.0.1:P only through a reparse (its start URL an archive's path):
    P is taken, or another reference site served there would be filed under the same site and
    ids. The rows' `site` says which sites a folder holds."""
    from crawler.demo_sites import taken_ports
    from tests.latestdata import T0, commit_crawl, row

    question = row("questions", "1", "reparse-1", T0, "q", site="127.0.0.1:27171")
    folder = tmp_path / "questions" / f"crawl_date={T0:%Y-%m-%d}"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([question], schema=SCHEMAS["questions"]), folder / "reparse-1-00000.parquet")
    commit_crawl(tmp_path, "reparse-1", T0)  # its start URL names no loopback site
    assert taken_ports(str(tmp_path)) == {27171}
