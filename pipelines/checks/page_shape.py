"""Question pages the parsers could not read: of no known markup family, malformed, or cut
off on every attempt.

A share above CHECK_BAD_PAGES_MAX is what a site redesign looks like from here: pages of a
new shape are counted (`pages/unknown_layout`, `pages/malformed`) but give no rows, so the
datasets have a hole the row counts alone do not show. A page still cut off after its
retries (`pages/truncated_gave_up`: its document never ends) is one too, and so is a whole
body that is no HTML document (`pages/not_html`: JSON, a PDF). An empty page given up
(`pages/empty_gave_up`) is no page of any shape: a page lost, not a sign of one. A whole page that
holds fewer answers than it declares (answers on a next page, loaded by script, in a new
container) is malformed, never retried: a retry cures a network that cuts pages short, not markup.
"""
from __future__ import annotations

from . import CheckResult

NAME = "unknown_or_malformed_pages"


def bad_page_share(stats: dict) -> tuple[float, int] | None:
    """(share of question pages that were unreadable, question pages met); None when none were met."""
    bad = sum(int(stats.get(f"pages/{kind}", 0)) for kind in ("unknown_layout", "not_html", "malformed", "truncated_gave_up"))
    read = int(stats.get("pages/question", 0)) + int(stats.get("pages/not_modified", 0))
    if bad + read == 0:
        return None
    return bad / (bad + read), bad + read


def check(facts) -> list[CheckResult]:
    share = bad_page_share(facts.stats)
    if share is None:
        return []
    return [CheckResult.judge(NAME, share[0], facts.settings.getfloat("CHECK_BAD_PAGES_MAX"))]
