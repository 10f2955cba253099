"""Shared fixtures: the reference site in a thread of the test process, and the samples folder."""
from __future__ import annotations

import signal
from pathlib import Path

import pytest

from reference_site.samples import samples_dir
from reference_site.server import start_in_thread

SAMPLES = Path(str(samples_dir()))

# A test suite started with SIGINT or SIGHUP ignored (`pytest &` in a script, nohup) would pass
# that on to every command it starts, which keeps an ignored signal ignored: the tests that stop
# a command with one would see it go on. They are the defaults here, whatever started the suite.
_TAKEN_OVER = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)  # by every command
for _signum in _TAKEN_OVER:
    if signal.getsignal(_signum) == signal.SIG_IGN:
        signal.signal(_signum, signal.default_int_handler if _signum == signal.SIGINT else signal.SIG_DFL)


@pytest.fixture(autouse=True)
def _signal_handlers_kept():
    """Each test leaves the signal handlers as it found them. A command run in this process
    (`cli.main`) ignores the stops and SIGUSR1/2 once its outcome is final, and every command
    a later test starts from this process would inherit them ignored (a crawl keeps what it
    was started with ignored, as under nohup): a SIGUSR1 test failed so, by the order of tests."""
    before = {signum: signal.getsignal(signum) for signum in _TAKEN_OVER}
    yield
    for signum, handler in before.items():
        if signal.getsignal(signum) != handler:
            signal.signal(signum, handler)


@pytest.fixture(scope="session")
def samples() -> Path:
    """The contract's sample pages, as shipped in the package."""
    return SAMPLES


@pytest.fixture
def reference_site():
    """Factory: `reference_site(questions=50, seed=1, day=0, faults='', truth=None, crawl_delay=None)`
    returns a RunningSite (`.url`, `.site`, `.hits`, `.statuses`, `.stop()`); all are stopped at teardown."""
    running = []

    def start(questions: int = 50, **kwargs):
        site = start_in_thread(questions=questions, **kwargs)
        running.append(site)
        return site

    yield start
    for site in running:
        site.stop()
