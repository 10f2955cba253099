"""A page's rows checked against the datasets' schemas before anything is buffered.

A value that does not fit its column (an int past its width, a float past float32, a wrong
type) or text that cannot be encoded as UTF-8 (a lone surrogate) makes the whole page unfit:
`check_page` raises `RowsDoNotFit`, so a bad row never enters a writer's buffer, where it
would fail every later batch of the crawl. The checks are made from the schemas (one check
per column type) and accept only the Python types Arrow converts without a question, so what
passes here converts later; it is ~10x cheaper than converting each page to Arrow.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime

import pyarrow as pa

from pipelines.schemas import SCHEMAS

FLOAT32_MAX = 3.4028234663852886e38
Check = Callable[[object], bool]


class RowsDoNotFit(ValueError):
    """A page's rows do not fit their datasets' schemas (the message says which value)."""


def _text(value) -> bool:
    if not isinstance(value, str):
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _integer(kind: pa.DataType) -> Check:
    bits = kind.bit_width
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if pa.types.is_signed_integer(kind) else (0, (1 << bits) - 1)

    def check(value) -> bool:
        return type(value) is int and low <= value <= high  # a bool is no count

    check.bounds = (low, high)
    return check


def _floating(kind: pa.DataType) -> Check:
    largest = FLOAT32_MAX if kind == pa.float32() else math.inf
    # Arrow turns a float too large for float32 into infinity without a word: refuse it here.
    return lambda value: type(value) in (float, int) and (not math.isfinite(value) or abs(value) <= largest)


def _list_of(check: Check) -> Check:
    return lambda value: isinstance(value, list) and all(item is None or check(item) for item in value)


def _struct_of(checks: list[tuple[str, Check]]) -> Check:
    return lambda value: isinstance(value, dict) and all(
        value.get(name) is None or check(value.get(name)) for name, check in checks)


def check_for(kind: pa.DataType) -> Check:
    """The check of one column type (every type the schemas use)."""
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _text
    if pa.types.is_integer(kind):
        return _integer(kind)
    if pa.types.is_floating(kind):
        return _floating(kind)
    if pa.types.is_boolean(kind):
        return lambda value: type(value) is bool
    if pa.types.is_timestamp(kind):
        return lambda value: isinstance(value, datetime)
    if pa.types.is_date(kind):
        return lambda value: isinstance(value, date) and not isinstance(value, datetime)
    if pa.types.is_list(kind):
        return _list_of(check_for(kind.value_type))
    if pa.types.is_struct(kind):
        return _struct_of([(field.name, check_for(field.type)) for field in kind])
    raise TypeError(f"no check for column type {kind}")  # a new type in a schema: add its check


class _Plan:
    """A dataset's checks, text and integer columns inlined (the common cases, most columns)."""

    def __init__(self, schema: pa.Schema):
        self.texts = [f.name for f in schema if pa.types.is_string(f.type)]
        self.integers = []
        self.others = []
        for field in schema:
            if pa.types.is_integer(field.type):
                check = _integer(field.type)
                self.integers.append((field.name, *check.bounds))
            elif not pa.types.is_string(field.type):
                self.others.append((field.name, check_for(field.type)))


PLANS = {dataset: _Plan(schema) for dataset, schema in SCHEMAS.items()}


def check_page(rows: dict[str, list[dict]]) -> None:
    """RowsDoNotFit if any value of a page's rows (dataset -> rows) does not fit its column."""
    for dataset, dataset_rows in rows.items():
        plan = PLANS[dataset]
        for row in dataset_rows:
            get = row.get
            try:  # every text column of the row at once (C speed): all strings, all encodable
                "".join([value for value in map(get, plan.texts) if value is not None]).encode("utf-8")
            except (TypeError, UnicodeEncodeError):
                _find_unfit_text(dataset, plan.texts, row)
            for name, low, high in plan.integers:
                value = get(name)
                if value is not None and not (type(value) is int and low <= value <= high):
                    _unfit(dataset, name, value)
            for name, check in plan.others:
                value = get(name)
                if value is not None and not check(value):
                    _unfit(dataset, name, value)


def _find_unfit_text(dataset: str, names: list[str], row: dict) -> None:
    for name in names:
        value = row.get(name)
        if value is not None and not _text(value):
            _unfit(dataset, name, value)


def _unfit(dataset: str, name: str, value) -> None:
    shown = repr(value)  # repr escapes a lone surrogate: printable
    raise RowsDoNotFit(f"{dataset}.{name} = {shown[:80]} does not fit its column ({SCHEMAS[dataset].field(name).type})")
