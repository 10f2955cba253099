"""--max-pages bounds the requests a site receives: only a request that never left gives its
place back; one the server received counts, whatever came of it."""
import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError, ResponseDataLossError
from scrapy.utils.test import get_crawler
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived
from twisted.web._newclient import _DataLoss

from crawler.middlewares.max_pages import MaxPagesMiddleware

RECEIVED = [  # the server had the request: a head and a cut-short body, a reset, a timeout
    ResponseFailed([Failure(_DataLoss())]),
    ResponseDataLossError(),
    ResponseNeverReceived([Failure(error.ConnectionDone())]),
    error.ConnectionLost(),
    DownloadTimeoutError(),
]
NEVER_SENT = [error.ConnectionRefusedError(), error.TCPTimedOutError(), error.DNSLookupError(),
              DownloadConnectionRefusedError(), CannotResolveHostError()]


def places_taken(exception) -> int:
    """The --max-pages places one request holds after it failed with `exception`."""
    mw = MaxPagesMiddleware(get_crawler(), max_pages=100)
    request = Request("http://127.0.0.1/question/x")
    mw.process_request(request)
    mw.process_exception(request, exception)
    return mw.sent


@pytest.mark.parametrize("exception", RECEIVED, ids=lambda e: type(e).__name__)
def test_a_request_the_server_received_keeps_its_place(exception):
    assert places_taken(exception) == 1


@pytest.mark.parametrize("exception", NEVER_SENT, ids=lambda e: type(e).__name__)
def test_a_request_that_never_left_gives_its_place_back(exception):
    assert places_taken(exception) == 0
