"""The arguments of each `doctor-answers` command, validated once, here.

One model per command, as zyte-spider-templates has one parameters model per spider: a dataclass
whose fields name their validator. `crawler.cli` declares the options (names, help, defaults) with
argparse and hands what it parsed to `validate()` before the command runs, so a bad argument stops
the command before anything is fetched or written: one line, exit status 2.

Each validator takes the text of one value and returns it converted, or raises ArgumentError (an
argparse.ArgumentTypeError, so a validator can also serve as an argparse `type=`).
"""
from __future__ import annotations

import argparse
import difflib
import io
import json
import math
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from crawler.inputs import shown
from crawler.spiders.arguments import QuestionsArguments, SpiderArgumentError, check_http_url
from pipelines.output.names import data_folder, enclosing_data_folder, written_crawl


class ArgumentError(argparse.ArgumentTypeError):
    """A bad argument; the message is one line."""


# ---- validators of one value ----

def whole_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"not a whole number: {value!r}") from None
    if abs(number) > MAX_WHOLE:  # what a 64-bit integer holds: a count, a size, a seed
        bound = f"at most {MAX_WHOLE}" if number > 0 else f"at least -{MAX_WHOLE}"
        raise ArgumentError(f"must be {bound}: {value!r}")
    return number


def positive_int(value) -> int:
    number = whole_number(value)
    if number < 1:
        raise ArgumentError(f"must be at least 1: {value!r}")
    return number


def processes(value) -> int:
    number = positive_int(value)
    if number > MAX_PROCESSES:
        raise ArgumentError(f"must be at most {MAX_PROCESSES}: {value!r}")
    return number


def non_negative_int(value) -> int:
    number = whole_number(value)
    if number < 0:
        raise ArgumentError(f"must be 0 or more: {value!r}")
    return number


def non_negative_number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"not a number: {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ArgumentError(f"must be a finite number, 0 or more: {value!r}")
    return number


def positive_number(value) -> float:
    number = non_negative_number(value)
    if number == 0:
        raise ArgumentError(f"must be more than 0: {value!r}")
    return number


def timeout(value) -> float:
    number = positive_number(value)
    if number > 86400:   # past a day, the clocks' and sockets' own limits raise OverflowError
        raise ArgumentError(f"at most 86400 seconds (a day): {value!r}")
    return number


def port(value) -> int:
    number = whole_number(value)
    if not 0 <= number <= 65535:
        raise ArgumentError(f"not a port (0 to 65535): {value!r}")
    return number


def http_url(value: str) -> str:
    """A start URL, by the rule the spider checks its `-a start_url` with."""
    try:
        return check_http_url(value)
    except SpiderArgumentError as e:
        raise ArgumentError(str(e)) from None


def scrapyd_url(value: str) -> str:
    """Scrapyd's address, checked as a start URL is; never echoed with its user:password@."""
    from crawler.scrapyd import without_credentials

    try:
        return check_http_url(value)
    except SpiderArgumentError:
        raise ArgumentError(f"not an http(s) URL: {without_credentials(value)!r}") from None


def name(value: str) -> str:
    if not value or not value.strip():
        raise ArgumentError("must not be empty")
    return value


def absolute(value: str) -> str:
    """`value` as an absolute path (not normalised). Only a relative one needs the working
    folder; when that folder was deleted (a shell or a cron job left in a removed folder), it
    is one line, not os.getcwd()'s FileNotFoundError."""
    if os.path.isabs(value):
        return value
    try:
        return os.path.join(os.getcwd(), value)
    except OSError:
        raise ArgumentError(f"{value!r} is a relative path and the working folder is gone: "
                            "give an absolute path") from None


def path(value: str) -> str:
    """A file or folder to read, as given: a relative one only while the working folder is there."""
    absolute(value)
    return value


def leave_a_deleted_working_folder() -> None:
    """Run from / when the working folder was deleted. Every path argument has been checked by
    then (a relative one is refused), and Scrapy (it looks for scrapy.cfg from there), DuckDB and
    the interpreters of the extraction workers all fail without a working folder."""
    try:
        os.getcwd()
    except FileNotFoundError:
        os.chdir("/")


# os.path's exists/isdir answer False for any path they cannot look at (a name too long, a NUL
# byte, a folder without permission), where pathlib may raise.

def _first_existing(path: Path) -> Path:
    while not os.path.exists(path) and path != path.parent:
        path = path.parent
    return path


