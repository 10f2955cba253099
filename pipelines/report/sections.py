"""The four sections of the report, each a piece of HTML: the crawl, the history of crawls,
the content, and field coverage against the previous crawl."""
from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd

from crawler import settings as defaults
from pipelines.normalise.dates import FIRST_YEAR, LAST_YEAR
from pipelines.report import plots
from pipelines.checks.coverage import fields_of, judged
from pipelines.report.data import DATA_DATASETS, MAP_CRAWLS, DataFolder, layout_by, listed, site_key
from pipelines.report.html import (NOT_RECORDED, Cell, figure, grid, note, number, percent, table, text, tile,
                                   tiles)

# The counts of a `crawls` row, in the order a person reads them.
COUNTS = [
    ("pages_fetched", "pages fetched"),
    ("questions", "questions"),
    ("answers", "answers"),
    ("doctors", "doctors"),
    ("pages_failed", "pages failed"),
    ("pages_blocked", "block pages"),
    ("pages_not_modified", "not modified (304)"),
    ("pages_skipped", "skipped, unchanged"),
    ("pages_truncated", "cut-off pages"),
    ("pages_malformed", "malformed pages"),
    ("responses_5xx", "5xx responses"),
    ("responses_429", "429 responses"),
    ("download_errors", "download errors"),
]
PROBLEMS = [
    ("pages_failed", "pages failed"),
    ("pages_blocked", "block pages"),
    ("pages_truncated", "cut-off pages"),
    ("pages_malformed", "malformed pages"),
    ("download_errors", "download errors"),
    ("responses_5xx", "5xx responses (retried)"),
    ("responses_429", "429 responses (retried)"),
]
# The report's size, bounded whatever the folder's history: crawls drawn in the per-crawl plots,
# crawls listed in the history table, and characters of each listed crawl's message there (the
# reported crawl's is shown whole in its own section).
PLOT_CRAWLS = 500
HISTORY_ROWS = 200
MESSAGE_CHARS = 300


def value(row: pd.Series, name: str):
    """A cell of a `crawls` row; None when the row predates the column or holds null."""
    if name not in row.index:
        return None
    cell = row[name]
    if isinstance(cell, (list, tuple, np.ndarray)):  # a list column (start_urls, checks, coverage)
        return cell
    return None if pd.isna(cell) else cell


def count(row: pd.Series, name: str) -> int:
    cell = value(row, name)
    return int(cell) if cell is not None else 0


def crawl_label(row: pd.Series) -> str:
    return row["started_at"].strftime("%Y-%m-%d %H:%M")


def status_badge(status) -> str:
    status = str(status or "unknown")
    return f'<span id="status" class="status status-{escape(status)}" data-field="status">{escape(status)}</span>'


def warnings(folder: DataFolder) -> str:
    """What is gone from the folder or cannot be read, said before any figure that it makes smaller."""
    lines = folder.missing + folder.skipped
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<div class="warnings" id="warnings"><h2>Warnings</h2><ul>{items}</ul></div>'


# 1. the crawl ------------------------------------------------------------------------------

