"""Scrapy's RedirectMiddleware, saying when it does not follow a redirect.

Scrapy passes on a 3xx it does not follow (no Location, a Location to ftp:, file: or data:)
as a response, which the spider's HttpError filter drops as "HTTP 302" (3xx are no error by
the summary's rules: the crawl said `errors: none` beside 40 lost pages), and robots.txt
middleware read as an empty robots.txt (allow all). A Location no Request takes
(`javascript:alert(1)`, `mailto:`) raised Scrapy's `ValueError: Missing scheme` instead.

Here each of them is a failed request whose reason names the status and where it pointed
(`HTTP 302 to ftp://..., not followed (not an http or https URL)`), counted as
`pages/redirect_not_followed` (the summary's `redirect not followed`, an error of the
`fetch_errors` check). A robots.txt given up so could not be read (RFC 9309 2.3.1.4).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirect
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from crawler.middlewares import CountedDrop

REDIRECT_NOT_FOLLOWED = "pages/redirect_not_followed"
# Question URLs redirected to a page that is no question page (the home page, a listing, a
# login wall): counted by the spider, which names every one in the log and the first few
# ("asked -> where (why)") in this list, for the crawl's message.
REDIRECTED_AWAY = "pages/redirected_away"
REDIRECTED_AWAY_LIST = "crawl/redirected_away"
REDIRECTED_AWAY_NAMED = 3
FOLLOWED = frozenset((301, 302, 303, 307, 308))  # the statuses Scrapy follows
PERMANENT = frozenset((301, 308))  # the site says the page is elsewhere for good (RFC 9110 15.4)
_TARGET_SHOWN = 100  # characters of a Location named in a reason: enough to act on, not a page of it


class RedirectNotFollowed(CountedDrop):
    """A 3xx the crawl could not follow (no Location, one to another scheme, one that is no URL)."""


class RedirectMiddleware(ScrapyRedirect):
    def process_response(self, request, response, spider=None):
        try:
            result = super().process_response(request, response)
        except ValueError:  # Scrapy's Request refuses the Location ("Missing scheme", a bad IPv6 host)
            raise self._not_followed(response, "not a URL the crawl can follow") from None
        if result is response and _redirect(response) and not self._left_to_caller(request, response):
            followed = response.status in FOLLOWED
            raise self._not_followed(response, "not an http or https URL" if followed else "not a redirect status")
        return result

    def _left_to_caller(self, request, response) -> bool:
        """A request that asked to see its 3xx itself (Scrapy's own opt-outs)."""
        return bool(request.meta.get("dont_redirect") or request.meta.get("handle_httpstatus_all")
                    or response.status in request.meta.get("handle_httpstatus_list", ())
                    or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ()))

    def _not_followed(self, response, why: str) -> RedirectNotFollowed:
        self.crawler.stats.inc_value(REDIRECT_NOT_FOLLOWED)
        location = response.headers.get("Location")
        if not location:
            return RedirectNotFollowed(f"HTTP {response.status} without a Location, not followed")
        return RedirectNotFollowed(f"HTTP {response.status} to {shortened(location)}, not followed ({why})")


class MetaRefreshMiddleware(ScrapyMetaRefresh):
    """A page whose meta refresh leads back to itself (its own path, whatever the query: a
    challenge's "Just a moment...", reloading until its script has run) or to a page already
    on its way is passed on as the page it is: asked again it answers the same, so following
    it only hammers the site to the redirect limit, and the wall rule (blocks.py) never sees
    it. A refresh to another page is a redirect, followed as one."""

    def process_response(self, request, response, spider=None):
        if isinstance(response, HtmlResponse):
            _, target = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            if target and _page(target) in {_page(url) for url in (*request.meta.get("redirect_urls", ()), response.url)}:
                return response
        return super().process_response(request, response)


def _page(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/"


def _redirect(response) -> bool:
    """A 3xx that is an answer to be followed: 304 Not Modified is the conditional GET's own."""
    return 300 <= response.status < 400 and response.status != 304


def shortened(location: bytes | str) -> str:
    text = location.decode("latin-1") if isinstance(location, bytes) else location
    text = text.strip().encode("unicode_escape").decode("ascii")  # a control byte never reaches a terminal
    return text if len(text) <= _TARGET_SHOWN else text[:_TARGET_SHOWN - 1] + "…"
