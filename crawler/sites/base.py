"""What a site definition holds, and the rules every site applies the same way.

A site is data (its hosts, the path prefixes of its pages, its block markers, its markup
families); the rules that read that data are methods here, so a second site is a new module
with a new `Site(...)`, not new code. Pure functions of URLs: no Scrapy, no network.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

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
    topic_prefix: str                # path of a topic's own page: "/<topic>" (a question's byline links it)
    sitemap_suffixes: tuple[str, ...]  # paths of sitemaps, plain or gzip-compressed
    families: tuple[str, ...]        # markup families its pages are known in (every registered one is tried)
    block_title: str                 # <title> of its bot wall's block page
    block_element_id: str            # id of the element that makes a block page (a captcha)
    id_pattern: str                  # what its question and answer ids look like (a regex, whole id)
    slug_pattern: str                # what its profile slugs look like, decoded and in lower case (a regex, whole slug)
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
        """A topic's first listing page, without the page parameter or with page 1 (the
        contract's own form, `?page=1`): later pages come through rel="next", not as topics."""
        if not self.is_listing_url(url):
            return False
        pages = [value.strip() for name, _, value in (part.partition("=") for part in urlsplit(url).query.split("&"))
                 if name == self.listing_page_parameter]
        return all(page.isdigit() and int(page) == 1 for page in pages)

    def is_topic_link(self, url: str) -> bool:
        """Whether a link names a topic: its own page (the topic prefix and one segment of slug
        form: `/botox`, not `/user/jane` nor `/find/phoenix-az`, nor the site's other page
        kinds, `/dr`) or its listing's first page (is_topic_url)."""
        path = _path(url)
        segment = path[len(self.topic_prefix):].rstrip("/") if path.startswith(self.topic_prefix) else "/"
        kinds = {prefix.strip("/") for prefix in (self.question_prefix, self.profile_prefix, self.listing_prefix)}
        return self.is_topic_url(url) or ("/" not in segment and segment not in kinds
                                          and self.is_slug(segment.lower()))

    def is_sitemap_url(self, url: str) -> bool:
        return _path(url).endswith(self.sitemap_suffixes)

    def is_root_url(self, url: str) -> bool:
        return _path(url) in ("", "/")

    # keys -----------------------------------------------------------------------------

    def question_key(self, url: str) -> str:
        """The one URL of a question, whatever URL named it: made safe (safe_url), scheme and
        host in lower case, no default port, the path in RFC 3986 normal form (normal_path),
        no query, no fragment, no trailing slash. `/q1`, `/q1?ref=a`, `/q1/`, `/q1#answers`,
        `HTTP://HOST/q1`, `/%711` and `/x/../q1` are one question, so one request and one row."""
        try:
            parts = urlsplit(url if _AS_WRITTEN.fullmatch(url) else safe_url(url))
            host = _host(parts)
        except ValueError:  # a broken host or port (or half a surrogate pair): left as it is, it will fail as a request
            return url
        return urlunsplit((parts.scheme.lower(), host, normal_path(parts.path).rstrip("/") or "/", "", ""))

    def profile_slug(self, href: str | None, page_url: str) -> str | None:
        """A doctor's key: 'joseph-serota-aurora-co' from '/dr/joseph-serota-aurora-co' (or a
        full URL, or '/dr/x/reviews') on the page fetched from `page_url`; None when the link
        is not a profile of this site: its path does not start with the profile prefix, or it
        is on another site (is_own_url: a link to elsewhere.example/dr/x is not this site's
        doctor x), or the segment after the prefix is not of the site's slug form (slug_key:
        `/dr/123456/x`, `/dr/x.html` name no slug, and a wrong key is worse than none). The key
        is the slug in lower case, percent-encoded as RFC 3986's normal form writes it, so
        `%c3%ab`, `%C3%AB`, `%2D` for `-` and `Jo-Smith` for `jo-smith` give one doctor one key."""
        if not href:
            return None
        href = as_browser_reads(page_url, href.strip())  # "/dr\x" is "/dr/x": safe_url would write "%5C"
        page_origin = origin(page_url)
        if names_its_path(href):  # "/dr/x", "https://host/dr/x": the page's origin is all it needs
            return self._profile_slug(href, page_origin, page_origin)
        return self._profile_slug.__wrapped__(self, href, page_url, page_origin)  # "dr/x": of the page's path

    def profile_link(self, hrefs, page_url: str) -> str | None:
        """A byline's link to its doctor, of its links (in the order the page object ranks
        them): the first that gives a key (profile_slug), else its first link at all. A byline
        whose links name no profile of this site by its rule (another site's `/dr/x`, a form
        the rule does not know: `/doctor/x`, `/es/dr/x`, `/dr/123/x`) keeps one, so that its
        record counts it as a doctor not read, never drops it as a byline without a link."""
        hrefs = [href for href in hrefs if href and href.strip()]
        return next((href for href in hrefs if self.profile_slug(href, page_url)), next(iter(hrefs), None))

    # Cached: page objects ask it of every link of a byline, and a doctor's link repeats on
    # every page they answer (urlsplit's own 128-entry cache thrashes in a crawl).
    @lru_cache(maxsize=65536)
    def _profile_slug(self, href: str, base: str, page_origin: str) -> str | None:
        try:
            href = safe_url(href)
        except UnicodeError:
            # Half a surrogate pair: no URL holds it, yet the link is the byline's profile. Kept,
            # the key cannot be written and the page is malformed (counted, logged).
            return self._profile_segment(href, base, page_origin) or None
        except ValueError:  # not a URL (a broken IPv6 host): no profile
            return None
        segment = self._profile_segment(href, base, page_origin)
        return self.slug_key(segment) if segment is not None else None

    def _profile_segment(self, href: str, base: str, page_origin: str) -> str | None:
        """The path segment after the profile prefix of a link of this site, else None."""
        try:
            url = join_url(base, href)
            parts = urlsplit(url)
        except ValueError:  # not a URL (a broken IPv6 host): no profile
            return None
        if not self.is_own_url(url, page_origin):
            return None
        path = normal_path(_STRAY_PERCENT.sub("%25", parts.path))
        if not path.startswith(self.profile_prefix):
            return None
        return path[len(self.profile_prefix):].split("/", 1)[0]

    def slug_key(self, segment: str) -> str | None:
        """The key of a profile path segment: its slug decoded, in lower case (slugs are written
        in lower case: `Jo-Smith-NY` is `jo-smith-ny`'s profile, never a second doctor) and
        composed (NFC: "jose" + U+0301, as macOS and many CMSs write it, is "josé", one doctor
        however a link spells it), when it is of the site's slug form (is_slug),
        percent-encoded again as RFC 3986's normal form writes it; else None."""
        # bytes that are no UTF-8 decode to U+FFFD: no slug
        slug = unicodedata.normalize("NFC", unquote(segment).lower())
        return quote(slug, safe="") if self.is_slug(slug) else None

    def is_slug(self, slug: str) -> bool:
        """Whether a decoded slug is of the site's slug form (slug_pattern), its combining marks
        read as part of the letter they are written on: a vowel sign of Devanagari or Thai, or
        an accent no precomposed letter holds, is part of a word (Python's `\\w` has no marks)."""
        if not slug.isascii():
            slug = "".join(char for char in slug if not unicodedata.category(char).startswith("M"))
        return _slug_form(self.slug_pattern).fullmatch(slug) is not None

    def id_key(self, text: str) -> str | None:
        """The key of a question or answer id as a page gives it, when it is of the site's id
        form (id_pattern; RealSelf's are numbers), else None: white space around it trimmed (a
        template's), and an id of digits as its number (`01040712` is 1040712's page, never a
        second key of it)."""
        text = text.strip()
        if _whole(self.id_pattern).fullmatch(text) is None:
            return None
        return text.lstrip("0") or "0" if text.isdigit() else text

    def profile_path(self, slug: str) -> str:
        return self.profile_prefix + slug

    def page_url(self, canonical: str | None, fetched: str) -> str:
        """The URL a question page is recorded under: its canonical link, made safe
        (safe_url), when that is one of this site's own question URLs (on one of its hosts, or
        on the host it was fetched from), else the URL fetched (which the crawl's requests
        already hold safe; a saved page's file: URL names the file it was read from). A
        canonical link is the page's word: `javascript:`, a link to another site or garbage
        must not become the question's url and site."""
        try:
            url = safe_url(canonical) if canonical else None
        except ValueError:  # no URL (a broken IPv6 host, half a surrogate pair)
            return fetched
        return url if url and self.is_own_question_url(url, fetched) else fetched

    def is_own_question_url(self, url: str, fetched: str) -> bool:
        return on_the_web(url.strip()) and self.is_own_url(url, fetched) and self.is_question_url(url)

    def is_own_url(self, url: str, fetched: str) -> bool:
        """Whether `url` is on this site for a page fetched from `fetched`: on one of the
        site's own hosts, or on the very host and port the page came from (host_key: the
        `site` rule of a host no definition names). 127.0.0.1:8001 is not 127.0.0.1:8000's,
        nor is elsewhere.example the page's."""
        try:
            host = host_name(urlsplit(url.strip()).hostname or "")
        except ValueError:
            return False
        return host in self.hosts or host_key(url) == host_key(fetched)


