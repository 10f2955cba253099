"""What a start URL stands for, and when it failed.

A site root stands for its site's discovery (robots.txt, its sitemaps, the home page's topic
listings), not for its home page alone: a home page that robots.txt forbids (the allow-list
form: questions and sitemaps only), that answers an error or that moved to another host does
not fail a crawl whose sitemaps named the questions; the message names it and why. A root whose
discovery gave nothing still fails, and so does a question URL that led to no question page.
"""
from __future__ import annotations

import re

import pytest

from tests.crawling import crawl, crawl_log, crawl_rows
from tests.hostile import TEXT, HostileServer, Reply, question_paths

FAST_FAILURE = ["-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_BACKOFF_BASE=0.01"]
ANY = "User-agent: *\nDisallow: /api/\n"

# robots.txt's rules (its Sitemap: line is added), the home page's answer (None: the site's),
# and why the message says the home page was not read
HOME_UNREAD = {
    "robots.txt allows only questions and sitemaps": (
        "User-agent: *\nAllow: /question/\nAllow: /xmlsitemap\nAllow: /sitemap.xml\nDisallow: /\n", None,
        "forbidden by robots.txt"),
    "robots.txt disallows the home page alone": ("User-agent: *\nDisallow: /$\n", None, "forbidden by robots.txt"),
    "home page 404": (ANY, Reply(404, b"<html><body>Not Found</body></html>"), "HTTP 404"),
    "home page 410": (ANY, Reply(410, b"<html><body>Gone</body></html>"), "HTTP 410"),
    "home page 500": (ANY, Reply(500, b"<html><body>oops</body></html>"), "HTTP 500"),
    "home page moved to another host": (ANY, Reply(301, b"", {"Location": "http://localhost:1/"}),
                                        "redirected off the site, to http://localhost:1/"),
}


def site_behind(reference_site, robots: str, home: Reply | None, sitemaps: bool = True) -> HostileServer:
    site = reference_site(questions=20)

    def route(path):
        if path == "/robots.txt":
            sitemap = f"Sitemap: {server.url}/sitemap.xml\n" if sitemaps else ""
            return Reply(200, (robots + sitemap).encode(), TEXT)
        return home if path == "/" else None
    server = HostileServer(route, upstream=site.url, in_front=True)
    return server


def crawl_of(server, out, start: str = "/", *args):
    try:
        result = crawl(server.url + start, "--out", out, *FAST_FAILURE, *args)
    finally:
        server.stop()
    (row,) = crawl_rows(out)
    return result, row


@pytest.mark.parametrize("case", list(HOME_UNREAD))
def test_a_site_root_whose_sitemaps_gave_the_questions_is_reached_without_its_home_page(reference_site, tmp_path,
                                                                                        case):
    robots, home, why = HOME_UNREAD[case]
    server = site_behind(reference_site, robots, home)
    result, row = crawl_of(server, tmp_path / "data")
    assert result.returncode == 0 and row["status"] == "finished", result.stdout + result.stderr[-2000:]
    assert row["questions"] == 20
    assert row["message"].startswith(f"home page not read: {server.url}/: {why} ("), row["message"]
    assert "start URL failed" not in row["message"]
    assert f"why: {row['message']}" in result.stdout
    assert "Start URL failed" not in result.stderr  # nor an error line for a start URL reached
    assert f"Start URL reached, its home page not read: {server.url}/: {why}" in crawl_log(tmp_path / "data")


@pytest.mark.parametrize("sitemap", ["none", "404"])
def test_a_site_root_whose_discovery_gave_nothing_still_fails(reference_site, tmp_path, sitemap):
    site = reference_site(questions=20)

    def route(path):
        if path == "/robots.txt":
            line = f"Sitemap: {server.url}/gone.xml\n" if sitemap == "404" else ""
            return Reply(200, (ANY + line).encode(), TEXT)
        return Reply(404, b"<html><body>Not Found</body></html>") if path in ("/", "/gone.xml") else None
    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_of(server, tmp_path / "data")
    assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert f"start URL failed: {server.url}/: HTTP 404" in row["message"]
    assert f"Start URL failed: {server.url}/: HTTP 404" in result.stderr
    assert "Start URL reached" not in crawl_log(tmp_path / "data")


