"""The quality checks (pipelines/checks), one by one, and the one outcome rule (status_of)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest
from scrapy.settings import Settings

from crawler.run import CrawlResult
from crawler.sites import sites_of
from pipelines.checks import (CheckResult, CrawlFacts, coverage, family_coverage, fetch_errors, page_shape,
                              questions_found, start_urls)
from pipelines.crawls import (STOPPED_AT_A_LIMIT, Outcome, errors_by_kind, message_of, status_of, view_behind,
                              why_nothing_usable)
from pipelines.output.parquet import write_table
from pipelines.schemas import SCHEMAS


@pytest.fixture
def settings():
    settings = Settings()
    settings.setmodule("crawler.settings")
    return settings


def facts(settings, stats=None, **kwargs) -> CrawlFacts:
    return CrawlFacts(stats=stats or {}, settings=settings, root=kwargs.pop("root", "."), crawl_id="c2",
                      sites=["127.0.0.1"], full=kwargs.pop("full", False), **kwargs)


def outcome(reason, stats, start_urls=(), checks=(), output_error=None) -> tuple[str, str | None]:
    status = status_of(reason, stats, start_urls, checks, output_error)
    return status, message_of(status, reason, stats, checks, output_error)


# ---- a check result ------------------------------------------------------------------------

def test_a_result_says_its_figures_and_which_way_they_must_go():
    assert CheckResult.judge("x", 0.3, 0.02).describe() == "x 0.300 (at most 0.020)"
    low = CheckResult.judge("coverage/doctors.rating/all", 0.41, 0.7, at_most=False)
    assert not low.passed and low.describe() == "coverage/doctors.rating/all 0.410 (at least 0.700)"
    first = CheckResult.judge("questions_found", 300, None, at_most=False)
    assert first.passed and first.row() == {"name": "questions_found", "value": 300.0, "threshold": None,
                                            "passed": True}


# ---- unknown or malformed question pages ---------------------------------------------------

def test_unknown_and_malformed_pages_are_a_share_of_the_question_pages_met(settings):
    stats = {"pages/question": 70, "pages/unknown_layout": 25, "pages/malformed": 5}
    (result,) = page_shape.check(facts(settings, stats))
    assert result.name == "unknown_or_malformed_pages" and result.value == pytest.approx(0.3)
    assert result.threshold == 0.02 and not result.passed
    assert page_shape.check(facts(settings, {"pages/question": 99, "pages/malformed": 1}))[0].passed
    assert page_shape.check(facts(settings, {})) == []  # nothing met: nothing to say


def test_a_threshold_is_a_setting(settings):
    settings.set("CHECK_BAD_PAGES_MAX", 0.5, priority="cmdline")
    assert page_shape.check(facts(settings, {"pages/question": 7, "pages/unknown_layout": 3}))[0].passed


# ---- download errors, 5xx and 429 ----------------------------------------------------------

def test_fetch_errors_count_exceptions_5xx_and_429_against_attempts(settings):
    stats = {"downloader/response_count": 80, "downloader/exception_count": 20,
             "downloader/exception_type_count/twisted.internet.error.TimeoutError": 20,
             "downloader/response_status_count/200": 50, "downloader/response_status_count/503": 20,
             "downloader/response_status_count/429": 5, "downloader/response_status_count/404": 5}
    (result,) = fetch_errors.check(facts(settings, stats))
    assert result.value == pytest.approx((20 + 20 + 5) / 100) and not result.passed
    ok = {"downloader/response_count": 100, "downloader/response_status_count/200": 95,
          "downloader/response_status_count/500": 5}
    assert fetch_errors.check(facts(settings, ok))[0].passed


def test_start_urls_that_failed_fail_their_check(settings):
    assert start_urls.check(facts(settings, {}))[0].passed
    (result,) = start_urls.check(facts(settings, {"crawl/start_url_errors": ["http://h/nope: 404 Not Found"]}))
    assert not result.passed and result.value == 1


# ---- questions found on a full crawl -------------------------------------------------------

def earlier_row(status="finished", checks=(), coverage_rows=(), days=1):
    return {"crawl_id": f"c{days}", "status": status, "started_at": datetime.now(timezone.utc) - timedelta(days=days),
            "start_urls": ["http://127.0.0.1:8000/"], "checks": list(checks), "coverage": list(coverage_rows)}


FULL = {"name": "questions_found", "value": 1000.0, "threshold": None, "passed": True}  # a full crawl's row


def questions_coverage(rows):
    return [{"dataset": "questions", "layout": "*", "field": "title", "non_null": 1.0, "rows": rows}]


def test_questions_found_against_the_last_full_crawl_that_passed(settings):
    before = earlier_row(checks=[{"name": "questions_found", "value": 1000.0, "threshold": None, "passed": True}])
    worse = earlier_row("degraded", [{"name": "questions_found", "value": 500.0, "threshold": 900.0, "passed": False}],
                        days=0)
    (result,) = questions_found.check(facts(settings, full=True, coverage=questions_coverage(700),
                                            earlier=[worse, before]))
    assert result.value == 700 and result.threshold == pytest.approx(900) and not result.passed
    assert questions_found.check(facts(settings, full=True, coverage=questions_coverage(950), earlier=[before]))[0].passed
    # the first full crawl has no baseline: it records its count for the next one
    (first,) = questions_found.check(facts(settings, full=True, coverage=questions_coverage(700)))
    assert first.passed and first.threshold is None and first.value == 700
    # an incremental or limited crawl finds what changed, not the site: no check
    assert questions_found.check(facts(settings, full=False, coverage=questions_coverage(10), earlier=[before])) == []


# ---- field coverage ------------------------------------------------------------------------

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def write_crawl(root, crawl_id, pages):
    """`pages`: (layout, [(answer doctor or None, answer title)], {doctor: rating}) per question page."""
    rows = {"questions": [], "answers": [], "doctors": []}
    seen = set()
    for n, (layout, answers, ratings) in enumerate(pages):
        fetched = T0 + timedelta(seconds=n)
        qid = f"q{n}"
        rows["questions"].append({"question_id": qid, "url": f"https://x/question/{n}", "title": "t",
                                  "topic": "Botox" if n % 2 else None, "layout": layout, "fetched_at": fetched,
                                  "crawl_id": crawl_id})
        for k, (doctor, title) in enumerate(answers):
            rows["answers"].append({"answer_id": f"{qid}-{k}", "question_id": qid, "title": title,
                                    "doctor_id": doctor, "fetched_at": fetched, "crawl_id": crawl_id})
            if doctor and doctor not in seen:
                seen.add(doctor)
                rows["doctors"].append({"doctor_id": doctor, "rating": ratings.get(doctor), "credentials": ["MD"],
                                        "fetched_at": fetched, "crawl_id": crawl_id})
    for name, table_rows in rows.items():
        write_table(root / name / "crawl_date=2026-11-01" / f"{crawl_id}-00000.parquet",
                    pa.Table.from_pylist(table_rows, schema=SCHEMAS[name]))


def shares(cov):
    return {(c["dataset"], c["layout"], c["field"]): (round(c["non_null"], 3), c["rows"]) for c in cov}


def test_coverage_per_dataset_and_family_from_the_committed_files(tmp_path):
    write_crawl(tmp_path, "c1", [
        ("legacy", [("dr-a", "T"), (None, "")], {"dr-a": 4.5}),
        ("nextjs", [("dr-b", "T"), ("dr-a", "T")], {"dr-b": None}),
        ("legacy", [("dr-c", None)], {"dr-c": 3.0}),
    ])
    cov = shares(coverage.crawl_coverage(tmp_path, "c1"))
    assert cov["questions", "*", "topic"] == (0.333, 3) and cov["questions", "legacy", "topic"] == (0.0, 2)
    assert cov["questions", "nextjs", "topic"] == (1.0, 1)
    assert cov["answers", "legacy", "title"] == (0.333, 3)  # an empty string is no title
    assert cov["answers", "nextjs", "doctor_id"] == (1.0, 2) and cov["answers", "legacy", "doctor_id"] == (0.667, 3)
    # a doctor takes the family of the page it was read from (dr-a: the first, legacy)
    assert cov["doctors", "legacy", "rating"] == (1.0, 2) and cov["doctors", "nextjs", "rating"] == (0.0, 1)
    assert cov["doctors", "*", "credentials"] == (1.0, 3)
    assert ("doctors", "*", "doctor_id") not in cov  # keys are not fields
    assert coverage.rows_of(coverage.crawl_coverage(tmp_path, "c1"), "answers") == 5
    assert coverage.crawl_coverage(tmp_path, "nothing") == []


def test_coverage_keeps_two_sites_questions_of_one_id_apart(tmp_path):
    """Keys are unique per site: question 7 of one site (legacy) and question 7 of another
    (nextjs), crawled together, each keep their family; by question_id alone, the answers of
    both took one family's, and the crawl's coverage (read by the checks, the report and the
    next crawl) counted answers under a family they were not read in."""
    rows = {"questions": [], "answers": [], "doctors": []}
    for n, (site, layout, answers) in enumerate([("a.example", "legacy", 1), ("b.example", "nextjs", 3)]):
        fetched = T0 + timedelta(seconds=n)
        rows["questions"].append({"question_id": "7", "site": site, "layout": layout, "title": "t",
                                  "fetched_at": fetched, "crawl_id": "c1"})
        for k in range(answers):
            rows["answers"].append({"answer_id": f"7-{k}", "question_id": "7", "site": site, "title": "T",
                                    "doctor_id": "jane-doe", "fetched_at": T0, "crawl_id": "c1"})
        rows["doctors"].append({"doctor_id": "jane-doe", "site": site, "rating": 4.0, "fetched_at": T0,
                                "crawl_id": "c1"})
    for name, table_rows in rows.items():
        write_table(tmp_path / name / "crawl_date=2026-11-01" / "c1-00000.parquet",
                    pa.Table.from_pylist(table_rows, schema=SCHEMAS[name]))
    cov = shares(coverage.crawl_coverage(tmp_path, "c1"))
    assert cov["answers", "legacy", "title"] == (1.0, 1) and cov["answers", "nextjs", "title"] == (1.0, 3)
    assert cov["doctors", "legacy", "rating"] == (1.0, 1) and cov["doctors", "nextjs", "rating"] == (1.0, 1)
    pages = {(c["dataset"], c["layout"]): c["pages"] for c in coverage.crawl_coverage(tmp_path, "c1")}
    assert pages["questions", "*"] == 2 and pages["answers", "*"] == 2


def test_a_field_that_falls_fails_beyond_margin_and_chance():
    before = [{"dataset": "doctors", "layout": "*", "field": "rating", "non_null": 0.8, "rows": 1000}]
    now = [{"dataset": "doctors", "layout": "*", "field": "rating", "non_null": 0.5, "rows": 1000}]
    (result,) = coverage.compare(now, before, margin=0.1, sigmas=3, min_rows=30)
    assert result.name == "coverage/doctors.rating/all" and not result.passed
    assert result.threshold == pytest.approx(0.7)
    slightly = [dict(now[0], non_null=0.75)]
    assert coverage.compare(slightly, before, margin=0.1, sigmas=3, min_rows=30)[0].passed
    # few rows: chance explains more than the margin, the threshold widens
    few = coverage.threshold(0.8, 40, 40, margin=0.1, sigmas=3)
    assert few < 0.7 and few == pytest.approx(0.8 - 3 * (0.8 * 0.2 * (2 / 40)) ** 0.5)
    assert coverage.threshold(0.05, 1000, 1000, margin=0.1, sigmas=3) == 0.0
    # too few rows to compare, or a field the earlier crawl never had: no check
    tiny = [dict(now[0], rows=10)]
    assert coverage.compare(tiny, before, margin=0.1, sigmas=3, min_rows=30) == []
    assert coverage.compare(now, [dict(before[0], non_null=0.0)], margin=0.1, sigmas=3, min_rows=30) == []


def test_coverage_counts_the_pages_the_rows_came_from(tmp_path):
    write_crawl(tmp_path, "c1", [
        ("legacy", [("dr-a", "T"), (None, "")], {"dr-a": 4.5}),
        ("nextjs", [("dr-b", "T"), ("dr-a", "T")], {"dr-b": None}),
        ("legacy", [("dr-c", None)], {"dr-c": 3.0}),
    ])
    pages = {(c["dataset"], c["layout"]): c["pages"] for c in coverage.crawl_coverage(tmp_path, "c1")}
    assert pages["questions", "legacy"] == 2 and pages["questions", "*"] == 3
    assert pages["answers", "legacy"] == 2 and pages["answers", "nextjs"] == 1 and pages["answers", "*"] == 3
    # a doctor counts the page it was read from (dr-a: the first, legacy)
    assert pages["doctors", "legacy"] == 2 and pages["doctors", "nextjs"] == 1 and pages["doctors", "*"] == 3


# A clean day-1 incremental crawl of the reference site (seed 11, 300 questions), against its day 0.
DAY0 = [{"dataset": "questions", "layout": "*", "field": "title", "non_null": 1.0, "rows": 300},
        {"dataset": "answers", "layout": "*", "field": "doctor_id", "non_null": 0.8876, "rows": 1254}]
DAY1 = [{"dataset": "questions", "layout": "*", "field": "title", "non_null": 1.0, "rows": 14, "pages": 14},
        {"dataset": "answers", "layout": "*", "field": "doctor_id", "non_null": 0.7857, "rows": 70, "pages": 12}]


def test_a_clean_day_one_is_not_judged_on_the_rows_of_a_dozen_pages():
    """Its 70 answers came from 12 pages: a page's answers share its markup and doctors, so they
    are a dozen draws, too few to judge (it failed, 0.786 against 0.788, counted as 70)."""
    assert coverage.compare(DAY1, DAY0, margin=0.1, sigmas=2.5, min_rows=30) == []
    # The day-0 row read back has no pages: its question rows of the family stand for them.
    assert coverage.pages_of(DAY0[1], DAY0) == 300 and coverage.pages_of(DAY0[0], DAY0) == 300


def test_the_allowance_for_chance_counts_pages_not_rows():
    forty = [dict(DAY1[0], rows=40, pages=40), dict(DAY1[1], rows=200, pages=40)]
    (clustered,) = coverage.compare([dict(forty[1], non_null=0.76)], DAY0, margin=0.1, sigmas=2.5, min_rows=30)
    noise = 2.5 * (0.8876 * 0.1124 * (1 / 300 + 1 / 40)) ** 0.5
    assert clustered.passed and clustered.threshold == pytest.approx(0.8876 - noise)
    # the doctor links gone from the pages: still caught
    (gone,) = coverage.compare([dict(forty[1], non_null=0.4)], DAY0, margin=0.1, sigmas=2.5, min_rows=30)
    assert not gone.passed


def test_family_coverage_counts_pages_not_rows():
    def entry(layout, non_null, rows, pages=None):
        c = {"dataset": "answers", "layout": layout, "field": "doctor_id", "non_null": non_null, "rows": rows}
        return c if pages is None else dict(c, pages=pages)

    # 175 answers of 35 legacy pages at 0.70 against 0.89 elsewhere: as rows beyond chance, as pages not
    as_rows = [entry("legacy", 0.70, 175), entry("nextjs", 0.89, 1079)]
    as_pages = [entry("legacy", 0.70, 175, 35), entry("nextjs", 0.89, 1079, 265)]
    assert not family_coverage.compare(as_rows, margin=0.1, sigmas=3.5, min_rows=30)[0].passed
    assert all(r.passed for r in family_coverage.compare(as_pages, margin=0.1, sigmas=3.5, min_rows=30))
    # a family whose pages lost the field is still caught; one of too few pages is not judged
    gone = [entry("legacy", 0.2, 175, 35), entry("nextjs", 0.89, 1079, 265)]
    assert not family_coverage.compare(gone, margin=0.1, sigmas=3.5, min_rows=30)[0].passed
    few = [entry("legacy", 0.2, 175, 20), entry("nextjs", 0.89, 1079, 265)]
    assert [r.name for r in family_coverage.compare(few, margin=0.1, sigmas=3.5, min_rows=30)] == []


def test_a_second_family_redesigned_in_the_same_crawl_does_not_hide_the_first():
    """nextjs answers loaded by script (no answer count in its pages) and legacy showing 2 of
    its answers with no count in the heading (0.255 where provider-card shows 1.0): pooled with
    nextjs, the others' share fell to 0.5 and legacy passed, its lost answers named nowhere."""
    def entry(layout, non_null, pages):
        return {"dataset": "questions", "layout": layout, "field": "answer_count", "non_null": non_null,
                "rows": pages, "pages": pages}

    crawl = [entry("legacy", 0.255, 40), entry("nextjs", 0.0, 40), entry("provider-card", 1.0, 40)]
    failed = {r.name for r in family_coverage.compare(crawl, margin=0.1, sigmas=3.5, min_rows=30) if not r.passed}
    assert failed == {"family_coverage/questions.answer_count/legacy", "family_coverage/questions.answer_count/nextjs"}

