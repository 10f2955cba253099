"""Responses read back from WARC files, through warcio: ours or any other tool's.

`archive_files(paths)` finds the files (a folder gives its `.warc.gz` and `.warc` files, not
hidden ones: a temporary file of a crawl in progress is not part of any archive).
`responses(path, start, end)` yields the HTTP responses whose records start in that byte
range, bodies decoded as the crawl saw them (the chunked coding undone, then content codings
by Scrapy's own decoders: crawler.middlewares.compression), with the record's WARC-Date.
`chunks(path, size)` cuts a file into such ranges so that several processes can read one
file: a file gzipped record by record (as WARC files should be) can be entered at any gzip
member; any other file is one range. The same property makes damage
local: a damaged record of such a file costs that record, not the rest of the file.

Speed: warcio's record parser reads headers line by line in Python, ~150 µs a page, as much as
a third of extracting the page. A file gzipped record by record (ours, and most crawlers')
is read here a gzip member at a time, each member one record, with its headers split by
bytes methods; a member that is not exactly one record, and every other kind of file, is
read by warcio's ArchiveIterator.
"""
from __future__ import annotations

import gzip
import re
import zlib
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Iterator, NamedTuple

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.timeutils import iso_date_to_datetime

from crawler.archive import STARTED_ON, is_warc
from crawler.archive.files import REQUESTED_URI
from crawler.discovery import is_question_url
from crawler.inputs import files_in
from crawler.middlewares.compression import UndecodableBody, decode_body

_GZIP_MAGIC = b"\x1f\x8b\x08"
_PROBE = 1 << 20  # bytes read to see whether a file is gzipped record by record
_FIELD = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.M)
_HTTP_SCHEMES = ("http:", "https:")  # URIs whose response records hold HTTP (warcio's rule)
_FEED = 16 * 1024  # compressed bytes given to zlib at a time (it copies what is left past a member)


class ArchivedResponse(NamedTuple):
    url: str
    status: int
    fetched_at: datetime  # the record's WARC-Date, UTC
    body: bytes
    content_type: str | None = None  # the response's Content-Type (its charset reads non-UTF-8 bytes)
    error: str | None = None  # why the crawl could not have read its body ("undecodable body ...")
    requested_url: str | None = None  # the URL the crawl asked for, when redirects led to `url`

    @property
    def asked(self) -> str:
        """The URL the crawl asked for: the question the response stands for."""
        return self.requested_url or self.url

    def is_question(self) -> bool:
        """Whether the crawl asked for a question page (moved or not: a redirect is followed)."""
        return is_question_url(self.url) or is_question_url(self.asked)


def archive_files(paths) -> tuple[list[Path], list[str]]:
    """(WARC files, one error line per path that gives none), files of a folder sorted."""
    return files_in(paths, lambda f: is_warc(f.name), ".warc.gz or .warc")


def without_copies(files: list[Path]) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """(the files, each read once: a copy of one under another name, the same size and first
    record, is left out; [(copy, the file it copies)]). A WARC record's id is unique to it."""
    first: dict[tuple, Path] = {}
    kept, copies = [], []
    for path in files:
        key = (_size(path), _first_record_id(path))
        if None not in key and key in first:
            copies.append((path, first[key]))
            continue
        first.setdefault(key, path)
        kept.append(path)
    return kept, copies


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was listed: its reading reports it
        return None


def _first_record_id(path: Path) -> str | None:
    try:
        with open(path, "rb") as stream:
            return next(iter(ArchiveIterator(stream))).rec_headers.get_header("WARC-Record-ID")
    except Exception:  # unreadable: read as it is (its damage is reported there)
        return None


def _raise(offset: int, error: Exception) -> None:
    raise error


