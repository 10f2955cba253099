"""The questions spider's arguments (`-a NAME=VALUE`, Scrapyd's schedule.json fields), checked
once, here, as zyte-spider-templates checks its spider parameters: a small model built from
the raw keyword arguments, or one error line saying what is wrong.

`start_url` is a URL as it is: a URL may hold commas (`?utm=a,b`), spaces and any other
character, so only a comma that begins another URL (`http://a/,http://b/`) separates several.
Several URLs whatever they hold are `start_urls`, a JSON list (`-a start_urls='["http://a/",
"http://b/"]'`, what `schedule` sends), or a Python list when the spider is started from code
(`run_crawl`). Scrapyd keeps only the first value of a repeated form field, so repeating
`start_url` cannot carry several."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

USAGE = "give -a start_url=URL (several: URL,URL) or -a start_urls='[\"URL\", \"URL\"]' (a JSON list)"


class SpiderArgumentError(ValueError):
    """Bad spider arguments: str(error) is the one line a user reads."""


@dataclass(frozen=True)
class QuestionsArguments:
    start_urls: tuple[str, ...]

    @classmethod
    def parse(cls, start_url=None, start_urls=None, **other) -> "QuestionsArguments":
        # Scrapyd adds `_job` (and may add other `_` names): they are not the user's.
        unknown = sorted(name for name in other if not name.startswith("_"))
        if unknown:
            raise SpiderArgumentError(f"unknown spider argument {unknown[0]!r}: {USAGE}")
        urls = _one_url(start_url) + _url_list(start_urls)
        if not urls:
            raise SpiderArgumentError(f"no start URL: {USAGE}")
        for url in urls:
            check_http_url(url)
        return cls(tuple(urls))


def check_http_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number or too big)
    except (ValueError, TypeError, AttributeError):   # not even text
        ok = False
    if not ok:
        raise SpiderArgumentError(f"not an http(s) URL: {url!r}")
    return url


def _one_url(value) -> list[str]:
    """`start_url`: one URL, or several each beginning with its scheme after a comma (the form
    this argument always took: `http://a/,http://b/`); a comma before anything else is the
    URL's own (`?utm=a,b`)."""
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        raise SpiderArgumentError(f"start_url is one URL, not {type(value).__name__}: {USAGE}")
    return [url.strip() for url in _NEXT_URL.split(value) if url.strip()]


# A comma that begins another URL: what separates several in one `start_url`.
_NEXT_URL = re.compile(r",(?=\s*https?://)", re.I)


def _url_list(value) -> list[str]:
    """`start_urls`: a JSON list (what `schedule` sends), or URLs as `start_url` takes them."""
    if value is None or value == "":
        return []
    if isinstance(value, str) and not value.lstrip().startswith("["):
        return _one_url(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            value = None
    if not isinstance(value, (list, tuple)) or not all(isinstance(url, str) for url in value):
        raise SpiderArgumentError(f"start_urls must be a JSON list of URLs: {USAGE}")
    return list(value)
