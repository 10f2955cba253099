"""Detection of a page's family and of block pages.

Detection looks at structure, never at a whole hashed nextjs class name (the suffix changes with
every deploy): nextjs is recognised by its `__NEXT_DATA__` script or by class-name prefixes.
"""
from __future__ import annotations

import threading

from lxml import etree

from ._common import TagIndex, all_text, class_has, class_prefix

BLOCK_TITLE = "Access to this page has been denied"
_BLOCK_TITLE_BYTES = BLOCK_TITLE.encode()

_PX_CAPTCHA = etree.XPath("//*[@id='px-captcha']")
_TITLE = etree.XPath("//title[1]")
_IS_NEXTJS = etree.XPath(
    "boolean(//script[@id='__NEXT_DATA__'] or //*[@id='__next']"
    f" or //*[{class_prefix('answer-card_card__')}] or //*[{class_prefix('question-overview_title__')}])"
)
_IS_LEGACY = etree.XPath(
    f"boolean(//*[{class_has('rs-question')}] or //*[{class_has('rs-answer')}] or //*[@data-question-id])"
)
_IS_PROVIDER_CARD = etree.XPath(
    f"boolean(//meta[@property='rs:content-id'] or //*[{class_has('Content--answer')}]"
    " or //*[@id='question-view'])"
)


_PARSERS = threading.local()  # lxml parsers are not to be shared between threads


def _utf8_parser() -> etree.HTMLParser:
    parser = getattr(_PARSERS, "utf8", None)
    if parser is None:
        # collect_ids=False: no hash table of id attributes (~4% of the parse); the parsers
        # read @id as an attribute, never through XPath id() or getElementById.
        parser = _PARSERS.utf8 = etree.HTMLParser(encoding="utf-8", collect_ids=False)
    return parser


def parse_html(html, utf8: bool = False):
    """One lxml tree of plain etree elements (lighter than lxml.html's element classes).

    `utf8`: bytes already checked to be UTF-8 are parsed as such (faster than parsing their
    decoded str, which lxml re-encodes); otherwise libxml2 reads the page's declared charset."""
    if utf8 and isinstance(html, bytes):
        root = etree.HTML(html, _utf8_parser())
    else:
        root = etree.HTML(html)
    if root is None:
        raise etree.ParserError("Document is empty")
    return root


def _tree(html):
    if isinstance(html, (str, bytes)):
        return parse_html(html)
    return html


def _fast_family(root, index: TagIndex | None = None) -> str | None:
    # tag-filtered iteration runs in C; only a handful of elements reach Python
    for s in (index.script if index is not None else root.iter("script")):
        if s.get("id") == "__NEXT_DATA__":
            return "nextjs"
    for m in (index.head_metas if index is not None else root.iterfind("head/meta")):
        if m.get("property") == "rs:content-id":
            return "provider-card"
    for h in (index.h1 if index is not None else root.iter("h1")):
        c = h.get("class") or ""
        if "rs-question__title" in c.split():
            return "legacy"
        if "question-overview_title__" in c:
            return "nextjs"
        break
    return None


def detect_family(html, index: TagIndex | None = None) -> str | None:
    """'legacy' | 'provider-card' | 'nextjs', or None. `html` is str, bytes or an lxml tree
    (`index`: its TagIndex, when the caller has one)."""
    root = _tree(html)
    fast = _fast_family(root, index)
    if fast is not None:
        return fast
    if _IS_NEXTJS(root):
        return "nextjs"
    if _IS_LEGACY(root):
        return "legacy"
    if _IS_PROVIDER_CARD(root):
        return "provider-card"
    return None


def block_reason(root, family: str | None = None, text: str | None = None) -> str | None:
    """Why this tree is a block page, or None.

    An element with id `px-captcha` makes a block page. A `<title>` starting with the block
    words makes one too unless the page is a question page of a known family (a question may
    be titled with those words; the same words in question or answer text never count).
    `text`, the page's str or its UTF-8 bytes, only rules out what it does not mention.
    """
    if isinstance(text, bytes):
        captcha, title = b"px-captcha", _BLOCK_TITLE_BYTES
    else:
        captcha, title = "px-captcha", BLOCK_TITLE
    if (text is None or captcha in text) and _PX_CAPTCHA(root):
        return "blocked page (px-captcha)"
    if family is not None:
        return None  # the title rule spares pages of a known family: no need to read it
    if text is not None and title not in text:
        return None
    titles = root.findall("head/title") or _TITLE(root)
    if titles:
        t = (all_text(titles[0]) or "").strip()
        if t.startswith(BLOCK_TITLE):
            if family is None:
                family = detect_family(root)
            if family is None:
                return "blocked page (access denied title)"
    return None


def is_block_page(html) -> bool:
    """True for a block page (str, bytes or lxml tree), whatever the HTTP status."""
    if isinstance(html, bytes):
        if b"px-captcha" not in html and BLOCK_TITLE.encode() not in html:
            return False
    elif isinstance(html, str):
        if "px-captcha" not in html and BLOCK_TITLE not in html:
            return False
    try:
        root = _tree(html)
    except (etree.ParserError, ValueError):
        return False
    return block_reason(root) is not None