def the_crawl(folder: DataFolder, crawl: pd.Series) -> str:
    parts = ["<h2>The crawl</h2>"]
    started, finished = value(crawl, "started_at"), value(crawl, "finished_at")
    duration = (finished - started).total_seconds() if started is not None and finished is not None else None
    urls = value(crawl, "start_urls")
    about = [
        ["crawl", Cell(f'<code data-field="crawl_id">{escape(str(crawl["crawl_id"]))}</code>', html=True)],
        ["status", Cell(status_badge(value(crawl, "status")), html=True)],
        ["message", text(value(crawl, "message")) if value(crawl, "message") else "—"],
        ["started", started],
        ["finished", finished],
        ["start to end", _start_to_end(duration)],
        ["start URLs", ", ".join(urls) if urls is not None and len(urls) else "—"],
        ["spider", value(crawl, "spider")],
        ["project version", value(crawl, "project_version")],
    ]
    parts.append(table(["", ""], about, sortable=False))
    parts.append(tiles([tile(label, number(value(crawl, name)), name, count(crawl, name))
                        for name, label in COUNTS if name in crawl.index]))
    parts.append(_checks(crawl))
    parts.append(grid([
        figure(_pages_over_time(folder, crawl, duration),
               "Question pages written, by fetch time (fetched_at of the crawl's question rows). "
               "Other pages (sitemaps, listings, failures) are counted in the crawls row, not timed."),
        figure(_responses(crawl), "Responses the crawl received, by kind, from its crawls row."),
        figure(plots.bars("Problems by kind", [label for _, label in PROBLEMS],
                          [count(crawl, name) for name, _ in PROBLEMS], color=plots.RED),
               "Pages given up on, refused or retried, from the crawls row."),
    ]))
    parts.append("<h3>Slowest and failed URLs</h3>")
    parts.append(note(
        "Not recorded: the datasets and the crawls row keep no per-URL timings and no list of failed "
        "URLs, only the counts above. The crawl's log names every failed URL (lines 'Failed URL: reason', "
        "'Malformed page, not recorded', 'Gave up on a page', 'Still blocked after')."))
    return "".join(parts)


def _checks(crawl: pd.Series) -> str:
    checks = listed(value(crawl, "checks")) if "checks" in crawl.index else None
    if not checks:
        return "<h3>Quality checks</h3>" + note(f"{NOT_RECORDED}: this crawl's row holds no quality checks.")
    rows, css = [], []
    for check in checks:
        passed = check.get("passed")
        figures = check_figures(str(check.get("name")), _float(check.get("value")), _float(check.get("threshold")))
        rows.append([check.get("name"), *figures,
                     Cell("passed" if passed else "FAILED", sort=int(bool(passed)), css="good" if passed else "bad")])
        css.append("" if passed else "drop")
    failed = sum(1 for c in checks if not c.get("passed"))
    summary = note(f"{len(checks)} checks, {failed} failed." if failed else f"All {len(checks)} checks passed.")
    return "<h3>Quality checks</h3>" + summary + table(["check", "value", "threshold", "result"], rows,
                                                       numeric={1, 2}, row_css=css)


def _float(cell):
    return None if cell is None or pd.isna(cell) else float(cell)


# What a check's value is (pipelines/checks), so the table shows it as that: a count of pages or
# questions as a count, answers per question as a number, every other check's (the shares of
# pages, the coverages) as a percentage.
COUNT_CHECKS = {"questions_found", "start_urls_failed", "sitemaps_unread", "damaged_archive_records",
                "archive_crawls_not_ended"}
NUMBER_CHECKS = {"answers_per_question"}
SHARE_DIGITS, NUMBER_DIGITS = 1, 2  # decimals shown at least; more while two different figures read the same
MOST_DIGITS = 17


def check_figures(name: str, value: float | None, threshold: float | None) -> list[Cell]:
    """A check's value and threshold as cells: digits added until two different figures read
    differently, so a failed check never shows its value equal to its threshold (a count
    against 0.9 of the baseline's: 17,995 against 18,000.9, not 1.8e+04 against 1.8e+04)."""
    kind = name.split("/", 1)[0]
    digits = 0 if kind in COUNT_CHECKS else NUMBER_DIGITS if kind in NUMBER_CHECKS else SHARE_DIGITS
    show = _count if kind in COUNT_CHECKS else _number if kind in NUMBER_CHECKS else _percent_of
    shown = [show(value, digits), show(threshold, digits)]
    while value is not None and threshold is not None and value != threshold and _read(shown[0]) == _read(shown[1]) \
            and digits < MOST_DIGITS:
        digits += 1
        shown = [show(value, digits), show(threshold, digits)]
    return [Cell(text, sort=figure, css="num") if figure is not None else Cell("—")
            for text, figure in zip(shown, (value, threshold))]


def _read(shown: str) -> float:
    """The number a figure as shown says ("17,995.0" and "17,995" say the same)."""
    return float(shown.replace(",", "").rstrip("%"))


def _count(figure: float | None, digits: int) -> str:
    if figure is None:
        return "—"
    return f"{int(figure):,}" if float(figure).is_integer() else f"{figure:,.{max(digits, 1)}f}"


