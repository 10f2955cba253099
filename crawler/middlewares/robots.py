"""robots.txt as RFC 9309 reads it, on top of Scrapy's RobotsTxtMiddleware and Protego.

- A robots.txt that could not be read disallows its whole site (RFC 9309 2.3.1.4), and ends
  the crawl saying why; a 4xx is no robots.txt, and allows all. Only a robots.txt read whole
  is obeyed: one whose body is known to stop before its end (a transfer or a gzip stream cut
  short: crawler.middlewares.cut_short) could not be read, and so could any answer that is
  neither a robots.txt (2xx) nor a 4xx (a redirect the crawl could not follow, a 3xx left
  unfollowed: crawler.middlewares.redirect), as a redirect loop could not.
- Groups are matched by our product token (ROBOTSTXT_USER_AGENT) as a whole: Protego would
  let a group `doctor` (a prefix of `doctor-answers`) or `crawler` (a word of the User-Agent's
  comment) speak for us, above `*`.
- Only its first ROBOTSTXT_MAX_SIZE bytes are read (RFC 9309 2.5's parsing limit): its download
  stops there, whatever DOWNLOAD_MAXSIZE says, and the rules past the last whole line before
  the limit are ignored (logged, stat `robotstxt/cut_at_limit`); a bigger file is no unreadable
  one. It is asked for uncompressed; one sent compressed anyway is read the same, its first
  ROBOTSTXT_MAX_SIZE bytes once decoded (a bigger one is no unreadable one either).
- A Crawl-delay line that is not a number (`5s`, `2,5`) is named in `unread_delays`, so the
  Crawl-delay extension says it was not obeyed; an infinite one (`1e400`) stays above any
  CRAWL_DELAY_MAX (Protego would drop it, and the crawl would run at full speed).
"""
from __future__ import annotations

import logging
import math
import re
import sys
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from protego import Protego
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.defer import _schedule_coro
from twisted.internet.defer import Deferred

from crawler.extensions.prompt_stop import CrawlStopping, PromptStop
from crawler.middlewares import body_fault, cut_short
from crawler.middlewares.blocks import Blocked
from crawler.middlewares.compression import DECODED_HEAD
from crawler.middlewares.offsite import robots_txt_request
from crawler.sites import site_key

logger = logging.getLogger(__name__)

# The close reason of a crawl stopped by a robots.txt it could not read (`failed`).
ROBOTS_UNREADABLE = "robots_txt_unreadable"
# The stat: robots.txt files that could not be read (the summary's "robots.txt could not be read").
UNREADABLE_STAT = "robotstxt/unreadable"
# The stat: robots.txt files read only up to ROBOTSTXT_MAX_SIZE (RFC 9309 2.5).
CUT_AT_LIMIT_STAT = "robotstxt/cut_at_limit"

_USER_AGENT_LINE = re.compile(r"^(\s*user[- ]?agent\s*:\s*)([^#\r\n]*?)(\s*(?:#.*)?)$", re.I | re.S)
_PRODUCT_TOKEN = re.compile(r"[a-z_-]+", re.I)  # RFC 9309 2.2.1; a version after it is not part of it
_CRAWL_DELAY_LINE = re.compile(r"^\s*crawl[- ]delay\s*:\s*([^#\r\n]*?)\s*(?:#.*)?$", re.I | re.S)
# Protego drops a delay that is not finite; the largest float keeps an infinite one refused
# (crawler.extensions.crawl_delay names a delay this long infinite).
INFINITE_DELAY = sys.float_info.max
# Control bytes no text file holds: a gzip body, UTF-16 (NULs), a binary file.
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0e-\x1f]")


class RobotsParser(ProtegoRobotParser):
    def __init__(self, body: bytes, spider, token: str):
        self.spider = spider
        self.unread_delays: list[str] = []  # Crawl-delay lines that are no delay, as written
        if _NOT_TEXT.search(body):
            raise Unreadable("robots.txt is not text")
        # Not UTF-8 is still text: a Latin-1 comment must not cost the site its rules.
        lines = [self._line(line, token) for line in body.decode("utf-8-sig", errors="replace").splitlines(True)]
        self.rp = Protego.parse("".join(lines))

    @classmethod
    def from_crawler(cls, crawler, robotstxt_body: bytes):
        settings = crawler.settings
        return cls(robotstxt_body, crawler.spider, settings["ROBOTSTXT_USER_AGENT"] or settings["USER_AGENT"])

    def _line(self, line: str, token: str) -> str:
        if match := _USER_AGENT_LINE.match(line):
            return match.group(1) + group_name(match.group(2), token) + match.group(3)
        if match := _CRAWL_DELAY_LINE.match(line):
            return self._delay_line(line, match.group(1))
        return line

    def _delay_line(self, line: str, value: str) -> str:
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if seconds == math.inf:
            return f"Crawl-delay: {INFINITE_DELAY!r}\n"
        if not (math.isfinite(seconds) and seconds >= 0):
            self.unread_delays.append(line.strip())
        return line


