"""Contract records (as `extract` prints them) to dataset rows: typed values and crawl columns."""
from __future__ import annotations

from datetime import date, datetime

from crawler.sites import rows_site, site_key
from pipelines.schemas import RECORD_TYPES


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def site_of(url: str) -> str:
    """The `site` column of a page's rows (crawler.sites.site_key)."""
    return site_key(url)


def row_for(record: dict, *, fetched_at: datetime, crawl_id: str, layout: str, content_sha256: str,
            site: str | None = None) -> tuple[str, dict]:
    """(dataset name, row) for one record of a question page; `site` defaults to the record's URL's."""
    dataset = RECORD_TYPES[record["type"]]
    row = dict(record)
    row["fetched_at"] = fetched_at
    row["crawl_id"] = crawl_id
    if site is None and (url := record.get("url") or record.get("profile_url")):
        site = site_of(url)
    row["site"] = site
    if dataset == "questions":
        row["asked_on"] = _date(record.get("asked_on"))
        row["layout"] = layout
        row["content_sha256"] = content_sha256
    elif dataset == "answers":
        row["answered_on"] = _date(record.get("answered_on"))
    return dataset, row


def page_rows(item, crawl_id: str) -> dict[str, list[dict]]:
    """dataset -> rows of one question page (a QuestionPageItem with its records), all of the page's site.

    Raises ValueError for a value that cannot be typed (a date out of range)."""
    question = next((r for r in item.records if r["type"] == "question"), None)
    site = rows_site(item.fetched_url, question.get("url") if question else None)
    rows: dict[str, list[dict]] = {}
    for record in item.records:
        dataset, row = row_for(record, fetched_at=item.fetched_at, crawl_id=crawl_id, layout=item.family,
                               content_sha256=item.content_sha256, site=site)
        rows.setdefault(dataset, []).append(row)
    return rows
