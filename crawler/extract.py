"""`doctor-answers extract PATH... [--url URL]`: saved question pages -> JSON lines.

Files, or folders of saved pages (`.html`, `.htm`, `.xhtml`) and WARC files (`.warc.gz`,
`.warc`), in any case, sorted (crawler.inputs: an entry of a folder not read is an error line). A WARC file gives
its question pages: HTTP 2xx responses to question URLs, in archive order (robots.txt,
sitemaps, listings and error responses are passed over). A page's records are printed only
when the whole page parsed; a bad page (a page or an archived body past DOWNLOAD_MAXSIZE, which
is not read, among them) gives one line on stderr naming the file (and, in a WARC file, the
page's URL), and the exit status is 1 after all the good pages are printed. A WARC file with no
question page (robots.txt, sitemaps, listings: one of a crawl's files split by ARCHIVE_FILE_BYTES)
is no damage: passed over in silence in a folder, a warning when named itself; only paths that
give no question page at all are an error.
A damaged record of a WARC file is one such line, and the records after it are read. Revisit
records hold no page of their own (their payload is printed from its response record). Each
record is printed once, by its WARC-Record-ID: a file holding records printed from another (a
copy, `gunzip -k`'s `.warc` beside its `.warc.gz`, files joined by `cat` beside their parts)
is said once on stderr, as `reparse` says it, and is no error.
"""
from __future__ import annotations

import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import orjson

from crawler.archive import is_warc
from crawler.containers import not_supported
from crawler.extraction import extract_page
from crawler.inputs import PAGES, WARCS, files_in, shown, too_big
from crawler.pages import PageError
from crawler.settings import DOWNLOAD_MAXSIZE

ERROR = "doctor-answers extract: error: "  # every command's error line (README, "Exit statuses and errors")
WARNING = "doctor-answers extract: warning: "


def _json_lines(records: list[dict]) -> bytes:
    """One JSON object a line, UTF-8 (orjson: an eighth of the json module's time a page)."""
    return b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records)


@lru_cache(maxsize=None)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def _file_url(f: Path) -> str:
    """The file: URL of a saved page; its folder resolved once, not every file (stat calls)."""
    return (_resolved(f.parent) / f.name).as_uri()


def _files(paths) -> tuple[list[Path], list[str]]:
    """The files to read, and an error line for each path that gives none, each entry of a
    folder not read (a page it cannot read: a `.html.gz`, a link to nothing, ...) and each
    archive in a container it does not read (a `.warc.zst`: named, not read as an archive, as
    `reparse` names it). A saved page in such a container is named where it is read (_saved_page)."""
    files, errors, passed_over = files_in(paths, (PAGES, WARCS))
    foreign = {}
    if warcs := [f for f in files if is_warc(f.name)]:
        from crawler.archive.reader import not_read  # warcio: only for archives

        foreign = not_read(warcs)
    kept = [f for f in files if f not in foreign]
    return kept, [f"{ERROR}{line}" for line in passed_over + errors + list(foreign.values())]


def _without_copies(files: list[Path], err) -> tuple[list[Path], dict[Path, frozenset]]:
    """The files to read, in reparse's order, and the ids of the records each repeats of
    another, as `reparse` finds them (crawler.archive.reader.without_copies: files that open
    with the same record), each such file said once, in reparse's words: the two read each
    record from the same file, and say the same of the others."""
    warcs = [f for f in files if is_warc(f.name)]
    if len(warcs) < 2:
        return files, {}
    from crawler.archive.reader import copy_words, without_copies

    kept, copies, repeats = without_copies(warcs)
    for copy, original in copies:
        print(f"{WARNING}{copy_words(copy, {original: 1}, 0)}", file=err)
    for path, (original, ids) in repeats.items():
        print(f"{WARNING}{copy_words(path, {original: len(ids)}, 1)}", file=err)
    left_out, in_order = {copy for copy, _ in copies}, iter(kept)
    ordered = [next(in_order) if is_warc(f.name) else f for f in files if f not in left_out]  # pages stay where they are
    return ordered, {path: ids for path, (_, ids) in repeats.items()}


def _saved_page(f: Path, err) -> bytes | None:
    """The bytes of a saved page, read once; None (said on `err`) for a file that cannot be
    read, one in a container not read (an MHTML or a compressed file: crawler.containers), or
    one too big to read (crawler.inputs.too_big)."""
    try:
        with f.open("rb") as page:
            data = page.read(DOWNLOAD_MAXSIZE + 1)  # no more than tells it is too big
    except OSError as e:
        print(f"{ERROR}{shown(f)}: unreadable file ({e.strerror or e})", file=err)
        return None
    if reason := not_supported(data, f.name) or too_big(len(data)):
        print(f"{ERROR}{shown(f)}: {reason}", file=err)
        return None
    return data