def test_doctors_of_a_family_are_judged_by_the_pages_that_showed_their_bylines():
    """A doctor row comes from the first page naming the doctor: 28 nextjs pages brought its
    doctors, but its 100 pages with answers showed their bylines, each with the rating lost
    (a deploy renamed its key), and a first crawl ended `finished` with the check skipped."""
    def entry(dataset, layout, non_null, rows, pages, field="rating"):
        return {"dataset": dataset, "layout": layout, "field": field, "non_null": non_null, "rows": rows, "pages": pages}

    answers = [entry("answers", fam, 0.9, 500, 100, "doctor_id") for fam in ("legacy", "nextjs")]
    doctors = [entry("doctors", "legacy", 0.66, 60, 40), entry("doctors", "nextjs", 0.0, 35, 28)]
    results = {r.name: r.passed for r in family_coverage.compare(answers + doctors, margin=0.1, sigmas=3.5, min_rows=30)}
    assert results["family_coverage/doctors.rating/nextjs"] is False
    before = [dict(d, non_null=0.66) for d in doctors]
    (lost,) = [r for r in coverage.compare(answers + doctors, answers + before, margin=0.1, sigmas=2.5, min_rows=30)
               if r.name == "coverage/doctors.rating/nextjs"]
    assert not lost.passed
    # a family whose pages were too few to show its bylines is still not judged
    few = [dict(c, pages=20) for c in answers + doctors if c["layout"] == "nextjs"]
    others = [c for c in answers + doctors if c["layout"] == "legacy"]
    assert not [r for r in family_coverage.compare(few + others, margin=0.1, sigmas=3.5, min_rows=30)
                if r.name.endswith("/nextjs")]


