"""A parsed page and what page objects look up in it, from one walk of the tree.

Page objects find elements by class token (`tree.classed("rs-answer")`), by class-name
prefix for hashed CSS-module names (`"answer-card_card__"`), or by tag; each lookup is a
list in document order. The tokens and prefixes indexed are those the registered families
declare (crawler.pages.registry), so one walk serves detection and every field.
"""
from __future__ import annotations

import re
from lxml import etree

from crawler.sites import site_for
from crawler.sites.base import join_url, names_its_path, on_the_web

from .document import drop_templates
from .errors import MarkupError
from .parts import inside, nearest

TAGS = frozenset(("script", "h1", "h2", "title", "link", "meta", "aside", "base"))
_ASIDE = frozenset(("aside", "nav", "footer"))
# What browsers write at the top of a page they save: `<!-- saved from url=(0068)https://... -->`,
# the number being the URL's length.
_SAVED_FROM = re.compile(r"\s*saved from url=\(\d+\)(\S+)", re.I)


class ClassKeys:
    """Which declared tokens and prefixes a class attribute holds, remembered per attribute
    value (templates repeat a few; bounded, so pages of random classes cannot grow it)."""

    def __init__(self, tokens=(), prefixes=()):
        self.tokens = frozenset(tokens)
        self.prefixes = tuple(prefixes)
        self.memo: dict[str, tuple] = {}

    def __call__(self, classes: str) -> tuple:
        """The keys of a class attribute (callers look in `memo` first: a dict lookup costs
        less than this call)."""
        toks = classes.split()
        keys = [t for t in toks if t in self.tokens]
        keys += [p for p in self.prefixes if any(t.startswith(p) for t in toks)]
        if len(self.memo) >= 4096:
            self.memo.clear()
        keys = self.memo[classes] = tuple(dict.fromkeys(keys))
        return keys


