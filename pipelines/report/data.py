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

from crawler.install import not_the_file
from pipelines.checks.coverage import ALL, crawl_coverage, fields_of
from pipelines.loader import crawl_sites, load_table, missing
from pipelines.output.latest import is_parquet, snapshot_files
from pipelines.schemas import SCHEMAS

DATA_DATASETS = ("questions", "answers", "doctors")
MAP_CRAWLS = 60  # the coverage map shows the newest crawls only: a cell per field and crawl
COVERAGE_COLUMNS = ["dataset", "layout", "field", "non_null", "rows"]


class ReportError(Exception):
    """A report that cannot be made; the message is one line for the user."""


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
            not_the_file(error)  # the machine's want: the command says it, as any command does
            raise ReportError(f"cannot read the crawls of {self.root}: {_one_line(error)}") from None
        if crawls.empty:
            raise ReportError(f"no committed crawl in {self.root} (its crawls dataset has no rows)")
        self.crawls = crawls.sort_values("started_at", kind="stable").reset_index(drop=True)
        self._crawls = table
        self.missing = missing(self.root, table)  # said in the report too: read as none, they look like 0
        self._rows: dict[tuple[str, str], pd.DataFrame] = {}
        self._coverage: dict[str, tuple[pd.DataFrame, str]] = {}

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
        """The newest crawl before `crawl` of the same sites (its checks' baseline): in a folder
        of two sites, the other site's crawl is no measure of this one's fields."""
        sites = self.sites[crawl["crawl_id"]]
        if not sites:  # a reparse that wrote no row: of no site
            return None
        earlier = self.crawls[(self.crawls["started_at"] < crawl["started_at"])
                              & self.crawls["crawl_id"].map(lambda crawl_id: self.sites.get(crawl_id) == sites)]
        return None if earlier.empty else earlier.iloc[-1]

    @cached_property
    def sites(self) -> dict[str, list[str]]:
        """Each crawl's sites (pipelines.loader.crawl_sites: its rows' `site` column; a reparse's
        start URLs are archive paths, which name no site: each reparse was every other's baseline)."""
        try:
            return crawl_sites(self.root, self._crawls)
        except (OSError, pa.ArrowException) as error:
            not_the_file(error)
            raise ReportError(f"cannot read the datasets of {self.root}: {_one_line(error)}") from None

    @cached_property
    def skipped(self) -> list[str]:
        """The files under a dataset folder that are not Parquet, which every reader skips."""
        return [f"skipped {path}: {reason}" for name in ("crawls", *DATA_DATASETS)
                for path in snapshot_files(self.root, name) if (reason := is_parquet(path))]

    # the latest view (what the folder holds) ----------------------------------------------

    @cached_property
    def latest(self) -> dict[str, pd.DataFrame]:
        try:
            return {name: load_table(name, self.root, latest=True, crawls=self._crawls).to_pandas()
                    for name in DATA_DATASETS}
        except (OSError, pa.ArrowException) as error:
            not_the_file(error)
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
                except (OSError, pa.ArrowException, KeyError) as error:
                    not_the_file(error)  # a file fine but not read: its rows would be missing in silence
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
        tables = [_conform(pq.ParquetFile(f.path).read(), schema) for f in self.files[dataset] if crawl_id in f.crawl_ids]
        table = pa.concat_tables(tables) if tables else schema.empty_table()
        return table.filter(pc.equal(table["crawl_id"], crawl_id)).to_pandas()

    @cached_property
    def coverage_by_crawl(self) -> pd.DataFrame:
        """Share of rows with a value, per crawl of the newest MAP_CRAWLS, dataset and field, all
        markup families together: the checks' figures (the crawl's recorded `coverage`, else
        counted from its files the same way), so the map and the table say the same."""
        records = []
        for crawl_id in self.crawls["crawl_id"].tail(MAP_CRAWLS):
            frame, _ = self.coverage_by_family(self.crawl(crawl_id))
            whole = frame[frame["layout"] == ALL]
            records += whole[["dataset", "field", "non_null", "rows"]].assign(crawl_id=crawl_id).to_dict("records")
        return pd.DataFrame(records, columns=["crawl_id", "dataset", "field", "non_null", "rows"])

    def coverage_by_family(self, crawl: pd.Series) -> tuple[pd.DataFrame, str]:
        """Coverage per dataset, markup family and field for one crawl, and where it comes from:
        the crawl's own `coverage` column when it recorded one, else counted from its files by
        the checks' own rule (pipelines.checks.coverage: an empty text or list holds no value).
        A field the crawl's files do not have is there, with no share."""
        crawl_id = crawl["crawl_id"]
        if crawl_id not in self._coverage:
            recorded = listed(crawl.get("coverage"))
            source = "recorded by the crawl" if recorded else "counted from the crawl's files"
            self._coverage[crawl_id] = _with_every_field(recorded or crawl_coverage(self.root, crawl_id)), source
        frame, source = self._coverage[crawl_id]
        return frame.copy(), source


def _with_every_field(coverage: list[dict]) -> pd.DataFrame:
    """The coverage entries as a frame, with a row of no share for each field of a dataset and
    family that has rows but no entry for the field (files older than the column)."""
    frame = pd.DataFrame(coverage)
    for column in COVERAGE_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame = frame[COVERAGE_COLUMNS]
    have = set(zip(frame["dataset"], frame["layout"], frame["field"]))
    groups = frame.drop_duplicates(["dataset", "layout"])[["dataset", "layout", "rows"]]
    absent = [{"dataset": d, "layout": layout, "field": f, "non_null": None, "rows": rows}
              for d, layout, rows in groups.itertuples(index=False) if d in DATA_DATASETS
              for f in fields_of(d) if (d, layout, f) not in have]
    return pd.concat([frame, pd.DataFrame(absent, columns=COVERAGE_COLUMNS)], ignore_index=True) if absent else frame


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
