"""`doctor-answers extract PATH... [--url URL]`: saved question pages -> JSON lines.

Files, or folders of `.html` and WARC files (`.warc.gz`, `.warc`; sorted). A WARC file gives
its question pages: HTTP 200 responses to question URLs, in archive order (robots.txt,
sitemaps, listings and error responses are passed over). A page's records are printed only
when the whole page parsed; a bad page gives one line on stderr naming the file (and, in a
WARC file, the page's URL), and the exit status is 1 after all the good pages are printed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.archive.reader import is_warc, responses
from crawler.extraction import extract_page
from crawler.inputs import files_in
from crawler.pages import PageError


# One encoder for every record: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _wanted(path: Path) -> bool:
    return path.suffix == ".html" or is_warc(path.name)


def _files(paths) -> tuple[list[Path], list[str]]:
    files, errors = files_in(paths, _wanted, ".html or WARC")
    return files, [f"error: {line}" for line in errors]


def _pages(f: Path, url: str | None, err):
    """(name for messages, URL, body, Content-Type) of each page a file holds; None after a read error."""
    if not is_warc(f.name):
        try:
            data = f.read_bytes()
        except OSError as e:
            print(f"error: {f}: unreadable file ({e.strerror or e})", file=err)
            yield None
            return
        yield str(f), url or f.resolve().as_uri(), data, None
        return
    from crawler.discovery import is_question_url  # Scrapy's sitemap code: only for archives

    try:
        for response in responses(f):
            if response.status == 200 and is_question_url(response.url):
                yield f"{f}: {response.url}", response.url, response.body, response.content_type
    except Exception as e:  # a damaged archive: the pages before the damage are printed
        print(f"error: {f}: unreadable archive ({type(e).__name__}: {e})", file=err)
        yield None


def extract_paths(paths, url: str | None = None, out=None, err=None) -> int:
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    files, errors = _files(paths)
    status = 0
    for msg in errors:
        print(msg, file=err)
        status = 1
    for f in files:
        for page in _pages(f, url, err):
            if page is None:
                status = 1
                continue
            name, page_url, data, content_type = page
            try:
                records = extract_page(page_url, data, content_type).records
            except PageError as e:
                print(f"error: {name}: {e.reason}", file=err)
                status = 1
                continue
            except Exception as e:  # never a traceback, never a half record
                print(f"error: {name}: cannot extract ({type(e).__name__}: {e})", file=err)
                status = 1
                continue
            out.write("".join(_JSON(r) + "\n" for r in records))
    try:
        out.flush()
    except (OSError, ValueError):
        pass
    return status
