"""crawler.archive.reader on WARC files as other tools write them: its own record splitter and
warcio's reader give the same responses, whatever the file's layout."""
from __future__ import annotations

import gzip
import uuid
from datetime import datetime, timezone

import pytest

from crawler.archive.reader import ArchivedResponse, error_text, responses

PAGE = b"<html><body><p>An answer</p></body></html>"
DATE = "2026-11-29T20:25:54Z"
FETCHED = datetime(2026, 11, 29, 20, 25, 54, tzinfo=timezone.utc)


def record(kind: str, uri: str | None, block: bytes, content_type: str | None) -> bytes:
    head = ["WARC/1.0", f"WARC-Type: {kind}", f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>", f"WARC-Date: {DATE}"]
    if uri is not None:
        head.append(f"WARC-Target-URI: {uri}")
    if content_type is not None:
        head.append(f"Content-Type: {content_type}")
    head.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def http(head: str, body: bytes, newline: str = "\r\n") -> bytes:
    return (newline.join(head.splitlines()) + newline + newline).encode() + body


def chunked(data: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 16]), data[i:i + 16]) for i in range(0, len(data), 16)) + b"0\r\n\r\n"


RESPONSE = "application/http; msgtype=response"
# (record, the response a reader gives for it, or None for a record that is no response)
RECORDS = [
    (record("warcinfo", None, b"software: wget/1.19\r\n", "application/warc-fields"), None),
    # Wget 1.19 put angle brackets around the target URI
    (record("response", "<http://example.com/question/a>", http("HTTP/1.1 200 OK\nContent-Type: text/html", PAGE),
            RESPONSE),
     ArchivedResponse("http://example.com/question/a", 200, FETCHED, PAGE, "text/html")),
    (record("request", "<http://example.com/question/a>", http("GET /question/a HTTP/1.1\nHost: example.com", b""),
            "application/http; msgtype=request"), None),
    # chunked and gzipped as sent, and a space in the URI
    (record("response", "http://example.com/question/b c",
            http("HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Encoding: gzip\n"
                 "Transfer-Encoding: chunked", chunked(gzip.compress(PAGE))), RESPONSE),
     ArchivedResponse("http://example.com/question/b%20c", 200, FETCHED, PAGE, "text/html; charset=utf-8")),
    # a content coding the body does not have: undecodable, as the crawl found it (warcio would
    # give the bytes as they are, a page the crawl never read)
    (record("response", "http://example.com/question/f",
            http("HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Encoding: gzip", PAGE), RESPONSE),
     ArchivedResponse("http://example.com/question/f", 200, FETCHED, b"", "text/html",
                      "undecodable body (BadGzipFile: Not a gzipped file (b'<h'))")),
    # HTTP headers ended by bare newlines
    (record("response", "http://example.com/question/d", http("HTTP/1.1 404 Not Found\nContent-Type: text/html",
                                                              PAGE, newline="\n"), RESPONSE),
     ArchivedResponse("http://example.com/question/d", 404, FETCHED, PAGE, "text/html")),
    (record("metadata", "http://example.com/question/d", b"via: x\r\n", "application/warc-fields"), None),
    # a response record is HTTP by its URI, as warcio reads it: whatever the case of its
    # Content-Type, or without one
    (record("response", "http://example.com/question/g", http("HTTP/1.1 200 OK\nContent-Type: text/html", PAGE),
            "Application/HTTP; msgtype=response"),
     ArchivedResponse("http://example.com/question/g", 200, FETCHED, PAGE, "text/html")),
    (record("response", "http://example.com/question/h", http("HTTP/1.1 200 OK\nContent-Type: text/html", PAGE), None),
     ArchivedResponse("http://example.com/question/h", 200, FETCHED, PAGE, "text/html")),
    (record("response", "http://example.com/question/e", http("HTTP/1.1 200 OK\nContent-Type: text/html", PAGE),
            RESPONSE),
     ArchivedResponse("http://example.com/question/e", 200, FETCHED, PAGE, "text/html")),
]
EXPECTED = [response for _, response in RECORDS if response is not None]