def test_coverage_compares_with_the_last_crawl_of_the_site_that_passed(settings, tmp_path):
    good = [{"dataset": "answers", "layout": "legacy", "field": "title", "non_null": 1.0, "rows": 500}]
    bad = [{"dataset": "answers", "layout": "legacy", "field": "title", "non_null": 0.2, "rows": 500}]
    now = [{"dataset": "answers", "layout": "legacy", "field": "title", "non_null": 0.3, "rows": 500}]
    earlier = [earlier_row("degraded", coverage_rows=bad, days=1), earlier_row(coverage_rows=good, days=2)]
    (result,) = coverage.check(facts(settings, coverage=now, earlier=earlier))
    assert result.name == "coverage/answers.title/legacy" and not result.passed
    assert coverage.check(facts(settings, coverage=now)) == []  # no earlier crawl: nothing to compare


# ---- the outcome rule -----------------------------------------------------------------------

REFUSED = {"downloader/request_count": 14, "downloader/exception_count": 14,
           "downloader/exception_type_count/scrapy.exceptions.DownloadConnectionRefusedError": 14}


def test_nothing_answered_fails_naming_the_cause():
    status, message = outcome("finished", REFUSED, ["http://127.0.0.1:9/"])
    assert status == "failed"
    assert message == "0 of 14 requests answered: connection refused (14)"


def test_error_answers_fail_naming_the_statuses():
    stats = {"downloader/request_count": 8, "downloader/response_count": 8,
             "downloader/response_status_count/200": 1, "downloader/response_status_count/500": 4,
             "downloader/response_status_count/503": 3}
    status, message = outcome("finished", stats, ["http://h/"])
    assert status == "failed" and message == "7 of 8 answers were errors: HTTP 500 (4), HTTP 503 (3)"


def test_pages_of_no_known_shape_only_fail_the_crawl():
    stats = {"downloader/request_count": 5, "downloader/response_count": 5, "pages/unknown_layout": 4}
    assert outcome("finished", stats, ["http://h/"]) == (
        "failed", "no question page read: 4 of an unknown layout")


def test_failed_start_urls_are_named():
    stats = {"pages/question": 3, "crawl/start_url_errors": ["http://h/nope: 404 Not Found"],
             "downloader/request_count": 2, "downloader/response_count": 2, "downloader/response_status_count/404": 1}
    status, message = outcome("finished", stats, ["http://h/nope"])
    assert status == "failed" and message.startswith("start URL failed: http://h/nope: 404 Not Found")
    # one of two start URLs failed: the other's data stands, the check makes it degraded
    checks = [CheckResult.judge("start_urls_failed", 1, 0)]
    assert status_of("finished", stats, ["http://h/nope", "http://h/"], checks) == "degraded"


