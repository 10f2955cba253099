"""Stateful crawls over days of a changing site whose versions lie: a sitemap lastmod that is
no date, a Last-Modified later than the response's Date. Neither may hide a change for ever."""
from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import formatdate

import pytest

from tests.crawling import crawl, crawl_log, crawl_rows
from tests.hostile import HostileServer, Reply
from tests.truthcheck import differences, read_truth

QUESTIONS = 80  # enough for a few changes a day


def two_days(reference_site, tmp_path, route, **front):
    """Day 0 then day 1 of a reference site behind a hostile front `route(server, path, ...)`
    (the same address both days, so the same URLs); the day-1 crawl's result."""
    out, state = tmp_path / "data", tmp_path / "state"
    day0 = reference_site(questions=QUESTIONS, day=0)
    server = HostileServer(None, day0.url, in_front=True, **front)
    server.route = lambda *asked: route(server, *asked)
    try:
        assert crawl(server.url, "--out", out, "--state", state).returncode == 0
        day0.stop()
        server.upstream = reference_site(questions=QUESTIONS, day=1, truth=str(tmp_path / "truth1.jsonl")).url.rstrip("/")
        return server, crawl(server.url, "--out", out, "--state", state)
    finally:
        server.stop()


def test_a_lastmod_that_is_no_date_never_skips_a_change(reference_site, tmp_path):
    """An unrendered template, the same text every day: read as no lastmod, so every page is
    asked if it changed (a conditional GET), and the crawl says so once, and in its summary."""
    def route(server, path):
        if not path.startswith("/xmlsitemap-Question-"):
            return None
        reply = server.fetch(path)
        reply.body = re.sub(rb"<lastmod>[^<]*</lastmod>", b"<lastmod>{{ question.updated_at }}</lastmod>", reply.body)
        return reply

    server, day1 = two_days(reference_site, tmp_path, route)
    assert day1.returncode == 0, day1.stderr[-2000:]
    assert differences(read_truth(tmp_path / "truth1.jsonl"), tmp_path / "data") == []
    assert re.search(r"errors: .*sitemap lastmods that are no date \(ignored\) \(8\d\)", day1.stdout), day1.stdout
    assert crawl_log(tmp_path / "data").count("Sitemap lastmod that is no date") == 2  # once a crawl


def test_a_last_modified_later_than_the_date_is_not_kept(reference_site, tmp_path):
    """A server a year ahead that answers 304 to any If-Modified-Since not before its
    Last-Modified: sent back, its date would hide every change that follows."""
    ahead = formatdate(time.time() + 365 * 86400, usegmt=True)
    asked_since = []

    def route(server, path, headers):
        if not path.startswith("/question/"):
            return None
        if headers.get("If-Modified-Since"):
            asked_since.append(path)
            return Reply(304, b"", {"Last-Modified": ahead})
        reply = server.fetch(path)
        reply.headers["Last-Modified"] = ahead  # no ETag: the date is the only validator
        return reply

    server, day1 = two_days(reference_site, tmp_path, route, with_headers=True)
    assert day1.returncode == 0, day1.stderr[-2000:]
    assert asked_since == []
    assert differences(read_truth(tmp_path / "truth1.jsonl"), tmp_path / "data") == []
    assert "Last-Modified later than the Date (not kept)" in day1.stdout
    assert crawl_log(tmp_path / "data").count("Last-Modified later than the response's Date") == 2


def test_a_stored_last_modified_later_than_now_is_never_sent():
    """A state written before the rule may hold one: sent, it would get a 304 for every change."""
    from types import SimpleNamespace

    from scrapy import Request

    from crawler.middlewares.conditional import ConditionalGetMiddleware
    from pipelines.state import PageVersion

    def asked(last_modified):
        seen = PageVersion("http://127.0.0.1:1/question/a", None, last_modified)
        session = SimpleNamespace(version=lambda url: seen, state=SimpleNamespace(shares_validator=lambda *_: False))
        middleware = ConditionalGetMiddleware(session, stats=None)
        request = Request("http://127.0.0.1:1/question/a")
        middleware.process_request(request)
        return request.headers.get(b"If-Modified-Since")

    assert asked(formatdate(time.time() + 86400, usegmt=True)) is None
    past = formatdate(time.time() - 86400, usegmt=True)
    assert asked(past) == past.encode()


