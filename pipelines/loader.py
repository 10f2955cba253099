"""Load the datasets for analysis: every snapshot, or the latest row per key.

    from pipelines.loader import load
    questions = load("questions")                 # latest row per (site, question_id) (pandas)
    answers = load("answers")                     # the answers of each question's newest fetch
    answers = load("answers", latest=False)       # every snapshot of every committed crawl
    table = load_table("doctors", root="data")    # the same as a pyarrow Table

Only committed crawls are read: those with a row in the `crawls` dataset, which a crawl
writes last. The latest view is read from `<root>/latest/` (pipelines.output.latest) when it
covers every committed crawl; otherwise (a folder written without it, or an update that did
not finish) the same rule is computed from the snapshots, and a warning says so.

Files are read with each dataset's current schema: a file written before a column existed
reads with that column null. A file that is not Parquet (empty, garbage, cut) is skipped with
a warning naming it: it holds no row any reader can read.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from pipelines.output.latest import (DATASETS, QUESTION_COLUMNS, current_buckets, is_parquet,
                                     generation, latest_answers, rank_columns, read_manifest, snapshot_files,
                                     winners)
from pipelines.output.names import data_folder
from pipelines.schemas import KEYS, SCHEMAS

logger = logging.getLogger(__name__)


_SAID: set[str] = set()  # warnings already given: a report loads a folder many times


def warn_once(message: str) -> None:
    """A warning on the loader's logger, once per process for the same words."""
    if message not in _SAID:
        _SAID.add(message)
        logger.warning("%s", message)


def readable(paths: list[Path]) -> list[Path]:
    """The paths that are whole Parquet files; each other one is named in a warning (once) and skipped."""
    good = []
    for path in paths:
        if reason := is_parquet(path):
            warn_once(f"skipped {path}: {reason}")
        else:
            good.append(path)
    return good


def missing(root: str | Path, crawls: pa.Table) -> list[str]:
    """What the committed crawls wrote that is gone from the folder, one line per dataset: its
    folder, when the crawls rows count rows written to it, or the snapshot files the latest view
    was made from. Read as none, they would be a silent 0."""
    root = Path(root)
    applied = (read_manifest(generation(root)) or {}).get("files", {})
    lines = []
    for dataset in DATASETS:
        written = pc.sum(crawls[dataset]).as_py() if dataset in crawls.column_names else None
        if not (root / dataset).is_dir():
            if written or applied.get(dataset):
                rows = f" ({written:,} rows, by their crawls rows)" if written else ""
                lines.append(f"{root / dataset}: missing (no such folder): the {dataset} the committed crawls wrote{rows} "
                             f"are not there, so the {dataset} read are fewer or none")
            continue
        gone = sorted(name for name in applied.get(dataset, []) if not (root / name).is_file())
        if gone:
            lines.append(f"{root / dataset}: {len(gone):,} file{'s' if len(gone) != 1 else ''} of committed crawls "
                         f"gone (first {root / gone[0]}): their rows are not read")
    return lines


def dataset_of(files: list[Path], dataset: str) -> ds.Dataset:
    """A pyarrow dataset of `files` read with the dataset's current schema (missing columns null).

    Read it with `to_table(use_threads=False)`, and a file with `pq.ParquetFile(path).read()`,
    never `pq.read_table`: when one of Arrow's threads cannot start (a memory limit, `ulimit -v`:
    a thread's stack is memory), a threaded scan, or `pq.read_table`'s even unthreaded, waits for
    good for a task no thread runs, in C code where no SIGTERM is handled; these raise an
    ArrowException at once (`crawler.install.load_failure` says it in words)."""
    return ds.dataset([str(p) for p in files], schema=SCHEMAS[dataset], format="parquet")


def snapshots(dataset: str, root: str | Path = "data") -> ds.Dataset:
    """Every readable snapshot file of `dataset`, committed or not (filter by `crawls`)."""
    return dataset_of(readable(snapshot_files(Path(root), dataset)), dataset)


def committed_crawls(root: str | Path = "data") -> pa.Table:
    return snapshots("crawls", root).to_table(use_threads=False)


def latest_files(root: str | Path = "data", crawls: pa.Table | None = None) -> dict[str, list[Path]] | None:
    """The latest view's files per dataset when they cover every committed crawl (`crawls`, when
    the caller has read them), else None."""
    if crawls is None:
        return current_buckets(Path(root))
    ids, started, finished = (crawls[name].to_pylist() if name == "crawl_id" else crawls[name].cast(pa.int64()).to_pylist()
                              for name in ("crawl_id", "started_at", "finished_at"))
    return current_buckets(Path(root), {i: (s, str(f)) for i, s, f in zip(ids, started, finished)})


