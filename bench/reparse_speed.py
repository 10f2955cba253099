"""Reparse throughput, in a process of its own: `python -m bench.reparse_speed ARCHIVE --processes N`.

Prints one JSON line, {"pages": question pages reparsed, "seconds": wall time}. The timed run
is the second of two: the first warms what a long reparse has warm after its first pages
(imports, pyarrow's pandas, compiled queries, name and title-line caches), as the extraction
bench does. `archive_pages` gives the same pages' bodies for the bare lxml baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def archive_pages(archive: Path) -> list[tuple[str, bytes]]:
    """(url, body) of every question page (HTTP 200) of the archive's files."""
    from crawler.archive.reader import archive_files, responses
    from crawler.discovery import is_question_url

    files = archive_files([archive])[0]
    return [(r.url, r.body) for f in files for r in responses(f) if r.status == 200 and is_question_url(r.url)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.reparse_speed")
    p.add_argument("archive")
    p.add_argument("--processes", type=int, default=1)
    args = p.parse_args(argv)
    from crawler.reparse import run_reparse
    from pipelines.output.parquet import warm_arrow

    warm_arrow()
    with tempfile.TemporaryDirectory(prefix="reparse-bench-") as tmp, open(os.devnull, "w") as quiet:
        run_reparse([args.archive], out=Path(tmp) / "warm", processes=1, stream=quiet)
        started = time.perf_counter()
        result = run_reparse([args.archive], out=Path(tmp) / "timed", processes=args.processes, stream=quiet)
        seconds = time.perf_counter() - started
    print(json.dumps({"pages": result.stats.get("pages/question", 0), "seconds": seconds, "status": result.status}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