# The most a path may hold (Linux's PATH_MAX, its closing NUL included): past it, ENAMETOOLONG.
PATH_MAX = 4096
CRAWL_ID_MAX = 100  # characters of a crawl id (crawl_id)
# The longest path written under a folder a command is given (a data, state, archive or log
# folder), relative to it: a dataset's temporary file of a crawl id at its longest, its part
# number past five digits (pipelines.output.parquet). The crawls row's, the latest view's, a
# WARC's, the log's, the state's and the write probes' are shorter.
LONGEST_WRITTEN = len(f"questions/crawl_date=0000-00-00/.{'x' * CRAWL_ID_MAX}-000000.parquet.tmp")


def text_path(value: str) -> str:
    """A path pyarrow or DuckDB is given, or a crawls row holds (a data folder, an archive to
    reparse): UTF-8 text, as given and where its links lead, as they take it. A name in latin-1
    (`caf\\xe9`, from an older tool) failed only once the whole crawl was fetched. (A log, a
    state or an archive to write is opened by Python, which takes any name.)"""
    for place in dict.fromkeys((absolute(value), os.path.realpath(absolute(value)))):
        try:
            place.encode("utf-8")
        except UnicodeEncodeError:
            raise ArgumentError(f"'{shown(place)}' is not UTF-8 text (a name in another encoding, latin-1?): the "
                                "datasets, their readers and the crawls row take UTF-8 paths only; rename it, or "
                                "choose another place") from None
    return value


def room_to_write(value: str, folder: str) -> None:
    """ArgumentError unless the files written in `folder` (for `value`, a file or folder to
    write) stay within PATH_MAX, its longest (LONGEST_WRITTEN) too: a log's path past it was a
    traceback, a data folder's a whole crawl fetched, then "File name too long"."""
    for place in dict.fromkeys((absolute(folder), os.path.realpath(absolute(folder)))):
        if len(os.fsencode(place)) + 1 + LONGEST_WRITTEN >= PATH_MAX:
            raise ArgumentError(f"cannot write under '{shown(value)}': its path is {len(os.fsencode(place))} bytes, and files "
                                f"written in it add up to {LONGEST_WRITTEN} more, past the {PATH_MAX - 1} a path may "
                                "hold; choose a shorter one")


def output_folder(value: str) -> str:
    """A folder that is there, or can be made: nothing on its way is a file, and the files
    written in it can be named (room_to_write)."""
    if not value:
        raise ArgumentError("must not be empty")
    path = Path(absolute(value))   # not normalised: `a-file/../x` cannot be made either
    room_to_write(value, value)
    existing = _first_existing(path)
    longest = max(len(os.fsencode(part)) for part in path.parts)
    if longest > 255:   # NAME_MAX of the usual file systems
        raise ArgumentError(f"cannot make folder {value!r}: a name in it is longer than 255 bytes")
    if not os.path.isdir(existing):
        if existing == path:
            raise ArgumentError(f"not a folder: {value!r} is a file")
        raise ArgumentError(f"not a folder: {value!r} is under {str(existing)!r}, which is a file")
    if existing != path and not os.access(existing, os.W_OK | os.X_OK):
        raise ArgumentError(f"cannot make folder {value!r}: {str(existing)!r} is not writable")
    return value


def data_to_write(value: str) -> str:
    """A data folder to write: one that can be made, and not inside another data folder's
    datasets or latest view, whose readers would take its files for their own; text, as its
    files' paths must be for pyarrow (text_path)."""
    output_folder(value)
    text_path(value)
    if (up := enclosing_data_folder(absolute(value))) is not None:
        raise ArgumentError(f"{value!r} is inside the data folder {str(up)!r}: its readers would read this one's files "
                            "as its own; choose a place outside it (beside it, say)")
    return value


def existing_folder(value: str) -> str:
    if not value or not os.path.exists(absolute(value)):
        raise ArgumentError(f"no such folder: {value!r}")
    if not os.path.isdir(value):
        raise ArgumentError(f"not a folder: {value!r} is a file")
    return value


def data_to_read(value: str) -> str:
    """A data folder to read: there, a folder, text (its readers take UTF-8 paths only), and
    not a folder inside one (`data/latest`)."""
    existing_folder(value)
    text_path(value)
    try:
        data_folder(value)
    except ValueError as error:
        raise ArgumentError(str(error)) from None
    return value