@pytest.mark.parametrize("reason, stats, expected", [
    ("finished", {"pages/question": 5}, "finished"),
    ("closespider_pagecount", {"pages/question": 5}, "finished"),
    ("finished", {"pages/skipped_unchanged": 5}, "finished"),  # an incremental crawl with nothing new
    ("finished", {"pages/not_modified": 5}, "finished"),
    ("shutdown", {}, "interrupted"),
    ("cancelled", {"pages/question": 5}, "interrupted"),
    ("blocked", {"pages/question": 5}, "blocked"),
    ("finished", {"pages/question": 5, "pages/blocked_gave_up": 1}, "blocked"),
    ("finished", {}, "failed"),
    ("output_failed", {"pages/question": 5}, "failed"),
    ("something_else", {"pages/question": 5, "crawl/message": "the spider broke"}, "failed"),
])
def test_status_of_every_ending(reason, stats, expected):
    assert status_of(reason, stats, ["http://h/"]) == expected
    assert status_of(reason, stats) == expected  # start URLs and checks are optional


def test_an_unknown_reason_says_why():
    assert outcome("something_else", {"pages/question": 5}, ["http://h/"]) == (
        "failed", "the crawl stopped: something_else")
    assert outcome("finished", {"pages/question": 5}, output_error="cannot write to d: full") == (
        "failed", "cannot write to d: full")


def test_a_failed_check_degrades_a_finished_crawl_only():
    checks = [CheckResult.judge("unknown_or_malformed_pages", 0.3, 0.02), CheckResult.judge("fetch_errors", 0, 0.2)]
    status, message = outcome("finished", {"pages/question": 5}, ["http://h/"], checks)
    assert status == "degraded" and message == "quality checks failed: unknown_or_malformed_pages 0.300 (at most 0.020)"
    assert status_of("shutdown", {"pages/question": 5}, ["http://h/"], checks) == "interrupted"


def test_errors_by_kind_most_frequent_first():
    stats = dict(REFUSED, **{"downloader/response_status_count/503": 20, "downloader/response_status_count/200": 9,
                             "pages/unknown_layout": 3, "pages/truncated": 14})
    assert errors_by_kind(stats) == {"HTTP 503": 20, "connection refused": 14, "cut off": 14, "unknown layout": 3}
    assert why_nothing_usable({}) == "nothing was requested"


def test_earlier_crawls_of_the_same_site_newest_first_older_rows_included(tmp_path):
    from pipelines.crawls import earlier_crawls
    from pipelines.schemas import CRAWLS

    def row(crawl_id, url, days, status="finished"):
        return {"crawl_id": crawl_id, "started_at": T0 + timedelta(days=days), "status": status, "start_urls": [url]}

    older_schema = pa.schema([f for f in CRAWLS if f.name not in ("checks", "coverage")])  # before the checks
    write_table(tmp_path / "crawls" / "crawl_date=2026-11-01" / "a.parquet",
                pa.Table.from_pylist([row("a", "http://127.0.0.1:8000/", 0)], schema=older_schema))
    for crawl_id, url, days in (("b", "http://127.0.0.1:8000/question/y", 2), ("c", "http://other.example/", 3),
                                ("d", "http://127.0.0.1:8000/question/x", 4), ("e", "http://127.0.0.1:9000/", 5)):
        write_table(tmp_path / "crawls" / "crawl_date=2026-11-01" / f"{crawl_id}.parquet",
                    pa.Table.from_pylist([row(crawl_id, url, days)], schema=CRAWLS))
    rows = earlier_crawls(tmp_path, ["127.0.0.1:8000"], crawl_id="d")
    assert [r["crawl_id"] for r in rows] == ["b", "a"]  # same site (not another port); newest first; not itself
    assert rows[1]["checks"] is None and rows[1]["coverage"] is None
    assert earlier_crawls(tmp_path / "nothing", ["127.0.0.1:8000"], "x") == []


def test_the_checks_baseline_is_a_crawl_of_the_same_site_by_the_site_rule(tmp_path):
    """"The same site" is the rows' `site` rule: another port is another site (its coverage is
    no baseline), the hosts of one defined site and any spelling of a host are one."""
    from pipelines.crawls import earlier_crawls
    from pipelines.schemas import CRAWLS

    for crawl_id, url in (("port", "http://127.0.0.1:8001/"), ("bare", "https://realself.com/"),
                          ("typed", "HTTP://LOCALHOST:80/")):
        write_table(tmp_path / "crawls" / "crawl_date=2026-11-01" / f"{crawl_id}.parquet", pa.Table.from_pylist(
            [{"crawl_id": crawl_id, "started_at": T0, "status": "finished", "start_urls": [url]}], schema=CRAWLS))
    assert earlier_crawls(tmp_path, sites_of(["http://127.0.0.1:8000/"]), "x") == []
    assert [r["crawl_id"] for r in earlier_crawls(tmp_path, sites_of(["https://www.realself.com/"]), "x")] == ["bare"]
    assert [r["crawl_id"] for r in earlier_crawls(tmp_path, sites_of(["http://localhost/"]), "x")] == ["typed"]


# ---- each family against the others, in one crawl ------------------------------------------

def test_a_family_behind_the_others_on_a_field_fails_with_no_earlier_crawl(settings):
    from pipelines.checks import family_coverage

    def entry(layout, non_null, rows=100, field="rating"):
        return {"dataset": "doctors", "layout": layout, "field": field, "non_null": non_null, "rows": rows}

    same = [entry("legacy", 0.80), entry("nextjs", 0.76), entry("provider-card", 0.83), entry("*", 0.8, 300)]
    assert all(r.passed for r in family_coverage.check(facts(settings, {}, coverage=same)))
    moved = [entry("legacy", 0.05), entry("nextjs", 0.76), entry("provider-card", 0.83), entry("*", 0.5, 300)]
    failed = [r for r in family_coverage.check(facts(settings, {}, coverage=moved)) if not r.passed]
    assert [r.name for r in failed] == ["family_coverage/doctors.rating/legacy"]
    few = [entry("legacy", 0.0, rows=10), entry("nextjs", 0.8)]  # under CHECK_COVERAGE_MIN_ROWS: not compared
    assert family_coverage.check(facts(settings, {}, coverage=few)) == []
    # A field a family declares its markup never shows is not held against it, nor in the others' pool
    lacks = {"legacy": frozenset({"doctors.rating"})}
    assert all(r.passed for r in family_coverage.compare(moved, 0.1, 3.5, 20, lacks))
    assert {r.name for r in family_coverage.compare(moved, 0.1, 3.5, 20, lacks)} == {
        "family_coverage/doctors.rating/nextjs", "family_coverage/doctors.rating/provider-card"}


@pytest.mark.parametrize("reason, says", [("closespider_pagecount", "--max-pages"),
                                          ("closespider_timeout", "CLOSESPIDER_TIMEOUT"),
                                          ("closespider_itemcount", "CLOSESPIDER_ITEMCOUNT")])
