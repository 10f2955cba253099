"""A parsed page and what page objects look up in it, from one walk of the tree.

Page objects find elements by class token (`tree.classed("rs-answer")`), by class-name
prefix for hashed CSS-module names (`"answer-card_card__"`), or by tag; each lookup is a
list in document order. The tokens and prefixes indexed are those the registered families
declare (crawler.pages.registry), so one walk serves detection and every field.
"""
from __future__ import annotations

import re
import threading
from lxml import etree

from crawler.sites import site_for
from crawler.sites.base import join_url, names_its_path, on_the_web
from pipelines.normalise.numbers import COUNT, count_of_digits, count_of_number, signed_negative, whole_number
from pipelines.normalise.text import clean

from .charset import decode_links_page
from .end_tags import without_end_tags
from .errors import MarkupError

TAGS = frozenset(("script", "h1", "h2", "title", "link", "meta", "aside", "base"))
_PARSERS = threading.local()  # lxml parsers are not to be shared between threads
_ASIDE = frozenset(("aside", "nav", "footer"))
# An inline style that hides an element: what a mobile or a desktop copy of a part wears.
_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)", re.I)
_XML_DECLARATION = re.compile(r"\s*<\?xml\b[^>]*>")
# What browsers write at the top of a page they save: `<!-- saved from url=(0068)https://... -->`,
# the number being the URL's length.
_SAVED_FROM = re.compile(r"\s*saved from url=\(\d+\)(\S+)", re.I)


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
        _drop_templates(root)
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
        return [_nearest(found, container, content) for found, container in zip(candidates, containers)]

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
            if body is not None and (a is body or inside(a, {body})) or _aside_within(a, answer):
                continue
            if self.site.profile_slug(self.link(a.get("href")), self.url):
                raise MarkupError("an answer with a doctor's profile link but no byline that reads: "
                                  "a byline in markup of a new shape?")

    @staticmethod
    def aside(el) -> bool:
        """Whether the element is in an <aside>, <nav> or <footer>: beside the page's own
        content (another question's teaser, a menu), never the page's question."""
        return any(up.tag in _ASIDE for up in el.iterancestors())

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


def inside(el, elements: set) -> bool:
    """Whether one of `elements` holds the element (is one of its ancestors)."""
    return any(up in elements for up in el.iterancestors())


def _drop_templates(root) -> None:
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


def _nearest(candidates: dict, container, content) -> dict:
    parts = {key: min(shown_ones(found, lambda c: c[2]), key=_rank)[2] for key, found in candidates.items()}
    bodies = {parts[key] for key in content if key in parts}
    copies = set()  # every candidate outside the body: a copy of a part is no other post's text
    for key, found in candidates.items():
        outside = [c[2] for c in found if not _within(c[2], bodies, container)]
        outside = [el for el in outside if not _within(el, set(outside), container)]  # a part in its like: that one's
        if outside:
            parts[key] = single(outside, key)
            copies.update(outside)
    for key, el in parts.items() if content else ():  # a post (one with a body) has sub-threads
        if el not in bodies and not _within(el, bodies, container):
            own(el, container, {*parts.values(), *copies}, key)
    return parts


def single(found: list, what: str):
    """The one element of `found`, a part its container has one of (a byline, a vote's data, a
    doctor's item); copies that show the same (a desktop and a mobile copy) are one part, the
    first. A hidden one (hidden_part) is no rival to one shown: a copy for another screen.
    Several shown that differ, which the markup does not tell apart, leave which is the
    container's and which a sub-thread's (a comment's, a reply's) to a guess: a MarkupError."""
    from .markup import shown_form  # markup reads trees (parse_html): imported when called
    found = shown_ones(found)
    shown = {shown_form(el) for el in found} if len(found) > 1 else ()
    if len(shown) > 1:
        raise MarkupError(f"{len(found)} {what} where an item shows one: which is its own and "
                          "which another's (a comment's, a reply's, a practice's) is a guess")
    return found[0]


def hidden_part(el) -> bool:
    """Whether the element, or one holding it, is hidden from a reader: aria-hidden="true",
    the `hidden` attribute, or an inline style display:none or visibility:hidden (a mobile
    copy of a byline on a desktop page). Judged only among candidates for one part: a field's
    text in a hidden element (a "Read more"'s rest) is still its text (crawler.pages.markup)."""
    for up in (el, *el.iterancestors()):
        if (up.get("hidden") is not None or (up.get("aria-hidden") or "").strip().lower() == "true"
                or _HIDING_STYLE.search(up.get("style") or "")):
            return True
    return False