def _pages(f: Path, url: str | None, err, printed: dict, repeated: frozenset = frozenset(), named: bool = False):
    """(name for messages, URL, body, Content-Type) of each page a file holds; None after a read
    error. `printed`: {WARC-Record-ID: file} of the records read so far, a record of which is
    passed over (and the file holding it said once); `repeated`: ids of records passed over
    that were said already (_without_copies); `named`: the file was given itself, not found in
    a folder given."""
    if not is_warc(f.name):
        data = _saved_page(f, err)
        yield None if data is None else (shown(f), url or _file_url(f), data, None)
        return
    from crawler.archive.reader import copy_words, error_text, located, unreadable_from  # warcio: only for archives

    unread = []  # damaged records, bodies the crawl could not decode either: exit status 1

    def passed_over(offset: int, error: Exception) -> None:
        print(f"{ERROR}{shown(f)}: damaged record at byte {offset}, passed over ({error_text(error)})", file=err)
        unread.append(offset)

    questions, repeats, own = 0, Counter(), 0
    try:
        for record in located(f, on_damage=passed_over):
            response = record.response
            try:
                page = response.revisit is None and 200 <= response.status < 300 and response.is_question()
            except Exception as e:  # a value no rule reads: this record's alone, as reparse says it
                print(f"{ERROR}{shown(f)}: {response.url}: cannot be read ({error_text(e)})", file=err)
                unread.append(response.url)
                continue
            questions += page  # one printed from another file too: this file is not one without a page
            if record.record_id is not None:
                if record.record_id in repeated:
                    continue
                if record.record_id in printed:
                    repeats[printed[record.record_id]] += 1
                    continue
                printed[record.record_id] = f
                own += 1
            if page:
                if response.error or response.fault:  # the crawl did not read it either
                    print(f"{ERROR}{shown(f)}: {response.url}: {response.error or f'body {response.fault}'}", file=err)
                    unread.append(response.url)
                    continue
                yield f"{shown(f)}: {response.url}", response.url, response.body, response.content_type
    except Exception as e:  # damage with no record after it: the pages before it are printed
        print(f"{ERROR}{shown(f)}: {unreadable_from(0, e)}", file=err)
        unread.append(None)
    if repeats:
        print(f"{WARNING}{copy_words(f, repeats, own, 'responses')}", file=err)
    # robots.txt, sitemaps, listings only: a healthy crawl's file split by ARCHIVE_FILE_BYTES, or
    # a day that changed nothing. No damage; only a file asked for by name is worth a word.
    if not questions and not unread and named:
        print(f"{WARNING}{shown(f)}: no question page in this archive (no 2xx response to a question URL)", file=err)
    if unread:
        yield None


def extract_paths(paths, url: str | None = None, out=None, err=None) -> int:
    """Print the records of every page to `out` (a binary stream; default stdout's), errors
    to `err` (text); 0, or 1 after any bad file or page."""
    out = out if out is not None else sys.stdout.buffer
    err = err if err is not None else sys.stderr
    files, errors = _files(paths)
    status, printed = 0, {}
    for msg in errors:
        print(msg, file=err)
        status = 1
    files, repeats = _without_copies(files, err)
    named, pages = {Path(p) for p in paths}, 0
    for f in files:
        for page in _pages(f, url, err, printed, repeats.get(f, frozenset()), named=f in named):
            if page is None:
                status = 1
                continue
            pages += 1
            name, page_url, data, content_type = page
            try:
                lines = _json_lines(extract_page(page_url, data, content_type).records)
            except PageError as e:
                print(f"{ERROR}{name}: {e.reason}", file=err)
                status = 1
                continue
            except Exception as e:  # never a traceback, never a half record
                print(f"{ERROR}{name}: cannot extract ({type(e).__name__}: {e})", file=err)
                status = 1
                continue
            out.write(lines)
    out.flush()
    if files and not pages and not status:  # archives only (a saved page is printed or said bad), and no page
        these = "this archive" if len(paths) == 1 else "these archives"
        print(f"{ERROR}{', '.join(shown(p) for p in paths)}: no question page in {these} (no 2xx response to a "
              "question URL)", file=err)
        status = 1
    return status
