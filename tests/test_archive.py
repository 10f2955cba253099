"""The WARC archive of a crawl (`crawl --archive`), `reparse` of it with the site gone, and
`extract` of WARC files."""
from __future__ import annotations

import errno
import inspect
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.files import Exchange, WarcFiles
from crawler.archive.reader import chunks, responses
from pipelines.loader import load
from pipelines.output.latest import current_buckets
from reference_site.server import start_in_thread
from reference_site.site import Site
from tests import redesign
from tests.conftest import SAMPLES
from tests.crawling import crawl, crawl_command, crawl_rows, kill_after, question_hits, wait_for
from tests.truthcheck import differences, read_truth, truth_by_dataset

ROOT = Path(__file__).resolve().parents[1]
# A crawl that ran to its end, as its archive closes it (WarcFiles.end)
ENDED = {"status": "finished", "ended_at": "2026-11-01T12:00:00.000000Z"}


def cli(*args, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def warcio_check(files) -> subprocess.CompletedProcess:
    """warcio's own command line, `warcio check`: digests and record layout of every file."""
    script = Path(sys.executable).parent / "warcio"
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from warcio.cli import main; main()"]
    return subprocess.run([*command, "check", *map(str, files)], capture_output=True, text=True, timeout=300)


def warc_files(folder: Path) -> list[Path]:
    """Committed archive files: hidden ones are temporary, never part of the archive."""
    return sorted(p for p in Path(folder).iterdir() if p.name.endswith(".warc.gz") and not p.name.startswith("."))


def archived(folder: Path) -> list:
    return [r for path in warc_files(folder) for r in responses(path)]


def rows(root: Path, dataset: str) -> set:
    """Every row of a dataset but its crawl columns, as comparable tuples (a set: the order of
    rows within a crawl is not part of what it recorded)."""
    table = ds.dataset(Path(root) / dataset, format="parquet", partitioning="hive",
                       ignore_prefixes=[".", "_"]).to_table()
    out = set()
    for row in table.to_pylist():
        row.pop("crawl_id"), row.pop("crawl_date", None)
        out.add(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in row.items())))
    return out


def reparse_row(root: Path) -> dict:
    (row,) = [r for r in crawl_rows(root) if r["spider"] == "reparse"]
    return row


@pytest.fixture(scope="module")
def archived_crawl(tmp_path_factory):
    """A crawl of a 150-question reference site with --archive; the site is stopped after it."""
    folder = tmp_path_factory.mktemp("archived")
    truth = folder / "truth.jsonl"
    site = start_in_thread(questions=150, seed=4, truth=str(truth))
    try:
        result = crawl(site.url, "--out", folder / "data", "--archive", folder / "archive")
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def test_a_reparse_of_the_archive_with_the_site_gone_gives_the_truth_and_the_crawls_rows(archived_crawl, tmp_path):
    folder = archived_crawl
    result = cli("reparse", folder / "archive", "--out", tmp_path / "again")
    assert result.returncode == 0, result.stderr[-3000:]
    assert differences(read_truth(folder / "truth.jsonl"), tmp_path / "again") == []
    row = reparse_row(tmp_path / "again")
    assert row["status"] == "finished" and row["questions"] == 150
    # A finished reparse says nothing but its progress on stderr (no message line, no "None")
    assert not [line for line in result.stderr.splitlines() if line.startswith("doctor-answers reparse:")]
    # and prints a crawl's summary on stdout: what it wrote, where
    assert f"crawl {row['crawl_id']}: finished" in result.stdout
    assert f"  rows: 150 questions, {row['answers']} answers, {row['doctors']} distinct doctors" in result.stdout
    assert f"  data: {(tmp_path / 'again').resolve()}" in result.stdout
    # The same rows as the live crawl, crawl_id aside: fetched_at (the WARC-Date) and the
    # content hash included, doctors once each.
    for dataset in ("questions", "answers", "doctors"):
        assert rows(tmp_path / "again", dataset) == rows(folder / "data", dataset), dataset


def test_every_file_passes_warcio_check_and_holds_every_kind_of_response(archived_crawl):
    files = warc_files(archived_crawl / "archive")
    assert files
    check = warcio_check(files)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    paths = {urlsplit(r.url).path for r in archived(archived_crawl / "archive")}
    assert {"/robots.txt", "/", "/sitemap.xml"} <= paths
    assert any(p.startswith("/xmlsitemap-Question-") for p in paths)
    assert any(p.startswith("/questions/") for p in paths)  # topic listings
    assert len([p for p in paths if p.startswith("/question/")]) == 150
    (crawl_row,) = crawl_rows(archived_crawl / "data")
    with open(files[0], "rb") as stream:
        info = next(iter(ArchiveIterator(stream)))
        assert info.rec_type == "warcinfo"
        assert f"crawl-id: {crawl_row['crawl_id']}" in info.content_stream().read().decode()


def test_fetched_at_is_the_warc_date_to_the_microsecond(archived_crawl):
    questions = load("questions", root=archived_crawl / "data", latest=False)
    fetched = {urlsplit(u).path: t for u, t in zip(questions["url"], questions["fetched_at"])}
    dates = {urlsplit(r.url).path: r.fetched_at for r in archived(archived_crawl / "archive") if r.status == 200}
    assert fetched and all(dates[path] == t.to_pydatetime() for path, t in fetched.items())
    assert any(t.microsecond for t in dates.values())


