"""Stops (SIGINT, SIGTERM, SIGHUP) while a command starts, while a crawl runs, and once its
outcome is final; and the signals that are no stop.

Before Scrapy's reactor runs (imports, settings: about half a second), Python's defaults end
the process with no `crawls` row and no summary; between the reactor's start and the
engine's, Scrapy's own handler stops the reactor without closing the spider (its "band-aid"
for scrapy#6916), which ends the same way. A cron job's `timeout` or a quick Ctrl-C left no
trace of the crawl. So a crawl holds its stops until its engine runs (`hold()`), then hands
them to Scrapy's handler and sends a held one again (`release(process)`): the crawl stops as
any interrupted crawl does (its row says `interrupted`, exit status 130). A reparse holds them
the same way until it can write its row (`take_held()`). A second signal while starting ends
the process at once, as Scrapy's second signal does: exit status 130, whichever the signal
(SIGTERM's own death would be 143, a status no command documents).

A closed terminal or ssh session (SIGHUP; Scrapyd's `cancel.json -d signal=HUP`) is a stop like
SIGTERM. SIGUSR1 and SIGUSR2 mean something else to each program (reopen a log, dump a status),
and would end the process at once with no row: a crawl ignores them and logs them (`IGNORED`).

A second stop while the crawl is stopping (Ctrl-C twice; a process group's `kill` beside a
supervisor's own TERM, milliseconds apart) is Scrapy's "forcing unclean shutdown": the reactor
stops at once, which ended the crawl before its row was written, its pages read lost. Here it
ends the crawl at once too, dropping what is in flight, but first closes the spider's output
the way its close would (`_end_now`): what was read is committed, the row says `interrupted`.

Once a command's outcome is final (its row committed, its summary printed), a stop can change
nothing: `ignore()` keeps one from killing the process while Python shuts down (a second or
so with a large heap), when the exit status would contradict the row.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
from contextlib import contextmanager

logger = logging.getLogger(__name__)

STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
IGNORED = (signal.SIGUSR1, signal.SIGUSR2)
_SIGNALS = STOPS + IGNORED  # what a crawl takes over while it runs
_held: list[int] = []
_stops: list[int] = []  # the signals Scrapy's handler was given, this crawl
INTERRUPTED = 130  # the exit status of a stopped command (README's table)


def interrupt_on_stops() -> None:
    """Every stop is a KeyboardInterrupt, as Ctrl-C is: for a command that takes none over."""
    for signum in STOPS:
        signal.signal(signum, signal.default_int_handler)


def hold() -> None:
    for signum in STOPS:
        signal.signal(signum, _keep)
    for signum in IGNORED:
        signal.signal(signum, _ignored)


@contextmanager
def held():
    """Hold the signals for a crawl; the handlers of before it afterwards (a crawl run in a
    process that goes on, such as a test's)."""
    before = {signum: signal.getsignal(signum) for signum in _SIGNALS}
    _stops.clear()
    hold()
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
        _held.clear()


def _keep(signum, frame) -> None:
    if _held:  # asked twice: stop now, with nothing written (os.write: print may be mid-line)
        os.write(2, b"interrupted: asked twice to stop while starting; no crawls row written\n")
        os._exit(INTERRUPTED)
    _held.append(signum)


def _ignored(signum, frame) -> None:
    # Logging cannot happen in a handler (it may interrupt a write to the same stream): the
    # reactor logs it, when it runs (before, there is no log yet).
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is not None and reactor.running:
        reactor.callFromThread(logger.warning, "Received %s: ignored (a crawl stops on SIGINT, SIGTERM or SIGHUP)",
                               signal.Signals(signum).name)


def release_when_running(process, crawler) -> None:
    """Release the held signals (`release`) once `crawler`'s engine runs; connect it before
    `process.crawl(crawler)`, and start the process `with held()`, without Scrapy's handlers."""
    from scrapy import signals

    closing = _Closing()

    def engine_started():
        from twisted.internet import reactor

        reactor.callLater(0, release, process, crawler, closing)

    crawler.signals.connect(engine_started, signal=signals.engine_started, weak=False)
    # Connected before any component's: they note the signal before its receivers run.
    crawler.signals.connect(closing.spider_closed, signal=signals.spider_closed, weak=False)
    crawler.signals.connect(closing.engine_stopped, signal=signals.engine_stopped, weak=False)


class _Closing:
    """Which of a crawl's closing signals have been sent."""

    def __init__(self):
        self.spider, self.engine = False, False

    def spider_closed(self, spider, reason):
        self.spider = True

    def engine_stopped(self):
        self.engine = True


def release(process, crawler=None, closing: _Closing | None = None) -> None:
    """Take the stops over from here (a CrawlerProcess started with install_signal_handlers=False)
    and send a held one again; call it once the engine runs. The first stop is Scrapy's graceful
    one; a second ends the crawl at once (`_end_now`), its output closed first."""
    from twisted.internet import reactor

    honoured: list[int] = []

    def asked(signum, frame):  # what CrawlerProcess.start would install, noted
        _stops.append(signum)
        # Decided in the reactor, one stop after the other: a stop milliseconds after another
        # runs inside its handler, and each would take itself for the first.
        reactor.callFromThread(honour, signum)

    def honour(signum):
        honoured.append(signum)
        if len(honoured) == 1:  # as Scrapy's _signal_shutdown
            process._log_shutdown(signum)
            process._graceful_stop_reactor()
        elif len(honoured) == 2:
            _end_now(process, crawler, closing or _Closing(), signum)

    _handle_stops(asked)
    if _held:
        os.kill(os.getpid(), _held.pop())


def _handle_stops(handler) -> None:
    for signum in STOPS:
        signal.signal(signum, handler)


def _end_now(process, crawler, closing: _Closing, signum: int) -> None:
    """Stop the reactor now, as Scrapy's second stop does, but first send the closing signals
    the crawl has not sent yet: the output commits what was read and writes the crawl's row
    (synchronously: the reactor stops next), the workers and the archive close. What is in
    flight (downloads, pages being read) is dropped."""
    from scrapy import signals

    logger.info("Received %s twice: ending the crawl now; what is in flight is dropped, what was read is "
                "committed", signal.Signals(signum).name)
    if crawler is not None:
        crawler.crawling = False  # as Crawler.stop_async begins: no graceful stop starts after this
        if not closing.spider:
            _send_to_components(crawler, signals.spider_closed, spider=crawler.spider, reason="shutdown")
        if not closing.engine:
            _send_to_components(crawler, signals.engine_stopped)
        # The engine's own close, under way, must not send them a second time as the reactor stops.
        crawler.signals.disconnect_all(signals.spider_closed)
        crawler.signals.disconnect_all(signals.engine_stopped)
    process._stop_reactor()


def _send_to_components(crawler, closing_signal, **arguments) -> None:
    """Send a closing signal to the project's components, not to Scrapy's own bookkeeping
    (stats, log counts, download handlers), which its unclean shutdown skips too (LogCount's
    closing at that moment crashed the interpreter as it exited)."""
    from pydispatch import dispatcher

    receivers = dispatcher.liveReceivers(dispatcher.getAllReceivers(crawler.signals.sender, closing_signal))
    for receiver in list(receivers):
        if getattr(receiver, "__module__", "").startswith("scrapy."):
            crawler.signals.disconnect(receiver, signal=closing_signal)
    crawler.signals.send_catch_log(closing_signal, **arguments)


def take_held() -> bool:
    """Whether a stop was held (then forgotten: the caller honours it now)."""
    held_one = bool(_held)
    _held.clear()
    return held_one


def asked_to_stop() -> bool:
    """Whether the crawl was asked to stop by a signal (then a crawl with no row, its output
    unable to write one, is still an interrupted crawl)."""
    return bool(_stops)


def ignore() -> None:
    """The outcome is final: stops are ignored until the process exits. Python puts the default
    handlers back as it shuts down, but leaves an ignored signal ignored."""
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
