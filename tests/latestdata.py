"""Synthetic committed crawls for the latest-view tests, and the analysts' readers of a folder."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.schemas import KEYS, SCHEMAS

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
SITE = "example.test"


def row(dataset: str, key: str, crawl_id: str, fetched_at: datetime, text: str, site: str | None = SITE) -> dict:
    values = {name: None for name in SCHEMAS[dataset].names}
    values.update({KEYS[dataset]: key, "crawl_id": crawl_id, "fetched_at": fetched_at})
    if "site" in values:
        values["site"] = site
    values[{"questions": "title", "answers": "body", "doctors": "name_raw"}[dataset]] = text
    if dataset == "answers":
        values["question_id"] = key.split(".")[0]
    return values


def write_crawl(root: Path, crawl_id: str, started: datetime, keys: dict[str, list[str]], commit: bool = True,
                schema: dict[str, pa.Schema] | None = None, part: int = 0) -> None:
    """Rows `key -> "<key>@<crawl_id>"` for each dataset, then (when `commit`) the crawls row."""
    root = Path(root)
    for dataset, dataset_keys in keys.items():
        target = (schema or {}).get(dataset, SCHEMAS[dataset])
        rows = [row(dataset, k, crawl_id, started + timedelta(seconds=1 + i), f"{k}@{crawl_id}")
                for i, k in enumerate(dataset_keys)]
        table = pa.Table.from_pylist([{n: r[n] for n in target.names} for r in rows], schema=target)
        folder = root / dataset / f"crawl_date={started:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"{crawl_id}-{part:05d}.parquet")
    if commit:
        commit_crawl(root, crawl_id, started)


def commit_crawl(root: Path, crawl_id: str, started: datetime, status: str = "finished") -> None:
    values = {name: None for name in SCHEMAS["crawls"].names}
    values.update(crawl_id=crawl_id, spider="questions", started_at=started, finished_at=started + timedelta(hours=1),
                  status=status, start_urls=["http://example.test/"])
    folder = Path(root) / "crawls" / f"crawl_date={started:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([values], schema=SCHEMAS["crawls"]), folder / f"{crawl_id}.parquet")


def read_with(reader: str, folder: Path) -> list[dict]:
    """Every row of `folder` (a latest/<dataset> folder) as the analyst's one line of `reader` reads it."""
    folder = Path(folder)
    if reader == "pandas":
        import pandas as pd

        return pd.read_parquet(folder).to_dict("records")
    if reader == "polars":
        import polars as pl

        return pl.read_parquet(f"{folder}/*.parquet").to_dicts()
    if reader == "duckdb":
        import duckdb

        pattern = str(folder / "*.parquet").replace("'", "''")
        return duckdb.connect().execute(f"SELECT * FROM read_parquet('{pattern}')").df().to_dict("records")
    if reader == "pyarrow":
        import pyarrow.dataset as ds

        return ds.dataset(folder).to_table().to_pylist()
    raise ValueError(reader)


READERS = ("pandas", "polars", "duckdb", "pyarrow")
