"""WARC files of one crawl, written through warcio: whole or absent, of bounded size.

Each response goes in as two records, gzipped one by one (so any record can be read alone,
and `warcio index` gives its offset): the `response` (HTTP status line, headers and the body
as received) and its `request`, linked by WARC-Concurrent-To. Every file opens with a
`warcinfo` record naming the crawl. WARC-Date is the moment the response arrived, to the
microsecond (WARC 1.1): the `fetched_at` of the rows made from it.

A file is written under a hidden temporary name (`.NAME.tmp`, skipped by every reader) and
closed when it reaches its size bound or when the crawl seals a batch; `seal()` hands back
the (temporary, final) paths of the files closed since the last seal, for the crawl's output
to rename in the same commit as the batch's dataset files.

When the crawl ends, `end(outcome)` writes its closing record: a `metadata` record of JSON
saying how it ended, last in the crawl's last file.
A reparse reads it to know the archive holds a whole crawl (crawler.reparse); a crawl killed
(SIGKILL, a power cut) or still running has none, and a resumed crawl writes another at its
own end: the newest says how the crawl ended.
"""
from __future__ import annotations

import json
import os
import re
import zlib
from datetime import datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.1"
# The URL the crawl asked for when redirects led to the record's target URI: a question page
# that moved (/question/x -> 301 -> /answers/x) is still a question page to a reparse.
REQUESTED_URI = "X-Requested-URI"
SUFFIX = ".warc.gz"
# The closing record of a crawl: its WARC-Target-URI (this, then the crawl id) and Content-Type.
END_URI = "urn:doctor-answers:crawl-end:"
END_TYPE = "application/json"
# Scrapy hands over bodies with the transfer coding undone: a header saying otherwise would
# make readers decode them again.
_TRANSFER_HEADERS = {"transfer-encoding"}
# zlib's default level: warcio's own gzip (level 9) spends a fifth more of the writer's CPU
# for the same bytes on HTML pages (3.00 KB a page at both, measured on the reference site).
GZIP_LEVEL = 6


class Exchange(NamedTuple):
    """One response and the request that got it, in plain values (sent between processes)."""
    url: str
    fetched_at: datetime  # UTC, when the response arrived: its WARC-Date
    method: str
    request_headers: list  # [(name bytes, [value bytes, ...]), ...] as Scrapy's Headers hold them
    request_body: bytes
    status: int
    protocol: str | None  # "HTTP/1.1"
    response_headers: list
    body: bytes
    ip_address: str | None
    requested_url: str | None = None  # the URL first asked for, when redirects led here


def warc_date(moment: datetime) -> str:
    """A UTC datetime as WARC 1.1 writes it, microseconds included: 2026-11-29T20:25:54.123456Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def final_name(crawl_id: str, sequence: int) -> str:
    return f"{crawl_id}-{sequence:05d}{SUFFIX}"


def temporary_files(folder: Path, crawl_id: str) -> list[Path]:
    names = _files_of(crawl_id)
    return sorted(p for p in Path(folder).glob(f".{crawl_id}-*{SUFFIX}.tmp") if names.match(p.name))


def next_sequence(folder: Path, crawl_id: str) -> int:
    """The number of the crawl's next file: after every file it already has (a resumed crawl)."""
    names = _files_of(crawl_id)
    numbers = [int(m.group(1)) for p in Path(folder).glob(f"*{crawl_id}-*") if (m := names.match(p.name))]
    return max(numbers, default=-1) + 1


def _files_of(crawl_id: str) -> re.Pattern:
    """The names of a crawl's files, whole or temporary, by their whole name: a glob by its id's
    prefix would take crawl `nightly-2`'s for crawl `nightly`'s."""
    return re.compile(rf"^\.?{re.escape(crawl_id)}-(\d+){re.escape(SUFFIX)}(\.tmp)?$")


