"""Scrapy's OffsiteMiddleware, by the site rule, saying when it drops a redirect.

A request is on the site when its site (crawler.sites.site_key) is one of the spider's
`allowed_sites`: the start URLs' sites, by the rule of the rows' `site` column.

Scrapy filters a request to another host at scheduling, without calling its errback, and
counts it in `offsite/filtered` only. For links the spider never yields off-site that is
noise; for a page that *redirected* off the site (a question moved to another host, a bot
wall's login host) it is a page lost: the crawl said `finished`, "errors: none", without it.
Such a drop is a failed page, counted as `pages/redirected_offsite` too (an error of the
crawl's outcome and of the `fetch_errors` check), logged as an error naming both URLs; it
fails its start URL. robots.txt is the exception: its redirects are followed wherever they
lead (RFC 9309), so a site's rules are not lost to an example.com -> www.example.com redirect.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware as ScrapyOffsite
from scrapy.exceptions import IgnoreRequest

from crawler.middlewares import CountedDrop
from crawler.sites import site_key
from pipelines.checks.start_urls import site_lost

REDIRECTED_OFFSITE = "pages/redirected_offsite"
OFF_SITE_LINKS = "pages/off_site_links"  # question links to another site, not followed (the spider)
# Listing pages (a topic link, a rel="next") on another site, not followed (the spider): each
# costs the questions past it in its walk, so counted, and the first few named "URL (on PAGE)".
OFF_SITE_LISTINGS = "pages/off_site_listings"
OFF_SITE_LISTINGS_LIST = "crawl/off_site_listings"

logger = logging.getLogger(__name__)


class OffsiteMiddleware(ScrapyOffsite):
    def process_request(self, request, spider=None):
        if robots_txt_request(request):
            return None  # RFC 9309 2.3.1.2: its redirects are followed across hosts, its target's rules apply
        redirected = bool(request.meta.get("redirect_urls")) and not request.meta.get("allow_offsite")
        # dont_filter is about duplicates, not the site's bounds, yet Scrapy lets such a request
        # off the site: a retry, a question page (the spider keeps one request each), and a
        # redirect of either. Judged here by where it leads, whatever it was.
        if request.dont_filter and not request.meta.get("allow_offsite") \
                and not self.should_follow(request, self.crawler.spider):
            self.stats.inc_value("offsite/filtered")
            if redirected:
                self._redirected_offsite(request)
            raise CountedDrop(f"Filtered offsite request to {request.url}")
        try:
            return super().process_request(request)
        except IgnoreRequest:
            if redirected:
                self._redirected_offsite(request)
            raise

    def should_follow(self, request, spider) -> bool:
        """Whether a request stays on the crawl's sites: the spider's `allowed_sites`, by the
        rows' own site rule (crawler.sites.site_key), not Scrapy's host names: another port is
        another site, a subdomain of a start host too unless a site definition names it, and
        all hosts of a defined site are that site. A spider without them: Scrapy's rule."""
        sites = getattr(spider, "allowed_sites", None)
        if not sites:
            return super().should_follow(request, spider)
        return site_key(request.url) in sites

    def _redirected_offsite(self, request) -> None:
        asked = request.meta["redirect_urls"][0]
        logger.error("Redirected off the site, not followed: %s -> %s", asked, request.url)
        self.stats.inc_value(REDIRECTED_OFFSITE)
        self.stats.inc_value("pages/failed")
        site_lost(self.stats, asked, f"its pages redirected off the site, to {site_key(request.url)}")
        start_url_failed = getattr(self.crawler.spider, "start_url_failed", None)
        if start_url_failed is not None:
            start_url_failed(request, f"redirected off the site, to {request.url}")


def robots_txt_request(request) -> bool:
    """Scrapy's request for a site's robots.txt, or a redirect or retry of it."""
    first = (request.meta.get("redirect_urls") or [request.url])[0]
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(first).path == "/robots.txt"