@pytest.mark.parametrize("layout", ["gzip per record", "gzipped whole", "uncompressed"])
def test_other_tools_records_read_as_warcio_reads_them(tmp_path, layout):
    data = [r for r, _ in RECORDS]
    if layout == "gzip per record":
        path, content = tmp_path / "a.warc.gz", b"".join(gzip.compress(r) for r in data)
    elif layout == "gzipped whole":
        path, content = tmp_path / "a.warc.gz", gzip.compress(b"".join(data))
    else:
        path, content = tmp_path / "a.warc", b"".join(data)
    path.write_bytes(content)
    assert list(responses(path)) == EXPECTED


@pytest.mark.parametrize("layout", ["two records a member", "files gzipped whole, concatenated"])
def test_gzip_members_of_several_records_are_read_whole(tmp_path, layout):
    data = [r for r, _ in RECORDS]
    if layout == "two records a member":  # a response and its request in one member, as some tools write
        content = b"".join(gzip.compress(b"".join(data[i:i + 2])) for i in range(0, len(data), 2))
    else:  # `cat a.warc.gz b.warc.gz`
        content = gzip.compress(b"".join(data[:4])) + gzip.compress(b"".join(data[4:]))
    (tmp_path / "a.warc.gz").write_bytes(content)
    assert list(responses(tmp_path / "a.warc.gz")) == EXPECTED


def test_damage_stays_local_after_a_record_only_warcio_splits(tmp_path):
    """A record with bare-newline HTTP headers is read by warcio; the records after it are
    still read a member at a time, so a damaged one later costs that record only."""
    members = [gzip.compress(r) for r, _ in RECORDS]
    last = members[-1]
    members[-1] = last[:20] + bytes(b ^ 0xFF for b in last[20:40]) + last[40:]
    (tmp_path / "a.warc.gz").write_bytes(b"".join(members))
    damaged = []
    read = list(responses(tmp_path / "a.warc.gz", on_damage=lambda offset, error: damaged.append(offset)))
    assert read == EXPECTED[:-1]
    assert damaged == [sum(map(len, members[:-1]))]


def test_read_errors_are_one_line_of_printable_ascii():
    text = error_text(ValueError("bad\x00\x08 byte\xe9\r\nnext " + "x" * 300))
    assert text.startswith("ValueError: bad\\x00\\x08 byte\\xe9 next x") and len(text) == 200
    assert text.isascii() and text.isprintable()


def test_the_crawl_of_a_file_is_its_warcinfo_s_else_the_file_alone(tmp_path):
    from crawler.archive.reader import crawl_of

    ours = record("warcinfo", None, b"software: doctor-answers\r\ncrawl-id: 20260131T000000Z-5ee5ee55\r\n",
                  "application/warc-fields")
    (tmp_path / "ours.warc").write_bytes(ours + RECORDS[1][0])
    assert crawl_of(tmp_path / "ours.warc") == (datetime(2026, 1, 31, tzinfo=timezone.utc), "20260131T000000Z-5ee5ee55",
                                                None, None, None, ())
    retrying = record("warcinfo", None, b"crawl-id: c\r\nretry-times: 6\r\nblock-retry-times: 4\r\n"
                                        b"retry-http-codes: 500, 502,x\r\n", "application/warc-fields")
    (tmp_path / "retrying.warc").write_bytes(retrying)
    assert crawl_of(tmp_path / "retrying.warc")[1:5] == ("c", 6, 4, {500, 502})
    started = record("warcinfo", None, b"crawl-id: c\r\ndescription: doctor-answers crawl of http://h/ http://h/q/1\r\n",
                     "application/warc-fields")
    (tmp_path / "started.warc").write_bytes(started)
    assert crawl_of(tmp_path / "started.warc").start_urls == ("http://h/", "http://h/q/1")
    never = record("warcinfo", None, b"crawl-id: c\r\nretry-times: 0\r\nretry-http-codes: \r\n", "application/warc-fields")
    (tmp_path / "never.warc").write_bytes(never)  # RETRY_ENABLED=False, or no status retried
    assert crawl_of(tmp_path / "never.warc")[1:5] == ("c", 0, None, frozenset())
    (tmp_path / "theirs.warc").write_bytes(b"".join(r for r, _ in RECORDS))  # wget's warcinfo: no crawl-id
    assert crawl_of(tmp_path / "theirs.warc")[:2] == (FETCHED, str(tmp_path / "theirs.warc"))
    odd = record("warcinfo", None, b"crawl-id: 20261399T000000Z-other\r\n", "application/warc-fields")
    (tmp_path / "odd.warc").write_bytes(odd)  # shaped like our ids, not a date: the warcinfo's date
    assert crawl_of(tmp_path / "odd.warc")[:2] == (FETCHED, "20261399T000000Z-other")
    for junk in (b"", b"\x1f\x8b\x08 not gzip", ours[:60]):  # nothing readable: the file alone, oldest
        (tmp_path / "junk.warc").write_bytes(junk)
        assert crawl_of(tmp_path / "junk.warc").name == str(tmp_path / "junk.warc")