def test_a_missing_robots_txt_fails_no_start_url_when_robots_txt_is_not_obeyed(reference_site, tmp_path):
    """Without ROBOTSTXT_OBEY the spider asks for robots.txt itself, for its sitemaps: its 404
    is a site without one, not the start URL's failure (the home page's listings gave all)."""
    server = site_behind(reference_site, ANY, None)
    server.route = lambda path: Reply(404, b"<html><body>Not Found</body></html>") if path == "/robots.txt" else None
    result, row = crawl_of(server, tmp_path / "data", "/", "-s", "ROBOTSTXT_OBEY=False")
    assert result.returncode == 0 and row["status"] == "finished", result.stdout + result.stderr[-2000:]
    assert row["questions"] == 20 and "Start URL failed" not in result.stderr


@pytest.mark.parametrize("status, says", [
    (302, "redirected to {url}/ (not a question page)"),
    (301, "removed by the site (moved permanently to the home page or a listing -> {url}/)"),  # the site's word
])
def test_a_question_start_url_redirected_to_no_question_page_fails_saying_where_it_led(reference_site, tmp_path,
                                                                                        status, says):
    site = reference_site(questions=20)
    server = HostileServer(lambda path: Reply(status, b"", {"Location": "/"}) if path == "/question/moved" else None,
                           upstream=site.url, in_front=True)
    result, row = crawl_of(server, tmp_path / "data", "/question/moved")
    assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert f"start URL failed: {server.url}/question/moved: {says.format(url=server.url)}" in row["message"], row["message"]
    assert "unknown layout" not in row["message"]


def test_a_page_given_up_is_one_line_on_stderr_in_the_summarys_words(reference_site, tmp_path):
    """A page past DOWNLOAD_MAXSIZE (its length said, or chunked and said by no header) was
    "download cancelled", said two or three times on stderr (Scrapy's "Gave up retrying <GET
    ...>" beside the crawl's own line, and a start URL's line): once each, in words a person
    can act on."""
    site = reference_site(questions=20)
    paths = question_paths(site.url, 2)
    big = b"<html><body><p>" + b"x" * (9 * 2 ** 20) + b"</p></body></html>"

    def route(path):
        if path in paths:
            return Reply(200, big, framing="length" if path == paths[0] else "chunked")
        if path == "/robots.txt":
            return Reply(200, ANY.encode(), TEXT)
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_of(server, tmp_path / "data", paths[0], "-s", "RETRY_TIMES=1")
    assert row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert "Gave up retrying" not in result.stderr and "download cancelled" not in result.stdout + result.stderr
    assert result.stderr.count(paths[0]) == 1, result.stderr
    assert f"Start URL failed: {server.url}{paths[0]}: larger than DOWNLOAD_MAXSIZE" in result.stderr
    assert "errors: larger than DOWNLOAD_MAXSIZE (1)" in result.stdout


def test_a_discovered_page_past_the_size_limit_is_one_line_on_stderr(reference_site, tmp_path):
    site = reference_site(questions=20)
    (path,) = question_paths(site.url, 1)
    big = b"<html><body><p>" + b"x" * (9 * 2 ** 20) + b"</p></body></html>"
    server = HostileServer(lambda p: Reply(200, big, framing="chunked") if p == path else None,
                           upstream=site.url, in_front=True)
    result, row = crawl_of(server, tmp_path / "data", "/", "-s", "RETRY_TIMES=1")
    assert row["questions"] == 19, result.stdout + result.stderr[-2000:]
    assert "Gave up retrying" not in result.stderr
    assert result.stderr.count(path) == 1, result.stderr
    assert f"Failed {server.url}{path}: larger than DOWNLOAD_MAXSIZE" in result.stderr


def mounted_under_qa(reference_site) -> HostileServer:
    """The reference site mounted under /qa/ (its links and sitemaps rewritten so): paths the
    site's rules do not know, as a site crawler/sites does not define yet would have."""
    site = reference_site(questions=15)

    def route(path):
        if path == "/robots.txt":
            return Reply(200, ANY.encode(), TEXT)
        if not path.startswith("/qa/"):
            return Reply(404, b"<html><body>Not Found</body></html>")
        reply = server.fetch(path[3:])
        body = reply.body.replace(f"{server.url}/".encode(), f"{server.url}/qa/".encode())
        return Reply(reply.status, re.sub(rb'href="/(?!/)', b'href="/qa/', body), reply.headers)
    server = HostileServer(route, upstream=site.url, in_front=True)
    return server


