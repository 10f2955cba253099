"""Block pages (bot walls such as PerimeterX's px-captcha) are never parsed.

A block page is a page with its site's block markers, whatever its HTTP status (a wall answers
503 and 429 too) and Content-Type. It is counted, retried later with a longer delay, and when
the site keeps blocking us the crawl stops with the reason `blocked`. Nothing here tries to solve or
get around a captcha: the only answer to a block is to wait, and then to stop.

A wall of another make has none of the site's markers (a JS challenge "Just a moment..." with
403, a press-and-hold human check with 200, a 429 or 503 challenge, a captcha with 404 or 405);
what gives it away is that it is one same page, no question page, at many question URLs. So the
answers to question pages that are no question page (a page of any status the server chose to
serve, which is all but 304 and a failing server's 5xx; a 2xx of no known layout, which the
spider tells) are told apart by a digest of their structure and of their text less what varies
from one answer of a wall to the next (page_digest), and one met at BLOCK_STOP_AFTER question
URLs that make at least BLOCK_WALL_SHARE of the question URLs answered since it was first met is
a wall, whether it stands before every question or at random before some (a rate-based wall),
and whether it answers at the URL asked or at the end of a redirect (to anything but the site's
home page or a listing, which the spider counts as redirected away): its pages are block pages
from then on, and the crawl stops as `blocked` at once (nothing is retried to get past it). An
answer that will be asked again after a wait (a 503 or 429 with retries left) counts only once
its retries are spent: an outage or a rate limit waiting cures is no wall. A redesign's pages
differ from each other, a page the site serves at a few of its questions (a soft 404) is a small
share of them, one naming itself not found or removed is a soft 404 at any share (a wall never
says so): none is a wall.
"""
from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.defer import _schedule_coro
from scrapy.http import Request, Response

from crawler.extensions.prompt_stop import PromptStop
from crawler.middlewares import CountedDrop
from crawler.middlewares.backoff import DELAY_META, BackoffRetryMiddleware
from crawler.pages import is_block_page
from crawler.pages.document import any_page_tree
from crawler.sites import site_for
from crawler.sites.base import host_key

logger = logging.getLogger(__name__)
# Block pages met, by the HTTP status they came with: a wall's 503 or 429 is a block, not the
# site's error (pipelines.checks.fetch_errors leaves them out of its share).
BLOCKED_STATUS = "pages/blocked_status_count/"


class Blocked(CountedDrop):
    """A request dropped behind a block page (the crawl stopping, or its retries spent)."""


class BlockPageMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.retry_times = settings.getint("BLOCK_RETRY_TIMES")
        self.retry_delay = settings.getfloat("BLOCK_RETRY_DELAY")
        self.stop_after = settings.getint("BLOCK_STOP_AFTER")
        self.wall_share = settings.getfloat("BLOCK_WALL_SHARE")
        self.blocked_in_a_row: dict[str, int] = {}  # by host: another site's pages do not reset a wall's count
        self.same_pages: dict[str, dict[str, SamePage]] = {}  # by host: digest -> that page, over the crawl
        self.answered: dict[str, int] = {}  # by host: question URLs answered (a retry is not another URL)
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None):
        if not is_block_response(response.url, response.body, response.headers.get(b"Content-Type")):
            if response.status == 200:
                self.blocked_in_a_row.pop(host_key(response.url), None)
            if 200 <= response.status < 300:  # the spider's to tell (no_question_page or question_page)
                return response
            if served_a_page(response.status):
                self.no_question_page(request, response)  # raises Blocked at a wall
            else:
                self.question_page(request)
            return response
        self.crawler.stats.inc_value(f"{BLOCKED_STATUS}{response.status}")
        return self.wait_out(request, response)

    def no_question_page(self, request: Request, response: Response) -> None:
        """A question URL answered, at that URL or at the end of its redirects, with a page
        that is no question page (a page of any status the server chose to serve, without the
        site's markers; a 2xx of no known layout, or no HTML): Blocked once the same page has
        answered BLOCK_STOP_AFTER question URLs, BLOCK_WALL_SHARE or more of those answered since
        it was first met (a wall without the site's markers); otherwise nothing, and the page
        goes its way. An answer that will be asked again after a wait (a 503 or 429 with retries
        left) counts only once its retries are spent: an outage or a rate limit that waiting
        cures is no wall."""
        if not self._watched(request):
            return
        asked, host = _asked(request), host_key(_asked(request))
        answered = self._answer(request, host)
        served = ServedPage(response.url, response.body, response.headers.get(b"Content-Type"))
        if says_not_found(served, response.status):  # a soft 404, per URL: a wall never names itself so
            return
        if self._retried_later(request, response):
            return
        pages = self.same_pages.setdefault(host, {})
        if len(pages) >= MAX_PAGES_TOLD_APART:  # a redesign: every page another; keep those met twice
            pages = self.same_pages[host] = {k: p for k, p in pages.items() if len(p.urls) > 1}
        page = pages.setdefault(page_digest(served, (*request.meta.get("redirect_urls", ()), request.url)),
                                SamePage(response.status, served.title, answered, heading=served.heading))
        page.titles_differ = page.titles_differ or served.title != page.title
        page.urls.add(asked)
        if request.meta.get("redirect_urls"):
            page.reached_by_redirect = response.url
        if len(page.urls) >= self.stop_after and len(page.urls) >= self.wall_share * (answered - page.first_met + 1):
            self._wall(request, response, page, answered - page.first_met + 1)

    def question_page(self, request: Request) -> None:
        """A question URL answered with anything else (a page read, a 404, a 500): one more
        question URL answered that a wall's share is of."""
        if self._watched(request):
            self._answer(request, host_key(_asked(request)))

    def _answer(self, request: Request, host: str) -> int:
        """The number of question URLs of `host` answered so far, this one's answer counted
        unless it is a retry (of a 503, a cut-off page: the same URL again)."""
        if not request.meta.get("retry_times"):
            self.answered[host] = self.answered.get(host, 0) + 1
        return self.answered.get(host, 0)

    def _retried_later(self, request: Request, response: Response) -> bool:
        backoff = BackoffRetryMiddleware.of(self.crawler)
        return backoff is not None and backoff.will_retry(request, response)

    def _watched(self, request: Request) -> bool:
        """A question page's request, answered at its own URL or redirected to a page that is
        not the site's home page nor a listing (those the spider counts as redirected away:
        a removed question sent home is no wall, though many are sent to that one page)."""
        spider = self.crawler.spider
        if request.callback is None or request.callback != getattr(spider, "parse_question", None):
            return False
        site = site_for(request.url)
        return not request.meta.get("redirect_urls") or not (site.is_root_url(request.url)
                                                             or site.is_listing_url(request.url))

    def _wall(self, request: Request, response: Response, page: "SamePage", answered: int):
        stats = self.crawler.stats
        stats.inc_value("pages/blocked")
        stats.inc_value(f"{BLOCKED_STATUS}{response.status}")
        host = host_key(_asked(request))
        where = f", reached by redirect (e.g. to {page.reached_by_redirect})" if page.reached_by_redirect else ""
        # A 200 may be the site's own app shell (a redesign rendered by script), which waiting cures not
        reading = ("a bot wall, or question pages the site now renders in the browser: a redesign?"
                   if page.status == 200 else "a bot wall?")
        self._stop(host, f"the site answers many question pages with one same page that is no question page "
                         f"({reading}): status {page.status}, {page.named()}{where}; {len(page.urls)} of the "
                         f"{answered} question pages of {host} answered since it was first met; stopping")
        raise Blocked(f"blocked: {response.url}")

    def wait_out(self, request: Request, response: Response) -> Request:
        """A block page met: counted, and its request again after a delay that grows with
        each attempt. IgnoreRequest once its retries are spent, or when the site has answered
        so many block pages in a row that the crawl stops. The spider calls it too, for a wall
        whose markers lie past what is_block_response looks at."""
        stats = self.crawler.stats
        stats.inc_value("pages/blocked")
        host = host_key(response.url)
        in_a_row = self.blocked_in_a_row[host] = self.blocked_in_a_row.get(host, 0) + 1
        if in_a_row >= self.stop_after:
            self._stop(host, f"the site {host} answered {in_a_row} block pages in a row; stopping")
            raise Blocked(f"blocked: {response.url}")
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason="block page",
            max_retry_times=self.retry_times,
            stats_base_key="blocked_retry",
        )
        if retry is None:
            stats.inc_value("pages/blocked_gave_up")
            stats.set_value("crawl/message", f"pages still blocked after {self.retry_times} retries, e.g. {response.url}")
            logger.error("Still blocked after %d retries, not recorded: %s", self.retry_times, response.url)
            raise Blocked(f"still blocked after {self.retry_times} retries: {response.url}")
        # Blocks are retried later and later: the wall may be a rate limit that time lifts;
        # never sooner than the wall's own Retry-After, which holds the whole host meanwhile.
        retry.meta[DELAY_META] = max(self.retry_delay * retry.meta["retry_times"], self._retry_after(request, response))
        return retry

    def _retry_after(self, request: Request, response: Response) -> float:
        backoff = BackoffRetryMiddleware.of(self.crawler)
        if backoff is None:
            return 0.0
        return backoff.retry_after(request, response) or 0.0

    @classmethod
    def of(cls, crawler) -> "BlockPageMiddleware | None":
        return crawler.get_downloader_middleware(cls)

    def _stop(self, host: str, message: str) -> None:
        if self.stopping:
            return
        self.stopping = True
        self.crawler.stats.set_value("crawl/message", message)
        logger.error("Blocked: %s", message)
        stopper = PromptStop.of(self.crawler)
        if stopper is not None:
            stopper.close("blocked")  # retries waiting out their block delay end now
        else:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="blocked"))


