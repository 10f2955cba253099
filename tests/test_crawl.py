"""The crawl end to end: a reference site in, datasets equal to its --truth out."""
from __future__ import annotations

import json
import signal
import subprocess

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest

from pipelines.loader import load
from pipelines.schemas import SCHEMAS
from tests.crawling import crawl, crawl_command, crawl_rows, partial_files, question_hits, wait_for
from tests.truthcheck import differences, read_truth, truth_by_dataset

GOLDEN = "botox-injections-days-knot-redness-injection-sites"


def crawl_site(reference_site, tmp_path, questions, **site_args):
    truth = tmp_path / "truth.jsonl"
    site = reference_site(questions=questions, truth=str(truth), **site_args)
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    return site, out, read_truth(truth)


def test_a_small_site_lands_exactly_its_truth(reference_site, tmp_path, samples):
    site, out, truth = crawl_site(reference_site, tmp_path, 60)
    assert differences(truth, out) == []
    # The contract's sample question is among them with its exact records.
    golden = truth_by_dataset(json.loads(line) for line in (samples / f"{GOLDEN}.expected.jsonl").read_text().splitlines())
    for dataset, records in golden.items():
        for key, record in records.items():
            assert record.items() <= truth[dataset][key].items(), (dataset, key)
    (row,) = crawl_rows(out)
    assert row["status"] == "finished" and row["questions"] == len(truth["questions"])
    assert row["pages_failed"] == 0  # nothing off-site was tried, nothing broke
    assert partial_files(out) == []


