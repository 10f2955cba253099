"""Start URLs that failed (the spider lists them in `crawl/start_url_errors`).

When every start URL failed the crawl is `failed` (pipelines.crawls.status_of); when only
some did, the others' data was committed, and this check makes the crawl `degraded`. A site
root whose home page failed while its sitemaps or listings named question pages did not fail:
its home page is listed in `crawl/home_pages_unread` ("URL: reason"), which the message says.
"""
from __future__ import annotations

from . import CheckResult

NAME = "start_urls_failed"
HOME_PAGES_UNREAD = "crawl/home_pages_unread"


def check(facts) -> list[CheckResult]:
    errors = facts.stats.get("crawl/start_url_errors") or []
    return [CheckResult.judge(NAME, len(errors), 0)]