def responses(path: str | Path, start: int = 0, end: int | None = None, on_damage=_raise) -> Iterator[ArchivedResponse]:
    """The HTTP responses of the records that start in [start, end) of the file.

    `on_damage(offset, error)`: in a file gzipped record by record, a damaged record (bytes
    that do not inflate, a member cut off, a header that cannot be read) is reported and passed
    over, and reading goes on at the next record. By default, and in any other layout, where
    no next record can be found, the damage is raised: what was read before it stands."""
    with open(path, "rb") as stream:
        if start:
            start = _next_member(stream, start, end)
            if start is None:
                return
        if _gzipped_by_record(path):
            for offset, member in _members(stream, start, end, on_damage):
                try:
                    response = _response(member)
                    if response is _NOT_ONE_RECORD:  # records warcio splits (several, bare newlines)
                        response = list(_warcio_responses(BytesIO(member), 0, None))
                except Exception as error:  # a record whose header cannot be read (a date, a length)
                    on_damage(offset, error)
                    continue
                if response is _NOT_ALIGNED:  # members are not records after all: warcio reads the rest
                    yield from _warcio_responses(stream, offset, end)
                    return
                if isinstance(response, list):
                    yield from response
                elif response is not None:
                    yield response
        elif stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC:  # gzipped whole: one range, inflated as a stream
            with gzip.open(path, "rb") as inflated:
                yield from _warcio_responses(inflated, 0, None)
        else:
            yield from _warcio_responses(stream, start, end)


_CRAWL_ID_START = re.compile(r"(\d{8}T\d{6}Z)-")  # pipelines.session.new_crawl_id


class Crawl(NamedTuple):
    """The crawl a file's responses belong to: its start, what names it, and how often it
    tried a page again after a 5xx or a cut-off page, and after a block page, and which HTTP
    statuses it retried (None: not said)."""
    started: datetime
    name: str
    retry_times: int | None = None
    block_retry_times: int | None = None
    retry_http_codes: frozenset[int] | None = None
    start_urls: tuple[str, ...] = ()  # what it was started on (its warcinfo's description)


def crawl_of(path: str | Path) -> Crawl:
    """The crawl named by the file's first record when it is a warcinfo record with a
    `crawl-id` (ours: every file of a crawl opens so, and the id starts with its start time);
    else the file alone, started at its first record's WARC-Date."""
    try:
        with open(path, "rb") as stream:
            record = next(iter(ArchiveIterator(stream)))
            started = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date") or "", tz_aware=True)
            fields = record.content_stream().read(64 * 1024) if record.rec_type == "warcinfo" else b""
    except Exception:  # no first record to read, or no file now (the readers report it): the file alone
        return Crawl(datetime.min.replace(tzinfo=timezone.utc), str(path))
    info = dict(line.partition(":")[::2] for line in fields.decode("utf-8", "replace").splitlines())
    info = {key.strip().lower(): value.strip() for key, value in info.items()}
    name = info.get("crawl-id")
    if not name:
        return Crawl(started, str(path))
    if m := _CRAWL_ID_START.match(name):
        try:
            started = datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:  # shaped like ours, not a date: the warcinfo's date stands
            pass
    description = info.get("description", "")
    start_urls = tuple(description[len(STARTED_ON):].split()) if description.startswith(STARTED_ON) else ()
    return Crawl(started, name, _count(info.get("retry-times")), _count(info.get("block-retry-times")),
                 _codes(info.get("retry-http-codes")), start_urls)


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 6 else None


def _codes(value: str | None) -> frozenset[int] | None:
    """"500,502" -> {500, 502}; "" (none retried) -> {}; None (not said) -> None."""
    if value is None:
        return None
    return frozenset(code for code in map(_count, (part.strip() for part in value.split(","))) if code is not None)