def load_table(dataset: str, root: str | Path = "data", latest: bool = True, crawls: pa.Table | None = None) -> pa.Table:
    """`crawls`: the folder's committed crawls when the caller has read them already (a report
    reads every dataset; a folder of thousands of crawls takes seconds to list them)."""
    if dataset not in SCHEMAS:
        raise ValueError(f"unknown dataset {dataset!r}; one of {', '.join(SCHEMAS)}")
    root = data_folder(root)  # no folder, or one inside a data folder: said, not read as empty
    crawls = committed_crawls(root) if crawls is None else crawls
    if dataset == "crawls":
        return crawls
    if crawls.num_rows == 0:
        return SCHEMAS[dataset].empty_table()
    for line in missing(root, crawls):
        warn_once(line)
    if latest:
        files = latest_files(root, crawls)
        if files is not None:
            return dataset_of(readable(files[dataset]), dataset).to_table(use_threads=False)
        warn_once(f"{Path(root) / 'latest'}: the latest view does not cover every committed crawl; "
                  f"computed from the snapshots")
    table = committed_rows(dataset, root, crawls)
    if not latest or table.num_rows == 0:
        return table
    questions = committed_rows("questions", root, crawls, QUESTION_COLUMNS) if dataset == "answers" else None
    return latest_rows(table, dataset, crawls, questions)


def committed_rows(dataset: str, root: str | Path, crawls: pa.Table, columns: list[str] | None = None) -> pa.Table:
    """Every snapshot row of `dataset` of the committed crawls (`crawls`), its `columns` (all when None)."""
    committed = pc.field("crawl_id").isin(crawls["crawl_id"].combine_chunks().cast("string"))
    return snapshots(dataset, root).to_table(columns=columns, filter=committed, use_threads=False)


def latest_rows(table: pa.Table, dataset: str, crawls: pa.Table, questions: pa.Table | None = None) -> pa.Table:
    """The rows of `table` (rows of committed crawls) the latest view holds: the latest row per
    key, and for answers those of their question's newest fetch (`questions`: the committed
    rows of the questions, their QUESTION_COLUMNS at least; required for answers)."""
    started_of = dict(zip(crawls["crawl_id"].to_pylist(), crawls["started_at"].cast(pa.int64()).to_pylist()))
    if dataset == "answers":
        if questions is None:
            raise ValueError("the latest answers are those of their question's newest fetch: give the questions")
        keep = latest_answers(table, questions, started_of)
    else:
        keep = winners(*rank_columns(table, KEYS[dataset], started_of))
    return table.filter(pa.array(keep))


def crawl_sites(root: str | Path = "data", crawls: pa.Table | None = None) -> dict[str, list[str]]:
    """The sites of each committed crawl (`crawls`, when the caller has read them): the `site`
    column of the rows it wrote, each once, sorted. Its rows, not its start URLs, say it: a
    reparse's start URLs are archive paths, which name no site, and a site is what its rows are
    filed under. Only a crawl that wrote no row is of its start URLs' sites (crawler.sites.site_key:
    those that name one), the sites it was started on."""
    from crawler.sites import sites_of
    from crawler.sites.base import on_the_web

    crawls = committed_crawls(root) if crawls is None else crawls
    committed = pc.field("crawl_id").isin(crawls["crawl_id"].combine_chunks().cast("string"))
    sites: dict[str, set[str]] = {crawl_id: set() for crawl_id in crawls["crawl_id"].to_pylist()}
    for dataset in DATASETS:
        pairs = snapshots(dataset, root).to_table(columns=["crawl_id", "site"], filter=committed, use_threads=False)
        for row in pairs.group_by(["crawl_id", "site"], use_threads=False).aggregate([]).to_pylist():
            if row["site"] is not None:  # a row from before the `site` column
                sites[row["crawl_id"]].add(row["site"])
    started_on = dict(zip(crawls["crawl_id"].to_pylist(), crawls["start_urls"].to_pylist()))
    return {crawl_id: sorted(names) or sites_of(url for url in started_on[crawl_id] or () if on_the_web(url))
            for crawl_id, names in sites.items()}


def load(dataset: str, root: str | Path = "data", latest: bool = True) -> pd.DataFrame:
    """A pandas DataFrame of `dataset` (questions, answers, doctors or crawls)."""
    return load_table(dataset, root, latest).to_pandas()


__all__ = ["DATASETS", "load", "load_table", "committed_crawls", "committed_rows", "crawl_sites", "latest_files",
           "latest_rows", "snapshots", "readable", "missing", "warn_once"]
