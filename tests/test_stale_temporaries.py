"""A failed or killed stateless crawl leaves temporary files: the next crawl into the same folder
removes them, but never those of a crawl still writing there."""
from __future__ import annotations

import subprocess

from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, partial_files, wait_for


def temporaries(out, crawl_id=None) -> list:
    found = [p for p in partial_files(out) if p.name.endswith(".tmp")]
    return [p for p in found if crawl_id is None or p.name.startswith(f".{crawl_id}-")]


def crawl_ids_of(paths) -> set[str]:
    return {p.name[1:].rsplit("-", 1)[0] for p in paths}


def start_crawl(site, out):
    # Row groups of 5 rows: a temporary file is on disk after the first few pages.
    return subprocess.Popen(crawl_command(site.url, "--out", out, "-s", "PARQUET_ROW_GROUP_ROWS=5"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_crawls_temporaries_go_and_a_live_crawls_stay(reference_site, tmp_path):
    out = tmp_path / "data"
    site = reference_site(questions=800, faults="latency=100ms")
    killed = start_crawl(site, out)
    try:
        wait_for(lambda: temporaries(out) or killed.poll() is not None, timeout=120, what="a temporary file")
    finally:
        killed.kill()
        killed.wait()
    (dead_id,) = crawl_ids_of(temporaries(out))

    live = start_crawl(site, out)  # starts after the kill: it removes the dead crawl's files
    question = f"{site.url}question/{site.site.question_slugs()[0]}"
    try:
        wait_for(lambda: crawl_ids_of(temporaries(out)) - {dead_id} or live.poll() is not None,
                 timeout=120, what="the live crawl's temporary file")
        assert live.poll() is None
        (live_id,) = crawl_ids_of(temporaries(out)) - {dead_id}
        assert temporaries(out, dead_id) == []
        assert not (out / f".{dead_id}.running").exists()

        # a crawl into the same folder while that one writes: its files stay
        result = crawl(question, "--out", out)
        assert result.returncode == 0, result.stderr[-2000:]
        assert temporaries(out, live_id), "the live crawl's file was removed"
        assert live.poll() is None
    finally:
        live.kill()
        live.wait()
    # once that crawl is dead too, the next crawl leaves the folder clean, and says so
    result = crawl(question, "--out", out)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "temporary files left by crawls that died" in crawl_log(out)
    assert partial_files(out) == []
    assert {row["status"] for row in crawl_rows(out)} == {"finished"}
