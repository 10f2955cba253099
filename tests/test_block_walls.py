"""Block pages whatever their HTTP status and Content-Type (the site contract: a page with the
block markers is a block page, "whatever its HTTP status"): a px-captcha wall answering 503,
429, text/plain or no Content-Type is waited on, retried and counted like any block, and a
crawl that ends with pages still behind it says `blocked`."""
from __future__ import annotations

import re
import subprocess
import sys
import zlib
from collections import Counter

import pytest

from crawler.middlewares.blocks import BLOCK_MARKERS_WITHIN, is_block_response
from pipelines.loader import load
from tests.contract import PAGES
from tests.crawling import crawl, crawl_rows
from tests.hostile import HostileServer, Reply

WALL = (PAGES / "blocked.html").read_bytes()
BARE_WALL = b"<div id='px-captcha'></div>"  # no doctype, no <html>: as a text/plain answer may be
URL = "http://127.0.0.1:5/question/q"
FAST_BLOCKS = ["-s", "BLOCK_RETRY_DELAY=0.01", "-s", "BLOCK_RETRY_TIMES=2", "-s", "RETRY_BACKOFF_BASE=0.01"]

# (status, headers, body) of a wall
WALLS = {
    "503": (503, {"Content-Type": "text/html; charset=utf-8"}, WALL),
    "429": (429, {"Content-Type": "text/html", "Retry-After": "1"}, WALL),
    "500-octet-stream": (500, {"Content-Type": "application/octet-stream"}, WALL),
    "text/plain": (200, {"Content-Type": "text/plain"}, BARE_WALL),
    "no-content-type": (200, {}, BARE_WALL),
    # a wall whose marker lies past the middleware's look: found where the page is read
    "deep-marker": (200, {"Content-Type": "text/html"},
                    b"<html><head><title>x</title></head><body><!--" + b" " * BLOCK_MARKERS_WITHIN
                    + b"--><div id='px-captcha'></div></body></html>"),
}


@pytest.mark.parametrize("content_type", [None, b"text/plain", b"application/json", b"TEXT/HTML"])
def test_the_markers_decide_not_the_content_type(content_type):
    assert is_block_response(URL, WALL, content_type)
    assert is_block_response(URL, BARE_WALL, content_type)
    title_only = b"<title>Access to this page has been denied</title><p>Reference ID 5</p>"
    assert is_block_response(URL, title_only, content_type)
    question = (PAGES / "botox-injections-days-knot-redness-injection-sites.legacy.html").read_bytes()
    assert not is_block_response(URL, question.replace(b"Thank you", b"No px-captcha here. Thank you"), content_type)
    assert not is_block_response(URL, b"User-agent: *\nDisallow: /px-captcha\n", content_type)


@pytest.mark.parametrize("codec, content_type", [("utf-16", None), ("utf-16-le", b"text/html; charset=utf-16le"),
                                                 ("utf-32", b"text/html"), ("iso2022_jp", b"text/html; charset=iso-2022-jp")])
def test_the_markers_are_read_in_the_walls_charset(codec, content_type):
    """A wall in UTF-16 or -32 holds its markers as no ASCII bytes: it is read before it is judged."""
    wall = WALL.decode("utf-8").replace("Access", "\u30a2\u30af\u30bb\u30b9 Access", 1).encode(codec)
    assert is_block_response(URL, wall, content_type)
    question = (PAGES / "botox-injections-days-knot-redness-injection-sites.legacy.html").read_text(encoding="utf-8")
    assert not is_block_response(URL, question.encode(codec), content_type)


def test_the_look_for_markers_is_bounded():
    padded = b"<html><body><!--" + b" " * BLOCK_MARKERS_WITHIN + b"--><div id='px-captcha'></div></body></html>"
    assert not is_block_response(URL, padded, b"text/html")


def walled_server(site, wall, walled):
    """A server in front of `site` answering `wall` to the question paths `walled(path)` picks."""
    status, headers, body = wall

    def route(path):
        if path.startswith("/question/") and walled(path):
            return Reply(status, body, headers)
        return None
    return HostileServer(route, upstream=site.url, in_front=True)


def one_in_three(path: str) -> bool:
    return zlib.crc32(path.encode()) % 3 == 0


def crawl_through(server, out, *args):
    try:
        result = crawl(server.url + "/", "--out", out, *FAST_BLOCKS, *args)
    finally:
        server.stop()
    (row,) = crawl_rows(out)
    return result, row


