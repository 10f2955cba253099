"""Responses Twisted's HTTP client refuses to read (a status line that is no status line, a
Content-Length that is no number, or two that differ, a Transfer-Encoding it has no decoder
for, a line past its 16 KB limit): named so, never as a connection lost.

Twisted drops the connection on such bytes and fails the request with ResponseFailed, its
reason the parser's exception, which Scrapy reports as a DownloadFailedError ("connection
lost"); a line past its limit it drops without any reason (`Connection was closed cleanly.`).
The crawl's download handler (crawler.extensions.prompt_stop) raises UnparseableResponse
instead, in words a person reads, the server's bytes in them short and printable; the retry
middleware tries it once more, not RETRY_TIMES (the same server sends the same bytes).
"""
from __future__ import annotations

from scrapy.exceptions import DownloadFailedError
from twisted.web._newclient import HEADER, STATUS, HTTPClientParser, ParseError

SHOWN_CHARS = 80  # of the server's bytes in the words
# The most bytes of a response's status line and headers (each line is at most the parser's
# 16 KB): Twisted keeps every header it is sent, so a server sending them without end held
# hundreds of MB and the crawl's one thread, and failed as "timed out". Browsers allow about
# 256 KB; a real page's headers are a few KB.
HEADER_SECTION_MAX = 1024 * 1024


class UnparseableResponse(DownloadFailedError):
    """A response the HTTP client refused to read; its message says why."""


class HeaderLineTooLong(ParseError):
    """A status or header line longer than the parser's MAX_LENGTH."""


class HeaderSectionTooLarge(ParseError):
    """A status line and headers longer than HEADER_SECTION_MAX in all."""


def _line_too_long(parser, line: bytes):
    raise HeaderLineTooLong(f"header line longer than {parser.MAX_LENGTH // 1024} KB", line)


_receive = HTTPClientParser.dataReceived


def _counted(parser, data: bytes):
    """Bytes of a response, those before its body counted against HEADER_SECTION_MAX (the
    body's bound is DOWNLOAD_MAXSIZE). Counted as they arrive, not by lines: a parser may
    override how it reads lines (Scrapy's lenient one does), and a header folded over lines
    without end grows before it is whole. The bytes that end the headers may bring the body's
    first bytes, a read's worth at most (64 KB), with them."""
    if parser.state in (STATUS, HEADER):
        parser.header_bytes = getattr(parser, "header_bytes", 0) + len(data)
        if parser.header_bytes > HEADER_SECTION_MAX:
            raise HeaderSectionTooLarge(f"headers larger than {HEADER_SECTION_MAX // 1024} KB in all", b"")
    _receive(parser, data)


# Raised where Twisted only closes the connection, or reads on: its client protocol then fails
# the request with this as the reason, as it does for a status line it cannot read.
HTTPClientParser.lineLengthExceeded = _line_too_long
HTTPClientParser.dataReceived = _counted

# The parser's exceptions: a status line (ParseError), a Content-Length (ValueError), a
# Transfer-Encoding it has no decoder for (KeyError), a line too long.
_REFUSALS = (ParseError, ValueError, KeyError)


def refusal(failed: BaseException | None) -> str | None:
    """Why the client refused the response a ResponseFailed failed on, or None when it was no
    refusal (the connection lost, a timeout)."""
    reasons = getattr(failed, "reasons", None) or ()
    error = next((reason.value for reason in reasons if isinstance(reason.value, _REFUSALS)), None)
    if error is None:
        return None
    if isinstance(error, (HeaderLineTooLong, HeaderSectionTooLarge)):
        return f"unparseable response: {error.args[0]}"
    if isinstance(error, ParseError):  # (reason, the line it could not read)
        return f"unparseable response: {error.args[0]}: {_shown(error.data)}"
    if isinstance(error, KeyError):
        return f"unparseable response: unknown Transfer-Encoding {_shown(error.args[0] if error.args else b'')}"
    return f"unparseable response: {_shown(str(error))}"


def _shown(data: bytes | str) -> str:
    text = data.decode("latin-1") if isinstance(data, bytes) else str(data)
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."
