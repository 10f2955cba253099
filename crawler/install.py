"""An install that is broken (a module, a data file or a dependency missing: an egg or a copy
made from an incomplete tree) is said as such, never blamed on the site or shown as a traceback;
so is a machine too small to load it (a memory limit met while modules load: `ulimit -v`, a
cgroup), which is not a broken install.

Nothing here imports the project's other modules: it is what is said when they cannot be imported.
"""
from __future__ import annotations

BROKEN = "the install is broken (reinstall doctor-answers)"
OUT_OF_MEMORY = "out of memory (MemoryError; a memory limit, ulimit -v?)"
# What the dynamic loader says when mapping a compiled module fails for want of memory (ENOMEM).
_LOADER_OUT_OF_MEMORY = ("failed to map segment", "cannot allocate memory")
# What Arrow (an ArrowException) says when a thread of its pools cannot start.
ARROW_NO_THREAD = "Failed to launch worker thread"
NO_THREAD = "could not start a thread: out of memory or too many threads (a memory or process limit, ulimit -v or -u?)"


class MachineFailure(Exception):
    """A read that failed for the machine's want (a thread that could not start, memory), not for
    its file: raised from the Arrow or OS error, so that no handler of a file's faults (one that
    skips the file, or tells the user to repair or move it) takes it for the file's."""


def not_the_file(error: BaseException) -> None:
    """Raise MachineFailure (load_failure's words) from `error` when the machine, not the file
    being read, is why it was raised; else do nothing (the caller says what the file did)."""
    words = load_failure(error)
    if words is not None:
        raise MachineFailure(words) from error


def import_failure(error: ImportError) -> str:
    """One line for a module that cannot be imported, naming it."""
    module = error.name or "a module"
    if any(words in str(error).lower() for words in _LOADER_OUT_OF_MEMORY):
        return f"cannot import {module}: {OUT_OF_MEMORY}"
    return f"cannot import {module} ({type(error).__name__}: {error}): {BROKEN}"


def load_failure(error: BaseException) -> str | None:
    """One line for what kept the program's modules or threads from loading, or None for any
    other error. A thread's stack is memory too: under a memory limit, starting one fails."""
    if isinstance(error, MachineFailure):
        return str(error)
    if isinstance(error, MemoryError):
        return OUT_OF_MEMORY
    if isinstance(error, ImportError):
        return import_failure(error)
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return "cannot start a thread (RuntimeError: can't start new thread; a memory or process limit, ulimit -v or -u?)"
    if ARROW_NO_THREAD in str(error):  # reading Parquet: not the file's fault, nor the data's
        return NO_THREAD
    return None
