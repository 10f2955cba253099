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
    # a scheme in any case is the scheme (RFC 3986 3.1), whichever reader splits the record
    # (warcio's own test of an http(s) URI is case-sensitive): read in lower case, as a crawl writes it
    (record("response", "HTTP://example.com/question/i", http("HTTP/1.1 200 OK\nContent-Type: text/html", PAGE),
            RESPONSE),
     ArchivedResponse("http://example.com/question/i", 200, FETCHED, PAGE, "text/html")),
    (record("response", "<Https://example.com/question/j>", http("HTTP/1.1 200 OK\nContent-Type: text/html", PAGE,
                                                                 newline="\n"), RESPONSE),
     ArchivedResponse("https://example.com/question/j", 200, FETCHED, PAGE, "text/html")),
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
    from crawler.inputs import WARCS, files_in

    (tmp_path / "archive" / ".tmp").mkdir(parents=True)
    (tmp_path / "older").mkdir()
    for path in ("archive/a.warc.gz", "older/b.warc.gz", "archive/.tmp/c.warc.gz", "archive/.d.warc.gz.tmp"):
        (tmp_path / path).write_bytes(b"")
    (tmp_path / "archive" / "older").symlink_to(tmp_path / "older")  # a day's archives linked in
    (tmp_path / "archive" / "again").symlink_to(tmp_path / "archive")  # a link back up: no loop
    files, errors, passed_over = files_in([tmp_path / "archive"], (WARCS,))
    assert sorted(f.name for f in files) == ["a.warc.gz", "b.warc.gz"] and errors == passed_over == []


def test_an_archive_file_gone_before_it_is_read_is_damage_named_not_an_output_failure(tmp_path):
    from crawler.reparse import read_chunk

    chunk = read_chunk((str(tmp_path / "gone.warc.gz"), 0, None, 10, frozenset()))
    assert chunk.counts["archive/damaged"] == 1 and "gone.warc.gz" in chunk.errors[0]


def test_a_copy_of_an_archive_file_under_another_name_is_read_once(tmp_path):
    from crawler.archive.reader import without_copies

    data = b"".join(r for r, _ in RECORDS)
    for name in ("a.warc", "copy of a.warc"):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "other.warc").write_bytes(RECORDS[1][0] + RECORDS[0][0])  # another file, records of its own order
    files, copies, repeats = without_copies(sorted(tmp_path.iterdir()))
    assert [f.name for f in files] == ["a.warc", "other.warc"]
    assert copies == [(tmp_path / "copy of a.warc", tmp_path / "a.warc")] and repeats == {}


# Damage in files that are not gzipped record by record -----------------------------------

