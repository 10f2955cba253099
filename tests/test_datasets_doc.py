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
