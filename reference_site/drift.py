"""Markup drift: the site's next redesign, served on a share of question pages.

Spec: `family=0.3,rating=0.5`.

- `family=S`: a share S of question pages come in a fourth markup ("thread", families/thread.py)
  that the crawler's parsers do not know: new class names, no embedded JSON.
- `rating=S`: on a share S of question pages the star rating leaves the byline for a panel of
  the page's doctors at the end of the page, as a redesign would move it: the parsers, which
  read the rating from the byline (or its JSON), find none.

Which pages drift is decided per question URL (seed, kind, slug), as faults.py decides faults,
so a page drifts the same way on every request and in `--truth`. The kinds are drawn
independently: a page may drift both ways (the family then wins: the rating has nothing to
move from). The contract's golden page never drifts: it is served verbatim from the samples.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .spec import parse_spec

KINDS = ("family", "rating")


@dataclass(frozen=True)
class Drift:
    family: float = 0.0
    rating: float = 0.0

    @classmethod
    def parse(cls, spec: str | None) -> "Drift":
        values = {}
        for key, raw in parse_spec(spec, KINDS, "drift").items():
            try:
                values[key] = float(raw)
            except ValueError:
                raise ValueError(f"drift {key}={raw!r} is not a number") from None
            if not 0.0 <= values[key] <= 1.0:
                raise ValueError(f"drift share {key}={raw} is not between 0 and 1")
        return cls(**values)

    def __bool__(self) -> bool:
        return bool(self.family or self.rating)

    def kinds(self, seed: int, slug: str) -> tuple[str, ...]:
        """The drift kinds of the question page `slug`, in KINDS order (empty: no drift)."""
        return tuple(kind for kind in KINDS if _draw(seed, kind, slug) < getattr(self, kind))


def _draw(seed: int, kind: str, slug: str) -> float:
    h = hashlib.sha256(f"{seed}|drift|{kind}|{slug}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64
