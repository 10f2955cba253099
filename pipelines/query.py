"""`doctor-answers query "SQL"`: DuckDB over views of the datasets, read-only.

Views: `questions`, `answers`, `doctors` hold the latest row per (site, key) of committed
crawls (the latest view, pipelines.loader: answers those of their question's newest fetch); `questions_all`, `answers_all`, `doctors_all`
every snapshot of committed crawls; `crawls` one row per committed crawl.

Confined: DuckDB itself opens no file. The views are over pyarrow datasets of the data
folder's files, listed by the project (so a folder named `br[1]` or `st*r` is a path, never a
glob) and read with each dataset's current schema (a file older than a column reads it null).
The connection then locks down: no file system access (no COPY, ATTACH, read_csv of other
files), no extension installed or loaded, configuration locked; and only a single SELECT is
run. Any failure is a QueryError with a one-line message; a Ctrl-C stops the query at once
(a KeyboardInterrupt).
"""
from __future__ import annotations

import signal
import threading
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.compute as pc

from pipelines.loader import (committed_crawls, dataset_of, latest_files, latest_rows, missing, readable,
                              snapshots, warn_once)
from pipelines.output.names import data_folder
from pipelines.output.latest import DATASETS

LOCKDOWN = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET lock_configuration = true",
)

COUNT_BATCH = 65_536  # rows past --max-rows are counted a batch of this many at a time
INTERRUPT_AGAIN = 0.1  # seconds: how often a stopped query is asked again to stop, until it does


class QueryError(Exception):
    """A query that cannot be run: the message is one line for the user."""


def _one_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def connect(root: str | Path = "data") -> duckdb.DuckDBPyConnection:
    root = data_folder(root)  # no folder, or one inside a data folder: said, not read as empty
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    crawls = committed_crawls(root)
    for line in missing(root, crawls):  # read as none, they would be a silent 0
        warn_once(line)
    con.register("_crawls", crawls)
    con.execute("CREATE VIEW crawls AS SELECT * FROM _crawls")
    latest = latest_files(root)
    questions = None  # the committed questions, read once the view is behind: the answers kept are of their newest fetch
    for dataset in DATASETS:
        files = snapshots(dataset, root)
        con.register(f"_{dataset}_files", files)
        con.execute(f"CREATE VIEW {dataset}_all AS SELECT * FROM _{dataset}_files "
                    f"WHERE crawl_id IN (SELECT crawl_id FROM crawls)")
        if latest is not None:
            con.register(f"_{dataset}_latest", dataset_of(readable(latest[dataset]), dataset))
        else:
            # latest/ is behind (or absent): the same rule over the snapshots, in memory.
            table = files.to_table(filter=pc.field("crawl_id").isin(crawls["crawl_id"].combine_chunks().cast("string")),
                                   use_threads=False)  # see pipelines.loader.dataset_of
            questions = table if dataset == "questions" else questions
            con.register(f"_{dataset}_latest", latest_rows(table, dataset, crawls, questions))
        con.execute(f"CREATE VIEW {dataset} AS SELECT * FROM _{dataset}_latest")
    for statement in LOCKDOWN:
        con.execute(statement)
    return con


def run(sql: str, root: str | Path = "data"):
    """The result of one read-only SELECT as a pandas DataFrame; QueryError for anything else."""
    return _execute(sql, root, lambda result: result.df())


@dataclass
class Rows:
    """The first rows of a result as DuckDB gives them to Python (exact: int, Decimal, float,
    None for NULL), and how many rows the whole result has."""
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    total: int


def fetch(sql: str, root: str | Path = "data", max_rows: int | None = None) -> Rows:
    """The result of one read-only SELECT, its first `max_rows` rows kept (all when None) and the
    rest only counted, so a result of millions of rows costs no more memory than a batch. A
    column of a type Python reads otherwise than DuckDB prints it (`_AS_TEXT`) comes as
    DuckDB's own text."""
    def collect(result) -> Rows:
        columns = [column[0] for column in result.description]
        types = [str(column[1]) for column in result.description]
        rows = result.fetchall() if max_rows is None else result.fetchmany(max_rows)
        total = len(rows)
        if max_rows is not None and total == max_rows:
            with warnings.catch_warnings():  # "an extra copy of the rows": one batch at a time, counted only
                warnings.simplefilter("ignore")
                total += sum(batch.num_rows for batch in result.to_arrow_reader(COUNT_BATCH))
        return Rows(columns, types, rows, total)

    return _execute(sql, root, collect, as_printed=True)


# Python's value of these types is not what DuckDB holds: an INTERVAL of 1 month is 30 days,
# the dates 'infinity' and '-infinity' are 9999-12-31 and 0001-01-01, a time zone reads
# "+00:00", a BLOB b'a'. A column of one is fetched as DuckDB's text (a cast in the query).
# Inside a list or a struct they stay Python's: DuckDB's text of a nested value does not
# quote its texts, and ['NULL'] would print as [NULL].
_AS_TEXT = {"INTERVAL", "BLOB", "BIT", "DATE"}


def _as_text(kind: str) -> bool:
    return kind in _AS_TEXT or kind.startswith("TIME")  # TIME, TIMESTAMP, each with its precision or zone


