"""Responses read back from WARC files, through warcio: ours or any other tool's.

`archive_files(paths)` finds the files (a folder gives its `.warc.gz` and `.warc` files, in any
case, not hidden ones: a temporary file of a crawl in progress is not part of any archive; the
entries it does not read that may be archives are named: crawler.inputs).
`responses(path, start, end)` yields the HTTP responses whose records start in that byte
range, bodies decoded as the crawl saw them (the chunked coding undone, trailer fields
included, then content codings by Scrapy's own decoders: crawler.middlewares.compression),
with the record's WARC-Date; `located` gives each with its record's offset, id and payload
digest, and reads revisit records too (ArchivedResponse.revisit); given the crawls in force
where it starts (`crawls_at_start`, Crawls), each with the crawl of the warcinfo record before
it (a file may hold several crawls).
`chunks(path, size)` cuts a file into such ranges so that several processes can read one
file: a file gzipped record by record (as WARC files should be) can be entered at any gzip
member; any other file is one range.

Damage is found and stays local, whatever the layout: every record is checked to be framed
as WARC frames it (a header, Content-Length bytes of block, a blank line, then the next
record's `WARC/` line or the end of the file), and a response or revisit record against its
WARC-Block-Digest (else its WARC-Payload-Digest) when it has one. A record that fails is
reported (`on_damage(offset, DamagedRecord)`, in words) and passed over, and reading goes on
at the next record: the next gzip member of a file gzipped record by record, the next
`WARC/` line after a blank line that starts a well-framed record in any other file. So is a
record any of whose fields cannot be read (a date out of datetime's years, a URI that is no
URL, whatever no check foresaw). A file gzipped whole gives every record inflated before a
break in its gzip stream, then raises the break; a file with no record at all raises so.

Speed: warcio's record parser reads headers line by line in Python, ~150 µs a page, as much as
a third of extracting the page. Records are split here by bytes methods (a file gzipped record
by record a gzip member at a time); warcio reads only what this splitter does not (HTTP heads
not ended by a blank line, gzip members that are not records).
"""
from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Iterator, NamedTuple
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.timeutils import iso_date_to_datetime

from crawler.archive import start_urls_of
from crawler.archive.files import END_URI, REQUESTED_URI
from crawler.containers import not_supported
from crawler.discovery import is_question_url
from crawler.inputs import WARCS, files_in, shown, too_big
from crawler.install import load_failure
from crawler.middlewares.compression import DamagedBody, UndecodableBody, decode_body

_GZIP_MAGIC = b"\x1f\x8b\x08"
_PROBE = 1 << 20  # bytes read to see whether a file is gzipped record by record
_FIELD = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.M)
_HTTP_SCHEMES = ("http:", "https:")  # URIs whose response records hold HTTP (warcio's rule)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986 3.1
_FEED = 16 * 1024  # compressed bytes given to zlib at a time (it copies what is left past a member)
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # what a WARC-Type is (RFC 9110's token)
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")
# An ISO 8601 ordinal date (extended or basic form), and what follows it (a time and zone)
_ORDINAL = re.compile(r"(?P<year>\d{4})-?(?P<day>\d{3})(?P<time>[Tt ].*)?")
# The time of an ISO 8601 date-time (extended or basic form, to the hour, minute or second, any
# fraction), with what comes before it (the date and its separator) and after it (the zone).
_ISO_TIME = re.compile(r"(?P<date>.+?[Tt ])(?P<hour>\d\d)(?:(?P<colon>:?)(?P<minute>\d\d)"
                       r"(?:(?P=colon)(?P<second>\d\d))?)?(?P<fraction>[.,]\d+)?(?P<zone>[Zz]|[+-].*)?")
_MAX_HEAD = 1 << 20  # a WARC header longer than this is no header: damage
_READ = 1 << 20  # bytes read at a time from an uncompressed stream
# A record's start after damage: a version line right after a blank line (the end of a record)
_RESUME = re.compile(rb"\n\r?\nWARC/\d")
# The revisit profiles of WARC 1.1 (6.7.2, 6.7.3; WARC 1.0 names them the same way)
NOT_MODIFIED = "server-not-modified"
IDENTICAL_PAYLOAD = "identical-payload-digest"


class DamagedRecord(ValueError):
    """A record that cannot be read as written, said in words a person can act on."""


class ArchivedResponse(NamedTuple):
    url: str
    status: int
    fetched_at: datetime  # the record's WARC-Date, UTC
    body: bytes
    content_type: str | None = None  # the response's Content-Type (its charset reads non-UTF-8 bytes)
    error: str | None = None  # why the crawl could not have read its body ("undecodable body ...")
    requested_url: str | None = None  # the URL the crawl asked for, when redirects led to `url`
    # A revisit record's profile (NOT_MODIFIED, IDENTICAL_PAYLOAD, or another's last path
    # segment); None for a response record. A revisit has no body of its own.
    revisit: str | None = None
    # Why its body is not all the server sent though it decoded: its content coding's stream
    # stopped short (CUT) or failed its check (damaged, body b""), as the crawl flagged it cut short.
    fault: str | None = None
    # A Content-Length came with it (a transfer that fell short of it is cut, a `fault` or no
    # record): its length is the server's word, so a page leaving its end tags out is whole
    # (crawler.discovery.listing_cut_off).
    length_vouched: bool = False

    @property
    def asked(self) -> str:
        """The URL the crawl asked for: the question the response stands for."""
        return self.requested_url or self.url

    def is_question(self) -> bool:
        """Whether the crawl asked for a question page (moved or not: a redirect is followed)."""
        return is_question_url(self.url) or is_question_url(self.asked)


class Located(NamedTuple):
    """A record read: where it starts, its WARC-Record-ID, its WARC-Payload-Digest (a revisit's:
    the payload it stands for) as `algorithm:hex` (None: none, or none this reader reads),
    and its response (None for a record that holds none)."""
    offset: int
    record_id: str | None
    payload_digest: str | None
    response: ArchivedResponse | None
    warcinfo_id: str | None = None  # its WARC-Warcinfo-ID: the warcinfo record of its crawl
    # A warcinfo record's: the crawl it names (its name "" when it names none); a response's,
    # as `located` gives it with `crawls`: the crawl it belongs to.
    crawl: Crawl | None = None
    end: dict | None = None  # a crawl's closing record's (crawler.archive.files.WarcFiles.end): how it ended


