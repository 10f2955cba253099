"""The HTML report of a data folder: one self-contained file (plots as inline SVG, styles and
the table-sorting script inlined, nothing fetched) that shows a crawl, the history of the
folder's crawls, what the data holds, and field coverage against the previous crawl.

    from pipelines.report import write_report
    write_report("data")                      # data/report.html, for the newest crawl
    write_report("data", "out.html", crawl_id="20261124T031700Z-1a2b3c4d")
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from crawler.arguments import REPORT_NAME  # DIR/report.html: `report`'s and `crawl --report`'s
from pipelines.output.unwritable import cannot_write
from pipelines.report.data import DataFolder, ReportError

__all__ = ["REPORT_NAME", "ReportError", "render_report", "write_report"]


def render_report(root: str | Path, crawl_id: str | None = None) -> str:
    """The report's HTML for `crawl_id` (default: the newest committed crawl) of the folder `root`."""
    from pipelines.report import sections
    from pipelines.report.html import page

    folder = DataFolder(root)
    crawl = folder.crawl(crawl_id)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"<h1>doctor-answers: crawl report</h1>"
              f'<p class="muted">Data folder <code>{_escape(str(Path(root).resolve()))}</code>, '
              f"crawl <code>{_escape(crawl['crawl_id'])}</code>, made {made}.</p>")
    body = "".join([header, sections.warnings(folder), sections.the_crawl(folder, crawl), sections.the_history(folder, crawl),
                    sections.the_content(folder), sections.the_coverage(folder, crawl)])
    return page(f"doctor-answers report: {crawl['crawl_id']}", body)


def write_report(root: str | Path, out: str | Path | None = None, crawl_id: str | None = None) -> Path:
    """Write the report (default `<root>/report.html`) whole or not at all; return its path."""
    from crawler.arguments import ArgumentError, report_target

    html = render_report(root, crawl_id)
    try:  # checked again as it is written: crawl --report's, a Scrapyd job's, a file made since
        out = Path(report_target(str(root), None if out is None else str(out)))
    except ArgumentError as error:
        raise ReportError(f"not written: {error}") from None
    target = out.resolve()  # a link's file is rewritten, never the link replaced by a file
    tmp = None
    try:
        # A name of its own: two reports written at once (cron's and a crawl's) each publish a whole file.
        # Opened plainly ("x"), so its mode follows the umask as every file the crawl writes does.
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "x", encoding="utf-8") as file:
            file.write(html)
        os.replace(tmp, target)
    except OSError as error:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise ReportError(cannot_write(out, error, "run `doctor-answers report` again")) from None
    return out


def _escape(words: str) -> str:
    from html import escape

    return escape(words)
