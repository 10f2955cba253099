"""Extraction workers: the same records as in-process extraction, and no page lost to a dead worker."""
from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import psutil
import pytest

from crawler.extensions.prompt_stop import CrawlStopping
from crawler.extraction import extract_page
from crawler.pages import PageError
from crawler.workers import ExtractionWorkers
from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, question_hits, wait_for
from tests.hostile_pages import serve_pages, slow_page, slow_site
from tests.truthcheck import differences, read_truth

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = f"https://www.realself.com/question/{GOLDEN}"


def run(coroutine_function, page_timeout=None):
    """Run `coroutine_function(workers)` with one worker, stopped afterwards."""
    async def main():
        workers = ExtractionWorkers(1, page_timeout=page_timeout)
        workers.start()
        try:
            return await coroutine_function(workers)
        finally:
            workers.stop()
    return asyncio.run(main())


def test_a_worker_gives_the_records_of_in_process_extraction(samples):
    body = (samples / f"{GOLDEN}.nextjs.html").read_bytes()
    extract = run(lambda workers: workers.extract(URL, body))
    assert extract == extract_page(URL, body)
    assert extract.records and extract.family



def test_a_family_registered_in_the_crawls_process_reads_its_pages_in_the_workers():
    """What `crawler.pages.register` taught the crawl's process, its extraction workers know too."""
    from crawler.pages import register, unregister
    from tests.test_pages_registry import NEW_MARKUP, URL as NEW_URL, NewPage

    register(NewPage)
    try:
        extract = run(lambda workers: workers.extract(NEW_URL, NEW_MARKUP.encode()))
        assert extract == extract_page(NEW_URL, NEW_MARKUP.encode())
    finally:
        unregister(NewPage.name)
    assert extract.family == NewPage.name

def test_a_bad_page_raises_its_page_error_naming_the_url():
    async def bad(workers):
        with pytest.raises(PageError) as error:
            await workers.extract("http://127.0.0.1/question/x", b"<html><body>no question</body></html>")
        return error.value
    error = run(bad)
    assert error.url == "http://127.0.0.1/question/x"


def test_a_killed_worker_is_replaced_and_the_page_tried_again(samples):
    body = (samples / f"{GOLDEN}.nextjs.html").read_bytes()

    async def kill_then_extract(workers):
        first = workers.workers[0].process
        first.kill()
        first.wait()
        extract = await workers.extract(URL, body)
        return extract, first.pid, [w.process.pid for w in workers.workers]
    extract, dead, alive = run(kill_then_extract)
    assert extract == extract_page(URL, body)
    assert dead not in alive and len(alive) == 1


def test_a_page_past_its_time_budget_is_a_page_error_and_the_pages_behind_it_are_read(samples):
    """A page a worker reads for longer than EXTRACT_PAGE_TIMEOUT: a PageError saying so (not
    tried again on a fresh worker: that would cost the budget again), its worker killed and
    replaced; the pages queued behind it on that worker are read by the fresh one."""
    body = (samples / f"{GOLDEN}.nextjs.html").read_bytes()

    async def slow_then_good(workers):
        first = workers.workers[0].process
        started = time.monotonic()
        slow, *good = await asyncio.gather(workers.extract(URL + "?slow", slow_page(body)),
                                           *(workers.extract(URL, body) for _ in range(3)), return_exceptions=True)
        return slow, good, time.monotonic() - started, first, [w.process for w in workers.workers]
    slow, good, took, first, now = run(slow_then_good, page_timeout=1)
    assert isinstance(slow, PageError), slow
    assert slow.url == URL + "?slow" and slow.reason == "took longer than 1 s to read (a pathological page?)"
    assert good == [extract_page(URL, body)] * 3
    # Ended by its budget (a second of its CPU time), never the slow page's whole parse; on a busy
    # machine that second takes longer by the clock.
    assert first.poll() == -signal.SIGPROF and first not in now and len(now) == 1


@pytest.mark.parametrize("paused", ["crawl", "crawl and worker"])
def test_time_a_paused_crawl_did_not_run_is_not_charged_to_the_page_it_read(samples, paused):
    """Ctrl-Z (the crawl's process stopped, its workers in their own process group not) or a
    machine paused (a laptop's lid, a VM stalled: both stopped), then continued past the page's
    budget: the page is read, not 'took longer than 1 s' (its worker's answer was waiting)."""
    body = (samples / f"{GOLDEN}.nextjs.html").read_bytes()

    async def paused_while_read(workers):
        await workers.extract(URL, body)  # the worker is up: the next page is read at once
        (worker,) = workers.workers
        reading = asyncio.ensure_future(workers.extract(URL, body))
        deadline = time.monotonic() + 30
        while not worker.pending:  # sent: the answer comes back within milliseconds, so look at every turn
            assert time.monotonic() < deadline, "the page never reached the worker"
            await asyncio.sleep(0)
        if paused == "crawl and worker":
            worker.process.send_signal(signal.SIGSTOP)
        time.sleep(2.5)  # the pause itself: this process's loop does not run, as a stopped process's does not
        worker.process.send_signal(signal.SIGCONT)
        return await reading
    assert run(paused_while_read, page_timeout=1) == extract_page(URL, body)


