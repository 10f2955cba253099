"""The output protocol: what a crawl does with its rows, whatever stores them.

A crawl adds a page's rows (already checked against the schemas, pipelines.output.validate),
seals a batch (its files finished under temporary names, nothing visible yet), commits it
(everything of the batch becomes visible at once; idempotent, so a restart may commit a
sealed batch again), or aborts (drops what is not sealed). A sealed batch is named by an
opaque token, a string the output alone understands: the state store keeps it to commit
the batch again after a kill, without knowing what it means.

pipelines.output.datasets.ParquetDatasets is the implementation (Parquet files, hive
partitions, temporary name then rename); pipelines.output.batches drives it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Output(Protocol):
    def hold(self, crawl_id: str, state: Path | None) -> None:
        """Hold this crawl id for this process (one at a time; a second `hold` lets the first go);
        StateError when a live crawl of the same id writes here. `state`: its state folder, if any."""

    def written(self, crawl_id: str) -> bool:
        """Whether anything of this crawl is here (its `crawls` row or any of its files)."""

    def unknown_files(self, crawl_id: str, tokens: list[str]) -> list[str]:
        """The crawl's files here that none of its batches' `tokens` names."""

    def crawl_status(self, crawl_id: str) -> str | None:
        """The status of the crawl's `crawls` row, None without one."""

    def begin(self, crawl_id: str, crawl_date: str, part: int) -> int:
        """Start writing the rows of this crawl (held), its batches numbered from `part`; removes the
        temporaries of dead crawls (returns how many)."""

    def add(self, rows: dict[str, list[dict]]) -> None:
        """One page's rows, dataset -> rows (dicts of column values that fit the schema)."""

    def is_full(self) -> bool:
        """Whether the batch should be sealed now (files at their size limit)."""

    def seal(self, part: int, extra: list[tuple[Path, Path]]) -> str:
        """Seal batch number `part` (with `extra` sealed files of other components) and return its token."""

    def commit(self, token: str) -> None:
        """Make a sealed batch visible, the `extra` files of its seal before its rows (a kill between
        leaves no row without what it came from). Idempotent."""

    def holds(self, token: str) -> bool:
        """Whether the rows of a committed batch are all still where they were committed."""

    def abort(self) -> None:
        """Drop the rows and files not sealed yet."""

    def close(self) -> None:
        """The crawl is over (its temporaries are gone, its id no longer held)."""
