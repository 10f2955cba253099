"""A write that failed, in words a person acts on: where, why, and, for a full disk, what to do."""
from __future__ import annotations

import errno
import sqlite3

# A disk (or a quota) with no room left: freeing space there is what to do, then run again.
FULL = frozenset((errno.ENOSPC, errno.EDQUOT))


def is_full(error: BaseException) -> bool:
    if isinstance(error, sqlite3.Error):  # SQLite says "database or disk is full"
        return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_FULL
    return isinstance(error, OSError) and error.errno in FULL


def cannot_write(where, error: OSError, then: str | None = None) -> str:
    """`cannot write to WHERE: WHY`, and for a full disk `; free space there` (`and THEN`)."""
    why = error.strerror or str(error)
    if not is_full(error):
        return f"cannot write to {where}: {why}"
    return f"cannot write to {where}: {why}; free space there" + (f" and {then}" if then else "")
