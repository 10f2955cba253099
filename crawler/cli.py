"""The `doctor-answers` command: one function per subcommand.

Heavy imports happen inside each subcommand so that `--help` and argument errors are instant.
Argument errors exit with status 2 and a one-line message (argparse's own behaviour).
"""
from __future__ import annotations

import argparse
import sys


def cmd_site(args: argparse.Namespace) -> int:
    from reference_site.server import serve

    serve(
        host=args.host,
        port=args.port,
        questions=args.questions,
        seed=args.seed,
        day=args.day,
        faults=args.faults,
        truth=args.truth,
        crawl_delay=args.crawl_delay,
    )
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import extract_paths

    return extract_paths(args.paths, url=args.url, out=sys.stdout, err=sys.stderr)


def http_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


def output_folder(value: str) -> str:
    from pathlib import Path

    if Path(value).exists() and not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {value!r} is a file")
    return value


def setting(value: str) -> tuple[str, str]:
    name, sep, setting_value = value.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE: {value!r}")
    return name, setting_value


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run import run_crawl
    from pipelines.state import StateError

    overrides = dict(args.settings)
    if args.report:
        overrides["REPORT"] = True  # crawler.extensions.report writes DIR/report.html once the crawl is committed
    try:
        result = run_crawl(args.start_urls, out=args.out, max_pages=args.max_pages, state=args.state,
                           overrides=overrides)
    except StateError as error:  # the --state folder cannot serve this crawl: one line, its own status
        print(f"doctor-answers crawl: {error}", file=sys.stderr)
        return error.exit_status
    print(f"crawl {result.crawl_id}: {result.status}", file=sys.stderr)
    return result.exit_code


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo import run_demo

    return run_demo(out=args.out, questions=args.questions, seed=args.seed)


def cmd_query(args: argparse.Namespace) -> int:
    import pandas as pd

    from pipelines.query import run

    with pd.option_context("display.max_rows", args.max_rows, "display.max_columns", None, "display.width", 200):
        print(run(args.sql, root=args.data).to_string(max_rows=args.max_rows, index=False))
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.scrapyd import ScrapydError, schedule

    try:
        job = schedule(args.scrapyd, args.start_urls, out=args.out, state=args.state,
                       project=args.project, max_pages=args.max_pages)
    except ScrapydError as exc:
        print(f"doctor-answers schedule: {exc}", file=sys.stderr)
        return 1
    print(job)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.report import ReportError, write_report

    try:
        path = write_report(args.data, args.out, crawl_id=args.crawl)
    except ReportError as error:
        print(f"doctor-answers report: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="doctor-answers",
        description="Crawl doctor Q&A pages into Parquet datasets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    site = sub.add_parser("site", help="serve the reference site on loopback")
    site.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    site.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    site.add_argument("--questions", type=int, default=200, help="number of questions on day 0")
    site.add_argument("--seed", type=int, default=1, help="content and deploy seed")
    site.add_argument("--day", type=int, default=0, help="state of the site on this day (0 = first)")
    site.add_argument("--faults", default="", help="e.g. error=0.05,throttle=0.02,block=0.01,truncate=0.01,latency=20ms")
    site.add_argument("--truth", default=None, help="write the expected records of every question page to FILE (JSONL)")
    site.add_argument("--crawl-delay", type=float, default=None, help="add a Crawl-delay line to robots.txt")
    site.set_defaults(func=cmd_site)

    extract = sub.add_parser("extract", help="print the records of saved question pages as JSON lines")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="an .html file or a folder of them")
    extract.add_argument("--url", default=None, help="URL the page was fetched from (for a single file)")
    extract.set_defaults(func=cmd_extract)

    crawl = sub.add_parser("crawl", help="crawl sites or question pages into Parquet datasets")
    crawl.add_argument("start_urls", nargs="+", type=http_url, metavar="START_URL",
                       help="a site root, a sitemap, a topic listing or a question URL")
    crawl.add_argument("--out", type=output_folder, default="data", help="dataset root (default data/)")
    crawl.add_argument("--max-pages", type=positive_int, default=None, help="stop after N responses")
    crawl.add_argument("--state", type=output_folder, default=None,
                       help="state folder: makes the crawl incremental and resumable")
    crawl.add_argument("-s", "--set", dest="settings", type=setting, action="append", default=[],
                       metavar="NAME=VALUE", help="override a Scrapy setting, as `scrapy crawl -s` does")
    crawl.add_argument("--report", action="store_true",
                       help="write the HTML report DIR/report.html once the crawl is committed")
    crawl.set_defaults(func=cmd_crawl)

    demo = sub.add_parser("demo", help="serve the reference site, crawl it into data/, summarise")
    demo.add_argument("--out", type=output_folder, default="data", help="dataset root (default data/)")
    demo.add_argument("--questions", type=positive_int, default=500, help="size of the reference site")
    demo.add_argument("--seed", type=int, default=1, help="reference site seed")
    demo.set_defaults(func=cmd_demo)

    query = sub.add_parser("query", help="run SQL (DuckDB) over the datasets and print a table")
    query.add_argument("sql", help="e.g. \"SELECT specialty, count(*) FROM doctors GROUP BY 1\"")
    query.add_argument("--data", type=output_folder, default="data", help="dataset root (default data/)")
    query.add_argument("--max-rows", type=int, default=50, help="rows to print at most")
    query.set_defaults(func=cmd_query)

    schedule = sub.add_parser("schedule", help="schedule a crawl on Scrapyd (schedule.json) and print the job id")
    schedule.add_argument("start_urls", nargs="+", type=http_url, metavar="START_URL",
                          help="a site root, a sitemap, a topic listing or a question URL")
    schedule.add_argument("--scrapyd", type=http_url, default="http://127.0.0.1:6800/",
                          help="Scrapyd URL (default http://127.0.0.1:6800/)")
    schedule.add_argument("--project", default="doctor_answers", help="Scrapyd project (default doctor_answers)")
    schedule.add_argument("--out", type=output_folder, default="data",
                          help="dataset root, sent to Scrapyd as an absolute path (default data/)")
    schedule.add_argument("--state", type=output_folder, default=None,
                          help="state folder (absolute path sent): incremental and resumable crawls")
    schedule.add_argument("--max-pages", type=positive_int, default=None, help="stop after N responses")
    schedule.set_defaults(func=cmd_schedule)

    report = sub.add_parser("report", help="write a self-contained HTML report of a data folder's crawls")
    report.add_argument("--data", type=output_folder, default="data", help="dataset root (default data/)")
    report.add_argument("--out", default=None, help="the HTML file to write (default DIR/report.html)")
    report.add_argument("--crawl", default=None, metavar="ID", help="the crawl to report on (default the newest)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