def test_a_date_only_lastmod_of_the_day_of_the_last_fetch_never_hides_a_later_change(reference_site, tmp_path):
    """Every lastmod reads today (a date: some time today), both crawls run today: the first
    fetched each page before the day's end, so a change later that day may be missing. Each
    page is asked again (conditionally, as a page whose lastmod is no date), none skipped."""
    def route(server, path):
        if not path.startswith("/xmlsitemap-Question-"):
            return None
        reply = server.fetch(path)
        today = datetime.now(timezone.utc).date().isoformat().encode()
        reply.body = re.sub(rb"<lastmod>[^<]*</lastmod>", b"<lastmod>" + today + b"</lastmod>", reply.body)
        return reply

    server, day1 = two_days(reference_site, tmp_path, route)
    assert day1.returncode == 0, day1.stderr[-2000:]
    assert differences(read_truth(tmp_path / "truth1.jsonl"), tmp_path / "data") == []
    second = sorted(crawl_rows(tmp_path / "data"), key=lambda row: row["started_at"])[1]
    assert second["pages_skipped"] == 0, second


def test_a_page_is_skipped_only_when_fetched_after_the_last_moment_its_lastmod_names():
    from pipelines.session import CrawlSession
    from pipelines.state import PageVersion

    cases = [  # (lastmod, fetched at, skipped)
        ("2026-12-01", "2026-12-01T09:00:00+00:00", False),  # a change at 18:00 that day may be missing
        # a date names no zone: a site in Seattle still writes it at 03:00 UTC on the 2nd, and
        # one in UTC-12 until 12:00 UTC (the latest reading)
        ("2026-12-01", "2026-12-02T03:00:00+00:00", False),
        ("2026-12-01", "2026-12-02T11:59:59.999999+00:00", False),
        ("2026-12-01", "2026-12-02T12:00:00+00:00", True),
        ("2026-12", "2026-12-20T00:00:00+00:00", False),  # a month names the whole month
        ("2026-12", "2027-01-01T06:00:00+00:00", False),
        ("2026-12", "2027-01-01T12:00:00+00:00", True),
        ("2026", "2027-01-01T11:00:00+00:00", False),
        ("2026", "2027-01-01T12:00:00+00:00", True),
        ("2026-12-01T10:00:00+00:00", "2026-12-01T09:00:00+00:00", False),
        ("2026-12-01T10:00:00+00:00", "2026-12-01T18:00:00+00:00", True),
        ("2026-12-01T10:00:00-08:00", "2026-12-01T17:00:00+00:00", False),
        ("2026-12-01T10:00:00-08:00", "2026-12-01T18:30:00+00:00", True),
        # a time without a zone: the site's local time, 10:00 in UTC-12 is 22:00 UTC
        ("2026-12-01T10:00:00", "2026-12-01T10:30:00+00:00", False),
        ("2026-12-01T10:00:00", "2026-12-01T21:59:00+00:00", False),
        ("2026-12-01T10:00:00", "2026-12-01T22:00:01+00:00", True),
        ("2026-12-01", None, False),  # when it was fetched is not known
    ]
    for lastmod, fetched_at, skipped in cases:
        session = CrawlSession({"STATE_DIR": None, "CRAWL_ID": "c"})
        session.version = lambda url: PageVersion(url, lastmod=lastmod, fetched_at=fetched_at)
        session.note_lastmod("u", lastmod)
        assert (session.skip_reason("u") == "skipped_unchanged") is skipped, (lastmod, fetched_at)


def test_a_date_only_lastmod_stands_for_its_days_end_against_another_sitemaps_time():
    """A stale sitemap's `2026-12-02T10:00Z` does not beat a fresh `2026-12-02` (any time that
    day, so possibly later); a date does not beat a time of the next day."""
    from pipelines.session import CrawlSession

    session = CrawlSession({"STATE_DIR": None, "CRAWL_ID": "c"})
    for first, second, kept in [("2026-12-02T10:00:00+00:00", "2026-12-02", "2026-12-02"),
                                ("2026-12-02", "2026-12-02T10:00:00+00:00", "2026-12-02"),
                                ("2026-12-02", "2026-12-03T00:00:00+00:00", "2026-12-03T00:00:00+00:00")]:
        session.sitemap_lastmod.clear()
        session.note_lastmod("u", first)
        session.note_lastmod("u", second)
        assert session.sitemap_lastmod["u"] == kept, (first, second)


