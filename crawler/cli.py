"""The `doctor-answers` command: one function per subcommand.

Heavy imports happen inside each subcommand so that `--help` and argument errors are instant.
The arguments of each command are checked in one place, crawler.arguments, before the command
runs: a bad one exits with status 2 and a one-line message, as argparse's own errors do.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import TYPE_CHECKING

from crawler import install, startup_signals

if TYPE_CHECKING:  # imported by build_parser: main() holds the stops first (crawler.startup_signals)
    import argparse

# The validators live in crawler.arguments, imported once main takes a stop as Ctrl-C: at the
# top of this module their import (up to a tenth of a second) ended a stop with a traceback,
# or with a death by SIGTERM. These names stay importable from here (PEP 562).
_VALIDATORS = ("ArgumentError", "http_url", "output_folder", "positive_int", "processes", "setting",
               "unknown_setting", "validate")


def __getattr__(name: str):
    if name in _VALIDATORS:
        import crawler.arguments

        return getattr(crawler.arguments, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        drift=args.drift,
    )
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import extract_paths

    try:
        return extract_paths(args.paths, url=args.url, out=sys.stdout.buffer, err=sys.stderr)
    except BrokenPipeError:
        raise
    except OSError as error:  # the records are its result: not written, the command failed
        return unwritable_stdout("extract", error)


def cmd_crawl(args: argparse.Namespace) -> int:
    startup_signals.hold()  # a stop asked for during the imports below still gets its row
    from crawler.arguments import unknown_setting
    from crawler.run import run_crawl
    from pipelines.state import StateError

    overrides = dict(args.settings)
    for warning in filter(None, map(unknown_setting, overrides)):
        print(f"doctor-answers crawl: warning: {warning}", file=sys.stderr)
    if args.archive:
        overrides["ARCHIVE_DIR"] = args.archive
    if args.report:
        overrides["REPORT"] = True  # crawler.extensions.report writes DIR/report.html once the crawl is committed
    if sys.stderr.isatty():  # someone is watching: a progress line every few seconds
        overrides.setdefault("PROGRESS_PRINT", True)
    try:
        result = run_crawl(args.start_urls, out=args.out, max_pages=args.max_pages, state=args.state,
                           overrides=overrides, log_file=args.log_file, log_level=args.log_level,
                           echo=say)
    except StateError as error:  # the --state folder cannot serve this crawl: one line, its own status
        print(f"doctor-answers crawl: {error}", file=sys.stderr)
        return error.exit_status
    startup_signals.ignore()  # the outcome is committed: a stop now would only contradict it
    say_outcome("crawl", result)
    return result.exit_code


def say_outcome(command: str, result) -> None:
    """The end of a crawl, `crawl`'s and `demo`'s: its summary on stdout; on stderr a log cut
    short, and `crawl ID: STATUS` unless it finished (for cron's mail and for scripts)."""
    say("\n".join(result.summary()))
    if line := result.log_cut_line():  # not unnoticed, whatever the outcome
        tell(f"doctor-answers {command}: {line}")
    if result.status != "finished":
        tell(f"crawl {result.crawl_id}: {result.status}")


def cmd_reparse(args: argparse.Namespace) -> int:
    # As a crawl: a stop asked for during the imports and the listing of the archives (a second
    # or two) is held, then honoured once the reparse can write its `interrupted` row.
    startup_signals.hold()
    from crawler.reparse import ArchiveError, run_reparse

    try:
        result = run_reparse(args.archives, out=args.out, processes=args.processes)
    except ArchiveError as error:
        print(f"doctor-answers reparse: error: {error}", file=sys.stderr)
        return 2
    startup_signals.ignore()  # the outcome is committed: a stop now would only contradict it
    say("\n".join(result.summary()))  # as a crawl's
    tell(f"reparse {result.crawl_id}: {result.status}")
    return result.exit_code


def cmd_demo(args: argparse.Namespace) -> int:
    startup_signals.hold()  # as crawl's: a stop while the site and the crawl start ends the crawl `interrupted`
    from crawler.demo import run_demo

    return run_demo(out=args.out, questions=args.questions, seed=args.seed)


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines import query

    # pipelines.query raises QueryError (one line) for whatever the user got wrong; any other
    # DuckDB error is caught too, so that no SQL ever ends in a traceback.
    try:
        result = query.fetch(args.sql, root=args.data, max_rows=args.max_rows)
    except (query.QueryError, duckdb.Error) as exc:
        print(f"doctor-answers query: error: {one_line(exc)}", file=sys.stderr)
        return 1
    try:
        print(query.table_text(result), flush=True)
    except BrokenPipeError:
        raise
    except OSError as error:
        return unwritable_stdout("query", error)
    return 0


def one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.scrapyd import ScrapydError, schedule

    try:
        job = schedule(args.scrapyd, args.start_urls, out=args.out, state=args.state,
                       project=args.project, max_pages=args.max_pages, timeout=args.timeout)
    except ScrapydError as exc:
        print(f"doctor-answers schedule: error: {exc}", file=sys.stderr)
        return 1
    say(job)  # the job runs whether or not its id could be printed
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.report import ReportError, write_report

    try:
        path = write_report(args.data, args.out, crawl_id=args.crawl)
    except ReportError as error:
        print(f"doctor-answers report: error: {error}", file=sys.stderr)
        return 1
    return result_line("report", str(path))


def build_parser() -> argparse.ArgumentParser:
    from crawler import arguments

    parser = _parser_class()(
        prog="doctor-answers",
        description="Crawl doctor Q&A pages into Parquet datasets.",
    )
    parser.add_argument("--version", action=_version_action())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    site = sub.add_parser("site", help="serve the reference site on loopback")
    site.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    site.add_argument("--port", default=0, help="port to bind; 0 picks a free one")
    site.add_argument("--questions", default=200, help="number of questions on day 0 (at most 1,000,000)")
    site.add_argument("--seed", default=1, help="content and deploy seed")
    site.add_argument("--day", default=0, help="state of the site on this day (0 = first)")
    site.add_argument("--faults", default="", help="e.g. error=0.05,throttle=0.02,block=0.01,truncate=0.01,latency=20ms")
    site.add_argument("--truth", default=None, help="write the expected records of every question page to FILE (JSONL)")
    site.add_argument("--crawl-delay", default=None, help="add a Crawl-delay line to robots.txt")
    site.add_argument("--drift", default="", metavar="SPEC",
                      help="markup drift, e.g. family=0.3,rating=0.5: a share of question pages in an unknown "
                           "redesign, or with the star rating moved out of the byline")
    site.set_defaults(func=cmd_site)

    extract = sub.add_parser("extract", help="print the records of saved question pages as JSON lines")
    extract.add_argument("paths", nargs="+", metavar="PATH",
                         help="an .html or WARC (.warc.gz, .warc) file, or a folder of them")
    extract.add_argument("--url", default=None, help="URL the page was fetched from (for a single file)")
    extract.set_defaults(func=cmd_extract)

    crawl = sub.add_parser("crawl", help="crawl sites or question pages into Parquet datasets")
    crawl.add_argument("start_urls", nargs="+", metavar="START_URL",
                       help="a site root, a sitemap, a topic listing or a question URL")
    crawl.add_argument("--out", default=None, help="dataset root (default data/)")
    crawl.add_argument("--max-pages", default=None, help="stop after N responses")
    crawl.add_argument("--state", default=None,
                       help="state folder: makes the crawl incremental and resumable")
    crawl.add_argument("-s", "--set", dest="settings", action="append", default=[],
                       metavar="NAME=VALUE", help="override a Scrapy setting, as `scrapy crawl -s` does")
    crawl.add_argument("--archive", default=None, metavar="DIR",
                       help="keep every response with its request in WARC files in DIR (setting ARCHIVE_DIR)")
    crawl.add_argument("--report", action="store_true",
                       help="write the HTML report DIR/report.html once the crawl is committed")
    crawl.add_argument("--log-file", default=None, metavar="FILE",
                       help="Scrapy's log (default OUT/logs/CRAWL_ID.log; - for stderr)")
    crawl.add_argument("--log-level", default=None, type=str.upper,
                       choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], help="of the log (default INFO)")
    crawl.set_defaults(func=cmd_crawl)

    reparse = sub.add_parser("reparse", help="extract the question pages of WARC archives again, into a new crawl")
    reparse.add_argument("archives", nargs="+", metavar="ARCHIVE", help="a .warc.gz file or a folder of them")
    reparse.add_argument("--out", default="data", help="dataset root (default data/)")
    reparse.add_argument("--processes", type=arguments.processes, default=None,
                         help="parsing processes (default: one per core)")
    reparse.set_defaults(func=cmd_reparse)

    demo = sub.add_parser("demo", help="serve the reference site, crawl it into data/, summarise")
    demo.add_argument("--out", default="data", help="dataset root (default data/)")
    demo.add_argument("--questions", default=500, help="size of the reference site")
    demo.add_argument("--seed", default=1, help="reference site seed")
    demo.set_defaults(func=cmd_demo)

    query = sub.add_parser("query", help="run SQL (DuckDB) over the datasets and print a table")
    query.add_argument("sql", help="e.g. \"SELECT specialty, count(*) FROM doctors GROUP BY 1\"")
    query.add_argument("--data", default="data", help="dataset root (default data/)")
    query.add_argument("--max-rows", default=50, help="rows to print at most")
    query.set_defaults(func=cmd_query)

    schedule = sub.add_parser("schedule", help="schedule a crawl on Scrapyd (schedule.json) and print the job id")
    schedule.add_argument("start_urls", nargs="+", metavar="START_URL",
                          help="a site root, a sitemap, a topic listing or a question URL")
    schedule.add_argument("--scrapyd", default="http://127.0.0.1:6800/",
                          help="Scrapyd URL (default http://127.0.0.1:6800/)")
    schedule.add_argument("--project", default="doctor_answers", help="Scrapyd project (default doctor_answers)")
    schedule.add_argument("--out", default="data",
                          help="dataset root, sent to Scrapyd as an absolute path (default data/)")
    schedule.add_argument("--state", default=None,
                          help="state folder (absolute path sent): incremental and resumable crawls")
    schedule.add_argument("--max-pages", default=None, help="stop after N responses")
    schedule.add_argument("--timeout", default=30.0,
                          help="seconds the whole call to Scrapyd may take (default 30)")
    schedule.set_defaults(func=cmd_schedule)

    report = sub.add_parser("report", help="write a self-contained HTML report of a data folder's crawls")
    report.add_argument("--data", default="data", help="dataset root (default data/)")
    report.add_argument("--out", default=None, help="the HTML file to write (default DIR/report.html)")
    report.add_argument("--crawl", default=None, metavar="ID", help="the crawl to report on (default the newest)")
    report.set_defaults(func=cmd_report)
    parser.commands = sub.choices
    return parser


