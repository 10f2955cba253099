"""The files a command reads: paths given by a person, each a file or a folder of files."""
from __future__ import annotations

from pathlib import Path


def files_in(paths, wanted, kinds: str) -> tuple[list[Path], list[str]]:
    """(files, one error line per path that gives none): a file as it is, a folder's files that
    `wanted` takes (hidden ones, such as a writer's temporaries, never), sorted; `kinds` names
    them in the error of a folder without any ("no .html or WARC files in folder")."""
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith(".") and wanted(f))
            if not found:
                errors.append(f"{p}: no {kinds} files in folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors
