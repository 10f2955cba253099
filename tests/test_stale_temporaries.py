"""A failed or killed crawl leaves temporary files: the next crawl into the same folder removes
them, but never those of a crawl still writing there, nor those of a dead stateful crawl its
state will resume."""
from __future__ import annotations

import subprocess
from datetime import datetime, timezone

import pytest

from pipelines.output.running import RunningCrawl, remove_dead_temporaries
from pipelines.state import CrawlState
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


def dead_stateful_crawl(out, state_folder, crawl_id="c1"):
    """A stateful crawl killed with a sealed batch not committed yet: its lock (free) and its temporary."""
    folder = out / "questions" / "crawl_date=2026-11-30"
    folder.mkdir(parents=True)
    (folder / f".{crawl_id}-00003.parquet.tmp").write_bytes(b"a sealed batch")
    RunningCrawl(out, crawl_id, state_folder).handle.close()  # closed, not released: as a kill leaves it


@pytest.mark.parametrize("state_now, spared", [
    ("resumes it", True),  # the state's unfinished crawl: its resume commits that batch
    ("ended it", False),  # killed after its state recorded the end (the latest view's update, the report)
    ("moved away", False),  # moved away to start afresh: nothing will resume it
])
def test_a_dead_stateful_crawls_temporaries_stay_only_while_its_state_would_resume_it(tmp_path, state_now, spared):
    out, state_folder = tmp_path / "data", tmp_path / "state"
    state = CrawlState(state_folder)
    state.open_crawl("c1", datetime.now(timezone.utc), commit=lambda token: None)
    if state_now == "ended it":
        state.finish_crawl("c1", "finished")
    state.close()
    if state_now == "moved away":
        state_folder.rename(tmp_path / "state-damaged")
    dead_stateful_crawl(out, state_folder)
    removed = remove_dead_temporaries(out, "c2")
    assert (removed == 0) == spared
    assert bool(temporaries(out, "c1")) == spared and (out / ".c1.running").exists() == spared


def test_a_crawl_locking_its_file_while_another_finds_it_unlocked_keeps_a_lock_file(tmp_path):
    # Crawl a has opened its lock file, not yet locked it; crawl b, starting, finds it unlocked and
    # takes a for a dead crawl. b removes the file only while it holds it: a, locking it after b
    # lets go, sees it gone and locks a new one, never running on with no lock file (a third
    # crawl would then take its temporaries for a dead crawl's).
    import os
    import threading
    import time

    lock = tmp_path / ".a.running"
    lock.touch()
    taken = {}

    def temporaries():  # b, between its probe of a's file and that file's removal
        threading.Thread(target=lambda: taken.setdefault("a", RunningCrawl(tmp_path, "a"))).start()
        deadline = time.monotonic() + 0.5  # less than a lock's patience with a probe
        while "a" not in taken and time.monotonic() < deadline:
            time.sleep(0.01)
        yield from ()  # no temporaries to remove

    remove_dead_temporaries(tmp_path, "b", temporaries())
    wait_for(lambda: "a" in taken, timeout=10, what="crawl a's lock")
    running = taken["a"]
    assert lock.exists() and lock.stat().st_ino == os.fstat(running.handle.fileno()).st_ino
    running.release()
