"""What the report reads from a data folder: the crawls, one crawl's own rows, the latest view,
and field coverage. Tolerant of older files: a column a file does not have (such as `site`)
is read as missing, never as an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.loader import load, load_table, missing
from pipelines.output.latest import is_parquet, snapshot_files
from pipelines.schemas import KEYS, SCHEMAS

DATA_DATASETS = ("questions", "answers", "doctors")
# Columns that every row has by construction: their coverage says nothing.
BOOKKEEPING = {"crawl_id", "fetched_at"}


class ReportError(Exception):
    """A report that cannot be made; the message is one line for the user."""


def coverage_fields(dataset: str) -> list[str]:
    return [name for name in SCHEMAS[dataset].names if name not in BOOKKEEPING and name != KEYS[dataset]]


def site_key(frame: pd.DataFrame, key: str) -> pd.Series:
    """Each row's (site, key) as one value: keys are unique per site, so two sites' question
    1100743 are two questions (a row from before the `site` column has none)."""
    site = frame["site"].fillna("") if "site" in frame else pd.Series("", index=frame.index)
    return site.astype(str) + " " + frame[key].astype(str)


def layout_by(owners: pd.DataFrame, rows: pd.DataFrame, key: str) -> pd.Series:
    """The markup family of each of `rows`: that of the row of `owners` with the same (site, key)."""
    layouts = pd.Series(owners["layout"].values, index=site_key(owners, key).values)
    layouts = layouts[~layouts.index.duplicated()]
    return pd.Series(layouts.reindex(site_key(rows, key).values).values, index=rows.index)


@dataclass
class DataFile:
    path: Path
    crawl_ids: frozenset[str]
    columns: frozenset[str]


class DataFolder:
    """One data folder, read once per report."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        if not self.root.is_dir():
            raise ReportError(f"no data folder at {self.root}")
        try:
            table = load_table("crawls", root=self.root)
            crawls = table.to_pandas()
        except ValueError as error:  # a folder inside a data folder: it names the data folder
            raise ReportError(str(error)) from None
        except (OSError, pa.ArrowException) as error:
            raise ReportError(f"cannot read the crawls of {self.root}: {_one_line(error)}") from None
        if crawls.empty:
            raise ReportError(f"no committed crawl in {self.root} (its crawls dataset has no rows)")
        self.crawls = crawls.sort_values("started_at", kind="stable").reset_index(drop=True)
        self.missing = missing(self.root, table)  # said in the report too: read as none, they look like 0
        self._rows: dict[tuple[str, str], pd.DataFrame] = {}

    def crawl(self, crawl_id: str | None) -> pd.Series:
        """The `crawls` row of `crawl_id`, or of the newest crawl."""
        if crawl_id is None:
            return self.crawls.iloc[-1]
        match = self.crawls[self.crawls["crawl_id"] == crawl_id]
        if match.empty:
            known = ", ".join(self.crawls["crawl_id"].tail(5)[::-1])
            raise ReportError(f"no crawl {crawl_id!r} in {self.root} (newest: {known})")
        return match.iloc[-1]

    def previous(self, crawl: pd.Series) -> pd.Series | None:
        earlier = self.crawls[self.crawls["started_at"] < crawl["started_at"]]
        return None if earlier.empty else earlier.iloc[-1]

    @cached_property
    def skipped(self) -> list[str]:
        """The files under a dataset folder that are not Parquet, which every reader skips."""
        return [f"skipped {path}: {reason}" for name in ("crawls", *DATA_DATASETS)
                for path in snapshot_files(self.root, name) if (reason := is_parquet(path))]

    # the latest view (what the folder holds) ----------------------------------------------

    @cached_property
    def latest(self) -> dict[str, pd.DataFrame]:
        try:
            return {name: load(name, root=self.root, latest=True) for name in DATA_DATASETS}
        except (OSError, pa.ArrowException) as error:
            raise ReportError(f"cannot read the datasets of {self.root}: {_one_line(error)}") from None

    # one crawl's own rows, straight from its files ----------------------------------------

    @cached_property
    def files(self) -> dict[str, list[DataFile]]:
        committed = set(self.crawls["crawl_id"])
        found = {}
        for name in DATA_DATASETS:
            found[name] = []
            for path in sorted((self.root / name).glob("crawl_date=*/*.parquet")):
                if path.name.startswith((".", "_")):
                    continue
                try:
                    file = pq.ParquetFile(path)
                    ids = frozenset(pc.unique(file.read(columns=["crawl_id"])["crawl_id"]).to_pylist())
                except (OSError, pa.ArrowException, KeyError):
                    continue  # not a file of ours, or damaged: the loader would say so, not the report
                if ids & committed:
                    found[name].append(DataFile(path, ids, frozenset(file.schema_arrow.names)))
        return found

    def rows_of(self, dataset: str, crawl_id: str) -> pd.DataFrame:
        """The rows `crawl_id` wrote to `dataset`, in the dataset's schema (missing columns null)."""
        if (dataset, crawl_id) not in self._rows:
            self._rows[dataset, crawl_id] = self._read_rows(dataset, crawl_id)
        return self._rows[dataset, crawl_id].copy()

    def _read_rows(self, dataset: str, crawl_id: str) -> pd.DataFrame:
        schema = SCHEMAS[dataset]
        tables = [_conform(pq.read_table(f.path), schema) for f in self.files[dataset] if crawl_id in f.crawl_ids]
        table = pa.concat_tables(tables) if tables else schema.empty_table()
        return table.filter(pc.equal(table["crawl_id"], crawl_id)).to_pandas()

    def columns_of(self, dataset: str, crawl_id: str) -> set[str]:
        """The columns the files of `crawl_id` have (an older crawl may lack newer ones)."""
        return set().union(*(f.columns for f in self.files[dataset] if crawl_id in f.crawl_ids))

    @cached_property
    def coverage_by_crawl(self) -> pd.DataFrame:
        """Share of rows with a value, per crawl, dataset and field, all markup families together.

        Read from the Parquet footers (row and null counts) where they have them, so a month of
        crawls costs no data read; NaN where a crawl's files lack the column.
        """
        committed = set(self.crawls["crawl_id"])
        rows: dict[tuple[str, str], int] = {}
        non_null: dict[tuple[str, str, str], int] = {}  # only fields some file of the crawl has
        for dataset in DATA_DATASETS:
            fields = coverage_fields(dataset)
            for data_file in self.files[dataset]:
                for crawl_id, count, values in _file_counts(data_file, fields):
                    if crawl_id not in committed:
                        continue
                    rows[crawl_id, dataset] = rows.get((crawl_id, dataset), 0) + count
                    for field, value in values.items():
                        if value is not None:
                            key = (crawl_id, dataset, field)
                            non_null[key] = non_null.get(key, 0) + value
        records = [
            {"crawl_id": crawl_id, "dataset": dataset, "field": field, "rows": count,
             "non_null": non_null[crawl_id, dataset, field] / count
             if count and (crawl_id, dataset, field) in non_null else None}
            for (crawl_id, dataset), count in rows.items() for field in coverage_fields(dataset)
        ]
        return pd.DataFrame(records, columns=["crawl_id", "dataset", "field", "non_null", "rows"])

    def coverage_by_family(self, crawl: pd.Series) -> tuple[pd.DataFrame, str]:
        """Coverage per dataset, markup family and field for one crawl, and where it comes from:
        the crawl's own `coverage` column when it recorded one, else counted from its rows."""
        recorded = listed(crawl.get("coverage"))
        if recorded:
            frame = pd.DataFrame(recorded)
            for column in ("dataset", "layout", "field", "non_null", "rows"):
                if column not in frame:
                    frame[column] = None
            return frame[["dataset", "layout", "field", "non_null", "rows"]], "recorded by the crawl"
        return self._counted_family_coverage(crawl["crawl_id"]), "counted from the crawl's files"

    def _counted_family_coverage(self, crawl_id: str) -> pd.DataFrame:
        rows = {name: self.rows_of(name, crawl_id) for name in DATA_DATASETS}
        questions, answers, doctors = rows["questions"], rows["answers"], rows["doctors"]
        answers["layout"] = layout_by(questions, answers, "question_id")
        doctors["layout"] = layout_by(answers.dropna(subset=["doctor_id"]), doctors, "doctor_id")
        records = []
        for dataset, frame in (("questions", questions), ("answers", answers), ("doctors", doctors)):
            present = self.columns_of(dataset, crawl_id)
            frame = frame.assign(layout=frame["layout"].fillna("(unknown)"))
            for layout, group in frame.groupby("layout", sort=True):
                for field in coverage_fields(dataset):
                    share = _non_null(group[field]) / len(group) if field in present else None
                    records.append({"dataset": dataset, "layout": layout, "field": field,
                                    "non_null": share, "rows": len(group)})
        return pd.DataFrame(records, columns=["dataset", "layout", "field", "non_null", "rows"])


