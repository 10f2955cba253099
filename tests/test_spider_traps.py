"""The spider against hostile servers of the tests' own (tests/hostile.py): gzip sitemaps, one
row per question, canonical links that are not the site's, traps that never end, a huge
Crawl-delay, Ctrl-C whatever the crawl waits on, --max-pages, a failing start URL."""
from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pyarrow.dataset as ds
import pytest

from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, question_hits, wait_for
from tests.hostile import GZIP, TEXT, XML, HostileServer, Reply, question_paths, sitemapindex, urlset
from tests.truthcheck import differences, read_truth

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def hostile():
    servers = []

    def start(route, upstream=None, **options):
        server = HostileServer(route, upstream, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def questions_of(out: Path) -> list[dict]:
    folder = out / "questions"
    if not folder.is_dir():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table(columns=["question_id", "url", "site"]).to_pylist()


def robots(sitemap: str | None = None, delay: float | None = None) -> Reply:
    lines = ["User-agent: *", "Disallow: /private/"]
    if delay is not None:
        lines.append(f"Crawl-delay: {delay:g}")
    if sitemap:
        lines.append(f"Sitemap: {sitemap}")
    return Reply(200, ("\n".join(lines) + "\n").encode(), TEXT)


# gzip sitemaps -----------------------------------------------------------------------------

def sitemap_site(hostile, site, sitemaps: dict):
    """A server in front of `site` whose robots.txt names the first of `sitemaps` ({path: base
    URL -> Reply}) and whose home page links nothing: its questions come from the sitemaps."""
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots(sitemap=box["url"] + next(iter(sitemaps)))
        if path in sitemaps:
            return sitemaps[path](box["url"])
        if path == "/":
            return Reply(200, b"<html><body>home</body></html>")
        return None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    return server


def test_gzip_sitemaps_from_robots_txt_and_an_index_are_read(reference_site, hostile, tmp_path):
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    server = sitemap_site(hostile, site, {  # a gzip index naming a gzip sitemap and a plain one
        "/sitemap.xml.gz": lambda base: Reply(200, gzip.compress(sitemapindex([f"{base}/a.xml.gz", f"{base}/b.xml"])),
                                              GZIP),
        "/a.xml.gz": lambda base: Reply(200, gzip.compress(urlset(base + p for p in paths[:3])), GZIP),
        "/b.xml": lambda base: Reply(200, urlset(base + p for p in paths[3:]), XML),
    })
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["question_id"] for r in questions_of(out)) and len(questions_of(out)) == 6


