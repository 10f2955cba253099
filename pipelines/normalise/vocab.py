"""Vocabularies kept as package data (read with importlib.resources: works inside an egg)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files("pipelines.normalise").joinpath("data", name).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=None)
def specialties() -> tuple[str, ...]:
    return tuple(_lines("specialties.txt"))


@lru_cache(maxsize=None)
def credentials() -> tuple[str, ...]:
    return tuple(_lines("credentials.txt"))
