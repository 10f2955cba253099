"""Question pages the crawl asked for that gave no question: failed, given up, unreadable, or
answered by a page that is no question page (a redirect to the home page or to a login wall,
a loop of redirects).

Each other check sees one cause; this one sees the hole they leave in the data, whatever the
cause, a cause nobody counted yet included. Settled without a hole: read, not modified (304),
the same question met under another URL, gone (404 or 410 at its own URL: the site removed the
question), and forbidden by robots.txt (never asked). Only a crawl that ran to its end is
judged: one stopped early (a signal, --max-pages, a block wall) leaves pages unasked by design.
"""
from __future__ import annotations

from . import CheckResult

NAME = "question_pages_unread"
SETTLED = ("pages/question", "pages/not_modified", "pages/duplicate_question", "questions/gone")


def asked(stats: dict) -> int:
    """The question pages the crawl asked for (robots.txt's forbidden ones were never asked)."""
    return int(stats.get("questions/requested", 0)) - int(stats.get("questions/robots_forbidden", 0))


def unread_share(stats: dict) -> float | None:
    """Share of the question pages asked for that gave no question; None when none were asked."""
    asked_ = asked(stats)
    if asked_ <= 0:
        return None
    settled = sum(int(stats.get(key, 0)) for key in SETTLED)
    return max(0, asked_ - settled) / asked_


def check(facts) -> list[CheckResult]:
    share = unread_share(facts.stats) if facts.ended else None
    if share is None:
        return []
    return [CheckResult.judge(NAME, share, facts.settings.getfloat("CHECK_UNREAD_QUESTIONS_MAX"))]