def test_extract_reads_warc_files_and_folders_and_skips_temporary_ones(archived_crawl, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(archived_crawl / "archive", archive)
    (archive / ".20990101T000000Z-deadbeef-00000.warc.gz.tmp").write_bytes(b"half a file")
    result = cli("extract", archive)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = truth_by_dataset(result.stdout.splitlines())
    expected = read_truth(archived_crawl / "truth.jsonl")
    for dataset in expected:
        for record in expected[dataset].values():
            record.pop("layout", None)
    assert printed == expected
    single = cli("extract", warc_files(archive)[0])
    assert single.returncode == 0 and single.stdout == result.stdout


def test_a_blocked_crawls_reparse_counts_the_pages_it_gave_up_as_blocked_as_the_crawl_did(reference_site, tmp_path):
    """A block page is never a page fetched: the crawl's block middleware asks again or gives
    the page up (its last try too) before the engine receives it; the reparse counts so."""
    site = reference_site(questions=60, seed=7, faults="block=0.5")
    result = crawl(site.url, "--out", tmp_path / "data", "--archive", tmp_path / "archive", "-s", "BLOCK_RETRY_TIMES=1")
    site.stop()
    again = cli("reparse", tmp_path / "archive", "--out", tmp_path / "again")
    assert again.returncode == result.returncode, again.stderr[-3000:]
    (live,) = crawl_rows(tmp_path / "data")
    assert live["pages_failed"] > 0, live  # pages given up as blocked: what the two counted apart
    row = reparse_row(tmp_path / "again")
    names = ("status", "pages_fetched", "pages_failed", "pages_blocked", "questions")
    assert {n: row[n] for n in names} == {n: live[n] for n in names}


def test_bad_pages_errors_and_blocks_are_archived_and_counted_again_by_reparse(reference_site, tmp_path):
    site = reference_site(questions=120, seed=5, truth=str(tmp_path / "truth.jsonl"),
                          faults="error=0.05,throttle=0.03,block=0.04,truncate=0.04")
    result = crawl(site.url, "--out", tmp_path / "data", "--archive", tmp_path / "archive")
    assert result.returncode == 0, result.stderr[-3000:]
    site.stop()
    responses_ = archived(tmp_path / "archive")
    # Every answer the site gave is in the archive: retried ones, 5xx, 429, block pages.
    assert len(responses_) == sum(site.hits.values())
    statuses = {r.status for r in responses_}
    assert {429, 200} <= statuses and statuses & {500, 502, 503, 504}
    assert any(b"px-captcha" in r.body for r in responses_)
    check = warcio_check(warc_files(tmp_path / "archive"))
    assert check.returncode == 0, check.stdout[-2000:]

    again = cli("reparse", tmp_path / "archive", "--out", tmp_path / "again")
    assert again.returncode == 0, again.stderr[-3000:]
    assert differences(read_truth(tmp_path / "truth.jsonl"), tmp_path / "again") == []
    row = reparse_row(tmp_path / "again")
    assert row["pages_blocked"] > 0 and row["pages_truncated"] > 0
    (live,) = crawl_rows(tmp_path / "data")
    # Counted as the crawl counts them: a response its middlewares retried was never fetched
    # by the spider (pages_fetched), every 5xx and 429 met is one (responses_5xx, _429).
    counts = ("questions", "answers", "doctors", "pages_failed", "pages_blocked", "pages_truncated", "pages_malformed",
              "pages_fetched", "responses_5xx", "responses_429")
    assert {k: row[k] for k in counts} == {k: live[k] for k in counts}


def test_archive_files_are_bounded_and_read_in_parts_by_several_processes(reference_site, tmp_path):
    site = reference_site(questions=100, seed=6, truth=str(tmp_path / "truth.jsonl"))
    # The setting, as a Scrapyd job or a cron line gives it.
    result = crawl(site.url, "--out", tmp_path / "data", "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}",
                   "-s", "ARCHIVE_FILE_BYTES=60000")
    assert result.returncode == 0, result.stderr[-3000:]
    site.stop()
    files = warc_files(tmp_path / "archive")
    biggest_record = max(len(r.body) for r in archived(tmp_path / "archive"))
    assert len(files) > 3 and all(f.stat().st_size < 60000 + biggest_record for f in files)
    assert warcio_check(files).returncode == 0
    whole = [r for f in files for r in responses(f)]
    for size in (500, 7000):
        assert [r for f in files for start, end in chunks(f, size) for r in responses(f, start, end)] == whole
    again = cli("reparse", *files, "--out", tmp_path / "again", "--processes", "2")
    assert again.returncode == 0, again.stderr[-3000:]
    assert differences(read_truth(tmp_path / "truth.jsonl"), tmp_path / "again") == []


def test_a_crawl_killed_and_resumed_leaves_an_archive_covering_every_committed_row(reference_site, tmp_path):
    out, state, archive = tmp_path / "data", tmp_path / "state", tmp_path / "archive"
    site = reference_site(questions=400, seed=7, truth=str(tmp_path / "truth.jsonl"), faults="latency=10ms")
    command = crawl_command(site.url, "--out", out, "--state", state, "--archive", archive,
                            "-s", "CHECKPOINT_PAGES=40")

    def covered() -> None:
        committed = load("questions", root=out, latest=False) if (out / "questions").is_dir() else None
        paths = {urlsplit(r.url).path for r in archived(archive) if r.status == 200}
        missing = [] if committed is None else [u for u in committed["url"] if urlsplit(u).path not in paths]
        assert missing == [], f"{len(missing)} committed questions without their response, e.g. {missing[:3]}"

    for moment in (60, 200):
        kill_after(command, site, moment)
        covered()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    covered()
    assert [p.name for p in archive.iterdir() if p.name.startswith(".")] == []  # no half file left
    assert warcio_check(warc_files(archive)).returncode == 0
    site.stop()
    again = cli("reparse", archive, "--out", tmp_path / "again")
    assert again.returncode == 0, again.stderr[-3000:]
    # Pages fetched again after a kill are in the archive twice: the later one counts, once.
    assert differences(read_truth(tmp_path / "truth.jsonl"), tmp_path / "again") == []
    for dataset in ("questions", "answers"):
        assert rows(tmp_path / "again", dataset) == rows(out, dataset), dataset


def test_archive_files_moved_away_leave_the_state_of_the_rows_intact(reference_site, tmp_path):
    """Rotating an archive to other storage is routine: the next crawl with the same state
    still knows its pages, since the rows they stand for are still in the output folder."""
    site = reference_site(questions=30)
    out, state = tmp_path / "data", tmp_path / "state"
    first = crawl(site.url, "--out", out, "--state", state, "--archive", tmp_path / "archive")
    assert first.returncode == 0, first.stderr[-2000:]
    shutil.move(tmp_path / "archive", tmp_path / "cold-storage")
    second = crawl(site.url, "--out", out, "--state", state, "--archive", tmp_path / "archive")
    assert second.returncode == 0, second.stderr[-2000:]
    row = max(crawl_rows(out), key=lambda r: r["started_at"])
    assert row["message"] is None and row["pages_skipped"] == 30, row


def test_a_killed_crawls_temporary_archive_file_goes_with_the_next_crawl_into_the_folder(reference_site, tmp_path):
    site = reference_site(questions=200)
    archive = tmp_path / "archive"
    crawl_process = subprocess.Popen(crawl_command(site.url, "--out", tmp_path / "data", "--archive", archive),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:  # killed once its writer (behind the crawl, at nice 10) has a file open
        wait_for(lambda: list(archive.glob(".*.warc.gz.tmp")) or crawl_process.poll() is not None,
                 what="the archive's first temporary file")
        assert crawl_process.poll() is None, "the crawl ended before its kill"
    finally:
        crawl_process.kill()
        crawl_process.wait()
    left = sorted(p.name for p in archive.iterdir())
    # Its lock is left, and mostly its temporary file (a stateless crawl's: never resumed). The
    # kernel closes the dead crawl's socket before it kills the writer (PDEATHSIG), so the
    # writer may read the end of its input first and drop the file itself.
    assert any(name.endswith(".running") for name in left), left
    result = crawl(site.url, "--out", tmp_path / "other", "--archive", archive)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not [p.name for p in archive.iterdir() if p.name.startswith(".")], (left, sorted(archive.iterdir()))


def _children(pid: int, marker: bytes) -> list[int]:
    """Child processes of `pid` whose command line holds `marker` (from /proc: Linux)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            status = (proc / "status").read_text()
            parent = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
            if parent == pid and marker in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except (OSError, ValueError, StopIteration):
            continue
    return found


def test_a_crawl_whose_archive_writer_dies_commits_no_row_without_its_response(reference_site, tmp_path):
    out, archive = tmp_path / "data", tmp_path / "archive"
    site = reference_site(questions=400, seed=5, faults="latency=10ms")
    crawl = subprocess.Popen(crawl_command(site.url, "--out", out, "--archive", archive, "-s", "PARQUET_FILE_ROWS=150"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: question_hits(site) >= 80 or crawl.poll() is not None, what="80 question pages")
        (writer,) = _children(crawl.pid, b"crawler.archive.writer")
        os.kill(writer, signal.SIGKILL)  # the OOM killer, say
        _, stderr = crawl.communicate(timeout=300)
    finally:
        crawl.kill()
    assert crawl.returncode == 1, stderr[-3000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "failed" and row["message"].startswith(f"cannot write the archive to {archive}")
    assert "Traceback" not in stderr
    fetched = {r.fetched_at for r in archived(archive)}
    committed = load("questions", root=out, latest=False)
    assert len(committed) and all(t.to_pydatetime() in fetched for t in committed["fetched_at"])
    assert [p.name for p in archive.iterdir() if p.name.startswith(".")] == []  # the dead writer's file is gone


def test_reparse_keeps_the_latest_good_page_of_a_question_archived_twice(tmp_path):
    day0, day1 = Site(30, seed=8, day=0), Site(30, seed=8, day=30)
    slug = next(s for s in day0.question_slugs() if day0.page(s).body != day1.page(s).body)
    url = f"http://127.0.0.1:9/question/{slug}"
    early = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def archive(name: str, body: bytes, when: datetime, at: str = url) -> None:
        files = WarcFiles(tmp_path / "archive", name, 10**9, {"crawl-id": name})
        files.write(Exchange(at, when, "GET", [], b"", 200, "HTTP/1.1",
                             [(b"Content-Type", [b"text/html"])], body, None))
        for tmp, final in files.end(ENDED):
            os.replace(tmp, final)

    # The later page sits in the first file: the WARC-Date decides, not the order of files.
    archive("a-crawl", day1.page(slug).body, early + timedelta(days=30, microseconds=7))
    archive("b-crawl", day0.page(slug).body, early)
    # The same question under another URL of its site (another request key) is one question.
    archive("c-crawl", day0.page(slug).body, early + timedelta(days=1), f"http://127.0.0.1:9/question/{slug}-copy")
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(tmp_path / "out")
    assert (row["questions"], row["pages_failed"]) == (1, 0)
    expected = truth_by_dataset(day1.truth(slug))
    questions = load("questions", root=tmp_path / "out", latest=False)
    answers = load("answers", root=tmp_path / "out", latest=False)
    assert len(questions) == 1
    assert questions["fetched_at"][0].to_pydatetime() == early + timedelta(days=30, microseconds=7)
    assert set(answers["answer_id"]) == set(expected["answers"])


def archive_page(folder: Path, name: str, url: str, when: datetime, body: bytes, status: int = 200,
                 crawl_id: str | None = None) -> None:
    """One response in a file of its own, `<name>-00000.warc.gz`, of crawl `crawl_id` (its name)."""
    files = WarcFiles(folder, name, 10**9, {"crawl-id": crawl_id or name})
    files.write(Exchange(url, when, "GET", [], b"", status, "HTTP/1.1", [(b"Content-Type", [b"text/html"])], body, None))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)


def test_an_archived_body_past_download_maxsize_is_read_by_no_command(tmp_path):
    """A record holding a page bigger than any a crawl reads (another tool's archive): `extract`
    and `reparse` refuse it as they refuse a saved page past DOWNLOAD_MAXSIZE, never parse it
    (some sixty times its size in memory)."""
    from crawler.settings import DOWNLOAD_MAXSIZE

    site = Site(10, seed=8)
    slug, when = site.question_slugs()[0], datetime(2026, 1, 1, tzinfo=timezone.utc)
    body = site.page(slug).body.replace(b"</body>", b"<!--" + b"x" * DOWNLOAD_MAXSIZE + b"--></body>")
    archive_page(tmp_path / "archive", "a-crawl", f"http://127.0.0.1:9/question/{slug}", when, body)
    extracted = cli("extract", tmp_path / "archive")
    assert extracted.returncode == 1 and not extracted.stdout, extracted.stdout[:300]
    assert "DOWNLOAD_MAXSIZE" in extracted.stderr and len(extracted.stderr.splitlines()) == 1, extracted.stderr
    reparsed = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert reparsed.returncode != 0 and row["questions"] == 0 and row["status"] == "failed", row


def test_a_later_block_page_or_error_under_another_url_of_a_question_does_not_undo_its_good_page(tmp_path):
    site = Site(10, seed=8)
    slug = site.question_slugs()[0]
    url, early = f"http://127.0.0.1:9/question/{slug}", datetime(2026, 1, 1, tzinfo=timezone.utc)
    archive_page(tmp_path / "archive", "a-crawl", url, early, site.page(slug).body)
    blocked = (SAMPLES / "blocked.html").read_bytes()
    archive_page(tmp_path / "archive", "b-crawl", url + "?ref=related", early + timedelta(days=1), blocked, 403)
    archive_page(tmp_path / "archive", "c-crawl", url + "/", early + timedelta(days=2), b"gone", 404)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert result.returncode == 0 and row["status"] == "finished", (row, result.stderr[-2000:])
    assert (row["questions"], row["pages_failed"], row["pages_blocked"]) == (1, 0, 1)


def test_a_block_page_then_a_redirect_to_the_good_page_is_one_question_read(tmp_path):
    """The failure and the good page are keyed by the URL the crawl asked for, not the one a
    redirect led to: the question was read, not blocked."""
    site = Site(10, seed=8)
    slug = site.question_slugs()[0]
    url, early = f"http://127.0.0.1:9/question/{slug}", datetime(2026, 1, 1, tzinfo=timezone.utc)
    archive_page(tmp_path / "archive", "a-crawl", url, early, (SAMPLES / "blocked.html").read_bytes(), 403)
    files = WarcFiles(tmp_path / "archive", "b-crawl", 10**9, {"crawl-id": "b-crawl"})
    files.write(Exchange(f"http://127.0.0.1:9/moved/question/{slug}", early + timedelta(seconds=5), "GET", [], b"",
                         200, "HTTP/1.1", [(b"Content-Type", [b"text/html"])], site.page(slug).body, None, url))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert result.returncode == 0 and (row["status"], row["questions"], row["pages_failed"]) == ("finished", 1, 0), row



@pytest.mark.parametrize("blocks, status", [(2, "finished"), (3, "blocked")])
def test_a_page_the_crawl_was_still_to_retry_is_not_one_it_gave_up_on(tmp_path, blocks, status):
    """A crawl stopped while a page waited for its retry had not given up on it: the archive's
    warcinfo says how often the crawl retried, and the reparse counts as the crawl did."""
    site = Site(10, seed=8)
    good, blocked = site.question_slugs()[:2]
    early = datetime(2026, 1, 1, tzinfo=timezone.utc)
    files = WarcFiles(tmp_path / "archive", "a-crawl", 10**9,
                      {"crawl-id": "a-crawl", "retry-times": "6", "block-retry-times": "2"})
    pages = [(good, 200, site.page(good).body)] + [(blocked, 403, (SAMPLES / "blocked.html").read_bytes())] * blocks
    for i, (slug, code, body) in enumerate(pages):
        files.write(Exchange(f"http://127.0.0.1:9/question/{slug}", early + timedelta(seconds=i), "GET", [], b"",
                             code, "HTTP/1.1", [(b"Content-Type", [b"text/html"])], body, None))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)
    cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert (row["status"], row["questions"], row["pages_failed"]) == (status, 1, blocks - 2), row

def test_an_archive_in_the_output_folder_itself(reference_site, tmp_path):
    site = reference_site(questions=20)
    result = crawl(site.url, "--out", tmp_path / "data", "--archive", tmp_path / "data", timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert warc_files(tmp_path / "data") and crawl_rows(tmp_path / "data")[0]["questions"] == 20


def test_a_question_answering_204_is_counted_as_the_crawl_counts_it(tmp_path):
    """The crawl's spider gets every 2xx: an empty 204 is an empty page there, tried again as a
    cut-off one is and lost once its tries are spent; no page of a new layout (malformed)."""
    url = "http://127.0.0.1:9/question/nothing-here"
    archive_page(tmp_path / "archive", "a-crawl", url, datetime(2026, 1, 1, tzinfo=timezone.utc), b"", 204)
    assert cli("reparse", tmp_path / "archive", "--out", tmp_path / "out").returncode == 1
    (row,) = crawl_rows(tmp_path / "out")
    assert (row["pages_malformed"], row["pages_truncated"], row["pages_failed"]) == (0, 0, 1), row


def _archive_crawl(folder: Path, exchanges: list) -> None:
    """One crawl's file (retrying nothing), of (url, status, headers, body, requested_url)."""
    files = WarcFiles(folder, "a-crawl", 10**9, {"crawl-id": "a-crawl", "retry-times": "0",
                                                 "block-retry-times": "0"})
    early = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i, (url, status, headers, body, asked) in enumerate(exchanges):
        files.write(Exchange(url, early + timedelta(seconds=i), "GET", [], b"", status, "HTTP/1.1",
                             [(b"Content-Type", [b"text/html"]), *headers], body, None, asked))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)


def _unread_check(row: dict) -> dict | None:
    return next((c for c in row["checks"] if c["name"] == "question_pages_unread"), None)


@pytest.mark.parametrize("lost", ["redirect loop", "redirect off the site", "undecodable body", "empty page"])
def test_a_reparse_ends_as_the_crawl_did_when_question_pages_gave_no_question(tmp_path, lost):
    """The question pages the crawl asked for and lost, whatever their archived answer, are
    asked and unread in the reparse too: its `question_pages_unread` check judges them and it
    ends `degraded` (exit status 4), as the crawl did; one question key however many captures."""
    site = Site(12, seed=8)
    base, (slug, *good) = "http://127.0.0.1:9/question/", site.question_slugs()
    url = base + slug
    exchanges = [(base + s, 200, [], site.page(s).body, None) for s in good]
    exchanges += {
        "redirect loop": [(url, 302, [(b"Location", [url.encode()])], b"", None if i == 0 else url) for i in range(3)],
        "redirect off the site": [(url, 302, [(b"Location", [b"http://127.0.0.1:8/x"])], b"", None)],
        "undecodable body": [(url, 200, [(b"Content-Encoding", [b"x-foo"])], site.page(slug).body, None)],
        "empty page": [(url, 200, [], b"", None)],
    }[lost]
    _archive_crawl(tmp_path / "archive", exchanges)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert (result.returncode, row["status"], row["questions"], row["pages_failed"]) == (4, "degraded", 11, 1), row
    check = _unread_check(row)
    assert check is not None and not check["passed"] and check["value"] == pytest.approx(1 / 12), row["checks"]
    assert "question_pages_unread" in row["message"]
    # the crawl fetched the good pages, the empty one; a redirect and an undecodable body it never received
    assert row["pages_fetched"] == 11 + (lost == "empty page"), row


def test_a_page_whose_rows_do_not_fit_is_no_question_read(tmp_path, monkeypatch):
    """As the crawl's pipeline counts it: malformed, and a question page asked and unread."""
    import crawler.reparse as reparse

    site = Site(12, seed=8)
    base, slugs = "http://127.0.0.1:9/question/", site.question_slugs()
    _archive_crawl(tmp_path / "archive", [(base + s, 200, [], site.page(s).body, None) for s in slugs])
    fits = reparse.check_page

    def check_page(rows):
        if rows["questions"][0]["url"].endswith(slugs[0]):
            raise ValueError("a date out of range")
        fits(rows)

    monkeypatch.setattr(reparse, "check_page", check_page)
    result = reparse.run_reparse([tmp_path / "archive"], tmp_path / "out", processes=1, stream=io.StringIO())
    (row,) = crawl_rows(tmp_path / "out")
    assert (result.status, row["questions"], row["pages_malformed"]) == ("degraded", 11, 1), row
    assert _unread_check(row)["value"] == pytest.approx(1 / 12), row["checks"]


def test_a_reparse_counts_questions_gone_redirected_or_read_twice_as_settled(tmp_path):
    """Settled as the crawl settles them: a 404 at the question's own URL (the site removed it),
    a redirect whose target answered, a question archived twice; the reparse finishes."""
    site = Site(12, seed=8)
    base, (gone, moved, *good) = "http://127.0.0.1:9/question/", site.question_slugs()
    exchanges = [(base + s, 200, [], site.page(s).body, None) for s in good]
    exchanges.append((base + good[0], 200, [], site.page(good[0]).body, None))  # a later capture of a page
    exchanges.append((base + gone, 404, [], b"not here", None))
    exchanges.append((base + moved, 301, [(b"Location", [f"{base}{moved}-new".encode()])], b"", None))
    exchanges.append((f"{base}{moved}-new", 200, [], site.page(moved).body, base + moved))
    _archive_crawl(tmp_path / "archive", exchanges)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert (result.returncode, row["status"], row["questions"]) == (0, "finished", 11), (row, result.stderr)
    check = _unread_check(row)
    assert check is not None and check["passed"] and check["value"] == 0, row["checks"]


def test_a_question_superseded_on_one_site_keeps_its_rows_on_another(tmp_path):
    """Keys are per site: a newer page of question Q on one host drops that host's older rows
    of Q, never another host's rows of the same question fetched at the same moment."""
    day0, day1 = Site(30, seed=8, day=0), Site(30, seed=8, day=30)
    slug = next(s for s in day0.question_slugs() if day0.page(s).body != day1.page(s).body)

    def page(site):  # no canonical link: each page is recorded under the host it came from
        return site.page(slug).body.replace(b'rel="canonical"', b'rel="x-canonical"')

    early = datetime(2026, 1, 1, tzinfo=timezone.utc)
    archive_page(tmp_path / "archive", "a-crawl", f"http://127.0.0.1:9/question/{slug}", early, page(day0))
    archive_page(tmp_path / "archive", "b-crawl", f"http://localhost:9/question/{slug}", early, page(day0))
    archive_page(tmp_path / "archive", "c-crawl", f"http://127.0.0.1:9/question/{slug}", early + timedelta(days=30),
                 page(day1))
    assert cli("reparse", tmp_path / "archive", "--out", tmp_path / "out").returncode == 0
    questions = load("questions", root=tmp_path / "out", latest=False)
    answers = load("answers", root=tmp_path / "out", latest=False)
    assert sorted(zip(questions["site"], questions["fetched_at"].dt.day)) == [("127.0.0.1:9", 31), ("localhost:9", 1)]
    assert len(answers[answers["site"] == "localhost:9"]) == len(truth_by_dataset(day0.truth(slug))["answers"])


def test_a_doctors_row_is_read_from_the_first_page_naming_them_in_the_newest_crawl(tmp_path):
    """As a crawl writes a doctor (from the first page that names them) and as the latest view
    keeps one (the newest crawl's): not from whichever archive file sorts first."""
    day0, day30 = Site(30, seed=8, day=0), Site(30, seed=8, day=30)
    doctor, (first, second, *_) = next((d, slugs) for d, slugs in _doctors_pages(day0).items() if len(slugs) > 1)
    early, late = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 31, tzinfo=timezone.utc)
    old, new = "20260101T000000Z-0ld0ld00", "20260131T000000Z-5ee5ee55"  # crawl ids start with their start

    def page(crawl_id, site, slug, when):
        archive_page(tmp_path / "archive", f"{crawl_id}-{slug}", f"http://127.0.0.1:9/question/{slug}", when,
                     site.page(slug).body, crawl_id=crawl_id)

    page(old, day0, first, early)
    page(old, day0, second, early)
    page(new, day30, second, late + timedelta(hours=1))
    page(new, day30, first, late)
    assert cli("reparse", tmp_path / "archive", "--out", tmp_path / "out").returncode == 0
    doctors = load("doctors", root=tmp_path / "out", latest=False)
    (fetched_at,) = doctors[doctors["doctor_id"] == doctor]["fetched_at"]
    assert fetched_at.to_pydatetime() == late


def test_a_doctors_row_of_a_resumed_crawl_fetched_last_beats_a_crawl_that_started_later(tmp_path):
    """A stateful crawl resumed days later keeps its first start, yet the rows it fetches then
    are the newest: the reparse keeps the row the latest view keeps (the one fetched last, by
    `winners`), not the one of the crawl that started last."""
    day0, day30 = Site(30, seed=8, day=0), Site(30, seed=8, day=30)
    doctor, (first, second, *_) = next((d, slugs) for d, slugs in _doctors_pages(day0).items() if len(slugs) > 1)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    resumed, between = "20260101T000000Z-a11a11a1", "20260103T000000Z-b22b22b2"

    def page(crawl_id, site, slug, when):
        archive_page(tmp_path / "archive", f"{crawl_id}-{slug}", f"http://127.0.0.1:9/question/{slug}", when,
                     site.page(slug).body, crawl_id=crawl_id)

    page(between, day0, first, start + timedelta(days=2))
    page(resumed, day30, second, start + timedelta(days=5))  # its first page naming the doctor
    page(resumed, day30, first, start + timedelta(days=5, hours=1))
    assert cli("reparse", tmp_path / "archive", "--out", tmp_path / "out").returncode == 0
    for latest in (False, True):
        doctors = load("doctors", root=tmp_path / "out", latest=latest)
        (fetched_at,) = doctors[doctors["doctor_id"] == doctor]["fetched_at"]
        assert fetched_at.to_pydatetime() == start + timedelta(days=5), latest


def test_a_doctors_row_is_never_read_from_a_capture_a_later_one_of_its_question_replaced(tmp_path):
    """A resumed crawl's archive holds pages fetched before a kill whose rows were never
    committed (fetched again after the resume): such an orphan is superseded by the question's
    later capture, so it is no doctor's source either; the doctor comes from the first page
    kept that names them, as the crawl wrote it."""
    day0 = Site(30, seed=8, day=0)
    doctor, (first, second, *_) = next((d, slugs) for d, slugs in _doctors_pages(day0).items() if len(slugs) > 1)
    start, crawl_id = datetime(2026, 1, 1, tzinfo=timezone.utc), "20260101T000000Z-a11a11a1"

    def page(slug, when, name):
        archive_page(tmp_path / "archive", f"{crawl_id}-{name}", f"http://127.0.0.1:9/question/{slug}", when,
                     day0.page(slug).body, crawl_id=crawl_id)

    page(first, start + timedelta(minutes=1), "orphan")  # fetched, then the run was killed
    page(second, start + timedelta(minutes=2), "second")  # committed after the resume
    page(first, start + timedelta(minutes=3), "refetch")  # the orphan's question, fetched again
    assert cli("reparse", tmp_path / "archive", "--out", tmp_path / "out").returncode == 0
    doctors = load("doctors", root=tmp_path / "out", latest=False)
    (fetched_at,) = doctors[doctors["doctor_id"] == doctor]["fetched_at"]
    assert fetched_at.to_pydatetime() == start + timedelta(minutes=2)


@pytest.mark.parametrize("layout, processes", [("warc.gz", 1), ("warc.gz", 2), ("warc", 1)])
def test_a_file_holding_two_crawls_credits_each_record_to_the_crawl_of_the_warcinfo_before_it(
        tmp_path, monkeypatch, layout, processes):
    """Two crawls' files joined into one (`cat day0.warc.gz day30.warc.gz`, or their records in
    one `.warc`): each record is of the crawl whose warcinfo comes before it, not the file's
    first one, so a doctor's row is the newest crawl's as when the files are given apart; a
    range read from the middle of the file (tiny chunks, two processes) knows the warcinfo in
    force there."""
    import gzip

    from crawler import reparse

    day0, day30 = Site(30, seed=8, day=0), Site(30, seed=8, day=30)
    doctor, (first, second, *_) = next((d, slugs) for d, slugs in _doctors_pages(day0).items() if len(slugs) > 1)
    early, late = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 31, tzinfo=timezone.utc)
    old, new = "20260101T000000Z-0ld0ld00", "20260131T000000Z-5ee5ee55"
    for crawl_id, site, when in ((old, day0, early), (new, day30, late)):
        files = WarcFiles(tmp_path / "parts", crawl_id, 10**9, {"crawl-id": crawl_id})
        for i, slug in enumerate((second, first) if crawl_id == new else (first, second)):
            files.write(Exchange(f"http://127.0.0.1:9/question/{slug}", when + timedelta(hours=i), "GET", [], b"",
                                 200, "HTTP/1.1", [(b"Content-Type", [b"text/html"])], site.page(slug).body, None))
        for tmp, final in files.end(ENDED):
            os.replace(tmp, final)
    joined = b"".join(part.read_bytes() for part in warc_files(tmp_path / "parts"))
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / f"all.{layout}").write_bytes(joined if layout == "warc.gz" else gzip.decompress(joined))
    monkeypatch.setattr(reparse, "CHUNK_BYTES", (2048, 2048))  # a range per gzip member or so
    with open(os.devnull, "w") as quiet:
        result = reparse.run_reparse([tmp_path / "archive"], out=tmp_path / "out", processes=processes, stream=quiet)
    assert result.status == "finished", result.stats.get("crawl/message")
    doctors = load("doctors", root=tmp_path / "out", latest=False)
    (fetched_at,) = doctors[doctors["doctor_id"] == doctor]["fetched_at"]
    assert fetched_at.to_pydatetime() == late  # the newest crawl's first page naming them
    truth = truth_by_dataset(day30.truth(second))["doctors"][doctor]
    (row,) = doctors[doctors["doctor_id"] == doctor].to_dict("records")
    assert (row["rating"], row["review_count"]) == (pytest.approx(truth["rating"]), truth["review_count"])


