"""Extraction speed against bare lxml parsing, on the contract's three sample pages.

    .venv/bin/python bench/extract_speed.py [--seconds 2]

`python -m bench` measures the same on a few hundred reference-site pages (`site_pages`,
`extraction_speed`), and what a user runs (`command_speed`): `doctor-answers extract` on the
saved pages of a fresh site, end to end, against a bare lxml run over the same files.

Prints `extract: N pages/s`, `lxml.html.fromstring: M pages/s`, `ratio: R`. Caches of names and
title lines are warm after the first round, as in a crawl where doctors repeat.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.pages import parse_question_page  # noqa: E402
from pipelines.normalise.records import page_records  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "site-contract" / "pages"
SLUG = "botox-injections-days-knot-redness-injection-sites"


def rate(fn, pages, seconds: float) -> float:
    n = 0
    start = time.perf_counter()
    while True:
        for p in pages:
            fn(p)
        n += len(pages)
        el = time.perf_counter() - start
        if el >= seconds:
            return n / el


def extract(url: str, html) -> list[dict]:
    """What a crawl does to a question page before writing it: parse, then normalise."""
    return page_records(parse_question_page(url, html))


def site_pages(count: int, questions: int = 2000, seed: int = 1) -> list[tuple[str, bytes]]:
    """(url, body) of `count` reference-site question pages, the three families in turn, as served."""
    from reference_site.site import Site

    site = Site(questions, seed)
    families = ("legacy", "provider-card", "nextjs")
    slugs = site.question_slugs()
    step = max(1, len(slugs) // max(1, count))
    return [(f"http://127.0.0.1/question/{slug}", site.page(slug, families[i % 3]).body)
            for i, slug in enumerate(slugs[::step][:count])]


def save_site(folder: Path, questions: int, seed: int = 1) -> int:
    """Every question page of a fresh site, as it serves them (its own family per question),
    saved as .html files in `folder`; the number of pages."""
    from reference_site.site import Site

    site = Site(questions, seed)
    folder.mkdir(parents=True, exist_ok=True)
    slugs = site.question_slugs()
    for slug in slugs:
        (folder / f"{slug}.html").write_bytes(site.page(slug).body)
    return len(slugs)


# What a bare lxml run of the same files does: read each, parse it, nothing more.
_BARE_LXML = """
import sys, lxml.html
from pathlib import Path
for f in sorted(Path(sys.argv[1]).rglob("*.html")):
    lxml.html.fromstring(f.read_bytes())
"""


def command_speed(folder: Path, repeat: int = 2) -> tuple[float, float]:
    """(seconds of `doctor-answers extract FOLDER > /dev/null`, seconds of a bare lxml run over
    the same files), each a fresh process pinned to one core, the best of `repeat` runs."""
    import os
    import subprocess

    def best(argv) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, preexec_fn=_one_core)
            times.append(time.perf_counter() - start)
        return min(times)

    command = [os.path.join(os.path.dirname(sys.executable), "doctor-answers"), "extract", str(folder)]
    return best(command), best([sys.executable, "-c", _BARE_LXML, str(folder)])


def _one_core() -> None:
    import os

    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):  # not Linux: the command is single-threaded anyway
        pass


def extraction_speed(pages: list[tuple[str, bytes]], seconds: float) -> tuple[float, float]:
    """(extract pages/s, lxml.html.fromstring pages/s) on one core, caches warm."""
    for url, body in pages:  # warm up: compiled queries, name and title-line caches
        extract(url, body)
    ex = rate(lambda page: extract(*page), pages, seconds)
    lx = rate(lambda page: lxml.html.fromstring(page[1]), pages, seconds)
    return ex, lx


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    pages = [(SAMPLES / f"{SLUG}.{fam}.html").read_text(encoding="utf-8")
             for fam in ("legacy", "provider-card", "nextjs")]
    url = "https://www.realself.com/question/" + SLUG

    ex, lx = extraction_speed([(url, p) for p in pages], args.seconds)
    print(f"extract: {ex:.0f} pages/s")
    print(f"lxml.html.fromstring: {lx:.0f} pages/s")
    print(f"ratio: {ex / lx:.2f}")
    for fam, p in zip(("legacy", "provider-card", "nextjs"), pages):
        e, x = extraction_speed([(url, p)], args.seconds / 3)
        print(f"  {fam}: extract {e:.0f} pages/s, lxml {x:.0f} pages/s, ratio {e / x:.2f}")


if __name__ == "__main__":
    main()