def output_file(value: str) -> str:
    """A file to write: not a folder, and its folder is there."""
    if not value:
        raise ArgumentError("must not be empty")
    if os.path.isdir(value):
        raise ArgumentError(f"not a file: {value!r} is a folder")
    folder = os.path.dirname(os.path.normpath(absolute(value)))
    if not os.path.isdir(folder):
        raise ArgumentError(f"no such folder: {folder!r} (for {value!r})")
    room_to_write(value, folder)
    return value


REPORT_MARK = '<meta name="generator" content="doctor-answers report">'  # in every report's <head>
REPORT_NAME = "report.html"  # a data folder's report, by default: `report`'s and `crawl --report`'s


def report_target(data: str, out: str | None = None) -> str:
    """Where a report of the data folder `data` is written, decided and checked once, here: `out`
    (a folder: its report.html), by default `data`'s report.html. Whichever way it was decided, it
    must be a new .html file or a report of ours (through links: the file they name), outside the
    folders readers of `data` load whole; anything else would be replaced by the report (a
    dataset's Parquet file, a log, a device behind a link)."""
    if out is None:
        place = os.path.join(data, REPORT_NAME)
    elif not out:
        raise ArgumentError("must not be empty")
    else:
        place = os.path.join(out, REPORT_NAME) if os.path.isdir(absolute(out)) else out
    path = Path(absolute(place)).resolve()
    if path.suffix.lower() not in (".html", ".htm"):
        raise ArgumentError(f"not an .html file: {place!r} (a report replaces the file it is written to)")
    if path.is_dir():
        raise ArgumentError(f"not a file: {place!r} is a folder")
    if out is not None:  # a data folder not there yet is made by the crawl (or has nothing to report)
        output_file(str(path))
    if path.exists() and not _is_report(path):
        elsewhere = "`report --out FILE`" if out is None else "another --out"  # crawl --report has no --out of its own
        raise ArgumentError(f"{place!r} is there and is no report of doctor-answers: it would be replaced; "
                            f"move it away, or write the report with {elsewhere}")
    outside_datasets(place, data, "the report")
    return place


def _binary(path: Path) -> bool:
    """Whether a file's first bytes hold a NUL, which no text (a log) does."""
    try:
        with open(path, "rb") as f:
            return b"\0" in f.read(4096)
    except OSError:  # not readable: what writing it meets is said then
        return False