def _parser_class():
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse's parser, whose help is written and flushed here: argparse's own drops an
        error writing it (a full disk), and `--help > /dev/full` said nothing and exited 0.
        main() says it in one line; subcommands' parsers are of this class too.

        Its errors are one line, as every error of the product (README, "Exit statuses and
        errors"): argparse's usage block before it buried the line a user or a cron mail reads;
        `--help` still prints the usage."""

        commands: dict = {}  # the top parser's subcommands' parsers (build_parser)

        def error(self, message):
            self.exit(2, f"{self.prog}: error: {message}; see {self.prog} --help\n")

        def parse_args(self, args=None, namespace=None):
            # An argument no parser knows is named first: argparse's check of the required ones
            # comes before, and `doctor-answers --bogus` said only that COMMAND was missing. So
            # a first pass requires nothing and collects them; it is the subcommand's error
            # (argparse leaves it to the top parser, whose line named no command).
            with self._nothing_required():
                parsed, unknown = self.parse_known_args(args)
            if unknown:
                command = self.commands.get(getattr(parsed, "command", None), self)
                command.error(f"unrecognized arguments: {' '.join(unknown)}")
            return self.parse_known_args(args, namespace)[0]

        @contextlib.contextmanager
        def _nothing_required(self):
            actions = [action for parser in (self, *self.commands.values()) for action in parser._actions
                       if action.required]
            for action in actions:
                action.required = False
            try:
                yield
            finally:
                for action in actions:
                    action.required = True

        def print_help(self, file=None):
            file = sys.stdout if file is None else file
            file.write(self.format_help())
            file.flush()

    return Parser


def project_version() -> str:
    from crawler.settings import PROJECT_VERSION

    return PROJECT_VERSION


def _version_action():
    import argparse

    class _Version(argparse.Action):
        """`--version`, looked up when asked: the installed version (importlib.metadata) costs
        30 ms, which every other command would pay at start-up."""

        def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
            super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0,
                             help="show the version and exit")

        def __call__(self, parser, namespace, values, option_string=None):
            print(f"{parser.prog} {project_version()}", flush=True)  # on stdout, as argparse's own action; see main
            parser.exit()

    return _Version


# The commands that hold a stop until they can write their `interrupted` row (crawler.startup_signals).
HOLDING = frozenset(("crawl", "demo", "reparse"))


def main(argv: list[str] | None = None) -> int:
    # A stop (Ctrl-C, or SIGTERM: a service manager's, `timeout`'s; SIGHUP: a closed terminal)
    # is held from our first line, so that a crawl stopped while its arguments are checked
    # still ends `interrupted` with its row and summary (HOLDING); for any other command it
    # is a KeyboardInterrupt: one line and exit status 130, whenever it comes. Once the
    # command's outcome is final, stops are ignored: its exit status is the outcome's.
    startup_signals.hold()
    standard_streams()
    name = "doctor-answers"
    try:
        try:
            args = build_parser().parse_args(argv)
        except BrokenPipeError:  # --help, --version: their text is their result
            return stdout_closed()
        except OSError as error:
            return unwritable_stdout("", error)
        name = f"doctor-answers {args.command}"
        status = _run(args)
    except KeyboardInterrupt:
        startup_signals.ignore()  # stopping already: another stop changes nothing
        print(f"{name}: interrupted", file=sys.stderr)
        return startup_signals.INTERRUPTED
    except Exception as error:  # a module missing, or no memory (or thread) to load or read with: no command can run
        if install.load_failure(error) is None:
            raise
        startup_signals.ignore()
        print(f"{name}: error: {install.load_failure(error)}", file=sys.stderr)
        return 1
    startup_signals.ignore()
    return status


def _run(args: argparse.Namespace) -> int:
    from crawler.arguments import ArgumentError, validate

    try:
        validate(args.command, args)
    except ArgumentError as exc:
        print(f"doctor-answers {args.command}: error: {exc}", file=sys.stderr)
        return 2
    if args.command not in HOLDING:
        startup_signals.interrupt_on_stops()
        if startup_signals.take_held():  # asked for while the arguments were read: honoured now
            raise KeyboardInterrupt
    try:
        status = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        return stdout_closed()
    except OSError as error:  # one the checks could not foresee (a path the file system refuses): never a traceback
        from crawler.inputs import shown

        where = f" ({shown(error.filename)})" if error.filename else ""
        print(f"doctor-answers {args.command}: error: {error.strerror or error}{where}", file=sys.stderr)
        return 1
    return status


def standard_streams() -> None:
    """stdout or stderr closed by a cron line (`>&-`), which Python leaves None: what would be
    printed there goes to devnull, and the command runs as it would. Site text stdout's charset
    cannot hold (a doctor's Japanese name under PYTHONIOENCODING=latin-1 or an ASCII locale) is
    printed escaped, as Python prints it on stderr."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w"))
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")


