"""One site rule everywhere: what the rows' `site` column holds (crawler.sites.site_key: a host
a site definition names is that site, any other host is its host and port, in lower case,
without its default port) is what the off-site rule, robots.txt's sitemaps, the quality
checks' "same site" and a state folder's site read. No network: the crawl's own components."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import scrapy
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.middlewares.offsite import OffsiteMiddleware
from crawler.sites import site_key, sites_of
from crawler.spiders.questions import QuestionsSpider


def spider_of(*start_urls: str) -> QuestionsSpider:
    crawler = get_crawler(QuestionsSpider, {"EXTRACT_PROCESSES": 0})
    return QuestionsSpider.from_crawler(crawler, start_urls=",".join(start_urls))


def with_offsite(spider: QuestionsSpider) -> QuestionsSpider:
    """The spider with the crawl's offsite middleware (the engine's, in a crawl)."""
    offsite = OffsiteMiddleware.from_crawler(spider.crawler)
    offsite.spider_opened(spider)
    spider.offsite = offsite
    return spider


def follows(start: str, link: str) -> bool:
    spider = with_offsite(spider_of(start))
    return spider.offsite.should_follow(scrapy.Request(link), spider)


@pytest.mark.parametrize("start, link", [
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8001/question/x"),  # another port
    ("http://127.0.0.1:8000/", "http://127.0.0.1/question/x"),
    ("http://localhost:8000/", "http://x.localhost:8000/question/x"),  # a subdomain no definition names
    ("https://realself.com/", "https://evil.realself.com/question/x"),
    ("https://www.realself.com/", "https://elsewhere.example/question/x"),
])
def test_a_crawl_never_follows_another_site(start, link):
    assert not follows(start, link)


@pytest.mark.parametrize("start, link", [
    ("https://www.realself.com/", "https://realself.com/question/x"),  # the hosts of one defined site
    ("https://realself.com/", "https://WWW.REALSELF.COM:443/question/x"),
    ("http://LOCALHOST:8000/", "http://localhost:8000/question/x"),
    ("http://localhost:80/", "http://localhost/question/x"),
])
def test_a_crawl_follows_every_spelling_and_host_of_its_own_site(start, link):
    assert follows(start, link)


def test_a_question_link_to_another_port_is_counted_as_off_site_and_not_requested():
    spider = with_offsite(spider_of("http://127.0.0.1:8000/"))
    assert spider.question_request("http://127.0.0.1:8001/question/x") is None
    assert spider.crawler.stats.get_value("pages/off_site_links") == 1
    assert spider.question_request("http://127.0.0.1:8000/question/x") is not None


@pytest.mark.parametrize("start, robots", [
    ("http://LOCALHOST:8000/", "http://localhost:8000/robots.txt"),
    ("HTTP://LocalHost:8000", "http://localhost:8000/robots.txt"),
    ("http://localhost:80/", "http://localhost/robots.txt"),
    ("https://realself.com/", "https://www.realself.com/robots.txt"),
])
def test_robots_txt_sitemaps_are_read_whatever_the_start_host_spelling(start, robots):
    """Scrapy asks for robots.txt at the URL it requests, in lower case, without a default
    port: the start site is the same site however it was typed (its sitemap, on the site, is
    followed; a relative Sitemap: line is resolved against robots.txt)."""
    spider = with_offsite(spider_of(start))
    spider.robots = None  # no engine: robots.txt read where it is asked for
    queued = []
    spider.enqueue = queued.extend
    sitemap = robots.replace("/robots.txt", "/sitemap.xml")
    parsed = SimpleNamespace(rp=SimpleNamespace(sitemaps=[sitemap, "/other.xml"]))
    spider.robots_parsed(parsed, scrapy.Request(robots))
    assert [request.url for request in queued] == [sitemap, robots.replace("/robots.txt", "/other.xml")]


def test_robots_txt_of_a_site_not_started_from_its_root_gives_no_sitemaps():
    spider = spider_of("http://localhost:8000/question/x")
    queued = []
    spider.enqueue = queued.extend
    parsed = SimpleNamespace(rp=SimpleNamespace(sitemaps=["http://localhost:8000/sitemap.xml"]))
    spider.robots_parsed(parsed, scrapy.Request("http://localhost:8000/robots.txt"))
    assert queued == []


def test_the_sites_of_a_crawl_are_its_start_urls_sites():
    assert sites_of(["http://LOCALHOST:8000/", "http://localhost:8000/question/x"]) == ["localhost:8000"]
    assert sites_of(["https://realself.com/", "https://www.realself.com/question/x"]) == ["www.realself.com"]
    assert sites_of(["http://127.0.0.1:8000/", "http://127.0.0.1:9000/"]) == ["127.0.0.1:8000", "127.0.0.1:9000"]
    assert site_key("http://B\u00fccher.Example:80/") == site_key("http://xn--bcher-kva.example/") == "xn--bcher-kva.example"


@pytest.mark.parametrize("spelling", [
    "http://127.1:8000/", "http://2130706433:8000/", "http://0x7f.0.0.1:8000/", "http://0177.0.0.1:8000/",
    "http://0x7F000001:8000/", "http://127.0.0.1.:8000/", "http://127.0.0.%31:8000/",
])
def test_an_ipv4_address_is_one_site_however_its_numbers_are_written(spelling):
    """Browsers and the WHATWG URL parser read these as 127.0.0.1: one server, one site. What
    is no address is kept as written, and `localhost` is a name, a site of its own."""
    assert site_key(spelling) == "127.0.0.1:8000"
    assert follows("http://127.0.0.1:8000/", spelling + "question/x")
    assert site_key("http://localhost:8000/") == "localhost:8000"
    for no_address in ("256.0.0.1", "1.2.3.4.5", "1_0", "09.1", "x.1"):
        assert site_key(f"http://{no_address}/") == no_address


@pytest.mark.parametrize("spelling, site", [
    ("http://[0:0::1]:8000/", "[::1]:8000"), ("http://[0000::0001]/", "[::1]"),
    ("http://Example.COM.:80/", "example.com"), ("https://REALSELF.com./", "www.realself.com"),
    ("http://XN--BCHER-KVA.example./", "xn--bcher-kva.example"),
])
def test_a_host_is_one_site_however_it_is_spelled(spelling, site):
    assert site_key(spelling) == site


@pytest.mark.parametrize("first, then", [
    ("http://localhost:8000/", "http://LOCALHOST:8000/"),
    ("http://localhost/", "http://localhost:80/question/x"),
    ("http://b\u00fccher.example/", "http://xn--bcher-kva.example/"),
    ("https://www.realself.com/", "https://realself.com/"),
])
def test_a_state_folder_takes_its_site_however_it_is_typed(tmp_path, first, then):
    from pipelines.session import CrawlSession, _site

    settings = Settings({"STATE_DIR": str(tmp_path / "state")})
    CrawlSession(settings)._check_site(_site([first]))
    CrawlSession(settings)._check_site(_site([then]))  # no StateError


def test_a_state_folder_refuses_another_port(tmp_path):
    from pipelines.session import CrawlSession, _site
    from pipelines.state import StateError

    settings = Settings({"STATE_DIR": str(tmp_path / "state")})
    CrawlSession(settings)._check_site(_site(["http://127.0.0.1:8000/"]))
    with pytest.raises(StateError, match="belongs to the crawls of 127.0.0.1:8000, not 127.0.0.1:8001"):
        CrawlSession(settings)._check_site(_site(["http://127.0.0.1:8001/"]))


def test_a_state_folder_written_with_a_typed_host_takes_its_site(tmp_path):
    """An owner written before owners were site keys (the netloc as typed) is read as its site."""
    from pipelines.session import CrawlSession, _site

    settings = Settings({"STATE_DIR": str(tmp_path / "state")})
    CrawlSession(settings).state.set_owner("site", "LOCALHOST:8000")
    CrawlSession(settings)._check_site(_site(["http://localhost:8000/"]))
