"""Extraction workers: the same records as in-process extraction, and no page lost to a dead worker."""
from __future__ import annotations

import asyncio
import signal
import subprocess

import psutil
import pytest

from crawler.extraction import extract_page
from crawler.pages import PageError
from crawler.workers import ExtractionWorkers
from tests.crawling import crawl, crawl_command, crawl_log, crawl_rows, question_hits, wait_for
from tests.truthcheck import differences, read_truth

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = f"https://www.realself.com/question/{GOLDEN}"


def run(coroutine_function):
    """Run `coroutine_function(workers)` with one worker, stopped afterwards."""
    async def main():
        workers = ExtractionWorkers(1)
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
