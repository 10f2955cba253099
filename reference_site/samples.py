"""The contract files shipped as package data (the project never reads /work/shared at run time)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

GOLDEN_SLUG = "botox-injections-days-knot-redness-injection-sites"
FAMILIES = ("legacy", "provider-card", "nextjs")


def samples_dir():
    """The folder of the sample pages (a Traversable; str() it for a path)."""
    return resources.files("reference_site") / "samples"


@lru_cache(maxsize=None)
def sample_bytes(name: str) -> bytes:
    return (samples_dir() / name).read_bytes()


def golden_page(family: str) -> bytes:
    return sample_bytes(f"{GOLDEN_SLUG}.{family}.html")


@lru_cache(maxsize=None)
def golden_records() -> tuple[dict, ...]:
    text = sample_bytes(f"{GOLDEN_SLUG}.expected.jsonl").decode("utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


def blocked_page() -> bytes:
    return sample_bytes("blocked.html")


@lru_cache(maxsize=None)
def specialties() -> tuple[str, ...]:
    text = (resources.files("reference_site") / "data" / "specialties.txt").read_text("utf-8")
    return tuple(s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#"))


@lru_cache(maxsize=None)
def golden_doctor_slugs() -> frozenset[str]:
    return frozenset(r["doctor_id"] for r in golden_records() if r["type"] == "doctor")


@lru_cache(maxsize=None)
def golden_ids() -> frozenset[str]:
    ids = set()
    for r in golden_records():
        ids.update(str(r[k]) for k in ("question_id", "answer_id") if k in r)
    return frozenset(ids)