def _doctors_pages(site) -> dict[str, list[str]]:
    pages: dict[str, list[str]] = {}
    for slug in site.question_slugs():
        for doctor in truth_by_dataset(site.truth(slug))["doctors"]:
            pages.setdefault(doctor, []).append(slug)
    return pages


def test_a_reparse_of_an_archive_without_a_question_page_fails_and_says_so(tmp_path):
    files = WarcFiles(tmp_path / "archive", "a-crawl", 10**9, {"crawl-id": "a-crawl"})
    files.write(Exchange("http://127.0.0.1:9/robots.txt", datetime(2026, 1, 1, tzinfo=timezone.utc), "GET", [], b"",
                         200, "HTTP/1.1", [(b"Content-Type", [b"text/plain"])], b"User-agent: *\n", None))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "no question page found" in result.stderr, result.stderr[-2000:]
    (row,) = crawl_rows(tmp_path / "out")
    assert row["status"] == "failed" and row["message"] == "no question page found"
    extracted = cli("extract", tmp_path / "archive")  # nothing printed, and why
    assert extracted.returncode == 1 and extracted.stdout == ""
    assert "no question page in this archive" in extracted.stderr



def test_extract_of_a_file_without_a_question_page_beside_others_is_no_error(archived_crawl, tmp_path):
    """A crawl's file holding robots.txt, sitemaps or listings only (any small ARCHIVE_FILE_BYTES,
    a day that changed nothing) is no damage: silent in a folder, a warning when named itself;
    an error only when nothing given holds a question page."""
    archive = tmp_path / "archive"
    shutil.copytree(archived_crawl / "archive", archive)
    files = WarcFiles(tmp_path / "robots", "a-crawl", 10**9, {"crawl-id": "a-crawl"})
    files.write(Exchange("http://127.0.0.1:9/robots.txt", datetime(2026, 1, 1, tzinfo=timezone.utc), "GET", [], b"",
                         200, "HTTP/1.1", [(b"Content-Type", [b"text/plain"])], b"User-agent: *\n", None))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)
    (robots,) = warc_files(tmp_path / "robots")
    shutil.copy(robots, archive / robots.name)

    whole = cli("extract", archive)
    assert whole.returncode == 0 and "no question page" not in whole.stderr, whole.stderr[-2000:]
    named = cli("extract", archive / robots.name, warc_files(archived_crawl / "archive")[0])
    assert named.returncode == 0 and named.stdout, named.stderr[-2000:]
    (line,) = [line for line in named.stderr.splitlines() if "no question page" in line]
    assert line.startswith("doctor-answers extract: warning: ") and robots.name in line
    alone = cli("extract", archive / robots.name)
    assert alone.returncode == 1 and "error: " in alone.stderr and "no question page in this archive" in alone.stderr