def error_text(error: Exception, limit: int = 200) -> str:
    """`Type: message` of a read error, on one line of printable ASCII, at most `limit`
    characters (warcio quotes the first line of a file it cannot read: binary junk)."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)  # NUL, backspace: escaped
    text = text.encode("ascii", "backslashreplace").decode()
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _Layout:
    pass


_NOT_ONE_RECORD = _Layout()  # a member that starts a record but is not exactly one
_NOT_ALIGNED = _Layout()  # a member that does not start a record: gzip members are not records here


def _members(stream, start: int, end: int | None, on_damage) -> Iterator[tuple[int, bytes]]:
    """(offset, inflated bytes) of each gzip member that starts in [start, end); a damaged
    member goes to `on_damage`, and the next member that holds a record follows."""
    stream.seek(start)
    offset, pending = start, memoryview(b"")
    while end is None or offset < end:
        try:
            inflated, used, pending = _member(stream, offset, pending)
        except (zlib.error, EOFError) as error:
            on_damage(offset, error)
            offset = _next_member(stream, offset + 1, end)
            if offset is None:
                return
            stream.seek(offset)
            pending = memoryview(b"")
            continue
        if inflated is None:
            return
        yield offset, inflated
        offset += used


def _member(stream, offset: int, pending: memoryview) -> tuple[bytes | None, int, memoryview]:
    """(inflated bytes, compressed length, bytes read past it) of the gzip member at `offset`,
    whose first bytes are `pending` then the stream's; (None, 0, ...) at the end of the file."""
    member, parts, used = zlib.decompressobj(31), [], 0
    while not member.eof:
        if not pending:
            pending = memoryview(stream.read(1 << 20))
            if not pending:
                if used:
                    raise EOFError(f"gzip member cut off at byte {offset + used}")
                return None, 0, pending
        piece = pending[:_FEED]
        parts.append(member.decompress(piece))
        taken = len(piece) - len(member.unused_data)
        used += taken
        pending = pending[taken:]
    return b"".join(parts), used, pending


def _response(record: bytes):
    """The ArchivedResponse of one whole WARC record; None for other records; _NOT_ALIGNED
    when the bytes do not start a record; _NOT_ONE_RECORD when they are not exactly one, or
    hold a response this reader does not split as warcio does (HTTP headers not ended by
    CRLF CRLF): warcio reads those."""
    if not record.startswith(b"WARC/"):
        return _NOT_ALIGNED
    head_end = record.find(b"\r\n\r\n")
    if head_end < 0:
        return _NOT_ONE_RECORD
    fields = _fields(record[:head_end])
    try:
        length = int(fields.get(b"content-length", b""))
    except ValueError:
        return _NOT_ONE_RECORD
    block_end = head_end + 4 + length
    if len(record) < block_end or record[block_end:].strip(b"\r\n"):
        return _NOT_ONE_RECORD
    url = _target_uri(fields.get(b"warc-target-uri", b"").decode("utf-8", "replace"))
    # As warcio: any response record of an http(s) URI holds an HTTP response, whatever its
    # WARC Content-Type says (or its case: `Application/HTTP`), and one of no length none.
    if fields.get(b"warc-type") != b"response" or not url.startswith(_HTTP_SCHEMES) or not length:
        return None
    http_end = record.find(b"\r\n\r\n", head_end + 4, block_end)
    if http_end < 0:
        return _NOT_ONE_RECORD
    status_line, _, http_head = record[head_end + 4:http_end].partition(b"\r\n")
    status = status_line.split(None, 2)[1:2]
    requested = fields.get(REQUESTED_URI.lower().encode())
    return _as_crawled(url, int(status[0]) if status and status[0].isdigit() else 0,
                       iso_date_to_datetime(fields.get(b"warc-date", b"").decode("ascii", "replace"), tz_aware=True),
                       _FIELD.findall(http_head), record[http_end + 4:block_end],
                       requested.decode("utf-8", "replace") if requested else None)


def _as_crawled(url: str, status: int, fetched_at: datetime, headers: list[tuple[bytes, bytes]],
                body: bytes, requested_url: str | None = None) -> ArchivedResponse:
    """A response as the crawl read it: the transfer coding undone, then the content codings as
    Scrapy undoes them (crawler.middlewares.compression: br and zstd too, within DOWNLOAD_MAXSIZE;
    a body they do not decode is an `error`), and the last Content-Type sent, as Scrapy's
    Headers give it. `headers`: the HTTP head's (name, value) pairs, as they came."""
    def values(name: bytes) -> list[bytes]:
        return [value for key, value in headers if key.lower() == name]

    error = None
    if any(v.strip().lower() == b"chunked" for v in values(b"transfer-encoding")):
        body = ChunkedDataReader(BytesIO(body)).read()
    if encodings := values(b"content-encoding"):
        try:
            body = decode_body(body, encodings)
        except UndecodableBody as undecodable:
            body, error = b"", str(undecodable)
    content_type = values(b"content-type")
    return ArchivedResponse(url, status, fetched_at, body,
                            content_type[-1].decode("latin-1") if content_type else None, error, requested_url)


