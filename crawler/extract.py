"""`doctor-answers extract PATH... [--url URL]`: saved question pages -> JSON lines.

Files, or folders of `.html` (sorted). A page's records are printed only when the whole page
parsed; a bad page gives one line on stderr naming the file, and the exit status is 1 after
all the good pages are printed.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from crawler.extraction import extract_page
from crawler.pages import PageError


# One encoder for every record: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _files(paths) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*.html") if f.is_file())
            if not found:
                errors.append(f"error: {p}: no .html files in folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"error: {p}: no such file or folder")
    return files, errors


def extract_paths(paths, url: str | None = None, out=None, err=None) -> int:
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    files, errors = _files(paths)
    status = 0
    for msg in errors:
        print(msg, file=err)
        status = 1
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            print(f"error: {f}: unreadable file ({e.strerror or e})", file=err)
            status = 1
            continue
        page_url = url or f.resolve().as_uri()
        try:
            records = extract_page(page_url, data).records
        except PageError as e:
            print(f"error: {f}: {e.reason}", file=err)
            status = 1
            continue
        except Exception as e:  # never a traceback, never a half record
            print(f"error: {f}: cannot extract ({type(e).__name__}: {e})", file=err)
            status = 1
            continue
        out.write("".join(_JSON(r) + "\n" for r in records))
    try:
        out.flush()
    except (OSError, ValueError):
        pass
    return status