@pytest.mark.slow
def test_two_thousand_questions_read_back_by_pyarrow_pandas_and_duckdb(reference_site, tmp_path):
    site, out, truth = crawl_site(reference_site, tmp_path, 2000)
    assert differences(truth, out) == []
    assert {r["layout"] for r in truth["questions"].values()} == {"legacy", "provider-card", "nextjs"}
    for name, schema in SCHEMAS.items():
        table = ds.dataset(out / name, format="parquet", partitioning="hive").to_table()
        for field in schema:
            assert table.schema.field(field.name).type == field.type, (name, field.name)
        assert len(pd.read_parquet(out / name)) == table.num_rows
    con = duckdb.connect()
    types = dict(con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{out}/doctors/*/*.parquet', union_by_name=true)").fetchall()[i][:2]
        for i in range(len(SCHEMAS["doctors"])))
    assert types["credentials"] == "VARCHAR[]" and types["rating"] == "FLOAT" and types["review_count"] == "INTEGER"
    files = list((out / "answers").rglob("*.parquet"))
    assert len(files) == 1  # one batch, one file per dataset: not a file per page


@pytest.mark.slow
def test_faults_lose_no_question_and_record_no_bad_response(reference_site, tmp_path):
    site, out, truth = crawl_site(reference_site, tmp_path, 400, faults="error=0.05,throttle=0.02,block=0.01")
    assert differences(truth, out) == []
    (row,) = crawl_rows(out)
    assert row["status"] == "finished"
    assert row["pages_blocked"] > 0 and row["responses_5xx"] > 0 and row["responses_429"] > 0
    assert site.statuses[403] + site.statuses[404] >= row["pages_blocked"] > 0


def test_sigint_leaves_whole_files_and_an_interrupted_row(reference_site, tmp_path):
    site = reference_site(questions=1500, faults="latency=30ms")
    out = tmp_path / "data"
    process = subprocess.Popen(crawl_command(site.url, "--out", out), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: question_hits(site) >= 100, what="the crawl to fetch 100 questions")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, stderr.decode()[-2000:]
    (row,) = crawl_rows(out)
    assert row["status"] == "interrupted" and row["message"].startswith("stopped by a signal"), row
    assert partial_files(out) == []
    questions = load("questions", root=out)
    assert 0 < len(questions) < 1500 and row["questions"] == len(questions)


class TestDiscovery:
    def test_sitemap_alone_finds_every_question(self, reference_site, tmp_path):
        site = reference_site(questions=120)
        out = tmp_path / "data"
        assert crawl(site.url + "sitemap.xml", "--out", out).returncode == 0
        assert len(load("questions", root=out)) == len(site.site.question_slugs())
        assert not any(url.startswith("/questions/") for url in site.hits)  # no listing was needed

    def test_a_listing_is_followed_through_rel_next(self, reference_site, tmp_path):
        site = reference_site(questions=300)
        out = tmp_path / "data"
        assert crawl(site.url + "questions/botox", "--out", out).returncode == 0
        pages = [url for url in site.hits if url.startswith("/questions/botox")]
        assert len(pages) > 1  # more than the first page
        assert len(load("questions", root=out)) > 20

    def test_related_links_are_followed_from_a_question(self, reference_site, tmp_path):
        site = reference_site(questions=60)
        out = tmp_path / "data"
        assert crawl(site.url + f"question/{GOLDEN}", "--out", out).returncode == 0
        ids = set(load("questions", root=out)["url"])
        assert {"https://www.realself.com/question/massaged-botoxshorter-longevity",
                "https://www.realself.com/question/redness-site-injection-botox"} <= ids
        assert not any(url.endswith(".xml") for url in site.hits)  # one question in, not the whole site

    def test_robots_txt_disallow_is_obeyed(self, reference_site, tmp_path):
        site = reference_site(questions=20)
        out = tmp_path / "data"
        crawl(site.url + "drsearch?q=botox", "--out", out)
        assert site.hits["/robots.txt"] == 1
        assert not any(url.startswith("/drsearch") for url in site.hits)

    def test_crawl_delay_is_obeyed(self, reference_site, tmp_path):
        site = reference_site(questions=20, crawl_delay=0.4)
        out = tmp_path / "data"
        result = crawl(site.url + f"question/{GOLDEN}", "--out", out, "--max-pages", "4")
        assert result.returncode == 0
        row = crawl_rows(out)[0]
        # Four responses after robots.txt, one slot: at least three delays between them.
        assert (row["finished_at"] - row["started_at"]).total_seconds() >= 3 * 0.4


@pytest.mark.parametrize("start", ["", "sitemap.xml", f"question/{GOLDEN}"])
def test_a_site_that_keeps_blocking_ends_the_crawl_as_blocked(reference_site, tmp_path, start):
    site = reference_site(questions=100, faults="block=1.0")
    out = tmp_path / "data"
    result = crawl(site.url + start, "--out", out, "-s", "BLOCK_RETRY_DELAY=0.01", "-s", "BLOCK_STOP_AFTER=5")
    assert result.returncode == 3, result.stderr[-2000:]
    assert "blocked" in result.stderr.splitlines()[-1]
    (row,) = crawl_rows(out)
    assert row["status"] == "blocked" and row["questions"] == 0 and row["pages_blocked"] >= 5
    assert "block" in row["message"]
    assert len(load("questions", root=out)) == 0  # no block page became a question
    assert "px-captcha" not in "".join(site.hits)  # nothing asked for the captcha's own resources



def test_two_copies_of_a_site_whose_links_name_another_are_two_sites(reference_site, tmp_path):
    """Two reference sites (other seeds: the same ids, other questions) on two ports, their
    canonical links naming www.realself.com as the real site's do: each site's rows are filed
    under the host and port they came from, never merged under the host their links name (a
    mirror could overwrite that site's rows), and `url` stays the canonical URL (the contract)."""
    first, second = reference_site(questions=30, seed=1), reference_site(questions=20, seed=2)
    out = tmp_path / "data"
    result = crawl(first.url, second.url, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    questions = load("questions", root=out)
    sites = {s.url.split("://", 1)[1].rstrip("/"): n for s, n in ((first, 30), (second, 20))}
    assert questions.groupby("site")["question_id"].nunique().to_dict() == sites
    assert questions["url"].str.startswith("https://www.realself.com/question/").all()


def test_two_sites_on_one_host_are_two_sites(reference_site, tmp_path):
    """Two sites on two ports of one host, their pages without canonical links, hold the same
    question ids: one crawl of both lands each site's questions under its own `site` (the
    host and port), none dropped as a question met twice."""
    import re

    from tests.hostile import HostileServer

    site = reference_site(questions=20, seed=4)

    def front():  # the site's pages under this server's host and port, without canonical links
        server = HostileServer(None, site.url, in_front=True)

        def route(path):
            if not path.startswith("/question/"):
                return None
            reply = server.fetch(path)
            reply.body = re.sub(rb'<link rel="canonical"[^>]*>', b"", reply.body)
            return reply
        server.route = route
        return server

    first, second = front(), front()
    try:
        out = tmp_path / "data"
        result = crawl(first.url, second.url, "--out", out)
    finally:
        first.stop(), second.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    questions = load("questions", root=out)
    assert sorted(set(questions["site"])) == sorted(s.url.split("://", 1)[1] for s in (first, second))
    assert questions.groupby("site")["question_id"].nunique().tolist() == [20, 20]
