"""Field coverage: the share of rows in which each field holds a value, per dataset and per
markup family, from the Parquet files the crawl committed; and its check against the last
crawl of the same site that passed its checks.

A redesign that moves one field where the parser does not look (the star rating out of the
byline, the doctor link out of an answer) leaves every page readable and every row well
formed: only the share of rows that have the field falls. So each field's non-null share is
compared per family (layout `*` is all of them): a fall of more than CHECK_COVERAGE_MARGIN (or
than what chance alone explains for the pages compared: CHECK_COVERAGE_NOISE_SIGMAS binomial
standard errors of the difference, when that is more), fails; groups from fewer than
CHECK_COVERAGE_MIN_ROWS pages (pages_shown) are not compared. Incremental crawls are judged too when enough of
their pages changed: whether a page shows a field does not depend on whether it changed (unlike
how many answers it has: see answers_per_question), so their changed pages are a fair sample.

Chance is counted in pages, not rows: the answers of one page share its markup and often its
doctors (one doctor answering three times), so they rise and fall together. Five answers of a
page are one draw, not five; counted as five, the allowance was some twice too narrow for
answers, and a clean day-1 crawl of 14 changed pages failed on a share one page had moved. The
pages a group's rows came from are counted here (`pages` of each entry); the crawls row does not
store them (its `coverage` schema is unchanged), so a baseline read back counts its question
rows of the family (one per page) instead, an upper bound that errs towards a narrower allowance.

Answers get their family through their question, doctors through the answer of the page they
were read from (same doctor_id and fetched_at: a doctor row is written from the first page
that names it). Files are read a row group and a column at a time, and a value becomes a
boolean (present or not) as soon as it is read, so memory stays bounded by one column of one
row group plus the keys of the crawl's questions and answers.
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.output.names import files_of_crawl
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
    return files_of_crawl(root, crawl_id, (dataset,))


def _present(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where the field holds a value: not null, and not an empty string or list."""
    valid = pc.is_valid(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.and_kleene(valid, pc.greater(pc.utf8_length(column), 0)).fill_null(False)
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        return pc.and_kleene(valid, pc.greater(pc.list_value_length(column), 0)).fill_null(False)
    return valid


def _has(field: str) -> str:
    return f"has:{field}"


def _flag_groups(paths: list[Path], keep: list[str], fields: list[str]):
    """Per row group of each file: the `keep` columns as they are, and each field as a boolean
    `has:FIELD` (present or not). Read one column at a time: a body column is decoded,
    reduced to booleans and dropped before the next is read."""
    for path in paths:
        parquet = pq.ParquetFile(path, buffer_size=1 << 20)  # a column chunk read 1 MB at a time
        names = set(parquet.schema_arrow.names)
        for i in range(parquet.num_row_groups):
            columns = {name: parquet.read_row_group(i, columns=[name], use_threads=False)[name] for name in keep if name in names}
            for f in fields:
                if f in names:
                    columns[_has(f)] = _present(parquet.read_row_group(i, columns=[f], use_threads=False)[f])
            yield pa.table(columns)


class _Tally:
    def __init__(self):
        self.rows: dict = defaultdict(int)  # (dataset, layout) -> rows
        self.pages: dict = defaultdict(set)  # (dataset, layout) -> question_ids of the pages the rows came from
        self.present: dict = defaultdict(int)  # (dataset, layout, field) -> rows with a value

    def add(self, dataset: str, flags: pa.Table, fields: list[str]) -> None:
        """`flags`: a `layout` column, a `page` column (the question_id of the page a row was read
        from) and a boolean `has:FIELD` column per field."""
        layout = pc.fill_null(flags["layout"], UNKNOWN)
        for name in pc.unique(layout).to_pylist():
            rows = pc.equal(layout, name)
            pages = set(pc.unique(pc.filter(flags["page"], rows)).to_pylist()) - {None}
            for group in (name, ALL):
                self.rows[dataset, group] += pc.sum(rows).as_py() or 0
                self.pages[dataset, group] |= pages
                for f in fields:
                    if _has(f) in flags.column_names:
                        present = pc.sum(pc.and_(rows, flags[_has(f)])).as_py() or 0
                        self.present[dataset, group, f] += present

    def coverage(self) -> list[dict]:
        out = []
        for (dataset, layout, f), present in sorted(self.present.items()):
            rows = self.rows[dataset, layout]
            out.append({"dataset": dataset, "layout": layout, "field": f,
                        "non_null": present / rows if rows else 0.0, "rows": rows,
                        # rows whose page could not be traced came from one at least
                        "pages": max(1, len(self.pages[dataset, layout])) if rows else 0})
        return out


def crawl_coverage(root: str | Path, crawl_id: str) -> list[dict]:
    """The non-null share of every field, per dataset and layout, in the files of `crawl_id`."""
    tally = _Tally()
    q_fields, a_fields, d_fields = (fields_of(name) for name in DATASETS)

    question_ids, question_layouts = [], []  # for the answers' layouts
    for flags in _flag_groups(crawl_files(root, "questions", crawl_id), ["question_id", "layout", "site"], q_fields):
        page = _of_site(flags, flags["question_id"])
        tally.add("questions", flags.append_column("page", page), q_fields)
        question_ids.append(page)
        question_layouts.append(flags["layout"])
    questions = _Lookup(question_ids, layout=question_layouts)

    # (doctor_id, fetched_at) of an answer, for the doctors' layouts and pages
    page_keys, page_layouts, page_questions = [], [], []
    for flags in _flag_groups(crawl_files(root, "answers", crawl_id), ["question_id", "fetched_at", "doctor_id", "site"],
                              a_fields):
        page = _of_site(flags, flags["question_id"])
        flags = flags.append_column("layout", questions.of(page)["layout"])
        tally.add("answers", flags.append_column("page", page), a_fields)
        if "doctor_id" in flags.column_names:
            page_keys.append(_page_key(flags))
            page_layouts.append(flags["layout"])
            page_questions.append(page)
    answer_pages = _Lookup(page_keys, layout=page_layouts, page=page_questions)

    for flags in _flag_groups(crawl_files(root, "doctors", crawl_id), ["doctor_id", "fetched_at", "site"], d_fields):
        for name, values in answer_pages.of(_page_key(flags)).items():
            flags = flags.append_column(name, values)
        tally.add("doctors", flags, d_fields)
    return tally.coverage()


class _Lookup:
    """Keys to named values (layout, page): a hash lookup (pyarrow's index_in), not a join: Acero's hash
    join costs some 60 MB of memory the first time it runs, for what a lookup does in a few."""

    def __init__(self, keys: list, **columns: list):
        self.keys = _concat(keys)
        self.columns = {name: _concat(chunks) for name, chunks in columns.items()}

    def of(self, keys) -> dict[str, pa.Array]:
        """Each named value of each key (of its first place among the known keys); null if unknown."""
        places = pc.index_in(keys, value_set=self.keys)  # once, for every column
        return {name: pc.take(values, places) for name, values in self.columns.items()}


def _concat(chunks: list) -> pa.Array:
    return pa.concat_arrays([_array(c) for c in chunks]) if chunks else pa.array([], pa.string())


def _array(column) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _page_key(flags: pa.Table):
    """site, doctor_id|fetched_at: the answers of a page and the doctor rows read from it share it."""
    stamp = pc.cast(pc.cast(flags["fetched_at"], pa.int64()), pa.string())
    return _of_site(flags, pc.binary_join_element_wise(flags["doctor_id"], stamp, "|"))


def _of_site(flags: pa.Table, keys):
    """`keys` qualified by each row's site: keys are unique per site only, and two sites of one
    crawl can both have a question 123 (each in its own family), or a doctor jane-doe."""
    if "site" not in flags.column_names:  # files of before the site column: one site a crawl
        return keys
    return pc.binary_join_element_wise(pc.fill_null(flags["site"], ""), keys, "\x1f")


def rows_of(coverage: list[dict], dataset: str, layout: str = ALL) -> int:
    """Rows of `dataset` (of one markup family's pages, or of all) in the crawl the coverage
    was computed from; 0 when it has none."""
    return max((c["rows"] for c in coverage if c["dataset"] == dataset and c["layout"] == layout), default=0)


def pages_of(entry: dict, coverage: list[dict]) -> int:
    """The pages `entry`'s rows came from: the sample size of its share (see the module's
    docstring). An entry read back from a crawls row has no `pages`: its dataset's question rows
    of the same family stand for them (a question row is a page), never more than its rows."""
    if entry.get("pages") is not None:
        return entry["pages"]
    if entry["dataset"] == "questions":
        return entry["rows"]
    questions = max((c["rows"] for c in coverage if c["dataset"] == "questions" and c["layout"] == entry["layout"]),
                    default=0)
    return min(entry["rows"], questions) if questions else entry["rows"]


def pages_shown(entry: dict, coverage: list[dict]) -> int:
    """The pages that showed `entry`'s field, counted against CHECK_COVERAGE_MIN_ROWS (is there
    enough of a family to judge its format?): a doctor row is written from the first page that
    names a doctor, but every page of the family whose answers it read showed its bylines (a
    hundred nextjs pages of thirty doctors: the check of a rating lost on all of them was
    skipped as "fewer than 30 pages"). Its share's sample size stays pages_of."""
    if entry["dataset"] != "doctors":
        return pages_of(entry, coverage)
    answers = next((c for c in coverage if c["dataset"] == "answers" and c["layout"] == entry["layout"]), None)
    return max(pages_of(entry, coverage), pages_of(answers, coverage) if answers else 0)


def threshold(before: float, pages_before: int, pages_now: int, margin: float, sigmas: float) -> float:
    """The lowest share that passes: the earlier share less the margin, or less what chance
    alone can explain for so few pages, whichever allows more; never below 0. Chance: `sigmas`
    standard errors of the difference of two binomial shares (each crawl a sample: which
    family a doctor is read from changes with the crawl's order), a page one draw."""
    noise = math.sqrt(before * (1 - before) * (1 / pages_before + 1 / pages_now))
    return max(0.0, before - max(margin, sigmas * noise))


def judged(now: list[dict], before: list[dict], margin: float, sigmas: float, min_rows: int):
    """(entry of `now`, the lowest share that passes) for each field compared with its earlier
    share: the check's rule, which the report's marks follow too."""
    earlier = {(c["dataset"], c["layout"], c["field"]): c for c in before}
    for c in now:
        b = earlier.get((c["dataset"], c["layout"], c["field"]))
        if b is None or not b["non_null"] or c["non_null"] is None:
            continue
        pages_before, pages_now = pages_of(b, before), pages_of(c, now)
        if min(pages_shown(b, before), pages_shown(c, now)) < min_rows:
            continue
        yield c, threshold(b["non_null"], pages_before, pages_now, margin, sigmas)


def compare(now: list[dict], before: list[dict], margin: float, sigmas: float, min_rows: int) -> list[CheckResult]:
    return [CheckResult.judge(f"coverage/{c['dataset']}.{c['field']}/{'all' if c['layout'] == ALL else c['layout']}",
                              c["non_null"], limit, at_most=False)
            for c, limit in judged(now, before, margin, sigmas, min_rows)]


def check(facts) -> list[CheckResult]:
    baseline = facts.baseline(lambda row: bool(row.get("coverage")))
    if baseline is None:
        return []
    settings = facts.settings
    return compare(facts.coverage, baseline["coverage"], settings.getfloat("CHECK_COVERAGE_MARGIN"),
                   settings.getfloat("CHECK_COVERAGE_NOISE_SIGMAS"), settings.getint("CHECK_COVERAGE_MIN_ROWS"))