def group_name(name: str, token: str) -> str:
    """A group's User-agent as Protego should see it: ours exactly when its product token is
    ours (any case, any version), `*` as it is, and anything else a name that matches nothing."""
    name = name.strip()
    if name in ("*", ""):
        return name
    product = _PRODUCT_TOKEN.match(name)
    if product and product.group().lower() == token.lower():
        return token
    return "other bot " + name  # a space: never part of a product token, so never ours


class _SaidByUs(logging.Filter):
    """Scrapy's middleware logs a robots.txt that could not be downloaded as "Error downloading
    <GET start URL>: ..." at ERROR, then hands the error to ours (_robots_error), which says it
    in words: Scrapy's line stays in the log file, at INFO, off stderr (one line a failure)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Error downloading"):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_SAID_BY_US = _SaidByUs()


class Unreadable(ValueError):
    """A robots.txt body that is not text (gzip without its header, UTF-16...)."""


class RobotsUnreadable(IgnoreRequest):
    """A request not sent: its site's robots.txt could not be read (the message says why)."""


class DisallowAll:
    """The rules of a site whose robots.txt could not be read: RFC 9309 2.3.1.4."""

    def __init__(self, why: str):
        self.why = why  # each page refused says it, not "forbidden by robots.txt"

    def allowed(self, url, user_agent) -> bool:
        return False

    def crawl_delay(self, user_agent) -> None:
        return None


