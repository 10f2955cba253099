"""The WARC archive of a crawl: every response it received, with its request (ISO 28500, WARC 1.1).

- `files`: WARC files of bounded size, written through warcio under temporary names and
  sealed with the dataset batch they belong to (no Scrapy here);
- `writer`: the process that writes them, so gzip and digests cost the crawl's own process
  nothing but a socket write per response;
- `extension`: the Scrapy extension (`ARCHIVE_DIR`, `crawl --archive DIR`) that feeds the
  writer from `response_downloaded` and seals its files on the output's `batch_sealing`;
- `reader`: responses read back from WARC files (ours or any tool's), for `reparse` and
  `extract`.
"""
from __future__ import annotations

import json

SUFFIXES = (".warc.gz", ".warc")
# How our warcinfo `description` begins, before the crawl's start URLs: the extension writes
# it, the reader takes the start URLs from it.
STARTED_ON = "doctor-answers crawl of "


def description(start_urls) -> str:
    """The warcinfo `description` of a crawl started on these URLs: its start URLs as a JSON
    list (ASCII), so that any URL comes back as it was given (spaces, commas, non-ASCII)."""
    return STARTED_ON + json.dumps(list(start_urls))


def start_urls_of(text: str) -> tuple[str, ...]:
    """The start URLs a `description` names (`description`'s, or, as earlier versions wrote
    them, separated by spaces); () when it is not ours."""
    if not text.startswith(STARTED_ON):
        return ()
    listed = text[len(STARTED_ON):].strip()
    if listed.startswith("["):
        try:
            urls = json.loads(listed)
        except ValueError:
            urls = None
        if isinstance(urls, list) and all(isinstance(url, str) for url in urls):
            return tuple(urls)
    return tuple(listed.split())


def is_warc(name) -> bool:
    """A file name (or path) of a WARC file. Here, not in `reader`: `extract` asks it of every
    file, and most runs read no archive (warcio's import costs 30 ms of start-up)."""
    return str(name).lower().endswith(SUFFIXES)  # `X.WARC.GZ` too: one rule for extract and reparse