def _is_report(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return REPORT_MARK.encode() in file.read(4096)
    except OSError:
        return False


# What readers of a data folder load whole (DATASETS.md: pandas, pyarrow and Spark take a
# dataset's folder): a log, a state, an archive or a report there breaks them, and under the
# latest view (a link into .latest) the next generation deletes it.
_READ_WHOLE = ("questions", "answers", "doctors", "crawls", "latest", ".latest")


def outside_datasets(value: str, out: str, what: str) -> None:
    """ArgumentError when `value`, a file or folder of ours, is in a folder of the data folder
    `out` that readers load whole (through links: the place it would be written)."""
    path = Path(os.path.realpath(absolute(value)))
    for name in _READ_WHOLE:
        folder = Path(os.path.realpath(os.path.join(absolute(out), name)))
        if path.is_relative_to(folder):
            raise ArgumentError(f"{what}: {value!r} is inside {str(folder)!r}, which readers of the data folder load "
                                f"whole: choose a place outside its {name}/")
    # another data folder's (one holding committed crawls rows): its readers break the same way
    for folder in path.parents:
        if folder.name in _READ_WHOLE and (folder.parent / "crawls").is_dir():
            raise ArgumentError(f"{what}: {value!r} is inside {str(folder)!r}, which readers of the data folder "
                                f"{str(folder.parent)!r} load whole: choose a place outside its {folder.name}/")


def log_file(value: str) -> str:
    """A file to log to (its folders are made), or "-" for stderr; not a folder, and one that can
    be written: a log that cannot is found out now, not by a crawl logging to stderr instead.
    `--log-file` and `-s LOG_FILE` both (one meaning, whatever the value)."""
    if not value:
        raise ArgumentError("must not be empty")
    if value == "-":
        return value
    path = Path(absolute(value))
    room_to_write(value, str(path.parent))
    if os.path.isdir(path):
        raise ArgumentError(f"not a file: {value!r} is a folder")
    existing = _first_existing(path)
    if existing == path and not os.access(path, os.W_OK):
        raise ArgumentError(f"cannot write the log {value!r}: it is not writable")
    if existing == path and _binary(path):  # a state's SQLite file, a WARC, a Parquet file: a log appends to it
        raise ArgumentError(f"{value!r} is there and is no log (its bytes are not text): the log would be appended "
                            "to it; choose another file")
    if existing != path:
        if not os.path.isdir(existing):
            raise ArgumentError(f"cannot make the log {value!r}: {str(existing)!r} is a file")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ArgumentError(f"cannot make the log {value!r}: {str(existing)!r} is not writable")
    return value


def faults(value: str) -> str:
    from reference_site.faults import Faults

    try:
        Faults.parse(value)
    except ValueError as exc:
        raise ArgumentError(str(exc)) from None
    return value


# ---- `-s NAME=VALUE`: the value must fit the type of the setting's default ----

# Numbers whose default is a number must be 0 or more, except priority adjustments (Scrapy's
# DEPTH_PRIORITY=-1 is how a breadth-first crawl is asked for). These must be more than 0: at 0 a
# crawl waits forever (concurrency), spins (intervals) or cannot write a row (sizes).
POSITIVE_SETTINGS = {
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS",
    "AUTOTHROTTLE_TARGET_CONCURRENCY", "PROGRESS_INTERVAL",
    "PARQUET_ROW_GROUP_ROWS", "PARQUET_ROW_GROUP_BYTES", "PARQUET_FILE_ROWS", "ARCHIVE_FILE_BYTES",
}
# Numbers with a ceiling: processes start before the first request, ~20 MB each; past a few
# per core they only cost memory and start-up (150 took 3 GB and 13 s).
MAX_PROCESSES = 64
AT_MOST = {"EXTRACT_PROCESSES": MAX_PROCESSES}
# What any number setting can be and still be used: a whole number a 64-bit integer holds (a
# count, a size), a decimal a timer takes (seconds are waited on by timers whose milliseconds
# are a 32-bit integer: 24 days; `1e30` seconds killed every extraction worker).
MAX_WHOLE, MAX_DECIMAL = 2**63 - 1, 2_147_483
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def setting_default(setting_name: str):
    """The default of a setting: the project's (crawler/settings.py), else Scrapy's; None if neither."""
    import crawler.settings as project

    if hasattr(project, setting_name):
        return getattr(project, setting_name)
    from scrapy.settings import default_settings

    return getattr(default_settings, setting_name, None)


# Settings whose default is a whole number but that are read as decimals (getfloat): seconds.
# Every other setting with a whole-number default is read with getint(), which takes no `1.5`
# (nor `1e7`): refused here, not cut to 1 in silence or a ValueError once the crawl starts.
DECIMAL_SETTINGS = {"DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "DNS_TIMEOUT", "CLOSESPIDER_TIMEOUT", "EXTRACT_PAGE_TIMEOUT"}


def whole_setting(setting_name: str) -> bool:
    default = setting_default(setting_name)
    return type(default) is int and setting_name not in DECIMAL_SETTINGS


def setting_number(setting_name: str, text: str) -> int | float:
    text = text.strip()
    try:
        number = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            raise ArgumentError(f"{setting_name} must be a number: {text!r}") from None
        if whole_setting(setting_name):
            raise ArgumentError(f"{setting_name} must be a whole number: {text!r}") from None
        if not math.isfinite(number):
            raise ArgumentError(f"{setting_name} must be a finite number: {text!r}")
    if number <= 0 and setting_name in POSITIVE_SETTINGS:
        raise ArgumentError(f"{setting_name} must be more than 0: {text!r}")
    if number < 0 and "PRIORITY" not in setting_name:
        raise ArgumentError(f"{setting_name} must be 0 or more: {text!r}")
    if number > AT_MOST.get(setting_name, math.inf):
        raise ArgumentError(f"{setting_name} must be at most {AT_MOST[setting_name]}: {text!r}")
    ceiling = MAX_WHOLE if isinstance(number, int) else MAX_DECIMAL
    if number > ceiling:
        raise ArgumentError(f"{setting_name} must be at most {ceiling}: {text!r}")
    return number


def setting_value(setting_name: str, text: str):
    """`text` converted to the type of the setting's default (a setting without one stays text)."""
    if setting_name in PATH_SETTINGS:
        try:
            return PATH_SETTINGS[setting_name](text)
        except ArgumentError as exc:
            raise ArgumentError(f"{setting_name}: {exc}") from None
    default = setting_default(setting_name)
    if setting_name == "USER_AGENT" and not text.strip():  # Scrapy would send none
        raise ArgumentError("USER_AGENT must not be empty: a polite crawler says who it is")
    if setting_name in LOG_TEXT_SETTINGS:
        return LOG_TEXT_SETTINGS[setting_name](text)
    if isinstance(default, bool):
        if text.strip().lower() in TRUE:
            return True
        if text.strip().lower() in FALSE:
            return False
        raise ArgumentError(f"{setting_name} must be true or false (1 or 0): {text!r}")
    if isinstance(default, (int, float)):
        return setting_number(setting_name, text)
    if isinstance(default, dict):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            raise ArgumentError(f"{setting_name} must be a JSON object: {text!r}")
        if setting_name.endswith("_BASE"):  # Scrapy's own components: robots.txt, its limits, its stats
            raise ArgumentError(f"{setting_name} is not to be replaced: turn one of its components off with null "
                                f"in {setting_name.removesuffix('_BASE')}")
        if setting_name == "FEEDS" and not all(isinstance(options, dict) for options in value.values()):
            raise ArgumentError(f"FEEDS must map each feed URI to a JSON object of its options: {text!r}")
        if setting_name in COMPONENT_SETTINGS:  # {"module.Class": order or null}
            # -s replaces the project's dict (Scrapy merges only its own *_BASE): one that
            # leaves out this project's components drops them, the archive and the latest view
            # among them, in silence. Each must be named; null turns one off knowingly.
            if dropped := [path for path in default or {} if path not in value]:
                raise ArgumentError(f"{setting_name} replaces this project's, and would drop {', '.join(dropped)}: "
                                    "name them too (null turns one off)")
            for path, order in value.items():
                _importable(setting_name, path)
                if order is not None and (type(order) is not int):
                    raise ArgumentError(f"{setting_name}: the order of {path} must be a whole number or null: {order!r}")
        return value
    if isinstance(default, (list, tuple)):
        items = [item.strip() for item in text.split(",") if item.strip()]
        if default and all(isinstance(item, int) and not isinstance(item, bool) for item in default):
            try:
                return [int(item) for item in items]
            except ValueError:
                raise ArgumentError(f"{setting_name} must be whole numbers separated by commas: {text!r}") from None
        return items
    if isinstance(default, str) and _DOTTED.fullmatch(default):  # a class Scrapy loads (SCHEDULER, STATS_CLASS)
        _importable(setting_name, text.strip())
    return text


def log_level(text: str) -> str:
    """A level's name in any case, as Python's logging knows it (Scrapy's set-up takes only upper case)."""
    if text.strip().upper() not in LOG_LEVELS:
        raise ArgumentError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}: {text!r}")
    return text.strip().upper()


def log_encoding(text: str) -> str:
    """A text codec Python knows: the log file is opened with it (io.TextIOWrapper's own check)."""
    try:
        io.TextIOWrapper(io.BytesIO(), encoding=text.strip())
    except (LookupError, ValueError) as error:  # unknown, or no text codec (rot13, zlib)
        raise ArgumentError(f"LOG_ENCODING must be a text encoding Python knows (utf-8): {text!r} ({error})") from None
    return text.strip()


def log_format(text: str) -> str:
    """A format that writes a log line: one that cannot (`%(nokey)s`) printed a `--- Logging
    error ---` traceback per record on stderr and left the log empty, the crawl saying `finished`."""
    _sample_log_line("LOG_FORMAT", text, setting_default("LOG_DATEFORMAT"), setting_default("LOG_ENCODING"))
    return text


def log_date_format(text: str) -> str:
    _sample_log_line("LOG_DATEFORMAT", "%(asctime)s %(message)s", text, setting_default("LOG_ENCODING"))
    return text


def _sample_log_line(what: str, fmt: str, datefmt: str, encoding: str) -> None:
    """A log record formatted as the log's handler formats it, and encoded as its file is written."""
    import logging

    record = logging.LogRecord("scrapy.core.engine", logging.INFO, __file__, 1, "Spider opened: %s", ("questions",),
                               None)
    try:
        logging.Formatter(fmt, datefmt).format(record).encode(encoding)
    except Exception as error:  # KeyError, ValueError, TypeError, UnicodeEncodeError: whatever writing it says
        raise ArgumentError(f"{what} cannot write a log line: ({type(error).__name__}: {error})") from None


# Settings Scrapy's log set-up reads, before anything else of a crawl runs: checked for what
# they must be, not only for their default's type (booleans are, by the type of their default).
LOG_TEXT_SETTINGS = {"LOG_LEVEL": log_level, "LOG_ENCODING": log_encoding, "LOG_FORMAT": log_format,
                     "LOG_DATEFORMAT": log_date_format}


# Settings of Scrapy components by class path, each with its order; and the shape of a class path.
COMPONENT_SETTINGS = {"ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS",
                      "ADDONS", "SPIDER_CONTRACTS"}
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def _importable(setting_name: str, path: str) -> None:
    """A class path Scrapy would load: loaded now, so a typo is one line, not a traceback mid-start."""
    from scrapy.utils.misc import load_object

    try:
        load_object(path)
    except Exception as error:  # NameError, ImportError, ValueError: whatever load_object says
        raise ArgumentError(f"{setting_name}: cannot load {path!r} ({type(error).__name__})") from None


def unknown_setting(setting_name: str) -> str | None:
    """A warning for a name that is no setting of Scrapy or this project (a typo?); None for a
    known one. A plugin's setting is unknown here too, so this warns, it does not refuse."""
    known = _known_settings()
    if setting_name in known:
        return None
    close = difflib.get_close_matches(setting_name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{setting_name} is no setting of Scrapy or this project{hint}; set as given"


def _known_settings() -> list[str]:
    import crawler.settings as project
    from scrapy.settings import default_settings

    return sorted({name for module in (project, default_settings) for name in vars(module) if name.isupper()})


def crawl_id(value: str) -> str:
    """A crawl id names files (its log, its rows' files): a plain name, no path."""
    if not _CRAWL_ID.fullmatch(value or ""):
        raise ArgumentError(f"must be letters, digits, '.', '_' or '-' (a file name, no path): {value!r}")
    return value


_CRAWL_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{CRAWL_ID_MAX - 1}}}")