def test_the_state_keeps_when_a_page_was_fetched_a_304_too_and_an_older_state_its_crawls_start(tmp_path):
    import sqlite3

    from pipelines.state import CrawlState, PageVersion

    start = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    state = CrawlState(tmp_path / "state")
    state.open_crawl("c1", start, commit=lambda token: None)
    state.commit_batch("c1", 0, "t", [PageVersion("http://h/question/a", "e", None, "2026-12-01", "0" * 64,
                                                  "2026-12-01T09:00:00+00:00")], [], commit=lambda token: None)
    assert state.version("http://h/question/a").fetched_at == "2026-12-01T09:00:00+00:00"
    state.commit_batch("c1", 1, "t2", [PageVersion("http://h/question/a", lastmod="2026-12-01",
                                                   fetched_at="2026-12-02T09:00:00+00:00")], [],
                       commit=lambda token: None)  # a 304: the version held was the page's then
    assert state.version("http://h/question/a").fetched_at == "2026-12-02T09:00:00+00:00"
    state.close()
    # A state written before fetched_at was kept: no such column; its crawl's start stands in.
    db = sqlite3.connect(tmp_path / "state" / "state.sqlite")
    db.execute("ALTER TABLE pages DROP COLUMN fetched_at")
    db.execute("ALTER TABLE batch_pages DROP COLUMN fetched_at")
    db.commit()
    db.close()
    state = CrawlState(tmp_path / "state")
    assert state.version("http://h/question/a").fetched_at == start.isoformat()
    state.close()


def test_an_answer_holding_back_the_change_its_sitemap_names_settles_nothing_and_is_not_taken_twice(tmp_path):
    """A 304, or the same content, to a page whose sitemap lastmod moved past the version held
    (a CDN behind the origin, a validator not of the content): the lastmod is not taken as
    seen; the next request is sent without validators, and its answer settles it."""
    from scrapy import Request

    from crawler.middlewares.conditional import ConditionalGetMiddleware
    from pipelines.state import PageVersion

    url, held = "http://127.0.0.1:1/question/a", "0" * 64
    session, record, part = _recording(tmp_path, url)
    state = session.state

    def validators():
        request = Request(url)
        ConditionalGetMiddleware(session, stats=None).process_request(request)
        return request.headers.get(b"If-None-Match"), request.headers.get(b"If-Modified-Since")

    first = PageVersion(url, '"e"', "Tue, 01 Dec 2026 08:00:00 GMT", "2026-12-01T08:00:00Z", held,
                        "2026-12-01T09:00:00+00:00")
    assert record(first) == first
    assert validators() == (b'"e"', b"Tue, 01 Dec 2026 08:00:00 GMT")
    moved = "2026-12-02T08:00:00Z"
    for answer in (PageVersion(url, lastmod=moved, fetched_at="2026-12-02T09:00:00+00:00"),  # a 304
                   PageVersion(url, '"e"', None, moved, held, "2026-12-02T09:00:00+00:00")):  # the same bytes
        state.commit_batch("c1", next(part), "t", [first], [], commit=lambda token: None)
        seen = record(answer)
        assert (seen.lastmod, seen.fetched_at, seen.unserved_lastmod) == (first.lastmod, first.fetched_at, moved)
        session.note_lastmod(url, moved)
        assert session.skip_reason(url) is None  # asked again next crawl...
        session.skipped.clear()
        assert validators() == (None, None)  # ... for the page itself, not a 304
    # That answer settles it, the same content too (a lastmod that moved while nothing changed).
    settled = PageVersion(url, '"e"', None, moved, held, "2026-12-03T09:00:00+00:00")
    assert record(settled) == settled
    # A 304 to a lastmod that did not move past the version's settles as ever.
    later = PageVersion(url, lastmod=moved, fetched_at="2026-12-04T09:00:00+00:00")
    assert record(later).fetched_at == later.fetched_at
    session.close()


