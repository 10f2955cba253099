"""The contract's text rules for titles and bodies.

Paragraphs split at block boundaries (p, div, li, h1-h6, blockquote) and at runs of two or more
`<br>` with only white space between them; a lone `<br>` is "\\n". Per line: entities decoded
(once), NFC, non-breaking spaces as spaces, white space collapsed, trimmed. Empty lines and
paragraphs dropped; paragraphs joined by "\\n\\n". Scripts, styles and templates `{{ ... }}` are
never text; nothing is evaluated.

Inputs: an lxml element (text of its content), an HTML string (`html_text`), or a plain-text
string (`plain_text`, which does not interpret markup or entities).
"""
from __future__ import annotations

import html as _html
import re
import unicodedata

import lxml.html
from lxml import etree

_BLOCK = frozenset("p div li h1 h2 h3 h4 h5 h6 blockquote ul ol".split())
_SKIP = frozenset("script style template noscript title head iframe object embed svg".split())
_BR = object()
_BLOCK_MARK = object()
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_WS = re.compile(r"\s+")
_LINE_SEP = "\x00"
_TAG = re.compile(r"<[^>]*>")
_BR_TAG = re.compile(r"<br\s*/?>", re.I)


def _walk(el, out: list) -> None:
    t = el.text
    if t:
        out.append(t)
    for ch in el:
        tag = ch.tag
        if isinstance(tag, str):
            if tag == "br":
                out.append(_BR)
            elif tag in _SKIP:
                pass
            elif tag in _BLOCK:
                out.append(_BLOCK_MARK)
                _walk(ch, out)
                out.append(_BLOCK_MARK)
            else:
                _walk(ch, out)
        tail = ch.tail
        if tail:
            out.append(tail)


def clean_line(s: str) -> str:
    """One line: NFC, nbsp as space, white space collapsed, trimmed."""
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


def _paragraph(lines: list[str], paras: list[str]) -> None:
    if len(lines) == 1:
        raw = lines[0]
        if not raw or (raw.isspace()):
            return
        if "{{" not in raw:
            line = clean_line(raw)
            if line:
                paras.append(line)
            return
    raw = _LINE_SEP.join(lines)
    if "{{" in raw:
        raw = _TEMPLATE.sub("", raw)
    out = []
    for line in raw.split(_LINE_SEP):
        line = clean_line(line)
        if line:
            out.append(line)
    if out:
        paras.append("\n".join(out))


def _one_line(raw: str) -> str | None:
    """Text of a single string with no <br> or block inside: `_assemble([raw])` without its
    token loop (titles, leaf elements, <p> texts)."""
    if not raw or raw.isspace():
        return None
    if "{{" in raw:
        return _assemble([raw])
    return clean_line(raw) or None


def _assemble(tokens: list) -> str | None:
    paras: list[str] = []
    lines: list[str] = []
    cur: list[str] = []
    brs = 0
    for tok in tokens:
        if tok is _BR:
            brs += 1
            continue
        if tok is _BLOCK_MARK:
            lines.append("".join(cur))
            _paragraph(lines, paras)
            lines = []
            cur = []
            brs = 0
            continue
        if brs:
            if tok.isspace():
                continue
            lines.append("".join(cur))
            cur = []
            if brs >= 2:
                _paragraph(lines, paras)
                lines = []
            brs = 0
        cur.append(tok)
    lines.append("".join(cur))
    _paragraph(lines, paras)
    return "\n\n".join(paras) if paras else None


def _br_paragraphs(pieces: list, paras: list[str]) -> None:
    """Paragraphs of one stretch of text cut by `<br>`s: `pieces` are the texts between them
    (None or "" where there is none). What `_assemble` does with such tokens, without them: a
    piece of white space only continues a run of <br>s; a run of two or more ends a paragraph.
    A paragraph of one line (the usual) is cleaned here, not through `_paragraph`."""
    lines: list[str] = []
    cur = pieces[0] or ""
    brs = 0
    for piece in pieces[1:]:  # each piece follows one <br>
        brs += 1
        if not piece or piece.isspace():
            continue
        if brs >= 2:
            if lines:
                lines.append(cur)
                _paragraph(lines, paras)
                lines = []
            elif cur and not cur.isspace():
                p = _line_of(cur)
                if p:
                    paras.append(p)
        else:
            lines.append(cur)
        cur = piece
        brs = 0
    if lines:
        lines.append(cur)
        _paragraph(lines, paras)
    elif cur and not cur.isspace():
        p = _line_of(cur)
        if p:
            paras.append(p)


