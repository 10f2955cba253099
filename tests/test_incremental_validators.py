"""Stateful crawls over days of a changing site whose versions lie: a sitemap lastmod that is
no date, a Last-Modified later than the response's Date. Neither may hide a change for ever."""
from __future__ import annotations

import re
import time
from email.utils import formatdate

from tests.crawling import crawl, crawl_log
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
        middleware = ConditionalGetMiddleware(SimpleNamespace(version=lambda url: seen), stats=None)
        request = Request("http://127.0.0.1:1/question/a")
        middleware.process_request(request)
        return request.headers.get(b"If-Modified-Since")

    assert asked(formatdate(time.time() + 86400, usegmt=True)) is None
    past = formatdate(time.time() - 86400, usegmt=True)
    assert asked(past) == past.encode()
