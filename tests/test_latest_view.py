"""The latest view (pipelines.output.latest): the loader's rule, any reader, at every moment."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.loader import load, load_table
from pipelines.output import latest as latest_module
from pipelines.output.latest import BUCKET_KEYS, current_buckets, generation, read_manifest, update_latest
from pipelines.query import run
from pipelines.schemas import KEYS, SCHEMAS
from tests.latestdata import READERS, T0, commit_crawl, read_with, write_crawl

TEXT = {"questions": "title", "answers": "body", "doctors": "name_raw"}
ROOT = Path(__file__).resolve().parent.parent
COMMITS = int(os.environ.get("LATEST_POLL_COMMITS", "12"))


def expected_latest(crawls: list[tuple[str, object, dict[str, list[str]]]]) -> dict[str, dict[str, str]]:
    """{dataset: {key: text}} by brute force: the newest crawl's row, then the newest fetch."""
    best = {d: {} for d in TEXT}
    for crawl_id, started, keys in crawls:
        for dataset, dataset_keys in keys.items():
            for i, key in enumerate(dataset_keys):
                rank = (started, i)
                if key not in best[dataset] or rank >= best[dataset][key][0]:
                    best[dataset][key] = (rank, f"{key}@{crawl_id}")
    return {d: {k: v[1] for k, v in rows.items()} for d, rows in best.items()}


def view_of(root: Path, reader: str) -> dict[str, dict[str, str]]:
    out = {}
    for dataset in TEXT:
        rows = read_with(reader, root / "latest" / dataset)
        keys = [r[KEYS[dataset]] for r in rows]
        assert len(keys) == len(set(keys)), f"{reader}: a key twice in latest/{dataset}"
        out[dataset] = {r[KEYS[dataset]]: r[TEXT[dataset]] for r in rows}
    return out


def keys_for(prefix: str, n: int) -> dict[str, list[str]]:
    return {"questions": [f"{prefix}{i}" for i in range(n)], "answers": [f"{prefix}{i}.a" for i in range(n)],
            "doctors": [f"dr-{prefix}{i}" for i in range(n)]}


def test_every_reader_reads_the_latest_row_per_key(tmp_path):
    crawls = [("a", T0, keys_for("q", 50)),
              ("b", T0 + timedelta(days=1), keys_for("q", 20)),
              ("c", T0 + timedelta(days=2), {d: ks[5:8] + ks[60:] for d, ks in keys_for("q", 70).items()})]
    for crawl_id, started, keys in crawls:
        write_crawl(tmp_path, crawl_id, started, keys)
        update_latest(tmp_path, buckets=8)
    write_crawl(tmp_path, "uncommitted", T0 + timedelta(days=3), keys_for("q", 70), commit=False)
    expected = expected_latest(crawls)
    for reader in READERS:
        assert view_of(tmp_path, reader) == expected, reader
    for dataset in TEXT:
        assert dict(zip(*[load(dataset, root=tmp_path)[c] for c in (KEYS[dataset], TEXT[dataset])])) == expected[dataset]
        assert load_table(dataset, root=tmp_path).schema == SCHEMAS[dataset]
        assert read_with("pyarrow", tmp_path / "latest" / dataset) and \
            pq.read_schema(current_buckets(tmp_path)[dataset][0]).remove_metadata() == SCHEMAS[dataset]
    assert run("SELECT count(*) AS n FROM questions", root=tmp_path)["n"][0] == 60


def test_an_older_crawl_committed_later_does_not_win(tmp_path):
    write_crawl(tmp_path, "new", T0 + timedelta(days=1), keys_for("q", 5))
    update_latest(tmp_path, buckets=4)
    write_crawl(tmp_path, "old", T0, keys_for("q", 8))  # started first, committed last
    update_latest(tmp_path)
    titles = dict(zip(*[load("questions", root=tmp_path)[c] for c in ("question_id", "title")]))
    assert titles == {f"q{i}": f"q{i}@{'new' if i < 5 else 'old'}" for i in range(8)}