_NOT_FLAT = object()
_nfc = unicodedata.normalize


def _line_of(raw: str) -> str | None:
    """`_one_line(raw)` for a string known to hold something but white space (inlined
    `clean_line`: this runs for every paragraph of every body)."""
    if "{{" in raw:
        return _assemble([raw])
    if not raw.isascii():
        raw = _nfc("NFC", raw)
    return " ".join(raw.split()) or None


def _flat_text(el):
    """Text of an element whose children are all blocks holding text and <br>s only
    (`<p>text</p>` bodies, the usual shape), in one pass over its children: every text and
    tail outside the blocks is a paragraph of one line, and a block's <br>s cut it as in
    `_br_paragraphs`; no token walk. `_NOT_FLAT` as soon as a child breaks the shape (then
    the caller walks the element)."""
    paras: list[str] = []
    t = el.text
    if t and not t.isspace():
        p = _line_of(t)
        if p:
            paras.append(p)
    for ch in el:
        if ch.tag not in _BLOCK:
            return _NOT_FLAT
        if len(ch):
            pieces = [ch.text]
            for g in ch:
                if g.tag != "br" or len(g):
                    return _NOT_FLAT
                pieces.append(g.tail)
            _br_paragraphs(pieces, paras)
        else:
            t = ch.text
            if t and not t.isspace():  # a block of one line, the usual <p>: _line_of inlined
                if "{{" in t:
                    p = _assemble([t])
                else:
                    if not t.isascii():
                        t = _nfc("NFC", t)
                    p = " ".join(t.split())
                if p:
                    paras.append(p)
        t = ch.tail
        if t and not t.isspace():
            p = _line_of(t)
            if p:
                paras.append(p)
    return "\n\n".join(paras) if paras else None


def element_text(el) -> str | None:
    """Text of an lxml element's content (not its tail) by the contract's rules; None if empty."""
    if el is None:
        return None
    if el.tag in _SKIP:
        return None
    if not len(el):
        t = el.text
        return _line_of(t) if t and not t.isspace() else None
    text = _flat_text(el)
    if text is not _NOT_FLAT:
        return text
    tokens: list = []
    _walk(el, tokens)
    return _assemble(tokens)


def _unescape(s: str) -> str:
    """html.unescape, with the usual "&nbsp;" replaced in C first. The same: every "&nbsp;"
    starts a reference html.unescape reads as U+00A0 (no reference spans an "&")."""
    if "&nbsp;" in s:
        s = s.replace("&nbsp;", "\xa0")
        if "&" not in s:
            return s
    return _html.unescape(s)


def html_text(value) -> str | None:
    """Text of an HTML fragment (str) or of an lxml element; None if empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        return element_text(value)
    if "<" not in value:
        if "&" in value:
            value = _unescape(value)
        return _one_line(value)
    # Every "<" opens a plain "<br>" (the usual bodyHtml): the tags are those <br>s and
    # str.split cuts where _BR_TAG.split would, with no regex scan.
    if value.count("<") == value.count("<br>"):
        pieces = value.split("<br>")
    else:
        tags = _TAG.findall(value)
        # list.count first: bodies hold plain "<br>"s, no regex per tag needed
        if tags.count("<br>") == len(tags) or all(_BR_TAG.fullmatch(t) for t in tags):
            pieces = _BR_TAG.split(value)
        else:
            pieces = None
    if pieces is not None:
        # only <br>: split cheaply, no tree needed
        if "&" in value:
            pieces = [_unescape(p) if "&" in p else p for p in pieces]
        paras: list[str] = []
        _br_paragraphs(pieces, paras)
        return "\n\n".join(paras) if paras else None
    try:
        frag = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return _assemble([_TAG.sub(" ", value)])
    return element_text(frag)


def plain_text(value) -> str | None:
    """Text of a plain-text string (no markup, no entities) or of an lxml element."""
    if value is None:
        return None
    if not isinstance(value, str):
        return element_text(value)
    return _one_line(value)


def collapse(s: str | None) -> str | None:
    """A one-line string as printed: NFC, white space collapsed, trimmed; None if empty."""
    if s is None:
        return None
    s = clean_line(str(s))
    return s or None
