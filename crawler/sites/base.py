"""What a site definition holds, and the rules every site applies the same way.

A site is data (its hosts, the path prefixes of its pages, its block markers, its markup
families); the rules that read that data are methods here, so a second site is a new module
with a new `Site(...)`, not new code. Pure functions of URLs: no Scrapy, no network.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

_DEFAULT_PORTS = {"http": 80, "https": 443}


# eq=False: a site is itself, compared and hashed by identity (a cache key of every page).
@dataclass(frozen=True, eq=False)
class Site:
    name: str
    hosts: frozenset[str]            # the site's own hosts: its canonical links point there
    question_prefix: str             # path of a question page: "/question/<slug>"
    profile_prefix: str              # path of a doctor profile: "/dr/<slug>" (the doctor's key)
    listing_prefix: str              # path of a topic listing: "/questions/<topic>?page=N"
    listing_page_parameter: str      # the query parameter of a listing's later pages ("page")
    sitemap_suffixes: tuple[str, ...]  # paths of sitemaps, plain or gzip-compressed
    families: tuple[str, ...]        # markup families its pages are known in (every registered one is tried)
    block_title: str                 # <title> of its bot wall's block page
    block_element_id: str            # id of the element that makes a block page (a captcha)
    id_pattern: str                  # what its question and answer ids look like (a regex, whole id)
    host: str = ""                   # the one of `hosts` its rows' `site` column names (see `column`)

    @property
    def column(self) -> str:
        """The `site` column of its rows, whichever of its hosts a page is on: www.realself.com
        and realself.com are one site, one (site, key) per question and doctor."""
        return self.host if self.host in self.hosts else min(self.hosts)

    # what a URL is --------------------------------------------------------------------

    def is_question_url(self, url: str) -> bool:
        path = _path(url)
        return path.startswith(self.question_prefix) and len(path.rstrip("/")) > len(self.question_prefix)

    def is_listing_url(self, url: str) -> bool:
        path = _path(url)
        return path.startswith(self.listing_prefix) and len(path) > len(self.listing_prefix)

    def is_topic_url(self, url: str) -> bool:
        """A topic's first listing page: later pages come through rel="next", not as topics."""
        if not self.is_listing_url(url):
            return False
        query = urlsplit(url).query
        return not any(part.partition("=")[0] == self.listing_page_parameter for part in query.split("&"))

    def is_sitemap_url(self, url: str) -> bool:
        return _path(url).endswith(self.sitemap_suffixes)

    def is_root_url(self, url: str) -> bool:
        return _path(url) in ("", "/")

    # keys -----------------------------------------------------------------------------

    def question_key(self, url: str) -> str:
        """The one URL of a question, whatever URL named it: scheme and host in lower case,
        no default port, no query, no fragment, no trailing slash. `/q1`, `/q1?ref=a`, `/q1/`,
        `/q1#answers` and `HTTP://HOST/q1` are one question, so one request and one row."""
        try:
            parts = urlsplit(url.strip())
            host = _host(parts)
        except ValueError:  # a broken host or port: left as it is, it will fail as a request
            return url
        return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/") or "/", "", ""))

    # Cached: page objects ask it of every link of a byline, and a doctor's link repeats on
    # every page they answer (urlsplit's own 128-entry cache thrashes in a crawl).
    @lru_cache(maxsize=65536)
    def profile_slug(self, href: str | None) -> str | None:
        """A doctor's key: 'joseph-serota-aurora-co' from '/dr/joseph-serota-aurora-co' (or a
        full URL, or '/dr/x/reviews'); None when the link is not a profile. The key is one
        path segment of the link made safe (safe_url): what a segment may hold, the rest
        percent-encoded, so a control character or markup in an href never becomes a key."""
        if not href:
            return None
        try:
            path = urlsplit(safe_url(href)).path
        except UnicodeError:
            # Half a surrogate pair: no URL holds it, yet the link is the byline's profile. Kept,
            # the key cannot be written and the page is malformed (counted, logged), where None
            # would lose the answer's doctor in silence.
            path = href
        except ValueError:  # not a URL (a broken IPv6 host): no profile
            return None
        at = path.find(self.profile_prefix)
        if at < 0:
            return None
        segment = _STRAY_PERCENT.sub("%25", path[at + len(self.profile_prefix):].split("/", 1)[0])
        # "." and ".." name no profile: a browser following "/dr/.." lands on "/".
        return segment if segment and segment.lower() not in _DOT_SEGMENTS else None

    def is_id(self, text: str) -> bool:
        """Whether a question or answer id is one of the site's ids (RealSelf's are numbers)."""
        return _whole(self.id_pattern).fullmatch(text) is not None

    def profile_path(self, slug: str) -> str:
        return self.profile_prefix + slug

    def page_url(self, canonical: str | None, fetched: str) -> str:
        """The URL a question page is recorded under: its canonical link, made safe
        (safe_url), when that is one of this site's own question URLs (on one of its hosts, or
        on the host it was fetched from), else the URL fetched (which the crawl's requests
        already hold safe). A canonical link is the page's word: `javascript:`, a link to
        another site or garbage must not become the question's url and site."""
        try:
            url = safe_url(canonical) if canonical else None
        except ValueError:  # no URL (a broken IPv6 host, half a surrogate pair)
            return fetched
        return url if url and self.is_own_question_url(url, fetched) else fetched

    def is_own_question_url(self, url: str, fetched: str) -> bool:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower()
        except ValueError:
            return False
        if parts.scheme.lower() not in ("http", "https") or not host:
            return False
        fetched_host = (urlsplit(fetched).hostname or "").lower()
        return (host in self.hosts or host == fetched_host) and self.is_question_url(url)