def written(pages: int, *, gz: bool = False, digests: bool = True) -> tuple[bytes, list[int], list[ArchivedResponse]]:
    """An uncompressed WARC file as warcio writes one (a warcinfo, then a response per page,
    with block and payload digests unless `digests` is False): (bytes, each response record's
    offset, the responses)."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = BytesIO()
    writer = WARCWriter(out, gzip=gz, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record("a.warc", {"software": "another tool"}))
    offsets, expected = [], []
    for i in range(pages):
        url, body = f"http://example.com/question/q{i}", PAGE.replace(b"An answer", b"Answer number %d" % i)
        record = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                           http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                                                         protocol="HTTP/1.1"),
                                           warc_headers_dict={"WARC-Date": DATE})
        if not digests:
            for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
                record.rec_headers.remove_header(name)
        offsets.append(out.tell())
        writer.write_record(record)
        expected.append(ArchivedResponse(url, 200, FETCHED, body, "text/html"))
    return out.getvalue(), offsets, expected


def read_with_damage(path) -> tuple[list[ArchivedResponse], list[tuple[int, str]]]:
    damage = []
    read = list(responses(path, on_damage=lambda offset, error: damage.append((offset, error_text(error)))))
    return read, damage


def _cut_header(data, at):  # bytes of the header lost (a bad copy): warcio glues the rest of the file on
    return data[:at + 60] + data[at + 200:]


def _zeroed_header(data, at):  # a bad block of the disk
    return data[:at + 30] + bytes(300) + data[at + 330:]


def _longer(data, at):  # a length that says more than the block holds
    return data.replace(b"Content-Length: ", b"Content-Length: 1", 1) if at is None else \
        data[:at] + data[at:].replace(b"Content-Length: ", b"Content-Length: 1", 1)


def _byte_lost_in_block(data, at):
    body = data.index(b"<html>", at)
    return data[:body + 3] + data[body + 4:]


def _junk_after(data, at):  # bytes added between two records
    return data[:at] + b"junk junk junk\r\n\r\n" + data[at:]


@pytest.mark.parametrize("damage", [_cut_header, _zeroed_header, _longer, _byte_lost_in_block, _junk_after])
@pytest.mark.parametrize("layout", ["uncompressed", "gzipped whole"])
def test_damage_in_a_file_not_gzipped_by_record_is_named_and_costs_its_record_only(tmp_path, damage, layout):
    data, offsets, expected = written(6)
    data = damage(data, offsets[3])
    path = tmp_path / ("a.warc" if layout == "uncompressed" else "a.warc.gz")
    path.write_bytes(data if layout == "uncompressed" else gzip.compress(data))
    read, damaged = read_with_damage(path)
    # junk between two whole records costs no record: the one before it is whole by its digest
    assert read == (expected if damage is _junk_after else expected[:3] + expected[4:])
    ((offset, words),) = damaged
    assert offset == offsets[3]
    assert words.startswith(("its ", "no WARC record starts here")) and "Error" not in words, words  # words, no Python
    with pytest.raises(ValueError):  # no one to report to: raised
        list(responses(path))


def test_a_file_cut_short_or_ending_in_junk_loses_only_what_is_missing(tmp_path):
    data, offsets, expected = written(4)
    for cut in (100, 400):  # in its header, in its block
        (tmp_path / "cut.warc").write_bytes(data[:offsets[3] + cut])
        read, damaged = read_with_damage(tmp_path / "cut.warc")
        assert read == expected[:3] and [offset for offset, _ in damaged] == [offsets[3]]
        assert damaged[0][1].startswith("the file ends"), damaged
    (tmp_path / "padded.warc").write_bytes(data + bytes(512))  # the last record is whole: its digest says so
    read, damaged = read_with_damage(tmp_path / "padded.warc")
    assert read == expected and [offset for offset, _ in damaged] == [len(data)]


@pytest.mark.parametrize("layout", ["uncompressed", "gzip per record"])
@pytest.mark.parametrize("digests", ["block and payload", "payload only"])
def test_a_changed_byte_fails_its_record_s_digest(tmp_path, layout, digests):
    data, offsets, expected = written(4)
    if digests == "payload only":
        data = b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"WARC-Block-Digest"))
        offsets = [m for m in range(1, len(data)) if data.startswith(b"WARC/1.1\r\n", m)]
    at = data.index(b"Answer number 2")
    data = data[:at] + b"Qnswer" + data[at + 6:]
    if layout == "uncompressed":
        path = tmp_path / "a.warc"
        path.write_bytes(data)
        where = offsets[2]
    else:
        bounds = [0, offsets[0], *offsets[1:], len(data)]
        members = [gzip.compress(data[a:b]) for a, b in zip(bounds, bounds[1:])]
        path = tmp_path / "a.warc.gz"
        path.write_bytes(b"".join(members))
        where = sum(map(len, members[:3]))
    read, damaged = read_with_damage(path)
    assert read == expected[:2] + expected[3:]
    assert damaged == [(where, "its block does not match its WARC-Block-Digest (bytes changed since it was written)"
                        if digests == "block and payload" else
                        "its payload does not match its WARC-Payload-Digest (bytes changed since it was written)")]


def test_digests_in_any_encoding_are_checked_and_unknown_ones_are_not(tmp_path):
    import base64
    import hashlib

    block = http("HTTP/1.1 200 OK\r\nContent-Type: text/html", PAGE)
    raw = hashlib.sha1(block).digest()
    forms = [b"sha1:" + base64.b32encode(raw), b"SHA1:" + raw.hex().encode(), b"sha-1:" + base64.b64encode(raw),
             b"sha256:" + hashlib.sha256(block).hexdigest().encode()]
    for digest in forms + [b"md99:whatever", b"sha1:not-a-digest"]:
        good = record("response", "http://example.com/question/a", block, RESPONSE).replace(
            b"Content-Length", b"WARC-Block-Digest: " + digest + b"\r\nContent-Length")
        (tmp_path / "a.warc").write_bytes(good + good.replace(b"An answer", b"An answeR"))
        read, damaged = read_with_damage(tmp_path / "a.warc")
        checked = digest in forms
        assert (len(read), len(damaged)) == ((1, 1) if checked else (2, 0)), digest


def test_a_payload_digest_of_the_chunked_or_de_chunked_body_holds(tmp_path):
    """Writers differ on what a chunked payload's digest covers (the bytes stored, or the body
    once de-chunked): either holds."""
    import base64
    import hashlib

    body = chunked(PAGE) + b""
    for covered in (body, PAGE):
        digest = b"sha1:" + base64.b32encode(hashlib.sha1(covered).digest())
        block = http("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked", body)
        data = record("response", "http://example.com/question/a", block, RESPONSE).replace(
            b"Content-Length", b"WARC-Payload-Digest: " + digest + b"\r\nContent-Length")
        (tmp_path / "a.warc").write_bytes(data)
        assert read_with_damage(tmp_path / "a.warc") == ([EXPECTED[0]._replace(fetched_at=FETCHED)], [])


@pytest.mark.parametrize("coded", [
    b"5\r\n<html\r\n0\r\nX-Checksum: abc\r\n\r\n",  # a trailer field
    b"5\r\n<html\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n",  # two
    b"5;name=value\r\n<html\r\n0\r\n\r\n",  # a chunk extension
    b"3\r\n<ht\r\n2\r\nml\r\n0\r\n\r\n",  # small chunks
    b"5\n<html\n0\n\n",  # bare newlines
    b"0005\r\n<html\r\n0\r\n\r\n",  # leading zeros
    b"<html",  # stored de-chunked, its Transfer-Encoding header kept
])
def test_chunked_bodies_are_de_chunked_as_the_crawl_s_client_did(tmp_path, coded):
    block = http("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked", coded)
    (tmp_path / "a.warc").write_bytes(record("response", "http://example.com/question/a", block, RESPONSE))
    (response,) = responses(tmp_path / "a.warc")
    assert response.body == b"<html"


@pytest.mark.parametrize("date, moment", [
    ("2026-11-29T20:25:54+00:00", FETCHED),
    ("2026-11-29T21:25:54+01:00", FETCHED),
    ("2026-11-29T15:25:54-0500", FETCHED),
    ("2026-11-29t20:25:54z", FETCHED),
    ("2026-11-29T20:25:54.123456789Z", FETCHED.replace(microsecond=123456)),
    ("2026-11-29", FETCHED.replace(hour=0, minute=0, second=0)),
    ("2026-11", datetime(2026, 11, 1, tzinfo=timezone.utc)),
])
def test_a_warc_date_in_any_iso_8601_form_is_read_as_utc(tmp_path, date, moment):
    (tmp_path / "a.warc").write_bytes(RECORDS[1][0].replace(DATE.encode(), date.encode()))
    assert [r.fetched_at for r in responses(tmp_path / "a.warc")] == [moment]


@pytest.mark.parametrize("date, moment", [
    # a leap second: the last instant datetime holds before the next second, same day
    ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)),
    ("2016-12-31T23:59:60.5Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)),
    ("2016-12-31T18:59:60-05:00", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)),
    ("20161231T235960Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)),
    # the end of a day: the next day's midnight
    ("2026-12-01T24:00:00Z", datetime(2026, 12, 2, tzinfo=timezone.utc)),
    ("2026-12-31T24:00Z", datetime(2027, 1, 1, tzinfo=timezone.utc)),
    ("2026-12-31T24:00:00.000+05:45", datetime(2026, 12, 31, 18, 15, tzinfo=timezone.utc)),
    ("20260228T240000Z", datetime(2026, 3, 1, tzinfo=timezone.utc)),
])
def test_a_warc_date_datetime_cannot_hold_is_read_not_dropped(tmp_path, date, moment):
    """Valid ISO 8601 (RFC 3339 allows the leap second) that Python's datetime refuses."""
    (tmp_path / "a.warc").write_bytes(RECORDS[1][0].replace(DATE.encode(), date.encode()))
    assert read_with_damage(tmp_path / "a.warc")[1] == []
    assert [r.fetched_at for r in responses(tmp_path / "a.warc")] == [moment]


