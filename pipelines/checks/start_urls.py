"""Start URLs that failed (the spider lists them in `crawl/start_url_errors`).

When every start URL failed the crawl is `failed` (pipelines.crawls.status_of); when only
some did, the others' data was committed, and this check makes the crawl `degraded`.
"""
from __future__ import annotations

from . import CheckResult

NAME = "start_urls_failed"


def check(facts) -> list[CheckResult]:
    errors = facts.stats.get("crawl/start_url_errors") or []
    return [CheckResult.judge(NAME, len(errors), 0)]