def test_a_page_within_its_budget_is_read_whatever_waited_before_it(samples):
    """The budget is the page's own time in the worker, not its wait behind the pages queued before it."""
    body = (samples / f"{GOLDEN}.nextjs.html").read_bytes()

    async def many(workers):
        return await asyncio.gather(*(workers.extract(URL, body) for _ in range(200)))
    assert run(many, page_timeout=1) == [extract_page(URL, body)] * 200


def test_abandoned_workers_end_the_pages_they_read_at_once(samples):
    """The crawl stopping (crawl_interrupted): the pages in the workers are dropped with
    CrawlStopping, the workers killed, not awaited; no page is read after that."""
    body = slow_page((samples / f"{GOLDEN}.nextjs.html").read_bytes(), 120_000)  # minutes to read

    async def abandon_while_busy(workers):
        (worker,) = workers.workers
        reading = asyncio.ensure_future(workers.extract(URL, body))
        deadline = time.monotonic() + 30
        while not worker.pending:  # until the page is sent to the worker (then read for minutes)
            assert time.monotonic() < deadline, "the page never reached the worker"
            await asyncio.sleep(0.01)
        started = time.monotonic()
        workers.abandon()
        with pytest.raises(CrawlStopping):
            await asyncio.wait_for(reading, 10)
        with pytest.raises(CrawlStopping):
            await workers.extract(URL, b"<html></html>")
        return time.monotonic() - started, worker.process
    took, process = run(abandon_while_busy)
    assert took < 5 and process.poll() is not None


def test_a_crawl_counts_a_page_past_its_time_budget_as_malformed_and_goes_on(tmp_path):
    """A pathological page (seconds to parse; minutes at twice its size) never stalls the crawl:
    past EXTRACT_PAGE_TIMEOUT it is a malformed page naming why, fetched once, read once; every
    other question is committed."""
    pages, victim = slow_site(questions=8, attributes=60_000)
    url, stop = serve_pages(pages)
    out = tmp_path / "data"
    try:
        result = crawl(*(url + path for path in pages), "--out", out, "-s", "EXTRACT_PAGE_TIMEOUT=1", timeout=120)
    finally:
        stop()
    assert result.returncode == 4, result.stderr[-3000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "degraded" and row["pages_malformed"] == 1 and row["questions"] == len(pages) - 1
    log = crawl_log(out)
    assert f"Malformed page, not recorded: {url}{victim}: took longer than 1 s to read (a pathological page?)" in log
    assert f"{url}{victim} goes to a new extraction worker" not in log  # never tried again: it would cost the budget again
    assert "'extraction/page_timeout': 1," in log and "extraction/worker_died" not in log
    assert f"{victim}: took longer than 1 s" in result.stderr  # an error: on stderr too


def test_stop_ends_the_worker_process():
    async def started(workers):
        return workers.workers[0].process
    process = run(started)
    assert process.poll() is not None


@pytest.mark.parametrize("processes", [0, 2])
def test_the_crawl_lands_its_truth_with_any_number_of_workers(reference_site, tmp_path, processes):
    site = reference_site(questions=150, truth=str(tmp_path / "truth.jsonl"))
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, "-s", f"EXTRACT_PROCESSES={processes}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert differences(read_truth(tmp_path / "truth.jsonl"), out) == []


def workers_of(process: subprocess.Popen) -> list[psutil.Process]:
    try:
        return [p for p in psutil.Process(process.pid).children() if "crawler.extraction" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


def test_a_worker_killed_mid_crawl_loses_no_question(reference_site, tmp_path):
    site = reference_site(questions=400, truth=str(tmp_path / "truth.jsonl"), faults="latency=10ms")
    out = tmp_path / "data"
    process = subprocess.Popen(crawl_command(site.url, "--out", out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: question_hits(site) >= 50 and workers_of(process), what="50 questions and a worker")
        workers_of(process)[0].kill()
        _, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "An extraction worker died" in crawl_log(out)
    assert "'extraction/worker_died': 1," in crawl_log(out)  # one death, counted once
    assert differences(read_truth(tmp_path / "truth.jsonl"), out) == []
    assert crawl_rows(out)[0]["status"] == "finished"


def test_a_killed_crawl_leaves_no_worker_behind(reference_site, tmp_path):
    site = reference_site(questions=400, faults="latency=10ms")
    process = subprocess.Popen(crawl_command(site.url, "--out", tmp_path / "data"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: question_hits(site) >= 20 and workers_of(process), what="a worker")
        (worker,) = workers_of(process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        wait_for(lambda: not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE,
                 timeout=10, what="the worker to die with the crawl")
    finally:
        process.kill()


def test_without_workers_the_same_function_runs_in_this_process(samples):
    """EXTRACT_PROCESSES=0: one path of a page all the same (crawler.extraction.extract_page)."""
    body = (samples / f"{GOLDEN}.legacy.html").read_bytes()

    async def in_process():
        workers = ExtractionWorkers(0)
        workers.start()
        try:
            return await workers.extract(URL, body), workers.workers
        finally:
            workers.stop()
    extract, started = asyncio.run(in_process())
    assert extract == extract_page(URL, body) and started == []
