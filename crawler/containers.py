"""What a file given to `extract` or `reparse` is, when it is a container or a coding they do
not read: named as such ("not supported: ..."), never read on as a page or an archive and then
called truncated, damaged or no HTML document. Told from the bytes a file opens with, which its
reader has read already (crawler.extract, crawler.archive.reader): no file opened twice."""
from __future__ import annotations

import re

from crawler.archive import is_warc

# Magic numbers of the compressed forms people keep files in. gzip is read in a WARC file (each
# record a gzip member, or the whole file), not in a saved page.
_COMPRESSED = ((b"\x28\xb5\x2f\xfd", "zstd", "zstd -d"), (b"\xfd7zXZ\x00", "xz", "xz -d"),
               (b"BZh", "bzip2", "bunzip2"), (b"PK\x03\x04", "zip", "unzip"), (b"\x1f\x8b", "gzip", "gunzip"))
# A MIME message (MHTML: a browser's "save as single file") opens with header fields, among
# them a multipart/related Content-Type, where an HTML page opens with markup.
_MIME_HEAD = re.compile(rb"(?:[A-Za-z][A-Za-z0-9-]*:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+\r?\n")
_MULTIPART = re.compile(rb"^content-type:\s*multipart/related", re.I | re.M)
HEAD = 8192  # the bytes looked at: a MIME head is read within them


def not_supported(head: bytes, name: str) -> str | None:
    """Why a file named `name` that opens with `head` (its first HEAD bytes, or more) is not
    read (`not supported: ...`), or None for one the tools read."""
    head = head[:HEAD]
    archive = is_warc(name)
    for magic, coding, undo in _COMPRESSED:
        if head.startswith(magic) and not (archive and coding == "gzip"):
            what = "archive" if ".warc" in name.lower() else "file"
            return f"not supported: a {coding}-compressed {what}, not read (decompress it first: {undo})"
    mime = _MIME_HEAD.match(head.lstrip())
    if not archive and mime and _MULTIPART.search(mime.group()):
        return ("not supported: a saved MHTML archive (a browser's \"save as single file\"), not read "
                "(save the page as HTML)")
    return None
