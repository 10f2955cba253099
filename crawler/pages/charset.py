"""A page's bytes to text, as browsers read them: a byte-order mark, else the bytes as
UTF-8 when they are UTF-8 (whatever the page declares: a wrong declaration on UTF-8 text is
common; but bytes with NULs are UTF-16 or -32 when the header says so, not UTF-8; nor
are ASCII bytes with the shift escapes of a 7-bit charset it declares, ISO-2022-JP's),
else the charset the HTTP Content-Type header declares, else the page's own <meta charset>
or http-equiv, each read as the WHATWG Encoding Standard (browsers) reads it: ISO-8859-1,
latin1 and ascii mean windows-1252, whose 0x81 is U+0081, not an unreadable byte. A NUL is
U+FFFD, as an HTML parser reads it (and `&#0;`), never a page refused. Bytes that none of
these reads make a PageError naming the charset the page declared; bytes that stop inside a
character, a TruncatedPage."""
from __future__ import annotations

import codecs
import encodings
import functools
import re

import webencodings
from webencodings.labels import LABELS
from w3lib.encoding import (DEFAULT_ENCODING_TRANSLATION, html_body_declared_encoding, http_content_type_encoding,
                            read_bom, resolve_encoding)

from .errors import PageError, TruncatedPage


def decode(url: str, html, content_type: str | bytes | None = None) -> tuple[str, str | bytes]:
    """(text, what to parse): UTF-8 bytes go to lxml as they are (faster than their str)."""
    if isinstance(html, str):
        html = html.replace("\x00", "\ufffd")
        return html, html
    if not isinstance(html, (bytes, bytearray, memoryview)):
        raise TypeError(f"html must be str or bytes, not {type(html).__name__}")
    data = bytes(html)
    bom, mark = read_bom(data)
    if bom is not None:
        data = data[len(mark):]
    if bom is None and b"\x00" in data:  # UTF-16 or -32 without a mark: NULs, and the header's word
        bom = _wide(declared_charset(b"", content_type))  # (a meta's is in that charset)
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
                if "\x00" in text:  # NUL is UTF-8's only zero byte: U+FFFD's bytes in its place
                    text, data = text.replace("\x00", "\ufffd"), data.replace(b"\x00", _REPLACEMENT)
                return text, data
    charset = charset or declared_charset(data, content_type)
    if charset is None:
        raise PageError(url, "unreadable bytes (not UTF-8, and no charset declared)")
    try:
        text = _read(data, charset)
    except (UnicodeDecodeError, LookupError) as error:
        _cut_inside_a_character(url, data, error)
        label = _label(data, content_type, charset)
        raise PageError(url, f"unreadable bytes (not the {label} the page declares)") from None
    text = text.replace("\x00", "\ufffd")
    return text, text


def decode_links_page(url: str, html: bytes, content_type: str | bytes | None = None) -> str:
    """A page read for its links (a home page, a topic listing, any page but a question page),
    in the charset `decode` reads it in (a byte-order mark, UTF-8, the header, the page's own
    declaration), so that its non-ASCII links are the site's, never Latin-1 mojibake that
    404s. Bytes that charset cannot read are U+FFFD, as a browser shows them, and a page that
    declares none is windows-1252, a browser's default: a listing is never refused for a byte,
    its other links are read."""
    try:
        return decode(url, html, content_type)[0]
    except PageError:  # a TruncatedPage too: what was read whole is read
        data = bytes(html)
        bom, mark = read_bom(data)
        codec = bom or declared_charset(data, content_type) or "cp1252"
        return data[len(mark) if bom else 0:].decode(codec, "replace").replace("\x00", "\ufffd")


_REPLACEMENT = "\ufffd".encode()
# Where WHATWG's single-byte tables, which browsers read pages with, differ from Python's
# codec of the same label: a byte windows-874 and windows-1250 to -1258 leave undefined in
# 0x80-0x9F is the C1 control of its value (windows-1252's 0x81, 0x8D, 0x8F, 0x90, 0x9D:
# Python's cp1252 refuses them, a browser reads on), and a few letters (KOI8-U is KOI8-RU's).
_C1_FILLED = frozenset(("cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256",
                        "cp1257", "cp1258"))
_LETTERS = {"cp1255": {0xCA: "\u05ba"}, "koi8-u": {0xAE: "\u045e", 0xBE: "\u040e"}}


def _read(data: bytes, codec: str) -> str:
    """The bytes in the codec, as WHATWG reads its charset."""
    table = _whatwg_table(codec)
    return data.decode(codec) if table is None else codecs.charmap_decode(data, "strict", table)[0]


@functools.cache
def _whatwg_table(codec: str) -> str | None:
    """The 256-character decoding table of a single-byte codec WHATWG reads otherwise, else None
    ("\ufffe": a byte no character is, as in Python's tables)."""
    if codec not in _C1_FILLED and codec not in _LETTERS:
        return None
    table = []
    for byte in range(256):
        try:
            char = bytes((byte,)).decode(codec)
        except UnicodeDecodeError:
            char = chr(byte) if codec in _C1_FILLED and 0x80 <= byte <= 0x9F else "\ufffe"
        table.append(_LETTERS.get(codec, {}).get(byte, char))
    return "".join(table)


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


def _normal(name: str) -> str:
    return encodings.normalize_encoding(name).lower()


_WHATWG_LABELS = {_normal(label): label for label in LABELS}


def _whatwg_codec(name: str) -> codecs.CodecInfo | None:
    """Python's codecs, taught the labels browsers read that Python does not know ("x-cp1252",
    "koi8", "iso-8859-8-i", "x-mac-cyrillic"): the codec of the WHATWG encoding the label names
    (webencodings), or w3lib's superset of it (GBK is gb18030), as for the labels Python knows.
    A codec search function, so w3lib's declaration readers (header, <meta>) resolve them too."""
    label = _WHATWG_LABELS.get(_normal(name))
    if label is None:
        return None
    info = webencodings.lookup(label).codec_info
    wider = DEFAULT_ENCODING_TRANSLATION.get(info.name)
    return codecs.lookup(wider) if wider else info


codecs.register(_whatwg_codec)
_LABEL = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([\w-]+)""", re.I)


def _label(data: bytes, content_type: str | bytes | None, codec: str) -> str:
    """The charset as the page declared it, for a message (w3lib gives its codec, "cp1252" for
    a page that said "ISO-8859-1"): the first label of the header, else of the page's head,
    that is this codec; the codec's name if none is (a byte-order mark's)."""
    if isinstance(content_type, str):
        content_type = content_type.encode("latin-1", "replace")
    for match in _LABEL.finditer((content_type or b"") + b"\n" + data[:4096]):
        label = match.group(1).decode("ascii", "replace")
        if (found := resolve_encoding(label)) and codecs.lookup(found).name == codec:
            return label
    return codec
