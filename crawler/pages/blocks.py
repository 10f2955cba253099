"""Block (captcha) pages, whatever their HTTP status."""
from __future__ import annotations

from lxml import etree

from crawler.sites.realself import SITE

from .tree import all_text

BLOCK_TITLE = SITE.block_title
_CAPTCHA = etree.XPath("//*[@id=$id][1]")


def block_reason(tree, known_family: bool, text: str) -> str | None:
    """Why this page is a block page, or None.

    An element with id `px-captcha` makes a block page. A `<title>` starting with the block
    words makes one too unless the page is a question page of a known family (a question may
    be titled with those words; the same words in question or answer text never count).
    `text` is the page's text: what it does not mention is not looked for in the tree."""
    if SITE.block_element_id in text and _CAPTCHA(tree.root, id=SITE.block_element_id):
        return f"blocked page ({SITE.block_element_id})"
    if known_family or BLOCK_TITLE not in text:
        return None
    titles = tree.tagged("title")
    if titles and all_text(titles[0]).strip().startswith(BLOCK_TITLE):
        return "blocked page (access denied title)"
    return None
