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
stopped at once, before the crawl's row was written, its pages read lost. Here it changes
nothing: the first stop already ends the crawl within seconds (crawler.extensions.prompt_stop),
and what was read is committed. A crawl that must end at once is killed (SIGKILL): no row, and
with its state the same command resumes it.

A signal the process was started with ignored stays ignored, as POSIX shells and daemons leave
it: nohup's SIGHUP (an unattended crawl survives the logout), the SIGINT of a non-interactive
shell's `cmd &` or of `trap '' INT`. Nothing here takes such a signal over (`take`).

Once a command's outcome is final (its row committed, its summary printed), a stop can change
nothing: `ignore()` keeps one from killing the process while Python shuts down (a second or
so with a large heap), when the exit status would contradict the row.
"""
from __future__ import annotations

import itertools
import os
import signal
import sys
from contextlib import contextmanager


def _logger():
    import logging  # here, not among the imports before the CLI's main() can hold the stops

    return logging.getLogger(__name__)


STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
IGNORED = (signal.SIGUSR1, signal.SIGUSR2)
_SIGNALS = STOPS + IGNORED  # what a crawl takes over while it runs
# Read once, as this module is imported: the first of ours `doctor-answers` and `scrapy crawl`
# import, before any handler of ours or Scrapy's is set (later, ours would hide the caller's).
IGNORED_ON_ENTRY = frozenset(signum for signum in _SIGNALS if signal.getsignal(signum) == signal.SIG_IGN)
_held: list[int] = []
_stops: list[int] = []  # the signals Scrapy's handler was given, this crawl
INTERRUPTED = 130  # the exit status of a stopped command (README's table)


def take(signum: int, handler) -> None:
    """`signum`'s handler from now on, unless the process was started with it ignored (nohup)."""
    if signum not in IGNORED_ON_ENTRY:
        signal.signal(signum, handler)


def interrupt_on_stops() -> None:
    """Every stop is a KeyboardInterrupt, as Ctrl-C is, and SIGUSR1/2 their default again: for a
    command that takes none over (`hold()` took them while its arguments were read)."""
    for signum in STOPS:
        take(signum, signal.default_int_handler)
    for signum in IGNORED:
        take(signum, signal.SIG_DFL)


def hold() -> None:
    for signum in STOPS:
        take(signum, _keep)
    for signum in IGNORED:
        take(signum, _ignored)


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
        reactor.callFromThread(_logger().warning, "Received %s: ignored (a crawl stops on SIGINT, SIGTERM or SIGHUP)",
                               signal.Signals(signum).name)


def release_when_running(process, crawler) -> None:
    """Release the held signals (`release`) once `crawler`'s engine runs; connect it before
    `process.crawl(crawler)`, and start the process `with held()`, without Scrapy's handlers."""
    from scrapy import signals

    def engine_started():
        from twisted.internet import reactor

        reactor.callLater(0, release, process)

    crawler.signals.connect(engine_started, signal=signals.engine_started, weak=False)


def release(process) -> None:
    """Take the stops over from here (a CrawlerProcess started with install_signal_handlers=False)
    and send a held one again; call it once the engine runs. The first stop is Scrapy's graceful
    one; later ones change nothing (not Scrapy's unclean shutdown, which lost what was read)."""
    from twisted.internet import reactor

    counted = itertools.count(1)  # next() is one C call: of two stops ms apart, one handler runs inside the other

    def asked(signum, frame):
        _stops.append(signum)
        if next(counted) == 1:
            reactor.callFromThread(_stop_gracefully, process, signum)
        else:
            reactor.callFromThread(_logger().info, "Received %s: already stopping, within seconds; what was read "
                                   "is committed first", signal.Signals(signum).name)

    for signum in STOPS:
        take(signum, asked)
    if _held:
        os.kill(os.getpid(), _held.pop())


def _stop_gracefully(process, signum: int) -> None:
    """What Scrapy's handler does on a first stop."""
    process._log_shutdown(signum)
    process._graceful_stop_reactor()


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