def test_a_crawl_resumed_later_wins_with_the_rows_it_fetched_after_a_crawl_that_started_in_between(tmp_path):
    """The newest fetch wins, not the crawl that started last: a stateful crawl resumed days
    later keeps its first start, yet the rows it fetched then are the newest."""
    write_crawl(tmp_path, "between", T0 + timedelta(days=1), keys_for("q", 6))
    update_latest(tmp_path, buckets=2)
    # fetched on day 5, and its row gives the start of its first run, day 0
    write_crawl(tmp_path, "resumed", T0 + timedelta(days=5), {d: ks[3:] for d, ks in keys_for("q", 6).items()},
                commit=False)
    commit_crawl(tmp_path, "resumed", T0)
    update_latest(tmp_path, buckets=2)
    expected = {f"q{i}": f"q{i}@{'between' if i < 3 else 'resumed'}" for i in range(6)}
    for reader in READERS:
        assert view_of(tmp_path, reader)["questions"] == expected, reader
    assert dict(zip(*[load("questions", root=tmp_path)[c] for c in ("question_id", "title")])) == expected
    assert dict(run("SELECT question_id, title FROM questions", root=tmp_path).values.tolist()) == expected
    (tmp_path / "latest").unlink()  # no view: the loader computes the same rule from the snapshots
    assert dict(zip(*[load("questions", root=tmp_path)[c] for c in ("question_id", "title")])) == expected


def test_the_same_fetch_parsed_again_by_a_later_crawl_wins_the_tie(tmp_path):
    """A reparse's rows keep their pages' fetched_at: they replace the rows of the crawl that
    fetched them (the later parse), and a row fetched later stays."""
    write_crawl(tmp_path, "live", T0, keys_for("q", 4))
    write_crawl(tmp_path, "newer", T0 + timedelta(days=1), {"questions": ["q0"]})
    update_latest(tmp_path)
    # the reparse, started on day 2: the live crawl's fetch times, its own crawl_id
    write_crawl(tmp_path, "reparse", T0, keys_for("q", 4), commit=False)
    commit_crawl(tmp_path, "reparse", T0 + timedelta(days=2))
    update_latest(tmp_path)
    titles = dict(zip(*[load("questions", root=tmp_path)[c] for c in ("question_id", "title")]))
    assert titles == {"q0": "q0@newer", "q1": "q1@reparse", "q2": "q2@reparse", "q3": "q3@reparse"}


def test_only_the_buckets_a_crawl_touches_are_rewritten(tmp_path):
    write_crawl(tmp_path, "a", T0, keys_for("q", 200))
    update_latest(tmp_path, buckets=16)
    before = {f"{p.parent.name}/{p.name}": p.stat().st_ino for p in (tmp_path / "latest").rglob("bucket-*.parquet")}
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), {"questions": ["q7"]})
    update = update_latest(tmp_path)
    # q7's bucket of questions, and of answers: its answers are those of its newest fetch (none now)
    assert update.buckets_rewritten == 2 and update.rows_applied == 1 and update.files_applied == 1
    after = {f"{p.parent.name}/{p.name}": p.stat().st_ino for p in (tmp_path / "latest").rglob("bucket-*.parquet")}
    bucket = latest_module.bucket_of(pa.array(["q7"]), 16)[0]
    assert set(after) - set(before) == {f"{d}/bucket-{bucket:04d}-g000002.parquet" for d in ("questions", "answers")}
    assert "q7.a" not in load_table("answers", tmp_path)["answer_id"].to_pylist()
    assert all(before[name] == inode for name, inode in after.items() if name in before)  # the same files
    assert update_latest(tmp_path).buckets_rewritten == 0  # nothing new: nothing rewritten
    assert generation(tmp_path).name == "g000002"


@pytest.mark.parametrize("spelling", ["relative", "symlink", "generations elsewhere"])
def test_a_root_spelled_otherwise_keeps_the_view_in_use_and_applies_only_new_files(tmp_path, monkeypatch, spelling):
    """The default `data/` is relative; a root, or its folder of generations, may also be reached
    through a symbolic link. The generation `latest` points to stays until the switch, and an
    update applies new files only."""
    data = tmp_path / "data"
    write_crawl(data, "a", T0, keys_for("q", 20))
    update_latest(data)
    (tmp_path / "link").symlink_to(data)
    if spelling == "generations elsewhere":  # moved to another disk, say, and linked back
        (data / ".latest").rename(tmp_path / "generations")
        (data / ".latest").symlink_to(tmp_path / "generations")
    monkeypatch.chdir(tmp_path)
    root = {"relative": Path("data"), "symlink": tmp_path / "link"}.get(spelling, data)
    in_use = []
    switch = latest_module._switch
    monkeypatch.setattr(latest_module, "_switch",
                        lambda r, target: in_use.append(generation(r).is_dir()) or switch(r, target))
    assert update_latest(root).files_applied == 0  # nothing new
    write_crawl(data, "b", T0 + timedelta(days=1), {"questions": ["q7"]})
    update = update_latest(root)
    assert (update.files_applied, update.rebuilt, in_use) == (1, False, [True])
    assert load("questions", root=data).set_index("question_id").loc["q7", "title"] == "q7@b"


