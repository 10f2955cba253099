"""Content codings (gzip, deflate, br, zstd, stacked), undone one way: Scrapy's.

The crawl asks for every coding Scrapy reads (`Accept-Encoding: gzip, deflate, br, zstd`) and
its HttpCompressionMiddleware undoes them; the archive keeps bodies as they came, encoded, so
reading an archive (crawler.archive.reader) undoes them again with `decode_body`, which runs
the middleware's own steps, under the same DOWNLOAD_MAXSIZE: a page reads the same from the
archive as it did live, br and zstd included (warcio's own br reader fails with brotli 1.2).

A crawl that keeps an archive (ARCHIVE_DIR) asks only for the codings other WARC tools read
(`ARCHIVE_ACCEPT_ENCODING`: gzip, deflate): warcio, the field's reference reader, has no zstd
and cannot read br with the brotli Scrapy 2.19 requires (its decompressor sets an attribute
brotli 1.2 no longer allows: `warcio check` fails on such a file). A server that sends them
unasked is still read, here and from the archive.

A body the middleware cannot decode (a stream that is not what its header says, one that
inflates past DOWNLOAD_MAXSIZE) raised the decoder's own error into the request's errback,
counted nowhere: the crawl ended `finished` without those pages. `HttpCompressionMiddleware`
here counts it (`responses/undecodable`, an error of the `fetch_errors` check) and fails the
request with a reason a person can read.

Scrapy's decoders are lenient: a stream that stops before its end (a gzip stream cut short
under a Content-Length that matches the cut) gives what they inflated of it, without a word.
Such a response is flagged cut short (`crawler.middlewares.cut_short`), as Scrapy flags a body
its transfer cut: a question page, a sitemap or a listing is retried as a cut-off one, and a
robots.txt could not be read (its rules before the cut obeyed as if whole let the crawl
fetch what its lost lines disallowed). Nor do they check what a coding checks (gzip's CRC-32
and length; zlib's Adler-32 they refused only when the body is small): a body that fails its
check is damaged (DamagedBody), emptied and flagged cut short as well, never read as data.
`decode_one` is that one rule, for the crawl, `reparse`, `extract` and gzip sitemaps alike.
"""
from __future__ import annotations

import logging
import zlib
from io import BytesIO

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware as ScrapyCompression
from scrapy.exceptions import IgnoreRequest
from scrapy.utils._compression import _CHUNK_SIZE, brotli, zstd

from crawler.middlewares import CUT_SHORT, DAMAGED, CountedDrop

from crawler.settings import DOWNLOAD_MAXSIZE

logger = logging.getLogger(__name__)

UNDECODABLE = "responses/undecodable"
# A request's meta: read only the first N bytes of its decoded body (robots.txt: RFC 9309 2.5's
# parsing limit). A body inflating past N is that head, flagged as a download stopped at a
# limit (Scrapy's flag), not refused as one past DOWNLOAD_MAXSIZE: the coding of the transfer
# does not change what is read.
DECODED_HEAD = "decoded_head"
STOPPED_AT_LIMIT = "download_stopped"
GZIP_MAGIC = b"\x1f\x8b"
ARCHIVE_ACCEPT_ENCODING = b"gzip, deflate"


class UndecodableBody(ValueError):
    """A body its Content-Encoding does not decode, or that inflates past the size bound."""


class TooBig(UndecodableBody):
    """A body that inflates past the size bound (DOWNLOAD_MAXSIZE)."""


class DamagedBody(ValueError):
    """A stream whose own integrity check fails (gzip's CRC-32 or length, zlib's Adler-32,
    zstd's checksum): bytes changed on the way, not the body the server encoded."""


CUT = "cut short"


def decode_body(body: bytes, content_encodings: list[bytes], max_size: int = DOWNLOAD_MAXSIZE) -> tuple[bytes, str | None]:
    """The body with its content codings undone as Scrapy undoes them (the last applied first),
    and why it is not the body the server encoded (None: every stream whole and checked; CUT:
    one stopped before its end, the body is what came before). UndecodableBody when one does
    not decode, or when a coding Scrapy does not know is left; DamagedBody when one fails its
    check: nothing of it is data."""
    to_decode, to_keep = HttpCompressionMiddleware._split_encodings(content_encodings)
    fault = None
    for encoding in to_decode:
        body, cut = decode_one(body, encoding, max_size)
        fault = fault or cut
    if to_keep:
        raise UndecodableBody(_unsupported(to_keep))
    return body, fault


