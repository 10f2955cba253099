"""Contract records (as `extract` prints them) to dataset rows: typed values and crawl columns."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from pipelines.schemas import RECORD_TYPES


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def row_for(record: dict, *, fetched_at: datetime, crawl_id: str, layout: str, content_sha256: str) -> tuple[str, dict]:
    """(dataset name, row) for one record of a question page."""
    dataset = RECORD_TYPES[record["type"]]
    row = dict(record)
    row["fetched_at"] = fetched_at
    row["crawl_id"] = crawl_id
    if dataset == "questions":
        row["asked_on"] = _date(record.get("asked_on"))
        row["site"] = urlsplit(record["url"]).netloc
        row["layout"] = layout
        row["content_sha256"] = content_sha256
    elif dataset == "answers":
        row["answered_on"] = _date(record.get("answered_on"))
    return dataset, row
