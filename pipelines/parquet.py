"""Buffered Parquet files of one dataset, whole or absent.

Rows are buffered per dataset and written in large row groups (zstd) with the dataset's
explicit schema. A file is written under a hidden temporary name (`.name.tmp`, which every
reader skips) and renamed into place only when complete, so a crash, a kill or a full disk
never leaves a half file where readers look.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq


@dataclass
class DatasetWriter:
    folder: Path  # e.g. data/questions/crawl_date=2026-11-24
    schema: pa.Schema
    stem: str  # the crawl id: files are <stem>-00000.parquet, <stem>-00001.parquet, ...
    row_group_rows: int = 50_000
    file_rows: int = 1_000_000
    on_commit: Callable[[Path], None] | None = None  # told of every file renamed into place
    part: int = 0
    rows_written: int = 0
    _columns: dict[str, list] = field(init=False)
    _buffered: int = field(init=False, default=0)
    _writer: pq.ParquetWriter | None = field(init=False, default=None)
    _sink: object = field(init=False, default=None)
    _rows_in_file: int = field(init=False, default=0)

    def __post_init__(self):
        self._columns = {name: [] for name in self.schema.names}

    def add(self, row: dict) -> None:
        for name, values in self._columns.items():
            values.append(row.get(name))
        self._buffered += 1
        if self._buffered >= self.row_group_rows:
            self._write_row_group()

    def close(self) -> None:
        """Write what is buffered and put the last file in place."""
        self._write_row_group()
        self._commit_file()

    def abort(self) -> None:
        """Drop the file being written; committed files stay (they are whole)."""
        if self._writer is not None:
            try:
                self._writer.close()
                self._sink.close()
            except Exception:  # the disk may be what failed; the file goes anyway
                pass
            self._tmp_path().unlink(missing_ok=True)
            self._writer = None
        self._columns = {name: [] for name in self.schema.names}
        self._buffered = 0

    def _write_row_group(self) -> None:
        if not self._buffered:
            return
        table = pa.Table.from_pydict(self._columns, schema=self.schema)
        self._columns = {name: [] for name in self.schema.names}
        self._buffered = 0
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._sink = open(self._tmp_path(), "wb")
            self._writer = pq.ParquetWriter(self._sink, self.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=len(table))
        self._rows_in_file += len(table)
        self.rows_written += len(table)
        if self._rows_in_file >= self.file_rows:
            self._commit_file()

    def _commit_file(self) -> None:
        if self._writer is None:
            return
        self._writer.close()
        self._sink.flush()
        os.fsync(self._sink.fileno())
        self._sink.close()
        final = self._final_path()
        os.replace(self._tmp_path(), final)
        self._writer = None
        self._rows_in_file = 0
        self.part += 1
        if self.on_commit is not None:
            self.on_commit(final)

    def _final_path(self) -> Path:
        return self.folder / f"{self.stem}-{self.part:05d}.parquet"

    def _tmp_path(self) -> Path:
        return self.folder / f".{self.stem}-{self.part:05d}.parquet.tmp"


def write_table(path: Path, table: pa.Table) -> None:
    """Write one small table whole (the crawls row): temporary name, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as sink:
            pq.write_table(table, sink, compression="zstd")
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
