"""`python -m bench [--quick]`: what the pipeline costs on top of Scrapy, and how it grows.

Starts the reference site in its own process (bench.site_speed.start_site) and prints one
`name: value` line per figure:

1. crawl overhead: the full crawl (parse, normalise, Parquet) against bench.bare_spider
   (same pages, same settings, same site, same run), wall-time ratio and pages/s of each;
2. extraction cost: parse + normalise of reference-site pages against bare
   lxml.html.fromstring, one core, in-process and as `doctor-answers extract` runs on the
   saved pages of a fresh site, end to end (bench.extract_speed);
3. memory growth: peak RSS of full crawls of --questions and --big-questions questions;
4. incremental: bytes and time of a day-1 crawl (`--state`) against the day-0 crawl, for a
   site of --questions and one of --big-questions questions;
5. site speed: pages/s the reference site serves alone (bench.site_speed);
6. archive: the crawl with `--archive` against the bare spider, the archive's size per 1,000
   pages, and `reparse` of it on one process against bare lxml on the same pages, and on
   every core (bench.reparse_speed).
7. latest view: the update of `latest/` after a day-1 crawl of --big-questions questions (from
   the crawl's own `latest/seconds` stat), a full rebuild, and both projected to 1,000,000.

Every crawl runs as a subprocess (bench.runs). Targets are those of issue 7.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import runs
from bench.extract_speed import command_speed, extraction_speed, save_site, site_pages
from bench.site_speed import start_site, stop_site

SECTIONS = ("overhead", "extract", "memory", "incremental", "site", "archive", "latest")
MB = 1024 * 1024


def say(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def machine() -> None:
    import scrapy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    import os
    say("machine", " ".join(platform.uname()))
    say("cpu", f"{cpu} ({os.cpu_count()} cores)")
    say("python", platform.python_version())
    say("scrapy", scrapy.__version__)
    say("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


class Site:
    """A reference site in its own process, for the length of a `with`."""

    def __init__(self, questions: int, seed: int, day: int = 0, port: int = 0):
        self.args = (questions, seed, day, port)

    def __enter__(self) -> str:
        self.proc, url = start_site(*self.args)
        return url

    def __exit__(self, *exc) -> None:
        stop_site(self.proc)


def compile_project() -> None:
    """Byte-compile the project's modules, as pip does for an installed package. An editable
    checkout under PYTHONDONTWRITEBYTECODE (this machine's environment sets it) compiles them
    again in every process it starts, and the bare spider imports fewer of them than the crawl."""
    import compileall

    for package in ("crawler", "pipelines", "reference_site", "bench"):
        compileall.compile_dir(runs.ROOT / package, quiet=1)


def overhead(args, tmp: Path) -> list[runs.Run]:
    """Bare spider and full crawl against one site; the best of --repeat runs of each. Returns
    the full crawls (the memory section reads their peaks)."""
    bare, full = [], []
    with Site(args.questions, args.seed) as url:
        runs.bare_crawl(url, tmp / "warm")  # warms the site's page cache: both then see the same site
        for i in range(args.repeat):
            bare.append(runs.bare_crawl(url, tmp / f"bare{i}"))
            full.append(runs.full_crawl(url, tmp / f"full{i}"))
    b = min(bare, key=lambda r: r.wall)
    f = min(full, key=lambda r: r.wall)
    if b.pages != f.pages:
        say("warning", f"bare spider fetched {b.pages} pages, the crawl {f.pages}")
    say("bare spider", f"{b.pages_per_s:.0f} pages/s ({b.pages} pages in {b.wall:.2f} s)")
    say("crawl", f"{f.pages_per_s:.0f} pages/s ({f.pages} pages in {f.wall:.2f} s, "
                 f"{f.stat('item_scraped_count')} questions)")
    say("crawl overhead ratio", f"{f.wall / b.wall:.2f} (target <= 1.15)")
    return full


def extraction(args, tmp: Path) -> None:
    pages = site_pages(args.extract_pages, seed=args.seed)
    ex, lx = extraction_speed(pages, args.seconds)
    say("extract", f"{ex:.0f} pages/s ({len(pages)} pages, three families, one core)")
    say("lxml.html.fromstring", f"{lx:.0f} pages/s")
    say("extraction ratio", f"{ex / lx:.2f} (target >= 0.33)")
    folder = tmp / "extract-site"
    pages = save_site(folder, args.extract_questions, args.seed)
    command, bare = command_speed(folder, args.repeat)
    say("doctor-answers extract", f"{pages / command:.0f} pages/s ({pages} pages of a fresh site, end to end, one core)")
    say("lxml.html.fromstring run", f"{pages / bare:.0f} pages/s (the same files)")
    say("extract command ratio", f"{bare / command:.2f} (target >= 0.33)")


def memory(args, tmp: Path, small_runs: list[runs.Run] | None) -> None:
    if not small_runs:
        with Site(args.questions, args.seed) as url:
            small_runs = [runs.full_crawl(url, tmp / "mem-small")]
    with Site(args.big_questions, args.seed) as url:
        big = runs.full_crawl(url, tmp / "mem-big")
    # The median of the small crawls' peaks: the best-timed run's peak is no better a figure.
    small_peak = statistics.median(r.peak_rss for r in small_runs)
    say(f"peak RSS {args.questions} questions", f"{small_peak / MB:.0f} MB (median of {len(small_runs)} crawls)")
    say(f"peak RSS {args.big_questions} questions",
        f"{big.peak_rss / MB:.0f} MB ({big.pages_per_s:.0f} pages/s, {big.pages} pages, target < 400 MB)")
    say("memory ratio", f"{big.peak_rss / small_peak:.2f} (target <= 1.3)")


def incremental(args, tmp: Path) -> None:
    """Day 0 then day 1 of one site, with --state, at each size: a crawl's fixed cost (~1.5 s of
    start-up, robots.txt, sitemaps and shut-down) weighs on day 1 of a small site only."""
    for questions in args.incremental_questions:
        day0, day1 = incremental_days(questions, args.seed, tmp / f"incremental-{questions}")
        for name, r in (("day-0 crawl", day0), ("day-1 crawl", day1)):
            say(f"{name} {questions} questions",
                f"{r.wall:.2f} s, {r.stat('downloader/response_bytes') / MB:.1f} MB downloaded, "
                f"{r.pages} responses ({r.stat('pages/question')} pages parsed, "
                f"{r.stat('pages/not_modified')} not modified, {r.stat('pages/skipped_unchanged')} skipped by lastmod)")
        say(f"incremental time ratio {questions} questions", f"{day1.wall / day0.wall:.2f} (target < 0.15)")
        say(f"incremental bytes ratio {questions} questions",
            f"{day1.stat('downloader/response_bytes') / max(1, day0.stat('downloader/response_bytes')):.3f}")


def incremental_days(questions: int, seed: int, folder: Path) -> tuple[runs.Run, runs.Run]:
    state, out = folder / "state", folder / "data"
    with Site(questions, seed, day=0) as url:
        day0 = runs.full_crawl(url, out, state=state)
    port = int(url.rstrip("/").rsplit(":", 1)[1])  # day 1 is the same site, at the same URLs
    with Site(questions, seed, day=1, port=port) as url:
        day1 = runs.full_crawl(url, out, state=state)
    return day0, day1


def latest_view(args, tmp: Path) -> None:
    """The latest view's update after a day-1 crawl (--state) of --big-questions questions, and a
    rebuild of the whole view from the snapshots. Both rewrite the buckets the new rows touch (a
    day-1 crawl touches nearly all), so their time grows with the view: projected linearly."""
    from pipelines.output.latest import update_latest
    from pipelines.loader import latest_files

    questions = args.big_questions
    folder = tmp / f"latest-{questions}"
    day0, day1 = incremental_days(questions, args.seed, folder)
    out = folder / "data"
    rows = sum(pq_rows(paths) for paths in latest_files(out).values())
    scale = 1_000_000 / questions
    for name, r in (("day-0", day0), ("day-1", day1)):
        say(f"latest update after {name} crawl {questions} questions",
            f"{r.stat('latest/seconds', 0.0):.2f} s ({r.stat('latest/rows_applied')} rows applied, "
            f"{r.stat('latest/buckets_rewritten')} buckets rewritten; crawl {r.wall:.1f} s)")
    (out / "latest").unlink()
    shutil.rmtree(out / ".latest")
    rebuild = update_latest(out)
    say(f"latest rebuild {questions} questions", f"{rebuild.seconds:.2f} s ({rebuild.rows_applied} snapshot rows, "
                                                  f"{rows} rows in the view)")
    say("latest update after day-1 crawl, projected 1000000 questions",
        f"{day1.stat('latest/seconds', 0.0) * scale:.0f} s (linear: every bucket touched, so the whole view rewritten)")
    say("latest rebuild, projected 1000000 questions", f"{rebuild.seconds * scale:.0f} s")


def pq_rows(paths) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in paths)


def site(args) -> None:
    from bench.site_speed import site_speed

    speed, errors = site_speed(args.questions, args.site_requests, args.concurrency, seed=args.seed)
    say("site speed", f"{speed:.0f} pages/s ({args.site_requests} requests, {args.concurrency} concurrent, "
                      f"{errors} non-200)")


def archive(args, tmp: Path) -> None:
    """The archive's cost: a crawl with --archive against the bare spider (and the crawl
    without it), disk per 1,000 pages, and reparse throughput of the archive."""
    import json
    import os
    import subprocess

    from bench.extract_speed import rate
    from bench.reparse_speed import archive_pages

    bare, plain, archived = [], [], []
    with Site(args.questions, args.seed) as url:
        runs.bare_crawl(url, tmp / "archive-warm")
        for i in range(args.repeat):
            bare.append(runs.bare_crawl(url, tmp / f"archive-bare{i}"))
            plain.append(runs.full_crawl(url, tmp / f"archive-plain{i}"))
            archived.append(runs.full_crawl(url, tmp / f"archive-data{i}", archive=tmp / f"archive-warc{i}"))
    b, p = min(bare, key=lambda r: r.wall), min(plain, key=lambda r: r.wall)
    best = min(range(len(archived)), key=lambda i: archived[i].wall)
    a, folder = archived[best], tmp / f"archive-warc{best}"
    say("crawl --archive", f"{a.pages_per_s:.0f} pages/s ({a.pages} pages in {a.wall:.2f} s; without --archive "
                           f"{p.wall:.2f} s; bare spider {b.wall:.2f} s)")
    say("archive crawl overhead ratio", f"{a.wall / b.wall:.2f} against the bare spider (target <= 1.2); "
                                        f"{a.wall / p.wall:.2f} against the crawl without --archive")
    size = sum(f.stat().st_size for f in folder.iterdir() if not f.name.startswith("."))
    say("archive size", f"{size / MB:.1f} MB for {a.pages} responses: {size / a.pages * 1000 / MB:.2f} MB per 1,000 "
                        f"pages (Parquet datasets: {_folder_bytes(tmp / f'archive-data{best}') / MB:.1f} MB)")

    def reparse(processes: int) -> float:
        out = subprocess.run([sys.executable, "-m", "bench.reparse_speed", str(folder), "--processes", str(processes)],
                             capture_output=True, text=True, cwd=runs.ROOT,
                             env=dict(os.environ, PYTHONPATH=str(runs.ROOT)))
        if out.returncode != 0:
            raise SystemExit(f"reparse bench failed:\n{out.stderr[-3000:]}")
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        return figures["pages"] / figures["seconds"]

    pages = archive_pages(folder)
    lx = rate(lambda page: __import__("lxml.html").html.fromstring(page[1]), pages, args.seconds)
    one = reparse(1)
    cores = os.cpu_count() or 1
    say("reparse, one process", f"{one:.0f} pages/s ({len(pages)} question pages of the archive)")
    say("lxml.html.fromstring, same pages", f"{lx:.0f} pages/s")
    say("reparse ratio", f"{one / lx:.2f} (target >= 0.3)")
    many = reparse(cores)
    say(f"reparse, {cores} processes", f"{many:.0f} pages/s ({many / one:.2f} x one process)")


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes: a run of about a minute")
    p.add_argument("--questions", type=int, help="site size of the crawl-overhead, small-memory and incremental crawls "
                                                 "(default 2000; --quick 300)")
    p.add_argument("--big-questions", type=int, help="site size of the large memory crawl (default 20000; --quick 3000)")
    p.add_argument("--incremental-questions", help="comma-separated site sizes of the incremental bench "
                                                   "(default: --questions and --big-questions)")
    p.add_argument("--extract-pages", type=int, help="pages rendered for the extraction bench (default 300; --quick 90)")
    p.add_argument("--extract-questions", type=int, help="site size of the extract-command bench (default 1500; --quick 300)")
    p.add_argument("--seconds", type=float, help="seconds per extraction measurement (default 3; --quick 1)")
    p.add_argument("--site-requests", type=int, help="requests of the site-speed bench (default 5000; --quick 1000)")
    p.add_argument("--concurrency", type=int, default=50, help="connections of the site-speed bench")
    p.add_argument("--repeat", type=int, help="runs of each crawl in the overhead bench, best kept (default 2; --quick 1)")
    p.add_argument("--seed", type=int, default=1, help="reference site seed")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--keep", metavar="DIR", help="crawl into DIR and keep it (default: a temporary folder)")
    args = p.parse_args(argv)
    quick = args.quick
    for name, full, small in (("questions", 2000, 300), ("big_questions", 20000, 3000), ("extract_pages", 300, 90), ("extract_questions", 1500, 300),
                              ("seconds", 3.0, 1.0), ("site_requests", 5000, 1000), ("repeat", 2, 1)):
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    args.incremental_questions = ([int(n) for n in args.incremental_questions.split(",")] if args.incremental_questions
                                  else [args.questions, args.big_questions])
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := set(args.only) - set(SECTIONS):
        p.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    machine()
    compile_project()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        small_runs = overhead(args, tmp) if "overhead" in args.only else None
        if "extract" in args.only:
            extraction(args, tmp)
        if "memory" in args.only:
            memory(args, tmp, small_runs)
        if "incremental" in args.only:
            incremental(args, tmp)
        if "site" in args.only:
            site(args)
        if "archive" in args.only:
            archive(args, tmp)
        if "latest" in args.only:
            latest_view(args, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    say("bench time", f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
