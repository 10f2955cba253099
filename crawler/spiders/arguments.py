"""The questions spider's arguments (`-a NAME=VALUE`, Scrapyd's schedule.json fields), checked
once, here, as zyte-spider-templates checks its spider parameters: a small model built from
the raw keyword arguments, or one error line saying what is wrong."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

USAGE = "give -a start_url=URL (several URLs separated by commas)"


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
        urls = _split_urls(start_url) + _split_urls(start_urls)
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
    except ValueError:
        ok = False
    if not ok:
        raise SpiderArgumentError(f"not an http(s) URL: {url!r}")
    return url


def _split_urls(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(url).strip() for url in value if str(url).strip()]
