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
