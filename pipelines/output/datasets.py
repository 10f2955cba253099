"""The output protocol (pipelines.output.protocol) as Parquet datasets: questions, answers, doctors.

Each dataset is written by a DatasetWriter (pipelines.output.parquet) under the hive partition
of the crawl's UTC start date. A batch is the three datasets' files sealed together (with the
files other components seal for the same batch, e.g. the WARC archive); its token is the
JSON list of (temporary, final) paths, relative to the output folder when inside it, and
committing it renames them into place, so a question never lands without its answers. The
other components' files are renamed first, the datasets' last: a kill between the renames
then leaves responses no row names yet (harmless; the state's roll forward, or the page
fetched again, brings the rows), never a row whose response is in no committed file.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.install import not_the_file
from pipelines.output.names import DATA_DATASETS, crawl_row_files, files_of_crawl, written_crawl
from pipelines.output.parquet import DatasetWriter, check_writable, publish
from pipelines.output.running import RunningCrawl, remove_dead_temporaries
from pipelines.schemas import SCHEMAS


class ParquetDatasets:
    def __init__(self, root: Path, *, row_group_rows: int, row_group_bytes: int, file_rows: int):
        self.root = Path(root)
        self.row_group_rows, self.row_group_bytes, self.file_rows = row_group_rows, row_group_bytes, file_rows
        self.crawl_id: str | None = None
        self.writers: dict[str, DatasetWriter] = {}
        self.running: RunningCrawl | None = None
        self._file_rows: dict[Path, int] = {}  # committed file -> its rows (a committed file never changes)

    def check_writable(self, crawl_id: str) -> None:
        """Raise OSError now if the folder cannot be written, not after a whole crawl."""
        check_writable(self.root, crawl_id)

    def hold(self, crawl_id: str, state: Path | None) -> None:
        """Hold this crawl id in the folder (StateError when a live crawl of it writes there)."""
        self.close()
        self.running = RunningCrawl(self.root, crawl_id, state)

    def begin(self, crawl_id: str, crawl_date: str, part: int) -> int:
        """Start this crawl's files (its id held); returns how many dead crawls' temporary files were removed."""
        self.crawl_id = crawl_id
        removed = remove_dead_temporaries(self.root, crawl_id)
        # Each folder of the data folder this crawl writes in that is there already (made by another
        # user's run, or read-only) is tried now, not at the first commit, after minutes of fetching.
        for dataset in (*DATA_DATASETS, "crawls"):
            for folder in (self.root / dataset, self.root / dataset / f"crawl_date={crawl_date}"):
                if folder.is_dir():
                    check_writable(folder, crawl_id)
        self.writers = {
            name: DatasetWriter(folder=self.root / name / f"crawl_date={crawl_date}", schema=SCHEMAS[name],
                                stem=crawl_id, row_group_rows=self.row_group_rows,
                                row_group_bytes=self.row_group_bytes, part=part)
            for name in DATA_DATASETS
        }
        return removed

    def add(self, rows: dict[str, list[dict]]) -> None:
        for dataset, dataset_rows in rows.items():
            writer = self.writers[dataset]
            for row in dataset_rows:
                writer.add(row)

    def is_full(self) -> bool:
        return any(writer.rows_in_file >= self.file_rows for writer in self.writers.values())

    def seal(self, part: int, extra: list[tuple[Path, Path]]) -> str:
        files = []
        try:
            for writer in self.writers.values():
                writer.part = part
                if paths := writer.seal():
                    files.append(paths)
                writer.part = part + 1  # one part number per batch, across datasets, files or not
        except BaseException:  # a dataset that cannot be sealed (a full disk): no batch, none of its files
            for tmp, _ in files:
                tmp.unlink(missing_ok=True)
            raise
        return json.dumps([[self._relative(tmp), self._relative(final)] for tmp, final in files + list(extra)])

    def commit(self, token: str, then=None) -> None:
        """Publish the batch, the other components' files before the datasets' (whatever order the
        token lists them in: a state's pending token may be older than this rule); `then`: done
        right after its renames (publish's)."""
        ordered = sorted(json.loads(token), key=lambda pair: _is_dataset_file(pair[1]))  # stable: others first
        publish(self._paths(ordered), then)

    def holds(self, token: str) -> bool:
        """Whether the batch's dataset files are all where they were committed. The files other
        components sealed with it (the WARC archive) may have moved: an archive is rotated to
        other storage, and the rows a state's pages stand for are still here."""
        return all((self.root / final).exists() for _, final in json.loads(token) if _is_dataset_file(final))

    def written(self, crawl_id: str) -> bool:
        return written_crawl(self.root, crawl_id)

    def unknown_files(self, crawl_id: str, tokens: list[str]) -> list[str]:
        """The crawl's data files here that none of `tokens` names: committed by another run of it."""
        known = {final for token in tokens for _, final in json.loads(token)}
        return [name for path in files_of_crawl(self.root, crawl_id)
                if (name := self._relative(path)) not in known]

    def crawl_status(self, crawl_id: str) -> str | None:
        """The status its `crawls` row gives, None without one (or one that cannot be read)."""
        for path in crawl_row_files(self.root, crawl_id):
            try:
                return pq.ParquetFile(path).read(columns=["status"])["status"][0].as_py()
            except (pa.ArrowException, OSError, KeyError, IndexError) as error:
                not_the_file(error)  # not read is not no row: a resumed crawl would write a second
                return None
        return None

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()

    def close(self) -> None:
        if self.running is not None:
            self.running.release()
            self.running = None

    def rows_of_crawl(self, dataset: str, token: str | None = None) -> int:
        """Rows of this crawl in committed files (a resumed crawl's earlier runs included), and in
        the sealed files of batch `token` not committed yet. A resumed crawl counts them at each
        batch: each committed file's footer is read once."""
        committed = sum(self._rows_in(path) for path in files_of_crawl(self.root, self.crawl_id, (dataset,)))
        sealed = [tmp for tmp, final in self._paths(json.loads(token or "[]"))
                  if final.parent.parent == self.root / dataset and tmp.exists() and not final.exists()]
        return committed + sum(pq.ParquetFile(tmp).metadata.num_rows for tmp in sealed)

    def _rows_in(self, path: Path) -> int:
        if (rows := self._file_rows.get(path)) is None:
            rows = self._file_rows[path] = pq.ParquetFile(path).metadata.num_rows
        return rows

    def _relative(self, path: Path) -> str:
        path, root = Path(os.path.abspath(path)), Path(os.path.abspath(self.root))
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    def _paths(self, pairs: list) -> list[tuple[Path, Path]]:
        # root / an absolute path is that path: files of other components may live elsewhere.
        return [(self.root / tmp, self.root / final) for tmp, final in pairs]


def _is_dataset_file(final: str) -> bool:
    """Whether a token's final path is a file of the datasets (relative, under a dataset's folder),
    not one another component sealed with the batch."""
    return not Path(final).is_absolute() and Path(final).parts[0] in DATA_DATASETS
