"""Answers per question, on a full crawl, against the last full `finished` crawl of the same site:
of all its questions, and of each markup family's.

Field coverage compares the rows a crawl wrote; rows that were never written compare nothing.
A redesign that loads the answers by script (the page shows "Doctor Answers (0)" and none)
gives questions with no answers and no doctors: every page parses, every field of the rows
there are is as full as before, and only the number of answers per question falls. A redesign
reaches one family at a time: a third of the site losing its answers is not half of all the
answers lost, so each family is judged against its own figure too (`answers_per_question/FAMILY`,
from the coverage rows each crawl keeps per family: answers get their family through their
question), and the one that lost them is named.

Only a full crawl's questions are a sample of the site's (see questions_found): an incremental
crawl reads what changed and what is new (new questions have few answers, changed ones have
just gained one), a crawl from a question or a sitemap URL what it was given. Both crawls
compared have at least CHECK_COVERAGE_MIN_ROWS questions, of the site for the whole figure,
of the family for a family's: a few say little of the site.

The threshold allows for chance: answers per question vary from question to question. Below
CHECK_ANSWERS_PER_QUESTION_MIN_SHARE of the earlier figure fails, or below what
CHECK_COVERAGE_NOISE_SIGMAS standard errors of the new mean (counts per question taken as
Poisson) allow, if that is lower: the lower of the two, so that chance alone never fails a
family of a few dozen questions. The higher would fail a normal re-crawl of a large site,
whose standard error is a few hundredths of an answer: a site whose questions gained or lost
a few answers is no redesign.
"""
from __future__ import annotations

import math

from . import CheckResult
from .coverage import ALL, UNKNOWN, rows_of
from .questions_found import was_full

NAME = "answers_per_question"


def threshold(before: float, questions_now: int, min_share: float, sigmas: float) -> float:
    noise = sigmas * math.sqrt(before / questions_now)
    return max(0.0, min(before * min_share, before - noise))


def questions_of(row: dict) -> int:
    return rows_of(list(row.get("coverage") or []), "questions")


def families(coverage: list[dict]) -> list[str]:
    """The markup families whose questions the coverage counts."""
    return sorted({c["layout"] for c in coverage if c["dataset"] == "questions"} - {ALL, UNKNOWN})


def check(facts) -> list[CheckResult]:
    enough = max(1, facts.settings.getint("CHECK_COVERAGE_MIN_ROWS"))
    if not facts.full or rows_of(facts.coverage, "questions") < enough:
        return []
    baseline = facts.baseline(lambda row: was_full(row) and questions_of(row) >= enough)
    if baseline is None:
        return []
    before = list(baseline["coverage"])
    results = [judge(facts, before, layout, enough) for layout in (ALL, *families(before))]
    return [result for result in results if result is not None]


def judge(facts, before_coverage: list[dict], layout: str, enough: int) -> CheckResult | None:
    """Answers per question of `layout`'s questions (ALL: every question) against the baseline's;
    None when either crawl has too few of them, or the baseline had no answers there."""
    questions_before, questions_now = (rows_of(c, "questions", layout) for c in (before_coverage, facts.coverage))
    if min(questions_before, questions_now) < enough:
        return None
    before = rows_of(before_coverage, "answers", layout) / questions_before
    if before == 0:
        return None
    now = rows_of(facts.coverage, "answers", layout) / questions_now
    settings = facts.settings
    limit = threshold(before, questions_now, settings.getfloat("CHECK_ANSWERS_PER_QUESTION_MIN_SHARE"),
                      settings.getfloat("CHECK_COVERAGE_NOISE_SIGMAS"))
    return CheckResult.judge(NAME if layout == ALL else f"{NAME}/{layout}", now, limit, at_most=False)