def archive_files(paths) -> tuple[list[Path], list[str], list[str]]:
    """(WARC files, one error line per path that gives none or file not read (a zstd-compressed
    archive, say), one line per entry of a folder not read: crawler.inputs.files_in), files of
    a folder sorted."""
    files, errors, passed_over = files_in(paths, (WARCS,))
    foreign = not_read(files)
    return [f for f in files if f not in foreign], errors + list(foreign.values()), passed_over


def not_read(files: list[Path]) -> dict[Path, str]:
    """{file: its error line} for each file in a container not read (crawler.containers), told
    from the bytes the reader's first look at the file reads (_opening): no second open."""
    return {f: f"{shown(f)}: {why}" for f in files if (why := _opening(f).not_supported)}


def without_copies(files: list[Path]) -> tuple[list[Path], list[tuple[Path, Path]], dict[Path, tuple[Path, frozenset]]]:
    """(the files to read, in the order to read them; [(copy, the file it copies)] left out;
    {file: (the file it repeats records of, the ids of those records)}), for each record to be
    read once: a WARC record's id is unique to it. Files that open with the same record (a copy
    under another name, `gunzip -k`'s output beside the file, a copy cut short) are compared
    record by record: the one holding the most records is read whole (the smaller file on a
    tie: read faster), another that holds no other record is a copy, and one that holds others
    too is read for those. Records held in files that open otherwise (a file of several joined
    by `cat`, a copy without its head) are read once by the reader of them (`crawler.reparse`,
    `crawler.extract`): files that open with a warcinfo record are read first, so that a
    record held in such a file and in a part of it that lost its warcinfo is read where its
    crawl is named."""
    groups: dict[str, list[Path]] = {}
    named: set[Path] = set()  # files that open with a warcinfo record
    for path in files:
        first = _first_record(path)
        if first is not None and first.record_id is not None:
            groups.setdefault(first.record_id, []).append(path)
        if first is not None and first.crawl is not None:
            named.add(path)
    left_out, repeats, copies = set(), {}, []
    for group in groups.values():
        if len(group) < 2:
            continue
        ids = {path: record_ids(path) for path in group}
        order = sorted(group, key=lambda path: (-len(ids[path]), _size(path) or 0))
        read: set[str] = set(ids[order[0]])
        for path in order[1:]:
            repeated = read.intersection(ids[path])
            if len(repeated) == len(set(ids[path])):
                copies.append((path, order[0]))
                left_out.add(path)
            elif repeated:
                repeats[path] = (order[0], frozenset(repeated))
            read.update(ids[path])
    kept = [path for path in files if path not in left_out]
    return sorted(kept, key=lambda path: path not in named), copies, repeats


def copy_words(path, sources: dict, own: int, what: str = "records") -> str:
    """What is said, once, of a file holding records read from other files ({file: how many of
    `what`}): a copy when it holds none of its own (`own`), else what it repeats."""
    named = ", ".join(map(shown, sources))
    if not own and len(sources) == 1:
        return f"{shown(path)} is a copy of {named}: read once"
    return f"{shown(path)} repeats {sum(sources.values())} {what} of {named}: each read once"


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was listed: its reading reports it
        return None


def _first_record(path: Path) -> Located | None:
    try:
        return next(_records(path, parse=False, on_damage=_stop))
    except Exception:  # unreadable: read as it is (its damage is reported there)
        return None


def record_ids(path: Path) -> list[str]:
    """The ids of the records of a file that can be read, in file order."""
    try:
        return [r.record_id for r in _records(path, parse=False, on_damage=_ignore) if r.record_id]
    except Exception:  # damage with nothing readable after it: what was read before it
        return []


def _raise(offset: int, error: Exception) -> None:
    raise error


def _ignore(offset: int, error: Exception) -> None:
    pass


class _Stop(Exception):
    pass


def _stop(offset: int, error: Exception) -> None:
    raise _Stop


def responses(path: str | Path, start: int = 0, end: int | None = None, on_damage=_raise) -> Iterator[ArchivedResponse]:
    """The HTTP responses of the response records that start in [start, end) of the file.

    `on_damage(offset, error)`: a damaged record (bytes that do not inflate, a member cut off,
    a header that cannot be read, a block whose length or digest does not hold) is reported
    and passed over, and reading goes on at the next record. By default, and where no next
    record can be found (a file gzipped whole whose gzip stream breaks), the damage is
    raised: what was read before it stands."""
    for record in located(path, start, end, on_damage):
        if record.response.revisit is None:
            yield record.response


def located(path: str | Path, start: int = 0, end: int | None = None, on_damage=_raise,
            crawls: Crawls | None = None, ends: list | None = None, named: set | None = None) -> Iterator[Located]:
    """`responses`, revisit records' included, each with where its record starts, its id and
    digest; with `crawls` (those in force at `start`: `crawls_at_start`'s, or where the read of
    the range before this one ended), each with the crawl it belongs to, `crawls` kept up to
    date as the range's warcinfo records are read; with `ends`, the closing records of crawls
    (what each says) appended to it, and with `named` the crawl ids warcinfo records name (ours)
    added to it."""
    for record in _records(path, start, end, on_damage):
        if record.response is not None:
            yield record if crawls is None else record._replace(crawl=crawls.of(record))
        elif record.crawl is not None:  # a warcinfo record
            if named is not None and record.crawl.name:
                named.add(record.crawl.name)
            if crawls is not None:
                crawls.read(record, path)
        elif record.end is not None and ends is not None:
            ends.append(record.end)


def response_at(path: str | Path, offset: int, payload_digest: str) -> ArchivedResponse | None:
    """The response of the record at `offset` with that payload digest (what `located` gave),
    read again; None when it cannot be read now."""
    try:
        return next((r.response for r in located(path, offset, offset + 1, _ignore)
                     if r.payload_digest == payload_digest and r.response.revisit is None), None)
    except Exception:  # damaged since, or gone
        return None


def _records(path: str | Path, start: int = 0, end: int | None = None, on_damage=_raise,
             parse: bool = True) -> Iterator[Located]:
    """Every record that starts in [start, end): its response read when `parse` (else only
    its place and id)."""
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        found = 0  # records read and damage reported: a whole file with neither holds no record

        def reported(offset: int, error: Exception) -> None:
            nonlocal found
            found += 1
            on_damage(offset, error)

        for record in _laid_out(path, stream, start, end, reported, parse, size):
            found += 1
            yield record
        if not found and start == 0 and (end is None or end >= size):
            raise DamagedRecord("unreadable: no WARC record in it (an empty file, or a copy cut to nothing?)")


