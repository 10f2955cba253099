"""Progress while a crawl runs: pages done, items, errors, one line every few seconds."""
from __future__ import annotations

import logging
import sys

from scrapy import signals
from twisted.internet import task

logger = logging.getLogger("doctor_answers.progress")


class Progress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        self.loop: task.LoopingCall | None = None
        # The demo quiets Scrapy's log and prints progress lines on stderr instead.
        self.print = crawler.settings.getbool("PROGRESS_PRINT")

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        # A resumed crawl says so first: in the log of a Scrapyd job as on the command line.
        done = self.crawler.stats.get_value("crawl/resumed_done_pages")
        if done is not None:
            logger.info("Resuming crawl %s: %d question pages already committed",
                        self.crawler.stats.get_value("crawl/id"), done)
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.report()

    def report(self):
        stats = self.crawler.stats
        line = "progress: %d pages, %d questions, %d answers, %d errors, %d blocked" % (
            stats.get_value("response_received_count", 0),
            stats.get_value("records/question", 0),
            stats.get_value("records/answer", 0),
            stats.get_value("pages/failed", 0),
            stats.get_value("pages/blocked", 0),
        )
        if self.print:
            print(line, file=sys.stderr, flush=True)
        else:
            logger.info(line)