def decode_one(body: bytes, coding: bytes, max_size: int) -> tuple[bytes, str | None]:
    """One content coding undone, Scrapy's way, its stream checked first: (body, CUT or None).
    Every body the crawl, `reparse` and `extract` read is decoded here, under one rule."""
    cut = stream_fault(body, coding, max_size)  # DamagedBody before Scrapy's decoders, which skip the check
    try:
        return ScrapyCompression._decode(body, coding, max_size), cut
    except Exception as error:  # each decoder raises its own (OSError, zlib.error, ZstdError, ...)
        too_big = "MaxSizeExceeded" in type(error).__name__
        raise (TooBig if too_big else UndecodableBody)(_reason(error, max_size)) from error


def decoded_head(body: bytes, coding: bytes, size: int) -> bytes:
    """At most the first `size` bytes of a body one content coding Scrapy decodes encodes, never
    more inflated (a bomb costs nothing); what the stream holds, if shorter."""
    if coding in (b"gzip", b"x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, size)
    if coding == b"deflate":
        try:  # zlib-wrapped, then raw deflate, as Scrapy tries them
            return zlib.decompressobj(zlib.MAX_WBITS).decompress(body, size)
        except zlib.error:
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, size)
    if coding == b"br":
        return brotli.Decompressor().process(body, output_buffer_limit=size)[:size]
    return zstd.ZstdFile(BytesIO(body)).read(size)


def stream_fault(body: bytes, coding: bytes, max_size: int) -> str | None:
    """CUT when a stream of a content coding Scrapy decodes stops before its end (a gzip
    member's trailer, deflate's, br's and zstd's last block); DamagedBody when it fails its own
    check; else None, also for what Scrapy's decoders read past (junk after a whole gzip
    member) or refuse (they name that). Read past `max_size` of output: None (Scrapy refuses it)."""
    try:
        if coding in (b"gzip", b"x-gzip"):
            return _gzip_fault(body, max_size)
        if coding == b"deflate":
            return _deflate_fault(body, max_size)
        if coding == b"br":
            return None if _brotli_ended(body) else CUT
        if coding == b"zstd":
            return _zstd_fault(body, max_size)
    except Exception as error:  # each decoder its own (brotli.error is none of zlib's or zstd's)
        # Only a failed check is damage; any other error is an undecodable body, which the
        # decoder itself names (decode_one), whatever the coding
        if check := _failed_check(error, coding):
            raise DamagedBody(f"damaged: its {coding.decode('latin-1')} {check} does not match") from None
    return None


def _failed_check(error: Exception, coding: bytes) -> str | None:
    """The check a stream failed, by zlib's or zstd's words; None for any other error."""
    text = str(error)
    if "incorrect data check" in text:
        return "Adler-32" if coding == b"deflate" else "CRC-32"
    if "incorrect length check" in text:
        return "length"
    return "checksum" if "checksum" in text else None


def _gzip_fault(body: bytes, max_size: int) -> str | None:
    """Each member inflated with zlib, which checks its trailer (Scrapy's gunzip does not)."""
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        if not _inflate(inflater, body, max_size):
            return CUT
        body = inflater.unused_data
        if body[:2] != GZIP_MAGIC[:2]:  # the end, or junk after a whole member: Scrapy reads past it
            return None


def _deflate_fault(body: bytes, max_size: int) -> str | None:
    try:  # zlib-wrapped, then raw deflate, as Scrapy tries them
        return None if _inflate(zlib.decompressobj(zlib.MAX_WBITS), body, max_size) else CUT
    except zlib.error as error:
        if _failed_check(error, b"deflate"):
            raise
    return None if _inflate(zlib.decompressobj(-zlib.MAX_WBITS), body, max_size) else CUT


def _inflate(inflater, data: bytes, max_size: int) -> bool:
    """Inflates `data` to the stream's end, output dropped: False when it stops before
    (True past `max_size` of output: Scrapy refuses that)."""
    size = len(inflater.decompress(data, _CHUNK_SIZE))
    while not inflater.eof and not (max_size and size > max_size):
        out = inflater.decompress(inflater.unconsumed_tail, _CHUNK_SIZE)
        if not out and not inflater.unconsumed_tail:
            return False
        size += len(out)
    return True