def test_a_reparse_of_a_quiet_days_archive_counts_its_not_modified_pages_as_the_crawl_did(tmp_path):
    """An incremental crawl on a day nothing changed archives 304s: the crawl finished, and
    so does the reparse of its archive, counting the pages as not modified."""
    files = WarcFiles(tmp_path / "archive", "a-crawl", 10**9, {"crawl-id": "a-crawl"})
    for slug in ("a-question", "another-question"):
        files.write(Exchange(f"http://127.0.0.1:9/question/{slug}", datetime(2026, 1, 1, tzinfo=timezone.utc), "GET",
                             [(b"If-None-Match", [b'"v1"'])], b"", 304, "HTTP/1.1", [(b"ETag", [b'"v1"'])], b"", None))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = crawl_rows(tmp_path / "out")
    assert (row["status"], row["pages_not_modified"], row["pages_fetched"]) == ("finished", 2, 2), row

def test_reparse_refuses_paths_that_hold_no_archive(tmp_path):
    (tmp_path / "empty").mkdir()
    for args in ([tmp_path / "nope.warc.gz"], [tmp_path / "empty"]):
        result = cli("reparse", *args, "--out", tmp_path / "out")
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    (tmp_path / "file").write_text("x")
    assert cli("reparse", tmp_path / "empty", "--out", tmp_path / "file").returncode == 2
    assert cli("crawl", "http://127.0.0.1:9/", "--archive", tmp_path / "file").returncode == 2


