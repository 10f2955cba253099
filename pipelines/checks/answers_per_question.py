"""Answers per question, against the last `finished` crawl of the same site.

Field coverage compares the rows a crawl wrote; rows that were never written compare nothing.
A redesign that loads the answers by script (the page shows "Doctor Answers (0)" and none)
gives questions with no answers and no doctors: every page parses, every field of the rows
there are is as full as before, and only the number of answers per question falls.

The threshold allows for chance: answers per question vary from question to question, and an
incremental crawl reads few pages. Below CHECK_ANSWERS_PER_QUESTION_MIN_SHARE of the earlier
figure fails, or below what CHECK_COVERAGE_NOISE_SIGMAS standard errors of the new mean (counts
per question taken as Poisson) allow, if that is lower.
"""
from __future__ import annotations

import math

from . import CheckResult
from .coverage import rows_of

NAME = "answers_per_question"


def threshold(before: float, questions_now: int, min_share: float, sigmas: float) -> float:
    noise = sigmas * math.sqrt(before / questions_now)
    return max(0.0, min(before * min_share, before - noise))


def check(facts) -> list[CheckResult]:
    questions_now = rows_of(facts.coverage, "questions")
    # A baseline of a few questions (a crawl from one question URL) says little of the site.
    enough = facts.settings.getint("CHECK_COVERAGE_MIN_ROWS")
    baseline = facts.baseline(lambda row: rows_of(list(row.get("coverage") or []), "questions") >= enough)
    if baseline is None or questions_now == 0:
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