# Settings that name a place to write (or a name files are written under), checked as the
# options that set them are.
PATH_SETTINGS = {"DATA_DIR": data_to_write, "STATE_DIR": output_folder, "LOG_FILE": log_file,
                 "ARCHIVE_DIR": output_folder, "CRAWL_ID": crawl_id}

# Scrapy features no crawl of this project may use: they make its data wrong. What to use instead.
REFUSED_SETTINGS = {
    "JOBDIR": "Scrapy's pause and resume loses the requests a stopped crawl dropped (it marks them seen); "
              "use --state (STATE_DIR), which resumes a crawl without losing a page",
    "HTTPCACHE_ENABLED": "pages replayed from Scrapy's HTTP cache would be recorded as fetched now; keep what "
                         "was fetched with --archive and extract it again with `doctor-answers reparse`",
}


def check_crawl_settings(settings, out) -> None:
    """What a crawl is refused, however it is started (`doctor-answers crawl -s`, `scrapy crawl
    -s`, a Scrapyd job's settings): `settings` maps a setting's name to its value."""
    for setting_name, why in REFUSED_SETTINGS.items():
        value = settings.get(setting_name)
        if value is True or isinstance(value, str) and value.strip().lower() not in ("", *FALSE):
            raise ArgumentError(f"{setting_name} is not supported: {why}")
    longest = _seconds(settings, "CRAWL_DELAY_MAX")
    for setting_name in ("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY"):
        if longest and _seconds(settings, setting_name) > longest:
            raise ArgumentError(f"{setting_name} is above CRAWL_DELAY_MAX ({longest:g} s), the longest wait between "
                                "requests a crawl accepts from a site's robots.txt: set CRAWL_DELAY_MAX too if you "
                                "mean it")
    for setting_name in ("STATE_DIR", "ARCHIVE_DIR", "LOG_FILE"):
        if out and settings.get(setting_name) not in (None, "", "-"):
            outside_datasets(settings.get(setting_name), out, setting_name)
    # Each was checked alone; together (a format's text in the log's encoding) they must still write a line.
    log = [settings.get(name) or setting_default(name) for name in ("LOG_FORMAT", "LOG_DATEFORMAT", "LOG_ENCODING")]
    _sample_log_line("LOG_FORMAT, LOG_DATEFORMAT and LOG_ENCODING", *log)
    given = settings.get("CRAWL_ID")
    if given and out and written_crawl(Path(out), crawl_id(given)) and not _resumed(settings, given):
        raise ArgumentError(f"CRAWL_ID {given!r} is a crawl already written to {out}: an id names one crawl")