@pytest.mark.parametrize("wall", ["503", "429", "500-octet-stream", "text/plain", "no-content-type"])
def test_a_wall_on_every_question_stops_the_crawl_as_blocked(reference_site, tmp_path, wall):
    site = reference_site(questions=20)
    server = walled_server(site, WALLS[wall], lambda path: True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3, result.stdout + result.stderr[-2000:]
    assert row["status"] == "blocked" and row["pages_blocked"] >= 5 and row["questions"] == 0
    assert "block" in row["message"]


def test_a_crawl_of_two_sites_names_the_one_that_walls_it(reference_site, tmp_path):
    """The other site's pages do not reset the walled one's count, and the row says whose wall it is."""
    open_site, walled_site = reference_site(questions=60), reference_site(questions=20)
    server = walled_server(walled_site, WALLS["503"], lambda path: True)
    out = tmp_path / "data"
    try:
        result = crawl(open_site.url, server.url + "/", "--out", out, *FAST_BLOCKS, "-s", "BLOCK_STOP_AFTER=5")
    finally:
        server.stop()
    (row,) = crawl_rows(out)
    assert result.returncode == 3 and row["status"] == "blocked", result.stdout + result.stderr[-2000:]
    walled_host = server.url.split("://", 1)[1].rstrip("/")
    assert walled_host in row["message"] and open_site.url.split("://", 1)[1].rstrip("/") not in row["message"]


@pytest.mark.parametrize("wall", ["503", "text/plain", "deep-marker"])
def test_pages_still_walled_at_the_end_leave_the_crawl_blocked(reference_site, tmp_path, wall):
    """One question in three behind a wall that never lifts: each is asked 1 + BLOCK_RETRY_TIMES
    times, the others are read, and the crawl is `blocked` (exit 3), not `finished`."""
    site = reference_site(questions=30)
    server = walled_server(site, WALLS[wall], lambda path: one_in_three(path))
    result, row = crawl_through(server, tmp_path / "data")
    hits = {path: n for path, n in server.hits.items() if path.startswith("/question/") and one_in_three(path)}
    assert hits and set(hits.values()) == {3}, hits  # the first answer and BLOCK_RETRY_TIMES=2 retries
    assert result.returncode == 3, result.stdout + result.stderr[-2000:]
    assert row["status"] == "blocked" and row["pages_blocked"] == 3 * len(hits)
    assert row["questions"] == 30 - len(hits) == len(load("questions", root=tmp_path / "data"))
    assert "still blocked" in row["message"]


def first_request():
    """A wall's rule for walled_server: each path walled at its first request, served after."""
    seen = set()

    def walled(path):
        first = path not in seen
        seen.add(path)
        return first
    return walled


def test_a_wall_that_lifts_is_waited_out(reference_site, tmp_path):
    """A captcha answered with 429 to each question's first request, the page after: every
    question is read and the crawl is `finished`; the walls are block pages, not 429s."""
    site = reference_site(questions=20)
    result, row = crawl_through(walled_server(site, WALLS["429"], first_request()), tmp_path / "data")
    assert result.returncode == 0 and row["status"] == "finished", result.stdout + result.stderr[-2000:]
    assert row["questions"] == 20 and row["pages_blocked"] == 20


@pytest.mark.parametrize("wall", ["503", "429", "500-octet-stream"])
def test_a_wall_sent_with_an_error_status_is_a_block_page_never_an_error_answer(reference_site, tmp_path, wall):
    """One response, one class: a wall's 503, 429 or 500 is counted in pages_blocked, never in
    responses_5xx or responses_429 too (the report would show server errors that never were,
    and take each wall off the other responses twice)."""
    site = reference_site(questions=20)
    result, row = crawl_through(walled_server(site, WALLS[wall], first_request()), tmp_path / "data")
    assert row["status"] == "finished" and row["pages_blocked"] == 20, result.stdout + result.stderr[-2000:]
    assert (row["responses_5xx"], row["responses_429"], row["download_errors"]) == (0, 0, 0)
    # every response is in one class: the walls, and the pages that reached the spider
    assert row["responses"] == row["pages_fetched"] + row["pages_blocked"]
    (errors,) = [line for line in result.stdout.splitlines() if line.startswith("  errors:")]
    assert errors == "  errors: block pages (20)"
    assert {c["name"]: c["value"] for c in row["checks"]}["fetch_errors"] == 0


@pytest.mark.parametrize("wall, lifts, status", [("503", False, "blocked"), ("429", True, "finished")])
def test_reparse_counts_a_wall_of_any_status_as_the_crawl_did(reference_site, tmp_path, wall, lifts, status):
    site = reference_site(questions=20)
    seen = set()

    def walled(path):
        first = path not in seen
        seen.add(path)
        return first if lifts else one_in_three(path)
    server = walled_server(site, WALLS[wall], walled)
    result, live = crawl_through(server, tmp_path / "data", "--archive", tmp_path / "archive")
    assert live["status"] == status, result.stdout + result.stderr[-2000:]
    again = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", tmp_path / "archive", "--out",
                            tmp_path / "again"], capture_output=True, text=True, timeout=600)
    (row,) = crawl_rows(tmp_path / "again")
    counts = ("status", "questions", "pages_failed", "pages_blocked", "responses_5xx", "responses_429")
    assert {k: row[k] for k in counts} == {k: live[k] for k in counts}, again.stdout + again.stderr[-2000:]
    # question_pages_unread is the crawl's own: it counts the requests it made, and a reparse makes none;
    # archive_crawls_not_ended the reparse's: its archive's crawl ended blocked, no walk of the whole site
    own = ("question_pages_unread", "archive_crawls_not_ended")
    failed = [[c for c in crawl["checks"] if not c["passed"] and c["name"] not in own] for crawl in (row, live)]
    assert failed[0] == failed[1]
    ended = {c["name"]: c["passed"] for c in row["checks"]}["archive_crawls_not_ended"]
    assert ended is (status == "finished")