def safe_url(url: str) -> str:
    """A URL as browsers and Scrapy send it, the form of every URL a record holds: C0
    controls and spaces around it stripped, tabs and newlines in it dropped, and whatever a
    URL cannot hold as it is (controls, spaces, quotes, `<>`, bidi overrides, non-ASCII)
    percent-encoded (w3lib's safe_url_string, which Scrapy applies to the URLs it requests).
    ValueError for what is no URL (a broken IPv6 host)."""
    return safe_url_string(url)


# A "%" that starts no %XX escape: a path segment holds it only as "%25".
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_DOT_SEGMENTS = frozenset((".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"))


def host_key(url: str) -> str:
    """The host a URL names, as keys hold it: 'host[:port]' in lower case, no default port,
    no user; the URL's netloc as written when it cannot be read. Rows of one site (its `site`
    column) and a crawl's questions are told apart by it: two ports are two sites."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a broken IPv6 host: what stands between the scheme and the path
        return url.partition("://")[2].partition("/")[0]
    try:
        return _host(parts)
    except ValueError:  # a port that is no port
        return parts.netloc


def _host(parts) -> str:
    port, host = parts.port, (parts.hostname or "").lower()  # .port: ValueError when not a port
    if ":" in host:
        host = f"[{host}]"  # IPv6
    return f"{host}:{port}" if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()) else host


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


_WITH_HOST = re.compile(r"/|[A-Za-z][A-Za-z0-9+.-]*://")
_HOST_END = re.compile(r"[/?#]")


def names_its_path(href: str) -> bool:
    """Whether an href starts with "/" or names its host: its path is all there, nothing of
    it comes from the base."""
    return _WITH_HOST.match(href) is not None


def join_url(base: str, href: str) -> str:
    """urljoin(base, href). An href that starts with "/" or names its host takes nothing
    from the base but its scheme and host, so it is joined to those: the same links recur
    on many pages of a site, and the join is cached by what it depends on."""
    if names_its_path(href):
        return _join(origin(base), href)
    return urljoin(base, href)


def origin(url: str) -> str:
    """'scheme://host[:port]' of an absolute URL (what urljoin reads of a base for an href
    that starts with "/"); else the URL."""
    start = url.find("://")
    if start < 0:
        return url
    end = _HOST_END.search(url, start + 3)  # one C scan, not a Python loop per character
    return url[:end.start()] if end else url


@lru_cache(maxsize=None)
def _whole(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.ASCII)


@lru_cache(maxsize=65536)
def _join(base: str, href: str) -> str:
    return urljoin(base, href)
