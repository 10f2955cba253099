"""The answers of a question are a set fetched together: the latest answers of a question are
those of its newest fetch, so an answer the site removed leaves the latest view, `load()` and
`query`, whatever reads them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines.crawls import write_crawl_row
from pipelines.loader import load_table
from pipelines.output.latest import current_buckets, update_latest
from pipelines.output.parquet import DatasetWriter, publish
from pipelines.query import run
from pipelines.schemas import SCHEMAS
from tests.latestdata import READERS, T0, read_with

SITE = "127.0.0.1:30123"
# Day 0: q1 shows 10 answers, q2 3, q3 2 and q4..q39 one each. Day 1 (the site changed): a
# moderator removed q1.a3, every answer of q2 went, q3's are unchanged, q40 is new.
DAY0 = {"q1": [f"q1.a{i}" for i in range(10)], "q2": ["q2.a0", "q2.a1", "q2.a2"], "q3": ["q3.a0", "q3.a1"],
        **{f"q{i}": [f"q{i}.a0"] for i in range(4, 40)}}
DAY1 = {**DAY0, "q1": [a for a in DAY0["q1"] if a != "q1.a3"], "q2": [], "q40": ["q40.a0"]}


def write_pages(root, crawl_id, started, pages: dict[str, list[str]], fetched=None, commit=True):
    """A crawl that fetched each question page once: its question row and its answer rows share
    the page's `fetched_at` and crawl (as a crawl writes them), written by the project's writer."""
    writers = {d: DatasetWriter(folder=root / d / f"crawl_date={started:%Y-%m-%d}", schema=SCHEMAS[d], stem=crawl_id)
               for d in ("questions", "answers")}
    for i, (question_id, answers) in enumerate(pages.items()):
        at = (fetched or started) + timedelta(seconds=1 + i)
        writers["questions"].add({"question_id": question_id, "url": f"http://{SITE}/question/{question_id}",
                                  "site": SITE, "title": f"{question_id}@{crawl_id}", "asked_on": date(2020, 1, 1),
                                  "answer_count": len(answers), "layout": "legacy", "fetched_at": at,
                                  "content_sha256": "0", "crawl_id": crawl_id})
        for position, answer_id in enumerate(answers):
            writers["answers"].add({"answer_id": answer_id, "question_id": question_id, "position": position + 1,
                                    "body": f"{answer_id}@{crawl_id}", "fetched_at": at, "crawl_id": crawl_id,
                                    "site": SITE})
    publish([sealed for writer in writers.values() if (sealed := writer.seal())])  # none: a writer with no row
    if commit:
        row = {name: None for name in SCHEMAS["crawls"].names}
        row.update(crawl_id=crawl_id, spider="questions", started_at=started, finished_at=started + timedelta(hours=1),
                   status="finished", start_urls=[f"http://{SITE}/"])
        write_crawl_row(root, f"{started:%Y-%m-%d}", row)


def answer_sets(rows) -> dict[str, set[str]]:
    """question_id -> its answer ids, every row counted (a row twice would be said)."""
    sets: dict[str, set[str]] = {}
    for row in rows:
        held = sets.setdefault(row["question_id"], set())
        assert row["answer_id"] not in held, f"{row['answer_id']} twice"
        held.add(row["answer_id"])
    return sets


def expected(pages) -> dict[str, set[str]]:
    return {question: set(answers) for question, answers in pages.items() if answers}


def every_reader_of(root):
    """What each reader of the folder gets: the view's files by plain readers, `load()`, `query`."""
    got = {reader: answer_sets(read_with(reader, root / "latest" / "answers")) for reader in READERS}
    got["load"] = answer_sets(load_table("answers", root).to_pylist())
    got["query"] = answer_sets(run("SELECT answer_id, question_id FROM answers", root).to_dict("records"))
    return got


@pytest.mark.parametrize("buckets", [1, 8])
def test_answers_the_site_removed_leave_the_latest_view_and_every_reader(tmp_path, buckets):
    write_pages(tmp_path, "day0", T0, DAY0)
    update_latest(tmp_path, buckets=buckets)
    assert all(got == expected(DAY0) for got in every_reader_of(tmp_path).values())
    write_pages(tmp_path, "day1", T0 + timedelta(days=1), DAY1)
    # Before the view's update, load() and query compute the same rule from the snapshots.
    assert current_buckets(tmp_path) is None
    computed = every_reader_of(tmp_path)
    assert computed["load"] == expected(DAY1) and computed["query"] == expected(DAY1)
    update = update_latest(tmp_path, buckets=buckets)
    assert not update.rebuilt
    for name, got in every_reader_of(tmp_path).items():
        assert got == expected(DAY1), name
    # An analyst's count of answers per question agrees with the questions' answer_count.
    counts = run("SELECT q.question_id, q.answer_count, count(a.answer_id) AS shown FROM questions q "
                 "LEFT JOIN answers a USING (site, question_id) GROUP BY ALL", tmp_path)
    assert (counts["answer_count"] == counts["shown"]).all()
    # An answer unchanged across days keeps one row: its newest.
    answers = load_table("answers", tmp_path).to_pylist()
    assert {r["crawl_id"] for r in answers} == {"day1"} and len(answers) == sum(map(len, DAY1.values()))