class WarcFiles:
    def __init__(self, folder: str | Path, crawl_id: str, max_bytes: int, info: dict):
        self.folder = Path(folder)
        self.crawl_id = crawl_id
        self.max_bytes = max_bytes
        self.info = info  # the warcinfo fields
        self.sequence = next_sequence(self.folder, crawl_id)
        self.closed: list[tuple[Path, Path]] = []  # closed since the last seal
        self._file = None
        self._writer: WARCWriter | None = None
        self._record = BytesIO()  # one record, as warcio writes it, before it is gzipped
        self._paths: tuple[Path, Path] | None = None
        self._warcinfo_id: str | None = None
        self._last: Path | None = None  # the final path of the last file handed over (sealed)

    def write(self, exchange: Exchange) -> None:
        if self._file is None:
            self._open()
        writer, url = self._writer, exchange.url
        common = {"WARC-Date": warc_date(exchange.fetched_at), "WARC-Warcinfo-ID": self._warcinfo_id}
        response_headers = dict(common)
        if exchange.ip_address:
            response_headers["WARC-IP-Address"] = exchange.ip_address
        if exchange.requested_url:  # an extension field (WARC 1.1, 4): readers that do not know it ignore it
            response_headers[REQUESTED_URI] = exchange.requested_url
        response = writer.create_warc_record(
            url, "response", payload=BytesIO(exchange.body), length=len(exchange.body),
            http_headers=_response_head(exchange), warc_headers_dict=response_headers)
        request = writer.create_warc_record(
            url, "request", payload=BytesIO(exchange.request_body), length=len(exchange.request_body),
            http_headers=_request_head(exchange),
            warc_headers_dict={**common, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        self._write(response)
        self._write(request)
        if self._file.tell() >= self.max_bytes:
            self._close()

    def end(self, outcome: dict) -> list[tuple[Path, Path]]:
        """Write the crawl's closing record (`outcome`: its status, counts, when it ended, as a
        WARC-Date) last in the crawl's last file, and seal. That file, committed already (the
        crawl's batches are), takes it as one more gzip member, appended: a kill mid-append
        leaves a record cut short, read as damage, never a record lost. With no file of this
        run's (a resume with nothing left to fetch), a new one holds it."""
        appended = self._file is None and self._last is not None and self._last.exists()
        if appended:
            self._file = open(self._last, "ab")
        elif self._file is None:
            self._open()
        body = json.dumps({"crawl-id": self.info.get("crawl-id", self.crawl_id), **outcome}, sort_keys=True).encode()
        record = self._writer.create_warc_record(
            END_URI + self.crawl_id, "metadata", payload=BytesIO(body), length=len(body), warc_content_type=END_TYPE,
            warc_headers_dict={"WARC-Date": outcome["ended_at"], "WARC-Warcinfo-ID": self._warcinfo_id})
        self._write(record)
        if appended:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
        return self.seal()

    def seal(self) -> list[tuple[Path, Path]]:
        """Close the file being written; every file closed since the last seal, as
        (temporary path, final path) pairs, fsynced, for the caller to rename."""
        if self._file is not None:
            self._close()
        sealed, self.closed = self.closed, []
        if sealed:
            self._last = sealed[-1][1]
        return sealed

    def abort(self) -> None:
        """Drop the file being written (its responses belong to no sealed batch) and the
        closed ones not yet handed over."""
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self.closed.append(self._paths)
            self._file = None
        for tmp, _ in self.closed:
            tmp.unlink(missing_ok=True)
        self.closed = []

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = final_name(self.crawl_id, self.sequence)
        self.sequence += 1
        self._paths = (self.folder / f".{name}.tmp", self.folder / name)
        self._file = open(self._paths[0], "wb")
        self._writer = WARCWriter(self._record, gzip=False, warc_version=WARC_VERSION)
        record = self._writer.create_warcinfo_record(name, self.info)
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._write(record)

    def _write(self, record) -> None:
        """One record, as its own gzip member (what warcio's gzip=True writes, at GZIP_LEVEL)."""
        self._record.seek(0)
        self._record.truncate()
        self._writer.write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self._file.write(member.compress(self._record.getvalue()) + member.flush())

    def _close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        self.closed.append(self._paths)


class _AsReceived(StatusAndHeaders):
    """An HTTP head written as the bytes it came in (header values are latin-1 decoded bytes),
    not as warcio writes one: ASCII with non-ASCII values %-encoded, which changes them, and
    which raises for a value with a ';' and a non-ASCII byte outside a name="value" pair
    (`Link: <http://h/café>; rel=preload`): that killed the archive, and the crawl with it."""

    def compute_headers_buffer(self, header_filter=None):
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def _header_list(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers for value in values
            if name.decode("latin-1").lower() not in _TRANSFER_HEADERS]


def _response_head(exchange: Exchange) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(exchange.status).phrase
    except ValueError:
        reason = ""
    headers = _header_list(exchange.response_headers)
    # The body is stored as received, after the transfer coding: its length is the record's.
    headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
    headers.append(("Content-Length", str(len(exchange.body))))
    return _AsReceived(f"{exchange.status} {reason}".rstrip(), headers, protocol=exchange.protocol or "HTTP/1.1")


def _request_head(exchange: Exchange) -> StatusAndHeaders:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = _header_list(exchange.request_headers)
    if not any(n.lower() == "host" for n, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return _AsReceived(f"{exchange.method} {target} HTTP/1.1", headers, is_http_request=True)
