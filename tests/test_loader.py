"""The loader and the DuckDB views: committed crawls only, latest row per key."""
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from pipelines.crawls import write_crawl_row
from pipelines.loader import load, load_table
from pipelines.output.parquet import DatasetWriter, publish
from pipelines.query import QueryError, run
from pipelines.schemas import QUESTIONS, SCHEMAS

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def write_crawl(root, crawl_id, started, titles, commit=True):
    writer = DatasetWriter(folder=root / "questions" / f"crawl_date={started:%Y-%m-%d}", schema=QUESTIONS, stem=crawl_id)
    for qid, title in titles.items():
        writer.add({"question_id": qid, "url": f"https://x/question/{qid}", "site": "x", "title": title,
                    "body": "b", "topic": "Botox", "asked_on": date(2012, 1, 1), "asker_location": None,
                    "answer_count": 0, "layout": "legacy", "fetched_at": started + timedelta(seconds=1),
                    "content_sha256": "0", "crawl_id": crawl_id})
    publish([writer.seal()])
    if commit:
        row = {name: None for name in SCHEMAS["crawls"].names}
        row.update(crawl_id=crawl_id, spider="questions", started_at=started, finished_at=started,
                   status="finished", start_urls=["http://x/"])
        write_crawl_row(root, f"{started:%Y-%m-%d}", row)


def test_latest_keeps_the_newest_crawl_and_ignores_uncommitted_ones(tmp_path):
    write_crawl(tmp_path, "a", T0, {"1": "old", "2": "only in a"})
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), {"1": "new"})
    write_crawl(tmp_path, "c", T0 + timedelta(days=2), {"1": "uncommitted"}, commit=False)
    latest = load("questions", root=tmp_path).set_index("question_id")["title"].to_dict()
    assert latest == {"1": "new", "2": "only in a"}
    assert len(load("questions", root=tmp_path, latest=False)) == 3
    assert load_table("questions", root=tmp_path).schema.field("asked_on").type == pa.date32()


def test_duckdb_views_agree_with_the_loader(tmp_path):
    write_crawl(tmp_path, "a", T0, {"1": "old", "2": "only in a"})
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), {"1": "new"})
    rows = run("SELECT question_id, title FROM questions ORDER BY 1", root=tmp_path).values.tolist()
    assert rows == [["1", "new"], ["2", "only in a"]]
    assert run("SELECT count(*) AS n FROM questions_all", root=tmp_path)["n"][0] == 3
    assert run("SELECT count(*) AS n FROM answers", root=tmp_path)["n"][0] == 0


def test_an_empty_root_loads_empty_frames_with_columns(tmp_path):
    frame = load("doctors", root=tmp_path)
    assert frame.empty and "credentials" in frame.columns


def test_a_folder_that_is_no_data_folder_is_said_never_read_as_empty(tmp_path, monkeypatch):
    """A typo, an unexpanded `~`, or a folder inside a data folder (`data/latest`, `data/questions`)
    holds no dataset: the loader and the query say so, rather than count nothing."""
    root = tmp_path / "data"
    write_crawl(root, "a", T0, {"1": "one"})
    monkeypatch.chdir(tmp_path)
    for missing in ("~/data", tmp_path / "typo"):
        with pytest.raises(FileNotFoundError):
            load("questions", root=missing)
    for inside in ("data/questions", root / "crawls", "data/questions/../crawls"):
        for read in (lambda: load("questions", root=inside), lambda: run("SELECT 1", root=inside)):
            with pytest.raises((ValueError, QueryError), match="inside the data folder"):
                read()
    assert load("questions", root="data")["title"].tolist() == ["one"]


# ---- what the committed crawls wrote that is gone: said, never a silent 0 -----------------

def crawl_with_rows(root, crawl_id="20261124T010000Z-aaaa0001", started=T0):
    from pipelines.output.latest import update_latest
    from tests.latestdata import commit_crawl, write_crawl as write_rows

    write_rows(root, crawl_id, started, {"questions": ["q1", "q2"], "answers": ["q1.a", "q1.b", "q2.a"],
                                         "doctors": ["dr-1"]}, commit=False)
    commit_crawl(root, crawl_id, started)
    update_latest(root)


@pytest.mark.parametrize("dataset", ["questions", "answers", "doctors"])
@pytest.mark.parametrize("how", ["folder moved away", "its files removed"])
def test_a_dataset_gone_from_the_folder_is_named_once(tmp_path, caplog, dataset, how):
    import shutil

    root = tmp_path / "data"
    crawl_with_rows(root)
    if how == "folder moved away":
        shutil.move(root / dataset, tmp_path / f"{dataset}.moved")
    else:
        for path in (root / dataset).rglob("*.parquet"):
            path.unlink()
    with caplog.at_level("WARNING", logger="pipelines.loader"):
        assert len(load(dataset, root=root)) == 0
    said = [r.getMessage() for r in caplog.records if str(root / dataset) in r.getMessage()]
    assert len(said) == 1, caplog.text
    load(dataset, root=root)
    assert len([r for r in caplog.records if str(root / dataset) in r.getMessage()]) == 1  # once per process


def test_query_says_a_missing_dataset_folder_on_stderr(tmp_path):
    import shutil
    import subprocess
    import sys

    root = tmp_path / "data"
    crawl_with_rows(root)
    shutil.move(root / "answers", tmp_path / "answers.moved")
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "query", "SELECT count(*) AS n FROM answers",
                             "--data", str(root)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "0"]
    assert f"{root / 'answers'}: missing (no such folder)" in result.stderr
    assert result.stderr.count(str(root / "answers")) == 1, result.stderr


def test_a_folder_with_nothing_gone_says_nothing(tmp_path, caplog):
    root = tmp_path / "data"
    crawl_with_rows(root)
    with caplog.at_level("WARNING", logger="pipelines.loader"):
        assert len(load("answers", root=root)) == 3
        run("SELECT count(*) FROM answers", root=root)
    assert not caplog.records, caplog.text