def _laid_out(path, stream, start: int, end: int | None, on_damage, parse: bool, size: int) -> Iterator[Located]:
    """_records by the file's layout."""
    if _opening(path).by_record:
        if start:
            start = _next_member(stream, start, end)
            if start is None:
                return
        yield from _member_records(stream, start, end, on_damage, parse)
    elif stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC:  # gzipped whole: one range, inflated as a stream
        stream.seek(0)
        yield from _inflated_records(stream, start, end, on_damage, parse)
    else:
        yield from _read_records(_plain_records(stream, start, end, on_damage, size), on_damage, parse)


def _member_records(stream, start: int, end: int | None, on_damage, parse: bool) -> Iterator[Located]:
    """The records of a file gzipped record by record: each gzip member one record (or, as
    some tools write them, several: split here, each reported at its member's offset)."""
    for offset, member in _members(stream, start, end, on_damage):
        frame = _frame(member)
        if frame is _NOT_ALIGNED:  # members are not records after all: warcio reads the rest
            yield from _warcio_records(stream, offset, end, on_damage)
            return
        if frame is _NOT_ONE_RECORD:
            def at_member(_, error, offset=offset):
                on_damage(offset, error)
            parts = ((offset, *framed) for _, *framed in _plain_records(BytesIO(member), 0, None, at_member))
        else:
            parts = [(offset, member, frame)]
        yield from _read_records(parts, on_damage, parse)


def _inflated_records(stream, start: int, end: int | None, on_damage, parse: bool) -> Iterator[Located]:
    """The records of a file gzipped whole (offsets in its inflated data): every record inflated
    before a break in its gzip stream, then the break raised, as the rest of the file is lost."""
    inflated, cut = _Inflating(stream), []

    def damaged(offset: int, error: Exception) -> None:
        if inflated.broken is None:
            on_damage(offset, error)
        else:  # a record the break cut short: the break says it
            cut.append(offset)

    yield from _read_records(_plain_records(inflated, start, end, damaged), on_damage, parse)
    if inflated.broken is not None:
        raise DamagedRecord(f"unreadable from byte {cut[0] if cut else inflated.tell()} of its inflated data on: "
                            f"{_gzip_words(inflated.broken)}, and a file gzipped whole cannot be read on past that")


class _Inflating:
    """A gzip stream inflated as it is read (member after member; zero bytes after a member are
    padding, as gzip reads them). Where the gzip data breaks (bytes that do not inflate, a
    member cut off), it ends, every byte inflated before the break given, and `broken` says why:
    gzip's own reader loses what it inflated in the read that fails."""

    def __init__(self, raw):
        self.raw, self.position, self.data, self.broken = raw, 0, bytearray(), None
        self.member, self.started, self.input = zlib.decompressobj(31), False, b""

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int) -> None:
        """Forward only (a range's start): what lies before it is inflated and dropped."""
        while self.position < offset and self.read(min(offset - self.position, _READ)):
            pass

    def read(self, size: int) -> bytes:
        while len(self.data) < size and self._inflate():
            pass
        out = bytes(self.data[:size])
        del self.data[:size]
        self.position += len(out)
        return out

    def _inflate(self) -> bool:
        """Inflate some more into `data`; False at the end of the data or at a break."""
        if self.broken is not None:
            return False
        if not self.input:
            self.input = self.raw.read(_FEED)
            if not self.input:
                if self.started:
                    self.broken = EOFError("gzip member cut off")
                return False
        if not self.started:  # between members: zero padding, then the next member's bytes
            self.input = self.input.lstrip(b"\0")
            if not self.input:
                return True
        piece, self.input, self.started = self.input, b"", True
        before = self.member.copy()
        try:
            self.data += self.member.decompress(piece)
        except zlib.error as error:  # inflate it again a byte at a time: what precedes the break is given
            self.member, self.broken = before, error
            for at in range(len(piece)):
                try:
                    self.data += self.member.decompress(piece[at:at + 1])
                except zlib.error:
                    break
            return False
        if self.member.eof:
            self.input = self.member.unused_data
            self.member, self.started = zlib.decompressobj(31), False
        return True


def _read_records(records, on_damage, parse: bool) -> Iterator[Located]:
    """(offset, record, its _frame) -> each record read; a damaged one to `on_damage`: any
    failure to read one record's fields is that record's damage, the records after it read."""
    for offset, record, frame in records:
        try:
            read = _located(offset, record, frame, parse)
        except DamagedRecord as error:
            on_damage(offset, error)
            continue
        except Exception as error:  # a value none of the checks foresaw: still this record's alone
            on_damage(offset, DamagedRecord(f"its header cannot be read ({error_text(error, 120)})"))
            continue
        yield read


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


@dataclass
class Crawls:
    """The crawls of a file's records at a place in it: the warcinfo records read before it
    ({WARC-Record-ID: Crawl}), and the one in force (the last of them, else the file alone). A
    record belongs to the warcinfo its WARC-Warcinfo-ID names, else to the one in force: a file
    of several crawls (`cat day0.warc.gz day1.warc.gz`) holds each crawl's records after its
    own warcinfo."""
    current: Crawl
    named: dict[str, Crawl] = field(default_factory=dict)

    def of(self, record: Located) -> Crawl:
        return self.named.get(record.warcinfo_id, self.current) if record.warcinfo_id else self.current

    def read(self, warcinfo: Located, path) -> None:
        """A warcinfo record read at its place in the file: the crawl of what follows it. One
        that names no crawl (another tool's) is a crawl of its own: the file alone, from it on."""
        crawl = warcinfo.crawl
        if not crawl.name:
            crawl = crawl._replace(name=str(path) if warcinfo.offset == 0 else f"{path}@{warcinfo.offset}")
        self.current = crawl
        if warcinfo.record_id:
            self.named[warcinfo.record_id] = crawl

    def copy(self) -> Crawls:
        return Crawls(self.current, dict(self.named))


def crawl_of(path: str | Path) -> Crawl:
    """The crawl named by the file's first record when it is a warcinfo record with a
    `crawl-id` (ours: every file of a crawl opens so, and the id starts with its start time);
    else the file alone, started at its first record's WARC-Date."""
    return crawls_at_start(path).current


