"""robots.txt as RFC 9309 reads it: groups matched by our product token, unreadable files,
redirects, Crawl-delay lines."""
from __future__ import annotations

import gzip
import re
import struct
import zlib

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.extensions.crawl_delay import RobotsCrawlDelay
from tests.crawling import crawl, crawl_log, crawl_rows, question_hits
from tests.hostile import TEXT, HostileServer, Reply, question_paths


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


# A robots.txt that cannot be read -------------------------------------------------------------

@pytest.fixture
def in_front(reference_site):
    """A server in front of a reference site of 8 questions whose robots.txt `route` answers."""
    servers = []

    def start(robots_reply):
        site = reference_site(questions=8)
        server = HostileServer(lambda path: robots_reply if path == "/robots.txt" else None, site.url, in_front=True)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


ROBOTS = (b"User-agent: *\nDisallow: /api/\n" + b"".join(b"# comment %d\n" % i for i in range(300))
          + b"Disallow: /question/\n")
# Cut at two thirds: its last line, Disallow: /question/, lost with the stream's end
CUT_GZIP = gzip.compress(ROBOTS)[:len(gzip.compress(ROBOTS)) * 2 // 3]
CUT_DEFLATE = zlib.compress(ROBOTS)[:len(zlib.compress(ROBOTS)) * 2 // 3]
# One byte changed on the way (/question/ no longer disallowed), the gzip CRC-32 of the file kept
DAMAGED_GZIP = (gzip.compress(ROBOTS.replace(b"/question/", b"/quest1on/"), mtime=0)[:-8]
                + struct.pack("<II", zlib.crc32(ROBOTS), len(ROBOTS)))
FAST = ("-s", "RETRY_TIMES=2", "-s", "RETRY_BACKOFF_BASE=0.01", "-s", "DOWNLOAD_TIMEOUT=1")
UNREADABLE = {
    "503 on every attempt": (Reply(503, b"busy", TEXT), "HTTP 503 after 3 attempts"),
    "429 on every attempt": (Reply(429, b"slow down", TEXT), "HTTP 429 after 3 attempts"),
    "no answer": (Reply(hang=True), "timed out"),
    "UTF-16": (Reply(200, "User-agent: *\nAllow: /\n".encode("utf-16"), TEXT), "its body is not text"),
    "gzip without its header": (Reply(200, gzip.compress(b"User-agent: *\nAllow: /\n"), TEXT), "its body is not text"),
    # Whole by its Content-Length, yet its coding stops before its end: the rules read are not the file's
    "gzip stream cut short": (Reply(200, CUT_GZIP, {**TEXT, "Content-Encoding": "gzip"}), "its body was cut short"),
    "deflate stream cut short": (Reply(200, CUT_DEFLATE, {**TEXT, "Content-Encoding": "deflate"}),
                                 "its body was cut short"),
    "gzip stream damaged": (Reply(200, DAMAGED_GZIP, {**TEXT, "Content-Encoding": "gzip"}),
                            "its body failed its content coding's check"),
    # No robots.txt, yet no 4xx either (RFC 9309 2.3.1.4): as a redirect loop is
    "302 to ftp:": (Reply(302, b"", {"Location": "ftp://127.0.0.1/robots.txt"}),
                    "HTTP 302 to ftp://127.0.0.1/robots.txt, not followed (not an http or https URL)"),
    "302 without a Location": (Reply(302, b"", TEXT), "HTTP 302 without a Location, not followed"),
    "302 to javascript:": (Reply(302, b"", {"Location": "javascript:alert(1)"}),
                           "HTTP 302 to javascript:alert(1), not followed (not a URL the crawl can follow)"),
    "300 to a page": (Reply(300, b"", {"Location": "/robots-elsewhere.txt"}), "HTTP 300 to /robots-elsewhere.txt"),
    "a 3xx no redirect": (Reply(399, b"User-agent: *\nAllow: /\n", TEXT), "HTTP 399 without a Location"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", UNREADABLE)
def test_a_robots_txt_that_cannot_be_read_disallows_the_site(in_front, tmp_path, case):
    reply, why = UNREADABLE[case]
    server = in_front(reply)
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, *FAST)
    assert result.returncode == 1, result.stderr[-2000:]
    assert set(server.hits) == {"/robots.txt"}  # no page of the site, not even its home page
    (row,) = crawl_rows(out)
    assert row["status"] == "failed"
    assert f"robots.txt of {server.url.split('//')[1]} could not be read ({why}" in row["message"]
    assert "every page is disallowed" in row["message"]
    assert f"Start URL failed: {server.url}/: robots.txt could not be read ({why}" in result.stderr  # not "forbidden"
    (errors,) = [line for line in result.stdout.splitlines() if line.startswith("  errors: ")]
    assert "robots.txt could not be read (1)" in errors
    assert not re.search(r"[a-z][A-Z]", errors), errors  # words, never a class name (RobotsUnreadable)


@pytest.mark.slow
def test_a_missing_robots_txt_allows_all_and_is_no_error(in_front, tmp_path):
    server = in_front(Reply(404, b"<html><body>User-agent: *<br>Disallow: /</body></html>"))
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out)
    assert result.returncode == 0, result.stderr[-2000:]
    assert question_hits(server) == 8
    assert "errors: none" in result.stdout


def test_a_latin_1_robots_txt_is_still_read():
    crawler = project_crawler()
    text = "# café\nUser-agent: *\nDisallow: /question/\n".encode("latin-1")
    rp = build_from_crawler(load_object(crawler.settings["ROBOTSTXT_PARSER"]), crawler, text)
    assert not rp.allowed("http://127.0.0.1/question/x", "doctor-answers")


# robots.txt redirected ---------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("hops", [1, 5])
def test_a_robots_txt_redirected_to_another_host_is_followed(reference_site, tmp_path, hops):
    """127.0.0.1/robots.txt -> localhost/... (example.com -> www.example.com), through `hops`
    redirects (RFC 9309: at least five): the target's rules are the site's."""
    site = reference_site(questions=8)
    box = {}

    def route(path, headers):
        if not path.startswith("/robots"):
            return None
        hop = int(path.partition("hop=")[2] or 0)
        if hop < hops:
            return Reply(301, b"", {"Location": f"http://localhost:{box['port']}/robots-moved.txt?hop={hop + 1}"})
        assert headers["Host"].startswith("localhost")
        return Reply(200, b"User-agent: *\nDisallow: /question/\n", TEXT)

    server = HostileServer(route, site.url, in_front=True, with_headers=True)
    box["port"] = server.url.rpartition(":")[2]
    try:
        out = tmp_path / "data"
        crawl(server.url + "/", "--out", out)
        assert server.hits[f"/robots-moved.txt?hop={hops}"] == 1
        assert question_hits(server) == 0  # the target forbids them
        (row,) = crawl_rows(out)
        assert row["status"] == "failed" and "forbidden by robots.txt" in row["message"]
    finally:
        server.stop()


# Crawl-delay lines ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["5s", "2,5", "10 seconds", "-5", "nan", "soon"])
def test_a_crawl_delay_that_is_no_number_is_a_warning_naming_it(caplog, value):
    crawler = project_crawler()
    extension = RobotsCrawlDelay(crawler)
    extension.robots_parsed(parser(crawler, f"User-agent: *\nCrawl-delay: {value}\n"), Request("http://127.0.0.1:1/"))
    assert extension.floors == {}
    assert f"robots.txt of 127.0.0.1:1: 'Crawl-delay: {value}' is not a number of seconds" in caplog.text


def test_a_readable_crawl_delay_gives_no_warning(caplog):
    crawler = project_crawler()
    extension = RobotsCrawlDelay(crawler)
    extension.robots_parsed(parser(crawler, "User-agent: *\nCrawl-delay: 0.5 # polite\n"), Request("http://127.0.0.1:1/"))
    assert extension.floors == {"127.0.0.1:1": 0.5} and "not a number" not in caplog.text


@pytest.mark.slow
@pytest.mark.parametrize("value", ["1e400", "inf"])
def test_an_infinite_crawl_delay_is_above_the_maximum(in_front, tmp_path, value):
    server = in_front(Reply(200, f"User-agent: *\nCrawl-delay: {value}\n".encode(), TEXT))
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out)
    assert result.returncode == 1, result.stderr[-2000:]
    assert question_hits(server) == 0
    (row,) = crawl_rows(out)
    assert row["status"] == "failed" and "asks for an infinite Crawl-delay, more than CRAWL_DELAY_MAX" in row["message"]


# robots.txt past its parsing limit --------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("coding", ["identity", "gzip", "gzip past DOWNLOAD_MAXSIZE"])
def test_a_robots_txt_past_its_parsing_limit_is_read_up_to_it(in_front, tmp_path, coding):
    """RFC 9309 2.5: a parsing limit of at least 500 KiB, what lies past it ignored. A robots.txt
    bigger than DOWNLOAD_MAXSIZE (its Content-Length said so before a byte) was no robots.txt
    read, so the whole site disallowed: now its rules up to the limit are obeyed, those past
    it (here a Disallow: / at 700 KiB) ignored, and the question forbidden is said."""
    body = (b"User-agent: *\nDisallow: /question/\n"
            + b"".join(b"Disallow: /junk/%07d/\n" % i for i in range(30000)) + b"Disallow: /\n")
    assert len(body) > 700 * 1024
    gzipped = coding.startswith("gzip")
    headers = {**TEXT, "Content-Encoding": "gzip"} if gzipped else TEXT
    server = in_front(Reply(200, gzip.compress(body) if gzipped else body, headers))
    out = tmp_path / "data"
    # identity: its Content-Length past DOWNLOAD_MAXSIZE; gzip: decoded past the limit, and past
    # DOWNLOAD_MAXSIZE too (the coding of the transfer does not change what is read)
    small = {"identity": ("-s", "DOWNLOAD_MAXSIZE=100000", "-s", "DOWNLOAD_WARNSIZE=50000"), "gzip": (),
             "gzip past DOWNLOAD_MAXSIZE": ("-s", "DOWNLOAD_MAXSIZE=600000")}[coding]
    crawl(server.url + "/", "--out", out, *small)
    (row,) = crawl_rows(out)
    assert question_hits(server) == 0 and server.hits["/"] == 1  # Disallow: /question/ obeyed, Disallow: / not
    assert row["status"] == "failed" and "could not be read" not in row["message"], row["message"]
    assert "pages forbidden by robots.txt" in row["message"]
    assert "larger than ROBOTSTXT_MAX_SIZE" in crawl_log(out)


@pytest.mark.slow
def test_questions_robots_txt_forbids_are_said_by_a_finished_crawl(in_front, tmp_path):
    """No error of the crawl, yet questions its sources named and it did not fetch: a finished
    crawl's message and summary count them (they said "errors: none" and nothing else)."""
    server = in_front(Reply(200, b"", TEXT))
    kept = question_paths(server.upstream, 1)[0]
    server.route = lambda path: Reply(200, f"User-agent: *\nDisallow: /question/\nAllow: {kept}$\n".encode(),
                                      TEXT) if path == "/robots.txt" else None
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out)
    (row,) = crawl_rows(out)
    assert question_hits(server) == 1 and row["status"] == "finished", result.stdout
    said = "7 question pages not fetched: robots.txt forbids them"
    assert said in row["message"] and said in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("start", ["/", "/s.xml"])
def test_a_sitemap_robots_txt_forbids_is_not_fetched_and_named(in_front, tmp_path, start):
    """robots.txt naming a sitemap its own rules forbid (`Disallow: /*.xml$`, a common slip): not
    fetched, as robots.txt says, and named in the message and summary (a finished crawl said
    "errors: none" and nothing else; a sitemap start URL only "1 pages forbidden")."""
    server = in_front(Reply(200, b"", TEXT))
    sitemap = server.url + "/s.xml"
    server.route = lambda path: Reply(200, f"User-agent: *\nDisallow: /*.xml$\nSitemap: {sitemap}\n".encode(),
                                      TEXT) if path == "/robots.txt" else None
    out = tmp_path / "data"
    result = crawl(server.url + start, "--out", out)
    (row,) = crawl_rows(out)
    assert server.hits["/s.xml"] == 0
    said = f"sitemaps not read, robots.txt forbids them (the questions only they name are not in this crawl): {sitemap}"
    assert said in row["message"] and said in result.stdout, row["message"]
    assert row["status"] == ("finished" if start == "/" else "failed"), row["message"]
