"""Where the time goes: py-spy over a full crawl, cProfile over extraction.

    .venv/bin/python -m bench.profile [--questions 2000] [--extract-pages 300] [--keep FILE]

The crawl runs as in `python -m bench` (a subprocess against the reference site in its own
process, warmed first) under `py-spy record`; every sample goes to the first bucket whose
frame is on its stack, in the order of BUCKETS. Extraction is profiled in this process with
cProfile (one core), by own time. Needs py-spy (`.venv/bin/pip install py-spy`).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import tempfile
from collections import Counter
from pathlib import Path

from bench import runs
from bench.extract_speed import extract, site_pages
from bench.site_speed import start_site, stop_site

# (bucket, frames that put a sample in it): the first bucket that matches wins.
BUCKETS = [
    ("start-up: imports", ("_find_and_load",)),
    ("parse: crawler.pages.parse_question_page", ("parse_question_page (",)),
    ("normalise: page_records", ("page_records (",)),
    ("extraction workers: pages sent, answers read", ("ExtractionWorkers.extract", "Worker._read_answers")),
    ("Parquet: Arrow conversion and row groups", ("DatasetWriter._compact", "DatasetWriter._write_row_group",
                                                 "DatasetWriter.seal")),
    ("rows and buffers: DatasetsPipeline", ("DatasetsPipeline.",)),
    ("NormalisePipeline (stats)", ("NormalisePipeline.process_item",)),
    ("Scrapy item pipeline machinery", ("Scraper.start_itemproc_async", "ItemPipelineManager")),
    ("spider: question callback, related-link requests", ("QuestionsSpider.parse_question",)),
    ("spider: discovery (sitemaps, listings)", ("QuestionsSpider.parse_sitemap", "QuestionsSpider.parse_listing")),
    ("Scrapy: spider middlewares, dupefilter, scheduling of yielded requests",
     ("_process_spidermw_output_async", "ExecutionEngine.crawl", "ExecutionEngine._schedule_request")),
    ("Scrapy/Twisted: download, engine, reactor", ("",)),
]


def buckets(raw: Path) -> tuple[Counter, int]:
    counts, total = Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        for name, frames in BUCKETS:
            if any(frame in stack for frame in frames):
                counts[name] += int(n)
                break
    return counts, total


def profile_crawl(questions: int, seed: int, raw: Path) -> None:
    proc, url = start_site(questions, seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runs.bare_crawl(url, Path(tmp) / "warm")
            run = runs.full_crawl(url, Path(tmp) / "crawl", profile=raw)
    finally:
        stop_site(proc)
    counts, total = buckets(raw)
    print(f"crawl profile: {total} samples (py-spy, 100 Hz, CPU only), {run.pages} pages in {run.wall:.1f} s")
    for name, _ in BUCKETS:
        if counts[name]:
            print(f"  {100 * counts[name] / total:5.1f}%  {name}")


def profile_extraction(pages: int, seed: int, top: int = 20) -> None:
    docs = site_pages(pages, seed=seed)
    for url, body in docs:  # warm caches, as in bench.extract_speed
        extract(url, body)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        for url, body in docs:
            extract(url, body)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function
    print(f"extraction profile: {3 * len(docs)} pages, {total:.2f} s own time under cProfile")
    by_file = Counter()
    for (path, _, func), row in stats.stats.items():
        area = re.sub(r"^.*/(site-packages|main)/", "", path)
        if func == "parse_html":
            area += " (lxml parse)"
        by_file[area if "/" in area else "builtins (str, re, ...)"] += row[2]
    print("  own time by file:")
    for area, own in by_file.most_common(10):
        print(f"  {100 * own / total:5.1f}%  {area}")
    print("  top functions by own time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    for (path, line, func), (_, calls, own, cum, _) in rows:
        where = re.sub(r"^.*/(site-packages|main)/", "", path)
        print(f"  {100 * own / total:5.1f}%  {func} ({where}:{line}) calls={calls} cum={100 * cum / total:.0f}%")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile")
    p.add_argument("--questions", type=int, default=2000)
    p.add_argument("--extract-pages", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", metavar="FILE", help="keep py-spy's raw collapsed stacks in FILE")
    p.add_argument("--only", choices=("crawl", "extract"))
    args = p.parse_args(argv)
    if args.only != "extract":
        raw = Path(args.keep) if args.keep else Path(tempfile.mkstemp(suffix=".txt")[1])
        try:
            profile_crawl(args.questions, args.seed, raw)
        finally:
            if not args.keep:
                raw.unlink(missing_ok=True)
    if args.only != "crawl":
        profile_extraction(args.extract_pages, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