@pytest.mark.parametrize("start", ["sitemap", "question page", "listing"])
def test_a_site_of_unknown_paths_fails_saying_why_whatever_its_start(reference_site, tmp_path, start):
    """A start page read (200) that is no question page by the site's rules and links to none
    they take says so, with the hint a sitemap of such URLs gives: "no question page found"
    alone is nothing a person can act on."""
    server = mounted_under_qa(reference_site)
    question = "/qa" + question_paths(reference_site(questions=15).url, 1)[0]
    path = {"sitemap": "/qa/sitemap.xml", "question page": question, "listing": "/qa/questions/botox"}[start]
    assert server.route(path).status == 200
    result, row = crawl_of(server, tmp_path / "data", path)
    assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert row["message"].startswith("no question page found: "), row["message"]
    assert "none a question page by the site's rules" in row["message"], row["message"]
    assert row["message"].endswith("(a site crawler/sites does not define yet?)"), row["message"]


NOT_HTML = {
    "robots.txt": ("/robots.txt", None, "text/plain"),
    "JSON": ("/feed.json", Reply(200, b'{"questions": [1, 2]}', {"Content-Type": "application/json"}),
             "application/json"),
    "an image": ("/logo.png", Reply(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", {"Content-Type": "image/png"}),
                 "image/png"),
}


@pytest.mark.parametrize("case", list(NOT_HTML))
def test_a_start_url_that_is_no_html_page_fails_saying_what_it_was_not_cut_off(reference_site, tmp_path, case):
    """No HTML document has no </html> to lose: a plain-text, JSON or image start URL is read
    once and named for what it is, never retried as a page cut off in transfer."""
    path, reply, media = NOT_HTML[case]
    site = reference_site(questions=20)
    server = HostileServer(lambda asked: reply if asked == path else None, upstream=site.url, in_front=True)
    result, row = crawl_of(server, tmp_path / "data", path)
    assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert f"start URL failed: {server.url}{path}: no HTML document (Content-Type {media}" in row["message"], \
        row["message"]
    assert row["message"].endswith("no links to follow"), row["message"]
    assert "cut off" not in result.stdout + result.stderr and "not read whole" not in row["message"]
    assert server.hits[path] == (2 if path == "/robots.txt" else 1)  # robots.txt: once for its rules too


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR")]


@pytest.mark.parametrize("start", ["/", "/question/x"])
def test_a_start_url_on_a_refused_port_is_one_line_on_stderr(tmp_path, start):
    """Its robots.txt could not be read, so it failed: Scrapy's "Error downloading <GET ...>"
    and the robots.txt line said it besides the start URL's own line."""
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}{start}"
    result = crawl(url, "--out", tmp_path / "data", *FAST_FAILURE, timeout=120)
    assert error_lines(result.stderr) == [f"ERROR: Start URL failed: {url}: robots.txt could not be read "
                                          "(connection refused)"], result.stderr
    assert "<GET" not in result.stderr
    assert "Error downloading" in crawl_log(tmp_path / "data")  # still in the log file


def test_sitemaps_past_the_size_limit_are_one_line_each_on_stderr(reference_site, tmp_path):
    site = reference_site(questions=20)
    result = crawl(site.url, "--out", tmp_path / "data", "-s", "DOWNLOAD_MAXSIZE=400", *FAST_FAILURE)
    sitemaps = set(re.findall(r"http://\S+/xmlsitemap-[\w-]+\.xml", result.stderr))
    assert sitemaps, result.stderr
    for sitemap in sitemaps:
        assert result.stderr.count(sitemap) == 1, result.stderr


@pytest.mark.parametrize("reply", [Reply(500, b"oops"), Reply(200, b"", {"Content-Type": "application/xml"})])
def test_a_sitemap_start_url_that_failed_is_one_line_on_stderr(reference_site, tmp_path, reply):
    """A start URL and a sitemap lost: one failure, said by the start URL's line alone."""
    site = reference_site(questions=20)
    server = HostileServer(lambda p: Reply(200, ANY.encode(), TEXT) if p == "/robots.txt" else
                           reply if p == "/sitemap.xml" else None, upstream=site.url, in_front=True)
    result, row = crawl_of(server, tmp_path / "data", "/sitemap.xml")
    assert row["status"] == "failed", result.stderr
    (line,) = error_lines(result.stderr)
    assert line.startswith(f"ERROR: Start URL failed: {server.url}/sitemap.xml: "), result.stderr
