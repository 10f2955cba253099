"""The files a command reads: paths given by a person, each a file or a folder of files."""
from __future__ import annotations

import os
from pathlib import Path

from crawler.settings import DOWNLOAD_MAXSIZE


def files_in(paths, wanted, kinds: str) -> tuple[list[Path], list[str]]:
    """(files, one error line per path that gives none): a file as it is, a folder's files that
    `wanted` takes (hidden ones and those in hidden folders, such as a writer's temporaries,
    never), sorted; each file once, however many paths or links name it; `kinds` names them in
    the error of a folder without any ("no .html or WARC files in folder")."""
    files: dict[tuple[int, int], Path] = {}  # the file (device, inode) -> the path it was first named by
    errors: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in _visible_files(path) if wanted(f))
            if not found:
                errors.append(f"{p}: no {kinds} files in folder")
            for f in found:
                files.setdefault(_identity(f), f)
        elif path.is_file():
            files.setdefault(_identity(path), path)
        elif path.exists():  # a pipe, a device (/dev/stdin): a WARC is read by offset, which they cannot give
            errors.append(f"{p}: not a regular file (a pipe or a device): save it to a file first")
        else:
            errors.append(f"{p}: no such file or folder")
    return list(files.values()), errors


def _identity(path: Path) -> tuple[int, int]:
    """The file a path names, through symbolic and hard links alike (a `cp -l` backup)."""
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def _visible_files(folder: Path):
    """The files below a folder, through linked folders too (each real folder once: a link
    back up is no loop), neither hidden nor in a hidden folder."""
    seen: set[str] = set()
    for here, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = [name for name in folders if not name.startswith(".")]
        yield from (Path(here, name) for name in names if not name.startswith(".") and os.path.isfile(Path(here, name)))


def too_big(size: int) -> str | None:
    """Why a page of `size` bytes (a saved file, an archived body) is not read, or None: past
    DOWNLOAD_MAXSIZE a crawl reads no page (its download is cancelled), and reading one takes
    some sixty times its size in memory."""
    if size <= DOWNLOAD_MAXSIZE:
        return None
    return f"not read: larger than DOWNLOAD_MAXSIZE ({DOWNLOAD_MAXSIZE} bytes), the most a crawl reads of a page"
