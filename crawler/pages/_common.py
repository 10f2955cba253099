"""Helpers shared by the family parsers (lxml only)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

CANONICAL = etree.XPath("//link[@rel='canonical'][1]/@href")

# URLs that urljoin would only copy: lower-case http(s), a plain host, a path of unreserved
# characters (no dot segments, params, query, fragment, white space, brackets).
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9_~%/-]*|/")
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.:-]+(?:/[A-Za-z0-9_~%/-]*)?")
# A base whose scheme://netloc urlsplit takes as written (nothing stripped, nothing to check).
_PLAIN_ORIGIN = re.compile(r"(https?://[A-Za-z0-9.:-]+)(?:[/?#][^\t\r\n]*)?")


def class_has(token: str) -> str:
    """XPath predicate: the class attribute holds this whole token."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {token} ')"


def class_prefix(prefix: str) -> str:
    """XPath predicate: a class token starts with `prefix` (hashed CSS-module names)."""
    return f"(starts-with(@class, '{prefix}') or contains(@class, ' {prefix}'))"


def tokens(el) -> tuple[str, ...]:
    c = el.get("class")
    return tuple(c.split()) if c else ()


def has_prefix(el, prefix: str) -> bool:
    c = el.get("class")
    if not c or prefix not in c:
        return False
    if c.startswith(prefix):  # the first token (prefixes hold no white space): no split
        return True
    return any(t.startswith(prefix) for t in c.split())


def all_text(el) -> str:
    """All text inside an element (works on plain lxml.etree elements): `itertext()` joined.

    Leaves and elements whose children are leaves (a rating line with a link, a heading with
    a <span>) are read directly: itertext's iterwalk costs more than the few texts it yields.
    As itertext does, comments and processing instructions give their tails, not their text."""
    if not len(el):  # a leaf (most bylines, dates, titles): its text, no iterator
        return el.text or ""
    t = el.text
    parts = [t] if t else []
    for ch in el:
        if len(ch):  # deeper than one level: itertext
            return "".join(el.itertext())
        if isinstance(ch.tag, str):
            t = ch.text
            if t:
                parts.append(t)
        t = ch.tail
        if t:
            parts.append(t)
    return "".join(parts)


def text_of(el) -> str | None:
    """The element's whole text as printed (raw; the normalisers collapse white space)."""
    if el is None:
        return None
    t = all_text(el)
    return t if t and t.strip() else None


def _root_prefix(base: str) -> str:
    """What urljoin(base, "/x") puts before "/x" (raises ValueError where urljoin would)."""
    m = _PLAIN_ORIGIN.fullmatch(base)
    if m:
        return m.group(1)
    return urljoin(base, "/")[:-1]


def join_url(base: str, href: str, prefix: str | None = None) -> str:
    """urljoin(base, href), without urllib for the hrefs pages hold (urlsplit runs several
    times per join and its 128-entry cache thrashes in a crawl). `prefix`: `_root_prefix(base)`
    when the caller has it already (one per page, not one per link)."""
    if prefix is None:
        prefix = _root_prefix(base)
    if _PLAIN_PATH.fullmatch(href):
        return prefix + href
    if _PLAIN_ABSOLUTE.fullmatch(href):
        return href
    return urljoin(base, href)


class TagIndex:
    """The elements the parsers look up by tag, from one walk of the tree (a tag-filtered walk
    runs in C, but each one costs ~2 us of set-up and walk on a question page; detection and
    every family parser used to walk it again for each tag).

    Lists are in document order, as `root.iter(tag)` gives them (the root included);
    `head_links` and `head_metas` are what `root.iterfind("head/link")` and `("head/meta")` give."""

    __slots__ = ("script", "h1", "h2", "h3", "aside", "head_links", "head_metas")
    TAGS = ("script", "h1", "h2", "h3", "aside")

    def __init__(self, root):
        self.script, self.h1, self.h2, self.h3, self.aside = lists = ([], [], [], [], [])
        add = {tag: found.append for tag, found in zip(self.TAGS, lists)}
        for el in root.iter(*self.TAGS):
            add[el.tag](el)
        self.head_links, self.head_metas = links, metas = [], []
        for head in root:  # html's children: head and body (a loop costs less than iterchildren)
            if head.tag == "head":
                for el in head:
                    tag = el.tag
                    if tag == "meta":
                        metas.append(el)
                    elif tag == "link":
                        links.append(el)


def canonical_url(root, url: str, index: TagIndex | None = None) -> str:
    links = index.head_links if index is not None else root.iterfind("head/link")
    hrefs = [el.get("href") for el in links if el.get("rel") == "canonical"
             and el.get("href")] or CANONICAL(root)
    if hrefs and hrefs[0].strip():
        try:
            return join_url(url, hrefs[0].strip())
        except ValueError:  # not a URL (e.g. a broken IPv6 host): the fetched URL stands
            return url
    return url


def question_links(hrefs, base: str) -> list[str]:
    out: list[str] = []
    seen = set()
    prefix = None
    for h in hrefs:
        if "/question/" not in h:
            continue
        h = h.strip()
        if not h:
            continue
        try:
            if prefix is None:
                prefix = _root_prefix(base)  # the same for every link: once per page
            u = join_url(base, h, prefix).split("#", 1)[0]
        except ValueError:  # not a URL: not a link to follow
            continue
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out


# A run of decimal digits and commas from its first digit: \d in a str pattern is exactly
# str.isdecimal (Unicode category Nd), which int() reads.
_INT_RUN = re.compile(r"\d[\d,]*")


def first_int(text) -> int | None:
    """The first number in the text, commas inside it dropped ("Doctor Answers (1,234)" -> 1234)."""
    if text is None:
        return None
    m = _INT_RUN.search(str(text))
    return int(m.group().replace(",", "")) if m else None


def answer_elements(root, title_class: str, answer_class: str, prefix: bool = False,
                    declared: int | None = None, fallback=None, h3s=None) -> list:
    """Answer elements found fast: the parents of their h3 titles (tag-filtered iteration in C).

    With a `fallback` (a compiled XPath over every element): used instead when the fast way
    finds fewer answers than the page `declared`, or the page declares none. `h3s`: the page's
    h3 elements in document order when the caller has them (a TagIndex)."""
    out = []
    for h in (root.iter("h3") if h3s is None else h3s):
        c = h.get("class")
        if not c or title_class not in c:  # a substring test first: no split for other h3s
            continue
        if (has_prefix(h, title_class) if prefix else c == title_class or title_class in c.split()):
            parent = h.getparent()
            if parent is not None and (has_prefix(parent, answer_class) if prefix
                                       else answer_class in tokens(parent)):
                out.append(parent)
    if fallback is not None and (declared is None or len(out) < declared):
        return fallback(root)
    return out
