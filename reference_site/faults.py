"""Fault injection, deterministic per (seed, URL path+query, attempt) so that a retry can succeed.

Spec: `error=0.05,throttle=0.02,block=0.01,truncate=0.01,latency=20ms,slow=0.01`.
error, throttle, block and truncate are exclusive shares of responses; slow (+1 s) is drawn
independently; latency delays every response.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .spec import parse_spec

KINDS = ("error", "throttle", "block", "truncate")


@dataclass(frozen=True)
class Fault:
    kind: str | None      # one of KINDS or None
    status: int = 200
    cut: float = 1.0      # truncate: share of the body that is sent
    slow: bool = False


@dataclass(frozen=True)
class Faults:
    error: float = 0.0
    throttle: float = 0.0
    block: float = 0.0
    truncate: float = 0.0
    slow: float = 0.0
    latency: float = 0.0  # seconds

    @classmethod
    def parse(cls, spec: str | None) -> "Faults":
        values = {}
        for key, raw in parse_spec(spec, cls.__dataclass_fields__, "fault").items():
            values[key] = _seconds(raw) if key == "latency" else float(raw)
            if key != "latency" and not 0.0 <= values[key] <= 1.0:
                raise ValueError(f"fault rate {key}={raw} is not between 0 and 1")
        faults = cls(**values)
        if sum(getattr(faults, k) for k in KINDS) > 1.0:
            raise ValueError("fault rates add up to more than 1")
        return faults

    def decide(self, seed: int, url: str, attempt: int) -> Fault:
        h = hashlib.sha256(f"{seed}|{url}|{attempt}".encode()).digest()
        u = int.from_bytes(h[:8], "big") / 2**64
        slow = int.from_bytes(h[8:16], "big") / 2**64 < self.slow
        edge = 0.0
        for kind in KINDS:
            edge += getattr(self, kind)
            if u < edge:
                if kind == "error":
                    return Fault(kind, (500, 502, 503)[h[16] % 3], slow=slow)
                if kind == "throttle":
                    return Fault(kind, 429, slow=slow)
                if kind == "block":
                    return Fault(kind, (403, 404)[h[16] % 2], slow=slow)
                return Fault(kind, 200, cut=0.3 + 0.6 * int.from_bytes(h[17:20], "big") / 2**24, slow=slow)
        return Fault(None, slow=slow)


def _seconds(raw: str) -> float:
    if raw.endswith("ms"):
        return float(raw[:-2]) / 1000
    if raw.endswith("s"):
        return float(raw[:-1])
    return float(raw)