# How far into a body the block markers are looked for. A bot wall's page is a few KB; looking
# no further keeps the look cheap on every response (a sitemap may be 8 MB). A marker deeper
# in a 2xx page is still found where the page is read, and waited out the same way (the spider).
BLOCK_MARKERS_WITHIN = 256 * 1024


def is_block_response(url: str, body: bytes, content_type: bytes | str | None) -> bool:
    """Whether a response is its site's block page (crawler.pages.is_block_page), whatever its
    status and Content-Type: a wall answers 503 or 429 as well as 403, as text/plain or with
    no Content-Type, and the site contract makes the markers decide. The page is read only
    when a marker shows in its first BLOCK_MARKERS_WITHIN bytes, or when those bytes hold NULs
    (UTF-16 or -32 text, where the markers are no ASCII bytes)."""
    site = site_for(url)
    head = body[:BLOCK_MARKERS_WITHIN]
    if site.block_element_id.encode() not in head and site.block_title.encode() not in head and b"\x00" not in head:
        return False
    return is_block_page(body, content_type or None, url)


def served_a_page(status: int) -> bool:
    """Whether an answer is a page the site chose to serve, which a wall without the site's
    markers may be whatever its status (403, 429, 503, and as well 401, 404, 405, 451, 999...).
    A 5xx but 503 is the server failing (500, 502, 504, a CDN's 522), and a 304 holds no page:
    never a wall, whatever its body."""
    return status != 304 and not (500 <= status < 600 and status != 503)


# Digests told apart per host between two pages read: a redesign makes each page another; past
# this many, those met once are forgotten (memory stays bounded; a wall is met again at once).
MAX_PAGES_TOLD_APART = 1000


@dataclass
class SamePage:
    """One page met at question URLs: how it came, when first (the number of question URLs of
    its host answered then), and where: the question URLs asked, and a URL it was redirected to."""
    status: int
    title: str | None
    first_met: int
    urls: set[str] = field(default_factory=set)
    reached_by_redirect: str | None = None
    heading: str | None = None
    titles_differ: bool = False  # a wall in the site's template may take the title of each question it blocks

    def named(self) -> str:
        """The page as the crawl's message names it: its title, or its heading when its title
        is each question's."""
        title = repr(self.title[:80]) if self.title else "no title"
        if not self.titles_differ:
            return f"title {title}"
        return f"a title of each question's (e.g. {title}), heading {repr(self.heading[:80]) if self.heading else 'none'}"


def _asked(request: Request) -> str:
    """The question URL a request asked for, wherever its redirects led it."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


# Words holding a digit, and long unbroken runs (base64, hex): a nonce, a ray id, a time, a
# token differ from one answer of a wall to the next; the words a person reads do not.
_VARYING = re.compile(r"[\w+/=.:-]*\d[\w+/=.:-]*|[\w+/=-]{16,}")


def _texts_outside(*tags: str) -> etree.XPath:
    """An element's text nodes, less those inside the elements `tags` (their tails stay: the text after them)."""
    return etree.XPath(f".//text()[not({' or '.join(f'ancestor::{tag}' for tag in tags)})]")