def say(text: str) -> None:
    """A line of a command whose outcome is not its output (a crawl's summary): a stdout that
    cannot take it (a cron line's log on a full disk) is said once on stderr, and the outcome's
    exit status stands. A reader that went away (`crawl ... | head -1`) loses the rest of the
    output, quietly, not the outcome's exit status: the crawls row has the summary."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        drop_stdout()
    except OSError as error:
        print(f"doctor-answers: cannot write to stdout ({error.strerror or error}): the rest of its output is dropped",
              file=sys.stderr)
        drop_stdout()


def tell(line: str) -> None:
    """A line on stderr of a command whose outcome is final (`crawl ID: degraded`): a reader
    gone (`2>&1 | head -1`) loses it, not the outcome's exit status."""
    try:
        print(line, file=sys.stderr, flush=True)
    except BrokenPipeError:
        drop_stream(sys.stderr)


def result_line(command: str, text: str) -> int:
    """The line that is a command's result (`report`'s path, `--version`): printed, status 0;
    a stdout that cannot take it, one line on stderr and status 1; a reader gone, 141."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        return stdout_closed()
    except OSError as error:
        return unwritable_stdout(command, error)
    return 0


def unwritable_stdout(command: str, error: OSError) -> int:
    """A command whose output is its result (query, extract, report) could not write it: one line, status 1."""
    name = f"doctor-answers {command}" if command else "doctor-answers"
    print(f"{name}: error: cannot write to stdout ({error.strerror or error})", file=sys.stderr)
    drop_stdout()
    return 1


def stdout_closed() -> int:
    """The reader of stdout went away (`... | head -1`): stop quietly, as Unix tools do."""
    drop_stdout()
    return 141   # 128 + SIGPIPE, the status a shell shows for a tool killed by SIGPIPE


def drop_stdout() -> None:
    """Point stdout at devnull: Python flushes it again at exit, which would fail again (the
    Python documentation's recipe, "Note on SIGPIPE")."""
    drop_stream(sys.stdout)


def drop_stream(stream) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):   # a stream without a file descriptor
        pass


if __name__ == "__main__":
    sys.exit(main())