def _resumed(settings, given_id: str) -> bool:
    """Whether the crawl's state resumes the crawl `given_id` names: the same command run again
    after an interrupt, whose files in DIR are its own. The session checks again under the
    state's lock (CrawlSession._hold_new) when the state turns out to begin a new crawl."""
    from pipelines.state import resumes

    state = settings.get("STATE_DIR")
    return bool(state) and resumes(state, given_id)


def spider_arguments(arguments: dict) -> tuple[str, ...]:
    """The questions spider's `-a NAME=VALUE` (a Scrapyd job's fields), its start URLs: checked
    before `scrapy crawl` starts the crawl, as `doctor-answers crawl` checks its START_URLs.
    Left to the spider, a bad one opened a crawl only to write a failed row."""
    try:
        return QuestionsArguments.parse(**arguments).start_urls
    except SpiderArgumentError as exc:
        raise ArgumentError(str(exc)) from None


def _seconds(settings, setting_name: str) -> float:
    value = settings.get(setting_name)
    return float(setting_default(setting_name) if value is None else value)


def setting(value: str) -> tuple[str, object]:
    setting_name, sep, text = value.partition("=")
    if not sep or not setting_name.isidentifier():
        raise ArgumentError(f"expected NAME=VALUE: {value!r}")
    return setting_name, setting_value(setting_name, text)


