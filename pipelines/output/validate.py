"""A page's rows checked against the datasets' schemas before anything is buffered.

A value that does not fit its column (an int past its width, a float past float32, a
wrong type) or text that cannot be encoded as UTF-8 (a lone surrogate) makes the whole
page unfit: its rows are turned into Arrow record batches here, page by page, so a bad
row raises `RowsDoNotFit` and never enters a writer's buffer, where it would fail every
later batch of the crawl.
"""
from __future__ import annotations

import math

import pyarrow as pa

from pipelines.schemas import SCHEMAS

FLOAT32_MAX = 3.4028234663852886e38


class RowsDoNotFit(ValueError):
    """A page's rows do not fit their datasets' schemas (the message says which value)."""


def page_batches(rows: dict[str, list[dict]]) -> dict[str, pa.RecordBatch]:
    """dataset -> the page's rows as one record batch of its schema; RowsDoNotFit if any does not fit."""
    batches = {}
    for dataset, dataset_rows in rows.items():
        schema = SCHEMAS[dataset]
        try:
            batches[dataset] = pa.RecordBatch.from_pylist(dataset_rows, schema=schema)
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as error:  # UnicodeError is a ValueError
            raise RowsDoNotFit(f"{dataset}: {_one_line(error)}") from error
        _check_floats(dataset, schema, dataset_rows)
    return batches


def _check_floats(dataset: str, schema: pa.Schema, rows: list[dict]) -> None:
    # Arrow turns a float too large for float32 into infinity without a word: refuse it here.
    for field in schema:
        if field.type != pa.float32():
            continue
        for row in rows:
            value = row.get(field.name)
            if value is not None and math.isfinite(value) and abs(value) > FLOAT32_MAX:
                raise RowsDoNotFit(f"{dataset}: {field.name} {value!r} does not fit float32")


def _one_line(error: Exception) -> str:
    # The message may quote the value itself, a lone surrogate included: make it printable.
    return " ".join(str(error).split())[:300].encode("utf-8", "backslashreplace").decode("utf-8")
