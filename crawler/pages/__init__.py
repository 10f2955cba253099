"""Page parsers: (url, html) -> QuestionPage of raw strings. No Scrapy, no network.

    from crawler.pages import parse_question_page, detect_family, is_block_page
    from crawler.pages import PageError, BlockedPage, TruncatedPage, UnknownLayout
"""
from __future__ import annotations

import re

from lxml import etree

from . import legacy, nextjs, provider_card
from ._common import TagIndex
from .detect import block_reason, detect_family, is_block_page, parse_html
from .errors import BlockedPage, PageError, TruncatedPage, UnknownLayout
from .items import QuestionPage, RawAnswer, RawByline, RawQuestion

__all__ = [
    "parse_question_page", "detect_family", "is_block_page",
    "PageError", "BlockedPage", "TruncatedPage", "UnknownLayout",
    "QuestionPage", "RawQuestion", "RawAnswer", "RawByline", "FAMILIES",
]

_PARSERS = {
    "legacy": legacy.parse,
    "provider-card": provider_card.parse,
    "nextjs": nextjs.parse,
}
FAMILIES = tuple(_PARSERS)
# An answer's position is an int16 in the answers dataset: a page past this is not a real
# question page, and one such page must not make a whole batch of rows unwritable.
MAX_ANSWERS = 32_767


def _decode(url: str, html) -> tuple[str, str | bytes]:
    """(text, what to parse): the text for the checks; checked UTF-8 bytes go to lxml as they
    are (parsing bytes is faster than parsing the decoded str: no re-encoding)."""
    if isinstance(html, str):
        return html, html
    if isinstance(html, (bytes, bytearray, memoryview)):
        data = bytes(html)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8"), data
        except UnicodeDecodeError:
            raise PageError(url, "unreadable bytes (not UTF-8 text)") from None
    raise TypeError(f"html must be str or bytes, not {type(html).__name__}")


_BODY_END = re.compile("</body>", re.I | re.A)
_BODY_END_BYTES = re.compile(b"</body>", re.I)


def _complete_bytes(data: bytes, text: str) -> bool:
    """`_complete(text)` of the UTF-8 `data` it was decoded from, decided on the bytes when it
    can be (no slicing and lower-casing of a wide str): the last 4096 bytes hold at most the
    last 4096 characters, bytes.rstrip strips only white space str.rstrip strips too, and
    bytes case folding is ASCII, as re.A is. So a yes here is `_complete`'s yes; a no is
    decided on the text."""
    tail = data[-4096:]
    if tail.rstrip()[-7:].lower() == b"</html>" and (
            tail.rfind(b"</body>") >= 0 or _BODY_END_BYTES.search(tail) is not None):
        return True
    return _complete(text)


def _complete(text: str) -> bool:
    """The page ends in </html> (then only white space) and closes </body> in its last 4 KiB.

    Case is ignored without lower-casing 4 KiB per page: no character but ASCII lower-cases
    to the letters of these tags, so ASCII-only case folding (re.A) decides the same."""
    tail = text[-4096:]
    if tail.rstrip()[-7:].lower() != "</html>":
        return False
    # rfind: </body> sits near the end, so the search from the end stops early
    return tail.rfind("</body>") >= 0 or _BODY_END.search(tail) is not None


def parse_question_page(url: str, html) -> QuestionPage:
    """Parse a question page of any family. Raises a PageError subclass naming `url`."""
    text, source = _decode(url, html)
    if not text or text.isspace():  # `not text.strip()` without copying the page
        raise UnknownLayout(url, "empty page")
    # ASCII searches run on the UTF-8 bytes when there are some: the same answer (no other
    # character's encoding holds an ASCII byte) without scanning a wide decoded str.
    probe = source
    if (b"\x00" if isinstance(probe, bytes) else "\x00") in probe:
        raise PageError(url, "unreadable bytes (NUL characters)")
    try:
        root = parse_html(source, utf8=True)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise PageError(url, f"unparseable HTML ({e})") from None
    index = TagIndex(root)  # one walk for the tags detection and the parsers look up
    family = detect_family(root, index)
    reason = block_reason(root, family, probe)
    if reason:
        raise BlockedPage(url, reason)
    complete = _complete_bytes(source, text) if isinstance(source, bytes) else _complete(text)
    if family is None:
        if not complete:
            raise TruncatedPage(url, "truncated page (no closing </html>) of unknown layout")
        raise UnknownLayout(url, "not a question page of a known family")
    if not complete:
        raise TruncatedPage(url, "truncated page (missing closing </body>/</html>)")
    page = _PARSERS[family](root, url, index)
    declared = page.declared_answer_count
    if declared is not None and len(page.answers) < declared:
        raise TruncatedPage(
            url, f"truncated page ({len(page.answers)} answers, the page declares {declared})")
    if len(page.answers) > MAX_ANSWERS:
        raise PageError(url, f"{len(page.answers)} answers: more than one question can hold ({MAX_ANSWERS})")
    if not page.question.question_id:
        raise UnknownLayout(url, f"{family} page without a question id")
    for a in page.answers:
        if not str(a.answer_id or "").strip():
            raise UnknownLayout(url, f"{family} page with an answer without an id")
    return page