def test_a_validator_shared_by_pages_of_other_content_is_never_sent(reference_site, tmp_path):
    """An ETag of the template (`"v1"` on every page), one Last-Modified for every page, and a
    server that answers 304 to it: sent back, it would hide the changes of day 1."""
    for header, value, condition in (("ETag", '"v1"', "If-None-Match"),
                                     ("Last-Modified", "Thu, 01 Jan 2015 00:00:00 GMT", "If-Modified-Since")):
        asked = []

        def route(server, path, headers):
            if not path.startswith("/question/"):
                return None
            if headers.get(condition) == value:
                asked.append(path)
                return Reply(304, b"", {header: value})
            reply = server.fetch(path)
            reply.headers[header] = value
            return reply

        folder = tmp_path / header
        server, day1 = two_days(reference_site, folder, route, with_headers=True)
        assert day1.returncode == 0, day1.stderr[-2000:]
        assert asked == []
        assert differences(read_truth(folder / "truth1.jsonl"), folder / "data") == []
        assert re.search(r"errors: .*validators shared by pages of other content \(not sent\) \(\d+\)", day1.stdout)
        assert crawl_log(folder / "data").count(f"{header} shared by pages of other content") == 1


@pytest.mark.parametrize("days_ago, revisit_after, skipped", [(10, 30, True), (40, 30, False), (400, 0, True)])
def test_a_version_long_unverified_is_asked_again_though_its_lastmod_never_moved(tmp_path, days_ago, revisit_after,
                                                                                 skipped):
    """A lastmod that never moves (the question's own date, not its last answer's) hides every
    change: past REVISIT_AFTER_DAYS since it was last found current, the page is asked again."""
    from pipelines.session import CrawlSession
    from pipelines.state import PageVersion

    url, lastmod = "http://127.0.0.1:1/question/a", "2020-01-05"
    session = CrawlSession({"STATE_DIR": str(tmp_path / "state"), "CRAWL_ID": "c1", "REVISIT_AFTER_DAYS": revisit_after})
    session.state.open_crawl("c1", datetime(2020, 1, 6, tzinfo=timezone.utc), commit=lambda token: None)
    fetched = (session.started_at - timedelta(days=days_ago)).isoformat()
    session.state.commit_batch("c1", 0, "t", [PageVersion(url, None, None, lastmod, "0" * 64, fetched)], [],
                               commit=lambda token: None)
    session.note_lastmod(url, lastmod)
    assert (session.skip_reason(url) == "skipped_unchanged") is skipped
    assert (url in session.revisited) is not skipped
    session.close()


@pytest.mark.parametrize("sharing, sent", [(2, True), (5, True), (6, False), (10, False)])
def test_a_last_modified_is_a_validator_unless_most_pages_bear_it(tmp_path, sharing, sent):
    """A Last-Modified is a time, compared per page: questions changed on one day share the date
    rightly (a server giving dates at midnight), so a few pages of other content bearing it take
    nothing from it; the Last-Modified of most pages (a deploy's date) is the site's, not theirs.
    An ETag names a content: one other page bearing it is enough."""
    from collections import Counter
    from types import SimpleNamespace

    from scrapy import Request

    from crawler.middlewares.conditional import SHARED_VALIDATOR, ConditionalGetMiddleware
    from pipelines.session import CrawlSession
    from pipelines.state import PageVersion

    session = CrawlSession({"STATE_DIR": str(tmp_path / "state"), "CRAWL_ID": "c1"})
    session.state.open_crawl("c1", datetime(2026, 12, 1, tzinfo=timezone.utc), commit=lambda token: None)
    day = "Tue, 17 Jan 2017 00:00:00 GMT"
    pages = [PageVersion(f"http://127.0.0.1:1/question/{n}", f'"{n}"',
                         day if n < sharing else formatdate(1e9 + n * 86400, usegmt=True), None, f"{n:064x}")
             for n in range(10)]
    session.state.commit_batch("c1", 0, "t", pages, [], commit=lambda token: None)
    counts = Counter()
    stats = SimpleNamespace(get_value=counts.get, inc_value=lambda key: counts.update([key]))

    def asked(url):
        request = Request(url)
        ConditionalGetMiddleware(session, stats).process_request(request)
        return request.headers.get(b"If-Modified-Since"), request.headers.get(b"If-None-Match")

    assert asked(pages[0].url) == ((day.encode() if sent else None), b'"0"')
    assert counts[SHARED_VALIDATOR] == (0 if sent else 1)
    assert (asked(pages[9].url)[0] is None) is (sharing == 10)  # a time of its own, unless the deploy's
    session.state.commit_batch("c1", 1, "t", [PageVersion(pages[9].url, '"0"', None, None, "f" * 64)], [],
                               commit=lambda token: None)
    assert asked(pages[0].url)[1] is None  # an ETag a page of other content bears too
    session.close()


