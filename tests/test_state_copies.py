"""A crawl id is written by one run at a time, and a state resumes only a crawl whose files in
the output are all its own: a copy or an old backup of a state folder, used after its crawl
went on (or ended) with the original, never rewrites that crawl's committed files."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import signal
import subprocess
from datetime import timedelta

import pytest

from pipelines.output.batches import Batches
from pipelines.output.datasets import ParquetDatasets
from pipelines.output.running import RunningCrawl
from pipelines.session import CrawlSession
from pipelines.state import EXIT_BUSY, EXIT_UNUSABLE, PageVersion, StateError
from tests.crawling import crawl, crawl_command, crawl_rows, question_hits, wait_for
from tests.latestdata import T0, commit_crawl, row

PAGES = [f"http://h/question/{n}" for n in range(6)]


@pytest.fixture(autouse=True)
def any_rows(monkeypatch):
    monkeypatch.setattr("pipelines.output.batches.check_page", lambda rows: None)


def open_crawl(root, state=None, crawl_id=None, start_urls=("http://h/",)):
    session = CrawlSession({"STATE_DIR": str(state) if state else None, "CRAWL_ID": crawl_id})
    output = ParquetDatasets(root, row_group_rows=100, row_group_bytes=1 << 20, file_rows=1000)
    output.check_writable("probe")  # as the pipeline does first: the folder is made
    session.open(list(start_urls), output, root)
    output.begin(session.crawl_id, session.crawl_date, session.next_part)
    return session, output


def run(root, state, pages, *, end: str | None = None, start_urls=("http://h/",)):
    """One run of a stateful crawl: a batch per page not done yet; `end`: its status, else it is killed."""
    session, output = open_crawl(root, state, start_urls=start_urls)
    batches = Batches(output, session, checkpoint_pages=1, checkpoint_seconds=0, seal_others=lambda part: [])
    for n, url in enumerate(pages):
        if url not in session.done:
            at = session.started_at + timedelta(seconds=n)
            batches.add_page({"questions": [row("questions", url[-1], session.crawl_id, at, url)]},
                             PageVersion(url, content_sha256="0" * 64))
            batches.commit()
    if end:
        commit_crawl(root, session.crawl_id, session.started_at, status=end)
        session.state.finish_crawl(session.crawl_id, end)
    output.close()
    session.close()
    return session


def files(root) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def test_a_copy_of_a_state_never_resumes_the_crawl_the_original_finished(tmp_path):
    root, state, copy = tmp_path / "data", tmp_path / "state", tmp_path / "state-backup"
    killed = run(root, state, PAGES[:2])
    shutil.copytree(state, copy)  # the nightly backup of the state folder
    assert run(root, state, PAGES, end="finished").crawl_id == killed.crawl_id  # resumed and finished
    before = files(root)

    later = run(root, copy, PAGES, end="finished")  # the backup restored, or the copy used
    assert later.crawl_id != killed.crawl_id and "had not recorded the end" in later.message
    assert {name: data for name, data in files(root).items() if killed.crawl_id in name} == before


def test_a_copy_of_a_state_whose_crawl_went_on_elsewhere_is_refused(tmp_path):
    root, state, copy = tmp_path / "data", tmp_path / "state", tmp_path / "state-copy"
    first = run(root, state, PAGES[:2])
    shutil.copytree(state, copy)
    run(root, state, PAGES[:4])  # killed again, two batches further: no row yet
    before = files(root)
    with pytest.raises(StateError, match=f"files of crawl {first.crawl_id} that state folder .* never committed") \
            as refused:
        open_crawl(root, copy)
    assert refused.value.exit_status == EXIT_UNUSABLE and files(root) == before
    assert run(root, state, PAGES, end="finished").crawl_id == first.crawl_id  # the original resumes it


def test_a_state_that_missed_its_crawls_end_starts_a_new_crawl(tmp_path):
    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:3])
    commit_crawl(root, killed.crawl_id, killed.started_at, status="degraded")  # killed after its row, before the state
    before = files(root)
    assert run(root, state, PAGES).crawl_id != killed.crawl_id
    assert {name: data for name, data in files(root).items() if killed.crawl_id in name} == before


def test_a_crawl_id_asked_for_while_the_state_resumes_another_crawl_is_refused_naming_both(tmp_path):
    """-s CRAWL_ID=NAME on a state whose crawl did not end: resumed, the crawl would keep the
    state's id and NAME would name nothing (a wrapper looking its crawl up by NAME finds none)."""
    from scrapy.settings import Settings

    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:2])
    before = files(root)
    with pytest.raises(StateError, match=f"resumes crawl {killed.crawl_id}.*CRAWL_ID 'nightly-day1' would be "
                                         "dropped: run again without -s CRAWL_ID") as refused:
        open_crawl(root, state, crawl_id="nightly-day1")
    assert refused.value.exit_status == EXIT_UNUSABLE and files(root) == before
    # The id the CLI picks for a new crawl's log (the project's priority) is no choice: it resumes.
    settings = Settings({"STATE_DIR": str(state)})
    settings.set("CRAWL_ID", "20261124T010000Z-0123abcd", priority="project")
    session = CrawlSession(settings)
    output = ParquetDatasets(root, row_group_rows=100, row_group_bytes=1 << 20, file_rows=1000)
    session.open(["http://h/"], output, root)
    assert session.resumed and session.crawl_id == killed.crawl_id
    output.close()
    session.close()


