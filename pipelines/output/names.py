"""The names of a crawl's files in an output folder, and the crawl a file belongs to.

A crawl's rows are `<dataset>/crawl_date=<date>/<crawl id>-<part, 5 digits>.parquet`, its
`crawls` row `crawls/crawl_date=<date>/<crawl id>.parquet`. A crawl id may itself end in
`-<digits>` (`nightly-2`): a file is a crawl's by its whole name, never by a prefix. Kept free of
heavy imports: the command line checks a CRAWL_ID with it before a crawl starts.
"""
from __future__ import annotations

import re
from pathlib import Path

DATA_DATASETS = ("questions", "answers", "doctors")
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
