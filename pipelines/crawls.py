"""The `crawls` row: what one crawl did, from the crawler's stats, written last."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from pipelines.parquet import write_table
from pipelines.schemas import CRAWLS

# Scrapy's close reasons to the statuses of DATASETS.md.
STATUS_OF_REASON = {
    "finished": "finished",
    "closespider_pagecount": "finished",
    "closespider_itemcount": "finished",
    "closespider_timeout": "finished",
    "shutdown": "interrupted",
    "cancelled": "interrupted",
    "blocked": "blocked",
}


def status_of(reason: str, stats: dict) -> str:
    status = STATUS_OF_REASON.get(reason, "failed")
    # A crawl that ran to its end but left pages behind block walls did not get the site:
    # it says so, rather than `finished` with the blocked pages silently missing.
    if status == "finished" and stats.get("pages/blocked_gave_up"):
        return "blocked"
    return status


def crawl_row(*, crawl_id, spider, started_at, status, start_urls, stats, written, version, message=None) -> dict:
    def stat(key):
        return int(stats.get(key, 0) or 0)

    return {
        "crawl_id": crawl_id,
        "spider": spider,
        "started_at": started_at,
        "finished_at": datetime.now(timezone.utc),
        "status": status,
        "start_urls": list(start_urls),
        "pages_fetched": stat("response_received_count"),
        "pages_failed": stat("pages/failed"),
        "pages_blocked": stat("pages/blocked"),
        "questions": written.get("questions", 0),
        "answers": written.get("answers", 0),
        "doctors": written.get("doctors", 0),
        "project_version": version,
        "pages_not_modified": stat("pages/not_modified"),
        "pages_truncated": stat("pages/truncated"),
        "pages_malformed": stat("pages/malformed"),
        "responses_5xx": sum(int(v) for k, v in stats.items() if k.startswith("pages/http_5")),
        "responses_429": stat("pages/http_429"),
        "download_errors": stat("pages/download_errors"),
        "message": message or stats.get("crawl/message"),
        "pages_skipped": stat("pages/skipped_done") + stat("pages/skipped_unchanged"),
    }


def write_crawl_row(root: Path, crawl_date: str, row: dict) -> Path:
    path = Path(root) / "crawls" / f"crawl_date={crawl_date}" / f"{row['crawl_id']}.parquet"
    write_table(path, pa.Table.from_pylist([row], schema=CRAWLS))
    return path