def crawls_at_start(path: str | Path) -> Crawls:
    """The crawls in force once the file's first record is read (`crawl_of`'s, and the
    warcinfo record naming it): those of a range of the file read before the ranges before it."""
    try:
        with open(path, "rb") as stream:
            record = next(iter(ArchiveIterator(stream)))
            date = (record.rec_headers.get_header("WARC-Date") or "").encode("latin-1", "replace")
            if record.rec_type != "warcinfo":
                return Crawls(Crawl(_warc_date(date), str(path)))
            crawl = _warcinfo_crawl(record.content_stream().read(64 * 1024), date)
            record_id = record.rec_headers.get_header("WARC-Record-ID")
    except Exception:  # no first record to read, or no file now (the readers report it): the file alone
        return Crawls(Crawl(datetime.min.replace(tzinfo=timezone.utc), str(path)))
    crawl = crawl._replace(name=crawl.name or str(path))
    return Crawls(crawl, {record_id: crawl} if record_id else {})


def _warcinfo_crawl(fields: bytes, date: bytes | None) -> Crawl:
    """The crawl a warcinfo record names by its block (`crawl-id`, what it retried, what it was
    started on), started when its crawl id says (ours), else at its WARC-Date; named "" when
    it names none (another tool's: the file alone)."""
    try:
        started = _warc_date(date)
    except (DamagedRecord, ValueError, OverflowError):  # a warcinfo's date is no response's: the oldest
        started = datetime.min.replace(tzinfo=timezone.utc)
    info = dict(line.partition(":")[::2] for line in fields[:64 * 1024].decode("utf-8", "replace").splitlines())
    info = {key.strip().lower(): value.strip() for key, value in info.items()}
    name = info.get("crawl-id")
    if not name:
        return Crawl(started, "")
    if m := _CRAWL_ID_START.match(name):
        try:
            started = datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:  # shaped like ours, not a date: the warcinfo's date stands
            pass
    return Crawl(started, name, _count(info.get("retry-times")), _count(info.get("block-retry-times")),
                 _codes(info.get("retry-http-codes")), start_urls_of(info.get("description", "")))


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 6 else None


def _codes(value: str | None) -> frozenset[int] | None:
    """"500,502" -> {500, 502}; "" (none retried) -> {}; None (not said) -> None."""
    if value is None:
        return None
    return frozenset(code for code in map(_count, (part.strip() for part in value.split(","))) if code is not None)


def error_text(error: Exception, limit: int = 200) -> str:
    """A read error on one line of printable ASCII, at most `limit` characters (warcio quotes
    the first line of a file it cannot read: binary junk): a damaged record's reason as it
    is said, a file that cannot be opened by the system's words, anything else `Type: message`."""
    if isinstance(error, (DamagedRecord, ArchiveLoadFailed)):
        text = str(error)
    elif machine := load_failure(error):  # memory or a thread: the machine's want, not the archive's
        text = machine
    elif isinstance(error, OSError) and error.strerror:
        text = error.strerror + (f": {shown(error.filename)}" if error.filename else "")
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)  # NUL, backspace: escaped
    text = text.encode("ascii", "backslashreplace").decode()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def unreadable_from(start: int, error: Exception) -> str:
    """What a read that stopped lost, in words: where a damaged file stops being readable (the
    damage says, or the range read from `start`), and why."""
    if isinstance(error, DamagedRecord) and str(error).startswith("unreadable"):
        return error_text(error, 300)
    return f"unreadable from byte {start} on ({error_text(error)})"


class _Layout:
    pass


_NOT_ONE_RECORD = _Layout()  # bytes that start a record but are not exactly one
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
            on_damage(offset, DamagedRecord(_gzip_words(error)))
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


def _gzip_words(error: Exception) -> str:
    if isinstance(error, EOFError):
        return "its gzip data is cut off"
    detail = str(error).rpartition(": ")[2]  # zlib's "Error -3 while decompressing data: invalid block type"
    return f"its gzip data does not inflate ({detail})" if detail else "its gzip data does not inflate"


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


# splitting records --------------------------------------------------------------------


class _Buffer:
    """The bytes of a stream from `offset` on, read as far as they are asked for."""

    def __init__(self, stream, offset: int, size: int | None = None):
        self.stream, self.offset, self.data, self.eof = stream, offset, bytearray(), False
        self.size = size  # the file's: a Content-Length past it is damage found without reading the file into memory

    def past_end(self, size: int) -> int:
        """How many of `size` bytes from here are past the end of the file (0: none, or not known)."""
        return max(0, self.offset + size - self.size) if self.size is not None else 0

    def fill(self, size: int) -> bool:
        """Whether `size` bytes from here can be had (read as needed)."""
        while len(self.data) < size and not self.eof:
            more = self.stream.read(max(size - len(self.data), _READ))
            if more:
                self.data += more
            else:
                self.eof = True
        return len(self.data) >= size

    def drop(self, size: int) -> None:
        del self.data[:size]
        self.offset += size

    def skip_newlines(self) -> None:
        while self.fill(1):
            head = self.data[:64]  # (not the whole buffer: lstrip copies what it keeps)
            newlines = len(head) - len(head.lstrip(b"\r\n"))
            self.drop(newlines)
            if newlines < len(head):
                return


def _plain_records(stream, start: int, end: int | None, on_damage,
                   size: int | None = None) -> Iterator[tuple[int, bytes, tuple]]:
    """(offset, bytes, _frame) of each record of an uncompressed WARC stream that starts in [start,
    end), each framed as WARC frames it (_framed). A record that is not goes to `on_damage`,
    and reading goes on at the next `WARC/` line after a blank line that starts one that is;
    each damaged place is reported once."""
    stream.seek(start)
    buffer, resuming = _Buffer(stream, start, size), False
    while True:
        buffer.skip_newlines()
        if not buffer.data or end is not None and buffer.offset >= end:
            return
        try:
            size, followed, frame = _framed(buffer)
            if not followed and not _block_intact(bytes(buffer.data[:size]), frame):
                raise DamagedRecord(_NOT_FOLLOWED)
        except DamagedRecord as error:
            if not resuming:
                on_damage(buffer.offset, error)
            resuming = True
            if not _resume(buffer):
                return
            continue
        resuming = False
        record = bytes(buffer.data[:size])
        buffer.drop(size)
        yield buffer.offset - size, record, frame
        if not followed:  # the record is whole (its digest says so): what follows it is damaged
            on_damage(buffer.offset, DamagedRecord("no WARC record starts here (bytes lost, added or changed)"))
            resuming = True
            if not _resume(buffer):
                return


