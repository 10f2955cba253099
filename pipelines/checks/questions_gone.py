"""Question pages the crawl asked for that the site says it removed (gone: 404 or 410 at their
own URL, a page saying not found or removed, a permanent redirect to the bare home page or a
listing), as a share of those asked.

A removal is per question: a few a day are the site's business, settled without a hole
(question_pages). Most of the questions asked gone at once is no such thing but a site-wide
change that reads the same way: a redesign or a rewrite rule sending every question URL home, an
outage page titled "Page not found". A minimum count keeps one removed question, asked again
each day while a sitemap names it, from failing a small incremental crawl.
"""
from __future__ import annotations

from . import CheckResult
from .question_pages import asked

NAME = "questions_gone"


def check(facts) -> list[CheckResult]:
    asked_ = asked(facts.stats)
    if asked_ <= 0:
        return []
    gone = int(facts.stats.get("questions/gone", 0))
    few = gone < facts.settings.getint("CHECK_GONE_QUESTIONS_MIN")
    return [CheckResult.judge(NAME, gone / asked_, None if few else facts.settings.getfloat("CHECK_GONE_QUESTIONS_MAX"))]