def test_a_reparse_whose_log_cannot_be_written_prints_no_traceback_per_line(tmp_path, monkeypatch, capsys):
    """A log on a full disk (here /dev/full) loses its lines, and says nothing per line lost:
    the reparse goes on and ends as it would, and says at the end that its log is cut short."""
    import io

    from crawler import reparse
    from tests.test_pages_samples import URL, sample

    page = http("HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8", sample("legacy").encode())
    (tmp_path / "a.warc").write_bytes(record("response", URL, page, RESPONSE) +
                                      record("response", URL + "-gone", http("HTTP/1.1 500 Oops", b""), RESPONSE))
    monkeypatch.setattr(reparse, "new_crawl_id", lambda started: "20261130T000000Z-00000000")
    (tmp_path / "out" / "logs").mkdir(parents=True)
    (tmp_path / "out" / "logs" / "20261130T000000Z-00000000.log").symlink_to("/dev/full")
    stream = io.StringIO()
    result = reparse.run_reparse([tmp_path / "a.warc"], out=tmp_path / "out", processes=1, stream=stream)
    assert result.stats["pages/question"] == 1
    assert "Logging error" not in capsys.readouterr().err
    # ... and once, at the end, that the log is cut short
    assert stream.getvalue().count("is cut short (No space left on device)") == 1, stream.getvalue()


def test_a_folder_of_archives_is_read_through_linked_folders_each_file_once(tmp_path):
    from crawler.inputs import files_in

    (tmp_path / "archive" / ".tmp").mkdir(parents=True)
    (tmp_path / "older").mkdir()
    for path in ("archive/a.warc.gz", "older/b.warc.gz", "archive/.tmp/c.warc.gz", "archive/.d.warc.gz.tmp"):
        (tmp_path / path).write_bytes(b"")
    (tmp_path / "archive" / "older").symlink_to(tmp_path / "older")  # a day's archives linked in
    (tmp_path / "archive" / "again").symlink_to(tmp_path / "archive")  # a link back up: no loop
    files, errors = files_in([tmp_path / "archive"], lambda f: f.name.endswith(".warc.gz"), "WARC")
    assert sorted(f.name for f in files) == ["a.warc.gz", "b.warc.gz"] and errors == []


def test_an_archive_file_gone_before_it_is_read_is_damage_named_not_an_output_failure(tmp_path):
    from crawler.reparse import read_chunk

    chunk = read_chunk((str(tmp_path / "gone.warc.gz"), 0, None, 10))
    assert chunk.counts["archive/damaged"] == 1 and "gone.warc.gz" in chunk.errors[0]


def test_a_copy_of_an_archive_file_under_another_name_is_read_once(tmp_path):
    from crawler.archive.reader import without_copies

    data = b"".join(r for r, _ in RECORDS)
    for name in ("a.warc", "copy of a.warc"):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "other.warc").write_bytes(RECORDS[1][0] + RECORDS[0][0])  # another file, records of its own order
    files, copies = without_copies(sorted(tmp_path.iterdir()))
    assert [f.name for f in files] == ["a.warc", "other.warc"]
    assert copies == [(tmp_path / "copy of a.warc", tmp_path / "a.warc")]