def test_an_archive_folder_under_a_file_is_refused_in_one_line(reference_site, tmp_path):
    site = reference_site(questions=20)
    (tmp_path / "file").write_text("x")
    # As an option or a setting, a bad argument: exit 2, one line, nothing fetched or written.
    for how in (["--archive", tmp_path / "file" / "archive"], ["-s", f"ARCHIVE_DIR={tmp_path / 'file' / 'archive'}"]):
        refused = crawl(site.url, "--out", tmp_path / "data", *how)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert "which is a file" in refused.stderr.strip().splitlines()[-1]
    assert not site.hits and not (tmp_path / "data").exists()


# the recovery story: pages of a redesign the parsers did not know, read again from the archive

def recovery(tmp_path, serve, truth_path: Path, register) -> None:
    """Crawl `serve()`'s site with --archive: the redesigned pages are not recorded, but are in
    the archive; once the parsers learn the markup, reparse of the same archive (the site
    gone) gives every question of the truth."""
    url, stop, redesigned_paths = serve()
    try:
        result = crawl(url, "--out", tmp_path / "data", "--archive", tmp_path / "archive")
    finally:
        stop()
    (row,) = crawl_rows(tmp_path / "data")
    assert row["status"] == "degraded", result.stderr[-3000:]  # the redesigned pages fail the page-shape check
    recorded = {urlsplit(u).path for u in load("questions", root=tmp_path / "data", latest=False)["url"]}
    assert redesigned_paths and not recorded & redesigned_paths
    in_archive = {urlsplit(r.url).path for r in archived(tmp_path / "archive") if r.status == 200}
    assert redesigned_paths <= in_archive

    from crawler.pages import unregister
    from crawler.reparse import run_reparse

    family = register()
    try:
        with open(os.devnull, "w") as quiet:
            again = run_reparse([tmp_path / "archive"], out=tmp_path / "again", processes=2, stream=quiet)
    finally:
        unregister(family)
    assert again.status == "finished"
    truth = read_truth(truth_path)
    for record in truth["questions"].values():
        record.pop("drift", None)
    assert differences(truth, tmp_path / "again") == []