def test_a_question_fetched_again_without_answers_rewrites_only_its_answers_bucket(tmp_path):
    write_pages(tmp_path, "day0", T0, DAY0)
    update_latest(tmp_path, buckets=8)
    before = {p.name: p.stat().st_ino for p in (tmp_path / "latest" / "answers").glob("*.parquet")}
    write_pages(tmp_path, "day1", T0 + timedelta(days=1), {"q2": []})  # every answer of q2 went
    update = update_latest(tmp_path)
    assert update.per_dataset["answers"]["buckets_rewritten"] == 1 and not update.rebuilt
    after = {p.name: p.stat().st_ino for p in (tmp_path / "latest" / "answers").glob("*.parquet")}
    assert len(set(after) - set(before)) == 1
    assert all(before[name] == inode for name, inode in after.items() if name in before)  # the others linked
    pages = {**DAY0, "q2": []}
    for name, got in every_reader_of(tmp_path).items():
        assert got == expected(pages), name


def test_an_older_fetch_parsed_later_does_not_bring_removed_answers_back(tmp_path):
    """A reparse of day 0's archive, run after day 1: its crawl started last, its fetches are
    day 0's, so q1's newest fetch is still day 1's and q1.a3 stays gone."""
    write_pages(tmp_path, "day0", T0, DAY0)
    write_pages(tmp_path, "day1", T0 + timedelta(days=1), DAY1)
    update_latest(tmp_path, buckets=4)
    write_pages(tmp_path, "reparse", T0 + timedelta(days=2), DAY0, fetched=T0)
    update_latest(tmp_path)
    for name, got in every_reader_of(tmp_path).items():
        assert got == expected(DAY1), name


def test_the_same_fetch_parsed_again_keeps_the_later_parse_of_each_answer_once(tmp_path):
    write_pages(tmp_path, "day0", T0, DAY0)
    write_pages(tmp_path, "day1", T0 + timedelta(days=1), DAY1)
    write_pages(tmp_path, "reparse", T0 + timedelta(days=2), DAY1, fetched=T0 + timedelta(days=1))
    update_latest(tmp_path, buckets=4)
    for name, got in every_reader_of(tmp_path).items():
        assert got == expected(DAY1), name
    assert {r["crawl_id"] for r in load_table("answers", tmp_path).to_pylist()} == {"reparse"}


# An answer moved from q1 to q2 (a later crawl fetched q2, not q1: a question URL as start URL,
# or --max-pages). q1 and q2 fall in different buckets of 8.
BEFORE_MOVE = {"q1": ["A", "q1.b"], "q2": ["q2.b"]}
MOVED = {"q1": ["q1.b"], "q2": ["q2.b", "A"]}
MOVES = {
    "moved": ([{"q2": MOVED["q2"]}], MOVED),
    # In one update: A moved to q2, then was removed from q2: its newest row is of a fetch of q2
    # that no longer shows it, so it is gone (its row under q1 is older).
    "moved then removed": ([{"q2": MOVED["q2"]}, {"q2": ["q2.b"]}], {"q1": ["q1.b"], "q2": ["q2.b"]}),
    # A reparse of day 0's archive after the move: day 1's row under q2 is still A's newest.
    "moved, old archive parsed again": ([{"q2": MOVED["q2"]}, BEFORE_MOVE], MOVED),
}


@pytest.mark.parametrize("case", MOVES)
@pytest.mark.parametrize("buckets", [1, 8])
def test_an_answer_that_moved_to_another_question_is_read_once(tmp_path, buckets, case):
    later, pages = MOVES[case]
    write_pages(tmp_path, "day0", T0, BEFORE_MOVE)
    update_latest(tmp_path, buckets=buckets)
    for day, crawl in enumerate(later, start=1):
        reparse = case.endswith("again") and crawl is BEFORE_MOVE
        write_pages(tmp_path, f"day{day}", T0 + timedelta(days=day), crawl, fetched=T0 if reparse else None)
    assert current_buckets(tmp_path) is None  # load() and query compute the rule from the snapshots
    computed = every_reader_of(tmp_path)
    assert computed["load"] == expected(pages) and computed["query"] == expected(pages)
    update = update_latest(tmp_path)
    assert not update.rebuilt
    for name, got in every_reader_of(tmp_path).items():
        assert got == expected(pages), name
    ids = [row["answer_id"] for row in load_table("answers", tmp_path).to_pylist()]
    assert len(ids) == len(set(ids))  # one row per (site, answer_id)
    if buckets > 1:  # the update rewrote only what it had to: q1's bucket (A's row gone) and q2's
        assert update.per_dataset["answers"]["buckets_rewritten"] == 2


def test_an_answer_that_moved_is_read_once_when_the_update_splits_the_buckets(tmp_path):
    """A view past its bucket size (BUCKET_ROWS) is split by the update that moves the answer."""
    write_pages(tmp_path, "day0", T0, BEFORE_MOVE)
    update_latest(tmp_path)
    write_pages(tmp_path, "day1", T0 + timedelta(days=1), {"q2": MOVED["q2"]})
    update = update_latest(tmp_path, bucket_rows=1)
    assert update.per_dataset["answers"]["buckets_rewritten"] > 1
    for name, got in every_reader_of(tmp_path).items():
        assert got == expected(MOVED), name
