"""`doctor-answers query "SQL"`: DuckDB over views of the datasets.

Views: `questions`, `answers`, `doctors`, `crawls` hold the latest row per key of committed
crawls; `questions_all`, `answers_all`, `doctors_all` every snapshot of committed crawls.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.schemas import KEYS, SCHEMAS

DUCKDB_TYPES = {
    "string": "VARCHAR", "date32[day]": "DATE", "int16": "SMALLINT", "int32": "INTEGER",
    "int64": "BIGINT", "float": "FLOAT", "bool": "BOOLEAN", "timestamp[us, tz=UTC]": "TIMESTAMPTZ",
    "list<item: string>": "VARCHAR[]",
    # the crawls row's quality checks and field coverage (pipelines/checks)
    "list<item: struct<name: string, value: double, threshold: double, passed: bool>>":
        "STRUCT(name VARCHAR, value DOUBLE, threshold DOUBLE, passed BOOLEAN)[]",
    "list<item: struct<dataset: string, layout: string, field: string, non_null: double, rows: int64>>":
        "STRUCT(dataset VARCHAR, layout VARCHAR, field VARCHAR, non_null DOUBLE, rows BIGINT)[]",
}


def _empty_select(dataset: str) -> str:
    columns = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[str(f.type)]}) AS {f.name}" for f in SCHEMAS[dataset])
    return f"SELECT {columns} WHERE false"


def _files_select(root: Path, dataset: str) -> str:
    if not any((root / dataset).glob("crawl_date=*/*.parquet")):
        return _empty_select(dataset)
    pattern = str(root / dataset / "crawl_date=*" / "*.parquet").replace("'", "''")
    columns = ", ".join(f.name for f in SCHEMAS[dataset])
    # union_by_name: a later file may add a column; the first file must not decide the schema.
    return f"SELECT {columns} FROM read_parquet('{pattern}', hive_partitioning=false, union_by_name=true)"


def connect(root: str | Path = "data") -> duckdb.DuckDBPyConnection:
    root = Path(root)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute(f"CREATE VIEW crawls AS {_files_select(root, 'crawls')}")
    for dataset in ("questions", "answers", "doctors"):
        con.execute(
            f"CREATE VIEW {dataset}_all AS SELECT d.* FROM ({_files_select(root, dataset)}) d "
            f"WHERE d.crawl_id IN (SELECT crawl_id FROM crawls)"
        )
        con.execute(
            f"CREATE VIEW {dataset} AS SELECT d.* EXCLUDE (_started) FROM ("
            f"SELECT a.*, c.started_at AS _started FROM {dataset}_all a JOIN crawls c USING (crawl_id)) d "
            f"QUALIFY row_number() OVER (PARTITION BY d.{KEYS[dataset]} ORDER BY d._started DESC, d.fetched_at DESC) = 1"
        )
    return con


def run(sql: str, root: str | Path = "data"):
    """The result of `sql` as a pandas DataFrame."""
    return connect(root).execute(sql).df()