# Elements whose text a person does not read as the page's (code, the title, which a tab shows),
# and, for what tells one page from another, links too (a template's menus and lists of other
# pages, which may rotate).
_CODE = _texts_outside("script", "style", "template")
_SEEN = _texts_outside("script", "style", "template", "title")
_WEIGHED = _texts_outside("script", "style", "template", "title", "a")


class ServedPage:
    """A page served at a question URL that is no question page, read once: its first
    BLOCK_MARKERS_WITHIN bytes (a wall is a few KB), by the one charset rule of every page the
    crawl reads, and its title and first heading as a person reads them (None when it has none)."""

    def __init__(self, url: str, body: bytes, content_type: bytes | str | None = None):
        self.root = any_page_tree(url, body[:BLOCK_MARKERS_WITHIN], content_type)
        self.title = self._first("title")
        self.heading = self._first("h1")

    def text(self, texts: etree.XPath = _SEEN) -> str:
        return _shown(texts(self.root)) if self.root is not None else ""

    def _first(self, tag: str) -> str | None:
        element = next(self.root.iter(tag), None) if self.root is not None else None
        return _shown(_CODE(element)) or None if element is not None else None


def _shown(texts) -> str:
    return " ".join(" ".join(texts).split())


def page_digest(page: ServedPage, urls) -> str:
    """A digest of a page's structure (its elements' tags and classes) and of its text less
    what differs from one answer of a wall to the next: the words of the URLs it was asked
    and answered at and of its own title (a wall in the site's template names the question it
    blocks), the text of its links (the template's list of other questions may rotate) and of
    its scripts, and the words holding digits (a nonce, a ray id, a time). One wall at many
    URLs is one digest; pages of different content (a redesign's questions, 404s naming what
    they miss) keep their words apart."""
    if page.root is None:
        return hashlib.sha256(b"").hexdigest()
    shape = " ".join(_shape(element) for element in page.root.iter() if isinstance(element.tag, str))
    # unescaped once more: a template escaping twice shows "&amp;" for its title's "&"
    text = html.unescape(page.text(_WEIGHED))
    for phrase in sorted(_url_forms(urls) | _title_phrases(page.title), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", text, flags=re.I)
    return hashlib.sha256(f"{shape}\n{' '.join(_words(_VARYING.sub(' ', text)))}".encode()).hexdigest()


_LETTERS = re.compile(r"[^\W\d_]+")
_SLUG_WORDS = re.compile(r"[-_+]+")
_TITLE_PARTS = re.compile(r"\s+[|\-\u2013\u2014:\u00b7]\s+")


def _shape(element) -> str:
    """An element as its place in a page's structure: its tag and classes (less those holding
    digits, which a build or a request may change)."""
    classes = [c for c in (element.get("class") or "").split() if not re.search(r"\d", c)]
    return ".".join([element.tag, *classes])


def _title_phrases(title: str | None) -> set[str]:
    """A title and its parts ("Question | Site"): as a page may name itself in its text."""
    if not title:
        return set()
    return {phrase for phrase in (title, *_TITLE_PARTS.split(title)) if len(phrase.strip()) > 1}


def _url_forms(urls) -> set[str]:
    """A URL as a page may name it: whole, its path (with its query), its last path segment,
    and that segment's words (a slug: "knot-redness-after-botox" as "knot redness after botox")."""
    forms = set()
    for url in urls:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        segment = parts.path.rstrip("/").rsplit("/", 1)[-1]
        forms.update(f for f in (url, path, parts.path, segment, " ".join(_SLUG_WORDS.split(segment))) if len(f) > 1)
    return forms


def _words(text: str) -> list[str]:
    return [word.lower() for word in _LETTERS.findall(text)]


# What a page that names itself not found says in its title or first heading: a soft 404 (a
# removed question served with 200, or reached by redirect to one "not found" page).
_NOT_FOUND = re.compile(r"\b(?:not found|can(?:no|')?t (?:be )?f(?:i|ou)nd|no longer (?:available|exists?)|"
                        r"does(?:n't| not) exist|(?:been|was) (?:removed|deleted)|404|410)\b", re.I)


def says_not_found(page: ServedPage, status: int = 200) -> bool:
    """Whether a page's title or first <h1> says it is not found or removed, or, for a page the
    server answered 404 or 410 (not found by its status), any of its text does."""
    words = [page.title or "", page.heading or ""]
    if status in (404, 410):
        words.append(page.text())
    return any(_NOT_FOUND.search(w) for w in words)
