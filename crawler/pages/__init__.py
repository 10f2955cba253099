"""Page objects: (url, html) -> QuestionPage of plain values. No Scrapy, no network.

    from crawler.pages import parse_question_page, detect_family, is_block_page
    from crawler.pages import PageError, BlockedPage, TruncatedPage, EmptyPage, UnknownLayout, NotHtml
    from crawler.pages import register, QuestionPageObject  # a family of one's own

One page object per markup family (legacy.py, provider_card.py, nextjs.py), registered in
the order they are tried; each says how it recognises a page next to its fields.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from crawler.sites import site_for
from crawler.sites.base import join_url
from pipelines.normalise.text import clean

from .blocks import block_reason
from .charset import decode
from .errors import BlockedPage, EmptyPage, MarkupError, NotHtml, PageError, TruncatedPage, UnknownLayout
from .items import Answer, Byline, Question, QuestionPage
from .legacy import LegacyPage
from .markup import paragraphs, without
from .nextjs import NextjsPage
from .page import ElementPage, ItemPage, QuestionPageObject
from .provider_card import ProviderCardPage
from .registry import class_keys, families, recognise, register, unregister
from .document import ends_document, parse_html
from .tree import Tree

__all__ = [
    "parse_question_page", "detect_family", "is_block_page", "is_whole", "not_html",
    "PageError", "BlockedPage", "TruncatedPage", "EmptyPage", "UnknownLayout", "NotHtml",
    "QuestionPage", "Question", "Answer", "Byline", "FAMILIES",
    "register", "unregister", "families", "QuestionPageObject", "ItemPage", "ElementPage", "Tree",
]

for _family in (LegacyPage, ProviderCardPage, NextjsPage):  # tried last to first
    register(_family)
# The built-in families, those the contract has sample pages of (`families()`: all registered).
FAMILIES = ("legacy", "provider-card", "nextjs")
# An answer's position is an int16 in the answers dataset: a page past this is not a real
# question page, and one such page must not make a whole batch of rows unwritable.
MAX_ANSWERS = 32_767
_BODY_END = re.compile("</body>", re.I | re.A)
# What only an HTML document holds, from its first bytes on: a doctype or its root's tags. A
# body without any (JSON, a PDF, an XML error, plain text, a bare fragment) is no document,
# so it cannot be one cut off in transfer either: is_whole looks for the end of a document.
_HTML_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>/]", re.I | re.A)


def is_whole(text: str) -> bool:
    """The page ends in </html> (then only white space and comments: a cache's "<!-- served
    by edge-7 -->", not a "</html>" in a script's string with the page cut off after it) and
    closes </body> in its last 4 KiB."""
    tail = text[-4096:]
    return _BODY_END.search(tail) is not None and ends_document(tail)


def _tree(url: str, html, content_type=None) -> tuple[Tree, str]:
    """The page's Tree and text; PageError for what cannot be read as a page at all."""
    try:
        text, source = decode(url, html, content_type)
    except TruncatedPage:
        raise
    except PageError:
        if isinstance(html, bytes) and (why := not_html(html, content_type)):
            raise NotHtml(url, why) from None
        raise  # a document in a charset it does not declare: malformed
    if not text or text.isspace():
        raise EmptyPage(url, "empty page (no text at all)")
    try:
        return Tree(parse_html(source), url, class_keys()), text
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise PageError(url, f"unparseable HTML ({e})") from None


def parse_question_page(url: str, html, content_type: str | bytes | None = None) -> QuestionPage:
    """Read a question page of any registered family. `html`: str or bytes; `content_type`:
    the response's Content-Type header, whose charset is read when the bytes are not UTF-8.
    Raises a PageError subclass naming `url`."""
    tree, text = _tree(url, html, content_type)
    family = recognise(tree)
    reason = block_reason(tree, family is not None, text)
    if reason:
        raise BlockedPage(url, reason)
    if family is None and not _HTML_DOCUMENT.search(text):
        raise NotHtml(url, f"no HTML document ({_media_type(content_type)}, beginning {text.lstrip()[:24]!r})")
    if not is_whole(text):
        raise TruncatedPage(url, "truncated page (missing closing </body>/</html>)"
                            if family else "truncated page (no closing </body>/</html>) of unknown layout")
    if family is None:
        raise UnknownLayout(url, "not a question page of a known family")
    try:
        page = family(tree).to_item()
    except MarkupError as error:
        raise PageError(url, f"markup the page objects cannot read ({error})") from None
    _check(url, page, tree)
    return page


def not_html(body: bytes, content_type=None) -> str | None:
    """Why a body is no HTML document (plain text, JSON, an image: none of a doctype or its
    root's tags), in a message's words naming what the server says it is; None for a document,
    or an empty body (an empty page, which a retry may cure). Such a body has no end to lose:
    it is never a page cut off."""
    text = body.decode("latin-1")
    if not text.strip() or _HTML_DOCUMENT.search(text):
        return None
    return f"no HTML document ({_media_type(content_type)}, beginning {body.lstrip()[:12]!r})"


def _media_type(content_type) -> str:
    """The Content-Type's media type, for a message: what the server says the body is."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = (content_type or "").split(";", 1)[0].strip()
    return f"Content-Type {media[:60]}" if media else "no Content-Type"


def _check(url: str, page: QuestionPage, tree: Tree) -> None:
    """What the page's records would need to be true: its answers all there and no more, and
    its ids the site's, each answer once (a template placeholder, an id of a new form, a
    featured copy of an answer or a sponsored one is markup the page objects do not know, not
    a record to write). The page keeps its ids in their one form (Site.id_key), whatever the
    family: one key per question and per answer."""
    declared, found = page.declared_answer_count, len(page.answers)
    if declared is not None and found < declared:
        # The document is whole (is_whole, its JSON read): not cut off in transfer, which a
        # retry would cure, but answers the markup keeps elsewhere (a next page, a script)
        raise PageError(url, f"the page declares {declared} answers but holds {found}: "
                             "answers on other pages or loaded by script?")
    if declared is not None and found > declared:  # a sponsored answer, another question's teaser
        raise PageError(url, f"{page.family} page with {found} answers where it declares {declared}: "
                             "answer-like markup the page objects do not know")
    if declared is None and (elsewhere := _answers_paged(tree)):
        # A pager of the question's own answers (?page=2, rel="next" to itself): the rest are
        # on its other pages, which are the same question's URL to the crawl (its key)
        raise PageError(url, f"{found or 'no'} answers and no count of them, and the page links another page of "
                             f"itself ({elsewhere[:80]!r}): answers on other pages?")
    if declared is None and (hidden := _answers_hidden(tree, page)):
        # An unanswered question may say so in any words, or not at all, and a page without a
        # count may show all its answers; only a sign that answers are there but not shown (all
        # of them, or the rest after the first few) refuses it: the records would lose them
        raise PageError(url, f"{found or 'no'} answers and no count of them, and where answers would be "
                             f"the page shows {hidden!r}: answers behind a sign-in, or rendered by script?")
    if found > MAX_ANSWERS:
        raise PageError(url, f"{found} answers: more than one question can hold ({MAX_ANSWERS})")
    if not page.question.question_id.strip():
        raise UnknownLayout(url, f"{page.family} page without a question id")
    if any(not a.answer_id.strip() for a in page.answers):
        raise UnknownLayout(url, f"{page.family} page with an answer without an id")
    shown = [page.question.question_id, *(a.answer_id for a in page.answers)]
    ids = [tree.site.id_key(i) for i in shown]
    if None in ids:
        odd = shown[ids.index(None)].strip()
        raise PageError(url, f"{page.family} page with an id not of the site's form: {odd[:40]!r}")
    page.question.question_id = ids[0]  # every family's ids in one form: one key per question, per answer
    for answer, key in zip(page.answers, ids[1:]):
        answer.answer_id = key
    if len(set(ids[1:])) < len(ids) - 1:
        twice = next(i for i in ids[1:] if ids[1:].count(i) > 1)
        raise PageError(url, f"{page.family} page with answer {twice} shown twice")


# What shows a page's answers are hidden, not absent: a line asking the reader for an account
# (in the words sites use: sign in, sign-in, log in, sign up, join, register, subscribe, create
# an account, become a member) to read, see, view, unlock or continue, or as a bare button
# ("Sign in", "Log in or sign up"). An ask for an account to act ("Sign in to answer", "Log in
# to comment", "Sign up free to get answers": to ask one's own) hides nothing, nor one to be
# told of what is new (a newsletter, new answers by email): both stand on pages showing all.
_ACCOUNT = (r"(?:sign[\s-]?(?:in|up)|log[\s-]?in|logged[\s-]in|join|register(?:ed)?|subscribe"
            r"|create\s(?:an?\s|your\s)?(?:free\s)?account|become\sa\s(?:free\s)?member)")
_TO_READ = r"(?:read|reading|see|view|unlock|access|reveal|show|continue|required|only)"
_ASK = re.compile(rf"\b{_ACCOUNT}\b.{{0,60}}\b{_TO_READ}\b|\b{_TO_READ}\b.{{0,60}}\b{_ACCOUNT}\b", re.I)
_NEWS = re.compile(r"\b(?:newsletters?|new\s+answers?|updates?|notif(?:y|ied|ications?)|alerts?|e-?mails?)\b", re.I)
_BUTTON = re.compile(rf"^\W*(?:please\s+)?{_ACCOUNT}(?:\W+(?:or|now|free|here|today|{_ACCOUNT}))*\W*$", re.I)
# Where no answer is shown, a template a script was to fill ("{{ answer.body }}"); a shown
# answer's own widgets may be one (legacy's vote: "{{ voteCount }}")
_TEMPLATE = re.compile(r"\{\{.{0,80}?\}\}")
# Chrome: the site's own parts around a page's content (a site-wide banner, its account
# links); inside the content (<main>, an <article>, a <section>) they are the content's own
_CHROME = ("header", "nav", "footer", "aside")
_CONTENT = ("main", "article", "section")


def _answers_hidden(tree: Tree, page: QuestionPage) -> str | None:
    """The line that shows the page's answers hidden, or None. Looked for only where answers
    would be: after the last answer shown, else after the question, and neither in the
    question's nor the answers' own words (an asker who "had to sign up to ask this", a
    doctor's "join a support group" hide nothing). An ask to read counts anywhere the reader
    sees it but the site's chrome (a gate panel in the content's <aside>, a modal after
    </main>); a bare button or a template only in the main content (<main>, else the body)
    less any chrome, where a site's account links never stand."""
    body = tree.root.find("body")
    if body is None:
        return None
    main = next(body.iter("main"), body)
    chrome = [el for el in body.iter(*_CHROME) if not any(up.tag in _CONTENT for up in el.iterancestors())]
    for lines, hides in ((_after_shown(without(body, chrome), page), _asks_to_read),
                         (_after_shown(without(main, main.iter(*_CHROME)), page), _bare_or_unrendered)):
        if found := next((found for line in lines if (found := hides(line, page))), None):
            return found.group()[:80]
    return None


