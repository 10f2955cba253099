"""Page bytes or text to an lxml tree as a browser shows the document: one parser per thread,
its end tags and inert templates as browsers treat them, and whether a page ends whole."""
from __future__ import annotations

import re
import threading
from lxml import etree

from .charset import decode_links_page
from .end_tags import without_end_tags

_PARSERS = threading.local()  # lxml parsers are not to be shared between threads
_XML_DECLARATION = re.compile(r"\s*<\?xml\b[^>]*>")


def html_parser(encoding: str | None = None) -> etree.HTMLParser:
    """This thread's lxml HTML parser (for UTF-8 bytes, or for str)."""
    parser = getattr(_PARSERS, encoding or "str", None)
    if parser is None:
        # collect_ids=False: no table of id attributes; ids are read as attributes. huge_tree:
        # libxml2's limits for untrusted XML (no element past 256 levels, no text or attribute
        # past 10 MB) cut real pages short (an old answer's 300 unclosed <b>, an inline image
        # after the answers); a page is at most DOWNLOAD_MAXSIZE, and past what huge_tree reads
        # (2,048 levels) the cut is a fatal error, which makes the page malformed (parse_html).
        parser = etree.HTMLParser(encoding=encoding, collect_ids=False, huge_tree=True)
        setattr(_PARSERS, encoding or "str", parser)
    return parser


def parse_html(source, fragment: bool = False):
    """One lxml tree of plain etree elements: UTF-8 bytes, or a str. ParserError when lxml
    read nothing, or stopped before the end (libxml2 drops the rest of a page it stops reading
    in silence: its answers, their bylines). Its </body> and </html> end tags build nothing,
    as in a browser (crawler.pages.end_tags; a `fragment` has no end of its own)."""
    if isinstance(source, str):
        source = _as_shown(source)
        if declaration := _XML_DECLARATION.match(source):
            source = source[declaration.end():]  # its encoding is the bytes', read already; lxml refuses it on a str
    source = without_end_tags(source, fragment)
    parser = html_parser("utf-8" if isinstance(source, bytes) else None)
    root = etree.HTML(source, parser)
    if root is None:
        raise etree.ParserError("Document is empty")
    fatal = parser.error_log.filter_from_fatals()
    if fatal:
        raise etree.ParserError(f"lxml stopped reading at line {fatal[0].line}: {fatal[0].message}")
    return root


def _as_shown(text: str) -> str:
    """Text with each lone surrogate as U+FFFD, as a browser shows it: JSON may hold one (a
    string cut inside an emoji, "\\ud83d"), which lxml cannot read in a str, and the whole
    page would be lost for half a character. A pair of them is the character it stands for."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def any_page_tree(url: str, body: bytes, content_type=None):
    """Any page's tree but a question page's (a listing, a wall): its bytes read as text by the
    one rule of every page the crawl reads (crawler.pages.charset), or None when an HTML parser
    reads no document in it (an empty body, only a comment)."""
    if not body.strip():
        return None
    text = decode_links_page(url, body, content_type)
    # UTF-8 bytes with the parser told so: lxml refuses a str that opens with an XML
    # declaration, and left to itself reads bytes as Latin-1, whatever the header said.
    try:
        return etree.HTML(text.encode("utf-8"), html_parser("utf-8"))
    except (etree.ParserError, ValueError):
        return None


_HTML_END = re.compile("</html>", re.I | re.A)


def ends_document(text: str) -> bool:
    """Whether `text` ends as a whole page does: in </html>, then only white space and whole
    comments (a cache's "<!-- served by edge-7 -->"). A page that ends inside a script (its
    </script> never came) gives the script this end: its text runs to the page's end."""
    tail = text[-4096:]
    return any(_only_comments(tail[m.end():]) for m in _HTML_END.finditer(tail))


def _only_comments(rest: str) -> bool:
    """Whether `rest` is white space and whole comments (one scan: no pattern that backtracks)."""
    rest = rest.lstrip()
    while rest.startswith("<!--"):
        close = rest.find("-->", 4)
        if close < 0:
            return False
        rest = rest[close + 3:].lstrip()
    return not rest


def drop_templates(root) -> None:
    """A <template>'s content is never shown (browsers keep it out of the document): a
    placeholder answer or question there is no part of the page. A declarative shadow root
    (shadow_root) is shown, in place of its host's content: it stays."""
    inert = [t for t in root.iter("template") if not shadow_root(t)]
    for template in inert:
        parent, tail = template.getparent(), template.tail
        if parent is None:
            continue
        if tail:  # the text after it is the page's: kept where it was
            before = template.getprevious()
            if before is not None:
                before.tail = (before.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(template)


# The elements a shadow root can be attached to (and custom elements, named with a "-")
_SHADOW_HOSTS = frozenset("article aside blockquote body div footer h1 h2 h3 h4 h5 h6 header main nav p section "
                          "span".split())


def shadow_root(template) -> bool:
    """Whether a <template> is a declarative shadow root, as browsers attach one: its
    shadowrootmode "open" or "closed", on an element that can host one, and its host's first
    (another is an inert template)."""
    if not _shadow_mode(template):
        return False
    host = template.getparent()
    if host is None or host.tag not in _SHADOW_HOSTS and "-" not in host.tag:
        return False
    return not any(_shadow_mode(t) for t in template.itersiblings("template", preceding=True))


def _shadow_mode(template) -> bool:
    return (template.get("shadowrootmode") or "").lower() in ("open", "closed")
