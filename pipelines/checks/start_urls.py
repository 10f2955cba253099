"""Start URLs that failed (the spider lists them in `crawl/start_url_errors`), and the start
sites of a crawl of several that gave no question page while another did.

The outcome of a crawl of several sites is each site's, then combined: when every start URL
failed the crawl is `failed` (pipelines.crawls.status_of); when only some did, or one start
site gave nothing (its robots.txt unreadable, its pages redirected off it or into another site
of the crawl), the others' data was committed, and this check makes the crawl `degraded`, its
message naming each (`failures`). A site root whose home page failed while its sitemaps or
listings named question pages did not fail: its home page is listed in `crawl/home_pages_unread`
("URL: reason"), which the message says.
"""
from __future__ import annotations

from crawler.sites import site_key

from . import CheckResult

NAME = "start_urls_failed"
START_URL_ERRORS = "crawl/start_url_errors"
HOME_PAGES_UNREAD = "crawl/home_pages_unread"
# The sites (site_key) that gave a question page: read, not modified, or known unchanged.
SITES_READ = "crawl/sites_read"
# site -> why a question page asked of it gave it nothing (the first such reason met).
SITES_LOST = "crawl/sites_lost"


def site_read(stats, url: str) -> None:
    """A question page of `url`'s site was settled: the site gave something."""
    read = stats.get_value(SITES_READ) or []
    if (site := site_key(url)) not in read:
        stats.set_value(SITES_READ, [*read, site])


def site_lost(stats, url: str, why: str) -> None:
    """A question page asked of `url`'s site gave it nothing, for `why` (its first reason kept)."""
    lost = stats.get_value(SITES_LOST) or {}
    if (site := site_key(url)) not in lost:
        stats.set_value(SITES_LOST, {**lost, site: why})


def failures(stats: dict, sites, ended: bool) -> list[str]:
    """The start URLs that failed, then, in a crawl that ran to its end (`ended`: one its limit
    stopped may just not have come to a site yet), each start site (of `sites`, the crawl's)
    that gave no question page while another did and whose start URLs did not fail already:
    `SITE: no question page read (why)`. A crawl of one site has no other to compare with: it
    fails or not on its own (status_of)."""
    errors = list(stats.get(START_URL_ERRORS) or [])
    read = set(stats.get(SITES_READ) or ())
    if not ended or len(sites) < 2 or not read:
        return errors
    named = {site_key(line.partition(": ")[0]) for line in errors}
    lost = stats.get(SITES_LOST) or {}
    return errors + [f"{site}: no question page read ({lost.get(site, 'none found')})"
                     for site in sites if site not in read and site not in named]


def check(facts) -> list[CheckResult]:
    return [CheckResult.judge(NAME, len(failures(facts.stats, facts.sites, facts.ended)), 0)]
