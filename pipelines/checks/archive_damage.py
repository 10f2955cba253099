"""Damaged records in the archives a reparse read (crawler.reparse counts them).

A reparse passes over a damaged record and goes on at the next one; the pages it held are
missing from the new crawl, which is then `degraded`, not `finished`: the archive needs a
look (a disk error, a copy cut short). An entry of an archive folder that is not read (a
`.warc.zst`, a link to nothing: crawler.inputs) is counted so too: its pages are missing as well,
as are those of a response dated ahead of the reparse's clock (pipelines.crawls.dated_ahead).
A live crawl reads no archive: the check does not apply.
"""
from __future__ import annotations

from pipelines.crawls import DATED_AHEAD

from . import CheckResult

NAME = "damaged_archive_records"


def check(facts) -> list[CheckResult]:
    if "reparse/archive_files" not in facts.stats:
        return []
    missing = int(facts.stats.get("archive/damaged", 0)) + int(facts.stats.get(DATED_AHEAD, 0))
    return [CheckResult.judge(NAME, missing, 0)]
