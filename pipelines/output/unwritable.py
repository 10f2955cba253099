"""A write that failed, in words a person acts on: where, why, and, for a full disk, what to do."""
from __future__ import annotations

import errno
import os
import resource
import sqlite3

# A disk (or a quota) with no room left: freeing space there is what to do, then run again.
FULL = frozenset((errno.ENOSPC, errno.EDQUOT))


def as_os_error(error: BaseException) -> BaseException:
    """SQLite keeps no errno: its "unable to open database file" is the process out of file
    descriptors (EMFILE) when it has fewer left than SQLite opens at once, and is named so;
    else `error`."""
    if (isinstance(error, sqlite3.Error) and (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_CANTOPEN
            and _descriptors_left() < SQLITE_DESCRIPTORS):
        return OSError(errno.EMFILE, os.strerror(errno.EMFILE))
    return error


# What SQLite may hold open at once: the database, its journal, a temporary file (it closes
# those it opened before failing, so a probe of one file would find room).
SQLITE_DESCRIPTORS = 3


def _descriptors_left() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        return soft - len(os.listdir("/proc/self/fd"))
    except OSError as error:  # no /proc (not Linux), or no descriptor even for that
        return 0 if error.errno == errno.EMFILE else SQLITE_DESCRIPTORS


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
