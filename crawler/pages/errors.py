"""Errors of the page parsers: every one names the URL of the page."""
from __future__ import annotations


class PageError(ValueError):
    """A page that gives no records. `url` is the page, `reason` a short phrase."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")

    def __reduce__(self):  # picklable across processes
        return (type(self), (self.url, self.reason))


class MarkupError(ValueError):
    """A fragment of a page (e.g. an answer's HTML in the page's JSON) lxml could not read
    whole: raised inside a page object, which knows no URL; the page becomes a PageError."""


class BlockedPage(PageError):
    """A block (captcha) page: it holds no data."""


class TruncatedPage(PageError):
    """A page cut off in transfer, which a retry may get whole: the document does not end (no
    closing </body>/</html>, a __NEXT_DATA__ script that never closes, a character cut in two).
    A whole document that holds fewer answers than it declares, or whose closed __NEXT_DATA__
    does not read as JSON, is no such page: a retry gets the same markup, a plain PageError."""


class EmptyPage(TruncatedPage):
    """A body with no text at all (a 200 with no bytes, a 204): a server or a proxy that had
    nothing to send at that moment, which a retry may cure as it cures a cut-off page; not a
    page of an unknown layout (no page at all)."""


class UnknownLayout(PageError):
    """Not a question page of a known family."""


class NotHtml(UnknownLayout):
    """A whole body that is no HTML document at all (JSON, a PDF, an XML error, plain text):
    no question page, like a page of an unknown layout, but neither a page cut off in transfer
    (only a document has an end to lose; a retry gets the same body) nor a new markup."""
