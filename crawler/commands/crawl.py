"""`scrapy crawl`, exiting with the crawl's status as `doctor-answers crawl` does.

Scrapy's own command exits 0 whatever became of the crawl (1 only when it could not start);
a cron job or a Scrapyd runner needs the outcome the `crawls` row holds: 0 finished,
4 degraded, 1 failed, 3 blocked, 130 interrupted (pipelines.crawls.EXIT_STATUS). As the CLI,
it checks its `-s` settings and its `-a` arguments (the start URLs) first (exit 2, one line,
no crawls row), and a state folder the crawl may not use is one line with the state's exit
status (5 when another crawl holds it).
"""
from __future__ import annotations

import json
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import walk_modules_iter

from crawler import install, startup_signals

# The project's own modules are imported once the command runs (process_options holds stops
# first): Scrapy imports this module for every command, in the second a crawl starts in.
logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def process_options(self, args, opts) -> None:
        # The first code of this command Scrapy runs: from here a stop is held until the crawl
        # runs (crawler.startup_signals), as `doctor-answers crawl` holds it, so that it ends as
        # an interrupted crawl with its row rather than a traceback or exit 1 with no row.
        startup_signals.hold()
        super().process_options(args, opts)
        try:
            # Scrapy's spider loader imports the spiders' modules as the crawl process is built,
            # next: a module missing from the install is said here, in one line, not by a traceback.
            for module in self.settings.getlist("SPIDER_MODULES"):
                list(walk_modules_iter(module))
            self._refused = _refusal(self.settings) or _arguments_refusal(opts.spargs)
            if self._refused and not self.settings.get("LOG_FILE"):
                # Scrapy's start-up lines (its version, its libraries') go to stderr next: a run
                # refused says one line there, as README promises (a log file still gets them)
                self.settings.set("LOG_ENABLED", False, priority="cmdline")
        except ImportError as error:
            print(f"scrapy crawl: error: {install.import_failure(error)}", file=sys.stderr)
            sys.exit(1)

    def run(self, args, opts) -> None:
        try:
            self._crawl(args, opts)
        except ImportError as error:  # as process_options says it: the install, not the crawl
            self._say(f"error: {install.import_failure(error)}")
            self.exitcode = 1
        finally:
            startup_signals.ignore()  # the outcome is final: the exit status stays its own

    def _crawl(self, args, opts) -> None:
        from crawler.run import state_refusals
        from pipelines.crawls import EXIT_STATUS

        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl questions -a start_url=URL")
        if self._refused:  # as `doctor-answers crawl -s` refuses it: one line, exit status 2
            self._refuse(self._refused, 2)
            return
        try:
            crawler = self.crawler_process.create_crawler(args[0])
        except KeyError:
            raise UsageError(f"no spider named {args[0]!r} (scrapy list names them)") from None
        startup_signals.release_when_running(self.crawler_process, crawler)
        refused = state_refusals(self.crawler_process.crawl(crawler, **opts.spargs))
        with startup_signals.held():
            self.crawler_process.start(install_signal_handlers=False)  # startup_signals gives them to Scrapy
        if refused:  # as `doctor-answers crawl` says it: one line, its own exit status
            self._refuse(refused[0], refused[0].exit_status)
            return
        status = _status(crawler)
        if status is None and startup_signals.asked_to_stop():  # stopped, and its output could not write the row
            status = "interrupted"
            self._say("interrupted: no crawls row written (see the log); with its state the same command resumes "
                      "the crawl")
        self.exitcode = EXIT_STATUS.get(status, 1)

    def _refuse(self, error: Exception, exit_status: int) -> None:
        """One line on stderr, and in the log file when there is one: a Scrapyd job's log is
        where its reason is looked for (its stderr goes to the daemon's)."""
        self._say(error, "Not started: ")
        self.exitcode = exit_status

    def _say(self, line, in_log: str = "") -> None:
        print(f"scrapy crawl: {line}", file=sys.stderr)
        if self.settings.get("LOG_FILE"):
            logger.error("%s%s", in_log, line)


def _refusal(settings):
    """The settings checked before Scrapy's log set-up reads them (the crawl process is built
    next): a LOG_LEVEL of lower case is made upper, and a LOG_* value Scrapy cannot use raised a
    traceback there. None, or the ArgumentError to refuse the crawl with once its log is set up,
    the LOG_* values given then put back to their defaults so that the refusal can be logged."""
    from crawler.arguments import ArgumentError, setting_default

    try:
        if refused := _log_file(settings):
            raise refused
        _check(settings)
    except ArgumentError as error:
        for name, attribute in list(settings.attributes.items()):
            if name.startswith("LOG_") and name != "LOG_FILE" and attribute.priority == SETTINGS_PRIORITIES["cmdline"]:
                settings.set(name, setting_default(name), priority="cmdline")
        return error
    return None


def _arguments_refusal(spider_arguments: dict):
    """None, or the ArgumentError to refuse the crawl with: `-a start_url=ftp://x` (or none, or
    an unknown `-a`) is a bad argument, exit status 2 and no crawls row, as for `doctor-answers crawl`."""
    from crawler.arguments import ArgumentError, spider_arguments as checked

    try:
        checked(spider_arguments)
    except ArgumentError as error:
        return error
    return None


def _check(settings) -> None:
    """The settings given on the command line (`-s`, a Scrapyd job's), checked as `doctor-answers
    crawl -s` checks them, and what no crawl may use."""
    from crawler.arguments import check_crawl_settings, setting_value, unknown_setting

    for name, attribute in settings.attributes.items():
        if attribute.priority != SETTINGS_PRIORITIES["cmdline"]:
            continue
        value = attribute.value
        if isinstance(value, BaseSettings):  # a dict setting: Scrapy has read its JSON already
            value = json.dumps(value.copy_to_dict())
        if isinstance(value, str):
            # The value as checked is the value the crawl reads: Scrapy's getbool() takes no
            # `yes`, its getint() no ` 5`; converted once, here as for `doctor-answers crawl -s`.
            settings.set(name, setting_value(name, value), priority="cmdline")
            if warning := unknown_setting(name):
                print(f"scrapy crawl: warning: {warning}", file=sys.stderr)
    check_crawl_settings(settings, settings.get("DATA_DIR"))


def _log_file(settings):
    """`-s LOG_FILE` as `doctor-answers crawl` takes it, before Scrapy opens it (the crawl process
    is built next): `-` is stderr, not a file named `-`; its folders are made. One that cannot be
    written is logged to stderr meanwhile and returned (an ArgumentError), to be refused in one
    line, not Scrapy's traceback. Unlike `doctor-answers crawl` (crawler.run._log_path), there is
    no default log to fall back on: the log file is the job's own (Scrapyd names it)."""
    from crawler.arguments import ArgumentError, log_file
    from crawler.run import STDERR
    from pathlib import Path

    value = settings.get("LOG_FILE")
    if value == STDERR:
        settings.set("LOG_FILE", None, priority="cmdline")
    elif isinstance(value, str) and value:
        try:
            log_file(value)
            Path(value).parent.mkdir(parents=True, exist_ok=True)
        except (ArgumentError, OSError) as error:
            settings.set("LOG_FILE", None, priority="cmdline")
            return ArgumentError(f"LOG_FILE: {error}")
    return None


def _status(crawler) -> str | None:
    """The status the dataset pipeline left in the stats; None if the crawl never started."""
    try:
        return crawler.stats.get_value("crawl/status")
    except RuntimeError:  # Scrapy: no stats before the crawl starts (a spider that would not start)
        return None
