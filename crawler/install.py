"""An install that is broken (a module, a data file or a dependency missing: an egg or a copy
made from an incomplete tree) is said as such, never blamed on the site or shown as a traceback.

Nothing here imports the project's other modules: it is what is said when they cannot be imported.
"""
from __future__ import annotations

BROKEN = "the install is broken (reinstall doctor-answers)"


def import_failure(error: ImportError) -> str:
    """One line for a module that cannot be imported, naming it."""
    module = error.name or "a module"
    return f"cannot import {module} ({type(error).__name__}: {error}): {BROKEN}"