def test_pages_of_an_unknown_markup_are_recovered_by_reparse_once_a_parser_knows_it(tmp_path):
    site = Site(200, seed=9)
    server = None

    def serve():
        nonlocal server
        server = redesign.RedesignServer(site, share=0.3)
        with open(tmp_path / "truth.jsonl", "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in server.truth())
        return server.url, server.stop, {f"/question/{slug}" for slug in server.slugs}

    recovery(tmp_path, serve, tmp_path / "truth.jsonl", redesign.register)


def _site_has_drift() -> bool:
    return "drift" in inspect.signature(start_in_thread).parameters


@pytest.mark.skipif(not _site_has_drift(), reason="the reference site has no --drift yet")
def test_the_reference_sites_redesign_is_recovered_by_reparse_once_a_parser_knows_it(tmp_path):
    def serve():
        site = start_in_thread(questions=200, seed=9, truth=str(tmp_path / "truth.jsonl"), drift="family=0.3")
        drifted = {f"/question/{s}" for s in site.site.question_slugs() if "family" in site.site.drift_of(s)}
        return site.url, site.stop, drifted

    def register():
        return redesign.register(family="thread", parser=redesign.parse_thread, marker="//main[@data-thread-id]")

    recovery(tmp_path, serve, tmp_path / "truth.jsonl", register)


def test_other_tools_layouts_read_the_same_uncompressed_or_gzipped_whole(archived_crawl, tmp_path):
    import gzip

    (original,) = warc_files(archived_crawl / "archive")
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(original.read_bytes()))
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    expected = list(responses(original))
    assert list(responses(plain)) == expected and list(responses(whole)) == expected
    assert chunks(whole, 1000) == [(0, None)] and chunks(plain, 1000) == [(0, None)]