class Tree:
    """The root of a page, the site it is of (its URL's: crawler.sites), and its elements by
    declared class key and by tag (TAGS)."""

    __slots__ = ("root", "url", "base", "canonical", "site_url", "site", "classes", "tags", "keys")

    def __init__(self, root, url: str, keys: ClassKeys):
        if url.startswith("file:"):  # a saved page: where the browser saved it from is the URL fetched
            url = _saved_from(root) or url
        self.root, self.url, self.keys = root, url, keys
        self.classes: dict[str, list] = {}
        self.tags: dict[str, list] = {}
        classes, tags, memo = self.classes, self.tags, keys.memo
        drop_templates(root)
        for el in root.iter(*TAGS):  # lxml filters by tag in C
            tags.setdefault(el.tag, []).append(el)
        for el in root.iter():  # comments and processing instructions have no attributes
            c = el.get("class")
            if c:
                found = memo.get(c)
                for key in keys(c) if found is None else found:
                    if key in classes:
                        classes[key].append(el)
                    else:
                        classes[key] = [el]
        self.base = self._base_url()  # a <base href>: what the page's relative links resolve against
        self.canonical = self._canonical_url()  # the page's word on its URL, read once
        self.site_url = self._site_url()
        self.site = site_for(self.site_url or url)

    def classed(self, key: str) -> list:
        """Elements whose class holds the declared token (or a token with this prefix)."""
        return self.classes.get(key, [])

    def first(self, key: str):
        found = self.classes.get(key)
        return found[0] if found else None

    def parts(self, containers: list, keys, content=()) -> list[dict]:
        """For each container: class key -> the element holding it inside that container (the
        nearest one above it), for each of `keys`: its one candidate outside the container's
        `content` part (an answer's body: a date or a byline in a note or a reply there is
        theirs), else the nearest one in it. A container has one of each part: two outside its
        body (a comment's byline beside the answer's), or one in a block that shows text of its
        own (a reply's byline, above the reply: in a post, one with `content`), are another
        item's or the container's, which is a guess: a MarkupError (single, own). One in an
        <aside>, <nav> or <footer> within the container is none of its parts."""
        at = {el: i for i, el in enumerate(containers)}
        candidates: list[dict] = [{} for _ in containers]  # key -> [(depth, order, element)]
        for key in keys:
            for order, el in enumerate(self.classed(key)):
                up, depth, aside = el.getparent(), 1, False
                while up is not None and up not in at:
                    aside = aside or up.tag in _ASIDE
                    up, depth = up.getparent(), depth + 1
                # in an <aside>, <nav> or <footer> within the container (a "Top doctors" box):
                # beside its content, as the page's own are (Tree.aside), no part of it nor a rival
                if up is not None and not aside:
                    candidates[at[up]].setdefault(key, []).append((depth, order, el))
        return [nearest(found, container, content) for found, container in zip(candidates, containers)]

    def apart(self, containers: list, bodies, what: str) -> None:
        """MarkupError when a container is inside another's body: an answer there (a quoted
        one, a reply) would be read as the outer one's text, and as an answer of its own."""
        held = {body for body in bodies if body is not None}
        if held and any(inside(el, held) for el in containers):
            raise MarkupError(f"{what} inside another {what}'s body")

    def no_byline(self, answer, body) -> None:
        """Check that an answer without a byline it can read is one with no byline: one that
        holds a profile link of the site outside its body (whose links are its text's) has
        a byline in markup of a new shape, and its doctor would be lost without a word. A link
        in an <aside>, <nav> or <footer> in the answer (a "Top doctors" box) is that box's."""
        for a in answer.iter("a"):
            if body is not None and (a is body or inside(a, {body})) or self.aside(a, within=answer):
                continue
            if self.site.profile_slug(self.link(a.get("href")), self.url):
                raise MarkupError("an answer with a doctor's profile link but no byline that reads: "
                                  "a byline in markup of a new shape?")

    @staticmethod
    def aside(el, within=None) -> bool:
        """Whether the element is in an <aside>, <nav> or <footer> (below `within`, when
        given): beside the page's own content (another question's teaser, a menu), never the
        page's question; within an answer, a "Top doctors" box, none of the answer's parts."""
        for up in el.iterancestors():
            if up is within:
                return False
            if up.tag in _ASIDE:
                return True
        return False

    def tagged(self, tag: str) -> list:
        return self.tags.get(tag, [])

    def meta(self, prop: str) -> str | None:
        """The content of the first <meta property=prop> with content."""
        for m in self.tagged("meta"):
            if m.get("property") == prop and m.get("content"):
                return m.get("content")
        return None

    def link(self, href: str | None) -> str | None:
        """A link as the page means it: resolved against its <base href> when it has one (a
        relative link's path is read by the site's rules as it is otherwise)."""
        if self.base is None or not href:
            return href
        try:
            return join_url(self.base, href.strip())
        except ValueError:  # not a URL: left as it is, no rule reads it
            return href

    def _base_url(self) -> str | None:
        """The first <base href>'s URL (relative to the URL fetched), as browsers take it."""
        for base in self.tagged("base"):
            href = (base.get("href") or "").strip()
            if href:
                try:
                    return join_url(self.url, href)
                except ValueError:
                    return None
        return None

    def _canonical_url(self) -> str:
        """The first canonical link's URL, else the URL fetched. `rel` is a list of keywords,
        in any case ("Canonical", "nofollow canonical")."""
        for link in self.tagged("link"):
            canonical = "canonical" in (link.get("rel") or "").lower().split()
            href = (link.get("href") or "").strip() if canonical else ""
            if href:
                try:
                    return join_url(self.base or self.url, href)
                except ValueError:  # not a URL (e.g. a broken IPv6 host): the fetched URL stands
                    return self.url
        return self.url

    def _site_url(self) -> str | None:
        """A URL of the site the page is of: the URL fetched; for a saved page read without
        it (a file: URL names no site), the first web URL its markup names: its canonical
        link, its <base href>, else its first absolute link to a profile or a question (as
        the link's own site reads it); None when it names none. Its records' URLs are built
        on it, never on a file: URL, which names nothing."""
        if not self.url.startswith("file:"):
            return self.url
        named = next((url for url in (self.canonical, self.base) if url and on_the_web(url)), None)
        links = (href.strip() for a in self.root.iter("a") if (href := a.get("href")))
        return named or next((url for url in links if on_the_web(url) and _of_a_site(url)), None)

    def question_links(self, hrefs) -> list[str]:
        """Absolute links to question pages (by the site's rule), without fragments, each
        once, in page order."""
        out: dict[str, None] = {}
        prefix = self.site.question_prefix
        for h in hrefs:
            # no question's path in it, nor a %XX or a "\" (a browser's "/") that could spell one:
            # no need to join it
            if prefix not in h and "%" not in h and "\\" not in h and names_its_path(h):
                continue
            try:
                url = join_url(self.base or self.url, h.strip()).split("#", 1)[0]
            except ValueError:  # not a URL: not a link to follow
                continue
            if self.site.is_question_url(url):
                out[url] = None
        return list(out)


def _saved_from(root) -> str | None:
    """The web URL of a browser's `saved from url` comment before the page's head, or None."""
    comments = (*root.itersiblings(etree.Comment, preceding=True), *root.iterchildren(etree.Comment))
    found = (_SAVED_FROM.match(comment.text or "") for comment in comments)
    return next((m.group(1) for m in found if m and on_the_web(m.group(1))), None)


def _of_a_site(url: str) -> bool:
    """Whether a web URL is a page of a site, a question or a profile by its site's rule (not a
    share button's, a stylesheet's)."""
    site = site_for(url)
    return site.is_question_url(url) or site.profile_slug(url, url) is not None


