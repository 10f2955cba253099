"""Block (captcha) pages, whatever their HTTP status."""
from __future__ import annotations

from lxml import etree

from .tree import all_text

BLOCK_TITLE = "Access to this page has been denied"
_PX_CAPTCHA = etree.XPath("//*[@id='px-captcha'][1]")


def block_reason(tree, known_family: bool, text: str) -> str | None:
    """Why this page is a block page, or None.

    An element with id `px-captcha` makes a block page. A `<title>` starting with the block
    words makes one too unless the page is a question page of a known family (a question may
    be titled with those words; the same words in question or answer text never count).
    `text` is the page's text: what it does not mention is not looked for in the tree."""
    if "px-captcha" in text and _PX_CAPTCHA(tree.root):
        return "blocked page (px-captcha)"
    if known_family or BLOCK_TITLE not in text:
        return None
    titles = tree.tagged("title")
    if titles and all_text(titles[0]).strip().startswith(BLOCK_TITLE):
        return "blocked page (access denied title)"
    return None