def test_buckets_follow_the_size_and_split_as_the_data_grows(tmp_path):
    write_crawl(tmp_path, "a", T0, keys_for("q", 30))
    update_latest(tmp_path, bucket_rows=16)
    assert {d: len(files) for d, files in current_buckets(tmp_path).items()} == \
        {"questions": 2, "answers": 2, "doctors": 2}
    # 90 rows more (20 of them replace rows of the view): 30 + 90 rows may pass 4 x 16, so each
    # dataset's buckets are split into 8, from the view's own rows and the new crawl's
    crawls = [("a", T0, keys_for("q", 30)),
              ("b", T0 + timedelta(days=1), {d: ks[10:] for d, ks in keys_for("q", 100).items()})]
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), crawls[1][2])
    update = update_latest(tmp_path, bucket_rows=16)
    assert {d: len(files) for d, files in current_buckets(tmp_path).items()} == \
        {"questions": 8, "answers": 8, "doctors": 8}
    assert update.rows_applied == 3 * 90 and not update.rebuilt
    assert read_manifest(generation(tmp_path))["buckets"] == {"questions": 8, "answers": 8, "doctors": 8}
    expected = expected_latest(crawls)
    for reader in READERS:
        assert view_of(tmp_path, reader) == expected, reader
    for dataset, files in current_buckets(tmp_path).items():  # each key in its bucket of 8
        for bucket, path in enumerate(files):
            keys = pq.read_table(path, columns=[BUCKET_KEYS[dataset]])[BUCKET_KEYS[dataset]]  # answers: by question
            assert set(latest_module.bucket_of(keys, 8)) <= {bucket}
    # a small crawl later: the count stays, only the buckets it touches are rewritten
    write_crawl(tmp_path, "c", T0 + timedelta(days=2), {"questions": ["q3"]})
    assert update_latest(tmp_path, bucket_rows=16).buckets_rewritten == 2  # q3's questions and answers


def test_a_resumed_crawl_that_commits_again_is_applied_again(tmp_path):
    write_crawl(tmp_path, "a", T0, keys_for("q", 10))
    update_latest(tmp_path, buckets=4)
    write_crawl(tmp_path, "a", T0, {"questions": ["q99"]}, part=1, commit=False)
    commit_crawl(tmp_path, "a", T0 + timedelta(minutes=5))  # its row rewritten: the crawl grew
    assert load_table("questions", root=tmp_path).num_rows == 11  # computed, latest/ is behind
    update_latest(tmp_path)
    assert sorted(read_with("duckdb", tmp_path / "latest" / "questions"), key=lambda r: r["question_id"])[-1][
        "question_id"] == "q99"


def test_files_a_committed_crawl_published_after_the_update_make_readers_compute(tmp_path, caplog):
    # A resumed crawl killed after publishing batches: new files under an id whose row did not change.
    write_crawl(tmp_path, "a", T0, keys_for("q", 10), commit=False)
    commit_crawl(tmp_path, "a", T0, status="interrupted")
    update_latest(tmp_path)
    write_crawl(tmp_path, "a", T0, {"questions": ["q99"]}, part=1, commit=False)
    assert current_buckets(tmp_path) is None
    assert load_table("questions", root=tmp_path).num_rows == 11
    assert "does not cover every committed crawl" in caplog.text
    assert run("SELECT count(*) AS n FROM questions", root=tmp_path)["n"][0] == 11
    update_latest(tmp_path)
    assert current_buckets(tmp_path) is not None