def _file_counts(data_file: DataFile, fields: list[str]):
    """(crawl_id, rows, {field: non-null count or None when absent}) for each crawl in a file."""
    file = pq.ParquetFile(data_file.path)
    present = [f for f in fields if f in data_file.columns]
    if len(data_file.crawl_ids) == 1:
        (crawl_id,) = data_file.crawl_ids
        metadata = file.metadata
        rows = metadata.num_rows
        non_null = {f: None for f in fields}
        leaf = {metadata.schema.column(i).path: i for i in range(metadata.num_columns)}
        unread = []
        for field in present:
            nulls = _footer_nulls(metadata, leaf.get(field))
            if nulls is None:
                unread.append(field)  # a list column, or a file written without statistics
            else:
                non_null[field] = rows - nulls
        if unread:
            table = file.read(columns=unread)
            for field in unread:
                non_null[field] = _non_null(table[field].to_pandas())
        yield crawl_id, rows, non_null
        return
    table = file.read(columns=["crawl_id", *present]).to_pandas()
    for crawl_id, group in table.groupby("crawl_id"):
        yield crawl_id, len(group), {f: (_non_null(group[f]) if f in present else None) for f in fields}


def _footer_nulls(metadata, column: int | None) -> int | None:
    if column is None:
        return None
    nulls = 0
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(column).statistics
        if statistics is None or not statistics.has_null_count:
            return None
        nulls += statistics.null_count
    return nulls


def _non_null(series: pd.Series) -> int:
    # notna() of a list cell is an error or an array; a list counts as a value when it is not null
    # (an empty list says "none", which is an answer).
    if series.dtype == object:
        return int(sum(cell is not None and not (isinstance(cell, float) and cell != cell) for cell in series))
    return int(series.notna().sum())


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table[field.name].cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def listed(value) -> list:
    """A list<struct> cell of a `crawls` row as a list of dicts ([] when absent or null)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    try:
        return [dict(item) for item in value]
    except TypeError:
        return []


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__