def _number(figure: float | None, digits: int) -> str:
    return "—" if figure is None else f"{figure:,.{digits}f}"


def _percent_of(figure: float | None, digits: int) -> str:
    return "—" if figure is None else f"{figure:.{digits}%}"


def _start_to_end(seconds: float | None) -> str:
    """The time from a crawl's start to its end, as its row's clock says: a resumed crawl's spans
    the time between its runs too, and a clock set back meanwhile can make it negative."""
    if seconds is None:
        return "—"
    if seconds < 0:
        return f"— (it ended {-seconds:,.1f} s before it started, by the clock: a clock set back between its runs)"
    return f"{seconds:,.1f} s (a resumed crawl's includes the time between its runs)"


def _pages_over_time(folder: DataFolder, crawl: pd.Series, duration: float | None) -> str:
    fetched = folder.rows_of("questions", crawl["crawl_id"])["fetched_at"].dropna()
    # A reparse's pages keep the time they were fetched, before the reparse started: their
    # own first one is the origin then.
    origin, since_what = crawl["started_at"], "the crawl started"
    if len(fetched) and fetched.min() < origin:
        origin, since_what = fetched.min(), "the first page was fetched"
    since = (fetched - origin).dt.total_seconds()
    span = max(float(since.max()) if len(since) else 0.0, duration or 0.0, 1.0)
    unit, seconds = ("hours", 3600) if span > 3 * 3600 else ("minutes", 60) if span > 180 else ("seconds", 1)
    return plots.histogram("Question pages over time", since / seconds, bins=min(60, max(10, int(span / seconds))),
                           xlabel=f"{unit} since {since_what}", ylabel="pages")


def _responses(crawl: pd.Series) -> str:
    kinds = [("not modified (304)", count(crawl, "pages_not_modified")),
             ("throttled (429)", count(crawl, "responses_429")),
             ("server errors (5xx)", count(crawl, "responses_5xx")),
             ("block pages", count(crawl, "pages_blocked"))]
    # Every response, retried ones included; a row from before that column knows only those
    # that reached the spider, which the retried ones never did.
    received = value(crawl, "responses")
    if received is None:
        received = count(crawl, "pages_fetched") + sum(n for label, n in kinds if label != kinds[0][0])
    other = max(0, int(received) - sum(n for _, n in kinds))
    labels = ["other (2xx, 3xx, 4xx)", *[label for label, _ in kinds]]
    colors = [plots.BLUE, plots.GREEN, plots.ORANGE, plots.RED, plots.RED]
    return plots.bars(f"Responses by status ({int(received):,} received)", labels, [other, *[n for _, n in kinds]],
                      colors=colors)


# 2. the history ----------------------------------------------------------------------------

def the_history(folder: DataFolder, crawl: pd.Series) -> str:
    crawls = folder.crawls
    plotted = crawls.tail(PLOT_CRAWLS)
    labels = [crawl_label(row) for _, row in plotted.iterrows()]
    parts = ["<h2>History of crawls of this data folder</h2>",
             note(f"{len(crawls):,} committed crawl{'s' if len(crawls) != 1 else ''}, oldest first in the plots"
                  + (f" (the newest {PLOT_CRAWLS:,} in them)." if len(crawls) > PLOT_CRAWLS else "."))]
    series = {label: [count(row, name) for _, row in plotted.iterrows()]
              for name, label in (("pages_fetched", "pages fetched"), ("questions", "questions"),
                                  ("answers", "answers"), ("doctors", "doctors"))}
    failures = {label: [count(row, name) for _, row in plotted.iterrows()]
                for name, label in (("pages_failed", "pages failed"), ("pages_blocked", "block pages"),
                                    ("pages_malformed", "malformed pages"), ("download_errors", "download errors"))}
    mapped = crawls.tail(MAP_CRAWLS)
    coverage = folder.coverage_by_crawl
    fields = [f"{d}.{f}" for d in DATA_DATASETS for f in _fields(coverage, d)]
    shares = []
    for name in fields:
        dataset, field = name.split(".", 1)
        rows = coverage[(coverage["dataset"] == dataset) & (coverage["field"] == field)].set_index("crawl_id")["non_null"]
        shares.append([_share(rows.get(crawl_id)) for crawl_id in mapped["crawl_id"]])
    newest = f" (the newest {PLOT_CRAWLS:,})" if len(crawls) > PLOT_CRAWLS else ""
    parts.append(grid([
        figure(plots.per_crawl(f"Rows and pages per crawl{newest}", labels, series, ylabel="count")),
        figure(plots.per_crawl(f"Failures per crawl{newest}", labels, failures, ylabel="count")),
    ]))
    newest = f" (the newest {MAP_CRAWLS} crawls)" if len(crawls) > MAP_CRAWLS else ""
    parts.append(figure(
        plots.coverage_map(f"Field coverage per crawl{newest}", [crawl_label(r) for _, r in mapped.iterrows()],
                           fields, shares),
        "Share of each crawl's rows with a value in each field, all markup families together, as the "
        "checks count it (an empty text or list holds no value): the crawl's recorded coverage, else "
        "counted from its files the same way. Grey: the crawl wrote no such rows, or its files predate "
        "the column."))
    parts.append(_history_table(crawls, crawl))
    return "".join(parts)


