"""A state folder is used by one crawl at a time, and belongs to one site and one output folder.

Refusals are one line (no traceback) with their own exit status: 5 when another crawl holds
the state, 2 for a state of another site or output folder (or a --state that is no folder),
1 for a state.sqlite that is not a readable state."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from pipelines.query import run
from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, partial_files, question_hits, wait_for
from tests.truthcheck import differences, read_truth


def one_line_refusal(result: subprocess.CompletedProcess, status: int, *words: str) -> str:
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    last = result.stderr.rstrip().splitlines()[-1]
    assert last.startswith("doctor-answers crawl: "), last
    for word in words:
        assert word in last, (word, last)
    return last


def test_a_second_crawl_on_a_busy_state_is_refused_and_a_dead_holder_is_taken_over(reference_site, tmp_path):
    out, state = tmp_path / "data", tmp_path / "state"
    site = reference_site(questions=800, truth=str(tmp_path / "truth.jsonl"), faults="latency=100ms")
    command = crawl_command(site.url, "--out", out, "--state", state, "-s", "CHECKPOINT_PAGES=30")
    holder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: question_hits(site) >= 60 or holder.poll() is not None, timeout=120, what="the first crawl")
        assert holder.poll() is None, "the first crawl ended too soon"
        hits = question_hits(site)
        started = time.monotonic()
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        refused_in = time.monotonic() - started
        holder_info = json.loads((state / "lock").read_text())
        line = one_line_refusal(second, 5, str(state), "in use", holder_info["crawl_id"], str(holder.pid), "since")
        assert holder.poll() is None, "the refused crawl disturbed the running one"
        assert refused_in < 60, refused_in  # at once: no page fetched, no wait for the holder
        scrapy = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "questions", "-a", f"start_url={site.url}",
                                 "-s", f"DATA_DIR={out}", "-s", f"STATE_DIR={state}"],
                                capture_output=True, text=True, timeout=120)  # a Scrapyd job's way: the same
        assert scrapy.returncode == 5 and "Traceback" not in scrapy.stderr, scrapy.stderr[-2000:]
        assert scrapy.stderr.strip().splitlines()[-1].startswith(f"scrapy crawl: state folder {state} is in use")
    finally:
        holder.kill()  # SIGKILL: the lock is the kernel's, and goes with the process
        holder.wait()
    assert question_hits(site) < len(site.site.question_slugs())
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"crawl {holder_info['crawl_id']}: resuming" in result.stdout  # the killed crawl, resumed
    (row,) = crawl_rows(out)
    assert row["status"] == "finished" and row["crawl_id"] == holder_info["crawl_id"]
    assert differences(read_truth(tmp_path / "truth.jsonl"), out) == []
    assert partial_files(out) == []
    for dataset, key in (("questions", "question_id"), ("answers", "answer_id"), ("doctors", "doctor_id")):
        assert run(f"SELECT count(*) - count(DISTINCT {key}) AS n FROM {dataset}_all", root=out)["n"][0] == 0
    assert line and hits


def test_a_state_of_another_site_is_refused_and_its_killed_crawl_never_resumed_there(reference_site, tmp_path):
    out, state = tmp_path / "data", tmp_path / "state"
    site_a = reference_site(questions=300, faults="latency=40ms")
    site_b = reference_site(questions=30, seed=2)
    crawl_a = subprocess.Popen(crawl_command(site_a.url, "--out", out, "--state", state, "-s", "CHECKPOINT_PAGES=20"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: question_hits(site_a) >= 50 or crawl_a.poll() is not None, timeout=120, what="site A's crawl")
    finally:
        crawl_a.kill()
        crawl_a.wait()
    b_host = site_b.url.split("//")[1].rstrip("/")
    result = crawl(site_b.url, "--out", out, "--state", state)
    one_line_refusal(result, 2, str(state), b_host, "another site")
    assert not site_b.hits  # refused before any request
    assert crawl_rows(out) == []  # nothing of B, and A's crawl still open for A
    result = crawl(site_a.url, "--out", out, "--state", state)
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"
    sites = run("SELECT DISTINCT site FROM questions_all", root=out)["site"].tolist()
    assert b_host not in sites


def test_an_emptied_output_folder_makes_the_state_fetch_everything_again(reference_site, tmp_path):
    import shutil

    out, state = tmp_path / "data", tmp_path / "state"
    site = reference_site(questions=40)
    assert crawl(site.url, "--out", out, "--state", state).returncode == 0
    shutil.rmtree(out)
    result = crawl(site.url, "--out", out, "--state", state)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "fetching every page again" in crawl_log(out)
    (row,) = crawl_rows(out)
    assert row["questions"] == len(site.site.question_slugs()) and row["pages_skipped"] == 0
    assert "fetching every page again" in row["message"]
    # and then the state is the new folder's: the next crawl skips as usual
    assert crawl(site.url, "--out", out, "--state", state).returncode == 0
    last = sorted(crawl_rows(out), key=lambda r: r["started_at"])[-1]
    assert last["pages_skipped"] == len(site.site.question_slugs())


def test_an_output_folder_spelled_through_a_link_is_the_same_folder(reference_site, tmp_path):
    """A state knows its output folder however it was named: the folder, or a link to it."""
    import shutil

    out, state = tmp_path / "data", tmp_path / "state"
    out.mkdir()
    (tmp_path / "link").symlink_to(out)
    site = reference_site(questions=30)
    assert crawl(site.url, "--out", tmp_path / "link", "--state", state).returncode == 0
    shutil.rmtree(out)  # its files lost: the state must fetch again, not refuse the folder as another
    result = crawl(site.url, "--out", out, "--state", state)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "fetching every page again" in crawl_rows(out)[0]["message"]


def test_a_state_used_with_another_output_folder_is_refused(reference_site, tmp_path):
    state = tmp_path / "state"
    site = reference_site(questions=30)
    assert crawl(site.url, "--out", tmp_path / "one", "--state", state).returncode == 0
    result = crawl(site.url, "--out", tmp_path / "two", "--state", state)
    one_line_refusal(result, 2, str(state), str(tmp_path / "one"), "another output folder")
    assert not (tmp_path / "two").exists()  # refused before anything is written: not even a log


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty-dir"])
def test_a_damaged_state_sqlite_is_one_line(reference_site, tmp_path, damage):
    state = tmp_path / "state"
    site = reference_site(questions=30)
    if damage == "garbage":
        state.mkdir()
        (state / "state.sqlite").write_bytes(b"this is no database\n" * 500)
    else:
        assert crawl(site.url, "--out", tmp_path / "data", "--state", state).returncode == 0
        db = state / "state.sqlite"
        if damage == "truncated":
            db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
        else:
            db.unlink()
            db.mkdir()
    hits = sum(site.hits.values())
    result = crawl(site.url, "--out", tmp_path / "data", "--state", state)
    one_line_refusal(result, 1, "state.sqlite")
    assert sum(site.hits.values()) == hits


def test_a_state_path_through_a_file_is_one_line(tmp_path):
    result = crawl("http://127.0.0.1:1/", "--out", tmp_path / "data", "--state", "/etc/passwd/x")
    one_line_refusal(result, 2, "/etc/passwd/x")