# ---- one model per command ----

def arg(check=None, option: str | None = None, optional: bool = False):
    """A field: `check` validates each value (each item of a list), `option` names it in errors
    (default --field-name); None is let through when `optional`."""
    return field(metadata={"check": check, "option": option, "optional": optional})


def reference_site_size(questions: int, day: int) -> None:
    from reference_site.site import check_size

    try:
        check_size(questions, day)
    except ValueError as exc:
        raise ArgumentError(f"argument --questions: {exc}") from None


@dataclass
class SiteArguments:
    host: str = arg(name)
    port: int = arg(port)
    questions: int = arg(positive_int)
    seed: int = arg(whole_number)
    day: int = arg(non_negative_int)
    faults: str = arg(faults)
    truth: str | None = arg(output_file, optional=True)
    crawl_delay: float | None = arg(non_negative_number, optional=True)

    def check(self) -> None:
        reference_site_size(self.questions, self.day)


@dataclass
class ExtractArguments:
    paths: list = arg(path, "PATH")
    url: str | None = arg(http_url, optional=True)

    def check(self) -> None:
        # one URL is one page's: given to a folder's pages, different questions shared it
        if self.url is not None and (len(self.paths) > 1 or not os.path.isfile(self.paths[0])):
            raise ArgumentError("argument --url: the URL of one saved page, given with one file: "
                                f"{', '.join(self.paths)[:200]} may hold many pages")


def archive(value: str) -> str:
    """An archive to reparse: a path to read, which its crawls row names (text_path)."""
    return text_path(path(value))


@dataclass
class ReparseArguments:
    archives: list = arg(archive, "ARCHIVE")
    out: str = arg(data_to_write)


# The crawl's options and the setting each sets. Given both ways they must agree: neither
# has a last word the other would silently lose.
OPTION_SETTINGS = {"out": "DATA_DIR", "state": "STATE_DIR", "max_pages": "CLOSESPIDER_PAGECOUNT",
                   "archive": "ARCHIVE_DIR", "log_file": "LOG_FILE", "log_level": "LOG_LEVEL"}


def _same_value(option_value, setting_value) -> bool:
    if option_value == setting_value:
        return True
    if isinstance(option_value, str) and isinstance(setting_value, str):
        if "-" in (option_value, setting_value):  # stderr, not the file `./-`
            return False
        if option_value.upper() == setting_value.upper() and option_value.upper() in LOG_LEVELS:
            return True
        # one place however it is spelled: `..`, a link to it
        return os.path.realpath(absolute(option_value)) == os.path.realpath(absolute(setting_value))
    return option_value == setting_value


