"""Load the datasets for analysis: every snapshot, or the latest row per key.

    from pipelines.loader import load
    questions = load("questions")                 # latest row per question_id (pandas)
    answers = load("answers", latest=False)       # every snapshot of every crawl
    table = load_table("doctors", root="data")    # the same as a pyarrow Table

Only committed crawls are read: those with a row in the `crawls` dataset, which a crawl
writes last. The latest view keeps, per key, the row of the newest crawl (by its start),
ties broken by `fetched_at`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from pipelines.schemas import KEYS, SCHEMAS

HIVE = ds.partitioning(pa.schema([("crawl_date", pa.string())]), flavor="hive")


def _read(dataset: str, root: Path) -> pa.Table:
    folder = Path(root) / dataset
    schema = SCHEMAS[dataset]
    if not folder.is_dir():
        return schema.empty_table()
    # The explicit schema: a later file with an added column must not be read by the first one's.
    return ds.dataset(folder, schema=schema, format="parquet", partitioning=HIVE,
                      ignore_prefixes=[".", "_"]).to_table()


def committed_crawls(root: str | Path = "data") -> pa.Table:
    return _read("crawls", Path(root))


def load_table(dataset: str, root: str | Path = "data", latest: bool = True) -> pa.Table:
    if dataset not in SCHEMAS:
        raise ValueError(f"unknown dataset {dataset!r}; one of {', '.join(SCHEMAS)}")
    crawls = committed_crawls(root)
    if dataset == "crawls":
        return crawls
    table = _read(dataset, Path(root))
    table = table.filter(pc.is_in(table["crawl_id"], value_set=crawls["crawl_id"]))
    if not latest or table.num_rows == 0:
        return table
    return _latest(table, KEYS[dataset], crawls)


def _latest(table: pa.Table, key: str, crawls: pa.Table) -> pa.Table:
    started = dict(zip(crawls["crawl_id"].to_pylist(), crawls["started_at"].to_pylist()))
    order = pd.DataFrame({
        "key": table[key].to_pandas(),
        "started": table["crawl_id"].to_pandas().map(started),
        "fetched": table["fetched_at"].to_pandas(),
    })
    order = order.sort_values(["started", "fetched"], kind="stable")
    keep = order.drop_duplicates("key", keep="last").index.sort_values()
    return table.take(pa.array(keep.to_numpy()))


def load(dataset: str, root: str | Path = "data", latest: bool = True) -> pd.DataFrame:
    """A pandas DataFrame of `dataset` (questions, answers, doctors or crawls)."""
    return load_table(dataset, root, latest).to_pandas()
