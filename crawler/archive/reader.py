"""Responses read back from WARC files, through warcio: ours or any other tool's.

`archive_files(paths)` finds the files (a folder gives its `.warc.gz` and `.warc` files, not
hidden ones: a temporary file of a crawl in progress is not part of any archive).
`responses(path, start, end)` yields the HTTP responses whose records start in that byte
range, bodies decoded as the crawl saw them (chunked and content codings undone), with the
record's WARC-Date. `chunks(path, size)` cuts a file into such ranges so that several
processes can read one file: a file gzipped record by record (as WARC files should be) can
be entered at any gzip member; any other file is one range.
"""
from __future__ import annotations

import zlib
from datetime import datetime
from pathlib import Path
from typing import Iterator, NamedTuple

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

SUFFIXES = (".warc.gz", ".warc")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_PROBE = 1 << 20  # bytes read to see whether a file is gzipped record by record


class ArchivedResponse(NamedTuple):
    url: str
    status: int
    fetched_at: datetime  # the record's WARC-Date, UTC
    body: bytes


def is_warc(path: str | Path) -> bool:
    return str(path).endswith(SUFFIXES)


def archive_files(paths) -> tuple[list[Path], list[str]]:
    """(WARC files, one error line per path that gives none), files of a folder sorted."""
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and is_warc(f.name) and not f.name.startswith("."))
            if not found:
                errors.append(f"{p}: no .warc.gz or .warc files in folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors


def responses(path: str | Path, start: int = 0, end: int | None = None) -> Iterator[ArchivedResponse]:
    """The HTTP responses of the records that start in [start, end) of the file."""
    with open(path, "rb") as stream:
        if start:
            start = _next_member(stream, start, end)
            if start is None:
                return
            stream.seek(start)
        records = ArchiveIterator(stream)
        for record in records:
            response = None
            if record.rec_type == "response" and record.http_headers is not None:
                status = record.http_headers.get_statuscode()
                response = ArchivedResponse(
                    record.rec_headers.get_header("WARC-Target-URI"),
                    int(status) if status and status.isdigit() else 0,
                    iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"), tz_aware=True),
                    record.content_stream().read(),
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
    with open(path, "rb") as stream:
        head = stream.read(_PROBE)
    if not head.startswith(_GZIP_MAGIC):
        return False
    member = zlib.decompressobj(31)
    try:
        member.decompress(head)
    except zlib.error:
        return False
    return member.eof and member.unused_data.startswith(_GZIP_MAGIC)


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