# A query parameter that pages the question's answers (page=2, p=3, start=20, offset=10,
# answers_page=2, answerPage=2), its value a page or an item past the first; one naming something
# else pages that (comments_page, photo_page, related_page), not the answers
_PAGED = re.compile(r"(?:answers?[_-]?)?(?:page|pg|p|start|offset)", re.I)


def _answers_paged(tree: Tree) -> str | None:
    """The href of a link to another page of this same question (its URL, by the site's key of
    a question, with a `rel="next"` or a paging parameter past the first page), or None. A
    listing's next page, related questions, a share or sort link (no number) are none."""
    own = {tree.site.question_key(tree.url), tree.site.question_key(tree.canonical)}
    for link in tree.root.iter("a", "link"):
        href = tree.link(link.get("href"))
        try:
            target = join_url(tree.url, href.strip()) if href else None
        except ValueError:
            continue
        if target is None or tree.site.question_key(target) not in own:
            continue
        if "next" in (link.get("rel") or "").lower().split() or any(
                _PAGED.fullmatch(name) and value.isascii() and value.isdigit() and int(value) > 1
                for name, value in parse_qsl(urlsplit(target).query)):
            return href
    return None


def _asks_to_read(line: str, page: QuestionPage):
    return not _NEWS.search(line) and _ASK.search(line)