def test_a_row_without_site_stands_for_its_key_until_a_newer_row_has_one(tmp_path):
    for dataset in ("questions", "answers", "doctors"):
        if "site" not in SCHEMAS[dataset].names:
            continue
        old = SCHEMAS[dataset].remove(SCHEMAS[dataset].get_field_index("site"))
        root = tmp_path / dataset
        write_crawl(root, "a", T0, {dataset: ["k1", "k2"]}, schema={dataset: old})  # before the column
        write_crawl(root, "b", T0 + timedelta(days=1), {dataset: ["k1"]})
        update_latest(root, buckets=2)
        rows = {r[KEYS[dataset]]: r for r in read_with("pyarrow", root / "latest" / dataset)}
        assert rows["k1"]["crawl_id"] == "b" and rows["k1"]["site"] == "example.test"
        assert rows["k2"]["crawl_id"] == "a" and rows["k2"]["site"] is None
        assert len(load(dataset, root=root)) == 2


# consistency at every moment -------------------------------------------------------------------

POLLER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tests.latestdata import read_with, READERS
    root, stop = Path(sys.argv[1]), Path(sys.argv[2])
    reads = retries = 0
    generations = set()
    while not stop.exists():
        try:
            covered = len(json.loads((root / "latest" / "_manifest.json").read_text())["crawls"])
        except (OSError, ValueError):
            continue
        reader = READERS[reads % len(READERS)]
        try:
            rows = read_with(reader, root / "latest" / "questions")
        except Exception as error:  # a read across the switch: a file of the old generation is gone
            if "No such file" not in str(error) and "not found" not in str(error).lower():
                print(f"BAD {reader}: {error}"); sys.exit(1)
            retries += 1
            continue
        keys = [r["question_id"] for r in rows]
        if len(keys) != len(set(keys)):
            print(f"BAD {reader}: a key twice after {reads} reads"); sys.exit(1)
        seen = set(keys)
        needed = {f"c{c}-{i}" for c in range(covered) for i in range(40)}
        if needed - seen:
            print(f"BAD {reader}: {len(needed - seen)} keys missing after {reads} reads"); sys.exit(1)
        for r in rows:
            if not r["title"].startswith(r["question_id"] + "@"):
                print(f"BAD {reader}: {r['title']!r}"); sys.exit(1)
        reads += 1
        generations.add(covered)
        (stop.parent / "reading").touch()  # the commits start once the reader reads
    print(f"OK {reads} {retries} {len(generations)}")
""")


def test_a_reader_polling_during_commits_sees_every_key_exactly_once(tmp_path):
    root, stop = tmp_path / "data", tmp_path / "stop"
    write_crawl(root, "c0", T0, {"questions": [f"c0-{i}" for i in range(40)]})
    update_latest(root, buckets=8)
    poller = subprocess.Popen([sys.executable, "-c", POLLER, str(root), str(stop), str(ROOT)],
                              stdout=subprocess.PIPE, text=True)
    rng = random.Random(5)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "reading").exists():  # its imports (DuckDB, polars, pandas) take seconds
            assert poller.poll() is None and time.monotonic() < deadline, poller.stdout.read()
            time.sleep(0.05)
        for c in range(1, COMMITS + 1):
            old = [f"c{o}-{i}" for o in range(c) for i in range(40)]
            keys = [f"c{c}-{i}" for i in range(40)] + rng.sample(old, min(60, len(old)))  # new keys and changed ones
            write_crawl(root, f"c{c}", T0 + timedelta(hours=c), {"questions": keys})
            update_latest(root)
            assert poller.poll() is None, poller.stdout.read()
    finally:
        stop.touch()
        out, _ = poller.communicate(timeout=120)
    assert poller.returncode == 0 and out.startswith("OK"), out
    assert int(out.split()[3]) > 1  # it did read while the commits went on: several generations


KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[3])
    from pipelines.output import latest
    where, count = sys.argv[2].split(":")
    def kill(*args):
        os.kill(os.getpid(), signal.SIGKILL)
    def wrap(name, before):
        real, calls = getattr(latest, name), [0]
        def wrapper(*args):
            calls[0] += 1
            if before and calls[0] >= int(count):
                kill()
            result = real(*args)
            if not before and calls[0] >= int(count):
                kill()
            return result
        setattr(latest, name, wrapper)
    if where == "merge":
        wrap("_merge_bucket", before=True)
    elif where == "switch":
        wrap("_switch", before=True)
    elif where == "switched":
        wrap("_switch", before=False)
    latest.update_latest(sys.argv[1])
    print("not killed")
""")


