"""Buffered Parquet files of one dataset, whole or absent.

Rows are buffered per dataset and written in large row groups (zstd) with the dataset's
explicit schema (a page's rows are checked against it first, pipelines.output.validate, so a
value that does not fit never reaches a buffer). The buffer holds Python values for CHUNK_ROWS rows only: then they become a
compact Arrow record batch (a Python string costs its text plus ~50 bytes and a list slot; in
Arrow, its text plus 4). A row group is written when the batches reach `row_group_rows` rows
or `row_group_bytes` bytes, whichever first, so a crawl's memory does not grow with its size.
Rows go into a file under a hidden temporary name (`.name.tmp`, which every reader
skips). `seal()` finishes the file on disk and hands back (temporary, final) paths; the
caller renames them into place together with the other datasets' files of the same batch
(pipelines.output.batches), so a crash, a kill or a full disk never leaves a half file where
readers look, nor a question without its answers.
"""
from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.install import not_the_file


CHUNK_ROWS = 1024


@dataclass
class DatasetWriter:
    folder: Path  # e.g. data/questions/crawl_date=2026-11-24
    schema: pa.Schema
    stem: str  # the crawl id: files are <stem>-00000.parquet, <stem>-00001.parquet, ...
    row_group_rows: int = 50_000
    row_group_bytes: int = 8 * 1024 * 1024  # Arrow bytes buffered before a row group is written
    part: int = 0
    rows_written: int = 0  # rows in sealed files
    rows_in_file: int = 0  # rows in the file being written, buffer included
    _columns: dict[str, list] = field(init=False)
    _chunk: int = field(init=False, default=0)  # rows in _columns
    _batches: list = field(init=False, default_factory=list)  # record batches of earlier chunks
    _buffered: int = field(init=False, default=0)  # rows in _batches and _columns
    _buffered_bytes: int = field(init=False, default=0)  # Arrow bytes in _batches
    _writer: pq.ParquetWriter | None = field(init=False, default=None)
    _sink: object = field(init=False, default=None)

    def __post_init__(self):
        self._columns = {name: [] for name in self.schema.names}

    def add(self, row: dict) -> None:
        for name, values in self._columns.items():
            values.append(row.get(name))
        self._chunk += 1
        self._buffered += 1
        self.rows_in_file += 1
        if self._buffered >= self.row_group_rows:
            self._write_row_group()
        elif self._chunk >= CHUNK_ROWS:
            self._compact()
            if self._buffered_bytes >= self.row_group_bytes:
                self._write_row_group()

    def seal(self) -> tuple[Path, Path] | None:
        """Finish the current file on disk (fsynced); (temporary path, final path), or None if empty.

        The next rows go to the next part."""
        self._write_row_group()
        if self._writer is None:
            return None
        self._writer.close()
        self._sink.flush()
        os.fsync(self._sink.fileno())
        self._sink.close()
        paths = (self.tmp_path(self.part), self.final_path(self.part))
        self._writer = None
        self.rows_written += self.rows_in_file
        self.rows_in_file = 0
        self.part += 1
        return paths

    def abort(self) -> None:
        """Drop the file being written and the buffer; sealed files are not touched."""
        if self._writer is not None:
            try:
                self._writer.close()
                self._sink.close()
            except Exception:  # the disk may be what failed; the file goes anyway
                pass
            self._writer = None
        try:
            self.tmp_path(self.part).unlink(missing_ok=True)
        except OSError:  # e.g. its folder is not a folder: then there is no file either
            pass
        self._columns = {name: [] for name in self.schema.names}
        self._chunk = 0
        self._batches = []
        self._buffered = self._buffered_bytes = 0
        self.rows_in_file = 0

    def _compact(self) -> None:
        """The Python values of the current chunk into one Arrow record batch."""
        if not self._chunk:
            return
        batch = pa.RecordBatch.from_pydict(self._columns, schema=self.schema)
        self._columns = {name: [] for name in self.schema.names}
        self._chunk = 0
        self._batches.append(batch)
        self._buffered_bytes += batch.nbytes

    def _write_row_group(self) -> None:
        if not self._buffered:
            return
        self._compact()
        table = pa.Table.from_batches(self._batches, schema=self.schema)
        self._batches = []
        self._buffered = self._buffered_bytes = 0
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._sink = open(self.tmp_path(self.part), "wb")
            self._writer = pq.ParquetWriter(self._sink, self.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=len(table))

    def final_path(self, part: int) -> Path:
        return self.folder / f"{self.stem}-{part:05d}.parquet"

    def tmp_path(self, part: int) -> Path:
        return self.folder / f".{self.stem}-{part:05d}.parquet.tmp"