def on_the_web(url: str) -> bool:
    """Whether a URL is an http(s) URL with a host: one that names a site (a file: URL, a saved
    page's, names none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def safe_url(url: str) -> str:
    """A URL as browsers and Scrapy send it, the form of every URL a record holds: C0
    controls and spaces around it stripped, tabs and newlines in it dropped, and whatever a
    URL cannot hold as it is (controls, spaces, quotes, `<>`, bidi overrides, non-ASCII)
    percent-encoded (w3lib's safe_url_string, which Scrapy applies to the URLs it requests).
    ValueError for what is no URL (a broken IPv6 host)."""
    return safe_url_string(url)


# A URL of these characters alone has the key it would have once made safe: safe_url changes
# nothing of it a key keeps (a question's links are keyed as met, tens of thousands a crawl,
# and safe_url costs tens of microseconds).
_AS_WRITTEN = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&()*+,;=%]*")
# A "%" that starts no %XX escape: a path segment holds it only as "%25".
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# RFC 3986 2.3: what a URL means the same whether written as it is or as %XX.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normal_path(path: str) -> str:
    """A URL path in RFC 3986 6.2.2 normal form, which names what the path as written names:
    the hex digits of %XX in upper case, the %XX of an unreserved character decoded (`%2D` is
    `-`, `%62` is `b`), then dot segments removed (`/a/./b/../c` is `/a/c`). Every key and
    rule reads paths through it, so two spellings of one URL are one question, one doctor."""
    if "%" in path:
        path = _PERCENT_ESCAPE.sub(_normal_escape, path)
    return _remove_dot_segments(path) if "/." in path else path


def _normal_escape(match) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, for a path that starts with "/" (an absolute URL's)."""
    if not path.startswith("/"):
        return path
    segments = path.split("/")
    out: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." is "/a/", a directory
    return "/" + "/".join(out)


def host_key(url: str) -> str:
    """The host a URL names, as keys hold it: 'host[:port]' in lower case, no default port,
    no user, an international name in its ASCII form (punycode, as requests send it); the
    URL's netloc as written when it cannot be read. Rows of one site (its `site` column) and
    a crawl's questions are told apart by it: two ports are two sites."""
    try:
        parts = urlsplit(url.strip())
        if not parts.netloc.isascii():
            parts = urlsplit(safe_url(url))  # bücher.example is xn--bcher-kva.example
    except ValueError:  # a broken IPv6 host: what stands between the scheme and the path
        return url.partition("://")[2].partition("/")[0]
    try:
        return _host(parts)
    except ValueError:  # a port that is no port
        return parts.netloc


def page_key(url: str) -> str:
    """The one spelling of the page a URL names, query and all: made safe (safe_url), scheme and
    host in lower case, no default port, the path in RFC 3986 normal form (normal_path) without
    its trailing slash, no fragment. `HTTP://Host:80/questions/botox/` and
    `http://host/questions/botox` are one page; `?page=2` is another (question_key drops the
    query: a question's page is one whatever it holds). The URL as it is when it cannot be read."""
    try:
        parts = urlsplit(safe_url(url.strip()))
        host = _host(parts)
    except ValueError:
        return url
    return urlunsplit((parts.scheme.lower(), host, normal_path(parts.path).rstrip("/") or "/", parts.query, ""))


def _host(parts) -> str:
    port, host = parts.port, host_name(parts.hostname or "")  # .port: ValueError when not a port
    if ":" in host:
        host = f"[{host}]"  # IPv6
    return f"{host}:{port}" if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()) else host


