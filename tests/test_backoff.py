"""Retries wait: exponential backoff, and at least what Retry-After asks."""
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.backoff import DELAY_META, BackoffRetryMiddleware, retry_after_seconds


def middleware():
    crawler = get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 0.5, "RETRY_BACKOFF_MAX": 10, "RETRY_TIMES": 3})
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds(b"7") == 7.0
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True).encode()
    assert 25 < retry_after_seconds(later) <= 30
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_429_waits_for_retry_after_and_5xx_backs_off_exponentially():
    mw = middleware()
    request = Request("http://127.0.0.1/question/x")
    retry = mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "2"}))
    assert retry.meta[DELAY_META] == 2.0
    delays = []
    for _ in range(3):
        retry = mw.process_response(retry, Response(retry.url, status=503))
        if isinstance(retry, Response):
            break
        delays.append(retry.meta[DELAY_META])
    assert delays == [1.0, 2.0]  # 0.5 * 2**(n-1) for the 2nd and 3rd retry
    assert isinstance(retry, Response) and retry.status == 503  # retries exhausted: the error goes on


def test_retry_after_reads_every_http_date_form_and_nothing_else():
    """RFC 9110 5.6.7: IMF-fixdate, RFC 850 and asctime, all GMT, even when the zone is missing."""
    later = datetime.now(timezone.utc) + timedelta(seconds=60)
    forms = [
        later.strftime("%a, %d %b %Y %H:%M:%S GMT"),  # IMF-fixdate
        later.strftime("%A, %d-%b-%y %H:%M:%S GMT"),  # RFC 850
        later.strftime("%a %b ") + f"{later.day:2d}" + later.strftime(" %H:%M:%S %Y"),  # asctime
        later.strftime("%a, %d %b %Y %H:%M:%S"),  # no zone
        later.strftime("%a, %d %b %Y %H:%M:%S -0000"),
    ]
    for form in forms:
        assert 50 < retry_after_seconds(form.encode()) <= 60, form
    for bad in [b"\xb2", b"\xb2\xb3", "\u0663".encode("utf-8"), b"5.5", b"-5", b"Sun Nov 99 99:99:99 1994", b"Mon, 32 Foo"]:
        assert retry_after_seconds(bad) is None, bad
