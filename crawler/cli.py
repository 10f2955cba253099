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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
