"""Field coverage: the share of rows in which each field holds a value, per dataset and per
markup family, from the Parquet files the crawl committed; and its check against the last
crawl of the same site that passed its checks.

A redesign that moves one field where the parser does not look (the star rating out of the
byline, the doctor link out of an answer) leaves every page readable and every row well
formed: only the share of rows that have the field falls. So each field's non-null share is
compared per family (layout `*` is all of them): a fall of more than CHECK_COVERAGE_MARGIN (or
than what chance alone explains for the rows of this crawl: CHECK_COVERAGE_NOISE_SIGMAS binomial
standard errors, when that is more), fails; groups of fewer than CHECK_COVERAGE_MIN_ROWS rows are
not compared.

Answers get their family through their question, doctors through the answer of the page they
were read from (same doctor_id and fetched_at: a doctor row is written from the first page
that names it). Files are read a row group at a time, only the columns needed, and a value
becomes a boolean (present or not) before anything is joined, so memory stays bounded by one
row group plus the keys of the crawl's questions and answers.
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.schemas import KEYS, SCHEMAS

from . import CheckResult

DATASETS = ("questions", "answers", "doctors")
ALL = "*"  # the layout of the whole dataset
UNKNOWN = "unknown"  # rows whose family could not be traced
# Bookkeeping columns, not fields read from a page.
NOT_FIELDS = {"crawl_id", "fetched_at", "site", "layout", "content_sha256"}


def fields_of(dataset: str) -> list[str]:
    return [f.name for f in SCHEMAS[dataset] if f.name not in NOT_FIELDS and f.name != KEYS[dataset]]


def crawl_files(root: Path, dataset: str, crawl_id: str) -> list[Path]:
    return sorted(Path(root, dataset).glob(f"crawl_date=*/{crawl_id}-*.parquet"))


def _present(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where the field holds a value: not null, and not an empty string or list."""
    valid = pc.is_valid(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.and_kleene(valid, pc.greater(pc.utf8_length(column), 0)).fill_null(False)
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        return pc.and_kleene(valid, pc.greater(pc.list_value_length(column), 0)).fill_null(False)
    return valid


def _row_groups(paths: list[Path], columns: list[str]):
    for path in paths:
        parquet = pq.ParquetFile(path)
        names = set(parquet.schema_arrow.names)
        for i in range(parquet.num_row_groups):
            yield parquet.read_row_group(i, columns=[c for c in columns if c in names])


class _Tally:
    def __init__(self):
        self.rows: dict = defaultdict(int)  # (dataset, layout) -> rows
        self.present: dict = defaultdict(int)  # (dataset, layout, field) -> rows with a value

    def add(self, dataset: str, flags: pa.Table, fields: list[str]) -> None:
        """`flags`: a `layout` column and a boolean `has:FIELD` column per field."""
        fields = [f for f in fields if _has(f) in flags.column_names]
        counts = pa.table({"layout": pc.fill_null(flags["layout"], UNKNOWN),
                           **{f: pc.cast(flags[_has(f)], pa.int64()) for f in fields}})
        grouped = counts.group_by("layout").aggregate([("layout", "count")] + [(f, "sum") for f in fields])
        for row in grouped.to_pylist():
            for layout in (row["layout"], ALL):
                self.rows[dataset, layout] += row["layout_count"]
                for f in fields:
                    self.present[dataset, layout, f] += row[f"{f}_sum"] or 0

    def coverage(self) -> list[dict]:
        out = []
        for (dataset, layout, f), present in sorted(self.present.items()):
            rows = self.rows[dataset, layout]
            out.append({"dataset": dataset, "layout": layout, "field": f,
                        "non_null": present / rows if rows else 0.0, "rows": rows})
        return out


def _has(field: str) -> str:
    return f"has:{field}"


def _flags(table: pa.Table, keep: list[str], fields: list[str]) -> pa.Table:
    """The `keep` columns as they are, and each field as a boolean `has:FIELD`: present or not."""
    columns = {name: table[name] for name in keep}
    columns.update({_has(f): _present(table[f]) for f in fields if f in table.column_names})
    return pa.table(columns)


def crawl_coverage(root: str | Path, crawl_id: str) -> list[dict]:
    """The non-null share of every field, per dataset and layout, in the files of `crawl_id`."""
    tally = _Tally()
    q_fields, a_fields, d_fields = (fields_of(name) for name in DATASETS)

    layouts = []  # question_id -> layout, for the answers
    for table in _row_groups(crawl_files(root, "questions", crawl_id), ["question_id", "layout", *q_fields]):
        flags = _flags(table, ["question_id", "layout"], q_fields)
        tally.add("questions", flags, q_fields)
        layouts.append(flags.select(["question_id", "layout"]))
    questions = _distinct(layouts, ["question_id"])

    pages = []  # (doctor_id, fetched_at) -> layout, for the doctors
    for table in _row_groups(crawl_files(root, "answers", crawl_id), ["question_id", "fetched_at", *a_fields]):
        keep = ["question_id", "fetched_at"] + (["doctor_id"] if "doctor_id" in table.column_names else [])
        flags = _flags(table, keep, a_fields).join(questions, "question_id", join_type="left outer")
        tally.add("answers", flags, a_fields)
        if "doctor_id" in keep:
            pages.append(flags.select(["doctor_id", "fetched_at", "layout"]).filter(pc.is_valid(flags["doctor_id"])))
    doctor_pages = _distinct(pages, ["doctor_id", "fetched_at"])

    for table in _row_groups(crawl_files(root, "doctors", crawl_id), ["doctor_id", "fetched_at", *d_fields]):
        flags = _flags(table, ["doctor_id", "fetched_at"], d_fields)
        flags = flags.join(doctor_pages, ["doctor_id", "fetched_at"], join_type="left outer")
        tally.add("doctors", flags, d_fields)
    return tally.coverage()


def _distinct(parts: list[pa.Table], keys: list[str]) -> pa.Table:
    """One layout per key (a key met twice keeps one of its layouts)."""
    if not parts:
        return pa.table({**{k: pa.array([], pa.string()) for k in keys}, "layout": pa.array([], pa.string())})
    table = pa.concat_tables(parts)
    return table.group_by(keys).aggregate([("layout", "min")]).rename_columns([*keys, "layout"])


def rows_of(coverage: list[dict], dataset: str) -> int:
    """Rows of `dataset` in the crawl the coverage was computed from."""
    return max((c["rows"] for c in coverage if c["dataset"] == dataset and c["layout"] == ALL), default=0)


def threshold(before: float, rows_now: int, margin: float, sigmas: float) -> float:
    """The lowest share that passes: the earlier share less the margin, or less what chance
    alone can explain for so few rows, whichever allows more; never below 0. Chance: `sigmas`
    standard errors of a share measured on `rows_now` rows when the site's share is still
    `before` (the earlier crawl's share stands for the site's)."""
    noise = math.sqrt(before * (1 - before) / rows_now)
    return max(0.0, before - max(margin, sigmas * noise))


def compare(now: list[dict], before: list[dict], margin: float, sigmas: float, min_rows: int) -> list[CheckResult]:
    earlier = {(c["dataset"], c["layout"], c["field"]): c for c in before}
    results = []
    for c in now:
        b = earlier.get((c["dataset"], c["layout"], c["field"]))
        if b is None or min(b["rows"], c["rows"]) < min_rows or not b["non_null"]:
            continue
        layout = "all" if c["layout"] == ALL else c["layout"]
        limit = threshold(b["non_null"], c["rows"], margin, sigmas)
        results.append(CheckResult.judge(f"coverage/{c['dataset']}.{c['field']}/{layout}", c["non_null"], limit,
                                         at_most=False))
    return results


def check(facts) -> list[CheckResult]:
    baseline = facts.baseline(lambda row: bool(row.get("coverage")))
    if baseline is None:
        return []
    settings = facts.settings
    return compare(facts.coverage, baseline["coverage"], settings.getfloat("CHECK_COVERAGE_MARGIN"),
                   settings.getfloat("CHECK_COVERAGE_NOISE_SIGMAS"), settings.getint("CHECK_COVERAGE_MIN_ROWS"))
