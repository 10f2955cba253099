"""The reference sites `demo` served into a data folder: DIR/demo_sites.json, beside the datasets.

A site's key is its host and port, and a reference site is its questions and seed: a demo that
serves the same site again must use its earlier port (else its questions are counted twice in
the latest view), and another site must not (else its questions replace the first's under the
same ids). A crawls row's URL cannot tell which site was served there, so each demo records it
here. The file is outside the dataset folders and the latest view, which readers load whole.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from crawler.sites import site_key

RECORD = "demo_sites.json"
LOOPBACK = "127.0.0.1"


def served(out: str) -> list[dict]:
    """The sites earlier demos served into `out`: {"port", "questions", "seed"} each."""
    try:
        return json.loads((Path(out) / RECORD).read_text())
    except FileNotFoundError:
        return []
    except (OSError, ValueError):  # unreadable or damaged: no demo is known, every loopback port is another site's
        return []


def port_of(out: str, questions: int, seed: int) -> int:
    """The port this reference site was served on into `out`, 0 if no demo served it there."""
    return next((site["port"] for site in served(out) if (site["questions"], site["seed"]) == (questions, seed)), 0)


def taken_ports(out: str) -> set[int]:
    """Ports whose loopback site `out` holds already: other demos', any crawl's of 127.0.0.1
    (a plain crawl, or a demo from before this record: its start URLs, fetched even when it
    wrote no row), and any whose rows are filed under such a site (a reparse's, whose start
    URLs are archive paths), whatever was served there."""
    from pipelines.loader import committed_crawls, crawl_sites

    crawls = committed_crawls(out)
    sites = {site_key(url) for urls in crawls["start_urls"].to_pylist() for url in urls or ()}
    sites.update(site for of_crawl in crawl_sites(out, crawls).values() for site in of_crawl)
    return {site["port"] for site in served(out)} | ({_loopback_port(site) for site in sites} - {None})


def _loopback_port(site: str) -> int | None:
    """The port of a loopback site (site_key: `127.0.0.1:P`, or `127.0.0.1` for port 80)."""
    host, _, port = site.partition(":")
    if host != LOOPBACK or not (port.isdigit() or not port):  # a port that is no port: a site of no port
        return None
    return int(port) if port else 80


def record(out: str, port: int, questions: int, seed: int) -> None:
    """Adds this site to the record (written whole and renamed: a reader never sees half of it)."""
    sites = [site for site in served(out) if site["port"] != port]
    sites.append({"port": port, "questions": questions, "seed": seed})
    path = Path(out) / RECORD
    partial = path.with_name(f".{RECORD}.partial")
    partial.write_text(json.dumps(sites, indent=1) + "\n")
    os.replace(partial, path)
