"""A bare Scrapy spider: fetches the pages the `questions` crawl fetches and does nothing with them.

The baseline of the crawl-overhead benchmark. Same discovery as the real spider (robots.txt's
Sitemap: lines, the sitemaps, the home page and its topic listings, then every question page),
same settings module (`crawler.settings`: politeness, middlewares, extensions), but a question
page's callback returns at once: no parsing, no items, so no item pipelines.

    .venv/bin/python -m bench.bare_spider URL [--out DIR] [-s NAME=VALUE ...]

Runs in its own process (Twisted's reactor cannot restart) and prints the crawl's stats to
stderr as Scrapy does at the end of every crawl.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy import signals

from crawler import discovery


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = [start_url]
        self.allowed_domains = [urlsplit(start_url).hostname]

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Sitemaps come from robots.txt as Scrapy's RobotsTxtMiddleware reads it, as in the real spider.
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    async def start(self):
        yield scrapy.Request(self.start_urls[0], callback=self.parse_listing)

    def robots_parsed(self, robotparser, request):
        for url in getattr(getattr(robotparser, "rp", None), "sitemaps", ()):
            self.crawler.engine.crawl(scrapy.Request(url, callback=self.parse_sitemap))

    def parse_sitemap(self, response):
        sitemap = discovery.read_sitemap(response.url, response.body)
        kind, entries = sitemap.kind, sitemap.entries
        for entry in entries:
            if kind == "sitemapindex":
                yield scrapy.Request(entry.url, callback=self.parse_sitemap)
            elif discovery.is_question_url(entry.url):
                yield scrapy.Request(entry.url, callback=self.parse_question, priority=10)

    def parse_listing(self, response):
        links = discovery.read_listing(response.url, response.body)
        for url in links.questions:
            yield scrapy.Request(url, callback=self.parse_question, priority=10)
        for url in links.listings + ([links.next_page] if links.next_page else []):
            yield scrapy.Request(url, callback=self.parse_listing)

    def parse_question(self, response):
        return None  # fetched; nothing else


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_spider")
    parser.add_argument("start_url")
    parser.add_argument("--out", default=None, help="DATA_DIR (nothing is written there)")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, as the crawl's -s does")
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")  # no items: nothing to pipe
    if args.out:
        settings.set("DATA_DIR", str(Path(args.out)), priority="cmdline")
    for name, _, value in (item.partition("=") for item in args.settings):
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_url=args.start_url)
    process.start()
    return 0 if crawler.stats.get_value("finish_reason") == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