def _damaged_copy(original: Path, folder: Path) -> tuple[Path, str]:
    """A copy of an archive file with the middle of one question page's record overwritten
    (a disk error, a bad copy); the URL of that page."""
    with open(original, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type == "response" and "/question/" in record.rec_headers.get_header("WARC-Target-URI"):
                url, offset = record.rec_headers.get_header("WARC-Target-URI"), records.get_record_offset()
                record.content_stream().read()
                records.read_to_end(record)
                length = records.get_record_length()
                if length > 400:
                    break
    data = bytearray(original.read_bytes())
    middle = offset + length // 2
    data[middle:middle + 64] = bytes(64)
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / original.name
    copy.write_bytes(bytes(data))
    return copy, url


def test_a_damaged_record_costs_its_page_only_in_reader_reparse_and_extract(archived_crawl, tmp_path):
    (original,) = warc_files(archived_crawl / "archive")
    copy, lost = _damaged_copy(original, tmp_path / "damaged")
    damage = []
    read = list(responses(copy, on_damage=lambda offset, error: damage.append(offset)))
    assert len(damage) == 1
    assert read == [r for r in responses(original) if r.url != lost]
    with pytest.raises(Exception):
        list(responses(copy))  # no one to report to: the damage is raised

    result = cli("reparse", copy, "--out", tmp_path / "out", "--processes", 2)
    assert result.returncode == 4, result.stderr[-2000:]
    assert result.stderr.count("damaged record at byte") == 1, result.stderr
    row = reparse_row(tmp_path / "out")
    log = (tmp_path / "out" / "logs" / f"{row['crawl_id']}.log").read_text()  # "(see the log)", as a crawl's
    assert "damaged record at byte" in log and "quality checks failed: damaged_archive_records 1" in log
    assert row["status"] == "degraded" and "damaged_archive_records 1" in row["message"]
    assert row["questions"] == 149
    lost_path = urlsplit(lost).path
    assert {r for r in rows(tmp_path / "out", "questions") if dict(r)["url"].endswith(lost_path)} == set()

    printed = cli("extract", copy)
    assert printed.returncode == 1
    (line,) = printed.stderr.splitlines()
    assert line.startswith(f"doctor-answers extract: error: {copy}: damaged record at byte {damage[0]}, passed over (")
    assert len({json.loads(line)["question_id"] for line in printed.stdout.splitlines()
                if json.loads(line)["type"] == "question"}) == 149


def test_archives_cut_short_or_not_warc_say_so_in_the_outcome(archived_crawl, tmp_path):
    (original,) = warc_files(archived_crawl / "archive")
    cut = tmp_path / "cut" / original.name
    cut.parent.mkdir()
    cut.write_bytes(original.read_bytes()[:original.stat().st_size * 2 // 3])
    result = cli("reparse", cut, "--out", tmp_path / "cut-out", "--processes", 1)
    assert result.returncode == 4, result.stderr[-2000:]
    row = reparse_row(tmp_path / "cut-out")
    assert row["status"] == "degraded" and 0 < row["questions"] < 150
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(bytes(range(256)) * 40)
    result = cli("reparse", junk, "--out", tmp_path / "junk-out")
    assert result.returncode == 1
    row = reparse_row(tmp_path / "junk-out")
    assert row["status"] == "failed" and "no HTTP response in the archives" in row["message"]
    assert all(len(line) < 400 for line in result.stderr.splitlines())  # no dump of the junk


def test_a_reparse_replaces_the_rows_of_the_pages_it_read_but_never_a_later_crawls_newer_row(archived_crawl, tmp_path):
    """The latest view keeps the newest fetch: the reparse's rows, fetched when the archived
    crawl's were, win that tie (the later parse); a crawl that fetched a question later keeps it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.crawls import Outcome, crawl_row, write_crawl_row
    from pipelines.schemas import SCHEMAS

    root = tmp_path / "data"
    shutil.copytree(archived_crawl / "data", root)
    later = datetime.now(timezone.utc)  # a crawl run without --archive, after every archived page
    later_id = "20991231T000000Z-later"
    newer = load("questions", root=root).iloc[0].to_dict()
    newer.update(crawl_id=later_id, fetched_at=later, title="fetched later")
    folder = root / "questions" / f"crawl_date={later:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([newer], schema=SCHEMAS["questions"]), folder / f"{later_id}-00000.parquet")
    write_crawl_row(root, f"{later:%Y-%m-%d}", crawl_row(
        crawl_id=later_id, spider="questions", started_at=later - timedelta(days=30), finished_at=later,
        outcome=Outcome("finished", None),
        start_urls=["http://127.0.0.1:9/"], stats={}, written={}, version="test"))
    result = cli("reparse", archived_crawl / "archive", "--out", root)
    assert result.returncode == 0, result.stderr[-2000:]
    reparse_id = reparse_row(root)["crawl_id"]
    latest = load("questions", root=root)
    by_crawl = latest.groupby("crawl_id")["question_id"].count().to_dict()
    assert by_crawl == {reparse_id: 149, later_id: 1}
    assert latest[latest["crawl_id"] == later_id]["title"].tolist() == ["fetched later"]
    assert current_buckets(root) is not None  # the reparse's rewritten row is the one its view names


def _die(task):
    """A reparse process killed while it reads (the OOM killer, say)."""
    os.kill(os.getpid(), signal.SIGKILL)


def _bug(task):
    raise ValueError("a bug\nof two lines")


@pytest.mark.parametrize("read_chunk, processes, words", [
    (_die, 2, "a reparse process died"), (_bug, 1, "reparse stopped by an error (ValueError: a bug of two lines)")])
def test_a_reparse_whose_process_dies_fails_in_words_and_writes_nothing(archived_crawl, tmp_path, monkeypatch,
                                                                       read_chunk, processes, words):
    from crawler import reparse

    monkeypatch.setattr(reparse, "read_chunk", read_chunk)
    with open(os.devnull, "w") as quiet:
        result = reparse.run_reparse([archived_crawl / "archive"], out=tmp_path / "out", processes=processes, stream=quiet)
    assert result.status == "failed" and words in result.stats["crawl/message"]
    (row,) = crawl_rows(tmp_path / "out")
    assert row["status"] == "failed" and row["questions"] == 0
    assert [p for name in ("questions", "answers", "doctors") for p in (tmp_path / "out" / name).rglob("*")
            if p.is_file()] == []
    assert [p for p in (tmp_path / "out").rglob(".*") if p.is_file()] == []


def test_a_crawl_starting_in_a_reparses_folder_leaves_its_files_alone(archived_crawl, tmp_path, monkeypatch):
    """A reparse holds a crawl's lock in its --out: a crawl starting there meanwhile (which
    removes the temporary files of dead crawls) takes it for a live one."""
    from crawler import reparse
    from pipelines.output.running import remove_dead_temporaries

    commit = reparse.Reparse.commit

    def a_crawl_starts_first(self):
        self.seal()
        assert remove_dead_temporaries(self.root, "another-crawl") == 0
        return commit(self)

    monkeypatch.setattr(reparse.Reparse, "commit", a_crawl_starts_first)
    with open(os.devnull, "w") as quiet:
        result = reparse.run_reparse([archived_crawl / "archive"], out=tmp_path / "out", processes=1, stream=quiet)
    assert result.status == "finished"
    (row,) = crawl_rows(tmp_path / "out")
    assert row["answers"] == len(load("answers", root=tmp_path / "out", latest=False)) > 0
    assert list((tmp_path / "out").glob(".*.running")) == []  # released at the end


def test_a_reparse_whose_sealed_file_went_away_publishes_none_of_its_files(archived_crawl, tmp_path, monkeypatch):
    from crawler import reparse

    commit = reparse.Reparse.commit

    def one_file_removed_first(self):
        self.seal()
        self.sealed["answers"][0][0].unlink()
        return commit(self)

    monkeypatch.setattr(reparse.Reparse, "commit", one_file_removed_first)
    with open(os.devnull, "w") as quiet:
        result = reparse.run_reparse([archived_crawl / "archive"], out=tmp_path / "out", processes=1, stream=quiet)
    assert result.status == "failed" and "went away before its commit" in result.stats["crawl/message"]
    (row,) = crawl_rows(tmp_path / "out")
    assert row["questions"] == 0
    assert [p for name in ("questions", "answers", "doctors") for p in (tmp_path / "out" / name).rglob("*")
            if p.is_file()] == []


def test_a_reparse_stopped_by_sigterm_ends_interrupted_and_leaves_no_process(archived_crawl, tmp_path):
    """A service manager's stop (SIGTERM to the reparse alone): the crawls row says
    `interrupted`, exit 130, and its pool's processes end with it (they were orphans)."""
    import shutil

    copies = tmp_path / "copies"
    copies.mkdir()
    for n in range(12):  # enough pages to be stopped halfway
        for f in warc_files(archived_crawl / "archive"):
            shutil.copy(f, copies / f"{n}-{f.name}")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "crawler.cli", "reparse", str(copies), "--out", str(out), "--processes", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(_children(process.pid, b"crawler.cli")) == 2, what="the reparse's two processes")
        workers = _children(process.pid, b"crawler.cli")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, stderr[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and row["questions"] == 0
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), what="the pool's processes to end")


def test_a_start_url_that_failed_fails_the_reparse_check_as_it_failed_the_crawls(reference_site, tmp_path):
    """The archive says what the crawl was started on: a start URL that gave nothing is the
    same `start_urls_failed` in the reparse's row (its status was `finished`)."""
    site = reference_site(questions=20)
    missing = f"{site.url}question/no-such-question"
    result = crawl(site.url, missing, "--out", tmp_path / "data", "--archive", tmp_path / "archive")
    assert result.returncode == 4, result.stderr[-2000:]
    again = cli("reparse", tmp_path / "archive", "--out", tmp_path / "again")
    assert again.returncode == 4, again.stderr[-2000:]
    (live,), row = crawl_rows(tmp_path / "data"), reparse_row(tmp_path / "again")
    assert live["status"] == row["status"] == "degraded"
    assert "start_urls_failed 1" in live["message"] and "start_urls_failed 1" in row["message"]


def test_a_crawls_archive_files_are_its_by_their_whole_name(tmp_path):
    # Crawl nightly, failing, removes its own temporary files, never those of nightly-2 beside it.
    from crawler.archive.files import next_sequence, temporary_files

    for name in (".nightly-2-00000.warc.gz.tmp", "nightly-2-00004.warc.gz", ".nightly-00001.warc.gz.tmp"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in temporary_files(tmp_path, "nightly")] == [".nightly-00001.warc.gz.tmp"]
    assert next_sequence(tmp_path, "nightly") == 2


