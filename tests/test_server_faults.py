"""Server faults: every fault kind at once, and still every question, none of the bad responses.

The reference site answers with 5xx, 429 (with Retry-After), block pages (403/404 with a
px-captcha), HTML cut off mid-page, latency on every response and the odd slow page. The
crawl must land exactly the site's --truth, record no bad response (every recorded page is
the whole page the site serves), and count what it met in the `crawls` row and in its log.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import pytest

from pipelines.loader import load
from reference_site.samples import blocked_page
from tests.crawling import crawl, crawl_log, crawl_rows, partial_files
from tests.truthcheck import differences, read_truth

ALL_FAULTS = "error=0.05,throttle=0.02,block=0.01,truncate=0.02,latency=5ms,slow=0.005"


def stat_in_log(log: str, key: str) -> int:
    """A count from the stats the crawl logs when it ends (0 when absent)."""
    return sum(int(n) for n in re.findall(rf"'{key}': (\d+)", log))


@pytest.mark.slow
def test_every_fault_at_once_loses_no_question_and_records_no_bad_response(reference_site, tmp_path):
    truth_file = tmp_path / "truth.jsonl"
    site = reference_site(questions=300, faults=ALL_FAULTS, truth=str(truth_file))
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]

    # The site really misbehaved in every way.
    statuses = site.statuses
    assert statuses[429] > 0 and statuses[403] + statuses[404] > 0
    assert sum(n for status, n in statuses.items() if 500 <= status < 600) > 0

    # Every question, field by field, and nothing else.
    truth = read_truth(truth_file)
    assert differences(truth, out) == []
    assert partial_files(out) == []

    # No bad response recorded: each question row is the hash of the whole page, never of a
    # block page or of a cut-off body.
    questions = load("questions", root=out)
    whole = {hashlib.sha256(site.site.page(slug).body).hexdigest() for slug in site.site.question_slugs()}
    recorded = set(questions["content_sha256"])
    assert recorded <= whole
    assert hashlib.sha256(blocked_page()).hexdigest() not in recorded
    slugs = {urlsplit(url).path.removeprefix("/question/") for url in questions["url"]}
    assert slugs == set(site.site.question_slugs())

    # The crawls row counts what it met ...
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"
    assert row["questions"] == len(truth["questions"]) and row["answers"] == len(truth["answers"])
    assert row["pages_blocked"] > 0 and row["responses_5xx"] > 0 and row["responses_429"] > 0
    assert row["pages_truncated"] > 0
    assert row["pages_failed"] == 0 and row["pages_malformed"] == 0
    assert statuses[403] + statuses[404] >= row["pages_blocked"]
    assert row["responses_429"] == statuses[429]
    assert row["responses_5xx"] == sum(n for status, n in statuses.items() if 500 <= status < 600)

    # ... and so does its log, with the same numbers.
    log = crawl_log(out)
    assert "Traceback" not in log and "Traceback" not in result.stderr
    assert "copied from response.meta" not in log  # a truncated page's retry is not a meta copy
    assert stat_in_log(log, "pages/blocked") == row["pages_blocked"]
    assert stat_in_log(log, "downloader/response_status_count/429") == row["responses_429"]
    assert stat_in_log(log, r"downloader/response_status_count/5\d\d") == row["responses_5xx"]
    assert stat_in_log(log, "pages/truncated") == row["pages_truncated"]
    assert f"{row['pages_blocked']} blocked" in log  # the progress line
