"""Block (captcha) pages, whatever their HTTP status."""
from __future__ import annotations

from lxml import etree

from .markup import text_of

_CAPTCHA = etree.XPath("//*[@id=$id][1]")


def block_reason(tree, known_family: bool, text: str) -> str | None:
    """Why this page is a block page, or None.

    The markers are the page's site's (crawler.sites; RealSelf's: `px-captcha` and "Access to
    this page has been denied"). An element with the block id makes a block page. A `<title>`
    starting with the block words makes one too unless the page is a question page of a known
    family (a question may be titled with those words; the same words in question or answer
    text never count). `text` is the page's text: what it does not mention is not looked for
    in the tree."""
    site = tree.site
    if site.block_element_id in text and _CAPTCHA(tree.root, id=site.block_element_id):
        return f"blocked page ({site.block_element_id})"
    if known_family or site.block_title not in text:
        return None
    titles = tree.tagged("title")
    if titles and (text_of(titles[0]) or "").strip().startswith(site.block_title):
        return "blocked page (access denied title)"
    return None