def _framed(buffer: _Buffer) -> tuple[int, bool, tuple]:
    """(the length of the record at the start of the buffer: its header, its Content-Length
    bytes of block and the newlines after them; whether the next record's `WARC/` line or the
    end of the file follows; its _frame). DamagedRecord, in words, when there is no such record."""
    head = None
    while head is None:
        head = _blank_line(buffer.data, 0, _MAX_HEAD)
        if head is None and (len(buffer.data) >= _MAX_HEAD or not buffer.fill(len(buffer.data) + 1)):
            cut = buffer.eof and len(buffer.data) < _MAX_HEAD
            raise DamagedRecord("the file ends inside a WARC header" if cut and buffer.data.startswith(b"WARC/")
                                else "no WARC record starts here (its header is damaged or missing)")
    if not buffer.data.startswith(b"WARC/"):
        raise DamagedRecord("no WARC record starts here (its header is damaged or missing)")
    fields = _fields(bytes(buffer.data[:head[0]]))
    block_end = head[1] + _length(fields)
    if buffer.past_end(block_end) or not buffer.fill(block_end):
        missing = buffer.past_end(block_end) or block_end - len(buffer.data)
        raise DamagedRecord(f"the file ends {missing} bytes before the end of the record its Content-Length "
                            f"gives (cut short, or a length that is wrong)")
    after = block_end
    while buffer.fill(after + 1) and buffer.data[after] in b"\r\n":
        after += 1
    followed = not buffer.fill(after + 1) or buffer.fill(after + 5) and buffer.data[after:after + 5] == b"WARC/"
    return after, followed, (fields, head[1], block_end)


_NOT_FOLLOWED = ("its Content-Length does not end where the next record begins "
                 "(bytes lost, added or changed in its header or block)")


def _block_intact(record: bytes, frame: tuple) -> bool:
    """Whether a record's block matches its WARC-Block-Digest (False without one: it cannot say)."""
    fields, block_start, block_end = frame
    digest = _digest_value(fields.get(b"warc-block-digest"))
    return digest is not None and _digest_matches(digest, record[block_start:block_end])


def _length(fields: dict[bytes, bytes]) -> int:
    value = fields.get(b"content-length")
    if value is None:
        raise DamagedRecord("its WARC header has no Content-Length (the header is damaged)")
    if not value.isdigit():
        raise DamagedRecord(f"its Content-Length is no number ({value[:40].decode('latin-1')!r})")
    return int(value)


def _resume(buffer: _Buffer) -> bool:
    """Move the buffer to the next `WARC/` line that follows a blank line; False at the end."""
    searched = 1  # not the record that failed
    while True:
        found = _RESUME.search(buffer.data, searched)
        if found:
            buffer.drop(found.end() - 6)  # the "WARC/" of the match
            return True
        searched = max(1, len(buffer.data) - 8)  # a match cut by the end of what is read is found again
        if not buffer.fill(len(buffer.data) + _READ):
            return False
        if searched > _READ:  # what was searched is of no more use
            buffer.drop(searched - 1)
            searched = 1


def _frame(record: bytes):
    """(fields, block start, block end) of bytes that are exactly one record; _NOT_ALIGNED
    when they do not start a record, _NOT_ONE_RECORD when they are not one (split them)."""
    if not record.startswith(b"WARC/"):
        return _NOT_ALIGNED
    head = _blank_line(record, 0, _MAX_HEAD)
    if head is None:
        return _NOT_ONE_RECORD
    fields = _fields(record[:head[0]])
    value = fields.get(b"content-length", b"")
    if not value.isdigit():
        return _NOT_ONE_RECORD
    block_end = head[1] + int(value)
    if len(record) < block_end or record[block_end:].strip(b"\r\n"):
        return _NOT_ONE_RECORD
    return fields, head[1], block_end