def test_a_crawl_its_own_limit_stopped_is_finished_and_says_it_stopped_early(reason, says):
    status, message = outcome(reason, {"pages/question": 5})
    assert status == "finished" and says in message and "not in this crawl" in message


@pytest.mark.parametrize("reason, says", [("closespider_pagecount", "--max-pages"),
                                          ("closespider_timeout", "CLOSESPIDER_TIMEOUT"),
                                          ("closespider_itemcount", "CLOSESPIDER_ITEMCOUNT")])
@pytest.mark.parametrize("stats, checks, status", [
    ({"pages/question": 5}, [CheckResult("unknown_or_malformed_pages", 0.4, 0.02, False)], "degraded"),
    ({"pages/question": 5, "pages/blocked_gave_up": 2, "crawl/message": "pages still blocked"}, [], "blocked"),
    ({"pages/question": 5, "crawl/start_url_errors": ["http://h/: HTTP 500"]}, [], "failed"),
    ({"pages/question": 5, "crawl/message": "the site asked to wait 900 s"}, [], "finished"),
])
def test_a_crawl_its_own_limit_stopped_says_so_whatever_its_status(reason, says, stats, checks, status):
    """What a crawl stopped at its limit holds is not the site's content: its message says so,
    beside whatever else it says (failed checks, a wall, a start URL), and so does the summary."""
    got, message = outcome(reason, stats, ["http://h/"], checks)
    assert got == status and f"stopped at its limit ({says}" in message, message
    assert message.count("stopped at its limit") == 1
    if status == "degraded":  # the failed checks first, as the summary's list
        assert message.startswith("quality checks failed: unknown_or_malformed_pages 0.400 (at most 0.020); ")
        summary = CrawlResult(status, "c", {**stats, "crawl/message": message,
                                            "crawl/checks_failed": [checks[0].describe()]}).summary()
        assert f"  why: {STOPPED_AT_A_LIMIT[reason]}" in summary and "  failed checks:" in summary
    behind = view_behind(Outcome(status, message, checks), "data/latest", "No space left on device")
    assert STOPPED_AT_A_LIMIT[reason] in behind.message and "data/latest was not updated" in behind.message


def test_the_summary_says_robots_txt_is_among_the_pages_fetched():
    """--max-pages 100 leaves robots.txt aside: its crawl fetched 101, and the summary says why."""
    stats = {"response_received_count": 101, "downloader/response_count": 101, "robotstxt/response_count": 1}
    (pages,) = [line for line in CrawlResult("finished", "x", stats).summary() if line.startswith("  pages:")]
    assert pages.startswith("  pages: 101 fetched (1 of them robots.txt), ")
    stats["downloader/response_count"] = 110
    (pages,) = [line for line in CrawlResult("finished", "x", stats).summary() if line.startswith("  pages:")]
    assert pages.startswith("  pages: 101 fetched (1 of them robots.txt; 110 responses, retried ones and block")


def test_requests_the_crawl_dropped_itself_are_no_fetch_errors():
    """Stopping (Ctrl-C, SIGTERM) and --max-pages fail the requests not sent yet; Scrapy's
    downloader stats count them as download exceptions."""
    from pipelines.checks.fetch_errors import error_share
    from pipelines.crawls import errors_by_kind

    stats = {"downloader/response_count": 70, "downloader/response_status_count/200": 70,
             "downloader/exception_count": 30,
             "downloader/exception_type_count/crawler.extensions.prompt_stop.CrawlStopping": 20,
             "downloader/exception_type_count/crawler.middlewares.max_pages.PageCapReached": 9,
             "downloader/exception_type_count/twisted.internet.error.TimeoutError": 1}
    assert error_share(stats) == pytest.approx(1 / 71)
    assert errors_by_kind(stats) == {"timed out": 1}


def test_the_errors_line_is_words_never_a_class_name():
    """Pages refused because robots.txt could not be read were `RobotsUnreadable (1)`; an
    exception nobody named yet is its name taken apart, never the name itself."""
    from pipelines.crawls import errors_by_kind

    stats = {"downloader/exception_type_count/crawler.middlewares.robots.RobotsUnreadable": 1,
             "downloader/exception_type_count/twisted.internet.error.SomeNewError": 2,
             "downloader/exception_type_count/builtins.ValueError": 1,
             "robotstxt/unreadable": 1, "responses/undecodable": 1}
    assert errors_by_kind(stats) == {"some new error": 2, "robots.txt could not be read": 1,
                                     "undecodable body": 1, "value error": 1}


def test_lost_pages_are_never_errors_none():
    from pipelines.crawls import errors_by_kind

    assert errors_by_kind({"pages/failed": 4}) == {"failed pages": 4}


def test_the_summary_counts_one_response_in_the_singular():
    from crawler.run import CrawlResult

    stats = {"response_received_count": 0, "downloader/response_count": 1}
    (pages,) = [line for line in CrawlResult("failed", "x", stats).summary() if line.startswith("  pages:")]
    assert pages.startswith("  pages: 0 fetched (1 response, ")
    stats["downloader/response_count"] = 2
    assert "(2 responses, " in "".join(CrawlResult("failed", "x", stats).summary())


def test_a_lost_sitemap_is_named_in_a_degraded_and_in_a_failed_crawls_message():
    from crawler.discovery import SITEMAPS_LOST_LIST

    stats = {SITEMAPS_LOST_LIST: ["http://h/b.xml (response cut short)"]}
    failed = CheckResult("sitemaps_unread", 1, 0, False)
    assert message_of("degraded", "finished", stats, [failed]) == (
        "quality checks failed: sitemaps_unread 1 (at most 0); sitemaps not read: http://h/b.xml (response cut short)")
    assert "sitemaps not read: http://h/b.xml (response cut short)" in why_nothing_usable(stats)


@pytest.mark.parametrize("status", ["finished", "degraded"])
def test_questions_robots_txt_forbids_and_urls_skipped_are_said_by_a_crawl_that_did_not_fail(status):
    """Not errors of the crawl, yet what its sources named and it left out: said in its
    message and its summary, once, however often the outcome is judged."""
    from crawler.discovery import BAD_URLS, BAD_URLS_LIST
    from crawler.run import CrawlResult

    stats = {"questions/robots_forbidden": 39, "pages/question": 1, BAD_URLS: 5,
             BAD_URLS_LIST: ["mailto:x (not an http or https URL) in http://h/s.xml"]}
    checks = [CheckResult("fetch_errors", 1, 0, False)] if status == "degraded" else []
    message = message_of(status, "finished", stats, checks)
    said = ("39 question pages not fetched: robots.txt forbids them; 5 URLs of sitemaps or robots.txt skipped, "
            "no request can be made of them: mailto:x (not an http or https URL) in http://h/s.xml (and 4 more)")
    assert said in message
    stats["crawl/message"] = message
    assert message_of(status, "finished", stats, checks).count(said) == 1
    summary = "\n".join(CrawlResult(status, "x", stats).summary())
    assert summary.count(said) == 1, summary