def shown_ones(found: list, element=lambda el: el) -> list:
    """The candidates a reader sees, when there are some; else all of them (a part hidden
    on every screen is still the one there is)."""
    if len(found) < 2:
        return found
    shown = [c for c in found if not hidden_part(element(c))]
    return shown or found


def own(el, container, parts: set, key: str) -> None:
    """MarkupError when a part sits in a block that shows content of its own beside the
    container's parts (a comment: a reply's byline above the reply's text): that block's
    part, not the container's, and the container's own is then missing or elsewhere. A
    label beside a part ("Answered <date>", "Helpful?", "Answered by") is no content."""
    from .markup import content_outside  # markup reads trees (parse_html): imported when called
    up = el.getparent()
    while up is not container and up not in parts:  # in another of its parts (a date in its byline): its own
        if content_outside(up, parts):
            raise MarkupError(f"{key} in a block with content of its own beside it: "
                              "a comment's or a reply's, not its item's?")
        up = up.getparent()


def _aside_within(el, container) -> bool:
    """Whether the element is in an <aside>, <nav> or <footer> inside the container."""
    for up in el.iterancestors():
        if up is container:
            return False
        if up.tag in _ASIDE:
            return True
    return False


def _rank(candidate) -> tuple:
    return candidate[:2]  # depth, then page order


def _within(el, elements: set, container) -> bool:
    up = el.getparent()
    while up is not container:
        if up in elements:
            return True
        up = up.getparent()
    return False


# A count as printed ("1,234", "12"): \d in a str pattern is exactly str.isdecimal (Unicode
# category Nd), which int() reads.
_COUNT = re.compile(COUNT)
# "9 of 10", "9 out of 10": some shown of a total
_OF_TOTAL = re.compile(rf"(?:{COUNT})\s+(?:out\s+)?of\s+({COUNT})", re.I)


# A number followed by who answered, in any words ("8 doctors answered", "5 board-certified
# nurses responded"), or by who or what else is counted ("by 8 doctors", "1,259 views"),
# counts those, not answers: it is no answer count ("10 doctor answers" still is).
_ANSWER_WORDS = r"(?:answers?|responses?|replies)\b"
_COUNTS_OTHER = re.compile(rf"\s*(?!{_ANSWER_WORDS})(?:[^\s\d]+\s+){{1,3}}?(?:answered|responded|replied|weighed\s+in)\b"
                           r"|\s*(?:doctors?|physicians?|experts?|providers?|specialists?|surgeons?|dentists?"
                           rf"|people|users?|members?|views?|votes?|likes?)\b(?!\s+{_ANSWER_WORDS})", re.I)


# A zero a heading states in words: "No answers yet", "No doctor answers".
_NONE_YET = re.compile(r"\s*no\b[^.!?]{0,30}\banswers?\b", re.I)


def declared_count(text) -> int | None:
    """The number of answers a heading declares: its one number ("Doctor Answers (1,234)" ->
    1234); the total of "N of M" ("Showing 9 of 10" -> 10: a page showing 9 of its 10
    answers is not whole); None for none, for different numbers otherwise ("3 new, 10 in
    all": which is the count is a guess), or for a number that is no count as printed: not
    read whole ("3.5", "12,34", "1'234") or negative ("(-3)"). Such a heading declares no
    count, as one without a number (the page's answers are then not checked against it).
    A number counting others ("8 doctors answered") is none of answers. A heading stating
    none in words ("No doctor answers yet") declares 0. The heading as a
    reader sees it, through the one cleaner ("Doctor Answers 1\u00ad2": 12)."""
    if not text:
        return None
    text = clean(text)
    numbers = []
    for m in _COUNT.finditer(text):
        if _COUNTS_OTHER.match(text, m.end()):
            continue
        if not whole_number(text, m.start(), m.end()) or signed_negative(text, m.start()):
            return None
        numbers.append(count_of_digits(m.group()))
    if not numbers and _NONE_YET.match(text):
        return 0
    if (of := _OF_TOTAL.search(text)) and len(numbers) == 2:
        return count_of_digits(of.group(1))
    return numbers[0] if len(set(numbers)) == 1 else None


def declared_number(value) -> int | None:
    """A count of answers the page's data declares as a JSON number: a whole, non-negative
    one an int32 holds (JSON true, 1.5 or -5 declare none)."""
    count = count_of_number(value) if isinstance(value, (int, float)) else None
    return count if count is not None and count >= 0 else None
