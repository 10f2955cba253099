"""Which crawls are writing into a folder, and the temporary files of those that died.

Every crawl holds an flock on `<folder>/.<crawl id>.running` (its output folder, and its
archive folder if it keeps one) while it writes (the kernel drops it when the process dies,
even by SIGKILL) and removes the file when it ends. A crawl id runs once at a time: a second
crawl of the same id into the same folder is refused at once (StateError, exit status 5),
where it would wait and then replace the first one's files. The lock file names the crawl's
state folder, if it has one.

A crawl starting in a folder removes the temporary files of crawls whose lock is free (dead)
or that have no lock file (crawls of an older version): a failed or killed crawl's `.tmp`
files would otherwise stay forever (a full disk stays full). Never those of a live crawl
writing into the same folder, and never those of a dead stateful crawl its state will resume:
they may be a sealed batch its resume will commit (the resumed crawl removes the rest itself).
A dead crawl no state will resume (its state says it ended, or was moved away) is dead.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from pipelines.state import EXIT_BUSY, StateError, held_by, holder, resumes

SUFFIX = ".running"
PROBE_PATIENCE = 1.0  # seconds a crawl taking its lock lets another crawl's probe of it pass
# Where the datasets' temporary files are, below an output folder.
DATASET_TEMPORARIES = tuple(f"{folder}/crawl_date=*/.*.tmp" for folder in ("questions", "answers", "doctors", "crawls"))


class RunningCrawl:
    """This crawl's lock in a folder it writes; StateError (exit 5) when a live crawl of the same
    id holds it. `state`: the crawl's state folder, None for a stateless crawl."""

    def __init__(self, root: Path, crawl_id: str, state: Path | str | None = None):
        self.path = root / f".{crawl_id}{SUFFIX}"
        while True:
            self.handle = open(self.path, "a+")  # an OSError here is the output's first write failing
            if not _lock(self.handle):
                self.handle.seek(0)
                held = _holder(self.handle.read())
                self.handle.close()
                raise StateError(f"crawl {crawl_id} is already running into {root}{held}: one crawl id runs once "
                                 "at a time (another CRAWL_ID, or wait for it to end)", EXIT_BUSY)
            # Another crawl may have found the file unlocked before we locked it and removed it as
            # a dead crawl's: then lock a new one.
            if self.path.exists() and self.path.stat().st_ino == os.fstat(self.handle.fileno()).st_ino:
                break
            self.handle.close()
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(json.dumps({"stateful": state is not None,
                                      "state": os.path.abspath(state) if state is not None else None,
                                      **holder()}))  # for the line a second crawl of the id gets
        self.handle.flush()

    def release(self) -> None:
        self.path.unlink(missing_ok=True)
        self.handle.close()


def _lock(handle, patience: float = PROBE_PATIENCE) -> bool:
    """Take the flock; False when a live crawl holds it. Another crawl's probe (`_probe`) holds it
    for a moment: that is tried through for `patience` seconds."""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)


def remove_dead_temporaries(root: Path, own_crawl_id: str, temporaries=DATASET_TEMPORARIES) -> int:
    """Remove the temporary files (globs `temporaries` below `root`) of dead crawls no state will
    resume and this crawl's own leftovers; how many."""
    spared, dead = set(), []
    for lock in root.glob(f".*{SUFFIX}"):
        crawl_id = lock.name[1:-len(SUFFIX)]
        if crawl_id == own_crawl_id:
            continue
        verdict, held = _probe(lock)
        if verdict == "dead":
            dead.append((lock, held))
        else:
            spared.add(crawl_id)
    removed = 0
    try:
        for pattern in temporaries:
            for tmp in root.glob(pattern):
                if _owner(tmp.name, spared) is None:
                    tmp.unlink(missing_ok=True)
                    removed += 1
    finally:
        for lock, held in dead:
            _remove_lock(lock, held)
    return removed


def _probe(lock: Path) -> tuple[str, object]:
    """'live' (its crawl holds it), 'stateful' (dead, its state will resume it), or 'dead', and
    for 'dead' the lock file open and locked: it is removed while held (`_remove_lock`), so a
    crawl that opened it to lock it, and locks it once we let go, sees it gone and takes a new
    one (RunningCrawl), rather than running on with no lock file in the folder."""
    try:
        handle = open(lock)
    except FileNotFoundError:  # its crawl just ended
        return "dead", None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        info = json.loads(handle.read() or "{}")
    except BlockingIOError:
        handle.close()
        return "live", None
    except ValueError:
        info = {}
    verdict = _dead_or_resumed(info, lock.name[1:-len(SUFFIX)])
    if verdict != "dead":
        handle.close()  # released at once: a crawl taking its lock meanwhile waits no longer than this
        return verdict, None
    return verdict, handle


def _dead_or_resumed(info: dict, crawl_id: str) -> str:
    if not info.get("stateful"):
        return "dead"
    state = info.get("state")
    if state is None:  # a lock of an older version: its state is not known, so it may resume
        return "stateful"
    return "stateful" if resumes(state, crawl_id) else "dead"


def _remove_lock(lock: Path, held) -> None:
    """Remove a dead crawl's lock file if it is still the one held (not a new crawl's), then let go."""
    if held is None:
        return
    try:
        if os.stat(lock).st_ino == os.fstat(held.fileno()).st_ino:
            lock.unlink()
    except FileNotFoundError:
        pass
    finally:
        held.close()


def _holder(text: str) -> str:
    """' (pid N, since T)' of a lock file's content; '' when it does not say (a crawl taking it)."""
    info = held_by(text)
    return f" (pid {info['pid']}, since {info['since']})" if info else ""


def _owner(name: str, crawl_ids: set[str]) -> str | None:
    # Temporary names are `.<crawl id>-<part>.parquet.tmp`, `.<crawl id>.parquet.tmp` and
    # `.<crawl id>-<sequence>.warc.gz.tmp`.
    for crawl_id in sorted(crawl_ids, key=len, reverse=True):
        if name.startswith((f".{crawl_id}-", f".{crawl_id}.")):
            return crawl_id
    return None
