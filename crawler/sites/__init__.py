"""Site definitions: one module per site, each a `Site` (crawler.sites.base) of its URL rules,
block markers, markup families and key rules. Spiders, middlewares and URL code ask
`site_for(url)` instead of writing "/dr/" or "/question/" themselves.

    from crawler.sites import site_for
    site = site_for(url)
    site.is_question_url(url); site.question_key(url); site.profile_slug(href, page_url)

A host no definition names (the reference site on 127.0.0.1, a mirror) is read with RealSelf's
rules: the reference site copies them, and they are the only rules the parsers know.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from crawler.sites import realself
from crawler.sites.base import Site, host_key, host_name

SITES: tuple[Site, ...] = (realself.SITE,)
DEFAULT = realself.SITE

__all__ = ["Site", "SITES", "DEFAULT", "site_for", "site_key", "sites_of", "rows_site"]


def site_for(url: str) -> Site:
    return _defined(url) or DEFAULT


def site_key(url: str) -> str:
    """The `site` column of the rows of a page at `url`: its site's one host for every host a
    definition names (crawler.sites.base.Site.column), else the URL's host and port (a host no
    definition names is a site of its own: two ports are two sites)."""
    site = _defined(url)
    return site.column if site else host_key(url)


def sites_of(urls) -> list[str]:
    """The sites (site_key) of URLs, each once, sorted: the one identity of "the site a crawl
    is of" that the off-site rule, the quality checks' baseline and the state folder read.
    `http://LOCALHOST:80/` is `localhost`; www.realself.com and realself.com are one site."""
    return sorted({site_key(url) for url in urls})


def of_sites(start_urls, sites: list[str]) -> bool:
    """Whether a crawl of `start_urls` (a crawls row's, None for none) is of exactly `sites`
    (sites_of): the crawls a crawl is measured against, by its checks and in the report;
    another site's rows are no measure of its own."""
    return sites_of(list(start_urls) if start_urls is not None else []) == sites


def _defined(url: str) -> Site | None:
    """The site whose definition names the URL's host, or None."""
    try:
        host = host_name(urlsplit(url).hostname or "")  # `REALSELF.com.` is realself.com
    except ValueError:
        return None
    return next((site for site in SITES if host in site.hosts), None)


def rows_site(fetched_url: str, url: str | None) -> str | None:
    """The `site` of a page's rows (site_key): the site it was fetched from, whatever its
    canonical link (`url`) names. Taken from the link, a mirror's or a copy's rows (the
    reference site's, whose links name www.realself.com) were filed under that site: two copies
    merged, any host could overwrite that site's rows, and one site's pages with and without the
    link split between two sites. A page read from a file has no site but the one its records'
    URLs (`url`) name, and none when they name none (a file: URL names no site)."""
    if fetched_url.startswith("file:"):
        return site_key(url) if url else None
    return site_key(fetched_url)