@pytest.mark.parametrize("after", ["merge:1", "merge:6", "switch:1", "switched:1"])
def test_sigkill_during_the_update_leaves_each_key_once_and_the_next_update_repairs(tmp_path, after):
    root = tmp_path / "data"
    first, second = keys_for("q", 30), keys_for("q", 45)
    write_crawl(root, "a", T0, first)
    update_latest(root, buckets=4)
    write_crawl(root, "b", T0 + timedelta(days=1), {d: ks[20:] for d, ks in second.items()})
    killed = subprocess.run([sys.executable, "-c", KILLER, str(root), str(after), str(ROOT)],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    old = expected_latest([("a", T0, first)])
    new = expected_latest([("a", T0, first), ("b", T0 + timedelta(days=1), {d: ks[20:] for d, ks in second.items()})])
    for reader in READERS:  # as it was, or as it should be: one generation, whole
        assert view_of(root, reader) in (old, new), reader
    # The readers' own view is right meanwhile: latest/ is behind, so they compute it.
    assert dict(zip(*[load("questions", root=root)[c] for c in ("question_id", "title")])) == new["questions"]
    update_latest(root)
    left = {p.name for p in (root / ".latest").iterdir()}
    assert generation(root).name in left and left <= {"g000001", "g000002", "g000003"}  # nothing half-made
    for reader in READERS:
        assert view_of(root, reader) == new
    assert read_manifest(generation(root))["crawls"].keys() == {"a", "b"}


# schema evolution ------------------------------------------------------------------------------

def test_files_from_before_a_column_was_added_read_it_null(tmp_path, monkeypatch):
    grown = SCHEMAS["answers"].append(pa.field("reviewed_by", pa.string()))
    write_crawl(tmp_path, "a", T0, keys_for("q", 10))  # today's schema: the column does not exist yet
    update_latest(tmp_path, buckets=4)
    monkeypatch.setitem(SCHEMAS, "answers", grown)  # a later version adds a column at the end
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), {"answers": ["q1.a", "q20.a"]})
    assert run("SELECT count(*) AS n, count(reviewed_by) AS r FROM answers_all", root=tmp_path).values.tolist() == [[12, 0]]
    assert run("SELECT count(*) AS n FROM answers", root=tmp_path)["n"][0] == 11  # latest/ is behind: computed
    frame = load("answers", root=tmp_path)
    assert len(frame) == 11 and "reviewed_by" in frame.columns and frame["reviewed_by"].isna().all()
    update_latest(tmp_path)  # every bucket rewritten in the new schema
    for reader in READERS:
        rows = read_with(reader, tmp_path / "latest" / "answers")
        assert len(rows) == 11 and all("reviewed_by" in r and pd.isna(r["reviewed_by"]) for r in rows), reader
    assert run("SELECT count(*) AS n, count(reviewed_by) AS r FROM answers", root=tmp_path).values.tolist() == [[11, 0]]
    assert load_table("answers", root=tmp_path).schema == grown


def test_a_garbage_bucket_is_rebuilt_and_readers_compute_meanwhile(tmp_path):
    write_crawl(tmp_path, "a", T0, keys_for("q", 10))
    update_latest(tmp_path, buckets=4)
    current_buckets(tmp_path)["questions"][2].write_bytes(b"garbage")
    assert len(load("questions", root=tmp_path)) == 10
    assert update_latest(tmp_path).rebuilt
    assert len(read_with("duckdb", tmp_path / "latest" / "questions")) == 10


def test_a_bucket_whose_footer_cannot_be_read_is_rebuilt(tmp_path):
    write_crawl(tmp_path, "a", T0, keys_for("q", 10))
    update_latest(tmp_path, buckets=4)
    current_buckets(tmp_path)["questions"][2].write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")  # magic, no footer
    assert update_latest(tmp_path).rebuilt
    assert len(read_with("duckdb", tmp_path / "latest" / "questions")) == 10


