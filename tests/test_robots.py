"""robots.txt as RFC 9309 reads it: groups matched by our product token, unreadable files,
redirects, Crawl-delay lines."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.extensions.crawl_delay import RobotsCrawlDelay


ROBOTS_SETTINGS = ("ROBOTSTXT_OBEY", "ROBOTSTXT_USER_AGENT", "ROBOTSTXT_PARSER", "USER_AGENT", "CRAWL_DELAY_MAX")


def project_crawler(**overrides):
    """A crawler with the project's robots.txt settings (all of them would want a reactor)."""
    settings = {name: getattr(project_settings, name) for name in ROBOTS_SETTINGS}
    return get_crawler(settings_dict={**settings, **overrides})


def parser(crawler, text: str):
    """The robots.txt parser Scrapy builds for the crawl (Protego underneath), on `text`."""
    return build_from_crawler(load_object(crawler.settings["ROBOTSTXT_PARSER"]), crawler, text.encode())


def allowed(crawler, text: str, url: str) -> bool:
    middleware = RobotsTxtMiddleware.from_crawler(crawler)
    request = Request(url, headers={"User-Agent": crawler.settings["USER_AGENT"]})
    try:
        middleware.process_request_2(parser(crawler, text), request)
    except IgnoreRequest:
        return False
    return True


# Groups named after words of our User-Agent's comment, or a prefix of our token: other bots'.
@pytest.mark.parametrize("other", ["crawler", "research", "github", "doctor", "answers", "doctor-answers-bot"])
def test_a_group_for_another_bot_does_not_apply_to_us(other):
    crawler = project_crawler()
    text = f"User-agent: {other}\nAllow: /\n\nUser-agent: *\nDisallow: /question/\n"
    assert not allowed(crawler, text, "http://127.0.0.1/question/x")


@pytest.mark.parametrize("ours", ["doctor-answers", "Doctor-Answers", "doctor-answers/0.1", "doctor-answers # us"])
def test_our_own_group_beats_the_star_group(ours):
    crawler = project_crawler()
    text = f"User-agent: {ours}\nAllow: /\n\nUser-agent: *\nDisallow: /\n"
    assert allowed(crawler, text, "http://127.0.0.1/question/x")


def test_crawl_delay_is_read_from_the_group_the_rules_come_from():
    crawler = project_crawler()
    extension = RobotsCrawlDelay(crawler)
    text = "User-agent: crawler\nCrawl-delay: 0.1\n\nUser-agent: *\nCrawl-delay: 2\n"
    extension.robots_parsed(parser(crawler, text), Request("http://127.0.0.1:1/question/x"))
    assert extension.floors == {"127.0.0.1:1": 2.0}
