"""`doctor-answers query "SQL"`: DuckDB over views of the datasets, read-only.

Views: `questions`, `answers`, `doctors` hold the latest row per (site, key) of committed
crawls (the latest view, pipelines.loader); `questions_all`, `answers_all`, `doctors_all`
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

import re
import signal
import threading
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.compute as pc

from pipelines.loader import committed_crawls, dataset_of, latest_files, latest_rows, readable, snapshots
from pipelines.output.names import data_folder
from pipelines.output.latest import DATASETS

LOCKDOWN = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET lock_configuration = true",
)

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
    con.register("_crawls", crawls)
    con.execute("CREATE VIEW crawls AS SELECT * FROM _crawls")
    latest = latest_files(root)
    for dataset in DATASETS:
        files = snapshots(dataset, root)
        con.register(f"_{dataset}_files", files)
        con.execute(f"CREATE VIEW {dataset}_all AS SELECT * FROM _{dataset}_files "
                    f"WHERE crawl_id IN (SELECT crawl_id FROM crawls)")
        if latest is not None:
            con.register(f"_{dataset}_latest", dataset_of(readable(latest[dataset]), dataset))
        else:
            # latest/ is behind (or absent): the same rule over the snapshots, in memory.
            table = files.to_table(filter=pc.field("crawl_id").isin(crawls["crawl_id"].combine_chunks().cast("string")))
            con.register(f"_{dataset}_latest", latest_rows(table, dataset, crawls))
        con.execute(f"CREATE VIEW {dataset} AS SELECT * FROM _{dataset}_latest")
    for statement in LOCKDOWN:
        con.execute(statement)
    return con


def run(sql: str, root: str | Path = "data"):
    """The result of one read-only SELECT as a pandas DataFrame; QueryError for anything else."""
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
        return _interruptible(con, sql)
    except (duckdb.Error, OSError, ValueError) as error:
        raise QueryError(_one_line(error)) from error


def _interruptible(con: duckdb.DuckDBPyConnection, sql: str):
    """The query's result, stopped by a stop that would raise KeyboardInterrupt (Ctrl-C; the
    CLI's SIGTERM too), which it then raises.

    The thread that calls DuckDB stays in C code until the query ends, where Python runs no
    signal handler: a Ctrl-C waited for the query's end. So DuckDB runs in a thread of its own
    while this one waits, and the stop's handler asks DuckDB to stop (`interrupt()`); once it
    has let go, the KeyboardInterrupt is raised. The handler raises nothing itself: a
    KeyboardInterrupt raised anywhere in this function could leave the query running, and a
    process that ends under DuckDB aborts (a thread of DuckDB's cut off as Python shuts down).
    """
    if threading.current_thread() is not threading.main_thread():  # signals are the main thread's
        return con.execute(sql).df()
    outcome: dict = {}
    done = threading.Event()
    stops: list[int] = []

    def execute() -> None:
        try:
            outcome["table"] = con.execute(sql).df()
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


# Characters that drive a terminal or its layout rather than print: C0 and C1 controls (ESC's
# colour and cursor sequences, NUL, BEL), line and paragraph separators, and the bidi marks,
# embeddings, overrides and isolates that reorder what follows them. Dataset text holds none
# (the cleaner drops them), but a SQL literal (chr(27)) or a column the cleaner does not cover may.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(table):
    """The result as `query` prints it: every control character of its strings, column names
    and nested values (lists, structs) escaped as Python writes it ("\\x1b"), never raw to the
    terminal; pandas escapes only "\\n", "\\r" and "\\t"."""
    table = table.rename(columns=lambda name: _shown(name) if isinstance(name, str) else name)
    for column, dtype in enumerate(table.dtypes):
        if dtype == object or isinstance(dtype, pd.StringDtype):  # strings, lists, structs
            table.isetitem(column, table.iloc[:, column].map(_shown))
    return table


def _shown(value):
    if isinstance(value, str):
        return _CONTROLS.sub(lambda m: repr(m.group())[1:-1], value) if _CONTROLS.search(value) else value
    if isinstance(value, dict):
        return {_shown(k): _shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_shown(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([_shown(v) for v in value], dtype=object)
    return value
