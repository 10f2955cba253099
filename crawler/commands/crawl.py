"""`scrapy crawl`, exiting with the crawl's status as `doctor-answers crawl` does.

Scrapy's own command exits 0 whatever became of the crawl (1 only when it could not start);
a cron job or a Scrapyd runner needs the outcome the `crawls` row holds: 0 finished,
4 degraded, 1 failed, 3 blocked, 130 interrupted (pipelines.crawls.EXIT_STATUS).
"""
from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from pipelines.crawls import EXIT_STATUS


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl questions -a start_url=URL")
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        status = crawler.stats.get_value("crawl/status")
        if self.crawler_process.bootstrap_failed or status is None:
            self.exitcode = 1
        else:
            self.exitcode = EXIT_STATUS.get(status, 1)
