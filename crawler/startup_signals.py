"""A stop asked for while a crawl starts is kept until the crawl can honour it.

Before Scrapy's reactor runs (imports, settings: about half a second), Python's defaults end
the process with no `crawls` row and no summary; between the reactor's start and the
engine's, Scrapy's own handler stops the reactor without closing the spider (its "band-aid"
for scrapy#6916), which ends the same way. A cron job's `timeout` or a quick Ctrl-C left no
trace of the crawl. So a crawl holds SIGINT and SIGTERM until its engine runs (`hold()`),
then hands them to Scrapy's handler and sends a held one again (`release(process)`): the
crawl stops as any interrupted crawl does (its row says `interrupted`, exit status 130). A
second signal while starting ends the process at once, as Scrapy's second signal does.
"""
from __future__ import annotations

import os
import signal
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_held: list[int] = []
_stops: list[int] = []  # the signals Scrapy's handler was given, this crawl


def hold() -> None:
    for signum in _SIGNALS:
        signal.signal(signum, _keep)


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
    if _held:  # asked twice: stop now, by the signal itself
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    _held.append(signum)


def release(process) -> None:
    """Give the signals to Scrapy's handler (a CrawlerProcess started with
    install_signal_handlers=False) and send a held one again; call it once the engine runs."""
    from scrapy.utils.ossignal import install_shutdown_handlers

    def shutdown(signum, frame):  # what CrawlerProcess.start would install, noted
        _stops.append(signum)
        process._signal_shutdown(signum, frame)

    install_shutdown_handlers(shutdown)
    if _held:
        os.kill(os.getpid(), _held.pop())


def asked_to_stop() -> bool:
    """Whether the crawl was asked to stop by a signal (a second one forces Scrapy to end the
    process's crawl before its row is written: it is still an interrupted crawl)."""
    return bool(_stops)
