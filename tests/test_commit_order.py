"""A batch's commit renames its archive files before its dataset files: a kill at any rename
leaves no committed row whose response is in no committed WARC file (README, "Keeping what
was fetched"), and the next commit of the same token (a resume's roll forward) finishes it."""
from __future__ import annotations

import json
import os

import pytest

from pipelines.output.datasets import ParquetDatasets
from tests.latestdata import T0, row

CRAWL = "c1"


class Killed(BaseException):
    """The process dies at this rename (SIGKILL: nothing after it runs)."""


def sealed_batch(root, archive):
    """A batch of every dataset sealed with an archive file of its own, and its token."""
    output = ParquetDatasets(root, row_group_rows=100, row_group_bytes=1 << 20, file_rows=1000)
    output.begin(CRAWL, f"{T0:%Y-%m-%d}", 1)
    output.add({name: [row(name, "q1", CRAWL, T0, "text")] for name in ("questions", "answers", "doctors")})
    archive.mkdir()
    warc = (archive / f".{CRAWL}-00001.warc.gz.tmp", archive / f"{CRAWL}-00001.warc.gz")
    warc[0].write_bytes(b"responses")
    return output, output.seal(1, [warc]), warc[1]


def dataset_files(root):
    return [path for path in root.rglob("*.parquet") if not path.name.startswith(".")]


def kill_at_rename(monkeypatch, n):
    real, calls = os.replace, [0]

    def replace(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            raise Killed
        return real(*args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)
    return lambda: monkeypatch.setattr(os, "replace", real)


# The token as sealed, or reversed: a pending batch a state recorded under another order of its files.
@pytest.mark.parametrize("reversed_token", [False, True], ids=["as sealed", "reversed"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_a_kill_at_any_rename_of_a_commit_leaves_no_row_without_its_archive(tmp_path, monkeypatch, n, reversed_token):
    root = tmp_path / "data"
    output, token, warc = sealed_batch(root, tmp_path / "archive")
    if reversed_token:
        token = json.dumps(json.loads(token)[::-1])
    revive = kill_at_rename(monkeypatch, n)
    with pytest.raises(Killed):
        output.commit(token)
    revive()
    assert not dataset_files(root) or warc.exists(), f"rows committed without their archive at rename {n}"

    output.commit(token)  # the resume's roll forward
    assert warc.exists() and len(dataset_files(root)) == 3