def test_an_unreadable_committed_file_stops_the_update_and_leaves_latest_as_it_was(tmp_path):
    write_crawl(tmp_path, "a", T0, keys_for("q", 10))
    update_latest(tmp_path, buckets=4)
    before = {p: p.read_bytes() for p in generation(tmp_path).rglob("*") if p.is_file()}
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), keys_for("q", 3))
    bad = next((tmp_path / "answers").glob("crawl_date=*/b-00000.parquet"))
    bad.write_bytes(b"")
    with pytest.raises(latest_module.LatestError, match=str(bad)):
        update_latest(tmp_path)
    assert {p: p.read_bytes() for p in generation(tmp_path).rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in (tmp_path / ".latest").iterdir()) == ["g000001"]


@pytest.mark.parametrize("gone", ["answers", "questions"])
def test_a_committed_file_gone_stops_the_update_and_the_view_keeps_its_rows(tmp_path, gone):
    """A committed crawl's file moved away: the view was rebuilt from the files left, its rows
    dropped in silence (answers 153 -> 0 while answer_count still counted them), exit 0."""
    write_crawl(tmp_path, "a", T0, keys_for("q", 10))
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), keys_for("r", 10))
    update_latest(tmp_path, buckets=2)
    before = {p: p.read_bytes() for p in generation(tmp_path).rglob("*") if p.is_file()}
    moved = next((tmp_path / gone).glob("crawl_date=*/a-00000.parquet"))
    moved.rename(tmp_path / "elsewhere.parquet")
    write_crawl(tmp_path, "c", T0 + timedelta(days=2), keys_for("q", 3))
    with pytest.raises(latest_module.LatestError, match=f"{moved}.*is gone; the view keeps its rows"):
        update_latest(tmp_path)
    assert {p: p.read_bytes() for p in generation(tmp_path).rglob("*") if p.is_file()} == before
    # its crawl's row removed, the crawl's rows leave the view for good
    for row_file in (tmp_path / "crawls").rglob("a*.parquet"):
        row_file.unlink()
    update_latest(tmp_path)
    assert not [k for k in load_table("questions", tmp_path)["question_id"].to_pylist() if k.startswith("q") and
                k not in keys_for("q", 3)["questions"]]

def test_the_update_command_refuses_a_folder_that_is_no_data_folder(tmp_path, capsys):
    assert latest_module.main([str(tmp_path / "typo")]) == 2
    assert latest_module.main([str(tmp_path)]) == 2  # there, but no crawls/ in it
    assert latest_module.main([str(tmp_path), "more"]) == 2
    assert list(tmp_path.iterdir()) == [] and "no data folder there" in capsys.readouterr().err
    write_crawl(tmp_path, "a", T0, keys_for("q", 3))
    assert latest_module.main([str(tmp_path)]) == 0 and generation(tmp_path) is not None


def test_the_library_call_refuses_a_root_that_is_not_there(tmp_path):
    with pytest.raises(FileNotFoundError):
        update_latest(tmp_path / "typo")
    assert list(tmp_path.iterdir()) == []  # no view of nothing made at the typo


def test_a_crawls_row_that_cannot_be_read_stops_the_update_and_leaves_latest_as_it_was(tmp_path, monkeypatch):
    """A row file on disk that this user cannot read (another user's, an EIO) may be a committed
    crawl's: the view is not rebuilt without that crawl's rows, and the error names the file."""
    import errno

    write_crawl(tmp_path, "a", T0, keys_for("q", 10))
    write_crawl(tmp_path, "b", T0 + timedelta(days=1), keys_for("r", 4))
    update_latest(tmp_path)
    before = {p: p.read_bytes() for p in generation(tmp_path).rglob("*") if p.is_file()}
    (row,) = (tmp_path / "crawls").glob("crawl_date=*/a.parquet")
    read_bytes = Path.read_bytes

    def failing(path):
        if path == row:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", failing)
    write_crawl(tmp_path, "c", T0 + timedelta(days=2), keys_for("s", 3))
    with pytest.raises(latest_module.LatestError, match=f"{row}.*Input/output error"):
        update_latest(tmp_path)
    assert {p: p.read_bytes() for p in generation(tmp_path).rglob("*") if p.is_file()} == before
    assert current_buckets(tmp_path) is None  # not known to cover the crawls: readers compute, naming the file
    # a stray file that is no Parquet is no row, as before: skipped, the view updated
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    (row.parent / "notes.parquet").write_bytes(b"not a row")
    update_latest(tmp_path)
    assert len(read_with("duckdb", tmp_path / "latest" / "questions")) == 17
