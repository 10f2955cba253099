"""The files a command reads: paths given by a person, each a file or a folder of files."""
from __future__ import annotations

from pathlib import Path


def files_in(paths, wanted, kinds: str) -> tuple[list[Path], list[str]]:
    """(files, one error line per path that gives none): a file as it is, a folder's files that
    `wanted` takes (hidden ones and those in hidden folders, such as a writer's temporaries,
    never), sorted; each file once, however many paths or links name it; `kinds` names them in
    the error of a folder without any ("no .html or WARC files in folder")."""
    files: dict[Path, Path] = {}  # the real file -> the path it was first named by
    errors: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and wanted(f)
                           and not any(part.startswith(".") for part in f.relative_to(path).parts))
            if not found:
                errors.append(f"{p}: no {kinds} files in folder")
            for f in found:
                files.setdefault(f.resolve(), f)
        elif path.is_file():
            files.setdefault(path.resolve(), path)
        else:
            errors.append(f"{p}: no such file or folder")
    return list(files.values()), errors