@pytest.mark.parametrize("date", ["2026-12-01T24:00:01Z", "2026-12-01T24:30Z", "2026-12-01T23:59:61Z",
                                  "2026-12-01T24:00:00.5Z", "2026-13-01T23:59:60Z"])
def test_a_time_past_the_end_of_a_day_or_minute_is_still_no_date(tmp_path, date):
    (tmp_path / "a.warc").write_bytes(RECORDS[1][0].replace(DATE.encode(), date.encode()))
    assert read_with_damage(tmp_path / "a.warc")[1] == [(0, f"its WARC-Date is no date ({date!r})")]


def test_a_warc_date_that_is_no_date_is_damage_said_in_words(tmp_path):
    (tmp_path / "a.warc").write_bytes(RECORDS[1][0].replace(DATE.encode(), b"yesterday") + RECORDS[1][0])
    read, damaged = read_with_damage(tmp_path / "a.warc")
    assert len(read) == 1 and damaged == [(0, "its WARC-Date is no date ('yesterday')")]


def test_a_content_length_past_the_end_of_the_file_is_damage_found_without_reading_the_file(tmp_path, monkeypatch):
    from crawler.archive import reader

    data, offsets, expected = written(3)
    data = data[:offsets[1]] + data[offsets[1]:].replace(b"Content-Length: ", b"Content-Length: 99999999999", 1)
    (tmp_path / "a.warc").write_bytes(data)
    asked = []
    fill = reader._Buffer.fill
    monkeypatch.setattr(reader._Buffer, "fill", lambda self, size: asked.append(size) or fill(self, size))
    read, damaged = read_with_damage(tmp_path / "a.warc")
    assert read == [expected[0], expected[2]] and [offset for offset, _ in damaged] == [offsets[1]]
    assert max(asked) < 10 * len(data)