def _crawl_from_gzip_sitemap(reference_site, hostile, tmp_path, sitemap: str, questions: int) -> int:
    """Crawl a site whose only start URL is a gzipped sitemap served at `sitemap` naming
    `questions` question pages; the questions written."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, questions)
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path == sitemap:
            return Reply(200, gzip.compress(urlset(box["url"] + p for p in paths)), GZIP)
        return None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + sitemap, "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return len(questions_of(out))


def test_a_gzip_sitemap_as_start_url(reference_site, hostile, tmp_path):
    assert _crawl_from_gzip_sitemap(reference_site, hostile, tmp_path, "/questions.xml.gz", 4) == 4


def test_a_sitemap_start_url_is_known_by_its_body_whatever_its_url(reference_site, hostile, tmp_path):
    assert _crawl_from_gzip_sitemap(reference_site, hostile, tmp_path, "/feeds/questions?format=sitemap", 3) >= 3


def test_a_gzip_sitemap_past_download_maxsize_is_not_read(hostile, tmp_path):
    box = {}
    bomb = gzip.compress(urlset(f"http://x/question/q{i}" for i in range(20000)))

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path == "/big.xml.gz":
            return Reply(200, bomb, GZIP)
        return None

    server = hostile(route)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/big.xml.gz", "--out", out, "-s", "DOWNLOAD_MAXSIZE=100000", timeout=120)
    assert "larger than DOWNLOAD_MAXSIZE once decompressed" in crawl_log(out)
    assert server.hits_of("/question/") == 0
    # named for what it is, and the setting to raise: no "not a sitemap"
    message = crawl_rows(out)[0]["message"]
    assert "inflates past DOWNLOAD_MAXSIZE" in message and "-s DOWNLOAD_MAXSIZE=" in message, message
    assert "not a sitemap" not in message


@pytest.mark.parametrize("framing, whole", [("chunked", True), ("length", True), ("close", False)])
def test_a_listing_without_its_end_tags_is_whole_when_its_transfer_says_where_it_ends(reference_site, hostile, tmp_path,
                                                                                      framing, whole):
    """HTML may leave out </body></html> (a minifier drops them): a listing so served is whole
    when its transfer marked its end (a Content-Length, a chunked stream's last chunk), and
    asked again when only a closed connection ended it (HTTP/1.0): it may have been cut there."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 3)

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path == "/questions/topic":
            links = "".join(f'<li><a href="{p}">q</a></li>' for p in paths)
            return Reply(200, f"<!DOCTYPE html><html><body><ul>{links}</ul>".encode(), framing=framing)
        return None

    server = hostile(route, site.url)
    result = crawl(server.url + "/questions/topic", "--out", tmp_path / "data", "-s", "RETRY_TIMES=1", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.hits_of("/question/") == 3
    assert server.hits["/questions/topic"] == (1 if whole else 2)
    assert ("listing pages not read whole" in result.stdout) is not whole, result.stdout


@pytest.mark.parametrize("empty", [Reply(200, b"", XML), Reply(204, b"", XML), Reply(304, b"", XML)])
@pytest.mark.parametrize("kind", ["sitemap index", "sitemap", "listing"])
def test_a_discovery_page_answered_empty_once_is_asked_again(reference_site, hostile, tmp_path, kind, empty):
    """An empty answer (a 200 with no bytes, a 204, a 304 nobody asked for) to a sitemap, a
    sitemap index or a listing is what a retry may cure, as it is for a question page."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 3)
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots()
        first = server.hits[path] == 1
        if path == "/index.xml":
            return empty if first and kind == "sitemap index" else Reply(200, sitemapindex([box["url"] + "/s.xml"]), XML)
        if path == "/s.xml":
            return empty if first and kind == "sitemap" else Reply(200, urlset(box["url"] + p for p in paths), XML)
        if path == "/questions/topic":
            links = "".join(f'<li><a href="{p}">q</a></li>' for p in paths)
            page = f"<html><body><ul>{links}</ul></body></html>".encode()
            return (Reply(empty.status, b"") if first else Reply(200, page))
        return None

    server = hostile(route, site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    start = "/questions/topic" if kind == "listing" else "/index.xml"
    result = crawl(server.url + start, "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.hits_of("/question/") == 3
    assert server.hits[{"sitemap index": "/index.xml", "sitemap": "/s.xml", "listing": start}[kind]] == 2


@pytest.mark.parametrize("kind", ["sitemap", "listing"])
def test_a_discovery_page_empty_on_every_attempt_is_named_empty(hostile, tmp_path, kind):
    def route(path):
        return robots() if path == "/robots.txt" else Reply(200, b"", XML)

    server = hostile(route)
    out = tmp_path / "data"
    start = "/s.xml" if kind == "sitemap" else "/questions/topic"
    result = crawl(server.url + start, "--out", out, "-s", "RETRY_TIMES=1", timeout=120)
    message = crawl_rows(out)[0]["message"]
    assert result.returncode == 1 and "empty on every attempt" in message, message
    assert "not a sitemap" not in message and "errors: none" not in result.stdout
    assert server.hits[start] == 2


# one row per question -----------------------------------------------------------------------

def test_one_question_under_many_urls_is_one_request_and_one_row(reference_site, hostile, tmp_path):
    site = reference_site(questions=12)
    first, second = question_paths(site.url, 2)
    box = {}

    def route(path):
        base = box["url"]
        if path == "/robots.txt":
            return robots()
        if path == "/s.xml":
            upper = base.replace("http://", "HTTP://")
            return Reply(200, urlset([base + first, base + first + "?ref=a", base + first + "/",
                                      base + first + "#answers", upper + first, base + second + "?utm=x"]), XML)
        return server.fetch(path.split("?")[0].rstrip("/"))  # the site ignores queries and slashes

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/s.xml", "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    ids = [r["question_id"] for r in questions_of(out)]  # the two, and the questions they link to
    assert len(ids) == len(set(ids)) >= 2
    assert server.hits_of(first) == 1 and server.hits_of(second) == 1


def test_two_urls_of_one_question_id_give_one_row(reference_site, hostile, tmp_path):
    site = reference_site(questions=12)
    (first,) = question_paths(site.url, 1)
    box = {}

    def route(path):
        base = box["url"]
        if path == "/robots.txt":
            return robots()
        if path == "/s.xml":
            return Reply(200, urlset([base + first, base + "/question/the-same-one-elsewhere"]), XML)
        if path == "/question/the-same-one-elsewhere":
            return server.fetch(first)
        return None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/s.xml", "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.hits_of(first) == 1 and server.hits_of("/question/the-same-one-elsewhere") == 1
    ids = [r["question_id"] for r in questions_of(out)]
    assert len(ids) == len(set(ids))
    # said, in words: the page not recorded is no loss (the same question), so no error
    assert "1 duplicates of a question already read (not recorded twice)" in result.stdout, result.stdout
    assert "errors: none" in result.stdout, result.stdout


def test_another_question_carrying_an_id_already_read_is_said(reference_site, hostile, tmp_path):
    """Two different questions (titles, answers), the second page carrying the first's id:
    one row (the page read first), and the other page is a warning and an error of the summary."""
    from crawler.extraction import extract_page

    site = reference_site(questions=12)
    first, second = question_paths(site.url, 2)

    def question_id(path):
        page = server.fetch(path)
        return next(r["question_id"] for r in extract_page(server.url + path, page.body).records
                    if r["type"] == "question")

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path == "/s.xml":
            return Reply(200, urlset([server.url + first, server.url + second]), XML)
        if path == second:  # its own id replaced by the first's, wherever the page writes it
            page = server.fetch(second)
            page.body = page.body.replace(ids[1].encode(), ids[0].encode())
            return page
        return None

    server = hostile(route, upstream=site.url)
    ids = [question_id(first), question_id(second)]
    out = tmp_path / "data"
    result = crawl(server.url + "/s.xml", "--out", out, "-s", "CONCURRENT_REQUESTS=1", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [r["question_id"] for r in questions_of(out)].count(ids[0]) == 1
    assert "1 duplicates of a question already read" in result.stdout, result.stdout
    assert "same question id as a page already read, other title or answers (not recorded) (1)" in result.stdout
    assert f"WARNING: Question {ids[0]} read again, with another title or other answers" in crawl_log(out)


# canonical links --------------------------------------------------------------------------

def served_with_canonical(site, hostile, canonical):
    """A server in front of `site` whose one question page (its path) names `canonical`
    (a callable of the upstream URL and the path) as its canonical link."""
    (path,) = question_paths(site.url, 1)

    def route(p):
        if p == "/robots.txt":
            return robots()
        if p == path:
            page = server.fetch(p)
            body = page.body.decode()
            start = body.index('<link rel="canonical"')
            end = body.index(">", start) + 1
            page.body = (body[:start] + f'<link rel="canonical" href="{canonical(site.url, path)}">' + body[end:]).encode()
            return page
        return None

    server = hostile(route, upstream=site.url)
    return server, path


@pytest.mark.parametrize("canonical, processes", [("javascript:alert(1)", 1), ("https://evil.example/question/stolen", 0),
                                                  ("http://[::1/question/x", 1), ("https://evil.example/question/x", 1)])
def test_a_canonical_that_is_not_the_sites_own_is_ignored(reference_site, hostile, tmp_path, canonical, processes):
    server, path = served_with_canonical(reference_site(questions=12), hostile, lambda upstream, path: canonical)
    out = tmp_path / "data"
    result = crawl(server.url + path, "--out", out, "-s", f"EXTRACT_PROCESSES={processes}", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    # the page itself (its related questions keep their own canonical links)
    urls = [r["url"] for r in questions_of(out) if not r["url"].startswith("https://www.realself.com/")]
    assert urls == [server.url + path]


def test_a_canonical_naming_another_port_is_another_sites_and_ignored(reference_site, hostile, tmp_path):
    """A host no site definition names is a site of its own, its port included: a canonical
    link to the same host on another port must not make the page (its `url`, its `site`, its
    key) that other site's."""
    # the same host, the reference site's own port
    server, path = served_with_canonical(reference_site(questions=12), hostile,
                                         lambda upstream, path: upstream.rstrip("/") + path)
    out = tmp_path / "data"
    result = crawl(server.url + path, "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    (row,) = [r for r in questions_of(out) if r["url"].endswith(path)]
    assert row["url"] == server.url + path and row["site"] == server.url.split("//")[1]


def test_the_sites_own_canonical_stands(reference_site, tmp_path):
    site = reference_site(questions=5)
    (path,) = question_paths(site.url, 1)
    out = tmp_path / "data"
    result = crawl(site.url.rstrip("/") + path, "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "https://www.realself.com" + path in [r["url"] for r in questions_of(out)]


# traps ------------------------------------------------------------------------------------

def listing(names, next_page=None) -> Reply:
    links = "".join(f'<a href="{n}">q</a>' for n in names)
    nxt = f'<a rel="next" href="{next_page}">next</a>' if next_page else ""
    return Reply(200, f"<!doctype html><html><body>{links}{nxt}</body></html>".encode())


def test_a_listing_whose_next_page_never_ends_ends_when_it_names_nothing_new(reference_site, hostile, tmp_path):
    site = reference_site(questions=12)
    paths = question_paths(site.url, 2)

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path.startswith("/questions/trap"):
            page = int(path.partition("page=")[2] or 1)
            return listing(paths, f"/questions/trap?page={page + 1}")
        return None

    server = hostile(route, upstream=site.url)
    out = tmp_path / "data"
    result = crawl(server.url + "/questions/trap", "--out", out, timeout=90)
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.hits_of("/questions/trap") <= 3
    assert len(questions_of(out)) >= 2  # the two, and the questions they link to


def test_a_listing_walk_goes_on_past_pages_whose_questions_a_sitemap_gave(reference_site, hostile, tmp_path):
    """A sitemap of the newest questions only (a "recent" sitemap) names every question of the
    first listing pages: the walks go on, and the older questions only the listings name are found."""
    site = reference_site(questions=600)  # topics of 2-3 listing pages
    newest = sorted(site.site.questions, key=lambda q: (q.asked, q.qid), reverse=True)[:180]
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots(sitemap=box["url"] + "/recent.xml")
        if path == "/recent.xml":
            return Reply(200, urlset(f"{box['url']}/question/{q.slug}" for q in newest), XML)
        return None

    server = hostile(route, upstream=site.url, in_front=True)  # the listings' links name this server
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(questions_of(out)) == 600
    assert [path for path in server.hits if path.startswith("/questions/") and "page=" in path]  # past first pages


@pytest.mark.parametrize("bad", ["javascript:/question/x", "http://127.0.0.1:65536/question/typo", "http://[::1/question/x",
                                 "http://127.0.0.1:x/questions/botox"])
def test_a_listing_link_no_request_can_be_made_of_is_skipped_and_counted(reference_site, hostile, tmp_path, bad):
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path == "/":
            return listing(paths[:3] + [bad] + paths[3:])
        return None

    server = hostile(route, upstream=site.url)
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(questions_of(out)) >= 6 and "Spider error" not in crawl_log(out)
    assert "listing links that are no URL a request can be made of (skipped) (1)" in result.stdout, result.stdout
    assert repr(bad) in crawl_log(out)  # the log names the link


def test_listing_pages_are_bounded_by_a_setting(hostile, tmp_path):
    def route(path):
        if path == "/robots.txt":
            return robots()
        if path.startswith("/questions/trap"):  # every page names new (missing) questions
            page = int(path.partition("page=")[2] or 1)
            return listing([f"/question/q-{page}-a", f"/question/q-{page}-b"], f"/questions/trap?page={page + 1}")
        return None

    server = hostile(route)
    out = tmp_path / "data"
    result = crawl(server.url + "/questions/trap", "--out", out, "-s", "LISTING_MAX_PAGES=5", timeout=90)
    assert server.hits_of("/questions/trap") == 5
    assert "crawl/limit_hit/listing_pages" in crawl_log(out) and "Limit hit: listing_pages" in crawl_log(out)
    # the questions past the bound are not in the crawl: its message says which bound, and what to raise
    (row,) = crawl_rows(out)
    said = f"stopped at its walk limits: LISTING_MAX_PAGES=5 (e.g. {server.url}/questions/trap?page=6)"
    assert said in row["message"] and "-s LISTING_MAX_PAGES=N" in row["message"], row["message"]
    assert said in result.stdout and "listing pages past LISTING_MAX_PAGES (not fetched) (1)" in result.stdout


def test_a_sitemap_index_chain_is_bounded_in_depth(hostile, tmp_path):
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path.startswith("/sm/"):
            n = int(path[4:].split(".")[0])
            return Reply(200, sitemapindex([f"{box['url']}/sm/{n + 1}.xml"]), XML)
        return None

    server = hostile(route)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/sm/1.xml", "--out", out, "-s", "SITEMAP_MAX_DEPTH=4", timeout=90)
    assert server.hits_of("/sm/") == 4
    assert "crawl/limit_hit/sitemap_depth" in crawl_log(out)
    assert f"SITEMAP_MAX_DEPTH=4 (e.g. {server.url}/sm/5.xml)" in result.stdout, result.stdout


def test_sitemaps_are_bounded_in_count(hostile, tmp_path):
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots()
        if path == "/index.xml":
            return Reply(200, sitemapindex(f"{box['url']}/sm/{n}.xml" for n in range(200)), XML)
        if path.startswith("/sm/"):
            return Reply(200, urlset([]), XML)
        return None

    server = hostile(route)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/index.xml", "--out", out, "-s", "SITEMAP_MAX_COUNT=10", timeout=90)
    assert server.hits_of("/sm/") + server.hits_of("/index.xml") == 10
    assert "crawl/limit_hit/sitemap_count" in crawl_log(out)
    assert "SITEMAP_MAX_COUNT=10 (e.g." in result.stdout and "-s SITEMAP_MAX_COUNT=N" in result.stdout, result.stdout
    assert "sitemaps past SITEMAP_MAX_COUNT (not read) (191)" in result.stdout, result.stdout


# Crawl-delay and stopping -----------------------------------------------------------------

def test_a_crawl_delay_above_the_maximum_ends_the_crawl_as_failed(reference_site, hostile, tmp_path):
    site = reference_site(questions=12)

    def route(path):
        return robots(sitemap=None, delay=100000) if path == "/robots.txt" else None

    server = hostile(route, upstream=site.url)
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=60)
    assert result.returncode == 1, result.stderr[-3000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "failed" and "Crawl-delay 100000" in row["message"]
    assert server.hits_of("/question/") == 0


def _interrupt(command, ready, timeout=8.0):
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        wait_for(ready, timeout=60, what="the crawl to start waiting")
        time.sleep(0.5)  # let it settle into the wait
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, stderr = process.communicate(timeout=60)
        return process.returncode, time.monotonic() - sent, stderr.decode()
    finally:
        if process.poll() is None:
            process.kill()


def test_sigint_stops_a_crawl_waiting_on_a_long_crawl_delay(reference_site, hostile, tmp_path):
    site = reference_site(questions=30)

    def route(path):
        return robots(delay=50) if path == "/robots.txt" else None

    server = hostile(route, upstream=site.url)
    out = tmp_path / "data"
    # robots.txt read, the home page waits out its 50 s Crawl-delay: stopped during that wait
    # (the home page's own hit would come only once the wait is over)
    status, took, stderr = _interrupt(crawl_command(server.url + "/", "--out", out),
                                      lambda: server.hits_of("/robots.txt") >= 1)
    assert status == 130, stderr[-3000:]
    assert took < 15, took
    assert server.hits_of("/") == 1  # robots.txt only: the stop came during the wait
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted"


@pytest.mark.parametrize("robots_hangs", [False, True])
def test_sigint_stops_a_crawl_waiting_on_a_server_that_never_answers(hostile, tmp_path, robots_hangs):
    def route(path):
        if path == "/robots.txt" and not robots_hangs:
            return robots()
        return Reply(hang=True)

    server = hostile(route)
    out = tmp_path / "data"
    status, took, stderr = _interrupt(crawl_command(server.url + "/question/never", "--out", out),
                                      lambda: server.hits_of("/robots.txt" if robots_hangs else "/question/") >= 1)
    assert status == 130, stderr[-3000:]
    assert took < 15, took
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted"


def test_sigint_stops_a_crawl_waiting_to_retry_after_a_503(hostile, tmp_path):
    def route(path):
        if path == "/robots.txt":
            return robots()
        return Reply(503, b"busy", {"Content-Type": "text/html", "Retry-After": "25"})

    server = hostile(route)
    out = tmp_path / "data"
    status, took, stderr = _interrupt(crawl_command(server.url + "/question/busy", "--out", out),
                                      lambda: server.hits_of("/question/") >= 1)
    assert status == 130, stderr[-3000:]
    assert took < 15, took
    assert server.hits_of("/question/") == 1  # the retry was not sent
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted"


def big_sitemaps(hostile, sitemaps: int, per: int = 50_000):
    """A site whose robots.txt names an index of `sitemaps` sitemaps of `per` question URLs each
    (50,000: the most sitemaps.org allows one sitemap); its question pages are gone (404)."""
    box = {}
    bodies = {f"/sm/{k}.xml": urlset(f"http://127.0.0.1/question/q-{k * per + i}" for i in range(per))
              for k in range(sitemaps)}

    def route(path):
        base = box["url"]
        if path == "/robots.txt":
            return robots(sitemap=base + "/index.xml")
        if path == "/index.xml":
            return Reply(200, sitemapindex(base + name for name in bodies), XML)
        if path in bodies:  # made once, its host put in as it is asked
            return Reply(200, bodies[path].replace(b"http://127.0.0.1/", base.encode() + b"/"), XML)
        if path == "/":
            return Reply(200, b"<html><body>home</body></html>")
        return Reply(404, b"<html><body>gone</body></html>")

    server = hostile(route)
    box["url"] = server.url
    return server


def test_sigint_stops_a_crawl_reading_big_sitemaps_within_seconds(hostile, tmp_path):
    """Scrapy's close waits for the whole output of every callback under way: 200,000 requests
    of four full sitemaps took minutes to queue for nothing. Discovery stops once the crawl closes."""
    server = big_sitemaps(hostile, sitemaps=4)
    out = tmp_path / "data"
    status, took, stderr = _interrupt(crawl_command(server.url + "/", "--out", out),
                                      lambda: server.hits_of("/sm/") >= 4)
    assert status == 130, stderr[-3000:]
    # before: over a minute; the bound leaves room for the parse of a sitemap under way on a busy machine
    assert took < 45, took
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted"


# issue 13: --max-pages, a failing start URL, scrapy crawl without start_url ----------------

def test_max_pages_is_an_upper_bound(reference_site, tmp_path):
    site = reference_site(questions=200, faults="latency=20ms")
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, "--max-pages", 20, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    fetched = sum(n for url, n in site.hits.items() if not url.startswith("/robots.txt"))
    assert 0 < fetched <= 20


def test_a_start_url_that_404s_is_an_error_not_the_whole_site(reference_site, tmp_path):
    site = reference_site(questions=30)
    out = tmp_path / "data"
    result = crawl(site.url + "nope", "--out", out, timeout=120)
    assert question_hits(site) == 0
    assert f"{site.url}nope: HTTP 404" in result.stderr
    assert "crawl/start_url_errors" in crawl_log(out)


def test_a_start_url_with_nothing_listening_is_an_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "data"
    result = crawl(f"http://127.0.0.1:{port}/question/x", "--out", out, "-s", "RETRY_TIMES=1", timeout=120)
    # robots.txt is asked for first: a host that cannot be reached has rules that cannot be read
    assert f"http://127.0.0.1:{port}/question/x: robots.txt could not be read (connection refused)" in result.stderr


def test_scrapy_crawl_without_a_start_url_says_so_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "crawl", "questions", "-s", f"DATA_DIR={tmp_path}"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in result.stderr
    assert "no start URL: give -a start_url=URL" in result.stderr


def test_sitemaps_and_listings_that_arrive_cut_off_are_retried_as_question_pages_are(reference_site, tmp_path):
    """A sitemap or a listing cut off in transfer names only some of its questions (its last
    URL perhaps cut in two): retried until whole, counted as a cut-off page, never taken as
    all there is. The reparse of its archive counts it the same."""
    site = reference_site(questions=60, seed=9, truth=str(tmp_path / "truth.jsonl"))
    cut_once: set[str] = set()

    def route(path):
        discovery = path == "/" or path.endswith(".xml") or path.startswith("/questions/")
        if not discovery or path in cut_once:
            return None
        cut_once.add(path)
        whole = server.fetch(path)
        return Reply(whole.status, whole.body[: len(whole.body) * 3 // 5], whole.headers)

    server = HostileServer(route, site.url, in_front=True)
    try:
        out = tmp_path / "data"
        result = crawl(server.url, "--out", out, "--archive", tmp_path / "archive")
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    (row,) = crawl_rows(out)
    assert differences(read_truth(tmp_path / "truth.jsonl"), out) == []
    assert row["pages_truncated"] == len(cut_once) > 5 and row["pages_failed"] == 0
    again = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", str(tmp_path / "archive"), "--out",
                            str(tmp_path / "again")], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    (reparsed,) = crawl_rows(tmp_path / "again")
    counts = ("questions", "answers", "pages_fetched", "pages_truncated", "pages_failed")
    assert {k: reparsed[k] for k in counts} == {k: row[k] for k in counts}


def test_a_site_whose_question_urls_no_site_definition_knows_says_so(hostile, tmp_path):
    """Its sitemaps name pages, none a question by the rules the crawl has for the host: the
    crawl fails, and says where to look (it said only "no question page found")."""
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots(sitemap=f"{box['url']}/sitemap.xml")
        if path == "/sitemap.xml":
            return Reply(200, urlset(f"{box['url']}/q/{n}-a-question" for n in range(5)), XML)
        if path == "/":
            return Reply(200, b"<html><body><a href='/about'>About</a></body></html>")
        return Reply(404, b"<html><body>not here</body></html>")

    server = hostile(route)
    box["url"] = server.url
    result = crawl(server.url + "/", "--out", tmp_path / "data")
    assert result.returncode == 1, result.stderr[-2000:]
    (row,) = crawl_rows(tmp_path / "data")
    assert row["status"] == "failed" and "the sitemaps named 5 URLs, none a question page" in row["message"]


def test_a_sitemap_cut_off_on_every_attempt_gives_its_whole_urls_not_the_one_cut_in_two(reference_site, hostile,
                                                                                        tmp_path):
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots(sitemap=f"{box['url']}/sitemap.xml")
        if path == "/sitemap.xml":  # cut inside the last URL, every time
            whole = urlset(f"{box['url']}{p}" for p in paths)
            return Reply(200, whole[: whole.rindex(b"</loc>") - 4], XML)
        if path == "/":
            return Reply(200, b"<html><body>home</body></html>")
        return None

    server = hostile(route, site.url)
    box["url"] = server.url
    result = crawl(server.url + "/", "--out", tmp_path / "data", "-s", "RETRY_TIMES=2")
    assert result.returncode in (0, 4), result.stderr[-2000:]
    assert server.hits["/sitemap.xml"] == 3  # retried, then given up on
    assert not any(path.startswith(paths[-1][:-4]) for path in server.hits)  # the URL cut in two never asked
    assert sorted(r["url"].rsplit("/", 1)[1] for r in questions_of(tmp_path / "data")) == \
        sorted(p.rsplit("/", 1)[1] for p in paths[:-1])
    (row,) = crawl_rows(tmp_path / "data")
    assert row["pages_truncated"] == 3 and row["pages_failed"] == 1


def test_question_links_to_another_host_are_counted_never_fetched(reference_site, hostile, tmp_path):
    """A sitemap naming question pages on another host (here the same server under another
    name): not this crawl's to fetch, whatever the site's own sitemap says, and said."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)

    def sitemap(base):
        elsewhere = base.replace("127.0.0.1", "localhost")
        return Reply(200, urlset([base + p for p in paths[:4]] + [elsewhere + p for p in paths[4:]]), XML)

    server = sitemap_site(hostile, site, {"/sitemap.xml": sitemap})
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(questions_of(out)) == 4 and sum(server.hits_of(p) for p in paths[4:]) == 0
    assert "question links to another host (not followed) (2)" in result.stdout


def test_question_links_to_another_port_are_another_sites_counted_never_fetched(reference_site, hostile, tmp_path):
    """The same host on another port is another site (the `site` column's rule): a sitemap
    naming the reference site's own URLs from a server in front of it on another port."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    upstream = site.url.rstrip("/")

    def sitemap(base):
        return Reply(200, urlset([base + p for p in paths[:4]] + [upstream + p for p in paths[4:]]), XML)

    server = sitemap_site(hostile, site, {"/sitemap.xml": sitemap})
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(questions_of(out)) == 4 and sum(site.hits[p] for p in paths[4:]) == 0
    assert "/robots.txt" not in site.hits  # nothing asked of the other site, its robots.txt included
    assert "question links to another host (not followed) (2)" in result.stdout


def test_listing_pages_on_another_host_are_counted_and_named_never_fetched(reference_site, hostile, tmp_path):
    """A home page's topic link and a listing's rel="next" on another host name of the same
    server (`www.` of a crawl started without it): not followed, as no page off the start sites
    is, but each costs the questions past it, so the summary counts them and the message names
    them (Scrapy's offsite filter dropped them without a word: `finished`, "errors: none")."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    box = {}

    def route(path):
        if path == "/robots.txt":
            return robots()
        off = box["url"].replace("127.0.0.1", "localhost")
        if path == "/":  # its own topic, and one on the other host (linked twice: one page not followed)
            return listing(["/questions/a", f"{off}/questions/b", f"{off}/questions/b"])
        if path == "/questions/a":
            return listing(paths[:2], f"{off}/questions/a?page=2")
        if path in ("/questions/a?page=2", "/questions/b"):
            return listing(paths[2:])
        return None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert server.hits_of("/questions/a?page=2") == server.hits_of("/questions/b") == 0
    assert "listing pages on another host (not followed) (2)" in result.stdout, result.stdout
    (row,) = crawl_rows(out)
    off = elsewhere(server.url)
    for named in (f"{off}/questions/a?page=2 (on {server.url}/questions/a)", f"{off}/questions/b (on {server.url}/)"):
        assert named in row["message"] and named in result.stdout, row["message"]


@pytest.mark.parametrize("limit", [None, 2083])
def test_a_long_question_url_is_fetched_and_one_past_the_limit_is_counted_and_named(reference_site, hostile,
                                                                                     tmp_path, limit):
    """A slug of 240 CJK characters is 2,000+ characters percent-encoded: past Scrapy's 2,083
    (old Internet Explorer's bound), it was dropped with an INFO line, the crawl `finished`,
    "errors: none". Fetched under the project's limit; past a limit, counted and named."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 4)
    long_path = "/question/" + quote("注射肉毒杆菌后前额出现肿块和发红是否正常" * 12)
    box = {}

    def route(path):
        if path == "/s.xml":
            return Reply(200, urlset(box["url"] + p for p in paths[:3] + [long_path]), XML)
        if path == long_path:  # the fourth question's page
            with urllib.request.urlopen(site.url.rstrip("/") + paths[3]) as page:
                return Reply(200, page.read())
        return None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/s.xml", "--out", out, *(("-s", f"URLLENGTH_LIMIT={limit}") if limit else ()),
                   timeout=120)
    (row,) = crawl_rows(out)
    if limit is None:
        assert server.hits[long_path] == 1 and len(questions_of(out)) == 4, result.stdout
        assert result.returncode == 0 and "URLLENGTH_LIMIT" not in result.stdout, result.stdout
        return
    assert server.hits[long_path] == 0 and len(questions_of(out)) == 3
    assert "URLs longer than URLLENGTH_LIMIT (not requested) (1)" in result.stdout, result.stdout
    named = f"1 URLs not requested, longer than URLLENGTH_LIMIT (raise it with -s URLLENGTH_LIMIT=N): " \
            f"{(server.url + long_path)[:120]}... ({len(server.url + long_path):,} characters)"
    assert named in row["message"] and named in result.stdout, row["message"]


# a sitemap lost ------------------------------------------------------------------------------

FAST = ("-s", "RETRY_TIMES=1", "-s", "RETRY_BACKOFF_BASE=0.01", "-s", "DOWNLOAD_TIMEOUT=3")
LOST_SITEMAPS = {  # how the second sitemap of an index is lost, and the reason the crawl names
    "XML cut off on every attempt": (lambda xml: Reply(200, xml[:len(xml) // 2], XML), "cut off on every attempt"),
    "gzip stream cut short": (lambda xml: Reply(200, gzip.compress(xml)[:len(gzip.compress(xml)) * 2 // 3],
                                                {**XML, "Content-Encoding": "gzip"}), "cut off on every attempt"),
    "a redirect to ftp:": (lambda xml: Reply(302, b"", {"Location": "ftp://127.0.0.1/b.xml"}),
                           "HTTP 302 to ftp://127.0.0.1/b.xml, not followed (not an http or https URL)"),
    "an error page": (lambda xml: Reply(200, b"<html><body>oops</body></html>"), "not a sitemap"),
    # cut off where its first bytes do not show `<urlset` (UTF-16, a long prolog): the parsed document tells
    "UTF-16 XML cut off on every attempt": (lambda xml: Reply(200, _utf16(xml)[:len(_utf16(xml)) // 4 * 2], XML),
                                            "cut off on every attempt"),
    "XML cut off behind a long prolog": (lambda xml: Reply(200, _prolog(xml)[:len(_prolog(xml)) - len(xml) // 2], XML),
                                         "cut off on every attempt"),
    # whole, but damaged (a template's stray end tag): no retry mends it
    "damaged XML": (lambda xml: Reply(200, xml.replace(b"</url>", b"</url></url>", 1), XML),
                    "damaged XML at line 1: Opening and ending tag mismatch: urlset line 1 and url: "
                    "entries past it may be missing"),
    # named by the index, then gone: its questions are as lost as a cut-off one's
    "a 404": (lambda xml: Reply(404, b"<html><body>Not Found</body></html>"), "HTTP 404"),
}


def _utf16(xml: bytes) -> bytes:
    return xml.decode().replace("UTF-8", "UTF-16").encode("utf-16")


def _prolog(xml: bytes) -> bytes:
    head, _, rest = xml.partition(b"?>")
    return head + b"?>\n<!-- " + b"generated by SitemapGen " * 100 + b"-->\n" + rest


@pytest.mark.parametrize("lost", list(LOST_SITEMAPS))
def test_a_lost_sitemap_degrades_the_crawl_and_is_named_whatever_the_transport_did(reference_site, hostile,
                                                                                    tmp_path, lost):
    """The questions only a lost sitemap names are not in the crawl: however it was lost, the
    crawl is `degraded` (sitemaps_unread) naming it, and the sitemap is never counted as a
    question page (unknown_or_malformed_pages counted it: 1 of 4 pages here)."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    send, why = LOST_SITEMAPS[lost]
    server = sitemap_site(hostile, site, {
        "/sitemap.xml": lambda base: Reply(200, sitemapindex([f"{base}/a.xml", f"{base}/b.xml"]), XML),
        "/a.xml": lambda base: Reply(200, urlset(base + p for p in paths[:3]), XML),
        "/b.xml": lambda base: send(urlset(base + p for p in paths[3:])),
    })
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, *FAST, timeout=120)
    assert result.returncode == 4, result.stdout + result.stderr[-3000:]
    (row,) = crawl_rows(out)
    named = f"sitemaps not read: {server.url}/b.xml ({why})"
    assert row["status"] == "degraded" and named in row["message"], row["message"]
    assert named in result.stdout and "sitemaps not read (1)" in result.stdout
    checks = {check["name"]: check for check in row["checks"]}
    assert not checks["sitemaps_unread"]["passed"]
    assert checks["unknown_or_malformed_pages"]["value"] == 0 and row["pages_malformed"] == 0


@pytest.mark.parametrize("damaged", ["a stray end tag", "two sitemaps in one file"])
def test_a_damaged_sitemap_gives_what_was_read_before_the_damage_and_says_so(reference_site, hostile, tmp_path,
                                                                            damaged):
    """One XML error in a sitemap ends what lxml reads of it: the crawl ended `finished`, errors
    none, with every entry after it dropped. Now the entries before it are crawled, fetched
    once (a retry brings the same bytes), and the sitemap is named lost: `degraded`."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)

    def sitemap(base):
        first, second = urlset(base + p for p in paths[:3]), urlset(base + p for p in paths[3:])
        if damaged == "a stray end tag":
            return Reply(200, first.replace(b"</urlset>", b"</url>") + second[second.index(b"<url>"):], XML)
        return Reply(200, first + b"\n" + second, XML)

    server = sitemap_site(hostile, site, {"/sitemap.xml": sitemap})
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, *FAST, timeout=120)
    assert result.returncode == 4, result.stdout + result.stderr[-3000:]
    assert sorted(r["url"].rsplit("/", 1)[1] for r in questions_of(out)) == sorted(p.rsplit("/", 1)[1] for p in paths[:3])
    assert server.hits["/sitemap.xml"] == 1
    (row,) = crawl_rows(out)
    assert row["status"] == "degraded" and f"sitemaps not read: {server.url}/sitemap.xml (damaged XML at line " in \
        row["message"], row["message"]
    assert "sitemaps not read (1)" in result.stdout
    assert not {check["name"]: check for check in row["checks"]}["sitemaps_unread"]["passed"]


def test_text_sitemaps_are_read_where_xml_ones_are(reference_site, hostile, tmp_path):
    """sitemaps.org's text format (one URL a line), named by robots.txt or by a sitemap index,
    is read as a sitemap (it was "not a sitemap", and the crawl `failed`), by the same rules:
    a URL on another host is counted, never fetched."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)

    def text(urls) -> Reply:
        return Reply(200, "".join(f"{url}\r\n" for url in urls).encode(), {"Content-Type": "text/plain; charset=utf-8"})

    box = {}

    def route(path):  # robots.txt names a text sitemap and an index naming another
        base = box["url"]
        if path == "/robots.txt":
            return Reply(200, f"User-agent: *\nSitemap: {base}/sitemap.txt\nSitemap: {base}/index.xml\n".encode(), TEXT)
        if path == "/sitemap.txt":
            return text([base + p for p in paths[:3]] + [elsewhere(base) + paths[5]])
        if path == "/index.xml":
            return Reply(200, sitemapindex([f"{base}/more.txt"]), XML)
        if path == "/more.txt":
            return text(base + p for p in paths[3:])
        return Reply(200, b"<html><body>home</body></html>") if path == "/" else None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(questions_of(out)) == 6 and server.hits_of(paths[5]) == 1  # asked once, by our own host's name
    assert "question links to another host (not followed) (1)" in result.stdout


def test_a_home_page_quoting_the_sitemap_tag_is_read_as_a_page(reference_site, hostile, tmp_path):
    """A page is a sitemap by its parsed root element, not by `<urlset` in its first bytes: a
    home page whose script quotes the tag was read as a sitemap cut off, fetched 7 times and
    dropped (`failed`, "no question page found")."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    home = ("<!DOCTYPE html><html><head><meta charset='utf-8'><script>var seo = 'Our sitemap: <urlset> and "
            "<sitemapindex> list every page';</script></head><body>"
            + "".join(f"<a href='{p}'>q</a>" for p in paths) + "</body></html>").encode()

    def route(path):
        if path == "/robots.txt":
            return robots()
        return Reply(200, home, {"Content-Type": "text/html; charset=utf-8"}) if path == "/" else None

    server = hostile(route, upstream=site.url)
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(questions_of(out)) == 6 and server.hits["/"] == 1


# URLs no request can be made of, sitemaps on another site ------------------------------------

BAD_URLS = ["mailto:webmaster@example.com", "javascript:/question/x", "http://127.0.0.1:65536/question/typo",
            "http://[::1/question/y"]


def elsewhere(base: str) -> str:
    """The same server under another host name: another site."""
    return base.replace("127.0.0.1", "localhost")


def two_sitemaps_site(hostile, site, paths, robots_lines, index_entries=None, moved=False):
    """A server in front of `site` whose robots.txt holds `robots_lines` (base -> lines) and
    whose /a.xml and /b.xml name half of `paths` each; /s.xml is an index of `index_entries`.
    `moved`: its robots.txt redirects to the other host name (`elsewhere`), where it is."""
    box = {}
    half = len(paths) // 2

    def route(path):
        base = box["url"]
        if path == "/robots.txt" and moved:
            return Reply(301, b"", {"Location": f"{elsewhere(base)}/moved/robots.txt"})
        if path == ("/moved/robots.txt" if moved else "/robots.txt"):
            return Reply(200, ("User-agent: *\n" + "".join(f"Sitemap: {line}\n" for line in robots_lines(base))).encode(),
                         TEXT)
        if path == "/s.xml":
            return Reply(200, sitemapindex(index_entries(base)), XML)
        if path == "/a.xml":
            return Reply(200, urlset(base + p for p in paths[:half]), XML)
        if path == "/b.xml":
            return Reply(200, urlset(base + p for p in paths[half:]), XML)
        if path == "/":
            return Reply(200, b"<html><body>home</body></html>")
        return None

    server = hostile(route, upstream=site.url)
    box["url"] = server.url
    return server


@pytest.mark.parametrize("bad", BAD_URLS)
@pytest.mark.parametrize("where", ["robots.txt", "index", "urlset"])
def test_a_url_no_request_can_be_made_of_is_skipped_and_said_the_rest_read(reference_site, hostile, tmp_path,
                                                                           where, bad):
    """One bad URL (a robots.txt Sitemap: line, a sitemap index's or a urlset's loc) costs
    nothing but itself: never a traceback, every other sitemap and question is read, and the
    crawl counts and names it (it was `finished`, "errors: none", half the site missing)."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)
    if where == "robots.txt":  # a relative line too: resolved against robots.txt's URL
        server = two_sitemaps_site(hostile, site, paths, lambda base: [f"{base}/a.xml", bad, "/b.xml"])
    elif where == "index":
        server = two_sitemaps_site(hostile, site, paths, lambda base: [f"{base}/s.xml"],
                                   lambda base: [f"{base}/a.xml", bad, f"{base}/b.xml"])
    else:
        server = sitemap_site(hostile, site, {"/sitemap.xml": lambda base: Reply(
            200, urlset([base + p for p in paths[:3]] + [bad] + [base + p for p in paths[3:]]), XML)})
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr + crawl_log(out) and "Spider error" not in crawl_log(out)
    assert len(questions_of(out)) == 6
    (row,) = crawl_rows(out)
    assert f"{bad} (" in row["message"] and "no request can be made of" in row["message"], row["message"]
    assert "URLs of sitemaps or robots.txt no request can be made of (skipped) (1)" in result.stdout


@pytest.mark.parametrize("where", ["robots.txt", "index", "robots.txt redirected"])
def test_a_sitemap_on_another_site_is_a_lost_sitemap_named(reference_site, hostile, tmp_path, where):
    """A sitemap on another site (here the same server under another host name), named by
    robots.txt (one redirected there too) or an index: not followed, as no request off the
    start sites is, but lost and named, never dropped without a word."""
    site = reference_site(questions=12)
    paths = question_paths(site.url, 6)

    if where == "index":
        server = two_sitemaps_site(hostile, site, paths, lambda base: [f"{base}/s.xml"],
                                   lambda base: [f"{base}/a.xml", f"{elsewhere(base)}/b.xml"])
    elif where == "robots.txt":
        server = two_sitemaps_site(hostile, site, paths, lambda base: [f"{base}/a.xml", f"{elsewhere(base)}/b.xml"])
    else:  # robots.txt moved to the other host name: its relative lines resolve there
        server = two_sitemaps_site(hostile, site, paths, lambda base: ["/a.xml", "/b.xml"], moved=True)
    out = tmp_path / "data"
    result = crawl(server.url + "/", "--out", out, timeout=120)
    named = f"{elsewhere(server.url)}/b.xml (on another site, {elsewhere(server.url).split('//')[1]}: not followed"
    (row,) = crawl_rows(out)
    assert named in row["message"] and named in result.stdout, row["message"]
    assert server.hits["/b.xml"] == 0
    if where == "robots.txt redirected":  # both sitemaps are there: nothing read
        assert row["status"] == "failed" and f"{elsewhere(server.url)}/a.xml (on another site" in row["message"]
    else:
        assert row["status"] == "degraded" and len(questions_of(out)) == 3
