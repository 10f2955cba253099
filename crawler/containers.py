"""What a file given to `extract` or `reparse` is, when it is a container or a coding they do
not read: named as such ("not supported: ..."), never read on as a page or an archive and then
called truncated, damaged or no HTML document."""
from __future__ import annotations

import re
from pathlib import Path

from crawler.archive import is_warc
from crawler.inputs import shown

# Magic numbers of the compressed forms people keep files in. gzip is read in a WARC file (each
# record a gzip member, or the whole file), not in a saved page.
_COMPRESSED = ((b"\x28\xb5\x2f\xfd", "zstd", "zstd -d"), (b"\xfd7zXZ\x00", "xz", "xz -d"),
               (b"BZh", "bzip2", "bunzip2"), (b"PK\x03\x04", "zip", "unzip"), (b"\x1f\x8b", "gzip", "gunzip"))
# A MIME message (MHTML: a browser's "save as single file") opens with header fields, among
# them a multipart/related Content-Type, where an HTML page opens with markup.
_MIME_HEAD = re.compile(rb"(?:[A-Za-z][A-Za-z0-9-]*:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+\r?\n")
_MULTIPART = re.compile(rb"^content-type:\s*multipart/related", re.I | re.M)
_HEAD = 8192


def not_supported(path: Path) -> str | None:
    """Why the file is not read (`not supported: ...`), or None for one the tools read (or
    cannot open: the reader says so)."""
    try:
        with path.open("rb") as file:
            head = file.read(_HEAD)
    except OSError:
        return None
    archive = is_warc(path.name)
    for magic, coding, undo in _COMPRESSED:
        if head.startswith(magic) and not (archive and coding == "gzip"):
            what = "archive" if ".warc" in path.name.lower() else "file"
            return f"not supported: a {coding}-compressed {what}, not read (decompress it first: {undo})"
    mime = _MIME_HEAD.match(head.lstrip())
    if not archive and mime and _MULTIPART.search(mime.group()):
        return ("not supported: a saved MHTML archive (a browser's \"save as single file\"), not read "
                "(save the page as HTML)")
    return None


def supported(files: list[Path]) -> tuple[list[Path], list[str]]:
    """(the files the tools read, one error line for each of the others)."""
    kept, errors = [], []
    for f in files:
        if reason := not_supported(f):
            errors.append(f"{shown(f)}: {reason}")
        else:
            kept.append(f)
    return kept, errors
