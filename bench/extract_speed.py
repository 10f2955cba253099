"""Extraction speed against bare lxml parsing, on the contract's three sample pages.

    .venv/bin/python bench/extract_speed.py [--seconds 2]

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    pages = [(SAMPLES / f"{SLUG}.{fam}.html").read_text(encoding="utf-8")
             for fam in ("legacy", "provider-card", "nextjs")]
    url = "https://www.realself.com/question/" + SLUG

    def extract(html):
        return page_records(parse_question_page(url, html))

    for p in pages:  # warm up
        extract(p)
    ex = rate(extract, pages, args.seconds)
    lx = rate(lxml.html.fromstring, pages, args.seconds)
    print(f"extract: {ex:.0f} pages/s")
    print(f"lxml.html.fromstring: {lx:.0f} pages/s")
    print(f"ratio: {ex / lx:.2f}")
    for fam, p in zip(("legacy", "provider-card", "nextjs"), pages):
        e = rate(extract, [p], args.seconds / 3)
        x = rate(lxml.html.fromstring, [p], args.seconds / 3)
        print(f"  {fam}: extract {e:.0f} pages/s, lxml {x:.0f} pages/s, ratio {e / x:.2f}")


if __name__ == "__main__":
    main()