@pytest.mark.parametrize("way", ["--state", "-s STATE_DIR", "scrapy crawl -s"])
def test_an_interrupted_crawl_named_with_crawl_id_is_resumed_by_the_same_command(tmp_path, way):
    """`-s CRAWL_ID=nightly --state S`, interrupted (its `interrupted` row is in DIR): the same
    command resumes it, as the README promises a cron line; a new crawl of that id stays refused."""
    from crawler.arguments import ArgumentError, check_crawl_settings, validate
    from crawler.cli import build_parser

    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:2])
    commit_crawl(root, killed.crawl_id, killed.started_at, status="interrupted")

    def check(state_dir):
        if way == "scrapy crawl -s":  # crawler.commands.crawl checks its settings so
            return check_crawl_settings({"CRAWL_ID": killed.crawl_id, "STATE_DIR": str(state_dir)}, str(root))
        option = ["--state", str(state_dir)] if way == "--state" else ["-s", f"STATE_DIR={state_dir}"]
        args = build_parser().parse_args(["crawl", "http://h/", "--out", str(root), "-s",
                                          f"CRAWL_ID={killed.crawl_id}", *option])
        return validate("crawl", args)

    check(state)  # its own state resumes it
    with pytest.raises(ArgumentError, match="already written"):
        check(tmp_path / "another-state")  # a new crawl reusing the id
    run(root, state, PAGES, end="finished")
    with pytest.raises(ArgumentError, match="already written"):
        check(state)  # the crawl ended: the id names a finished crawl


@pytest.mark.parametrize("again", [["http://a/"], ["http://b:8000/sitemap.xml"]])
def test_a_crawl_resumed_with_start_urls_of_other_sites_is_refused_naming_them(tmp_path, again):
    """A crawl of two sites, killed, then run again with one of them (a cron line edited): resumed,
    the other site's pages not read would be dropped in silence and its row would name one site."""
    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:2], start_urls=["http://a/", "http://b:8000/"])
    before = files(root)
    with pytest.raises(StateError, match=f"resumes crawl {killed.crawl_id} of a b:8000, which did not end; the start "
                                         "URLs given are of .*: run again with start URLs of a b:8000") as refused:
        open_crawl(root, state, start_urls=again)
    assert refused.value.exit_status == EXIT_UNUSABLE and files(root) == before
    session, output = open_crawl(root, state, start_urls=["HTTP://B:8000", "http://A:80/"])  # its start URLs
    assert session.resumed and session.crawl_id == killed.crawl_id
    output.close()
    session.close()


@pytest.mark.parametrize("again", [["http://h/questions/botox"], ["http://h/", "http://h/sitemap.xml"],
                                   ["http://h/?page=2"]])
def test_a_crawl_resumed_from_other_start_urls_of_its_site_is_refused_naming_both(tmp_path, again):
    """A crawl of a site root, killed, then run again from a listing of the same site: resumed,
    the pages only the root leads to would be dropped in silence, the crawl `finished` with part
    of the site. Any spelling of its own start URLs resumes it."""
    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:2], start_urls=["http://h/"])
    before = files(root)
    with pytest.raises(StateError, match=rf'resumes crawl {killed.crawl_id}, begun with start URLs \["http://h/"\], '
                                         r"which did not end; the start URLs given are \[.*\]: run again with start "
                                         r'URLs \["http://h/"\] to resume it, or with another --state') as refused:
        open_crawl(root, state, start_urls=again)
    assert refused.value.exit_status == EXIT_UNUSABLE and files(root) == before
    assert json.dumps(again)[1:-1] in str(refused.value)
    for spelling in (["HTTP://H:80"], ["http://h/#top", "http://h"]):
        session, output = open_crawl(root, state, start_urls=spelling)
        assert session.resumed and session.crawl_id == killed.crawl_id
        output.close()
        session.close()


