"""Compare a crawl's datasets with a reference site's --truth, field by field."""
from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

from pipelines.loader import load
from pipelines.schemas import KEYS, RECORD_TYPES


def truth_by_dataset(lines) -> dict[str, dict[str, dict]]:
    """{dataset: {key: record}}; a doctor's first record wins, as within a crawl."""
    out = {name: {} for name in ("questions", "answers", "doctors")}
    for line in lines:
        record = json.loads(line) if isinstance(line, str) else line
        dataset = RECORD_TYPES[record.pop("type")]
        out[dataset].setdefault(record[KEYS[dataset]], record)
    return out


def read_truth(path: str | Path) -> dict[str, dict[str, dict]]:
    with open(path, encoding="utf-8") as f:
        return truth_by_dataset(line for line in f if line.strip())


def _same(expected, actual) -> bool:
    if isinstance(actual, date):
        actual = actual.isoformat()
    if hasattr(actual, "tolist"):  # numpy arrays of credentials
        actual = actual.tolist()
    if isinstance(expected, float) and actual is not None:
        return math.isclose(expected, float(actual), rel_tol=1e-6)
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return expected == actual


def differences(truth: dict[str, dict[str, dict]], root: str | Path, limit: int = 20) -> list[str]:
    """What differs between the latest view under `root` and the truth (empty when equal)."""
    found = []
    for dataset, expected in truth.items():
        frame = load(dataset, root=root)
        rows = {row[KEYS[dataset]]: row for row in frame.to_dict("records")}
        missing = sorted(set(expected) - set(rows))
        extra = sorted(set(rows) - set(expected))
        if missing:
            found.append(f"{dataset}: {len(missing)} missing, e.g. {missing[:3]}")
        if extra:
            found.append(f"{dataset}: {len(extra)} not in truth, e.g. {extra[:3]}")
        for key in sorted(set(expected) & set(rows)):
            for field, value in expected[key].items():
                if not _same(value, rows[key].get(field)):
                    found.append(f"{dataset} {key} {field}: expected {value!r}, got {rows[key].get(field)!r}")
                    if len(found) >= limit:
                        return found
    return found
