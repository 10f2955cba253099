"""`scrapy crawl`, exiting with the crawl's status as `doctor-answers crawl` does.

Scrapy's own command exits 0 whatever became of the crawl (1 only when it could not start);
a cron job or a Scrapyd runner needs the outcome the `crawls` row holds: 0 finished,
4 degraded, 1 failed, 3 blocked, 130 interrupted (pipelines.crawls.EXIT_STATUS). As the CLI,
it checks its `-s` settings first (exit 2, one line), and a state folder the crawl may not
use is one line with the state's exit status (5 when another crawl holds it).
"""
from __future__ import annotations

import json
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.arguments import ArgumentError, check_crawl_settings, setting_value, unknown_setting
from crawler.run import state_refusals
from pipelines.crawls import EXIT_STATUS

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl questions -a start_url=URL")
        try:
            _check(self.settings)
        except ArgumentError as error:  # as `doctor-answers crawl -s` refuses it: one line, exit status 2
            self._refuse(error, 2)
            return
        try:
            crawler = self.crawler_process.create_crawler(args[0])
        except KeyError:
            raise UsageError(f"no spider named {args[0]!r} (scrapy list names them)") from None
        refused = state_refusals(self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        if refused:  # as `doctor-answers crawl` says it: one line, its own exit status
            self._refuse(refused[0], refused[0].exit_status)
            return
        self.exitcode = EXIT_STATUS.get(_status(crawler), 1)

    def _refuse(self, error: Exception, exit_status: int) -> None:
        """One line on stderr, and in the log file when there is one: a Scrapyd job's log is
        where its reason is looked for (its stderr goes to the daemon's)."""
        print(f"scrapy crawl: {error}", file=sys.stderr)
        if self.settings.get("LOG_FILE"):
            logger.error("Not started: %s", error)
        self.exitcode = exit_status


def _check(settings) -> None:
    """The settings given on the command line (`-s`, a Scrapyd job's), checked as `doctor-answers
    crawl -s` checks them, and what no crawl may use."""
    for name, attribute in settings.attributes.items():
        if attribute.priority != SETTINGS_PRIORITIES["cmdline"]:
            continue
        value = attribute.value
        if isinstance(value, BaseSettings):  # a dict setting: Scrapy has read its JSON already
            value = json.dumps(value.copy_to_dict())
        if isinstance(value, str):
            setting_value(name, value)
            if warning := unknown_setting(name):
                print(f"scrapy crawl: warning: {warning}", file=sys.stderr)
    check_crawl_settings(settings, settings.get("DATA_DIR"))


def _status(crawler) -> str | None:
    """The status the dataset pipeline left in the stats; None if the crawl never started."""
    try:
        return crawler.stats.get_value("crawl/status")
    except RuntimeError:  # Scrapy: no stats before the crawl starts (a spider that would not start)
        return None