def _history_table(crawls: pd.DataFrame, crawl: pd.Series) -> str:
    """The newest HISTORY_ROWS crawls (and the reported one) a row each, newest first, their
    messages cut at MESSAGE_CHARS; the older ones summarised in a line: the report's size stays
    bounded however long the folder's history."""
    listed_ = crawls.tail(HISTORY_ROWS)
    if crawl["crawl_id"] not in set(listed_["crawl_id"]):
        listed_ = pd.concat([crawls[crawls["crawl_id"] == crawl["crawl_id"]], listed_])
    older = crawls[~crawls["crawl_id"].isin(listed_["crawl_id"])]
    rows = []
    for _, row in listed_[::-1].iterrows():
        started, finished = value(row, "started_at"), value(row, "finished_at")
        seconds = (finished - started).total_seconds() if started is not None and finished is not None else None
        mark = " (this report)" if row["crawl_id"] == crawl["crawl_id"] else ""
        rows.append([row["crawl_id"] + mark, started, value(row, "status"),
                     round(seconds, 1) if seconds is not None and seconds >= 0 else None,  # < 0: a clock set back
                     *[value(row, n) if value(row, n) is None else int(value(row, n))
                       for n in ("pages_fetched", "questions", "answers", "doctors", "pages_failed",
                                 "pages_blocked")],
                     _cut(text(value(row, "message"))) if value(row, "message") else ""])
    parts = []
    if len(older):
        statuses = older["status"].fillna("unknown").value_counts() if "status" in older else pd.Series(dtype=int)
        parts.append(note(
            f"The table lists the newest {HISTORY_ROWS:,} crawls; the {len(older):,} older ones, from "
            f"{crawl_label(older.iloc[0])} to {crawl_label(older.iloc[-1])} ("
            + ", ".join(f"{n:,} {status}" for status, n in statuses.items())
            + "), are not listed: `doctor-answers query \"SELECT * FROM crawls ORDER BY started_at\"` lists every one."))
    parts.append(table(["crawl", "started", "status", "start to end (s)", "pages", "questions", "answers", "doctors",
                        "failed", "blocked", "message"], rows, numeric={3, 4, 5, 6, 7, 8, 9}, scroll=True))
    return "".join(parts)


def _cut(message: str) -> str:
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"


def _fields(coverage: pd.DataFrame, dataset: str) -> list[str]:
    present = set(coverage.loc[coverage["dataset"] == dataset, "field"])
    return [f for f in fields_of(dataset) if f in present]


def _share(cell) -> float:
    return float("nan") if cell is None or (isinstance(cell, float) and math.isnan(cell)) else float(cell)


# 3. the content ----------------------------------------------------------------------------