@lru_cache(maxsize=4096)
def host_name(host: str) -> str:
    """A URL's host as the WHATWG URL standard (every browser) reads it, so one server is one
    site however its host is spelled: percent-escapes decoded, lower case, an IPv4 address in
    dotted decimal whatever form of its numbers the URL wrote (`127.1`, `2130706433`,
    `0x7f.0.0.1` and `0177.0.0.1` are `127.0.0.1`), an IPv6 address compressed (`0:0::1` is
    `::1`), and a name's trailing dot (the DNS root: `example.com.` is `example.com`) dropped.
    `localhost` stays a name: it is not 127.0.0.1's spelling but a name of its own. A host
    none of these reads is kept as it is (lower case)."""
    host = unquote(host).lower() if "%" in host else host.lower()
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host).compressed
        except ValueError:  # a zone id, or garbage: as written
            return host
    name = host[:-1] if host.endswith(".") and host != "." else host
    address = _ipv4(name) if _ENDS_IN_A_NUMBER.search(name) else None
    return address or name


# WHATWG URL "ends in a number": its last label is digits, or 0x and hex digits.
_ENDS_IN_A_NUMBER = re.compile(r"(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$")
_IPV4_NUMBER = re.compile(r"0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*")


def _ipv4(host: str) -> str | None:
    """WHATWG URL's IPv4 parser: one to four numbers, each decimal, octal (a leading 0) or hex
    (0x), the last filling the bytes the others leave; None when it is no address."""
    numbers = []
    for part in host.split("."):
        if _IPV4_NUMBER.fullmatch(part) is None:  # int() would take "1_0", "+1", " 1"
            return None
        if part.startswith("0x"):
            numbers.append(int(part[2:] or "0", 16))
        else:
            numbers.append(int(part, 8 if len(part) > 1 and part.startswith("0") else 10))
    last = numbers.pop()
    if len(numbers) > 3 or any(number > 255 for number in numbers) or last >= 256 ** (4 - len(numbers)):
        return None
    value = sum(number << 8 * (3 - index) for index, number in enumerate(numbers)) + last
    return str(ipaddress.IPv4Address(value))