def _printed(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The query, its columns of `_AS_TEXT` types cast to DuckDB's text (by position: two
    columns may have one name), their names kept."""
    relation = con.sql(query)
    kinds = [str(kind) for kind in relation.types]
    if not any(_as_text(kind) for kind in kinds):
        return query
    columns = ", ".join(f"#{i}{'::VARCHAR' if _as_text(kind) else ''} AS {_quoted(name)}"
                        for i, (name, kind) in enumerate(zip(relation.columns, kinds), 1))
    return f"SELECT {columns} FROM (\n{_without_its_end(query)}\n) AS _query"


def _without_its_end(query: str) -> str:
    """The query less the ';'s and comments that end it (DuckDB's own tokens: a ';' or a '--'
    in a string is no end), which inside brackets would end nothing or all."""
    end = len(query)
    for position, kind in reversed(duckdb.tokenize(query)):
        if kind != duckdb.token_type.comment and query[position:end].strip() != ";":
            break
        end = position
    return query[:end]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _execute(sql: str, root: str | Path, collect, as_printed: bool = False):
    try:
        con = connect(root)
    except (duckdb.Error, OSError, ValueError) as error:
        raise QueryError(f"cannot read {root}: {_one_line(error)}") from error
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryError(_one_line(error)) from error
    if len(statements) != 1:
        raise QueryError(f"one SELECT statement at a time ({len(statements)} given)")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryError(f"only SELECT queries are run: {kind.name} refused (the data folder is read-only here)")
    try:
        query = _printed(con, statements[0].query) if as_printed else sql
        return _interruptible(con, query, collect)
    except (duckdb.Error, OSError, ValueError) as error:
        raise QueryError(_one_line(error)) from error


def _interruptible(con: duckdb.DuckDBPyConnection, sql: str, collect):
    """`collect` of the query's result, stopped by a stop that would raise KeyboardInterrupt (Ctrl-C; the
    CLI's SIGTERM too), which it then raises.

    The thread that calls DuckDB stays in C code until the query ends, where Python runs no
    signal handler: a Ctrl-C waited for the query's end. So DuckDB runs in a thread of its own
    while this one waits, and the stop's handler asks DuckDB to stop (`interrupt()`); once it
    has let go, the KeyboardInterrupt is raised. The handler raises nothing itself: a
    KeyboardInterrupt raised anywhere in this function could leave the query running, and a
    process that ends under DuckDB aborts (a thread of DuckDB's cut off as Python shuts down).
    """
    if threading.current_thread() is not threading.main_thread():  # signals are the main thread's
        return collect(con.execute(sql))
    outcome: dict = {}
    done = threading.Event()
    stops: list[int] = []

    def execute() -> None:
        try:
            outcome["table"] = collect(con.execute(sql))
        except BaseException as error:  # raised again in the caller's thread
            outcome["error"] = error
        finally:
            done.set()

    def stop(signum, frame) -> None:
        stops.append(signum)
        con.interrupt()

    taken = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)
             if signal.getsignal(signum) is signal.default_int_handler}
    for signum in taken:
        signal.signal(signum, stop)
    try:
        threading.Thread(target=execute, name="query", daemon=True).start()
        while not done.wait(INTERRUPT_AGAIN):
            if stops:  # an interrupt() that came before DuckDB began the query is lost
                con.interrupt()
    finally:
        for signum, handler in taken.items():
            signal.signal(signum, handler)
    if stops:
        raise KeyboardInterrupt
    if "error" in outcome:
        raise outcome["error"]
    return outcome["table"]


# `query`'s table: every value as DuckDB holds it, never rounded (a float's shortest form that
# reads back as the same float, as DuckDB's own CLI prints it; DECIMAL and HUGEINT digit for
# digit), NULL as NULL, and a text bare unless bare it would read as something else.
NULL = "NULL"
_REAL = {"FLOAT", "REAL", "FLOAT4"}  # single precision: its own shortest form, not its double's


def table_text(result: Rows) -> str:
    """The lines `query` prints: a header, the rows kept, and a last line when there are no rows
    or when rows were left out (how many, and how to see them)."""
    cells = [[_shown_name(name) for name in result.columns]]
    cells += [[shown(value, kind) for value, kind in zip(row, result.types)] for row in result.rows]
    right = [_numeric(kind) for kind in result.types]
    widths = [max(len(line[i]) for line in cells) for i in range(len(result.columns))]
    lines = [" ".join(cell.rjust(width) if right[i] else cell.ljust(width)
                      for i, (cell, width) in enumerate(zip(line, widths))).rstrip() for line in cells]
    if result.total == 0:
        lines.append("(no rows)")
    elif result.total > len(result.rows):
        lines.append(f"({len(result.rows):,} of {result.total:,} rows shown: --max-rows {result.total} shows them all)")
    return "\n".join(lines)


def shown(value, kind: str = "") -> str:
    """One value as `query` prints it."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(np.float32(value)) if kind in _REAL else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, date, datetime, time, timedelta)):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_nested(k)}: {_nested(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return repr(bytes(value))
    return _text(str(value))  # UUID, and any type DuckDB adds later: its text, escaped


def _nested(value) -> str:
    # Inside a list or struct every text is quoted: [a, b] would not say where a text ends.
    return repr(value) if isinstance(value, str) else shown(value)


def _text(value: str) -> str:
    """A text bare when bare it reads as itself; otherwise quoted and escaped as Python writes it
    (control characters, bidi marks and backslashes escaped, so an escape can be told from the
    text "\\x1b"): the empty text, NULL, one with a backslash or a character that does not print,
    or with spaces or a quote at an end."""
    bare = (value and value != NULL and value == value.strip() and value[0] not in "'\"" and value[-1] not in "'\""
            and "\\" not in value and all(ch.isprintable() or ch in _JOINERS for ch in value))
    return value if bare else repr(value)  # repr escapes every character that does not print


# Not printable to Python, yet printed as part of what they join (an emoji's zero-width joiner,
# a soft hyphen): no reason to quote a text for them.
_JOINERS = "\u200c\u200d\u00ad"


def _shown_name(name) -> str:
    return _text(name) if isinstance(name, str) else str(name)


def _numeric(kind: str) -> bool:
    return kind.split("(")[0] in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                                  "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL"}
