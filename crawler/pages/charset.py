"""A page's bytes to text, as browsers read them: a byte-order mark, else the bytes as
UTF-8 when they are UTF-8 (whatever the page declares: a wrong declaration on UTF-8 text is
common; but bytes with NULs are no UTF-8 page, and UTF-16 or -32 when the header says so; nor
are ASCII bytes with the shift escapes of a 7-bit charset it declares, ISO-2022-JP's),
else the charset the HTTP Content-Type header declares, else the page's own <meta charset>
or http-equiv. Bytes that none of these reads make a PageError; bytes that stop inside a
character, a TruncatedPage."""
from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from .errors import PageError, TruncatedPage


def decode(url: str, html, content_type: str | bytes | None = None) -> tuple[str, str | bytes]:
    """(text, what to parse): UTF-8 bytes go to lxml as they are (faster than their str)."""
    if isinstance(html, str):
        return html, html
    if not isinstance(html, (bytes, bytearray, memoryview)):
        raise TypeError(f"html must be str or bytes, not {type(html).__name__}")
    data = bytes(html)
    bom, mark = read_bom(data)
    if bom is not None:
        data = data[len(mark):]
    if bom is None and b"\x00" in data:  # no UTF-8 page holds NULs; UTF-16 or -32 without a mark does
        bom = _wide(declared_charset(b"", content_type))  # the header's word (a meta's is in that charset)
    charset = bom
    if bom in (None, "utf-8"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            _cut_inside_a_character(url, data, error)
            if bom:
                raise PageError(url, "unreadable bytes (not the UTF-8 its byte-order mark says)") from None
        else:
            charset = None if bom else _seven_bit(data, content_type)
            if charset is None:
                return text, data
    charset = charset or declared_charset(data, content_type)
    if charset is None:
        raise PageError(url, "unreadable bytes (not UTF-8, and no charset declared)")
    try:
        text = data.decode(charset)
    except (UnicodeDecodeError, LookupError) as error:
        _cut_inside_a_character(url, data, error)
        raise PageError(url, f"unreadable bytes (not the {charset} the page declares)") from None
    return text, text


_CUT = ("unexpected end of data", "truncated data", "incomplete multibyte sequence")  # the codecs' words


def _cut_inside_a_character(url: str, data: bytes, error: Exception) -> None:
    """A page whose only undecodable bytes are its last, a character begun and not ended, was
    cut off in transfer (a retry may get it whole), not written in another charset."""
    if isinstance(error, UnicodeDecodeError) and error.end == len(data) and error.reason in _CUT:
        raise TruncatedPage(url, "truncated page (cut inside a character)")


# Escapes that shift a 7-bit charset (ISO-2022's ESC sequences, HZ's "~{") out of ASCII.
_SHIFTS = (b"\x1b", b"~{")


def _seven_bit(data: bytes, content_type) -> str | None:
    """The 7-bit charset (ISO-2022-JP, -KR, HZ) the page declares when its bytes are ASCII
    with that charset's shift escapes, else None: such bytes are valid UTF-8, and read as
    UTF-8 they are escape codes and stray "<"s, not the page's Japanese."""
    if not (any(shift in data for shift in _SHIFTS) and data.isascii()):
        return None
    charset = declared_charset(data, content_type)
    return charset if charset and charset.startswith(("iso2022", "hz")) else None


def _wide(charset: str | None) -> str | None:
    """A declared UTF-16 or UTF-32 codec (read as a byte-order mark would be), else None."""
    return charset if charset and charset.startswith(("utf-16", "utf-32")) else None


def declared_charset(data: bytes, content_type: str | bytes | None) -> str | None:
    """The Python codec of the charset the header, else the page, declares (None if none is
    known); labels as browsers read them (ISO-8859-1 is windows-1252)."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    for label in (http_content_type_encoding(content_type) if content_type else None,
                  html_body_declared_encoding(data)):
        codec = resolve_encoding(label) if label else None
        if codec:
            return codecs.lookup(codec).name
    return None
