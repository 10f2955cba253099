"""Read + normalise of one question page, and the worker process that does it for a crawl.

`extract_page(url, body)` is the one path of a page: the page objects (`parse_question_page`:
a raw item of plain values), then the normalisers (`page_records`: contract records). The
crawl's workers, a crawl without workers (EXTRACT_PROCESSES=0) and `doctor-answers extract`
all run it; it keeps what a crawl needs: the family, the related links and the records.

`python -m crawler.extraction FD BUDGET FAMILY...` is an extraction worker (started by
crawler.workers): it reads requests from the socket FD and writes answers back, in frames of a
4-byte big-endian length then a pickle, each page within BUDGET seconds of its CPU time (`serve`).
Its first frame, `None`, says it is ready (its imports done). A request is `(id, url, body, content_type)`; an answer is `(id, extract, None)` or
`(id, None, error)`, where error is the page's PageError or a RuntimeError describing a bug.
"""
from __future__ import annotations

import os
import pickle
import signal
import socket
import struct
import sys
from dataclasses import dataclass, field

HEADER = struct.Struct(">I")


@dataclass(slots=True)
class PageExtract:
    """What a crawl keeps of one question page: no lxml objects, only plain values; `counts`
    are its stats (page_records': dates not read from the text shown)."""
    family: str
    related_urls: list[str]
    records: list[dict]
    counts: dict[str, int] = field(default_factory=dict)


def extract_page(url: str, body: bytes, content_type: str | bytes | None = None) -> PageExtract:
    """Read and normalise one question page: the crawl's workers, a crawl without them and
    `doctor-answers extract` all run this. `content_type`: the response's Content-Type header
    (its charset is read for bytes that are not UTF-8). Raises crawler.pages.PageError subclasses."""
    from crawler.pages import PageError, parse_question_page
    from pipelines.normalise.records import page_records

    try:
        page = parse_question_page(url, body, content_type)
        counts: dict[str, int] = {}
        records = page_records(page, counts)
    except PageError:
        raise
    except Exception as error:  # a value the code cannot read is a bad page, counted, never a dead crawl
        raise PageError(url, f"unreadable by the extraction code ({type(error).__name__}: {error})") from error
    if no_question(records):
        raise PageError(url, "no question on the page: no topic, no date and no answer "
                             "(a removed or error page in the question's template?)")
    return PageExtract(page.family, page.related_urls, records, counts)


# What every question shows besides its title and text; `answers` are the page's answer records.
QUESTION_SHOWS = ("topic", "asked_on")


def no_question(records: list[dict]) -> bool:
    """Whether a page's records hold no question: none of its topic, date and answers,
    whatever the family. Such a page is the question template saying "This question has been
    removed" or an error, with the question's id and a line of text where the question's
    would be: recorded, it would replace the real row. A question that shows any one of them
    (no answers yet, a date class renamed) is one. The families give a topic only where the
    page shows one (not the <head> meta alone, which a removed page keeps)."""
    question, *rest = records
    return not rest and not any(question.get(field) for field in QUESTION_SHOWS)


def frame(message) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def _answer(request_id: int, url: str, body: bytes, content_type) -> bytes:
    from crawler.pages import PageError

    try:
        return frame((request_id, extract_page(url, body, content_type), None))
    except PageError as error:
        return frame((request_id, None, error))
    except Exception as error:  # a bug: the crawl logs it against the page's URL, and goes on
        return frame((request_id, None, RuntimeError(f"{type(error).__name__}: {error}")))


def serve(sock: socket.socket, page_budget: float) -> None:
    """Answer requests until the crawl closes its end of the socket. Each page may take
    `page_budget` seconds of this process's CPU time (0: no bound): past it the kernel's SIGPROF,
    whose default action this process keeps, ends it mid-parse (libxml2 looks at no signal), and
    the crawl reads that death as the page's (crawler.workers). CPU time, not the clock's: time
    this process did not run (the crawl or the machine paused, a core busy elsewhere) is no
    page's fault."""
    stream = sock.makefile("rwb")
    while True:
        header = stream.read(HEADER.size)
        if len(header) < HEADER.size:
            return  # the crawl is done (or gone)
        request = pickle.loads(stream.read(HEADER.unpack(header)[0]))
        signal.setitimer(signal.ITIMER_PROF, page_budget)
        answer = _answer(*request)
        signal.setitimer(signal.ITIMER_PROF, 0)
        stream.write(answer)
        stream.flush()


def die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan after a kill -9
    except (OSError, AttributeError):  # not Linux: the worker still ends when its socket closes
        pass


def batch_scheduling() -> None:
    # A woken worker must not preempt the crawl's reactor on its CPU: SCHED_BATCH is Linux's
    # "throughput, not latency" class, which skips wake-up preemption.
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        pass


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the whole process group; how a crawl stops is its own process's decision.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    batch_scheduling()
    sock = socket.socket(fileno=int(argv[0]))
    import pipelines.normalise.records  # noqa: F401  (imported now, while the crawl reads robots.txt)
    from crawler.pages.registry import register_all

    register_all(argv[2:])  # the crawl's families, those registered from its own code too

    try:
        sock.sendall(frame(None))  # ready
        serve(sock, float(argv[1]))
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    # Run this module's main, not __main__'s copy: the crawl unpickles crawler.extraction.PageExtract.
    from crawler.extraction import main as worker_main

    status = worker_main(sys.argv[1:])
    # Nothing is left to write, and the crawl waits for this exit: skip the interpreter's
    # teardown of lxml, nameparser and the caches (30-50 ms at the end of every crawl).
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: closed by the crawl's caller (a cron line's `>&-`)
            stream.flush()
    os._exit(status)