def warm_arrow() -> None:
    """Make pyarrow load what its first conversion of Python values loads (it imports pandas)."""
    try:
        pa.array([0], type=pa.int8())
    except Exception:  # only a head start (out of file descriptors, of memory): the crawl says its own errors
        pass


def publish(files: list[tuple[Path, Path]], then: Callable[[], None] | None = None) -> None:
    """Rename sealed files into place, all or none. Idempotent: a file already in place is
    left as it is; a file neither sealed nor in place (its folder moved or removed) publishes
    nothing, since rows would be visible without what they came with. A committed file is never
    replaced: a sealed file whose final name is taken publishes nothing either (that name is
    another run's batch of the same crawl). `then` (the rename of the crawls row that counts
    the batch) comes right after the renames, before the folders' fsyncs: what lies between
    the batch showing and its row saying so is a few renames, no disk flush."""
    if gone := next((tmp for tmp, final in files if not tmp.exists() and not final.exists()), None):
        raise FileNotFoundError(errno.ENOENT, "a sealed file went away before its commit", str(gone))
    if taken := next((final for tmp, final in files if tmp.exists() and final.exists()), None):
        raise FileExistsError(errno.EEXIST, "a committed file has this name already; it is never replaced", str(taken))
    for tmp, final in files:
        if tmp.exists():
            os.replace(tmp, final)
    if then is not None:
        then()
    for folder in {final.parent for _, final in files}:  # a batch spans several folders
        fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    # The renames themselves must survive a crash, not only the files' contents.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_writable(folder: Path, owner: str) -> None:
    """Raise OSError now if `folder` cannot be written, not after a whole crawl. The probe is
    named after its `owner` (a crawl id), so two crawls into one folder never race on it."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".{owner}.write-test.tmp"
    probe.write_bytes(b"")
    probe.unlink()


def read_table_file(path: Path, columns: list[str]) -> pa.Table | None:
    """Those of `columns` a small table's file (a crawls row) has, read whole; None when the file
    is gone. ValueError when it holds no Parquet (a stray file, a torn copy); OSError when it is
    there but cannot be read (permission, EIO): it may be a committed crawl's row, and a file not
    read is not a file that holds no row; MachineFailure when the machine could not read it."""
    try:
        data = path.read_bytes()  # the file system's failures, told apart from the content's below
    except FileNotFoundError:
        return None
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        return parquet.read(columns=[name for name in columns if name in parquet.schema_arrow.names])
    except (pa.ArrowException, OSError) as error:  # pyarrow says a torn footer with OSError too
        not_the_file(error)  # a thread that could not start: the file may be fine
        raise ValueError(f"no Parquet file: {str(error).splitlines()[0]}") from None


def unreadable_row(path: Path, error: OSError) -> str:
    """Why a crawls row file was not read, and what to do, in words."""
    return (f"cannot read {path} ({error.strerror or error}): it may be a committed crawl's row; make it readable "
            f"to this user, or move it out of the data folder if it is none")


def write_table(path: Path, table: pa.Table) -> None:
    """Write one small table whole (the crawls row): temporary name, fsync, rename."""
    write_table_then(path, table, None)


def write_table_then(path: Path, table: pa.Table, then: Callable[[Callable[[], None]], None] | None) -> None:
    """write_table, the table's rename done by `then` (a batch's publish, given the rename to do
    as soon as its own renames are done: the row that counts it follows it at once); the table
    is not renamed if `then` fails before it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as sink:
            pq.write_table(table, sink, compression="zstd")
            sink.flush()
            os.fsync(sink.fileno())
        rename = lambda: os.replace(tmp, path)  # noqa: E731
        if then is None:
            rename()
        else:
            then(rename)
        fsync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
