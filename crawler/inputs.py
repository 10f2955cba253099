"""The files a command reads: paths given by a person, each a file or a folder of files."""
from __future__ import annotations

import errno
import os
import stat
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from crawler.archive import SUFFIXES as WARC_SUFFIXES
from crawler.settings import DOWNLOAD_MAXSIZE


@dataclass(frozen=True)
class Kind:
    """A kind of file a command reads from a folder: the endings of its names (in any case:
    `B.WARC.GZ` from a Windows share is a WARC file), and the name parts that make a file
    look like one though its name does not end so (`a.warc.zst`, `a.html.gz`, `a.warc.gz.part`):
    such a file is named as not read, never passed over in silence."""
    suffixes: tuple[str, ...]
    looks_like: tuple[str, ...]

    def takes(self, name: str) -> bool:
        return name.lower().endswith(self.suffixes)

    def resembles(self, name: str) -> bool:
        return any(part in self.looks_like for part in Path(name.lower()).suffixes)


# What a browser's "Save as" names a page; a saved page gzipped or in one MHTML file is not read.
PAGES = Kind((".html", ".htm", ".xhtml"), (".html", ".htm", ".xhtml", ".mhtml", ".mht"))
# WARC files gzipped record by record, or not at all; zstd (`.warc.zst`) and the older ARC are not read.
WARCS = Kind(WARC_SUFFIXES, (".warc", ".arc"))

MANY = 5  # entries of one reason named one a line; past it, the rest in one counted line


def shown(path) -> str:
    """A path as a message line may show it, as `query` shows a text and `schedule` a server's
    words: a byte that is not UTF-8 as `\\xe9`, a newline, an ESC or a bidi override escaped
    (`\\n`, `\\x1b`, `\\u202e`): a file name cannot split a line or drive the terminal."""
    text = os.fsencode(str(path)).decode("utf-8", "backslashreplace")
    return text if text.isprintable() else "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def files_in(paths, kinds: tuple[Kind, ...]) -> tuple[list[Path], list[str], list[str]]:
    """(files, one error line per path that gives none, one line per entry of a folder not
    taken that is said): a file as it is; a folder's files of `kinds`, sorted (hidden ones and
    those in hidden folders, such as a writer's temporaries, never, and in silence); each file
    once, however many paths or links name it. The entries said (`not_taken`): a file that
    looks like one of `kinds` but is not, and anything that is neither a file nor a folder (a
    link to nothing, a link loop, a pipe, a device) or cannot be listed."""
    files: dict[tuple[int, int], Path] = {}  # the file (device, inode) -> the path it was first named by
    errors: list[str] = []
    skipped: list[tuple[str, Path]] = []  # (why, entry)
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = {}  # entry -> its identity, from the one stat that found it a file
            for entry, identity, why in _entries(path, kinds):
                if why is None:
                    found[entry] = identity
                else:
                    skipped.append((why, entry))
            if not found:
                errors.append(f"{shown(p)}: no {_names(kinds)} files in folder")
            for f in sorted(found):
                files.setdefault(found[f], f)
        elif path.is_file():
            files.setdefault(_identity(path.stat()), path)
        elif path.exists():  # a pipe, a device (/dev/stdin): a WARC is read by offset, which they cannot give
            errors.append(f"{shown(p)}: not a regular file (a pipe or a device): save it to a file first")
        else:
            errors.append(f"{shown(p)}: no such file or folder")
    return list(files.values()), errors, _said(skipped)


def _names(kinds) -> str:
    endings = [suffix for kind in kinds for suffix in kind.suffixes]
    return ", ".join(endings[:-1]) + " or " + endings[-1] if len(endings) > 1 else endings[0]


def _said(skipped: list[tuple[str, Path]]) -> list[str]:
    """One line per entry not taken, `MANY` at most of one reason, then one line counting the rest."""
    by_reason: dict[str, list[Path]] = defaultdict(list)
    for why, entry in skipped:
        by_reason[why].append(entry)
    lines = []
    for why, entries in by_reason.items():
        lines.extend(f"{shown(entry)}: passed over ({why})" for entry in sorted(entries)[:MANY])
        if len(entries) > MANY:
            lines.append(f"{len(entries) - MANY} more entries passed over ({why})")
    return lines


def _identity(status: os.stat_result) -> tuple[int, int]:
    """The file a path names (`status`: its stat, through symbolic links), through symbolic
    and hard links alike (a `cp -l` backup)."""
    return status.st_dev, status.st_ino


def _entries(folder: Path, kinds):
    """(entry, its identity, None) for each file below a folder of `kinds`, (entry, None, why)
    for each entry said as not taken; through linked folders too (each real folder once: a link back up is no
    loop), nothing hidden nor in a hidden folder."""
    not_read = f"not read: only names ending in {_names(kinds)}, in any case, are"
    seen: set[str] = set()
    unlisted: list[OSError] = []  # folders os.walk could not list (Permission denied)
    for here, folders, names in os.walk(folder, followlinks=True, onerror=unlisted.append):
        while unlisted:
            error = unlisted.pop()
            yield Path(error.filename), None, _not_listed(error)
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if not name.startswith("."):
                entry = Path(here, name)
                identity, why = _a_file(entry)
                if why is None and not any(kind.takes(name) for kind in kinds):
                    if not any(kind.resembles(name) for kind in kinds):
                        continue  # a file of another kind (a page's images, a README): not ours
                    identity, why = None, not_read
                yield entry, identity, why
    for error in unlisted:  # the folder given itself
        yield Path(error.filename), None, _not_listed(error)


def _not_listed(error: OSError) -> str:
    return f"a folder that cannot be listed: {error.strerror or error}"


def _a_file(entry: Path) -> tuple[tuple[int, int] | None, str | None]:
    """(its identity, None) for an entry os.walk lists beside the folders that is a regular
    file, else (None, why it is none): one stat tells both."""
    try:
        status = entry.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "a symbolic link loop"
        if error.errno == errno.ENOENT:
            return None, "a symbolic link to nothing (a disk not mounted, a file moved?)"
        return None, f"cannot be read: {error.strerror or error}"
    if stat.S_ISREG(status.st_mode):
        return _identity(status), None
    if stat.S_ISFIFO(status.st_mode):
        return None, "a pipe, not a file"
    if stat.S_ISSOCK(status.st_mode):
        return None, "a socket, not a file"
    return None, "a device, not a file"


def too_big(size: int) -> str | None:
    """Why a page of `size` bytes (a saved file, an archived body) is not read, or None: past
    DOWNLOAD_MAXSIZE a crawl reads no page (its download is cancelled), and reading one takes
    some sixty times its size in memory."""
    if size <= DOWNLOAD_MAXSIZE:
        return None
    return f"not read: larger than DOWNLOAD_MAXSIZE ({DOWNLOAD_MAXSIZE} bytes), the most a crawl reads of a page"