def test_a_stray_file_among_the_crawls_rows_is_skipped_not_the_end_of_the_checks(tmp_path):
    from pipelines.crawls import earlier_crawls

    (tmp_path / "crawls" / "crawl_date=2026-01-01").mkdir(parents=True)
    (tmp_path / "crawls" / "crawl_date=2026-01-01" / "old.parquet").write_text("junk")
    assert earlier_crawls(tmp_path, ["h"], "c1") == []


def test_a_crawl_whose_checks_could_not_run_is_not_finished(monkeypatch, tmp_path):
    from types import SimpleNamespace

    from pipelines import crawls

    def broken(*args):
        raise ValueError("a file the checks cannot read")

    monkeypatch.setattr(crawls, "_facts", broken)
    crawler = SimpleNamespace(stats=SimpleNamespace(get_stats=lambda: {"pages/question": 5}))
    result = crawls.crawl_outcome(crawler, SimpleNamespace(start_urls=["http://h/"]), "finished", tmp_path)
    assert result.status == "degraded"
    assert result.message == "quality checks could not run (ValueError: a file the checks cannot read)"


# ---- question pages asked for that gave no question -----------------------------------------

def test_question_pages_that_gave_no_question_are_a_share_of_those_asked(settings):
    """Whatever became of them (failed, given up, dropped with no word): settled are only those
    read, not modified, met again under another URL, gone (404/410) or forbidden by robots.txt."""
    from pipelines.checks import question_pages

    stats = {"questions/requested": 110, "questions/robots_forbidden": 10, "pages/question": 70,
             "pages/not_modified": 5, "pages/duplicate_question": 2, "questions/gone": 3}
    (result,) = question_pages.check(facts(settings, stats, ended=True))
    assert result.name == "question_pages_unread" and result.value == pytest.approx(0.2) and not result.passed
    assert question_pages.check(facts(settings, stats)) == []  # stopped early: pages unasked by design
    settled = {**stats, "pages/question": 90}
    assert question_pages.check(facts(settings, settled, ended=True))[0].passed


def test_most_of_the_questions_asked_gone_at_once_is_a_site_wide_change_not_removals(settings):
    """A removal is per question: 17 of 20 gone (a rewrite rule sending every question URL home,
    an outage page titled "Page not found") fails; a few removed questions, even all the pages a
    small incremental day asked for, do not."""
    from pipelines.checks import questions_gone

    most = {"questions/requested": 20, "pages/question": 3, "questions/gone": 17}
    (result,) = questions_gone.check(facts(settings, most, ended=True))
    assert result.name == "questions_gone" and result.value == pytest.approx(0.85) and not result.passed
    assert not questions_gone.check(facts(settings, {**most, "questions/requested": 7, "questions/gone": 5}))[0].passed
    for few in ({"questions/requested": 1, "questions/gone": 1}, {"questions/requested": 12, "questions/gone": 4},
                {"questions/requested": 400, "pages/question": 380, "questions/gone": 20}):
        assert questions_gone.check(facts(settings, few, ended=True))[0].passed, few
    assert questions_gone.check(facts(settings, {})) == []


def test_answers_per_question_against_the_last_finished_crawl(settings):
    """Every page parses and every field of the rows there are is full: only the answers are gone."""
    from pipelines.checks import answers_per_question

    def cov(questions, answers):
        return [{"dataset": "questions", "layout": "*", "field": "title", "non_null": 1.0, "rows": questions},
                {"dataset": "answers", "layout": "*", "field": "body", "non_null": 1.0, "rows": answers}]

    before = earlier_row(checks=[FULL], coverage_rows=cov(120, 518))
    (gone,) = answers_per_question.check(facts(settings, full=True, coverage=cov(40, 0)[:1], earlier=[before]))
    assert gone.name == "answers_per_question" and gone.value == 0 and not gone.passed
    assert answers_per_question.check(facts(settings, full=True, coverage=cov(40, 120), earlier=[before]))[0].passed
    assert not answers_per_question.check(facts(settings, full=True, coverage=cov(120, 200),
                                                earlier=[before]))[0].passed
    assert answers_per_question.check(facts(settings, full=True, coverage=cov(40, 0))) == []  # nothing to compare with


def test_a_crawl_that_read_no_question_says_what_became_of_the_pages_it_asked_for():
    stats = {"downloader/request_count": 31, "downloader/response_count": 31, "questions/requested": 30,
             "pages/failed": 30, "pages/given_up/max redirections reached": 30}
    assert why_nothing_usable(stats) == "no question page read: 30 given up (max redirections reached)"
    stats = {"downloader/request_count": 31, "downloader/response_count": 31, "questions/requested": 30,
             "sitemaps/other_urls": 5}
    assert why_nothing_usable(stats) == "none of the 30 question pages asked for gave a question"
    blocked = {"downloader/request_count": 31, "downloader/response_count": 31, "pages/blocked": 30,
               "responses/undecodable": 1}
    assert why_nothing_usable(blocked) == ("no question page read: 1 with a body that could not be decoded, "
                                           "30 block pages")


def test_a_crawl_failed_by_its_start_urls_says_what_it_read_elsewhere():
    """Its only start URL answered 404, its sitemaps led to 29 pages read: not "no question page read"."""
    stats = {"downloader/request_count": 33, "downloader/response_count": 33, "pages/question": 29,
             "pages/malformed": 1, "pages/failed": 2, "downloader/response_status_count/404": 1,
             "crawl/start_url_errors": ["http://site/: HTTP 404"]}
    assert status_of("finished", stats, ["http://site/"]) == "failed"
    assert why_nothing_usable(stats) == ("start URL failed: http://site/: HTTP 404; 1 of 33 answers were errors: "
                                         "HTTP 404 (1); 29 question pages read, others not: 1 malformed")