def _bare_or_unrendered(line: str, page: QuestionPage):
    return _BUTTON.search(line) or not page.answers and _TEMPLATE.search(line)


def _after_shown(el, page: QuestionPage) -> list[str]:
    """The element's lines after the last answer shown, else from the question on (a banner
    above it is chrome), less the question's and answers' own words."""
    lines = [clean(line) for para in paragraphs(el) or () for line in para]
    question = _lines(page.question.title, page.question.body)
    answers = _lines(*(text for a in page.answers for text in (a.title, a.body)))
    bylines = {clean(shown) for a in page.answers if a.byline
               for shown in (a.byline.name, a.byline.title_line) if shown}
    start = next((i for i, line in enumerate(lines) if line in question), 0)
    if page.answers:  # a partial wall stands after them; an ask beside them hides none
        start = max((i + 1 for i, line in enumerate(lines) if line in answers), default=start)
    return [line for line in lines[start:] if line not in question | answers | bylines]


def _lines(*texts) -> set[str]:
    return {clean(line) for text in texts for para in text or () for line in para}


def detect_family(html, url: str = "page") -> str | None:
    """The name of the family that recognises a page (str or bytes), or None."""
    try:
        family = recognise(_tree(url, html)[0])
    except PageError:
        return None
    return family.name if family else None


def is_block_page(html, content_type=None, url: str = "page") -> bool:
    """True for a block page (str or bytes) of the site of `url` (crawler.sites), whatever the
    HTTP status."""
    site = site_for(url)
    try:
        text, _ = decode(url, html, content_type)  # markers in the page's charset (UTF-16's are not ASCII bytes)
        if site.block_element_id not in text and site.block_title not in text:
            return False
        tree, text = _tree(url, text)
    except PageError:
        return False
    return block_reason(tree, recognise(tree) is not None, text) is not None
