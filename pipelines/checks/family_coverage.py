"""Field coverage of each markup family against the other families of the same crawl.

Every family of a site gives the same records (the site contract), and which family a page
comes in says nothing of its content, so a field's share of rows holding a value is the same
in each, give or take chance. A family whose share falls below the other families' pooled
share by more than CHECK_COVERAGE_MARGIN, and so far below that chance would do it less than
once in 1 / CHECK_FAMILY_COVERAGE_CHANCE crawls (binomial tail: a crawl makes some ninety such
comparisons, and a rare miss in a small group is not a redesign), no longer shows that field
where its page object looks: that family was redesigned. Unlike `coverage/` (each family
against the last crawl that passed), this needs no earlier crawl: a first crawl of a site
whose redesign reached one family is caught too. Groups of fewer than CHECK_COVERAGE_MIN_ROWS
rows are not compared.
"""
from __future__ import annotations

import math
from collections import defaultdict

from . import CheckResult
from .coverage import ALL, UNKNOWN

NAME = "family_coverage"


def compare(coverage: list[dict], margin: float, chance: float, min_rows: int) -> list[CheckResult]:
    groups: dict = defaultdict(dict)  # (dataset, field) -> layout -> its coverage entry
    for c in coverage:
        if c["layout"] not in (ALL, UNKNOWN) and c["rows"] >= min_rows:
            groups[c["dataset"], c["field"]][c["layout"]] = c
    results = []
    for (dataset, field), layouts in sorted(groups.items()):
        for layout, c in sorted(layouts.items()):
            others = [o for name, o in layouts.items() if name != layout]
            rows = sum(o["rows"] for o in others)
            share = sum(o["non_null"] * o["rows"] for o in others) / rows if rows else 0.0
            if share:
                limit = min(share - margin, _rarely_below(c["rows"], share, chance) / c["rows"])
                results.append(CheckResult.judge(f"{NAME}/{dataset}.{field}/{layout}", c["non_null"],
                                                 max(0.0, limit), at_most=False))
    return results


def _rarely_below(n: int, p: float, chance: float) -> int:
    """The fewest rows with a value, of n where each has one with probability p, that chance
    gives with probability `chance` or more (Binomial(n, p): P(X < k) < chance <= P(X <= k))."""
    if p >= 1:
        return n
    log_p, log_q, total = math.log(p), math.log1p(-p), 0.0
    for k in range(n + 1):
        total += math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        if total >= chance:
            return k
    return n


def check(facts) -> list[CheckResult]:
    settings = facts.settings
    return compare(facts.coverage, settings.getfloat("CHECK_COVERAGE_MARGIN"),
                   settings.getfloat("CHECK_FAMILY_COVERAGE_CHANCE"), settings.getint("CHECK_COVERAGE_MIN_ROWS"))