@dataclass
class CrawlArguments:
    start_urls: list = arg(http_url, "START_URL")
    out: str | None = arg(data_to_write, optional=True)  # None: -s DATA_DIR, or data/
    max_pages: int | None = arg(positive_int, optional=True)
    state: str | None = arg(output_folder, optional=True)
    settings: list = arg(setting, "-s/--set")
    archive: str | None = arg(output_folder, optional=True)
    log_file: str | None = arg(log_file, optional=True)
    log_level: str | None = arg(optional=True)
    report: bool = arg()

    def check(self) -> None:
        given = dict(self.settings)
        for option, setting_name in OPTION_SETTINGS.items():
            value = getattr(self, option)
            if value is not None and setting_name in given and not _same_value(value, given[setting_name]):
                flag = "--" + option.replace("_", "-")
                raise ArgumentError(f"argument -s/--set: {setting_name}={given[setting_name]} and {flag} {value} "
                                    "disagree: give one of them")
        self.out = self.out or given.get("DATA_DIR")
        if self.out is None:   # the default folder is checked as a given one is
            try:
                self.out = data_to_write(setting_default("DATA_DIR"))
            except ArgumentError as exc:
                raise ArgumentError(f"argument --out: {exc}") from None
        if self.state is not None:  # the setting the option sets, as the crawl reads it
            given.setdefault("STATE_DIR", self.state)
        try:
            check_crawl_settings(given, self.out)
        except ArgumentError as exc:
            raise ArgumentError(f"argument -s/--set: {exc}") from None
        for option in ("state", "archive", "log_file"):
            if getattr(self, option) not in (None, "-"):
                outside_datasets(getattr(self, option), self.out, "argument --" + option.replace("_", "-"))
        if self.report and given.get("REPORT") is False:  # a flag: given, it is true
            raise ArgumentError("argument -s/--set: REPORT=false and --report disagree: give one of them")
        if self.report or given.get("REPORT"):  # refused now, not once the crawl is done
            try:
                report = report_target(self.out)
            except ArgumentError as exc:
                raise ArgumentError(f"argument --report: {exc}") from None
            log = self.log_file or given.get("LOG_FILE")
            if log not in (None, "-") and os.path.realpath(absolute(log)) == os.path.realpath(report):
                raise ArgumentError(f"argument --log-file: {log!r} is where --report writes the crawl's report: "
                                    "one would replace the other")


@dataclass
class DemoArguments:
    out: str = arg(data_to_write)
    questions: int = arg(positive_int)
    seed: int = arg(whole_number)

    def check(self) -> None:
        reference_site_size(self.questions, 0)


@dataclass
class QueryArguments:
    sql: str = arg(name, "SQL")
    data: str = arg(data_to_read)
    max_rows: int = arg(positive_int)


@dataclass
class ScheduleArguments:
    start_urls: list = arg(http_url, "START_URL")
    scrapyd: str = arg(scrapyd_url)
    project: str = arg(name)
    out: str = arg(data_to_write)
    state: str | None = arg(output_folder, optional=True)
    max_pages: int | None = arg(positive_int, optional=True)
    timeout: float = arg(timeout)

    def check(self) -> None:
        if self.state is not None:
            outside_datasets(self.state, self.out, "argument --state")


@dataclass
class ReportArguments:
    data: str = arg(data_to_read)  # as query's: a folder not there, or inside a data folder, is a bad argument
    out: str | None = arg(optional=True)

    def check(self) -> None:
        option = "--out" if self.out is not None else "--data"
        try:
            self.out = report_target(self.data, self.out)
        except ArgumentError as exc:
            raise ArgumentError(f"argument {option}: {exc}") from None


MODELS = {
    "site": SiteArguments,
    "extract": ExtractArguments,
    "reparse": ReparseArguments,
    "crawl": CrawlArguments,
    "demo": DemoArguments,
    "query": QueryArguments,
    "schedule": ScheduleArguments,
    "report": ReportArguments,
}


def _checked(f, value):
    check, optional = f.metadata["check"], f.metadata["optional"]
    if value is None and optional:
        return None
    if check is None:
        return value
    option = f.metadata["option"] or "--" + f.name.replace("_", "-")
    try:
        if isinstance(value, list):
            return [check(item) for item in value]
        return check(value)
    except ArgumentError as exc:
        raise ArgumentError(f"argument {option}: {exc}") from None


def validate(command: str, args: argparse.Namespace) -> argparse.Namespace:
    """Convert and check the arguments of `command` in place; ArgumentError names the bad one.

    Options a command has that its model does not name are left as argparse made them. Once
    the arguments are checked, a command started from a deleted working folder runs from /."""
    model = MODELS.get(command)
    if model is not None:
        values = {f.name: _checked(f, getattr(args, f.name)) for f in fields(model)}
        checked = model(**values)
        if hasattr(checked, "check"):
            checked.check()  # may fill in a default that depends on other arguments
        vars(args).update(vars(checked))
    leave_a_deleted_working_folder()
    return args