def _blank_line(data, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """(start, end) of the first blank line in data[start:end], the end of a header: CRLF CRLF,
    or bare newlines as warcio takes them; None when there is none. (bytes.find: a regex costs
    ten times as much, a tenth of reading a page.)"""
    end = len(data) if end is None else min(end, len(data))
    window = 4096  # headers are short: a bare newline pair is not looked for through a whole body
    while True:
        stop = min(end, start + window)
        bare, crlf = data.find(b"\n\n", start, stop), data.find(b"\n\r\n", start, stop)
        at = min(bare, crlf) if bare >= 0 and crlf >= 0 else max(bare, crlf)
        if at >= 0:
            return (at - 1 if at > start and data[at - 1] == 13 else at), at + (2 if at == bare else 3)
        if stop >= end:
            return None
        window *= 8


# reading a record ---------------------------------------------------------------------


def _located(offset: int, record: bytes, frame: tuple, parse: bool) -> Located:
    """The record (exactly one, its _frame) read: DamagedRecord when its header, digests or date do not hold."""
    fields, block_start, block_end = frame
    record_id, kind = fields.get(b"warc-record-id"), fields.get(b"warc-type")
    if not record_id or not kind or not _TOKEN.fullmatch(kind):  # fields every record has (WARC 1.1, 5)
        missing = "WARC-Record-ID" if not record_id else "WARC-Type"
        raise DamagedRecord(f"its WARC header has no {missing} it can read (the header is damaged)")
    record_id = record_id.decode("latin-1")
    if kind == b"warcinfo":  # the crawl of the records after it (Crawls), whatever is parsed
        return Located(offset, record_id, None, None, None,
                       _warcinfo_crawl(record[block_start:block_end], fields.get(b"warc-date")))
    url = _target_uri(fields.get(b"warc-target-uri", b"").decode("utf-8", "replace"))
    if kind == b"metadata" and url.startswith(END_URI):
        return Located(offset, record_id, None, None, end=_crawl_end(record[block_start:block_end]))
    # As warcio: any response record of an http(s) URI holds an HTTP response, whatever its
    # WARC Content-Type says (or its case: `Application/HTTP`), and one of no length none.
    if not parse or kind not in (b"response", b"revisit") or not url.startswith(_HTTP_SCHEMES):
        return Located(offset, record_id, None, None)
    block = record[block_start:block_end]
    if kind == b"response" and not block:
        return Located(offset, record_id, None, None)
    _check_url(url, "WARC-Target-URI")
    head = _blank_line(block)
    payload_digest = _digest_value(fields.get(b"warc-payload-digest"))  # read once: checked, then the record's key
    _check_digests(_digest_value(fields.get(b"warc-block-digest")), payload_digest, block,
                   head[1] if head and kind == b"response" else None)
    digest = _digest_key(payload_digest)
    fetched_at = _warc_date(fields.get(b"warc-date"))
    requested = fields.get(REQUESTED_URI.lower().encode())
    requested = _requested(requested.decode("utf-8", "replace") if requested else None)
    warcinfo = fields.get(b"warc-warcinfo-id")
    warcinfo = warcinfo.decode("latin-1") if warcinfo else None
    if kind == b"revisit":
        return Located(offset, record_id, digest, _revisit(fields, url, fetched_at, block, head, requested), warcinfo)
    if head is None or block[head[0]:head[1]] != b"\r\n\r\n":
        # HTTP headers not ended by CRLF CRLF, which this splitter does not read as warcio does: warcio reads the record
        response = next(_warcio_responses(BytesIO(record), 0, None), None)
        return Located(offset, record_id, digest, response, warcinfo)
    status_line, _, http_head = block[:head[0]].partition(b"\n")
    return Located(offset, record_id, digest,
                   _as_crawled(url, _status(status_line), fetched_at, _FIELD.findall(http_head), block[head[1]:],
                               requested), warcinfo)


def _crawl_end(block: bytes) -> dict:
    """What a crawl's closing record says (crawler.archive.files.WarcFiles.end)."""
    try:
        end = json.loads(block)
    except ValueError:
        end = None
    if not isinstance(end, dict) or not isinstance(end.get("crawl-id"), str) or not isinstance(end.get("status"), str):
        raise DamagedRecord("a crawl's closing record that does not say which crawl ended, and how")
    return end


def _check_url(url: str, field: str) -> str:
    """The URL of a record's field, DamagedRecord when it is none a crawl could have asked
    for (a broken IPv6 host, a port that is no port): every rule that reads URLs refuses it."""
    try:
        urlsplit(url).port
    except ValueError as error:
        raise DamagedRecord(f"its {field} is no URL ({url[:60]!r}: {error})") from None
    return url


def _requested(url: str | None) -> str | None:
    """The URL the crawl asked for (its redirects' start), read as the target URI is."""
    return _check_url(_target_uri(url), REQUESTED_URI) if url else None


def _status(status_line: bytes) -> int:
    status = status_line.split(None, 2)[1:2]
    return int(status[0]) if status and status[0].isdigit() else 0


def _revisit(fields, url: str, fetched_at: datetime, block: bytes, head, requested: str | None) -> ArchivedResponse:
    """A revisit record as a response without a body: the HTTP head it keeps (a revisit of a
    304 answer keeps the 304's; none at all is a 304 for the server-not-modified profile), and
    its profile, by the last segment of its URI."""
    profile = fields.get(b"warc-profile", b"").decode("latin-1").rstrip("/").rpartition("/")[2] or "unknown"
    http_head = block[:head[0]] if head else block
    status_line, _, headers = http_head.partition(b"\n")
    status = _status(status_line) or (304 if profile == NOT_MODIFIED else 0)
    content_type = [value for name, value in _FIELD.findall(headers) if name.lower() == b"content-type"]
    return ArchivedResponse(url, status, fetched_at, b"", content_type[-1].decode("latin-1") if content_type else None,
                            None, requested, profile)


def _warc_date(value: bytes | None) -> datetime:
    """A WARC-Date as UTC: any ISO 8601 form (`Z`, `+00:00`, another offset, 0 to 9 fraction
    digits), and WARC 1.0's shorter ones (a date, a month, a year) as warcio reads them."""
    text = (value or b"").decode("ascii", "replace").strip()
    if not text:
        raise DamagedRecord("it has no WARC-Date")
    held, later = _within_datetime(_calendar_date(text))
    try:
        return _iso_date(held, text) + later
    except OverflowError:  # a date ISO 8601 names that is past datetime's years once in UTC
        raise DamagedRecord(f"its WARC-Date is out of the range of dates read ({text[:40]!r})") from None


def _calendar_date(text: str) -> str:
    """An ISO 8601 ordinal date (`2026-335`, `2026335`, a time after it or not) as the calendar
    date it names (datetime reads no ordinal date); anything else unchanged."""
    ordinal = _ORDINAL.fullmatch(text)
    if ordinal is None:
        return text
    year, day = int(ordinal["year"]), int(ordinal["day"])
    if not 1 <= day <= (366 if calendar.isleap(year) else 365) or year < 1:
        return text  # no such day: no date
    date = datetime(year, 1, 1) + timedelta(days=day - 1)
    return f"{date:%Y-%m-%d}" + (ordinal["time"] or "")


def _within_datetime(text: str) -> tuple[str, timedelta]:
    """The two ISO 8601 times Python's datetime cannot hold, as times it can, plus what to add:
    a leap second (`23:59:60`, any fraction) is read as `23:59:59.999999`, the last instant
    it can name before the next second (same day, same minute, so same partition and still
    ordered before the second after it); the end of a day (`24:00`, `24:00:00`, zero fraction
    or none) as the next day's `00:00:00` (what ISO 8601 says it is). Anything else unchanged."""
    time = _ISO_TIME.fullmatch(text)
    if time is None:
        return text, timedelta(0)
    hour, minute, second, fraction = time["hour"], time["minute"], time["second"], time["fraction"]
    if second == "60":
        return _iso_join(time, hour, minute, "59", ".999999"), timedelta(0)
    if hour == "24" and {minute or "00", second or "00"} == {"00"} and not (fraction or "0").strip(".,0"):
        return _iso_join(time, "00", minute, second, fraction), timedelta(days=1)
    return text, timedelta(0)


def _iso_join(time: re.Match, hour: str, minute: str | None, second: str | None, fraction: str | None) -> str:
    colon = time["colon"] or ""
    clock = hour + (colon + minute if minute else "") + (colon + second if second else "")
    return time["date"] + clock + (fraction or "") + (time["zone"] or "")


def _iso_date(text: str, said: str) -> datetime:
    """`text` (the WARC-Date `said`, as datetime can hold it) as UTC."""
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        try:
            if month := _YEAR_MONTH.fullmatch(text):  # W3C-DTF's (WARC 1.0's) year, year and month
                moment = datetime(int(month.group(1)), int(month.group(2) or 1), 1)
            else:
                moment = iso_date_to_datetime(text, tz_aware=True)
        except Exception:  # warcio's own errors (TypeError, ValueError) for what is no date
            raise DamagedRecord(f"its WARC-Date is no date ({said[:40]!r})") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _check_digests(block_digest, payload_digest, block: bytes, payload_start: int | None) -> None:
    """DamagedRecord when the block does not match its WARC-Block-Digest, or, without one, a
    response's payload its WARC-Payload-Digest (as stored, or once de-chunked: writers differ).
    Digests come as _digest_value read them: one of an algorithm or an encoding this reader does
    not know (None) is not checked."""
    if block_digest is not None:
        if not _digest_matches(block_digest, block):
            raise DamagedRecord("its block does not match its WARC-Block-Digest (bytes changed since it was written)")
        return
    if payload_start is None or payload_digest is None:
        return
    payload = block[payload_start:]
    if not _digest_matches(payload_digest, payload) and not _digest_matches(payload_digest, _dechunked(payload)):
        raise DamagedRecord("its payload does not match its WARC-Payload-Digest (bytes changed since it was written)")


def _digest_value(digest: bytes | None) -> tuple[str, bytes] | None:
    """(hashlib's name, the digest's bytes) of `algorithm:value`, the value in base 32, hex or
    base 64 (WARC leaves it open); None when it is none of those."""
    if not digest:
        return None
    algorithm, _, value = digest.decode("latin-1").strip().partition(":")
    algorithm = algorithm.strip().lower().replace("-", "")
    size = _digest_size(algorithm)
    if size is None:
        return None
    value = value.strip()
    for decode in (lambda v: _base32(v, size),
                   lambda v: bytes.fromhex(v),
                   lambda v: base64.b64decode(v + "=" * (-len(v) % 4), altchars=b"-_" if "-" in v or "_" in v else None)):
        try:
            raw = decode(value)
        except (ValueError, binascii.Error):
            continue
        if len(raw) == size:
            return algorithm, raw
    return None


@lru_cache(maxsize=64)
def _digest_size(algorithm: str) -> int | None:
    try:
        return hashlib.new(algorithm).digest_size or None  # 0: a length of one's choosing (shake_*), none to check
    except (ValueError, TypeError):
        return None


_BASE32 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz",
                          b"0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnop")


