"""Contract records (as `extract` prints them) to dataset rows: typed values and crawl columns."""
from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from crawler.sites import rows_site, site_key
from crawler.sites.base import on_the_web
from pipelines.schemas import RECORD_TYPES, SCHEMAS


def _when_read(column: pa.Field):
    """How a record's ISO 8601 text becomes the column's value, for a date or timestamp column."""
    if pa.types.is_date(column.type):
        return date.fromisoformat
    return datetime.fromisoformat if pa.types.is_timestamp(column.type) else None


# dataset -> [(column, reader)]: records carry dates and times as text ("2024-03-05", as
# `extract` prints them); the schema's type says which columns are read, so a new date or
# timestamp field needs no edit here.
_DATED = {dataset: [(column.name, reader) for column in schema if (reader := _when_read(column))]
          for dataset, schema in SCHEMAS.items()}


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
    if site is None and (url := record.get("url") or record.get("profile_url")) and on_the_web(url):
        site = site_of(url)  # a file: URL (a saved page's) names no site
    row["site"] = site
    for column, read in _DATED[dataset]:
        if isinstance(value := row.get(column), str):
            row[column] = read(value) if value else None
    if dataset == "questions":
        row["layout"] = layout
        row["content_sha256"] = content_sha256
    return dataset, row


def page_rows(item, crawl_id: str) -> dict[str, list[dict]]:
    """dataset -> rows of one question page (a QuestionPageItem with its records), all of the page's site.

    Raises ValueError for a value that cannot be typed (a date out of range)."""
    named = next((url for r in item.records if (url := r.get("url") or r.get("profile_url")) and on_the_web(url)), None)
    site = rows_site(item.fetched_url, named)  # the question's url, else (a saved page's) a profile's
    rows: dict[str, list[dict]] = {}
    for record in item.records:
        dataset, row = row_for(record, fetched_at=item.fetched_at, crawl_id=crawl_id, layout=item.family,
                               content_sha256=item.content_sha256, site=site)
        rows.setdefault(dataset, []).append(row)
    return rows