class NotRead:
    """The rules of a site whose robots.txt the crawl dropped itself (it is stopping): its
    pages are dropped too, as what they are (CrawlStopping), not refused by an unread robots.txt."""

    def __init__(self, url: str):
        self.url = url


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's, with RFC 9309's rule for a robots.txt it could not read: a 4xx is no robots.txt
    (allow all), anything else that is not one (5xx or 429 on every attempt, a download error,
    a body that is not text) disallows the whole site, and the crawl ends `failed` saying so. A
    wall on robots.txt disallows the site too, and the crawl ends `blocked` (the block middleware)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        logging.getLogger(ScrapyRobotsTxtMiddleware.__module__).addFilter(_SAID_BY_US)  # once: the same filter
        self.max_size = crawler.settings.getint("ROBOTSTXT_MAX_SIZE")
        self.download_maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.robots_urls: dict[str, str] = {}  # netloc -> the URL its robots.txt was read from (redirects followed)
        self.unreadable_sites: set[str] = set()  # sites (site_key) whose robots.txt could not be read
        self._received: WeakKeyDictionary = WeakKeyDictionary()  # robots.txt request -> bytes received
        if self.max_size:
            crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def of(cls, crawler) -> "RobotsTxtMiddleware | None":
        return crawler.get_downloader_middleware(cls)

    async def process_request(self, request, spider=None):
        if self.max_size and robots_txt_request(request):
            # DOWNLOAD_MAXSIZE would cancel a big robots.txt by its Content-Length, before a
            # byte: bytes_received stops it at ROBOTSTXT_MAX_SIZE instead. Asked uncompressed;
            # one sent compressed is read to ROBOTSTXT_MAX_SIZE once decoded, as a plain one.
            request.meta["download_maxsize"] = 0
            request.meta[DECODED_HEAD] = self.max_size
            request.headers.setdefault("Accept-Encoding", "identity")
        return await super().process_request(request)

    def bytes_received(self, data, request, spider=None) -> None:
        """A robots.txt's download stops once ROBOTSTXT_MAX_SIZE bytes came (RFC 9309 2.5)."""
        if not robots_txt_request(request):
            return
        # The transfer's own limit was read already: decoding (gzip) keeps DOWNLOAD_MAXSIZE's.
        request.meta["download_maxsize"] = self.download_maxsize
        received = self._received.get(request, 0) + len(data)
        self._received[request] = received
        if received > self.max_size:
            raise StopDownload(fail=False)

    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, NotRead):
            raise CrawlStopping(f"crawl stopping: {request.url} not fetched ({rp.url} was not)")
        if isinstance(rp, DisallowAll):
            self._stats.inc_value("robotstxt/forbidden")
            raise RobotsUnreadable(f"robots.txt could not be read ({rp.why})")
        super().process_request_2(rp, request)

    async def _parse_robots(self, response, netloc: str, request) -> None:
        if 400 <= response.status < 500 and response.status != 429:
            # no robots.txt: every page is allowed, whatever the error page says
            await super()._parse_robots(response.replace(body=b""), netloc, request)
            return
        if not 200 <= response.status < 300:  # the server's trouble (5xx, 429), or no answer of a file (3xx)
            attempts = response.meta.get("retry_times", 0) + 1
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self.unreadable(netloc, f"HTTP {response.status} after {attempts} attempt{'s' * (attempts > 1)}")
            return
        at_limit = "download_stopped" in response.flags or len(response.body) > self.max_size > 0
        if cut_short(response) and not at_limit:  # the rules past the cut are lost: those before it are not the file's
            self._stats.inc_value("robotstxt/response_count")
            self.unreadable(netloc, body_fault(response))
            return
        if at_limit:
            response = response.replace(body=self.within_limit(response))
        self.robots_urls[netloc] = response.url
        await super()._parse_robots(response, netloc, request)

    def within_limit(self, response) -> bytes:
        """A robots.txt's first ROBOTSTXT_MAX_SIZE bytes, up to its last whole line there: RFC
        9309 2.5 lets a crawler ignore what lies past its parsing limit."""
        self._stats.inc_value(CUT_AT_LIMIT_STAT)
        logger.warning("robots.txt %s is larger than ROBOTSTXT_MAX_SIZE (%d bytes): its rules past that are "
                       "ignored (RFC 9309 2.5)", response.url, self.max_size)
        head = response.body[:self.max_size]
        return head[:max(head.rfind(b"\n"), head.rfind(b"\r")) + 1]

    def robots_url(self, url: str) -> str:
        """The URL robots.txt of `url`'s host was read from, its redirects followed (relative
        Sitemap: lines resolve against it); before it is read, where it is asked for."""
        parts = urlsplit(url)
        return self.robots_urls.get(parts.netloc, f"{parts.scheme}://{parts.netloc}/robots.txt")

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, CrawlStopping):  # dropped by the crawl, not unread: no error of the site's
            self._rules(netloc, NotRead(f"robots.txt of {netloc}"))
            return
        if isinstance(exc, Blocked):  # a wall: the block middleware ends the crawl
            self._disallow(netloc, "a block page")
            return
        if isinstance(exc, Unreadable):
            why = "its body is not text"
        else:
            from pipelines.crawls import exception_words  # here: pipelines.crawls reads our stat's name

            why = exception_words(type(exc).__name__, str(exc))
        self.unreadable(netloc, why)

    def unreadable(self, netloc: str, why: str) -> None:
        self._stats.inc_value(UNREADABLE_STAT)
        self._disallow(netloc, why)
        stopper = PromptStop.of(self.crawler)
        if stopper is not None and stopper.stopping:
            return  # the crawl ends anyway, for another reason
        message = (f"robots.txt of {netloc} could not be read ({why}): RFC 9309 says to assume every page "
                   "is disallowed, so none of its pages was fetched")
        self.unreadable_sites.add(site_key(f"http://{netloc}/"))
        # A start URL of this host waits for these rules, and its failure line says this one
        # ("Start URL failed: URL: robots.txt could not be read (why)"): one line a failure
        say = logger.warning if netloc in self._start_hosts() else logger.error
        if set(getattr(self.crawler.spider, "allowed_sites", ())) - self.unreadable_sites:
            # Another start site may still give rows: this one's start URLs fail (their requests
            # are refused, saying why), and the crawl's outcome combines the sites' (start_urls_failed).
            say("%s; the crawl goes on with its other sites", message)
            return
        self._stats.set_value("crawl/message", message)
        say("%s", message)
        if stopper is not None:
            stopper.close(ROBOTS_UNREADABLE)
        else:
            _schedule_coro(self.crawler.engine.close_spider_async(reason=ROBOTS_UNREADABLE))

    def _start_hosts(self) -> set[str]:
        return {urlsplit(url).netloc for url in getattr(self.crawler.spider, "start_urls", ())}

    def _disallow(self, netloc: str, why: str) -> None:
        self._rules(netloc, DisallowAll(why))

    def _rules(self, netloc: str, rules) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = rules
        if isinstance(waiting, Deferred):  # the requests that wait for the rules get these
            waiting.callback(rules)