# ---- walls without the site's markers: one same page at many question URLs ----------------

def _nonce(path: str, salt: str) -> str:
    return f"{zlib.crc32((salt + path).encode()):08x}{zlib.adler32((path + salt).encode()):08x}"


def js_challenge(path: str) -> bytes:
    """A JS challenge of a CDN: its ray id, token and the URL asked differ with every answer."""
    return (f'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
            f'<div id="challenge-running">Checking if the site connection is secure</div>'
            f'<noscript>Enable JavaScript and cookies to continue</noscript><script>window._cf_chl_opt='
            f'{{cRay:"{_nonce(path, "ray")}",cH:"{_nonce(path, "h")}{_nonce(path, "hh")}",'
            f'cUPMDTk:"{path}?__cf_chl_tk={_nonce(path, "tk")}"}}</script>'
            f'<div>Ray ID: <code>{_nonce(path, "ray")}</code></div></body></html>').encode()


def human_check(path: str) -> bytes:
    """A press-and-hold human check: no "captcha", no marker of the site's, a reference of its own."""
    return (f"<!DOCTYPE html><html><head><title>Please verify you are a human</title></head><body>"
            f"<div id='hold'>Press &amp; Hold to confirm you are a human (and not a bot).</div>"
            f"<p>Reference ID {_nonce(path, 'ref')}</p></body></html>").encode()


UNMARKED_WALLS = {  # status, page, the title the crawl's message names
    "js-challenge-403": (403, js_challenge, "'Just a moment...'"),
    "human-check-200": (200, human_check, "'Please verify you are a human'"),
    "human-check-429": (429, human_check, "'Please verify you are a human'"),
    "challenge-503": (503, js_challenge, "'Just a moment...'"),
}


def reading(status: int) -> str:
    """What the crawl's message takes one same page at many question URLs for: a 200 may be the
    site's own app shell as well as a wall."""
    return ("a bot wall, or question pages the site now renders in the browser: a redesign?" if status == 200
            else "a bot wall?")


def unmarked_wall_server(site, status, page, walled):
    def route(path):
        if path.startswith("/question/") and walled(path):
            return Reply(status, page(path), {"Content-Type": "text/html; charset=utf-8"})
        return None
    return HostileServer(route, upstream=site.url, in_front=True)


def test_one_wall_at_many_urls_is_one_digest_and_different_pages_are_not():
    from crawler.middlewares.blocks import ServedPage, page_digest

    def digest(page, path):
        url = f"http://127.0.0.1:5{path}"
        return page_digest(ServedPage(url, page(path)), (url,))
    assert digest(js_challenge, "/question/a-b") == digest(js_challenge, "/question/c-d-e")
    assert digest(human_check, "/question/a-b") == digest(human_check, "/question/c-d-e")
    assert digest(js_challenge, "/question/a-b") != digest(human_check, "/question/a-b")
    question = PAGES / "botox-injections-days-knot-redness-injection-sites.legacy.html"
    redesigned = [question.read_bytes().replace(b"Botox", word) for word in (b"Dysport", b"Xeomin")]
    assert page_digest(ServedPage(URL, redesigned[0]), (URL,)) != page_digest(ServedPage(URL, redesigned[1]), (URL,))