def _target_uri(uri: str) -> str:
    """The WARC-Target-URI as warcio's reader gives it: without the angle brackets Wget 1.19
    wrote around it, spaces percent-encoded."""
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    return uri.replace(" ", "%20")


def _fields(head: bytes) -> dict[bytes, bytes]:
    """Header lines (not the first) as {lower-case name: value}; the first of a repeated name wins."""
    fields: dict[bytes, bytes] = {}
    for name, value in _FIELD.findall(head):
        fields.setdefault(name.lower(), value)
    return fields


def _warcio_responses(stream, start: int, end: int | None) -> Iterator[ArchivedResponse]:
    stream.seek(start)
    records = ArchiveIterator(stream)
    for record in records:
        response = None
        if record.rec_type == "response" and record.http_headers is not None:
            status = record.http_headers.get_statuscode()
            response = _as_crawled(
                record.rec_headers.get_header("WARC-Target-URI"),
                int(status) if status and status.isdigit() else 0,
                iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"), tz_aware=True),
                [(name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
                 for name, value in record.http_headers.headers],
                record.raw_stream.read(),  # the payload as stored: _as_crawled undoes its codings
                record.rec_headers.get_header(REQUESTED_URI),
            )
        if end is not None and records.get_record_offset() >= end:
            return
        if response is not None:
            yield response


def chunks(path: str | Path, size: int) -> list[tuple[int, int | None]]:
    """Byte ranges of about `size` covering the file, for `responses(path, start, end)`."""
    total = Path(path).stat().st_size
    if total <= size or not _gzipped_by_record(path):
        return [(0, None)]
    starts = list(range(0, total, size))
    return [(start, starts[i + 1] if i + 1 < len(starts) else None) for i, start in enumerate(starts)]


def _gzipped_by_record(path) -> bool:
    """Whether the file's first gzip member ends before the file does, and another follows."""
    member = zlib.decompressobj(31)
    with open(path, "rb") as stream:
        head = stream.read(len(_GZIP_MAGIC))
        if head != _GZIP_MAGIC:
            return False
        data, read = head + stream.read(64 * 1024), 0
        while data and read < _PROBE:  # a first record bigger than this: read as one range
            try:
                member.decompress(data)
            except zlib.error:
                return False
            if member.eof:
                return member.unused_data[:1] == _GZIP_MAGIC[:1] or stream.read(1) == _GZIP_MAGIC[:1]
            read += len(data)
            data = stream.read(64 * 1024)
    return False


def _next_member(stream, start: int, end: int | None) -> int | None:
    """The offset of the first gzip member at or after `start` that holds a WARC record (and
    starts before `end`), or None. A match of the magic bytes inside compressed data does not
    inflate to a WARC header, so it is passed over."""
    position = start
    while end is None or position < end:
        stream.seek(position)
        window = stream.read(_PROBE)
        if len(window) < len(_GZIP_MAGIC):
            return None
        found = window.find(_GZIP_MAGIC)
        while found >= 0:
            offset = position + found
            if end is not None and offset >= end:
                return None
            stream.seek(offset)
            if _starts_record(stream.read(4096)):
                return offset
            found = window.find(_GZIP_MAGIC, found + 1)
        position += len(window) - len(_GZIP_MAGIC) + 1  # a magic cut by the window's end is read again
    return None


def _starts_record(data: bytes) -> bool:
    try:
        return zlib.decompressobj(31).decompress(data, 16).startswith(b"WARC/")
    except zlib.error:
        return False
