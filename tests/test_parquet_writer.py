"""The Parquet writer: explicit schema, large row groups, whole files or none."""
from datetime import date, datetime, timezone

import pyarrow.parquet as pq
import pytest

from pipelines.output.parquet import DatasetWriter, publish
from pipelines.schemas import ANSWERS

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def answer(i, **changes):
    row = {"answer_id": str(i), "question_id": "1", "position": 1, "title": "t", "body": "b",
           "vote_count": -1, "answered_on": date(2012, 10, 22), "doctor_id": None,
           "has_contact_info": False, "fetched_at": NOW, "crawl_id": "c1"}
    row.update(changes)
    return row


def test_rows_land_with_the_explicit_schema_even_when_a_column_is_all_null(tmp_path):
    writer = DatasetWriter(folder=tmp_path / "answers", schema=ANSWERS, stem="c1", row_group_rows=10)
    for i in range(25):
        writer.add(answer(i))
    publish([writer.seal()])
    files = sorted((tmp_path / "answers").iterdir())
    assert [f.name for f in files] == ["c1-00000.parquet"]
    parquet = pq.ParquetFile(files[0])
    assert parquet.schema_arrow == ANSWERS
    assert parquet.metadata.num_rows == 25
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [10, 10, 5]


def test_nothing_is_visible_until_the_file_is_whole(tmp_path):
    writer = DatasetWriter(folder=tmp_path, schema=ANSWERS, stem="c1", row_group_rows=2)
    for i in range(5):
        writer.add(answer(i))
    assert [p.name for p in tmp_path.iterdir()] == [".c1-00000.parquet.tmp"]
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_each_seal_is_a_new_part_and_publishing_is_idempotent(tmp_path):
    writer = DatasetWriter(folder=tmp_path, schema=ANSWERS, stem="c1", row_group_rows=3)
    sealed = []
    for i in range(13):
        writer.add(answer(i))
        if i % 6 == 5:
            sealed.append(writer.seal())
    sealed.append(writer.seal())
    assert writer.seal() is None  # nothing buffered: no empty file
    publish(sealed)
    publish(sealed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c1-00000.parquet", "c1-00001.parquet", "c1-00002.parquet"]
    assert sum(pq.ParquetFile(final).metadata.num_rows for _, final in sealed) == 13 == writer.rows_written


def test_a_wrong_type_is_an_error_not_a_silent_cast(tmp_path):
    writer = DatasetWriter(folder=tmp_path, schema=ANSWERS, stem="c1", row_group_rows=1)
    with pytest.raises(Exception):
        writer.add(answer(1, vote_count="many"))