@pytest.mark.parametrize("charset", ["windows-1252", "shift_jis", "utf-16"])
def test_a_wall_is_named_in_its_own_charset(charset):
    """A page served at question URLs is read by the charset rule of every page the crawl
    reads: the crawl's message names its title as a person reads it, never in U+FFFD."""
    from crawler.middlewares.blocks import ServedPage
    title, heading = "Vérification de sécurité", "Un instant…"
    if charset == "shift_jis":
        title, heading = "アクセス制限", "お待ちください"
    body = f"<html><head><title>{title}</title></head><body><h1>{heading}<script>x()</script></h1></body></html>"
    page = ServedPage(URL, body.encode(charset), f"text/html; charset={charset}".encode())
    assert (page.title, page.heading) == (title, heading)


@pytest.mark.parametrize("wall", list(UNMARKED_WALLS))
def test_a_wall_without_the_sites_markers_stops_the_crawl_as_blocked(reference_site, tmp_path, wall):
    """Past the first questions, every question page answers one same page that is no question
    page: the crawl stops as `blocked` (exit 3), naming what it saw, after some BLOCK_STOP_AFTER
    walled question URLs, not after asking for all of them."""
    status, page, title = UNMARKED_WALLS[wall]
    site = reference_site(questions=60)
    read = set()

    def walled(path):
        if len(read) < 10 and path not in read:
            read.add(path)
        return path not in read
    server = unmarked_wall_server(site, status, page, walled)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3, result.stdout + result.stderr[-2000:]
    assert row["status"] == "blocked" and row["pages_blocked"] >= 1 and row["questions"] == 10
    assert row["message"].startswith("the site answers many question pages with one same page that is no question "
                                     f"page ({reading(status)}): status {status}, title {title}"), row["message"]
    walled_paths = [path for path in server.hits if path.startswith("/question/") and path not in read]
    assert len(walled_paths) < 30, len(walled_paths)  # stopped, not every walled question asked for


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_failing_with_one_same_error_page_is_no_wall(reference_site, tmp_path, status):
    """The server's 500, 502 or 504 is no page it chose to serve: the crawl fails as before,
    with no block page."""
    site = reference_site(questions=20)
    server = unmarked_wall_server(site, status, lambda path: b"<html><head><title>Error</title></head>"
                                                             b"<body>Something went wrong</body></html>",
                                  lambda path: True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5", "-s", "RETRY_TIMES=1")
    assert result.returncode == 1 and row["status"] == "failed", result.stdout + result.stderr[-2000:]
    assert row["pages_blocked"] == 0 and f"HTTP {status}" in row["message"]


def test_a_redesign_of_pages_of_different_content_is_no_wall(reference_site, tmp_path):
    """Every question page in the site's next markup, which no parser reads: unreadable, but
    each page another question's: the crawl is `degraded` as it was, its pages of an unknown
    layout (all but the contract's golden page, which never drifts)."""
    site = reference_site(questions=20, drift="family=1")
    result, row = crawl_through(HostileServer(lambda path: None, upstream=site.url, in_front=True), tmp_path / "data",
                                "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 4 and row["status"] == "degraded", result.stdout + result.stderr[-2000:]
    assert row["pages_blocked"] == 0 and row["questions"] == 1 and "errors: unknown layout (19)" in result.stdout


def one_in(n: int):
    return lambda path: zlib.crc32(path.encode()) % n == 0


@pytest.mark.parametrize("wall", ["human-check-200", "js-challenge-403"])
def test_a_wall_before_some_questions_at_random_is_a_wall_too(reference_site, tmp_path, wall):
    """A rate-based wall answers one question in three, the others read between them: still
    one same page at many question URLs, a wall (`blocked`), not pages of an unknown layout (a
    redesign's sign) nor the site's errors."""
    status, page, title = UNMARKED_WALLS[wall]
    site = reference_site(questions=60)
    server = unmarked_wall_server(site, status, page, one_in(3))
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3 and row["status"] == "blocked", result.stdout + result.stderr[-2000:]
    assert row["message"].startswith("the site answers many question pages with one same page that is no question "
                                     f"page ({reading(status)}): status {status}, title {title}"), row["message"]
    assert row["questions"] >= 5  # the pages met before the wall was known stay as they were counted


def test_a_page_served_at_a_few_questions_is_no_wall(reference_site, tmp_path):
    """The same "not found" page at one question in twenty-five (a soft 404), read pages between
    them: a small share of the questions, no wall: the crawl counts them as questions the site
    removed."""
    site = reference_site(questions=300)
    soft_404 = b"<html><head><title>Page not found</title></head><body><h1>Sorry, no such page</h1></body></html>"
    server = unmarked_wall_server(site, 200, lambda path: soft_404, one_in(25))
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    lost = [path for path in server.hits if path.startswith("/question/") and one_in(25)(path)]
    assert len(lost) >= 5 and row["status"] != "blocked", result.stdout + result.stderr[-2000:]
    assert row["pages_blocked"] == 0 and f"{len(lost)} questions the site removed" in result.stdout


REDIRECT_WALL = (b"<!DOCTYPE html><html><head><title>Access Denied</title></head><body><h1>Verifying your browser"
                 b"</h1><p>Reference #%d</p></body></html>")


@pytest.mark.parametrize("status", [403, 200])
def test_a_wall_reached_by_redirect_stops_the_crawl_as_blocked(reference_site, tmp_path, status):
    """Every question URL sent to /_sec/verify?t=<token>, which answers one same page: a wall
    as one served at the URLs themselves, `blocked` after the same bound, not every question
    URL sent into it and the crawl `failed`."""
    site = reference_site(questions=60)
    tokens = iter(range(10**6))

    def route(path):
        if path.startswith("/question/"):
            return Reply(302, b"", {"Location": f"/_sec/verify?provider=x&t={next(tokens):x}"})
        if path.startswith("/_sec/verify"):
            return Reply(status, REDIRECT_WALL % next(tokens), {"Content-Type": "text/html"})
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3 and row["status"] == "blocked", result.stdout + result.stderr[-2000:]
    assert row["message"].startswith("the site answers many question pages with one same page that is no question "
                                     f"page ({reading(status)}): status {status}, title 'Access Denied', reached by redirect")
    assert len([path for path in server.hits if path.startswith("/question/")]) < 30


NOT_FOUND = (b"<!DOCTYPE html><html><head><title>Oops | RealSelf</title></head><body><main><h1>This question is no "
             b"longer available</h1><p>It may have been removed.</p><a href='/'>Browse questions</a></main></body></html>")


@pytest.mark.parametrize("how", ["in place", "by redirect"])
def test_a_page_that_names_itself_not_found_is_no_wall_at_any_share(reference_site, tmp_path, how):
    """Removed questions (one in four of a stale sitemap) answered by one page saying they are no
    longer available, at their URLs or by a redirect to it: a soft 404, met again at the same
    URLs, never a wall: every live question is read and the crawl is not `blocked`."""
    site = reference_site(questions=60)
    removed = one_in(4)

    def route(path):
        if path == "/question-not-found":
            return Reply(200, NOT_FOUND, {"Content-Type": "text/html; charset=utf-8"})
        if path.startswith("/question/") and removed(path):
            return (Reply(200, NOT_FOUND, {"Content-Type": "text/html; charset=utf-8"}) if how == "in place"
                    else Reply(301, b"", {"Location": "/question-not-found"}))
        return None
    server = HostileServer(route, upstream=site.url, in_front=True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    asked = {path for path in server.hits if path.startswith("/question/")}
    assert len([path for path in asked if removed(path)]) >= 5, asked
    assert row["status"] != "blocked" and row["pages_blocked"] == 0, result.stdout + result.stderr[-2000:]
    assert row["questions"] == len([path for path in asked if not removed(path)])


def test_one_app_shell_at_every_question_names_a_redesign_as_well_as_a_wall(reference_site, tmp_path):
    """A redesign rendered by script answers one same shell at every question URL, as a wall
    before every question would: the message says both, not only "a bot wall" (whose cure,
    waiting, cures no redesign)."""
    site = reference_site(questions=30)
    shell = (b"<!DOCTYPE html><html><head><title>RealSelf</title></head><body><div id='root'></div>"
             b"<noscript>You need to enable JavaScript to run this app.</noscript><script src='/js/main.js'></script>"
             b"</body></html>")
    server = unmarked_wall_server(site, 200, lambda path: shell, lambda path: True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert "a redesign?" in row["message"] and "a redesign?" in result.stdout, row["message"]


# ---- outages, statuses, self-refreshing challenges, walls naming the question -------------

MAINTENANCE = (b"<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We'll be back "
               b"shortly</h1><p>The site is undergoing scheduled maintenance.</p></body></html>")


def first_requests(n: int):
    """A wall's rule for walled_server: each path answered so at its first `n` requests."""
    seen = Counter()

    def walled(path):
        seen[path] += 1
        return seen[path] <= n
    return walled


@pytest.mark.parametrize("status", [503, 429])
def test_an_outage_its_retries_wait_out_is_no_wall(reference_site, tmp_path, status):
    """One same 503 or 429 page at every question until its retries have waited a while: an
    outage or a rate limit, no wall: every question is read, the crawl is not `blocked`."""
    site = reference_site(questions=20)
    server = walled_server(site, (status, {"Content-Type": "text/html"}, MAINTENANCE), first_requests(3))
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert row["status"] != "blocked" and row["questions"] == 20, result.stdout + result.stderr[-2000:]


@pytest.mark.parametrize("status", [404, 401, 405, 451, 999])
def test_one_same_page_is_a_wall_whatever_its_status(reference_site, tmp_path, status):
    site = reference_site(questions=30)
    server = unmarked_wall_server(site, status, human_check, lambda path: True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3 and row["status"] == "blocked", result.stdout + result.stderr[-2000:]
    assert f"status {status}, title 'Please verify you are a human'" in row["message"], row["message"]


def test_a_404_whose_text_says_not_found_is_no_wall():
    from crawler.middlewares.blocks import ServedPage, says_not_found
    page = ServedPage(URL, b"<html><head><title>RealSelf</title></head><body><h1>Oops!</h1><p>We can't find that page.</p></body></html>")
    assert says_not_found(page, 404) and not says_not_found(page, 200)
    assert not says_not_found(ServedPage(URL, human_check("/question/a")), 404)


def test_a_challenge_refreshing_to_itself_is_a_wall_asked_once_per_question(reference_site, tmp_path):
    """A "Just a moment..." page whose meta refresh leads back to its own URL (a token aside):
    passed on as the page it is, never re-asked to the redirect limit: `blocked`."""
    site = reference_site(questions=30)

    def interstitial(path):
        return (f'<html><head><title>Just a moment...</title><meta http-equiv="refresh" content="1;url={path}'
                f'?__chl_tk={_nonce(path, "tk")}"></head><body><p>Checking your browser.</p></body></html>').encode()
    server = unmarked_wall_server(site, 200, interstitial, lambda path: True)
    result, row = crawl_through(server, tmp_path / "data", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3 and row["status"] == "blocked", result.stdout + result.stderr[-2000:]
    assert "title 'Just a moment...'" in row["message"]
    assert max(n for path, n in server.hits.items() if path.startswith("/question/")) == 1


def test_a_wall_in_the_sites_template_naming_each_question_is_one_page():
    """A wall in the site's template whose title and text name the question it blocks, beside a
    rotating list of other questions, is one page at every question; the site's question pages
    are as many pages as questions."""
    import html as markup
    from crawler.middlewares.blocks import ServedPage, page_digest
    from reference_site.site import Site

    site = Site(40)
    slugs = site.question_slugs()

    def wall(slug, title):
        others = "".join(f"<li><a href='/question/{s}'>{s.replace('-', ' ')}</a></li>"
                         for s in slugs[zlib.crc32(slug.encode()) % 9:][:5])
        return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><header class='rs-header'>"
                f"<nav><a href='/'>RealSelf</a></nav></header><main><h1>Please verify you are a human</h1><p>Access to "
                f"&quot;{markup.escape(title.split(' | ')[0])}&quot; is restricted.</p><ul class='trending'>{others}</ul>"
                f"</main></body></html>").encode()
    walls, pages = set(), set()
    for slug in slugs:
        page = site.render_question(slug)
        title = markup.unescape(re.search(r"<title>(.*?)</title>", page).group(1))
        url = f"http://127.0.0.1:5/question/{slug}"
        walls.add(page_digest(ServedPage(url, wall(slug, title)), (url,)))
        pages.add(page_digest(ServedPage(url, page.encode()), (url,)))
    assert len(walls) == 1 and len(pages) == len(slugs)
