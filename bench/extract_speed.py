"""Extraction speed against bare lxml parsing, on the contract's three sample pages.

    .venv/bin/python bench/extract_speed.py [--seconds 2]

`python -m bench` measures the same on a few hundred reference-site pages (`site_pages`,
`extraction_speed`).

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