def test_a_lastmod_that_moves_alone_settles_once_an_answer_without_validators_held_the_content(reference_site,
                                                                                               tmp_path):
    """A sitemap stamping every lastmod "now" (or ahead of the site's clock) on a site that does
    not change: crawl 2's 304s settle nothing, crawl 3 asks without validators and gets the
    content held; from then on each crawl is 304s again, not a full read every other crawl."""
    def route(server, path, headers):
        if path.startswith("/question/"):  # an ETag of the content, and 304s to it
            reply = server.fetch(path)
            reply.headers["ETag"] = f'"{hashlib.sha256(reply.body).hexdigest()}"'
            return Reply(304, b"", {}) if headers.get("If-None-Match") == reply.headers["ETag"] else reply
        if not path.startswith("/xmlsitemap-Question-"):
            return None
        reply = server.fetch(path)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds").encode()
        reply.body = re.sub(rb"<lastmod>[^<]*</lastmod>", b"<lastmod>" + now + b"</lastmod>", reply.body)
        return reply

    out, state = tmp_path / "data", tmp_path / "state"
    site = reference_site(questions=12, day=0)
    server = HostileServer(None, site.url, in_front=True, with_headers=True)
    server.route = lambda *asked: route(server, *asked)
    read = []
    try:
        for _ in range(5):
            done = crawl(server.url, "--out", out, "--state", state)
            assert done.returncode == 0, done.stderr[-2000:]
            read.append(int(re.search(r"(\d+) question pages read", done.stdout).group(1)))
    finally:
        server.stop()
    assert read == [12, 0, 12, 0, 0], read
    assert re.search(r"\b12 not modified", done.stdout), done.stdout


def test_a_lastmod_shown_to_move_alone_is_trusted_again_once_the_content_changes(tmp_path):
    """The mark holds for the content the answer without validators confirmed: a new content
    makes the sitemap's word count again, so a 304 against its next moved lastmod (a CDN behind
    the origin) settles nothing, as before."""
    from pipelines.state import PageVersion

    url = "http://127.0.0.1:1/question/a"
    session, record, _ = _recording(tmp_path, url)

    def day(n, content="0" * 64):  # the page as answered on day n, the sitemap stamping that day
        return PageVersion(url, '"e"', None, f"2026-12-0{n}T08:00:00Z", content, f"2026-12-0{n}T09:00:00+00:00")

    def not_modified(n):
        return PageVersion(url, lastmod=f"2026-12-0{n}T08:00:00Z", fetched_at=f"2026-12-0{n}T09:00:00+00:00")

    record(day(1))
    assert record(not_modified(2)).unserved_lastmod  # the change may be behind a cache
    assert record(day(3)).lastmod_moves_alone  # asked without validators: the content held
    assert record(not_modified(4)).lastmod == not_modified(4).lastmod  # settles as before
    assert record(not_modified(5)).unserved_lastmod is None
    assert not record(day(6, "1" * 64)).lastmod_moves_alone  # a change: the lastmod is the site's word again
    assert record(not_modified(7)).unserved_lastmod == not_modified(7).lastmod
    session.close()


def _recording(tmp_path, url: str):
    """A session on a new state with crawl c1 open; `record(page)`, the page's answer committed
    as the session records it (CrawlSession.answered), then the version the state holds; and
    the batch numbers both draw from."""
    from pipelines.session import CrawlSession

    session = CrawlSession({"STATE_DIR": str(tmp_path / "state"), "CRAWL_ID": "c1"})
    session.state.open_crawl("c1", datetime(2026, 12, 1, tzinfo=timezone.utc), commit=lambda token: None)
    part = iter(range(100))

    def record(page):
        session.state.commit_batch("c1", next(part), "t", [session.answered(page)], [], commit=lambda token: None)
        return session.state.version(url)
    return session, record, part
