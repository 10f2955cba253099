"""DATASETS.md documents every column of every schema, with its type, and no other column."""
from __future__ import annotations

import re
from pathlib import Path

from pipelines.schemas import KEYS, SCHEMAS

DOC = Path(__file__).resolve().parent.parent / "DATASETS.md"
def documented() -> dict[str, dict[str, str]]:
    tables, dataset = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            name = line[3:].strip()
            dataset = name if name in SCHEMAS else None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if dataset and len(cells) >= 3 and cells[0] not in ("column", "---"):
            tables.setdefault(dataset, {})[cells[0]] = cells[1]
    return tables


def plain(type_text: str) -> str:
    # list<item: string> and list<element: string> are the same type to a reader.
    return re.sub(r"\b(item|element): ", "", type_text).replace(" ", "")


def test_every_schema_column_is_documented_with_its_type():
    doc = documented()
    assert set(doc) == set(SCHEMAS)
    for dataset, schema in SCHEMAS.items():
        for field in schema:
            assert field.name in doc[dataset], f"{dataset}.{field.name} is not in DATASETS.md"
            assert plain(doc[dataset][field.name]) == plain(str(field.type)), f"{dataset}.{field.name}"
        missing = {c for c in doc[dataset] if c not in schema.names}
        assert not missing, f"DATASETS.md documents {dataset} columns the schema lacks: {missing}"
        assert KEYS[dataset] in doc[dataset]


def test_every_field_of_the_records_has_its_column_and_every_column_its_field():
    """A field the page objects read whose schema line is missing would be dropped by the
    writer, and a column the records never fill (a misspelt name) null in every row: both
    without a word at run time, so they fail here."""
    from datetime import datetime, timezone

    from crawler.extraction import extract_page
    from pipelines.rows import row_for
    from tests.contract import PAGES

    golden = "botox-injections-days-knot-redness-injection-sites"
    filled: dict[str, set] = {}
    for family in ("legacy", "provider-card", "nextjs"):
        url = f"https://www.realself.com/question/{golden}"
        for record in extract_page(url, (PAGES / f"{golden}.{family}.html").read_bytes()).records:
            dataset, row = row_for(record, fetched_at=datetime.now(timezone.utc), crawl_id="c", layout=family,
                                   content_sha256="0")
            filled.setdefault(dataset, set()).update(row)
    for dataset, columns in filled.items():
        columns.discard("type")  # which dataset a record goes to, not a column
        assert columns == set(SCHEMAS[dataset].names), (
            f"{dataset}: fields without a column {sorted(columns - set(SCHEMAS[dataset].names))}, "
            f"columns without a field {sorted(set(SCHEMAS[dataset].names) - columns)}")


def test_a_date_or_timestamp_field_is_read_from_its_text_by_its_columns_type(monkeypatch):
    """A contributor's new field of a date or timestamp column (README, "For contributors")
    returns ISO 8601 text, as the records print dates: the writer reads every such column by
    the schema's type, not a list of known columns (an `edited_at` given as text made every
    page malformed, "does not fit its column")."""
    from datetime import date, datetime, timezone

    import pyarrow as pa

    from pipelines import rows
    from pipelines.schemas import TIMESTAMP

    added = [pa.field("edited_at", TIMESTAMP), pa.field("first_seen_on", pa.date32())]
    monkeypatch.setitem(rows._DATED, "answers",
                        [*rows._DATED["answers"], *((f.name, rows._when_read(f)) for f in added)])
    record = {"type": "answer", "answer_id": "a", "answered_on": "2024-03-05",
              "edited_at": "2024-03-06T10:30:00+00:00", "first_seen_on": "", "title": "2024-03-07"}
    _, row = rows.row_for(record, fetched_at=datetime(2024, 3, 8, tzinfo=timezone.utc), crawl_id="c",
                          layout="legacy", content_sha256="0")
    assert row["answered_on"] == date(2024, 3, 5)
    assert row["edited_at"] == datetime(2024, 3, 6, 10, 30, tzinfo=timezone.utc)
    assert row["first_seen_on"] is None and row["title"] == "2024-03-07"  # a text column stays text