def the_content(folder: DataFolder) -> str:
    latest = folder.latest
    questions, answers, doctors = latest["questions"], latest["answers"], latest["doctors"]
    contact = answers["has_contact_info"].dropna() if "has_contact_info" in answers else pd.Series(dtype=bool)
    parts = ["<h2>The content</h2>",
             note("What the data folder holds: the latest row of every question, answer and doctor "
                  "over all committed crawls (the answers a question's latest page shows)."),
             tiles([tile("questions", number(len(questions))), tile("answers", number(len(answers))),
                    tile("doctors", number(len(doctors))),
                    tile("answers with contact info", percent(contact.mean()) if len(contact) else "—"),
                    tile("markup families", number(questions["layout"].nunique()) if "layout" in questions else "—"),
                    tile("sites", number(_column(questions, "site").nunique()) if _column(questions, "site").notna().any()
                         else "not recorded")])]
    if questions.empty and answers.empty and doctors.empty:
        parts.append(note("The folder holds no rows yet: nothing to plot."))
        return "".join(parts)
    over_months, left_out = _over_months(questions, answers)
    items = [
        figure(over_months, "Questions by the date they were asked, answers by the date they were given, per "
                            "month." + (f" {left_out:,} dates outside {FIRST_YEAR}-{LAST_YEAR} (no date a page "
                                        "can name) left out." if left_out else "")),
        figure(_answers_per_question(questions, answers), "Answer rows per question (questions with none included)."),
        figure(_top("Markup families (questions)", questions, "layout", 10), "questions.layout: which family was read."),
        figure(_contact_by_family(questions, answers), "Share of answers whose body holds contact information."),
        figure(_top("Doctors by state (top 20)", doctors, "state", 20)),
        figure(_top("Doctors by specialty (top 20)", doctors, "specialty", 20)),
        figure(plots.histogram("Doctor ratings", _column(doctors, "rating").dropna(), bins=20,
                               xlabel="rating", ylabel="doctors")),
        figure(_review_counts(doctors)),
    ]
    parts.append(grid(items))
    return "".join(parts)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(dtype=object)


def _over_months(questions: pd.DataFrame, answers: pd.DataFrame) -> tuple[str, int]:
    """The plot of questions and answers per month, and how many dates it leaves out: those
    outside the years a page's date can name (a file written before the normaliser refused
    "Jan 1, 0001" holds them, and a time axis from year 1 cannot be drawn)."""
    series, left_out = {}, 0
    for label, frame, column in (("questions asked", questions, "asked_on"), ("answers given", answers, "answered_on")):
        dates = pd.to_datetime(_column(frame, column).dropna(), errors="coerce").dropna()
        plausible = dates.dt.year.between(FIRST_YEAR, LAST_YEAR)
        dates, left_out = dates[plausible], left_out + int((~plausible).sum())
        monthly = dates.dt.to_period("M").value_counts().sort_index()
        if len(monthly):
            monthly = monthly.reindex(pd.period_range(monthly.index.min(), monthly.index.max(), freq="M"), fill_value=0)
        series[label] = ([p.to_timestamp() for p in monthly.index], list(monthly.values))
    return plots.over_time("Questions and answers over time", series, ylabel="per month", step=False), left_out


def _answers_per_question(questions: pd.DataFrame, answers: pd.DataFrame) -> str:
    if questions.empty:
        return plots.counts("Answers per question", [], [], xlabel="answers")
    per_question = site_key(answers, "question_id").value_counts() if len(answers) else pd.Series(dtype=int)
    counts = site_key(questions, "question_id").map(per_question).fillna(0).astype(int).value_counts().sort_index()
    counts = counts.reindex(range(0, int(counts.index.max()) + 1), fill_value=0)
    return plots.counts("Answers per question", list(counts.index), list(counts.values), xlabel="answers",
                        ylabel="questions")


def _top(title: str, frame: pd.DataFrame, column: str, limit: int) -> str:
    values = _column(frame, column).fillna("(none)")
    top = values.value_counts().head(limit)
    return plots.bars(title, list(top.index), [int(v) for v in top.values])


