"""Run the `questions` crawl in this process, as the CLI's `crawl` and `demo` do."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EXIT_STATUS = {"finished": 0, "interrupted": 130, "blocked": 3, "failed": 1}


@dataclass
class CrawlResult:
    status: str
    crawl_id: str
    stats: dict

    @property
    def exit_code(self) -> int:
        return EXIT_STATUS.get(self.status, 1)


def crawl_settings(out: str | Path, max_pages: int | None = None, state: str | Path | None = None,
                   overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("DATA_DIR", str(out), priority="cmdline")
    if max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    if state:
        settings.set("STATE_DIR", str(state), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(start_urls: list[str], out: str | Path = "data", max_pages: int | None = None,
              state: str | Path | None = None, overrides: dict | None = None) -> CrawlResult:
    from scrapy.crawler import CrawlerProcess

    from pipelines.state import StateError

    process = CrawlerProcess(crawl_settings(out, max_pages, state, overrides))
    crawler = process.create_crawler("questions")
    refused: list[StateError] = []  # a state folder this crawl may not use: it never starts
    crawling = process.crawl(crawler, start_urls=list(start_urls))
    crawling.addErrback(lambda failure: refused.append(failure.value) if failure.check(StateError) else failure)
    process.start()
    if refused:
        raise refused[0]
    stats = crawler.stats.get_stats()
    return CrawlResult(stats.get("crawl/status", "failed"), stats.get("crawl/id", ""), stats)