def _path(url: str) -> str:
    """The path a URL names (normal_path), which the site's rules read."""
    try:
        return normal_path(urlsplit(url).path)
    except ValueError:
        return ""


_WITH_HOST = re.compile(r"/|[A-Za-z][A-Za-z0-9+.-]*://")
_HOST_END = re.compile(r"[/?#]")


def names_its_path(href: str) -> bool:
    """Whether an href starts with "/" or names its host: its path is all there, nothing of
    it comes from the base."""
    return _WITH_HOST.match(href) is not None


def join_url(base: str, href: str) -> str:
    """urljoin(base, href), the href read as a browser reads it (as_browser_reads). An href
    that starts with "/" or names its host takes nothing from the base but its scheme and
    host, so it is joined to those: the same links recur on many pages of a site, and the join
    is cached by what it depends on."""
    href = as_browser_reads(base, href)
    if names_its_path(href):
        return _join(origin(base), href)
    return urljoin(base, href)


# WHATWG URL's special schemes: in their URLs a "\" before the query is a "/".
_SPECIAL_SCHEMES = frozenset({"http", "https", "ftp", "file", "ws", "wss"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_QUERY_START = re.compile(r"[?#]")


def as_browser_reads(base: str, href: str) -> str:
    """An href of the page at `base` as every browser reads it (WHATWG URL): in an http(s) URL
    (the href's scheme, else the base's) a backslash before the query or fragment is a slash,
    so `\\question\\x` is `/question/x` and `/dr\\x` is `/dr/x`. urljoin knows no such rule:
    it joined `\\question\\x` as a path relative to the page's."""
    if "\\" not in href:
        return href
    scheme = _SCHEME.match(href) or _SCHEME.match(base)
    if scheme is None or scheme.group(1).lower() not in _SPECIAL_SCHEMES:
        return href
    end = _QUERY_START.search(href)
    cut = end.start() if end else len(href)
    return href[:cut].replace("\\", "/") + href[cut:]


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


@lru_cache(maxsize=None)
def _slug_form(pattern: str) -> re.Pattern:
    return re.compile(pattern)  # not ASCII: a slug's letters are of any script ("élodie")


@lru_cache(maxsize=65536)
def _join(base: str, href: str) -> str:
    return urljoin(base, href)