def _zstd_fault(body: bytes, max_size: int) -> str | None:
    read, size = zstd.ZstdFile(BytesIO(body)).read, 0
    try:
        while out := read(_CHUNK_SIZE):
            size += len(out)
            if max_size and size > max_size:
                return None
    except EOFError:
        return CUT
    return None


def _brotli_ended(body: bytes) -> bool:
    decompressor = brotli.Decompressor()
    decompressor.process(body, output_buffer_limit=_CHUNK_SIZE)
    while not decompressor.is_finished() and decompressor.process(b"", output_buffer_limit=_CHUNK_SIZE):
        pass
    return decompressor.is_finished()


def _unsupported(codings: list[bytes]) -> str:
    return f"undecodable body (unsupported Content-Encoding: {b', '.join(codings).decode('latin-1')})"


def _reason(error: Exception, max_size: int) -> str:
    if "MaxSizeExceeded" in type(error).__name__:
        return f"undecodable body: it inflates past DOWNLOAD_MAXSIZE ({max_size} bytes)"
    return f"undecodable body ({type(error).__name__}: {error})"


class HttpCompressionMiddleware(ScrapyCompression):
    def __init__(self, stats=None, *, crawler=None):
        super().__init__(stats, crawler=crawler)
        self.archiving = bool(crawler and crawler.settings.get("ARCHIVE_DIR"))

    def process_request(self, request, spider=None):
        if self.archiving:
            request.headers.setdefault("Accept-Encoding", ARCHIVE_ACCEPT_ENCODING)
        return super().process_request(request)

    def process_response(self, request, response, spider=None):
        self._fault = None  # _handle_encoding's word on the body super() decodes now
        try:
            response = super().process_response(request, response)
        except DamagedBody as damaged:  # retried as a cut-off page is; nothing of it is read
            logger.warning("Body %s: %s (read as cut short)", damaged, request.url)
            response = response.replace(body=b"", flags=[*response.flags, CUT_SHORT, DAMAGED])
            del response.headers["Content-Encoding"]
            return response
        except TooBig as error:
            if head := request.meta.get(DECODED_HEAD):  # only its head is read: that is no error
                return self._head(response, head)
            self._count()
            raise CountedDrop(str(error)) from error
        except IgnoreRequest as error:  # Scrapy's own words for a body past DOWNLOAD_MAXSIZE
            self._count()
            raise CountedDrop(_reason(error.__cause__ or error, self._max_size)) from error
        except UndecodableBody as error:
            self._count()
            raise CountedDrop(str(error)) from error
        if left := response.headers.getlist("Content-Encoding"):  # a coding Scrapy does not know: still encoded
            self._count()
            raise CountedDrop(_unsupported(left))
        if self._fault:
            response.flags = [*response.flags, CUT_SHORT]
        return response

    def _handle_encoding(self, body: bytes, content_encoding: list[bytes], max_size: int):
        """Scrapy's, each coding undone by decode_one, noting whether a stream stopped short."""
        to_decode, to_keep = self._split_encodings(content_encoding)
        for encoding in to_decode:
            body, cut = decode_one(body, encoding, max_size)
            self._fault = self._fault or cut
        return body, to_keep

    @staticmethod
    def _split_encodings(content_encoding: list[bytes]) -> tuple[list[bytes], list[bytes]]:
        """Scrapy's split, without the empty items (`gzip,`) RFC 9110 (5.6.1) says a recipient
        ignores, nor `identity`, which is no coding: Scrapy kept either as an unknown coding and
        left the body encoded, to be read as text in some charset."""
        named = [coding for value in content_encoding for coding in value.split(b",")
                 if coding.strip().lower() not in (b"", b"identity")]
        return ScrapyCompression._split_encodings([b",".join(named)]) if named else ([], [])

    @staticmethod
    def _head(response, size: int):
        """The response with its body's first `size` bytes (and one more: the body went on),
        decoded, flagged stopped at a limit; each coding decoded only as far as needed."""
        body = response.body
        for coding in HttpCompressionMiddleware._split_encodings(response.headers.getlist("Content-Encoding"))[0]:
            body = decoded_head(body, coding, size + 1)
        response = response.replace(body=body, flags=[*response.flags, STOPPED_AT_LIMIT])
        del response.headers["Content-Encoding"]
        return response

    def _count(self) -> None:
        if self.stats:
            self.stats.inc_value(UNDECODABLE)
