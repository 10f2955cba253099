"""On a full crawl (a whole site, not incremental, not cut short): the questions it found,
against the last full crawl of the same site that passed its checks.

A site does not lose a tenth of its questions overnight; a crawl that finds that many fewer
lost its way (a sitemap gone, listings redesigned, pages it could not read). Every full crawl
records this check, with its own count as the value, so the next one finds its baseline in
the `checks` column; the first has none (threshold null).
"""
from __future__ import annotations

from . import CheckResult
from .coverage import rows_of

NAME = "questions_found"


def previous_count(row: dict) -> float | None:
    for result in row.get("checks") or []:
        if result["name"] == NAME:
            return result["value"]
    return None


def was_full(row: dict) -> bool:
    """Whether an earlier crawls row is a full crawl's: every full crawl records this check."""
    return previous_count(row) is not None


def check(facts) -> list[CheckResult]:
    if not facts.full:
        return []
    found = rows_of(facts.coverage, "questions")
    baseline = facts.baseline(was_full)
    threshold = None
    if baseline is not None:
        threshold = previous_count(baseline) * facts.settings.getfloat("CHECK_QUESTIONS_MIN_SHARE")
    return [CheckResult.judge(NAME, found, threshold, at_most=False)]