def _base32(value: str, size: int) -> bytes:
    """RFC 4648 base 32 (padding optional, any case) of a `size`-byte digest, read by int()."""
    text = value.rstrip("=").encode("ascii")
    if len(text) != -(-size * 8 // 5) or text.translate(None, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz"):
        raise ValueError("not base 32")
    bits = int(text.translate(_BASE32), 32)
    return (bits >> (len(text) * 5 - size * 8)).to_bytes(size, "big")


def _digest_matches(digest: tuple[str, bytes], data: bytes) -> bool:
    """Whether `data` has this digest (as _digest_value read it)."""
    return hashlib.new(digest[0], data).digest() == digest[1]


def _digest_key(digest: tuple[str, bytes] | None) -> str | None:
    """A payload digest (as _digest_value read it) as `algorithm:hex`, however it was written: a
    revisit's and its original's compare equal."""
    return None if digest is None else f"{digest[0]}:{digest[1].hex()}"


def _as_crawled(url: str, status: int, fetched_at: datetime, headers: list[tuple[bytes, bytes]],
                body: bytes, requested_url: str | None = None) -> ArchivedResponse:
    """A response as the crawl read it: the transfer coding undone, then the content codings as
    Scrapy undoes them (crawler.middlewares.compression: br and zstd too, within DOWNLOAD_MAXSIZE;
    a body they do not decode, or one past DOWNLOAD_MAXSIZE, is an `error`; one whose stream stops
    short or fails its check, a `fault`), and the last Content-Type sent, as Scrapy's Headers give it. `headers`: the HTTP head's (name, value) pairs, as they came."""
    def values(name: bytes) -> list[bytes]:
        return [value for key, value in headers if key.lower() == name]

    error = fault = None
    codings = [c.strip().lower() for v in values(b"transfer-encoding") for c in v.split(b",") if c.strip()]
    if codings[-1:] == [b"chunked"]:
        body = _dechunked(body)
    if encodings := values(b"content-encoding"):
        try:
            body, fault = decode_body(body, encodings)  # within DOWNLOAD_MAXSIZE, as decoded
        except UndecodableBody as undecodable:
            body, error = b"", str(undecodable)
        except DamagedBody as damaged:
            body, fault = b"", str(damaged)
    elif error := too_big(len(body)):
        body = b""
    content_type = values(b"content-type")
    return ArchivedResponse(url, status, fetched_at, body, content_type[-1].decode("latin-1") if content_type else None,
                            error, requested_url, fault=fault, length_vouched=bool(values(b"content-length")))


_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")


def _dechunked(body: bytes) -> bytes:
    """A body with its chunked transfer coding (RFC 9112 7.1) undone, as the crawl's HTTP
    client undid it: chunk extensions and the trailer fields after the last chunk dropped. A
    body whose first chunk is no chunk was stored de-chunked (its header kept): as it is; one
    that breaks off later keeps what came whole, then the rest as it is (warcio's reading)."""
    parts, position = [], 0
    while True:
        size_line = _CHUNK_SIZE.match(body, position)
        if size_line is None:
            return body if not parts and position == 0 else b"".join(parts) + body[position:]
        size, start = int(size_line.group(1), 16), size_line.end()
        if size == 0:  # the last chunk: trailer fields, then a blank line, are no part of the body
            return b"".join(parts)
        parts.append(body[start:start + size])
        if start + size >= len(body):  # cut off inside a chunk: what came
            return b"".join(parts)
        position = start + size
        position += 2 if body.startswith(b"\r\n", position) else 1 if body.startswith(b"\n", position) else 0


def _target_uri(uri: str) -> str:
    """The WARC-Target-URI as warcio's reader gives it: without the angle brackets Wget 1.19
    wrote around it, spaces percent-encoded; and its scheme in lower case (RFC 3986 3.1: a
    scheme is case-insensitive, `HTTP://h/` is `http://h/`), so that every rule comparing
    schemes (an http(s) record, a question URL) reads another tool's spelling as ours."""
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    if scheme := _SCHEME.match(uri):
        uri = scheme.group().lower() + uri[scheme.end():]
    return uri.replace(" ", "%20")


class _RecordLoader(ArcWarcRecordLoader):
    """warcio's record reader, its target URIs read as `_target_uri` reads them: warcio's own
    test of an http(s) URI is case-sensitive, so an `HTTP://` response held no HTTP for it."""

    def _ensure_target_uri_format(self, rec_headers):
        uri = rec_headers.get_header("WARC-Target-URI")
        if uri is not None:
            uri = _target_uri(uri)
            rec_headers.replace_header("WARC-Target-URI", uri)
        return uri


def _fields(head: bytes) -> dict[bytes, bytes]:
    """Header lines (not the first) as {lower-case name: value}; the first of a repeated name wins."""
    fields: dict[bytes, bytes] = {}
    for name, value in _FIELD.findall(head):
        fields.setdefault(name.lower(), value)
    return fields


def _warcio_responses(stream, start: int, end: int | None) -> Iterator[ArchivedResponse]:
    """The responses of records warcio reads (their digests were checked here)."""
    for record in _warcio_records(stream, start, end, _raise, check_digests=False):
        if record.response is not None:
            yield record.response


def _warcio_records(stream, start: int, end: int | None, on_damage, check_digests: bool = True) -> Iterator[Located]:
    """Records as warcio reads them (gzip members that are not records), their digests checked;
    where warcio cannot go on, the damage is raised."""
    stream.seek(start)
    records = ArchiveIterator(stream, check_digests=check_digests)
    records.loader = _RecordLoader(verify_http=False, arc2warc=False)  # as ArchiveIterator makes its own
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except ArchiveLoadFailed as error:  # what warcio says of bytes that are no record
            raise DamagedRecord(f"unreadable from byte {records.offset} on: {error_text(error, 120)}") from None
        except Exception:  # warcio's own failure on a record it cannot parse (an AttributeError, ...)
            raise DamagedRecord(f"unreadable from byte {records.offset} on: a record warcio cannot parse") from None
        record_id, response, damage = record.rec_headers.get_header("WARC-Record-ID"), None, None
        if record.rec_type == "response" and record.http_headers is not None:
            try:
                status = record.http_headers.get_statuscode()
                response = _as_crawled(
                    _check_url(record.rec_headers.get_header("WARC-Target-URI") or "", "WARC-Target-URI"),
                    int(status) if status and status.isascii() and status.isdigit() else 0,
                    _warc_date((record.rec_headers.get_header("WARC-Date") or "").encode("latin-1", "replace")),
                    [(name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
                     for name, value in record.http_headers.headers],
                    record.raw_stream.read(),  # the payload as stored: _as_crawled undoes its codings
                    _requested(record.rec_headers.get_header(REQUESTED_URI)),
                )
                if record.digest_checker.passed is False:
                    raise DamagedRecord("its block or payload does not match its digest (bytes changed since it was written)")
            except DamagedRecord as error:
                damage = error
            except Exception as error:  # a value none of the checks foresaw: still this record's alone
                damage = DamagedRecord(f"its header cannot be read ({error_text(error, 120)})")
        offset = records.get_record_offset()  # (warcio reads to the record's end for it: after its body)
        if end is not None and offset >= end:
            return
        if damage is not None:
            on_damage(offset, damage)
            continue
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        crawl = None
        if record.rec_type == "warcinfo":  # the crawl of the records after it (Crawls)
            crawl = _warcinfo_crawl(record.content_stream().read(64 * 1024),
                                    (record.rec_headers.get_header("WARC-Date") or "").encode("latin-1", "replace"))
        yield Located(offset, record_id, _digest_key(_digest_value(digest.encode("latin-1", "replace") if digest else None)),
                      response, record.rec_headers.get_header("WARC-Warcinfo-ID"), crawl)


def chunks(path: str | Path, size: int) -> list[tuple[int, int | None]]:
    """Byte ranges of about `size` covering the file, for `responses(path, start, end)`."""
    total = Path(path).stat().st_size
    if total <= size or not _opening(path).by_record:
        return [(0, None)]
    starts = list(range(0, total, size))
    return [(start, starts[i + 1] if i + 1 < len(starts) else None) for i, start in enumerate(starts)]


class _Opening(NamedTuple):
    """What a file is, told from the bytes it opens with."""
    not_supported: str | None  # why it is not read (crawler.containers), None for a file read as WARC
    by_record: bool  # gzip members that start records, entered at any member (_by_record)


def _opening(path) -> _Opening:
    """The file's _Opening, told once per file as it is now: `not_read` lists it, then every
    reader of a range (`chunks`, `_records`) asks again."""
    try:
        status = os.stat(path)
    except OSError:  # gone: its reading reports it
        return _Opening(None, False)
    return _opened(str(path), status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


@lru_cache(maxsize=4096)  # a folder's archives, each told once between listing and reading
def _opened(path: str, *version) -> _Opening:
    """_opening of the file as it is (`version`: its size, times and inode)."""
    try:
        stream = open(path, "rb")
    except OSError:  # cannot be opened: its reading reports it
        return _Opening(None, False)
    with stream:
        head = stream.read(_PROBE)
        if why := not_supported(head, os.path.basename(path)):
            return _Opening(why, False)
        return _Opening(None, _by_record(head, stream))


def _by_record(head: bytes, stream) -> bool:
    """Whether the file (`head`: its first _PROBE bytes) is gzip members that start records,
    however its first member is: more than padding follows that member, or, where it cannot be
    inflated within the probe (damaged, cut off, or a record bigger than the probe), a later
    member holds a record (a file gzipped whole is scanned to its end)."""
    if not head.startswith(_GZIP_MAGIC):  # a plain file, or a first member whose own header is damaged
        if head.lstrip(b"\r\n").startswith(b"WARC/"):
            return False
        found = _next_member(stream, 0, None)
        return found is not None and not _resumes_before(stream, found)
    ended = _first_member_end(head, stream)
    if ended is None:  # damaged, cut off, or bigger than the probe: a member further on says
        return _next_member(stream, 1, None) is not None
    stream.seek(ended)
    while rest := stream.read(64 * 1024):  # zero bytes after the last member: padding (gzip's reading)
        if rest.strip(b"\0"):
            return True
    return False


def _first_member_end(head: bytes, stream) -> int | None:
    """Where the gzip member the file opens with ends, when it inflates whole within the probe."""
    member, data, used, read = zlib.decompressobj(31), head, 0, 0
    while data and read < _PROBE:
        try:
            inflated = member.decompress(data, _PROBE - read)
        except zlib.error:
            return None
        read += len(inflated)
        if member.eof:
            return used + len(data) - len(member.unused_data)
        if member.unconsumed_tail:  # the probe is spent
            return None
        used += len(data)
        data = stream.read(64 * 1024)
    return None


def _resumes_before(stream, end: int) -> bool:
    """Whether a plain record starts (after a blank line) before `end`: a plain file with a
    damaged head, whose bodies may hold gzip data, not a gzip file whose first member is damaged."""
    stream.seek(0)
    position, tail = 0, b""
    while position < end:
        window = tail + stream.read(min(_READ, end - position))
        if len(window) == len(tail):
            return False
        position += len(window) - len(tail)
        if _RESUME.search(window):
            return True
        tail = window[-8:]  # a match cut by the window's end is found again
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
