"""Field coverage of each markup family against the other families of the same crawl.

Every family of a site gives the same records (the site contract), and which family a page
comes in says nothing of its content, so a field's share of rows holding a value is the same
in each, give or take chance. A family whose share falls below another family's share by more
than CHECK_COVERAGE_MARGIN, and by more than chance explains for both groups' pages, no longer
shows that field where its page object looks: that family was redesigned. Each family is held
against each other family, not against the others pooled: a second family redesigned in the
same crawl would pull a pooled share down and hide the first.
Unlike `coverage/` (each family against the last crawl that passed), this needs no earlier
crawl: a first crawl of a site whose redesign reached one family is caught too. Groups of
fewer than CHECK_COVERAGE_MIN_ROWS pages are not compared (the pages that showed a field:
coverage.pages_shown; a doctor's bylines on every page of the family, not the first alone), nor a field a family declares its
markup never shows (`not_shown` of its page object).

Chance, in score (Wilson) intervals of CHECK_FAMILY_COVERAGE_SIGMAS standard errors: the
family fails when its share is below what a family of its pages shows at that many standard
errors under the lowest share another family's pages allow (a page is one draw, however
many rows it gave: see coverage.py; groups are counted in pages for CHECK_COVERAGE_MIN_ROWS too). Score intervals hold for small
groups and shares near 0 or 1 (a few doctors without a rating among thirty), where a plain
standard error cried wolf; and a crawl makes some ninety of these comparisons.
"""
from __future__ import annotations

import math
from collections import defaultdict

from . import CheckResult
from .coverage import ALL, UNKNOWN, pages_of, pages_shown

NAME = "family_coverage"


def compare(coverage: list[dict], margin: float, sigmas: float, min_rows: int,
            not_shown: dict[str, frozenset[str]] | None = None) -> list[CheckResult]:
    """`not_shown`: family -> the fields ("answers.has_photo") its markup never shows, left out."""
    groups: dict = defaultdict(dict)  # (dataset, field) -> layout -> its coverage entry
    for c in coverage:
        lacks = f"{c['dataset']}.{c['field']}" in (not_shown or {}).get(c["layout"], ())
        if c["layout"] not in (ALL, UNKNOWN) and pages_shown(c, coverage) >= min_rows and not lacks:
            groups[c["dataset"], c["field"]][c["layout"]] = c
    results = []
    for (dataset, field), layouts in sorted(groups.items()):
        for layout, c in sorted(layouts.items()):
            limits = [_limit(c, o, coverage, margin, sigmas) for name, o in layouts.items()
                      if name != layout and o["non_null"]]
            if limits:
                results.append(CheckResult.judge(f"{NAME}/{dataset}.{field}/{layout}", c["non_null"],
                                                 max(limits), at_most=False))
    return results


def _limit(c: dict, other: dict, coverage: list[dict], margin: float, sigmas: float) -> float:
    """The least share family `c` may show beside `other`: below `other`'s share by the margin,
    and by more than chance explains for both."""
    share = other["non_null"]
    # A page is one draw (coverage.pages_of): its rows share its markup and doctors.
    lowest = _lowest(share, pages_of(other, coverage), sigmas)
    spread = math.sqrt(lowest * (1 - lowest) / pages_of(c, coverage))
    return max(0.0, min(share - margin, lowest - sigmas * spread))


def _lowest(share: float, rows: int, z: float) -> float:
    """The lower end of the score (Wilson) interval of a share seen in `rows` rows."""
    centre = share + z * z / (2 * rows)
    spread = z * math.sqrt(share * (1 - share) / rows + z * z / (4 * rows * rows))
    return max(0.0, (centre - spread) / (1 + z * z / rows))


def check(facts) -> list[CheckResult]:
    from crawler.pages.registry import not_shown

    settings = facts.settings
    return compare(facts.coverage, settings.getfloat("CHECK_COVERAGE_MARGIN"),
                   settings.getfloat("CHECK_FAMILY_COVERAGE_SIGMAS"), settings.getint("CHECK_COVERAGE_MIN_ROWS"),
                   not_shown())
