"""Values a page prints that the normalisers could not read, per kind and markup family.

A vote, a date, a rating, a review count, a title line or a byline's profile link printed that gives
no value is null in its row and counted in the stats (`answers/vote_not_read/legacy`:
pipelines.normalise.records). A few are the site's odd values ("1.2K", a date with a
two-digit year). Many are a new format: the site now writes "Mar 5" or `/doctors/123-name`
everywhere, and every such value of the crawl is lost. Field coverage sees that only against
an earlier crawl, or when one family alone changed; this needs neither, so a first crawl of a
site whose formats all changed at once is caught too.

Each count is a share of the family's rows: its question rows for a question's date, its
answer rows for the rest (a rating and a review count are read from each
answer's byline). A share above CHECK_VALUES_NOT_READ_MAX fails (CHECK_SHOWN_DISAGREES_MAX
for byline values printed otherwise than the data gives them); families whose rows came from
fewer than CHECK_COVERAGE_MIN_ROWS pages are not judged (a handful of pages is no format).
"""
from __future__ import annotations

from . import CheckResult
from .coverage import pages_of

NAME = "values_not_read"
# The stats prefixes of values printed but not read, null in their rows (+ family): the dataset
# whose rows print them, and what they are in a crawl's summary.
NOT_READ_KINDS = {"answers/vote_not_read/": ("answers", "votes"), "answers/date_not_read/": ("answers", "answer dates"),
                  "answers/profile_not_read/": ("answers", "bylines' profile links (no doctor_id)"),
                  "answers/byline_text_not_read/": ("answers", "bylines' text no field reads"),
                  "answers/body_not_read/": ("answers", "answer bodies (has_contact_info null too)"),
                  "doctors/rating_not_read/": ("answers", "ratings"),
                  "doctors/review_count_not_read/": ("answers", "review counts"),
                  "doctors/title_line_not_read/": ("answers", "title lines (city, specialty null too)"),
                  "questions/date_not_read/": ("questions", "question dates")}
# Dates not read from the page, which shows none as a calendar date ("3 years ago", or its
# element renamed), kept as the data's timestamp gives them: its offset's (UTC's) day may be a
# day off the date the site shows, and many of them are a family that no longer shows its
# dates where its page object reads them.
STAMPED_KINDS = {"answers/date_from_timestamp/": ("answers", "answer dates"),
                 "questions/date_from_timestamp/": ("questions", "question dates")}
# Byline values a page prints that read otherwise than the field's value, taken from the
# page's data or microdata (pipelines.normalise.records.SHOWN_DISAGREES): the printed one is
# not in the record. A few are a cache's lag; most of a family's bylines are its data gone stale
# (a deploy), judged against CHECK_SHOWN_DISAGREES_MAX.
SHOWN_KINDS = {"doctors/display_name_shown_disagrees/": ("answers", "names"),
               "doctors/credentials_shown_disagrees/": ("answers", "credentials"),
               "doctors/title_line_shown_disagrees/": ("answers", "title lines"),
               "doctors/rating_shown_disagrees/": ("answers", "ratings"),
               "doctors/review_count_shown_disagrees/": ("answers", "review counts")}
KINDS = {**NOT_READ_KINDS, **STAMPED_KINDS, **SHOWN_KINDS}
_SAID = (("values printed but not read (null): ", NOT_READ_KINDS),
         ("dates the pages show none of, taken from their data's timestamp (in its offset, may be a day off "
          "the site's date): ", STAMPED_KINDS),
         ("byline values the pages print otherwise than their data or microdata gives them (the data's kept): ",
          SHOWN_KINDS))


def not_read(stats: dict) -> list[str]:
    """`values printed but not read (null): votes (3), ...`, and the dates taken from a
    timestamp, the crawl's counts of each kind over its families. The check judges a share only
    of a family of many pages; a crawl of a few pages says them all the same, so a value lost
    is never lost in silence."""
    lines = []
    for words, kinds in _SAID:
        counts = {what: sum(int(count) for key, count in stats.items() if key.startswith(prefix))
                  for prefix, (_, what) in kinds.items()}
        found = [f"{what} ({count})" for what, count in counts.items() if count]
        lines += [words + ", ".join(found)] if found else []
    return lines


def shares(stats: dict, coverage: list[dict], min_pages: int) -> dict[str, float]:
    """`KIND/FAMILY` -> the share of the family's rows whose printed value did not read, for the
    families with rows of at least `min_pages` pages."""
    rows = {(c["dataset"], c["layout"]): c for c in coverage}
    found = {}
    for key, count in stats.items():
        prefix = next((p for p in KINDS if key.startswith(p)), None)
        entry = rows.get((KINDS[prefix][0], key[len(prefix):])) if prefix else None
        if entry and entry["rows"] and pages_of(entry, coverage) >= min_pages:
            found[key] = min(1.0, int(count) / entry["rows"])
    return found


def check(facts) -> list[CheckResult]:
    settings = facts.settings
    found = shares(facts.stats, facts.coverage, settings.getint("CHECK_COVERAGE_MIN_ROWS"))
    return [CheckResult.judge(f"{NAME}/{key.replace('_not_read', '')}", share, settings.getfloat(_limit(key)))
            for key, share in sorted(found.items())]


def _limit(key: str) -> str:
    """The setting of a kind's largest share."""
    return "CHECK_SHOWN_DISAGREES_MAX" if key.startswith(tuple(SHOWN_KINDS)) else "CHECK_VALUES_NOT_READ_MAX"
