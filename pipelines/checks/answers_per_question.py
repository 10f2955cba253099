"""Answers per question, on a full crawl, against the last full `finished` crawl of the same site.

Field coverage compares the rows a crawl wrote; rows that were never written compare nothing.
A redesign that loads the answers by script (the page shows "Doctor Answers (0)" and none)
gives questions with no answers and no doctors: every page parses, every field of the rows
there are is as full as before, and only the number of answers per question falls.

Only a full crawl's questions are a sample of the site's (see questions_found): an incremental
crawl reads what changed and what is new (new questions have few answers, changed ones have
just gained one), a crawl from a question or a sitemap URL what it was given. Both crawls
compared have at least CHECK_COVERAGE_MIN_ROWS questions: a few say little of the site.

The threshold allows for chance: answers per question vary from question to question. Below
CHECK_ANSWERS_PER_QUESTION_MIN_SHARE of the earlier figure fails, or below what
CHECK_COVERAGE_NOISE_SIGMAS standard errors of the new mean (counts per question taken as
Poisson) allow, if that is lower.
"""
from __future__ import annotations

import math

from . import CheckResult
from .coverage import rows_of
from .questions_found import was_full

NAME = "answers_per_question"


def threshold(before: float, questions_now: int, min_share: float, sigmas: float) -> float:
    noise = sigmas * math.sqrt(before / questions_now)
    return max(0.0, min(before * min_share, before - noise))


def questions_of(row: dict) -> int:
    return rows_of(list(row.get("coverage") or []), "questions")


def check(facts) -> list[CheckResult]:
    enough = max(1, facts.settings.getint("CHECK_COVERAGE_MIN_ROWS"))
    questions_now = rows_of(facts.coverage, "questions")
    if not facts.full or questions_now < enough:
        return []
    baseline = facts.baseline(lambda row: was_full(row) and questions_of(row) >= enough)
    if baseline is None:
        return []
    before_coverage = list(baseline["coverage"])
    before = rows_of(before_coverage, "answers") / rows_of(before_coverage, "questions")
    if before == 0:
        return []
    now = rows_of(facts.coverage, "answers") / questions_now
    settings = facts.settings
    limit = threshold(before, questions_now, settings.getfloat("CHECK_ANSWERS_PER_QUESTION_MIN_SHARE"),
                      settings.getfloat("CHECK_COVERAGE_NOISE_SIGMAS"))
    return [CheckResult.judge(NAME, now, limit, at_most=False)]
