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
fetch what its lost lines disallowed).
"""
from __future__ import annotations

import struct
import zlib
from gzip import GzipFile
from io import BytesIO

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware as ScrapyCompression
from scrapy.exceptions import IgnoreRequest
from scrapy.utils._compression import _CHUNK_SIZE, brotli, zstd

from crawler.middlewares import CUT_SHORT, CountedDrop

from crawler.settings import DOWNLOAD_MAXSIZE

UNDECODABLE = "responses/undecodable"
ARCHIVE_ACCEPT_ENCODING = b"gzip, deflate"


class UndecodableBody(ValueError):
    """A body its Content-Encoding does not decode, or that inflates past the size bound."""


def decode_body(body: bytes, content_encodings: list[bytes], max_size: int = DOWNLOAD_MAXSIZE) -> bytes:
    """The body with its content codings undone as Scrapy undoes them (the last applied first).
    UndecodableBody when one does not decode, or when a coding Scrapy does not know is left."""
    to_decode, to_keep = HttpCompressionMiddleware._split_encodings(content_encodings)
    try:
        for encoding in to_decode:
            body = ScrapyCompression._decode(body, encoding, max_size)
    except Exception as error:  # each decoder raises its own (OSError, zlib.error, ZstdError, ...)
        raise UndecodableBody(_reason(error, max_size)) from None
    if to_keep:
        raise UndecodableBody(_unsupported(to_keep))
    return body


def stream_ended(body: bytes, coding: bytes) -> bool:
    """Whether a stream of a content coding Scrapy decodes reaches its end (a gzip member's
    trailer, deflate's, br's and zstd's last block), read to it as Scrapy's decoders read it:
    what they read past (junk after a whole gzip member, a bad CRC) is no cut. Only called on
    a stream Scrapy decoded within DOWNLOAD_MAXSIZE, so reading it again is bounded too."""
    try:
        if coding in (b"gzip", b"x-gzip"):
            return _read_to_end(GzipFile(fileobj=BytesIO(body)).read1)
        if coding == b"deflate":
            return _inflate_ended(body)
        if coding == b"br":
            return _brotli_ended(body)
        if coding == b"zstd":
            return _read_to_end(zstd.ZstdFile(BytesIO(body)).read)
    except (OSError, struct.error, zlib.error, ValueError):  # an error past what was decoded: Scrapy read past it
        return True
    return True


def _read_to_end(read) -> bool:
    """Reads a file object's stream to its end: False when it stops before (EOFError)."""
    try:
        while read(_CHUNK_SIZE):
            pass
    except EOFError:
        return False
    return True


def _inflate_ended(body: bytes) -> bool:
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):  # zlib, then raw deflate, as Scrapy tries them
        inflater = zlib.decompressobj(wbits)
        try:
            inflater.decompress(body, _CHUNK_SIZE)
        except zlib.error:
            continue
        while inflater.unconsumed_tail and not inflater.eof:
            inflater.decompress(inflater.unconsumed_tail, _CHUNK_SIZE)
        return inflater.eof
    return True


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
        self._whole = True  # _handle_encoding's word on the body super() decodes now
        try:
            response = super().process_response(request, response)
        except IgnoreRequest as error:  # Scrapy's own words for a body past DOWNLOAD_MAXSIZE
            self._count()
            raise CountedDrop(_reason(error.__cause__ or error, self._max_size)) from error
        except Exception as error:
            self._count()
            raise CountedDrop(_reason(error, self._max_size)) from error
        if left := response.headers.getlist("Content-Encoding"):  # a coding Scrapy does not know: still encoded
            self._count()
            raise CountedDrop(_unsupported(left))
        if not self._whole:
            response.flags = [*response.flags, CUT_SHORT]
        return response

    def _handle_encoding(self, body: bytes, content_encoding: list[bytes], max_size: int):
        """Scrapy's, noting whether each coding's stream reached its end (`_whole`)."""
        to_decode, to_keep = self._split_encodings(content_encoding)
        for encoding in to_decode:
            decoded = self._decode(body, encoding, max_size)  # first: a stream it refuses is undecodable, not cut
            self._whole = self._whole and stream_ended(body, encoding)
            body = decoded
        return body, to_keep

    @staticmethod
    def _split_encodings(content_encoding: list[bytes]) -> tuple[list[bytes], list[bytes]]:
        """Scrapy's split, without the empty items (`gzip,`) RFC 9110 (5.6.1) says a recipient
        ignores, nor `identity`, which is no coding: Scrapy kept either as an unknown coding and
        left the body encoded, to be read as text in some charset."""
        named = [coding for value in content_encoding for coding in value.split(b",")
                 if coding.strip().lower() not in (b"", b"identity")]
        return ScrapyCompression._split_encodings([b",".join(named)]) if named else ([], [])

    def _count(self) -> None:
        if self.stats:
            self.stats.inc_value(UNDECODABLE)