# Damage whatever the layout: what can be read is read --------------------------------------

def _inflated_from(compressed: bytes) -> int:
    """How many bytes the start of a gzip stream inflates to."""
    import zlib

    return len(zlib.decompressobj(31).decompress(compressed))


@pytest.mark.parametrize("damage", ["cut in the middle", "cut near the end", "a byte changed", "its trailer changed"])
def test_a_file_gzipped_whole_keeps_every_record_before_its_break(tmp_path, damage):
    """Its gzip stream cannot be entered again past a break: the records inflated before it are
    read (not a buffer's worth short of it), the rest is said lost from the first record not read."""
    from crawler.archive.reader import DamagedRecord

    data, offsets, expected = written(40)
    whole = bytearray(gzip.compress(data, mtime=0))
    at = {"cut in the middle": len(whole) // 2, "cut near the end": len(whole) * 99 // 100,
          "a byte changed": len(whole) * 8 // 10, "its trailer changed": len(whole) - 6}[damage]
    intact = _inflated_from(bytes(whole[:at]))  # what the bytes before the damage inflate to
    if damage.startswith("cut"):
        whole = whole[:at]
    else:
        whole[at] ^= 0x55
    (tmp_path / "a.warc.gz").write_bytes(bytes(whole))
    read, damaged = [], []
    with pytest.raises(DamagedRecord) as raised:
        for response in responses(tmp_path / "a.warc.gz", on_damage=lambda offset, error: damaged.append(offset)):
            read.append(response)
    before = sum(1 for i in range(len(offsets)) if (offsets[i + 1:] or [len(data)])[0] <= intact)
    assert read[:before] == expected[:before] and before >= (39 if damage == "its trailer changed" else 10)
    words = str(raised.value)
    assert words.startswith("unreadable from byte ") and " of its inflated data on: its gzip data " in words
    if damage.startswith("cut"):  # the first record the break cut short
        assert words.startswith(f"unreadable from byte {offsets[len(read)]} ") and damaged == []


def _members(records: list[bytes]) -> list[bytes]:
    return [gzip.compress(r) for r in records]


def _changed(member: bytes, how: str) -> bytes:
    if how == "magic":
        return b"\0\0" + member[2:]
    return member[:len(member) // 2] + bytes([member[len(member) // 2] ^ 0xFF]) + member[len(member) // 2 + 1:]


@pytest.mark.parametrize("how", ["magic", "a byte"])
@pytest.mark.parametrize("which", [0, 1])
def test_a_damaged_first_member_costs_its_record_only(tmp_path, which, how):
    """The layout of a file is not told by its first member alone: a damaged first or second
    member leaves the file read member by member."""
    data, offsets, expected = written(6)
    bounds = [0, *offsets, len(data)]
    members = _members([data[a:b] for a, b in zip(bounds, bounds[1:])])
    members[which] = _changed(members[which], how)
    (tmp_path / "a.warc.gz").write_bytes(b"".join(members))
    read, damaged = read_with_damage(tmp_path / "a.warc.gz")
    assert read == expected[:which - 1] + expected[which:] if which else read == expected
    assert [offset for offset, _ in damaged] == [sum(map(len, members[:which]))]
    assert damaged[0][1].startswith("its gzip data does not inflate"), damaged


def test_a_first_record_bigger_than_the_probe_leaves_a_file_read_member_by_member(tmp_path):
    """Another tool's file with no warcinfo, whose first record is a 1.5 MB image: one damaged
    member later costs that record only, and the file is still read in ranges."""
    import os
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from crawler.archive.reader import chunks

    image, out = os.urandom(1_500_000), BytesIO()
    writer = WARCWriter(out, gzip=False)
    writer.write_record(writer.create_warc_record(
        "http://example.com/hero.jpg", "response", payload=BytesIO(image), length=len(image),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": DATE}))
    data, offsets, expected = written(6)
    bounds = [*offsets, len(data)]
    members = _members([out.getvalue(), *(data[a:b] for a, b in zip(bounds, bounds[1:]))])
    path = tmp_path / "a.warc.gz"
    path.write_bytes(b"".join(members))
    assert list(responses(path))[1:] == expected
    assert len(chunks(path, 64 * 1024)) > 1
    members[3] = _changed(members[3], "a byte")
    path.write_bytes(b"".join(members))
    read, damaged = read_with_damage(path)
    assert read[1:] == expected[:2] + expected[3:] and [offset for offset, _ in damaged] == [sum(map(len, members[:3]))]
    ranges = [r for start, end in chunks(path, 64 * 1024)
              for r in responses(path, start, end, on_damage=lambda offset, error: None)]
    assert ranges == read


POISON = [
    # valid ISO 8601, out of datetime's range once in UTC
    ("WARC-Date", "9999-12-31T23:59:59-01:00", "its WARC-Date is out of the range of dates read"),
    ("WARC-Date", "0001-01-01T00:00:00+01:00", "its WARC-Date is out of the range of dates read"),
    ("WARC-Date", "9999-12-31T24:00:00Z", "its WARC-Date is out of the range of dates read"),
    ("WARC-Target-URI", "http://[::1/x.css", "its WARC-Target-URI is no URL"),
    ("WARC-Target-URI", "http://example.com:99999/question/a", "its WARC-Target-URI is no URL"),
    ("WARC-Target-URI", "http://example.com:port/question/a", "its WARC-Target-URI is no URL"),
    ("X-Requested-URI", "http://[::1/question/a", "its X-Requested-URI is no URL"),  # the URL the crawl asked for
]


@pytest.mark.parametrize("layout", ["uncompressed", "gzip per record", "gzipped whole"])
@pytest.mark.parametrize("field, value, words", POISON)
def test_a_field_that_cannot_be_read_is_its_record_s_damage_only(tmp_path, field, value, words, layout):
    data, offsets, expected = written(4)
    at = offsets[1]
    header_end = data.index(b"\r\n\r\n", at)
    head = data[at:header_end]
    line = f"{field}: {value}".encode()
    if field.encode() + b":" in head:
        head = b"\r\n".join(line if old.startswith(field.encode() + b":") else old for old in head.split(b"\r\n"))
    else:
        head += b"\r\n" + line
    data = data[:at] + head + data[header_end:]
    offsets = offsets[:2] + [o + len(head) - (header_end - at) for o in offsets[2:]]
    if layout == "uncompressed":
        path, content, where = tmp_path / "a.warc", data, at
    else:
        bounds = [0, *offsets, len(data)]
        parts = [data[a:b] for a, b in zip(bounds, bounds[1:])]
        if layout == "gzip per record":
            members = _members(parts)
            content, where = b"".join(members), sum(map(len, members[:2]))
        else:
            content, where = gzip.compress(data), at
        path = tmp_path / "a.warc.gz"
    path.write_bytes(content)
    read, damaged = read_with_damage(path)
    assert read == expected[:1] + expected[2:]
    assert [offset for offset, _ in damaged] == [where] and damaged[0][1].startswith(words), damaged


def test_a_field_no_check_foresaw_is_its_record_s_damage_only(tmp_path, monkeypatch):
    """Any failure to read one record's fields, said in words, the next record read."""
    from crawler.archive import reader

    data, offsets, expected = written(3)
    (tmp_path / "a.warc").write_bytes(data)
    real = reader._as_crawled  # once per response record (a warcinfo's date is read too)
    calls = []

    def failing_once(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OverflowError("something no check foresaw")
        return real(*args)

    monkeypatch.setattr(reader, "_as_crawled", failing_once)
    read, damaged = read_with_damage(tmp_path / "a.warc")
    assert read == [expected[0], expected[2]]
    assert damaged == [(offsets[1], "its header cannot be read (OverflowError: something no check foresaw)")]


@pytest.mark.parametrize("date, moment", [
    ("2026-333T20:25:54Z", FETCHED),
    ("2026333T202554Z", FETCHED),
    ("2024-366T00:00:00Z", datetime(2024, 12, 31, tzinfo=timezone.utc)),
    ("2026-333", FETCHED.replace(hour=0, minute=0, second=0)),
])
def test_an_iso_8601_ordinal_date_is_read(tmp_path, date, moment):
    (tmp_path / "a.warc").write_bytes(RECORDS[1][0].replace(DATE.encode(), date.encode()))
    assert read_with_damage(tmp_path / "a.warc") == ([EXPECTED[0]._replace(fetched_at=moment)], [])


@pytest.mark.parametrize("date", ["2026-366T00:00:00Z", "2026-000T00:00:00Z", "0000-001T00:00:00Z"])
def test_an_ordinal_day_the_year_does_not_have_is_no_date(tmp_path, date):
    (tmp_path / "a.warc").write_bytes(RECORDS[1][0].replace(DATE.encode(), date.encode()))
    assert read_with_damage(tmp_path / "a.warc")[1] == [(0, f"its WARC-Date is no date ({date!r})")]


def test_a_digest_of_a_length_of_one_s_choosing_is_not_checked(tmp_path):
    """shake_128 names no length: nothing to check against, as an algorithm not known."""
    block = http("HTTP/1.1 200 OK\r\nContent-Type: text/html", PAGE)
    data = record("response", "http://example.com/question/a", block, RESPONSE).replace(
        b"Content-Length", b"WARC-Block-Digest: shake_128:\r\nContent-Length")
    (tmp_path / "a.warc").write_bytes(data)
    assert read_with_damage(tmp_path / "a.warc") == ([EXPECTED[0]], [])


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", gzip.compress(b"", mtime=0)])
@pytest.mark.parametrize("name", ["a.warc.gz", "a.warc"])
def test_a_file_with_no_record_at_all_is_said_unreadable(tmp_path, content, name):
    from crawler.archive.reader import DamagedRecord

    (tmp_path / name).write_bytes(content)
    for on_damage in (None, lambda offset, error: None):
        with pytest.raises(DamagedRecord, match="^unreadable: no WARC record in it"):
            list(responses(tmp_path / name, **({"on_damage": on_damage} if on_damage else {})))


def test_a_record_the_crawl_s_rules_cannot_read_costs_reparse_that_record_only(tmp_path, monkeypatch):
    """Whatever fails on one record's values in reparse is that record's damage, named at its
    offset; the records after it are read."""
    from crawler import reparse

    data, offsets, expected = written(3)
    (tmp_path / "a.warc").write_bytes(data)
    read = reparse.ChunkReader.read

    def failing(self, response):
        if response.url == expected[1].url:
            raise ValueError("a value no rule reads")
        return read(self, response)

    monkeypatch.setattr(reparse.ChunkReader, "read", failing)
    chunk = reparse.read_chunk((str(tmp_path / "a.warc"), 0, None, len(data), frozenset()))
    assert chunk.counts["archive/damaged"] == 1 and chunk.counts["downloader/response_count"] == 2
    assert [line for line in chunk.errors if "damaged" in line] == [
        f"{tmp_path / 'a.warc'}: damaged record at byte {offsets[1]}, passed over (ValueError: a value no rule reads)"]