def test_a_state_without_recorded_start_urls_resumes_from_any_of_its_site(tmp_path):
    """A state written before start URLs were recorded: its crawl resumes as it did."""
    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:2], start_urls=["http://h/"])
    db = sqlite3.connect(state / "state.sqlite")
    with db:
        db.execute("UPDATE crawls SET start_urls = NULL")
    db.close()
    session, output = open_crawl(root, state, start_urls=["http://h/questions/botox"])
    assert session.resumed and session.crawl_id == killed.crawl_id
    output.close()
    session.close()


def test_a_crawl_id_runs_once_at_a_time_and_never_over_a_written_crawl(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    running = RunningCrawl(root, "daily")
    try:
        # which process holds it, and since when, as a state folder's refusal says
        with pytest.raises(StateError, match=rf"crawl daily is already running into .* \(pid {os.getpid()}, since ") as busy:
            open_crawl(root, crawl_id="daily")
        assert busy.value.exit_status == EXIT_BUSY
    finally:
        running.release()
    commit_crawl(root, "daily", T0)
    with pytest.raises(StateError, match="already written") as written:
        open_crawl(root, crawl_id="daily")  # ended between the command's check and its start
    assert written.value.exit_status == EXIT_UNUSABLE


def test_a_second_crawl_of_a_running_crawl_id_is_refused_at_once_and_the_first_keeps_its_data(reference_site,
                                                                                                tmp_path):
    out = tmp_path / "data"
    site = reference_site(questions=800, faults="latency=100ms")
    first = subprocess.Popen(crawl_command(site.url, "--out", out, "-s", "CRAWL_ID=daily"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: question_hits(site) >= 5 or first.poll() is not None, timeout=120, what="the first crawl")
        assert first.poll() is None, "the first crawl ended too soon"
        second = crawl(f"{site.url}questions/botox", "--out", out, "-s", "CRAWL_ID=daily", timeout=120)
        assert first.poll() is None, "the first crawl ended before the second was refused"
        first.send_signal(signal.SIGINT)  # its row is written now: the one row of crawl daily
    finally:
        first.wait(timeout=600)
    assert second.returncode == 5 and "Traceback" not in second.stderr, second.stderr[-2000:]
    assert "crawl daily is already running" in second.stderr.strip().splitlines()[-1]
    assert first.returncode == 130
    (written,) = crawl_rows(out)
    assert written["status"] == "interrupted" and list(written["start_urls"]) == [site.url]
    assert "Spider closed (shutdown)" in (out / "logs" / "daily.log").read_text()  # its log kept


def test_a_degraded_crawls_pages_are_fetched_again_by_the_next(tmp_path):
    """A degraded crawl's pages may hold its hole (answers a redesign hid): the versions it saw
    are not kept, so the next crawl fetches them again instead of skipping them as unchanged."""
    from datetime import datetime, timezone

    from pipelines.state import CrawlState

    state = CrawlState(tmp_path / "state")
    for crawl_id, status in (("c1", "finished"), ("c2", "degraded")):
        state.open_crawl(crawl_id, datetime.now(timezone.utc), commit=lambda token: None)
        url = f"http://h/question/{crawl_id}"
        state.commit_batch(crawl_id, 0, "t", [PageVersion(url, "etag", "Mon", "2026-11-01", "0" * 64)], [],
                           commit=lambda token: None)
        state.finish_crawl(crawl_id, status)
    assert state.version("http://h/question/c1").lastmod == "2026-11-01"
    forgotten = state.version("http://h/question/c2")
    assert (forgotten.etag, forgotten.last_modified, forgotten.lastmod) == (None, None, None)


def test_a_crawl_killed_between_its_row_and_its_state_is_said_killed_first(tmp_path):
    root, state = tmp_path / "data", tmp_path / "state"
    killed = run(root, state, PAGES[:2])
    commit_crawl(root, killed.crawl_id, killed.started_at, status="finished")  # the row, then the kill

    later = run(root, state, PAGES, end="finished")
    message = later.message.replace(str(root), "ROOT").replace(str(state), "STATE")  # the test's name is in them
    assert later.crawl_id != killed.crawl_id and "had not recorded the end" in message
    assert "killed" in message and message.index("killed") < message.index("disk was full")
