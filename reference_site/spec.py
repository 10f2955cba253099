"""`name=value,name=value` options of the reference site (`--faults`, `--drift`)."""
from __future__ import annotations


def parse_spec(spec: str | None, known, what: str) -> dict[str, str]:
    """{name: raw value} of a spec; ValueError for a name not in `known` ("unknown fault 'x'")."""
    values = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        key, _, raw = part.partition("=")
        key, raw = key.strip(), raw.strip()
        if key not in known:
            raise ValueError(f"unknown {what} {key!r} (known: {', '.join(known)})")
        values[key] = raw
    return values