def test_requests_a_middleware_chose_not_to_send_are_no_fetch_errors():
    """robots.txt forbids them: the crawl obeyed, the site raised no error."""
    from pipelines.checks.fetch_errors import error_share

    stats = {"downloader/response_count": 40, "downloader/response_status_count/200": 40,
             "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 22, "pages/robots_forbidden": 22}
    assert error_share(stats) == 0 and errors_by_kind(stats) == {}


def test_the_row_counts_each_response_in_one_class_and_every_failed_attempt():
    """A wall's 503 or 429 is a block page, not a server error nor a 429 too; a download error is
    every failed attempt, the last of a page given up included, never a drop of the crawl's own:
    the row, the summary's errors and the fetch_errors check say the same numbers."""
    from pipelines.checks.fetch_errors import error_share
    from pipelines.crawls import Outcome, crawl_row

    stats = {"downloader/response_count": 30, "downloader/response_status_count/200": 12,
             "downloader/response_status_count/503": 7, "downloader/response_status_count/500": 2,
             "downloader/response_status_count/429": 5, "downloader/response_status_count/403": 4,
             "pages/blocked_status_count/503": 4, "pages/blocked_status_count/429": 2,
             "pages/blocked_status_count/403": 4, "pages/blocked": 10,
             "downloader/exception_type_count/twisted.web._newclient.ResponseNeverReceived": 6,
             "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 9,
             "downloader/exception_type_count/crawler.middlewares.max_pages.PageCapReached": 3}
    now = datetime.now(timezone.utc)
    row = crawl_row(crawl_id="c", spider="questions", started_at=now, finished_at=now, outcome=Outcome("finished", None),
                    start_urls=[], stats=stats, written={}, version="x")
    assert (row["responses_5xx"], row["responses_429"], row["pages_blocked"], row["download_errors"]) == (5, 3, 10, 6)
    assert error_share(stats) == (row["download_errors"] + row["responses_5xx"] + row["responses_429"]) / (
        row["download_errors"] + row["responses"])
    assert errors_by_kind(stats) == {"block pages": 10, "no response": 6, "HTTP 503": 3, "HTTP 429": 3, "HTTP 500": 2}


def test_a_view_left_behind_degrades_a_finished_crawl_and_says_where_and_why():
    from pipelines.crawls import Outcome, view_behind

    behind = view_behind(Outcome("finished", None), "data/latest", "No space left on device")
    assert behind.status == "degraded" and [c.name for c in behind.failed_checks] == ["latest_view_updated"]
    assert behind.message.startswith("quality checks failed: latest_view_updated 0 (at least 1); data/latest "
                                     "was not updated (No space left on device)")
    assert view_behind(Outcome("blocked", "walls"), "v", "x").status == "blocked"


def test_a_limit_reached_before_any_question_page_is_the_cause_named():
    """--max-pages 5 on a site root: the question pages were asked for but never sent."""
    stats = {"questions/requested": 200, "downloader/request_count": 5, "downloader/response_count": 5}
    status, message = outcome("closespider_pagecount", stats)
    assert status == "failed" and message.startswith("no question page read: stopped at its limit (--max-pages")


def test_the_errors_name_each_page_once():
    """A wall's 403 is one of its block pages; a 403 given up is its HTTP error, not a middleware's drop too."""
    stats = {"downloader/response_status_count/403": 93, "downloader/response_status_count/404": 65,
             "pages/blocked_status_count/403": 93, "pages/blocked": 158}
    assert errors_by_kind(stats) == {"block pages": 158, "HTTP 404": 65}


def test_answers_per_question_take_no_small_crawl_for_the_site(settings):
    """A crawl of a few questions (from one question URL) is no baseline: it may average far more."""
    from pipelines.checks import answers_per_question

    def cov(questions, answers):
        return [{"dataset": "questions", "layout": "*", "field": "title", "non_null": 1.0, "rows": questions},
                {"dataset": "answers", "layout": "*", "field": "body", "non_null": 1.0, "rows": answers}]

    small = earlier_row(checks=[FULL], coverage_rows=cov(6, 60), days=1)
    full = earlier_row(checks=[FULL], coverage_rows=cov(200, 830), days=2)
    (result,) = answers_per_question.check(facts(settings, full=True, coverage=cov(200, 820), earlier=[small, full]))
    assert result.passed and result.threshold == pytest.approx(830 / 200 / 2)


def test_answers_per_question_judge_only_a_full_crawl_of_enough_questions_against_a_full_one(settings):
    """An incremental crawl's pages are what changed or is new (a quiet day: new questions with
    0-2 answers), no sample of the site's questions; nor are a few questions of a full crawl."""
    from pipelines.checks import answers_per_question

    def cov(questions, answers):
        return [{"dataset": "questions", "layout": "*", "field": "title", "non_null": 1.0, "rows": questions},
                {"dataset": "answers", "layout": "*", "field": "body", "non_null": 1.0, "rows": answers}]

    full_before = earlier_row(checks=[FULL], coverage_rows=cov(400, 1700), days=2)
    quiet_day = cov(40, 30)  # 40 new questions, 0.75 answers each
    assert answers_per_question.check(facts(settings, full=False, coverage=quiet_day, earlier=[full_before])) == []
    assert not answers_per_question.check(facts(settings, full=True, coverage=quiet_day, earlier=[full_before]))[0].passed
    # a full crawl of a few questions says little of the site
    assert answers_per_question.check(facts(settings, full=True, coverage=cov(8, 0), earlier=[full_before])) == []
    # an incremental crawl that passed is no baseline: its questions were what changed that day
    busy_day = earlier_row(coverage_rows=cov(60, 600), days=1)
    (result,) = answers_per_question.check(facts(settings, full=True, coverage=cov(400, 1650),
                                                 earlier=[busy_day, full_before]))
    assert result.passed and result.threshold == pytest.approx(1700 / 400 / 2)


def family_cov(families: dict[str, tuple[int, int]]) -> list[dict]:
    """Coverage rows as crawl_coverage writes them: family -> (questions, answers), and `*` for all."""
    rows = []
    for layout, (questions, answers) in {"*": tuple(map(sum, zip(*families.values()))), **families}.items():
        rows.append({"dataset": "questions", "layout": layout, "field": "title", "non_null": 1.0, "rows": questions})
        if answers:  # a family without answers has no answer rows, so no coverage of them
            rows.append({"dataset": "answers", "layout": layout, "field": "body", "non_null": 1.0, "rows": answers})
    return rows


def test_answers_per_question_of_each_family_name_the_one_whose_answers_went(settings):
    """One family of three loads its answers by script ("Doctor Answers 0"): a third of the
    answers is not half of them, but that family's own figure fell to nothing."""
    from pipelines.checks import answers_per_question

    before = earlier_row(checks=[FULL], coverage_rows=family_cov(
        {"legacy": (100, 440), "nextjs": (95, 475), "provider-card": (90, 400)}))
    now = family_cov({"legacy": (100, 441), "nextjs": (95, 0), "provider-card": (90, 400)})
    results = {r.name: r for r in answers_per_question.check(facts(settings, full=True, coverage=now, earlier=[before]))}
    assert set(results) == {"answers_per_question", "answers_per_question/legacy", "answers_per_question/nextjs",
                            "answers_per_question/provider-card"}
    assert results["answers_per_question"].passed  # 2.9 of 4.6: the whole site lost a third
    failed = [r for r in results.values() if not r.passed]
    assert [r.name for r in failed] == ["answers_per_question/nextjs"] and failed[0].value == 0
    assert failed[0].threshold == pytest.approx(475 / 95 / 2)
    # the crawl's message names the family
    status, message = outcome("finished", {"pages/question": 285}, checks=list(results.values()))
    assert status == "degraded" and "answers_per_question/nextjs 0 (at least 2.500)" in message


def test_answers_per_question_of_a_family_allow_for_chance_and_few_questions(settings):
    """A family re-crawled as it was passes; one of too few questions in either crawl is not judged;
    a family a little down (chance, a few answers deleted) is no redesign."""
    from pipelines.checks import answers_per_question

    before = earlier_row(checks=[FULL], coverage_rows=family_cov(
        {"legacy": (200, 800), "nextjs": (31, 60), "provider-card": (12, 50)}))
    now = family_cov({"legacy": (200, 700), "nextjs": (29, 0), "provider-card": (40, 0)})
    results = answers_per_question.check(facts(settings, full=True, coverage=now, earlier=[before]))
    assert [(r.name, r.passed) for r in results] == [("answers_per_question", True), ("answers_per_question/legacy", True)]
    # the lower of half and chance: a family of 40 questions with half an answer each before
    # (20 answers) may show 9 by chance, under half of its figure
    before = earlier_row(checks=[FULL], coverage_rows=family_cov({"legacy": (400, 1600), "nextjs": (40, 20)}))
    now = family_cov({"legacy": (400, 1600), "nextjs": (40, 9)})
    nextjs = next(r for r in answers_per_question.check(facts(settings, full=True, coverage=now, earlier=[before]))
                  if r.name == "answers_per_question/nextjs")
    assert nextjs.passed and nextjs.threshold < 0.5 / 2


def test_an_incremental_day_whose_changed_pages_all_failed_is_no_quiet_day(settings):
    """Thousands of pages skipped as unchanged do not dilute the failure of every page the day
    asked for (the site's app servers down, its static sitemaps still served)."""
    from pipelines.checks import question_pages

    day = {"questions/requested": 50, "pages/failed": 50, "pages/given_up/HTTP 503": 50,
           "downloader/response_count": 152, "downloader/response_status_count/503": 150,
           "downloader/response_status_count/200": 2, "pages/skipped_unchanged": 19_950}
    assert not question_pages.check(facts(settings, day, ended=True))[0].passed
    assert not fetch_errors.check(facts(settings, day))[0].passed


def test_values_printed_that_do_not_read_fail_past_their_share_of_the_familys_rows(settings):
    """A first crawl whose votes, dates or profile links all changed format at once: no earlier
    crawl to compare with, no family behind the others, every value null. The counts of values
    printed but not read are judged against the rows that print them."""
    from pipelines.checks import values_not_read

    coverage_ = [{"dataset": "questions", "layout": "legacy", "field": "title", "non_null": 1.0, "rows": 40},
                 {"dataset": "answers", "layout": "legacy", "field": "title", "non_null": 1.0, "rows": 200},
                 {"dataset": "questions", "layout": "nextjs", "field": "title", "non_null": 1.0, "rows": 5},
                 {"dataset": "answers", "layout": "nextjs", "field": "title", "non_null": 1.0, "rows": 25}]
    stats = {"answers/profile_not_read/legacy": 180, "answers/vote_not_read/legacy": 3,
             "questions/date_not_read/legacy": 40, "answers/profile_not_read/nextjs": 25,
             "answers/profile_not_read/gone": 7}
    results = {r.name: r for r in values_not_read.check(facts(settings, stats, coverage=coverage_))}
    assert set(results) == {"values_not_read/answers/profile/legacy", "values_not_read/answers/vote/legacy",
                            "values_not_read/questions/date/legacy"}  # nextjs: 5 pages, too few to judge
    assert not results["values_not_read/answers/profile/legacy"].passed  # 0.9 of the answers
    assert results["values_not_read/answers/vote/legacy"].passed  # 3 odd votes in 200
    assert not results["values_not_read/questions/date/legacy"].passed  # every question's date
    assert results["values_not_read/answers/profile/legacy"].describe() == (
        "values_not_read/answers/profile/legacy 0.900 (at most 0.100)")


def test_values_printed_that_do_not_read_are_said_in_the_summary_however_few_the_pages():
    """A crawl of a few pages, too few for the check to judge a share, still says what it
    could not read: a byline whose profile link names no doctor (an apostrophe in its slug) is
    an answer with no doctor_id, never a silent `finished`."""
    stats = {"answers/profile_not_read/legacy": 2, "answers/profile_not_read/nextjs": 1,
             "answers/date_not_read/legacy": 1, "pages/question": 1}
    summary = CrawlResult("finished", "x", stats).summary()
    assert "  values printed but not read (null): answer dates (1), bylines' profile links (no doctor_id) (3)" in summary
    assert not any("not read (null)" in line for line in CrawlResult("finished", "x", {"pages/question": 1}).summary())


def test_dates_from_a_timestamp_and_bodies_not_read_are_judged_and_said_as_values_not_read(settings):
    """A nextjs redesign that shows its dates as "3 years ago": every date is its data's
    timestamp's, in its offset (UTC's: evening posts a day late). Kept as the contract says,
    but judged against the family's rows and said on a line of their own, never a silent
    `finished`; so is a body the cards show that the data gives as null."""
    from pipelines.checks import values_not_read

    coverage_ = [{"dataset": "questions", "layout": "nextjs", "field": "title", "non_null": 1.0, "rows": 40},
                 {"dataset": "answers", "layout": "nextjs", "field": "title", "non_null": 1.0, "rows": 200},
                 {"dataset": "answers", "layout": "legacy", "field": "title", "non_null": 1.0, "rows": 200}]
    stats = {"answers/date_from_timestamp/nextjs": 200, "questions/date_from_timestamp/nextjs": 40,
             "answers/body_not_read/nextjs": 60, "answers/date_from_timestamp/legacy": 2}
    results = {r.name: r for r in values_not_read.check(facts(settings, stats, coverage=coverage_))}
    assert not results["values_not_read/answers/date_from_timestamp/nextjs"].passed
    assert not results["values_not_read/questions/date_from_timestamp/nextjs"].passed
    assert not results["values_not_read/answers/body/nextjs"].passed
    assert results["values_not_read/answers/date_from_timestamp/legacy"].passed  # 2 in 200
    summary = CrawlResult("degraded", "x", stats).summary()
    assert "  values printed but not read (null): answer bodies (has_contact_info null too) (60)" in summary
    assert ("  dates the pages show none of, taken from their data's timestamp (in its offset, may be a day off "
            "the site's date): answer dates (202), question dates (40)") in summary


def test_byline_values_shown_otherwise_than_their_data_are_judged_and_said(settings):
    """A nextjs deploy whose __NEXT_DATA__ went stale: its cards show other ratings and names
    than the data the records keep. Most of the family's bylines disagreeing fails the check,
    a few (a cache's lag) do not; the summary says them however few."""
    from pipelines.checks import values_not_read

    coverage_ = [{"dataset": "questions", "layout": fam, "field": "title", "non_null": 1.0, "rows": 40}
                 for fam in ("nextjs", "provider-card")]
    coverage_ += [{"dataset": "answers", "layout": fam, "field": "title", "non_null": 1.0, "rows": 200}
                  for fam in ("nextjs", "provider-card")]
    stats = {"doctors/rating_shown_disagrees/nextjs": 140, "doctors/credentials_shown_disagrees/nextjs": 150,
             "doctors/rating_shown_disagrees/provider-card": 3}
    results = {r.name: r for r in values_not_read.check(facts(settings, stats, coverage=coverage_))}
    assert not results["values_not_read/doctors/rating_shown_disagrees/nextjs"].passed
    assert not results["values_not_read/doctors/credentials_shown_disagrees/nextjs"].passed
    assert results["values_not_read/doctors/rating_shown_disagrees/provider-card"].passed  # 3 in 200
    summary = CrawlResult("degraded", "x", stats).summary()
    assert ("  byline values the pages print otherwise than their data or microdata gives them (the data's kept): "
            "credentials (150), ratings (143)") in summary
