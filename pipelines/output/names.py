"""The names of a crawl's files in an output folder, and the crawl a file belongs to.

A crawl's rows are `<dataset>/crawl_date=<date>/<crawl id>-<part, 5 digits>.parquet`, its
`crawls` row `crawls/crawl_date=<date>/<crawl id>.parquet`. A crawl id may itself end in
`-<digits>` (`nightly-2`): a file is a crawl's by its whole name, never by a prefix. Kept free of
heavy imports: the command line checks a CRAWL_ID with it before a crawl starts.
"""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

DATA_DATASETS = ("questions", "answers", "doctors")
# The folders of a data folder: its datasets' snapshots, the latest view and its generations.
_PARTS_OF_DATA = frozenset((*DATA_DATASETS, "crawls", "latest", ".latest"))
_PART = re.compile(r"(.+)-\d{5,}\.parquet")


def crawl_of_file(path: Path) -> str:
    """The crawl id of a snapshot file, from its name `<crawl_id>-NNNNN.parquet`."""
    return path.name[: -len(".parquet")].rsplit("-", 1)[0]


def files_of_crawl(root: Path, crawl_id: str, datasets=DATA_DATASETS) -> list[Path]:
    """The visible data files (questions, answers, doctors, or those of `datasets`) of one crawl
    in an output folder."""
    return sorted(path for dataset in datasets
                  for path in (Path(root) / dataset).glob(f"crawl_date=*/{crawl_id}-*.parquet")
                  if (match := _PART.fullmatch(path.name)) and match.group(1) == crawl_id)


def crawl_row_files(root: Path, crawl_id: str) -> list[Path]:
    """The `crawls` row file of one crawl (one, or none while it runs)."""
    return sorted((Path(root) / "crawls").glob(f"crawl_date=*/{crawl_id}.parquet"))


def written_crawl(root: Path, crawl_id: str) -> bool:
    """Whether an output folder holds anything of this crawl: its row or any of its data files."""
    return bool(crawl_row_files(root, crawl_id) or files_of_crawl(root, crawl_id))


def data_folder(root: str | Path) -> Path:
    """`root` as a folder to read datasets from: FileNotFoundError when there is no folder there
    (a typo, an unexpanded `~`), ValueError when it is a folder inside a data folder (a dataset's,
    a date's, the latest view's), whose readers would find no dataset in it and read nothing."""
    path = Path(root)
    if not path.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no data folder there", str(path))
    if (up := enclosing_data_folder(path)) is not None:
        raise ValueError(f"{path} is a folder inside the data folder {up}: give {up}")
    return path


def enclosing_data_folder(path: str | Path) -> Path | None:
    """The data folder whose datasets' or latest view's folders `path` is in, or None."""
    here = Path(os.path.abspath(path))
    for up in list(here.parents)[:3]:
        if here.relative_to(up).parts[0] in _PARTS_OF_DATA and (up / "crawls").is_dir():
            return up
    return None
