"""Quality checks at the end of a crawl: did the data that was committed come out as well as usual?

Each check is a small module with one `check(facts) -> list[CheckResult]`, looking at outcomes
(the crawl's stats, the Parquet files it committed, the `crawls` rows of earlier crawls of the
same site), never at what a test or a fault injected. Thresholds are settings of
crawler/settings.py (`CHECK_*`), overridable with `-s`. A failed check makes a crawl that
would have `finished` end `degraded` (pipelines.crawls.status_of); every result is kept in the
crawls row's `checks` column, and this crawl's field coverage in its `coverage` column, which
the next crawl of the site compares against.

Why not Spidermon: see the README ("What a crawl guarantees").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CheckResult:
    """One check's figure against its threshold. `at_most`: the value may not exceed the
    threshold (a share of bad pages); otherwise it may not fall below it (a coverage). A
    threshold of None means there was nothing to compare with: the check passes."""
    name: str
    value: float
    threshold: float | None
    passed: bool
    at_most: bool = True

    @classmethod
    def judge(cls, name: str, value: float, threshold: float | None, at_most: bool = True) -> "CheckResult":
        if threshold is None:
            return cls(name, float(value), None, True, at_most)
        passed = value <= threshold if at_most else value >= threshold
        return cls(name, float(value), float(threshold), passed, at_most)

    def row(self) -> dict:
        return {"name": self.name, "value": self.value, "threshold": self.threshold, "passed": self.passed}

    def describe(self) -> str:
        """`unknown_or_malformed_pages 0.300 (at most 0.020)`: the figures a person reads."""
        if self.threshold is None:
            return f"{self.name} {_figure(self.value)}"
        bound = "at most" if self.at_most else "at least"
        return f"{self.name} {_figure(self.value)} ({bound} {_figure(self.threshold)})"


def _figure(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.3f}"


@dataclass
class CrawlFacts:
    """What the checks look at: one crawl, as it ends, and the crawls before it."""
    stats: dict
    settings: object  # scrapy Settings: the CHECK_* thresholds
    root: Path
    crawl_id: str
    sites: list[str]  # host names of the start URLs: "the same site" as earlier crawls
    full: bool  # a whole-site crawl that ran to its end, not incremental, not limited
    ended: bool = False  # the crawl ran to its end (Scrapy's close reason `finished`), whatever it crawled
    coverage: list[dict] = field(default_factory=list)  # this crawl's (pipelines.checks.coverage)
    earlier: list[dict] = field(default_factory=list)  # committed crawls rows of the same sites, newest first

    def baseline(self, wanted) -> dict | None:
        """The newest earlier crawl that passed all its checks (`finished`) and has `wanted`."""
        for row in self.earlier:
            if row.get("status") == "finished" and wanted(row):
                return row
        return None


def run_checks(facts: CrawlFacts) -> list[CheckResult]:
    from . import (answers_per_question, archive_damage, coverage, crawls_ended, family_coverage, fetch_errors,
                   page_shape, question_pages, questions_found, questions_gone, sitemaps, start_urls, values_not_read)

    results = []
    for module in (page_shape, question_pages, questions_gone, fetch_errors, start_urls, sitemaps, questions_found, coverage,
                   answers_per_question, family_coverage, values_not_read, archive_damage, crawls_ended):
        results.extend(module.check(facts))
    return results
