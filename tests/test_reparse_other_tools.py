"""`reparse` and `extract` of archives shaped as other tools shape them (issue 15): what a
browser or `wget -p` fetched beside the pages, revisit records, an uncompressed copy beside a
file, a damaged uncompressed file, start URLs a crawl percent-encoded."""
from __future__ import annotations

import gzip
import io
import os
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import reparse
from crawler.archive import description, start_urls_of
from crawler.archive.files import Exchange, WarcFiles
from crawler.extract import extract_paths
from pipelines.loader import load
from reference_site.site import Site
from tests.crawling import crawl_rows

HOST = "http://127.0.0.1:9"
DAY0 = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
# A crawl that ran to its end, as its archive closes it (WarcFiles.end)
ENDED = {"status": "finished", "ended_at": "2026-11-01T12:00:00.000000Z"}


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Theirs:
    """A WARC file written by another tool (through warcio): no crawl-id, digests in every record."""

    def __init__(self, path: Path, gz: bool = True):
        self.stream = open(path, "wb")
        self.writer = WARCWriter(self.stream, gzip=gz, warc_version="WARC/1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, {"software": "another tool"}))

    def response(self, url: str, body: bytes, when: datetime = DAY0, status: str = "200 OK",
                 content_type: str = "text/html; charset=utf-8"):
        record = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": warc_date(when)})
        self.writer.write_record(record)
        return record

    def revisit(self, url: str, when: datetime, digest: str, profile: str | None = None, status: str = "200 OK"):
        record = self.writer.create_revisit_record(
            url, digest, url, warc_date(DAY0),
            http_headers=StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": warc_date(when)})
        if profile:
            record.rec_headers.replace_header("WARC-Profile", profile)
        self.writer.write_record(record)

    def close(self):
        self.stream.close()


def run(paths, out: Path, processes: int = 1):
    stream = io.StringIO()
    result = reparse.run_reparse(paths, out=out, processes=processes, stream=stream)
    (row,) = [r for r in crawl_rows(out) if r["crawl_id"] == result.crawl_id]
    return result, row, stream.getvalue()


def pages(n: int) -> list[tuple[str, bytes]]:
    site = Site(n, seed=8)
    return [(f"{HOST}/question/{slug}", site.page(slug).body) for slug in site.question_slugs()]


ASSETS = [("/static/site.css", b"body { color: red }", "text/css"),
          ("/static/app.js", b"window.x = 1;", "application/javascript"),
          ("/static/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
          ("/api/votes.json", b'{"votes": 3}', "application/json"),
          ("/about", b"<html><body><p>About us, cut off in the midd", "text/html")]


def test_what_a_browser_fetched_beside_the_pages_is_no_page_of_the_reparse(tmp_path):
    """CSS, scripts, images, JSON, other pages (whole or not, 2xx or errors): no crawl asks
    for them, so none is a page fetched, failed or cut off; only the question pages count,
    as `extract` reads them."""
    questions = pages(4)
    theirs = Theirs(tmp_path / "a.warc.gz")
    for url, body in questions:
        theirs.response(url, body)
        for path, asset, kind in ASSETS:
            theirs.response(f"{HOST}{path}?for={url[-8:]}", asset, content_type=kind)
        theirs.response(f"{HOST}/favicon.ico", b"not here", status="404 Not Found")
    theirs.close()
    result, row, said = run([tmp_path / "a.warc.gz"], tmp_path / "out")
    assert (row["status"], row["questions"], row["pages_truncated"], row["pages_failed"]) == ("finished", 4, 0, 0), said
    assert (row["responses"], row["pages_fetched"]) == (4, 4)
    assert result.stats["reparse/other_responses"] == 4 * (len(ASSETS) + 1)
    assert extract_paths([tmp_path / "a.warc.gz"], out=io.BytesIO(), err=io.StringIO()) == 0


def test_an_archive_of_other_responses_only_says_so(tmp_path):
    theirs = Theirs(tmp_path / "a.warc.gz")
    for path, asset, kind in ASSETS:
        theirs.response(f"{HOST}{path}", asset, content_type=kind)
    theirs.close()
    _, row, _ = run([tmp_path / "a.warc.gz"], tmp_path / "out")
    assert row["status"] == "failed"
    assert "5 responses, none to a question page, sitemap or listing" in row["message"]


@pytest.mark.parametrize("urls", [
    ["http://h/questions/botox?x=a b", "http://h/question/café-x"],
    ["http://h/questions/a,b", "http://h/q?x=\"quoted\"", "http://h/tab\there", "http://h/new\nline"],
    [],
])
def test_start_urls_come_back_from_the_warcinfo_as_they_were_given(urls):
    assert start_urls_of(description(urls)) == tuple(urls)


def test_start_urls_of_earlier_archives_are_read_too():
    assert start_urls_of("doctor-answers crawl of http://h/ http://h/questions/x") == ("http://h/", "http://h/questions/x")
    assert start_urls_of("made by hand") == ()


def test_start_urls_given_with_spaces_or_non_ascii_are_matched_as_the_crawl_requested_them(tmp_path):
    """The crawl requested (and archived) a start URL percent-encoded, as Scrapy sends it: its
    reparse finds the start URL answered, as the crawl did."""
    from w3lib.url import safe_url_string

    url, body = pages(1)[0]
    listing = f"{HOST}/questions/café?x=a b,c"
    starts = [listing, url + "?ref=a b"]
    files = WarcFiles(tmp_path / "archive", "a-crawl", 10**9, {"crawl-id": "a-crawl", "description": description(starts)})
    listing_page = b"<html><body><a href='/question/x'>x</a></body></html>"
    for at, page in ((safe_url_string(listing), listing_page), (url, body)):
        files.write(Exchange(at, DAY0, "GET", [], b"", 200, "HTTP/1.1", [(b"Content-Type", [b"text/html"])], page, None))
    for tmp, final in files.end(ENDED):
        os.replace(tmp, final)
    result, row, said = run([tmp_path / "archive"], tmp_path / "out")
    assert (row["status"], row["questions"]) == ("finished", 1), said
    assert not result.stats.get("crawl/start_url_errors")


def test_revisit_records_are_read_as_what_they_stand_for(tmp_path):
    """A revisit of a 304 (server-not-modified) counts as the 304 would; an unchanged refetch
    (identical-payload-digest) is its original's page fetched at the revisit's date, wherever
    in the archives that original is; one whose payload is in none of them is not modified."""
    (refetched, body), (unchanged, _), (elsewhere, _) = pages(3)
    first = Theirs(tmp_path / "a-day0.warc.gz")
    digest = first.response(refetched, body).rec_headers.get_header("WARC-Payload-Digest")
    first.close()
    later = Theirs(tmp_path / "b-day1.warc")  # another file, uncompressed
    later.revisit(refetched, DAY0 + timedelta(days=1), digest)
    later.revisit(unchanged, DAY0 + timedelta(days=1), "sha1:" + "A" * 32,
                  profile="http://netpreserve.org/warc/1.1/revisit/server-not-modified", status="304 Not Modified")
    later.revisit(elsewhere, DAY0 + timedelta(days=1), "sha1:" + "B" * 32)
    later.close()
    result, row, said = run([tmp_path], tmp_path / "out")
    assert (row["status"], row["questions"], row["pages_not_modified"]) == ("finished", 1, 2), said
    (fetched_at,) = load("questions", root=tmp_path / "out", latest=False)["fetched_at"]
    assert fetched_at.to_pydatetime() == DAY0 + timedelta(days=1)
    assert "1 revisit records name a payload that is in none of the archives" in said
    assert result.stats["reparse/revisits_unresolved"] == 1


def _ours(folder: Path, questions) -> Path:
    files = WarcFiles(folder, "20261101T120000Z-0a0a0a0a", 10**9, {"crawl-id": "20261101T120000Z-0a0a0a0a"})
    for i, (url, body) in enumerate(questions):
        files.write(Exchange(url, DAY0 + timedelta(seconds=i), "GET", [], b"", 200, "HTTP/1.1",
                             [(b"Content-Type", [b"text/html"])], body, None))
    ((tmp, final),) = files.end(ENDED)
    os.replace(tmp, final)
    return final


def test_an_uncompressed_copy_beside_the_file_is_read_once(tmp_path):
    questions = pages(3)
    original = _ours(tmp_path / "archive", questions)
    copy = original.with_name(original.name[:-3])  # `gunzip -k`
    copy.write_bytes(gzip.decompress(original.read_bytes()))
    result, row, said = run([tmp_path / "archive"], tmp_path / "out")
    assert (row["questions"], row["responses"], row["pages_fetched"]) == (3, 3, 3)
    assert f"{copy} is a copy of {original}: read once" in said


def test_a_file_repeating_some_records_of_another_reads_each_record_once(tmp_path):
    questions = pages(4)
    original = _ours(tmp_path / "archive", questions[:3])
    data = gzip.decompress(original.read_bytes())
    extra = _ours(tmp_path / "extra", questions[3:])  # a fourth page, in a file of its own
    first = data.index(b"WARC/1.1", data.index(b"WARC/1.1", 1) + 1)  # the warcinfo, the first response
    second_response = data.index(b"WARC-Type: response", first + 20)
    repeated = data[:data.rfind(b"WARC/1.1", 0, second_response)]  # warcinfo, response 1, request 1
    extra_records = gzip.decompress(extra.read_bytes())
    (tmp_path / "archive" / "more.warc").write_bytes(repeated + extra_records[extra_records.index(b"WARC/1.1", 1):])
    result, row, said = run([tmp_path / "archive"], tmp_path / "out")
    assert (row["questions"], row["responses"]) == (4, 4), said
    assert "more.warc repeats 3 records of" in said


def _crawl_file(folder: Path, crawl_id: str, questions, start: datetime) -> Path:
    files = WarcFiles(folder, crawl_id, 10**9, {"crawl-id": crawl_id})
    for i, (url, body) in enumerate(questions):
        files.write(Exchange(url, start + timedelta(seconds=i), "GET", [], b"", 200, "HTTP/1.1",
                             [(b"Content-Type", [b"text/html"])], body, None))
    ((tmp, final),) = files.end(ENDED)
    os.replace(tmp, final)
    return final


def _members(path: Path) -> list[bytes]:
    """The gzip members of a file gzipped record by record, compressed, one record each."""
    data, members = path.read_bytes(), []
    while data:
        inflate = zlib.decompressobj(31)
        inflate.decompress(data)
        members.append(data[:len(data) - len(inflate.unused_data)])
        data = inflate.unused_data
    return members


def _dataset_rows(root: Path) -> dict:
    return {name: sorted(map(repr, load(name, root=root, latest=False).drop(columns=["crawl_id"]).to_dict("records")))
            for name in ("questions", "answers", "doctors")}


# How records of two files (a day-0 crawl `a`, a day-1 crawl `b` of other pages) are held in
# more files that open otherwise: {file name: its bytes}, of the members of a and b.
_OVERLAPS = {
    "joined beside its parts": lambda a, b: {"all.warc.gz": b"".join(a + b)},  # cat a b > all
    "a copy without its warcinfo": lambda a, b: {"a-responses.warc.gz": b"".join(a[1:])},
    "a copy without its head": lambda a, b: {"a-tail.warc.gz": b"".join(a[4:])},
    "a copy without its head, read first": lambda a, b: {"0-tail.warc.gz": b"".join(a[4:])},
    "a file holding its records twice": lambda a, b: {"a-twice.warc.gz": b"".join(a + a)},
    "the tail of a file joined to another": lambda a, b: {"mixed.warc.gz": b"".join(b + a[4:])},
}


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("overlap", _OVERLAPS)
def test_records_held_in_files_that_open_otherwise_are_read_once_and_said_once(tmp_path, monkeypatch, overlap,
                                                                                processes):
    """Each record is read once, by its WARC-Record-ID, whichever files hold it and wherever
    in them (files read in ranges of a gzip member or so, by one process or two): the crawls
    row, the rows (a doctor's fetched_at too) are those of the files read alone, and each file
    that repeats records is said once; `extract` prints each page once, and says the same."""
    monkeypatch.setattr(reparse, "CHUNK_BYTES", (2048, 2048))
    questions = pages(6)
    alone = tmp_path / "alone"
    a = _crawl_file(alone, "20261101T120000Z-0a0a0a0a", questions[:4], DAY0)
    b = _crawl_file(alone, "20261102T120000Z-0b0b0b0b", questions[4:], DAY0 + timedelta(days=1))
    _, expected, _ = run([alone], tmp_path / "out-alone")
    folder = tmp_path / "archive"
    folder.mkdir()
    made = _OVERLAPS[overlap](_members(a), _members(b))
    for path in (a, b):
        (folder / path.name).write_bytes(path.read_bytes())
    if "twice" in overlap:  # the file alone, holding each of its records twice
        (folder / a.name).unlink()
    for name, data in made.items():
        (folder / name).write_bytes(data)
    result, row, said = run([folder], tmp_path / "out", processes)
    counts = ("status", "questions", "answers", "doctors", "responses", "pages_fetched")
    assert [row[k] for k in counts] == [expected[k] for k in counts], said
    assert _dataset_rows(tmp_path / "out") == _dataset_rows(tmp_path / "out-alone")
    warned = [line.partition("reparse: ")[2] for line in said.splitlines() if line.endswith("read once")]
    subjects = [line.split(" is a copy of ")[0].split(" repeats ")[0] for line in warned]
    assert len(set(subjects)) == len(subjects) and all(str(folder / name) in " ".join(warned) for name in made), said
    printed, err = io.BytesIO(), io.StringIO()
    assert extract_paths([folder], out=printed, err=err) == 0, err.getvalue()
    assert printed.getvalue().count(b'"type":"question"') == 6
    assert err.getvalue().splitlines() == [f"doctor-answers extract: warning: {line}" for line in warned]


def test_extract_prints_the_pages_of_a_copy_beside_the_file_once_and_says_so(tmp_path):
    questions = pages(3)
    original = _ours(tmp_path / "archive", questions)
    copy = original.with_name(original.name[:-3])  # `gunzip -k`
    copy.write_bytes(gzip.decompress(original.read_bytes()))
    printed, err = io.BytesIO(), io.StringIO()
    assert extract_paths([tmp_path / "archive"], out=printed, err=err) == 0
    assert printed.getvalue().count(b'"type":"question"') == 3
    assert err.getvalue() == f"doctor-answers extract: warning: {copy} is a copy of {original}: read once\n"


def test_a_damaged_uncompressed_file_ends_degraded_naming_the_record(tmp_path):
    questions = pages(5)
    theirs = Theirs(tmp_path / "a.warc", gz=False)
    offsets = []
    for url, body in questions:
        offsets.append(theirs.stream.tell())
        theirs.response(url, body)
    theirs.close()
    data = (tmp_path / "a.warc").read_bytes()
    (tmp_path / "a.warc").write_bytes(data[:offsets[2] + 50] + data[offsets[2] + 400:])
    result, row, said = run([tmp_path / "a.warc"], tmp_path / "out")
    assert (row["status"], row["questions"]) == ("degraded", 4), said
    assert f"a.warc: damaged record at byte {offsets[2]}, passed over (its WARC header" in said
    err = io.StringIO()
    assert extract_paths([tmp_path / "a.warc"], out=io.BytesIO(), err=err) == 1
    assert f"damaged record at byte {offsets[2]}" in err.getvalue()


@pytest.mark.parametrize("scheme", ["HTTP", "Http"])
def test_target_uris_whose_scheme_is_spelled_in_capitals_are_the_pages_they_name(tmp_path, scheme):
    """RFC 3986 3.1: a scheme is case-insensitive. An archive of `HTTP://` pages is those
    pages, to `reparse` and `extract`, not "no HTTP response in the archives"."""
    questions = pages(3)
    theirs = Theirs(tmp_path / "a.warc.gz")
    for url, body in questions:
        theirs.response(url.replace("http", scheme, 1), body)
    theirs.close()
    _, row, said = run([tmp_path / "a.warc.gz"], tmp_path / "out")
    assert (row["status"], row["questions"], row["pages_fetched"]) == ("finished", 3, 3), said
    assert extract_paths([tmp_path / "a.warc.gz"], out=io.BytesIO(), err=io.StringIO()) == 0


@pytest.mark.parametrize("processes", [1, 2])
def test_responses_dated_ahead_of_the_clock_are_not_read_as_of_those_dates(tmp_path, processes):
    """An archive written on a machine whose clock was ahead (or read on one behind): rows
    fetched in the future would hide every later crawl's in the latest view until real time
    passed them. Past CLOCK_BEHIND_MAX ahead of now, a response (a revisit too) is not read,
    counted, and the reparse is degraded, naming how many and the newest date."""
    (first, body), *others, (ahead, ahead_body) = pages(4)
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=400)
    theirs = Theirs(tmp_path / "a.warc.gz")
    digest = theirs.response(first, body).rec_headers.get_header("WARC-Payload-Digest")
    for url, page in others:
        theirs.response(url, page)
    theirs.response(ahead, ahead_body, when=later)
    theirs.revisit(first, later + timedelta(days=1), digest)
    theirs.close()
    result, row, said = run([tmp_path / "a.warc.gz"], tmp_path / "out", processes)
    newest = f"{later + timedelta(days=1):%Y-%m-%d %H:%M:%S} UTC"
    assert (row["status"], row["questions"]) == ("degraded", 3), said
    assert f"2 archived responses dated ahead of this machine's clock (the newest {newest}) not read" in row["message"]
    assert f"(the newest {newest}) not read" in said
    fetched = load("questions", root=tmp_path / "out", latest=False)["fetched_at"]
    assert {moment.to_pydatetime() for moment in fetched} == {DAY0}