def _contact_by_family(questions: pd.DataFrame, answers: pd.DataFrame) -> str:
    if answers.empty or "has_contact_info" not in answers:
        return plots.bars("Answers with contact info", [], [])
    layout = layout_by(questions, answers, "question_id")
    frame = pd.DataFrame({"family": layout.fillna("(unknown)"), "contact": answers["has_contact_info"]}).dropna()
    shares = frame.groupby("family")["contact"].mean()
    labels = ["all answers", *shares.index]
    return plots.bars("Answers with contact info", labels, [float(frame["contact"].mean()), *map(float, shares.values)],
                      percent=True, color=plots.ORANGE)


def _review_counts(doctors: pd.DataFrame) -> str:
    return plots.histogram("Doctor review counts", _column(doctors, "review_count").dropna(), bins=25,
                           xlabel="reviews", ylabel="doctors")


# 4. coverage against the previous crawl ---------------------------------------------------

def the_coverage(folder: DataFolder, crawl: pd.Series) -> str:
    previous = folder.previous(crawl)
    now, source = folder.coverage_by_family(crawl)
    parts = ["<h2>Field coverage per dataset and markup family</h2>"]
    if previous is None:
        before, before_source = None, None
        parts.append(note(f"Share of this crawl's rows with a value ({source}). No earlier crawl to compare with."))
    else:
        before, before_source = folder.coverage_by_family(previous)
        parts.append(note(f"Share of rows with a value: this crawl ({source}) against the previous crawl of "
                          f"the same sites {previous['crawl_id']} ({before_source}). Marked: the fields the "
                          f"crawl's coverage check fails (by its default settings), a fall of more than "
                          f"{defaults.CHECK_COVERAGE_MARGIN:.0%} of rows or than chance explains for so few pages; "
                          f"families of fewer than {defaults.CHECK_COVERAGE_MIN_ROWS} pages are not compared."))
    if now.empty:
        parts.append(note("This crawl wrote no rows: no coverage to show."))
        return "".join(parts)
    key = ["dataset", "layout", "field"]
    merged = now.merge(before, on=key, how="left", suffixes=("", "_before")) if before is not None and not before.empty \
        else now.assign(non_null_before=None, rows_before=None)
    marked = _dropped(now, before)
    rows, css = [], []
    for _, row in merged.iterrows():
        share, earlier = _optional(row["non_null"]), _optional(row.get("non_null_before"))
        change = share - earlier if share is not None and earlier is not None else None
        dropped = (row["dataset"], row["layout"], row["field"]) in marked
        rows.append([row["dataset"], row["layout"], row["field"],
                     Cell(percent(share) if share is not None else "not in files", sort=share if share is not None else -1, css="num"),
                     Cell(percent(earlier) if earlier is not None else "—", sort=earlier if earlier is not None else -1, css="num"),
                     Cell(f"{change:+.1%}" if change is not None else "—", sort=change if change is not None else 0,
                          css="num bad" if dropped else "num"),
                     _int(row["rows"]), _int(row.get("rows_before"))])
        css.append("drop" if dropped else "")
    order = sorted(range(len(rows)), key=lambda i: (css[i] != "drop", i))
    parts.append(table(["dataset", "family", "field", "this crawl", "previous", "change", "rows", "rows before"],
                       [rows[i] for i in order], numeric={3, 4, 5, 6, 7}, row_css=[css[i] for i in order], scroll=True))
    return "".join(parts)


def _dropped(now: pd.DataFrame, before: pd.DataFrame | None) -> set[tuple]:
    """(dataset, layout, field) of the fields whose share the crawl's coverage check fails."""
    if before is None or before.empty:
        return set()

    def entries(frame: pd.DataFrame) -> list[dict]:
        return [{**e, "non_null": _optional(e["non_null"])} for e in frame.to_dict("records")]

    failed = judged(entries(now), entries(before), defaults.CHECK_COVERAGE_MARGIN, defaults.CHECK_COVERAGE_NOISE_SIGMAS,
                    defaults.CHECK_COVERAGE_MIN_ROWS)
    return {(c["dataset"], c["layout"], c["field"]) for c, limit in failed if c["non_null"] < limit}


def _optional(cell) -> float | None:
    if cell is None:
        return None
    try:
        return None if pd.isna(cell) else float(cell)
    except (TypeError, ValueError):
        return None


def _int(cell):
    cell = _optional(cell)
    return None if cell is None else int(cell)
