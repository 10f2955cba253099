"""Stops (SIGINT, SIGTERM) while a command starts, and once its outcome is final.

Before Scrapy's reactor runs (imports, settings: about half a second), Python's defaults end
the process with no `crawls` row and no summary; between the reactor's start and the
engine's, Scrapy's own handler stops the reactor without closing the spider (its "band-aid"
for scrapy#6916), which ends the same way. A cron job's `timeout` or a quick Ctrl-C left no
trace of the crawl. So a crawl holds SIGINT and SIGTERM until its engine runs (`hold()`),
then hands them to Scrapy's handler and sends a held one again (`release(process)`): the
crawl stops as any interrupted crawl does (its row says `interrupted`, exit status 130). A
reparse holds them the same way until it can write its row (`take_held()`). A second signal
while starting ends the process at once, as Scrapy's second signal does: exit status 130,
whichever the signal (SIGTERM's own death would be 143, a status no command documents).

Once a command's outcome is final (its row committed, its summary printed), a stop can change
nothing: `ignore()` keeps one from killing the process while Python shuts down (a second or
so with a large heap), when the exit status would contradict the row.
"""
from __future__ import annotations

import os
import signal
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_held: list[int] = []
_stops: list[int] = []  # the signals Scrapy's handler was given, this crawl
INTERRUPTED = 130  # the exit status of a stopped command (README's table)


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
    if _held:  # asked twice: stop now, with nothing written (os.write: print may be mid-line)
        os.write(2, b"interrupted: asked twice to stop while starting; no crawls row written\n")
        os._exit(INTERRUPTED)
    _held.append(signum)


def release_when_running(process, crawler) -> None:
    """Release the held signals (`release`) once `crawler`'s engine runs; connect it before
    `process.crawl(crawler)`, and start the process `with held()`, without Scrapy's handlers."""
    from scrapy import signals

    def engine_started():
        from twisted.internet import reactor

        reactor.callLater(0, release, process)

    crawler.signals.connect(engine_started, signal=signals.engine_started, weak=False)


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


def take_held() -> bool:
    """Whether a stop was held (then forgotten: the caller honours it now)."""
    held_one = bool(_held)
    _held.clear()
    return held_one


def asked_to_stop() -> bool:
    """Whether the crawl was asked to stop by a signal (a second one forces Scrapy to end the
    process's crawl before its row is written: it is still an interrupted crawl)."""
    return bool(_stops)


def ignore() -> None:
    """The outcome is final: stops are ignored until the process exits. Python puts the default
    handlers back as it shuts down, but leaves an ignored signal ignored."""
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
