"""The outcome of a crawl of several sites is each site's, then combined: a start site that gave
nothing (unreachable, its robots.txt unreadable, its question pages redirected into another site
of the crawl) while another gave rows makes the crawl `degraded` (exit 4), its message naming
that site and why; a crawl of one site keeps its own statuses (tests/test_robots.py,
tests/test_start_urls.py pin them)."""
from __future__ import annotations

import socket

from tests.crawling import crawl, crawl_rows
from tests.hostile import TEXT, HostileServer, Reply

FAST = ["-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_BACKOFF_BASE=0.01"]


def closed_port_url() -> str:
    """A loopback URL nothing listens on: its connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/"


def crawl_of(out, *start_urls):
    result = crawl(*start_urls, "--out", out, *FAST)
    (row,) = crawl_rows(out)
    return result, row


def assert_degraded_naming(result, row, site: str, why: str):
    assert result.returncode == 4, result.stderr[-2000:]
    assert row["status"] == "degraded" and row["questions"] > 0, row
    assert site in row["message"] and why in row["message"], row["message"]
    (check,) = [c for c in row["checks"] if c["name"] == "start_urls_failed"]
    assert check["value"] == 1 and not check["passed"]


def test_a_site_that_cannot_be_reached_beside_one_that_gave_rows_degrades_the_crawl(reference_site, tmp_path):
    site, down = reference_site(questions=8), closed_port_url()
    result, row = crawl_of(tmp_path / "data", site.url, down)
    assert_degraded_naming(result, row, down.removeprefix("http://").rstrip("/"), "connection refused")
    assert row["questions"] == 8


def test_a_site_whose_robots_txt_cannot_be_read_beside_one_that_gave_rows_degrades_the_crawl(reference_site,
                                                                                            tmp_path):
    site = reference_site(questions=8)
    busy = HostileServer(lambda path: Reply(503, b"busy", TEXT) if path == "/robots.txt" else None)
    try:
        result, row = crawl_of(tmp_path / "data", site.url, busy.url + "/")
    finally:
        busy.stop()
    assert set(busy.hits) == {"/robots.txt"}  # none of its pages: RFC 9309 disallows them all
    assert_degraded_naming(result, row, busy.url.removeprefix("http://"), "robots.txt could not be read (HTTP 503")
    assert row["questions"] == 8


def test_a_site_whose_question_pages_redirect_into_another_site_of_the_crawl_is_named(reference_site, tmp_path):
    other = reference_site(questions=8)
    home = other.url.rstrip("/")
    moved = HostileServer(lambda path: Reply(301, b"", {"Location": home + path})
                          if path.startswith("/question/") else None, home, in_front=True)
    try:
        result, row = crawl_of(tmp_path / "data", moved.url + "/", other.url)
    finally:
        moved.stop()
    assert moved.hits_of("/question/") > 0
    assert_degraded_naming(result, row, moved.url.removeprefix("http://"),
                           f"redirected to {home.removeprefix('http://')}, another site of this crawl")


def test_a_start_site_is_named_only_beside_another_that_gave_something():
    from pipelines.checks.start_urls import failures

    errors = {"crawl/start_url_errors": ["http://a:1/x: HTTP 404"]}
    # one site: it fails or not on its own, nothing added
    assert failures({**errors, "crawl/sites_read": []}, ["a:1"], True) == errors["crawl/start_url_errors"]
    # nothing read anywhere: the crawl fails, the start URLs' errors say why
    assert failures(errors, ["a:1", "b:2", "c:3"], True) == errors["crawl/start_url_errors"]
    # b gave rows: c is named with its reason, a once (its start URL failed already)
    stats = {**errors, "crawl/sites_read": ["b:2"], "crawl/sites_lost": {"c:3": "its pages redirected off the site"}}
    assert failures(stats, ["a:1", "b:2", "c:3"], True) == [
        "http://a:1/x: HTTP 404", "c:3: no question page read (its pages redirected off the site)"]
    # stopped at its limit (--max-pages) before it came to c: not c's failure
    assert failures(stats, ["a:1", "b:2", "c:3"], False) == errors["crawl/start_url_errors"]
