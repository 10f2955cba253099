"""Where question URLs come from: robots.txt, sitemaps, the home page and topic listings.

Pure functions of (url, body), like the page parsers, so they are tested without Scrapy.
What a URL is (a question, a listing, a sitemap) is the site definition's word (crawler.sites).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from lxml import etree
from protego import Protego
from w3lib.url import safe_url_string

from crawler.middlewares.compression import DamagedBody, TooBig, UndecodableBody, decode_one
from crawler.pages import is_whole, not_html
from crawler.pages.document import any_page_tree
from crawler.sites import site_for
from crawler.sites.base import join_url

_LINKS = etree.XPath("//a[@href]/@href")
# Elements whose rel may say "next" (HTML: a, area, link), in document order.
_RELS = etree.XPath("//a[@rel][@href] | //area[@rel][@href] | //link[@rel][@href]")
_BASE = etree.XPath("//base[@href]/@href")
_DOCUMENT_END = re.compile(rb"</(?:body|html)\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None  # a W3C datetime in one form (see `lastmod_time`); None when absent or no date
    bad_lastmod: str | None = None  # the sitemap's text of a lastmod that is no date, ignored
    unusable: str | None = None  # why no request can be made of its URL (`unusable_url`): skipped


# W3C Datetime (www.w3.org/TR/NOTE-datetime), the sitemap protocol's lastmod: a year, a month,
# a day, or a day and a time (minutes, seconds, a fraction) and its zone. A time without its
# zone is common enough to be read (as written: the site's local time).
_W3C_DATETIME = re.compile(
    r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?)?)?")
# Before the web there were no pages to modify: an earlier lastmod is a sentinel of "no date"
# (0001-01-01, 1970-01-01), and so is the last year (9999-12-31). A lastmod ahead of this
# machine's clock is no sentinel: a site's clock, or a test site's calendar, may run ahead.
EARLIEST_LASTMOD_YEAR, SENTINEL_YEAR = 1991, 9999
BAD_LASTMOD = "sitemaps/bad_lastmod"  # the stat: sitemap entries whose lastmod is no date
# Sitemaps lost (failed or cut off on every attempt, not a sitemap, a redirect not followed):
# counted (the sitemaps_unread check), and listed as "URL (reason)" for the message and summary.
SITEMAPS_LOST = "sitemaps/lost"
SITEMAPS_LOST_LIST = "crawl/sitemaps_lost"
# Home and listing pages cut off or empty on every attempt (what was read whole of them used):
# counted, and the first few listed as "URL (reason)" for the message and summary.
LISTINGS_GIVEN_UP = "pages/listings_given_up"
LISTINGS_GIVEN_UP_LIST = "crawl/listings_given_up"
# Sitemaps robots.txt forbids (often the one its own Sitemap: line names): not fetched, as
# robots.txt says, and named, as questions it forbids are said; no sitemap lost by the site.
SITEMAPS_FORBIDDEN_LIST = "crawl/sitemaps_robots_forbidden"
# URLs in sitemaps and robots.txt Sitemap: lines that no request can be made of (`unusable_url`):
# skipped and counted, and the first few listed as "URL (reason) in SOURCE".
BAD_URLS = "sitemaps/bad_urls"
BAD_URLS_LIST = "crawl/sitemaps_bad_urls"
# Walk bounds reached (SITEMAP_MAX_DEPTH, SITEMAP_MAX_COUNT, LISTING_MAX_PAGES), each listed once
# as "SETTING=value (e.g. URL not followed)" for the message and summary.
LIMITS_HIT = "crawl/limits_hit"
UNUSABLE_LINKS = "pages/unusable_links"  # listing links no request can be made of, skipped
# the stat: start pages read (200, HTML) that are no question page by the site's rules and link
# to none, nor to a listing (a site crawler.sites does not define, mounted under other paths)
START_PAGES_UNKNOWN = "start_pages/no_known_links"


def lastmod_time(text: str) -> str | None:
    """A sitemap's lastmod in one form, so that equal texts are equal times
    (`2024-01-05T10:00+01:00` is `2024-01-05T09:00:00+00:00`; a date stays a date), or None
    when it is no W3C datetime a page could have been modified at: an unrendered template
    (`{{ updated_at }}`), another format, an impossible date, a sentinel. A lastmod that is
    the same text every day would skip its page for ever: one that is no date is none."""
    match = _W3C_DATETIME.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        if hour is None:
            when = datetime(int(year), int(month or 1), int(day or 1), tzinfo=timezone.utc)
            form = "-".join(part for part in (year, month, day) if part)
        else:
            when = datetime.fromisoformat(f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
                                          f"{(fraction or '')[:7]}{'+00:00' if zone == 'Z' else zone or ''}")
            when = when.astimezone(timezone.utc) if when.tzinfo else when
            form = when.isoformat(timespec="auto" if second else "minutes")  # lastmod_end reads its precision
    except (ValueError, OverflowError):  # a month 13, a 31 February, an hour 25, a year 0 or 9999 in UTC
        return None
    if not EARLIEST_LASTMOD_YEAR <= when.year < SENTINEL_YEAR:
        return None
    return form


# A lastmod without a zone (a date alone, a time as written) is in the site's own zone, which
# it does not say: the westernmost, UTC-12, is where it ends latest.
WESTERNMOST_ZONE = timezone(timedelta(hours=-12))


_TO_THE_MINUTE = re.compile(r"T\d\d:\d\d(?![:\d])")


def lastmod_end(lastmod: str, unzoned: timezone = WESTERNMOST_ZONE) -> datetime:
    """The latest moment a lastmod (in `lastmod_time`'s form) can name, UTC, to the µs: a date
    alone names its whole day, so its end, not its midnight; a month or a year likewise, and a
    time to the minute its minute; a time to the second names that instant. One without a zone is read in `unzoned`, by default the zone
    where it ends latest (a Seattle site still writes `2026-12-01` at 03:00 UTC on the 2nd).
    A page fetched after it has every change the lastmod speaks of; one fetched before it
    (earlier that same day) may not. ValueError when it is no such form."""
    parts = lastmod.strip().split("-")
    if "T" in lastmod or len(parts) > 3 or not all(part.isdigit() for part in parts):
        moment = datetime.fromisoformat(lastmod.strip())
        if _TO_THE_MINUTE.search(lastmod):  # "10:30" names its whole minute: its end
            moment += timedelta(minutes=1, microseconds=-1)
        return (moment if moment.tzinfo else moment.replace(tzinfo=unzoned)).astimezone(timezone.utc)
    year, month, day = (int(part) for part in parts + ["0"] * (3 - len(parts)))
    start = datetime(year, month or 1, day or 1, tzinfo=unzoned)  # ValueError for a month 13
    if day:
        following = start + timedelta(days=1)
    elif month:
        following = start.replace(year=year + month // 12, month=month % 12 + 1)
    else:
        following = start.replace(year=year + 1)
    return (following - timedelta(microseconds=1)).astimezone(timezone.utc)


def is_question_url(url: str) -> bool:
    return site_for(url).is_question_url(url)


def is_listing_url(url: str) -> bool:
    return site_for(url).is_listing_url(url)


def is_sitemap_url(url: str) -> bool:
    return site_for(url).is_sitemap_url(url)


class SitemapTooBig(ValueError):
    """A gzip sitemap that decompresses past the download size limit (DOWNLOAD_MAXSIZE)."""


GZIP_MAGIC = b"\x1f\x8b\x08"


def looks_like_sitemap(body: bytes) -> bool:
    """A body that is a sitemap whatever its URL says: gzip, or a document read as a sitemap
    (`read_sitemap`: an XML urlset or index, whatever its encoding or prolog, or a text
    sitemap). A page that only quotes `<urlset` (an HTML page's script) is none."""
    return body[:3] == GZIP_MAGIC or bool(read_sitemap("", body).kind)


def sitemap_body(body: bytes, max_size: int = 0) -> bytes:
    """The XML of a sitemap: gzip-compressed sitemaps (`sitemap.xml.gz`, served as is, without
    Content-Encoding) are decompressed, at most `max_size` bytes (0: no limit), as Scrapy's
    SitemapSpider does (`_get_sitemap_body`), and checked as a body sent with Content-Encoding:
    gzip is (DamagedBody when its CRC-32 or length does not match: crawler.middlewares.compression)."""
    if body[:3] != GZIP_MAGIC:
        return body
    try:
        return decode_one(body, b"gzip", max_size)[0]
    except TooBig as error:
        raise SitemapTooBig(str(error)) from None
    except UndecodableBody:  # not gzip after all: not a sitemap
        return b""


def sitemap_cut_off(xml: bytes) -> bool:
    """A sitemap's XML (decompressed) whose input ends inside its root: the transfer was cut,
    and the sitemap names only some of its URLs (its last perhaps cut in two). XML must close
    its root; what is no sitemap at all (a soft-404 page) is not a cut-off one."""
    return read_sitemap("", xml).cut_off


def listing_cut_off(body: bytes, length_vouched: bool) -> bool:
    """A home or listing page that stops before its end (</body></html>). HTML may leave its
    end out (a minifier drops optional end tags), so a page whose transfer's end the server
    marked (`length_vouched`: a Content-Length, a chunked stream's last chunk) is cut off only
    when it stops inside a tag or its text; with nothing to vouch for it (a body ended by
    closing the connection), stopping before its </body> or </html> is: a transfer cut right after
    a tag would be taken as whole, and the links past the cut (rel="next" at the bottom) lost.
    An empty body is no cut-off page (the spider's `empty`), nor is one that is no HTML document
    (a robots.txt, JSON, an image given as a start URL: not_html), which has no end to lose."""
    end = body.rstrip()
    if not end or is_whole(body[-4096:].decode("latin-1")) or not_html(body):
        return False
    if not end.endswith(b">"):  # inside a tag or its text
        return True
    return not length_vouched and _DOCUMENT_END.search(body[-4096:]) is None


def is_robots_url(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


def cut_off(url: str, body: bytes, length_vouched: bool) -> bool:
    """Whether a discovery response (robots.txt, a sitemap, a listing: not a question page)
    arrived cut off, by what it holds and whether a Content-Length vouched for its length
    (`listing_cut_off`), as the spider reads it."""
    if is_robots_url(url):
        return False
    try:
        xml = sitemap_body(body)  # only a gzip body is changed, and only one raises
    except SitemapTooBig:
        return False
    except DamagedBody:  # read as cut off, as the spider reads it
        return True
    sitemap = read_sitemap("", xml)  # once: what it is and whether it is whole (looks_like_sitemap's read)
    if body[:3] == GZIP_MAGIC or sitemap.kind:
        return sitemap.cut_off
    return listing_cut_off(body, length_vouched)


def unusable_url(url: str) -> str | None:
    """Why no request can be made of `url`, or None for an http(s) URL with a host. Scrapy
    refuses the rest (no "://", a port that is no port, a broken IPv6 host) with ValueError
    when the request is built, inside the callback that read the URL: every URL read from a
    sitemap or robots.txt is asked this first, and one that fails is skipped and said."""
    try:
        parts = urlsplit(safe_url_string(url))
        parts.port  # noqa: B018 (raises for a port out of range or not a number)
    except ValueError as error:
        return f"no URL: {error}"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http or https URL"
    if not parts.hostname:
        return "no host"
    return None


def resolved(base: str, href: str) -> tuple[str, str | None]:
    """`href` resolved against `base` as a browser reads it (join_url),
    and why no request can be made of it (None: it can). A broken href stays as written."""
    try:
        url = join_url(base, href.strip())
    except ValueError as error:  # "http://[::1/x": the join raises before anything is read
        return href.strip(), f"no URL: {error}"
    return url, unusable_url(url)


def sitemap_lines(body: bytes) -> list[str]:
    """The Sitemap: lines of a robots.txt as written (relative ones too), as Protego reads them."""
    return list(Protego.parse(body.decode("utf-8-sig", errors="replace")).sitemaps)


def sitemaps_in_robots(robots_url: str, lines) -> list[tuple[str, str | None]]:
    """robots.txt's Sitemap: lines resolved against robots.txt's URL (its URL after redirects),
    as Scrapy's sitemap_urls_from_robots does, each with why no request can be made of it."""
    return [resolved(robots_url, line) for line in lines]


SITEMAP_ROOTS = ("urlset", "sitemapindex")
TEXT_SITEMAP = "text"  # sitemaps.org's text format: UTF-8, one absolute http(s) URL a line, nothing else
_TEXT_SITEMAP_LINE = re.compile(r"https?://\S.*", re.IGNORECASE)
_XML_CHUNK = 1 << 16  # fed to the parser at a time: a 50 MB sitemap is never one tree in memory
# White space and byte order marks before the document (a CMS's blank line before <?xml ?>):
# read past, as browsers and Scrapy's forgiving parser do. Only before a "<", so a UTF-16
# body with no BOM ("\n\0<\0") keeps its bytes paired.
_SPACE_BEFORE_DOCUMENT = re.compile(rb"\A(?:\s|\xef\xbb\xbf)+(?=<)")
# libxml2's errors that lose no entry: a character XML has not (a NUL, a form feed) is dropped
# and the parser reads on; content after the root closed loses entries only when it holds some.
_CHARACTER_NOT_XML, _CONTENT_AFTER_ROOT = "ERR_INVALID_CHAR", "ERR_DOCUMENT_END"


@dataclass(frozen=True, slots=True)
class SitemapRead:
    kind: str  # "urlset", "sitemapindex" or TEXT_SITEMAP; "" when the body is no sitemap
    entries: list[SitemapEntry]
    # The XML stops inside its root (a transfer cut short): `entries` are those read whole,
    # and a retry may bring the rest.
    cut_off: bool = False
    # Why entries may be missing though the input did not end early (a stray end tag, two
    # sitemaps in one file, an undefined entity: the first such error and its line); `entries`
    # are what a forgiving parser read. Errors that lose none (a NUL byte, a PHP warning after
    # the root closed) are no damage. A retry brings the same bytes.
    damage: str | None = None


def read_sitemap(url: str, body: bytes) -> SitemapRead:
    """The sitemap a body holds, decided by the document as parsed (its root element, in any
    namespace and encoding, behind any prolog), never by the bytes it starts with, and how
    much of it was read. A lastmod that is no date counts as absent (`bad_lastmod` keeps its
    text): the page is then fetched with a conditional GET, never skipped on its word."""
    strict = _XmlRead(body, recover=False)
    if strict.error is None or strict.root:  # its root read: an HTML page, an RSS feed are no sitemap
        root, forgiving = strict.root, None
    else:  # no root before the first error: a forgiving parser may find one, or none (text)
        forgiving = _XmlRead(body, recover=True)
        root = forgiving.root
    if root not in SITEMAP_ROOTS:
        return SitemapRead("", []) if root else _text_sitemap(url, body)
    if strict.error is None:
        return _sitemap(url, root, strict.entries)
    forgiving = forgiving or _XmlRead(body, recover=True)
    # The input ended inside the XML, and nothing past where the strict parser stopped reads
    # (a forgiving parser gets at most the entry cut in two): cut off, not damaged.
    if strict.error_at_end and len(forgiving.entries) <= len(strict.entries) + 1:
        return _sitemap(url, root, strict.entries, cut_off=True)
    return _sitemap(url, root, forgiving.entries, damage=_entries_lost(body, root, forgiving))


def _entries_lost(body: bytes, root: str, forgiving: "_XmlRead") -> str | None:
    """The first error of the forgiving read that may have lost entries (None: it read them
    all). Content after the root is checked whether or not it was logged: libxml2 logs it
    only when no error came before."""
    losing = [error for error in forgiving.errors if error.type_name not in (_CHARACTER_NOT_XML, _CONTENT_AFTER_ROOT)]
    if losing:
        return _error_text(losing[0])
    if _entries_after_root(body, root):
        after = [error for error in forgiving.errors if error.type_name == _CONTENT_AFTER_ROOT]
        return _error_text(after[0]) if after else f"entries after the {root} element closed"
    return None


def _entries_after_root(body: bytes, root: str) -> bool:
    """Whether what follows the root's first end tag holds entries (a second sitemap joined on),
    not only text (a PHP warning, a NUL). Its end tag not found in the bytes (UTF-16): it may."""
    end = re.search(rb"</(?:[\w.-]+:)?%s\s*>" % root.encode(), body)
    return end is None or bool(_XmlRead(body[end.end():], recover=True).entries)


def _sitemap(url: str, root: str, entries, **read) -> SitemapRead:
    return SitemapRead(root, [_entry(url, loc, lastmod) for loc, lastmod in entries], **read)


def _text_sitemap(url: str, body: bytes) -> SitemapRead:
    """A text sitemap: every line that is not blank an absolute http(s) URL. Anything else
    (an HTML or an error page, a robots.txt) is no sitemap."""
    lines = [line.strip() for line in body.decode("utf-8-sig", errors="replace").splitlines() if line.strip()]
    if not lines or not all(_TEXT_SITEMAP_LINE.fullmatch(line) for line in lines):
        return SitemapRead("", [])
    return SitemapRead(TEXT_SITEMAP, [_entry(url, line, None) for line in lines])


class _XmlRead:
    """One parse of a body as XML: its root element's local name, the (loc, lastmod) of every
    url or sitemap element read whole (as Scrapy's Sitemap reads them), and the parser's first
    error (None: the document was read whole), which came only once the input was over
    (`error_at_end`: the input stops inside the document) or before. `recover`: libxml2's
    forgiving mode, which reads past some errors (an undefined entity) but not others."""

    def __init__(self, body: bytes, recover: bool):
        self.root, self.entries, self.error_at_end = "", [], False
        body = _SPACE_BEFORE_DOCUMENT.sub(b"", body, count=1)
        parser = etree.XMLPullParser(events=("start", "end"), recover=recover, resolve_entities=False,
                                     no_network=True, remove_comments=True, remove_pis=True)
        self.error = self._feed(parser, body, recover)
        if self.error is None:  # every byte read without an error: does the document end there?
            try:
                parser.close()
            except etree.XMLSyntaxError as error:
                self.error, self.error_at_end = _first_error(parser) or str(error), True
        self._take(parser)
        self.errors = [error for error in parser.feed_error_log if error.level >= etree.ErrorLevels.ERROR]

    def _feed(self, parser, body: bytes, recover: bool) -> str | None:
        """The first error met before the input was over (strict: it stops there; forgiving:
        it reads on, so None)."""
        for start in range(0, len(body), _XML_CHUNK):
            try:
                parser.feed(body[start:start + _XML_CHUNK])
            except etree.XMLSyntaxError as error:
                return _first_error(parser) or str(error)
            self._take(parser)
            if not recover and (error := _first_error(parser)):  # logged, not raised (an undefined entity)
                return error
        return None

    def _take(self, parser) -> None:
        for event, element in parser.read_events():
            name = _local_name(element)
            if event == "start":
                self.root = self.root or name
            elif name in ("url", "sitemap"):
                children = {_local_name(child): (child.text or "").strip() for child in element}
                if "loc" in children:
                    self.entries.append((children["loc"], children.get("lastmod")))
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:  # read entries leave the tree
                    del parent[0]


def _first_error(parser) -> str | None:
    errors = [error for error in parser.feed_error_log if error.level >= etree.ErrorLevels.ERROR]
    return _error_text(errors[0]) if errors else None


def _error_text(error) -> str:
    return f"line {error.line}: {error.message.strip()[:200]}"


def _local_name(element) -> str:
    """An element's name in any namespace (`{http://www.sitemaps.org/...}url` is `url`); a
    comment's or a PI's is ""."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _entry(sitemap_url: str, loc: str, lastmod: str | None) -> SitemapEntry:
    when = lastmod_time(lastmod) if lastmod else None
    url, unusable = resolved(sitemap_url, loc)
    return SitemapEntry(url, when, lastmod if lastmod and when is None else None, unusable)


@dataclass(frozen=True, slots=True)
class ListingLinks:
    questions: list[str]
    listings: list[str]  # topic listings linked from a home or topic index page
    next_page: str | None
    # question, listing or next links no request can be made of (`javascript:/question/x`, a
    # port past 65535, a broken IPv6 host): skipped, the page's other links read
    unusable: tuple[str, ...] = ()


def read_listing(url: str, body: bytes, content_type: str | bytes | None = None) -> ListingLinks:
    """Question links, topic listing links and the rel="next" page of a home or listing page,
    read in the page's charset as a question page is (`content_type`: its HTTP header's, whose
    charset counts) and resolved as a browser resolves them (against the page's <base href>)."""
    tree = any_page_tree(url, body, content_type)
    if tree is None:
        return ListingLinks([], [], None)
    base = _base_url(url, tree)
    unusable: list[str] = []
    links = [link for href in _LINKS(tree) if (link := _listing_link(base, href, unusable))]
    nexts = [link for href in _next_hrefs(tree) if (link := _listing_link(base, href, unusable))]
    return ListingLinks(
        questions=[link for link in links if is_question_url(link)],
        listings=[link for link in links if site_for(link).is_topic_url(link)],
        next_page=nexts[0] if nexts else None,
        unusable=tuple(dict.fromkeys(unusable)),
    )


def _base_url(url: str, tree) -> str:
    """What the page's relative links resolve against: its first <base href> (itself relative
    to the URL fetched), as browsers take it, unless that is no http(s) URL; else the URL fetched."""
    for href in _BASE(tree)[:1]:
        try:
            base = join_url(url, href.strip())
        except ValueError:
            return url
        return base if unusable_url(base) is None else url
    return url


def _next_hrefs(tree) -> list[str]:
    """The hrefs of rel="next" links: rel is a list of keywords, ASCII case-insensitive
    ("next", "Next", "next nofollow", " next ")."""
    return [element.get("href") for element in _RELS(tree)
            if "next" in (element.get("rel") or "").lower().split()]


def _listing_link(base: str, href: str, unusable: list[str]) -> str | None:
    """A link of a listing, resolved; None when it is no question, listing or next link to
    follow. One that cannot be requested is added to `unusable`, never raised: the page's
    other links are read."""
    href = href.strip()
    try:
        link = join_url(base, href)
    except ValueError:  # a broken IPv6 host
        unusable.append(href)
        return None
    if unusable_url(link) is None:
        return link
    if is_question_url(link) or is_listing_url(link):
        unusable.append(href)
    return None  # mailto:, tel:, ... no page of the site