def _full_at(calls: list, fail: set, real):
    """write_table, failing with ENOSPC on the calls numbered in `fail` (1, 2, ...)."""
    def write_table(path, table):
        calls.append(path)
        if len(calls) in fail:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, table)
    return write_table


def _view_fails(root, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("fail, view_fails, status, row_status, words", [
    # the row cannot be written: not committed, whatever was decided before
    ({1}, False, "failed", None, "not committed"),
    # the view is not updated, and the row cannot be rewritten to say why: it said so already
    ({2}, True, "degraded", "degraded", "could not be rewritten with why the view is behind"),
    # the view is updated, and the row cannot be rewritten as finished: it stays degraded, and says why
    ({2}, False, "degraded", "degraded", "was updated, but the crawls row could not be rewritten as finished"),
    ({3}, False, "finished", "finished", None),  # two writes only: nothing fails
])
def test_a_reparse_whose_crawls_row_meets_a_full_disk_tells_what_its_row_says(
        archived_crawl, tmp_path, monkeypatch, fail, view_fails, status, row_status, words):
    """The exit status and the row of a reparse agree, whichever of its row's writes fails:
    never a `finished` row for a failed or degraded reparse, never a reparse said committed
    without a row."""
    from crawler import reparse
    from pipelines import crawls
    from pipelines.output import latest

    calls = []
    monkeypatch.setattr(crawls, "write_table", _full_at(calls, fail, crawls.write_table))
    if view_fails:
        monkeypatch.setattr(latest, "update_latest", _view_fails)
    out = tmp_path / "out"
    stream = io.StringIO()
    result = reparse.run_reparse([archived_crawl / "archive"], out=out, processes=1, stream=stream)
    assert result.status == status, stream.getvalue()
    rows_written = crawl_rows(out)
    assert [row["status"] for row in rows_written] == ([row_status] if row_status else [])
    if words:
        assert words in result.stats["crawl/message"] and "No space left on device" in result.stats["crawl/message"]
        assert "free space there" in result.stats["crawl/message"]
        assert words in stream.getvalue()
    if row_status is None:
        assert load("questions", root=out).empty and load("questions", root=out, latest=False).empty
    assert len(calls) == (1 if 1 in fail else 2)  # a finished reparse writes its row, then says `finished`


def _gzip_members(path: Path) -> list[bytes]:
    """The inflated bytes of each gzip member of a file (a record each in ours)."""
    import zlib

    data, members = path.read_bytes(), []
    while data:
        member = zlib.decompressobj(31)
        members.append(member.decompress(data))
        data = member.unused_data
    return members


def _whole_cut(original: Path, folder: Path) -> tuple[Path, range]:
    import gzip

    whole = gzip.compress(b"".join(_gzip_members(original)), mtime=0)
    path = folder / "whole.warc.gz"
    path.write_bytes(whole[:len(whole) * 99 // 100])
    return path, range(145, 151)  # the records before the break


def _first_member_changed(original: Path, folder: Path) -> tuple[Path, list]:
    data = bytearray(original.read_bytes())
    data[0:2] = b"\0\0"  # its gzip magic gone: the file is still read member by member
    path = folder / original.name
    path.write_bytes(bytes(data))
    return path, [150]


def _uri_no_url(original: Path, folder: Path) -> tuple[Path, list]:
    import gzip

    members = _gzip_members(original)
    at = next(i for i, m in enumerate(members) if m.startswith(b"WARC/") and b"WARC-Type: response" in m[:2000]
              and b"/question/" in m[:2000].split(b"WARC-Target-URI: ", 1)[1].split(b"\r\n", 1)[0])
    head, _, rest = members[at].partition(b"\r\n\r\n")
    head = b"\r\n".join(b"WARC-Target-URI: http://[::1/question/x" if line.startswith(b"WARC-Target-URI:") else line
                        for line in head.split(b"\r\n"))
    members[at] = head + b"\r\n\r\n" + rest
    path = folder / original.name
    path.write_bytes(b"".join(gzip.compress(m, mtime=0) for m in members))
    return path, [149]


@pytest.mark.parametrize("damaged", [_whole_cut, _first_member_changed, _uri_no_url])
def test_reparse_and_extract_read_and_name_the_same_records_of_a_damaged_archive(archived_crawl, tmp_path, damaged):
    """Whatever the damage (a file gzipped whole cut short, a first gzip member that does not
    inflate, a field no rule can read), what can be read is, by both, and both say the same."""
    (original,) = warc_files(archived_crawl / "archive")
    (tmp_path / "in").mkdir()
    path, questions = damaged(original, tmp_path / "in")  # (the questions it can hold)
    result = cli("reparse", path, "--out", tmp_path / "out", "--processes", 1)
    assert result.returncode == 4, result.stderr[-2000:]
    row = reparse_row(tmp_path / "out")
    assert row["status"] == "degraded" and row["questions"] in questions, row["message"]
    said = [line.partition(f"{path}: ")[2] for line in result.stderr.splitlines() if f"{path}: " in line]
    assert len(said) == 1 and "Error" not in said[0], result.stderr[-2000:]
    printed = cli("extract", path)
    assert printed.returncode == 1
    assert printed.stderr.splitlines() == [f"doctor-answers extract: error: {path}: {said[0]}"]
    assert len({json.loads(line)["question_id"] for line in printed.stdout.splitlines()
                if json.loads(line)["type"] == "question"}) == row["questions"]


def test_an_empty_archive_file_is_named_by_reparse_as_by_extract(archived_crawl, tmp_path):
    (original,) = warc_files(archived_crawl / "archive")
    (tmp_path / "in").mkdir()
    shutil.copy(original, tmp_path / "in" / original.name)
    (tmp_path / "in" / "empty.warc.gz").write_bytes(b"")  # a copy that failed, a file a full disk emptied
    result = cli("reparse", tmp_path / "in", "--out", tmp_path / "out", "--processes", 1)
    assert result.returncode == 4, result.stderr[-2000:]
    (line,) = [line for line in result.stderr.splitlines() if "empty.warc.gz" in line]
    assert line.endswith("empty.warc.gz: unreadable: no WARC record in it (an empty file, or a copy cut to nothing?)")
    row = reparse_row(tmp_path / "out")
    assert row["status"] == "degraded" and row["questions"] == 150 and "damaged_archive_records 1" in row["message"]
    printed = cli("extract", tmp_path / "in" / "empty.warc.gz")
    assert printed.returncode == 1 and printed.stderr.strip() == f"doctor-answers extract: error: {line.split(': ', 1)[1]}"


def test_a_reparse_counts_a_question_page_saying_it_was_removed_as_gone(tmp_path):
    """A question page served 200 whose title and heading say the question was removed (a
    soft 404) is gone, as the crawl settles it: no page of an unknown layout, the reparse finishes."""
    site = Site(12, seed=8)
    base, (removed, *good) = "http://127.0.0.1:9/question/", site.question_slugs()
    exchanges = [(base + s, 200, [], site.page(s).body, None) for s in good]
    exchanges.append((base + removed, 200, [],
                      b"<!DOCTYPE html><html><head><title>Question removed | RealSelf</title></head><body><main>"
                      b"<h1>This question has been removed</h1><p>Browse other questions.</p></main></body></html>", None))
    _archive_crawl(tmp_path / "archive", exchanges)
    result = cli("reparse", tmp_path / "archive", "--out", tmp_path / "out")
    (row,) = crawl_rows(tmp_path / "out")
    assert (result.returncode, row["status"], row["questions"]) == (0, "finished", 11), (row, result.stderr)
    assert row["pages_malformed"] == 0 and _unread_check(row)["value"] == 0, row["checks"]
