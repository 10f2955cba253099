"""The latest view after real crawls: every analyst's reader gets the day-1 truth from latest/."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from pipelines.loader import committed_crawls, latest_rows, snapshots
from pipelines.output.latest import current_buckets
from pipelines.schemas import KEYS
from tests.crawling import CRAWL_TIMEOUT, crawl, crawl_command, crawl_rows, question_hits, wait_for
from tests.latestdata import READERS, read_with
from tests.truthcheck import _same, read_truth

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def reader_differences(truth, root, reader, limit=10) -> list[str]:
    found = []
    for dataset, expected in truth.items():
        rows = read_with(reader, root / "latest" / dataset)
        keys = [r[KEYS[dataset]] for r in rows]
        if len(keys) != len(set(keys)):
            found.append(f"{reader} {dataset}: {len(keys) - len(set(keys))} keys twice")
        rows = {r[KEYS[dataset]]: r for r in rows}
        if set(rows) != set(expected):
            found.append(f"{reader} {dataset}: {len(set(expected) - set(rows))} missing, {len(set(rows) - set(expected))} extra")
        for key in sorted(set(expected) & set(rows)):
            for field, value in expected[key].items():
                actual = rows[key].get(field)
                if isinstance(actual, pd.Timestamp) and actual.tzinfo is None:  # DuckDB's .df() of a DATE
                    actual = actual.date()
                if not _same(value, actual):
                    found.append(f"{reader} {dataset} {key} {field}: expected {value!r}, got {actual!r}")
                    if len(found) >= limit:
                        return found
    return found


def all_readers_differences(truth, root) -> list[str]:
    return [line for reader in READERS for line in reader_differences(truth, root, reader)]


def site_on_day(reference_site, tmp_path, day, port=0, questions=150):
    return reference_site(questions=questions, day=day, port=port, truth=str(tmp_path / f"truth{day}.jsonl"))


def port_of(site) -> int:
    return int(site.url.rstrip("/").rsplit(":", 1)[1])


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "state"])
def test_day0_then_day1_every_reader_reads_the_day1_truth_from_latest(reference_site, tmp_path, stateful):
    out = tmp_path / "data"
    state = ["--state", tmp_path / "state"] if stateful else []
    day0 = site_on_day(reference_site, tmp_path, 0)
    assert crawl(day0.url, "--out", out, *state).returncode == 0
    assert all_readers_differences(read_truth(tmp_path / "truth0.jsonl"), out) == []
    assert current_buckets(out) is not None  # the view is current: load() and query read it as it is
    day0.stop()
    day1 = site_on_day(reference_site, tmp_path, 1, port=port_of(day0))
    result = crawl(day1.url, "--out", out, *state)
    assert result.returncode == 0, result.stderr[-2000:]
    assert all_readers_differences(read_truth(tmp_path / "truth1.jsonl"), out) == []
    assert current_buckets(out) is not None


def test_after_an_interrupted_crawl_latest_holds_what_it_committed(reference_site, tmp_path):
    out = tmp_path / "data"
    day0 = site_on_day(reference_site, tmp_path, 0)
    assert crawl(day0.url, "--out", out).returncode == 0
    day0.stop()
    day1 = reference_site(questions=1200, day=1, port=port_of(day0), faults="latency=30ms",
                          truth=str(tmp_path / "truth1.jsonl"))
    process = subprocess.Popen(crawl_command(day1.url, "--out", out), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        wait_for(lambda: question_hits(day1) >= 80, what="80 question pages")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, stderr.decode()[-2000:]
    assert sorted(r["status"] for r in crawl_rows(out)) == ["finished", "interrupted"]
    crawls = committed_crawls(out)
    for dataset in ("questions", "answers", "doctors"):
        expected = latest_rows(snapshots(dataset, out).to_table(), dataset, crawls,
                               snapshots("questions", out).to_table()).sort_by(KEYS[dataset])
        for reader in READERS:
            rows = sorted(read_with(reader, out / "latest" / dataset), key=lambda r: r[KEYS[dataset]])
            assert [r[KEYS[dataset]] for r in rows] == expected[KEYS[dataset]].to_pylist(), reader
            assert [r["crawl_id"] for r in rows] == expected["crawl_id"].to_pylist(), reader
    again = crawl(day1.url, "--out", out)
    assert again.returncode == 0, again.stdout
    assert all_readers_differences(read_truth(tmp_path / "truth1.jsonl"), out) == []


KILLED_CRAWL = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    from pipelines.output import latest
    real, calls = latest._merge_bucket, [0]
    def merge(*args):
        calls[0] += 1
        if calls[0] == 2:  # the second bucket written
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args)
    latest._merge_bucket = merge
    from crawler.cli import main
    main(sys.argv[2:])
""")


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "state"])
def test_sigkill_during_the_update_then_a_new_crawl_leaves_latest_right(reference_site, tmp_path, stateful):
    out = tmp_path / "data"
    state = ["--state", str(tmp_path / "state")] if stateful else []
    day0 = site_on_day(reference_site, tmp_path, 0)
    assert crawl(day0.url, "--out", out, *state).returncode == 0
    day0.stop()
    day1 = site_on_day(reference_site, tmp_path, 1, port=port_of(day0))
    killed = subprocess.run([sys.executable, "-c", KILLED_CRAWL, str(ROOT), "crawl", day1.url, "--out", str(out),
                             "-s", "LATEST_BUCKETS=32", *state], capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    # The crawl committed, its view did not switch: latest/ is day 0's, whole.
    assert len(crawl_rows(out)) == 2
    assert all_readers_differences(read_truth(tmp_path / "truth0.jsonl"), out) == []
    assert crawl(day1.url, "--out", out, *state).returncode == 0
    assert all_readers_differences(read_truth(tmp_path / "truth1.jsonl"), out) == []


def test_a_crawl_id_that_begins_another_counts_only_its_own_rows(reference_site, tmp_path):
    # `nightly-2-00000.parquet` is crawl nightly-2's file: crawl nightly's row, summary and
    # coverage check count its own files only.
    out = tmp_path / "data"
    site = reference_site(questions=30)
    for crawl_id in ("nightly-2", "nightly"):
        assert crawl(site.url, "--out", out, "-s", f"CRAWL_ID={crawl_id}").returncode == 0
    rows = {row["crawl_id"]: row for row in crawl_rows(out)}
    assert rows["nightly"]["questions"] == rows["nightly-2"]["questions"] == len(site.site.question_slugs())
    coverage = {(c["dataset"], c["layout"], c["field"]): c["rows"] for c in rows["nightly"]["coverage"]}
    assert coverage[("questions", "*", "title")] == len(site.site.question_slugs())


def _unreadable_to_the_next_crawl(path) -> list[str]:
    """Make `path` a file the next crawl cannot read (another user's, umask 077); the command
    prefix that runs that crawl (root reads through permission bits: it drops the capability)."""
    import os
    import shutil

    path.chmod(0o000)
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("root reads any file; setpriv is needed to drop that")
    caps = "-dac_override,-dac_read_search"
    os.chown(path, 65534, 65534)
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps, "--"]


def test_a_crawls_row_the_next_crawl_cannot_read_is_not_dropped_from_latest(reference_site, tmp_path):
    """Another crawl's row that this user cannot read is on disk, maybe committed: the view keeps
    its rows (not rebuilt without them), and the crawl is `degraded`, naming the file."""
    out = tmp_path / "data"
    first = reference_site(questions=20, day=0)
    assert crawl(first.url, "--out", out).returncode == 0
    before = len(read_with("duckdb", out / "latest" / "questions"))
    (row,) = (out / "crawls").glob("crawl_date=*/*.parquet")
    prefix = _unreadable_to_the_next_crawl(row)
    second = reference_site(questions=20, seed=2)  # another port: another site
    result = subprocess.run(prefix + crawl_command(second.url, "--out", out), capture_output=True, text=True,
                            timeout=CRAWL_TIMEOUT)
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"cannot read {row}" in result.stdout + result.stderr
    assert len(read_with("duckdb", out / "latest" / "questions")) == before  # the first site's rows stay
