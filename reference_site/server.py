"""The HTTP server: aiohttp's low-level server, routing, conditional GETs and faults.

Order of decisions per request: count the attempt, wait (latency, slow), then faults
(error/throttle/block: a CDN in front of the site answers before the site does), then the page,
then conditional GET (304), then truncation (only of a 200 body). robots.txt never faults.
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from aiohttp import web

from . import pages
from .dates import http_date
from .drift import Drift
from .faults import Faults
from .samples import blocked_page
from .site import Page, Site

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


class App:
    def __init__(self, site: Site, faults: Faults, crawl_delay: float | None):
        self.site, self.faults, self.crawl_delay = site, faults, crawl_delay
        self.hits: Counter = Counter()
        self.statuses: Counter = Counter()
        self._pages: dict[tuple[str, str], tuple[Page, str]] = {}   # non-question pages by (host, url)

    async def handle(self, request: web.BaseRequest) -> web.Response:
        path, qs = request.path, request.query_string
        url = f"{path}?{qs}" if qs else path
        attempt = self.hits[url]
        self.hits[url] += 1
        response = await self._respond(request, path, url, attempt)
        self.statuses[response.status] += 1
        return response

    async def _respond(self, request, path: str, url: str, attempt: int) -> web.Response:
        base = f"http://{request.host}"
        if path == "/robots.txt":
            return web.Response(body=pages.robots(base, self.crawl_delay).encode(), content_type="text/plain",
                                charset="utf-8")
        f = self.faults
        fault = f.decide(self.site.seed, url, attempt)
        if f.latency:
            await asyncio.sleep(f.latency)
        if fault.slow:
            await asyncio.sleep(1.0)
        if fault.kind == "error":
            return web.Response(status=fault.status, body=b"Server error\n", headers={"Content-Type": TEXT})
        if fault.kind == "throttle":
            return web.Response(status=429, body=b"Too many requests\n",
                                headers={"Content-Type": TEXT, "Retry-After": "1"})
        if fault.kind == "block":
            return web.Response(status=fault.status, body=blocked_page(), headers={"Content-Type": HTML})
        found = self._route(request, path, url, base)
        if found is None:
            return web.Response(status=404, body=b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>\n",
                                headers={"Content-Type": HTML})
        page, ctype = found
        if _not_modified(request, page):
            return web.Response(status=304, headers=_validators(page))
        body = page.body
        if fault.kind == "truncate":   # cut before </html>; Content-Length matches what is sent
            return web.Response(body=body[: int(len(body) * fault.cut)], headers={"Content-Type": ctype})
        return web.Response(body=body, headers={"Content-Type": ctype, **_validators(page)})

    def _route(self, request, path: str, url: str, base: str):
        if path.startswith("/question/"):
            try:
                return self.site.page(path[10:], request.query.get("layout")), HTML
            except KeyError:
                return None
        key = (base, url)
        hit = self._pages.get(key)
        if hit is None:
            hit = self._build(request, path, base)
            if hit is None:
                return None
            self._pages[key] = hit
        return hit

    def _build(self, request, path: str, base: str):
        site = self.site
        text, ctype, last = None, HTML, None
        if path == "/sitemap.xml":
            text, ctype = pages.sitemap_index(site, base), XML
            last = max(q.last_mod for q in site.questions)
        elif path.startswith("/xmlsitemap-Question-") and path.endswith(".xml"):
            n = path[len("/xmlsitemap-Question-"):-4]
            if n.isdigit():
                text, ctype = pages.question_sitemap(site, base, int(n)), XML
                if text is not None:
                    last = max(q.last_mod for q in pages.sitemap_chunks(site)[int(n) - 1])
        elif path == "/xmlsitemap-Review-1.xml":
            text, ctype = pages.review_sitemap(base), XML
        elif path.startswith("/questions/"):
            p = request.query.get("page", "1")
            text = pages.listing(site, base, path[11:], int(p)) if p.isdigit() else None
        elif path == "/":
            text = pages.home(site)
        elif path.startswith("/dr/"):
            text = pages.profile(site, path[4:])
        elif path.startswith("/review/"):
            text = pages.review(path[8:])
        elif path == "/drsearch":
            text = pages.drsearch()
        if text is None:
            return None
        return Page(text.encode("utf-8"), last), ctype


def _validators(page: Page) -> dict:
    headers = {"ETag": page.etag}
    if page.last_mod is not None:
        headers["Last-Modified"] = http_date(page.last_mod)
    return headers


def _not_modified(request, page: Page) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm is not None:   # If-None-Match wins over If-Modified-Since (RFC 9110)
        return inm.strip() == "*" or page.etag in [t.strip().removeprefix("W/") for t in inm.split(",")]
    ims = request.headers.get("If-Modified-Since")
    if ims and page.last_mod is not None:
        try:
            return page.last_mod <= parsedate_to_datetime(ims).date()
        except (TypeError, ValueError):
            return False
    return False


# ---- running it ----

@dataclass
class RunningSite:
    url: str
    site: Site
    hits: Counter
    statuses: Counter
    _stop: callable = field(repr=False, default=None)

    def stop(self) -> None:
        if self._stop:
            self._stop()
            self._stop = None


def _build(questions, seed, day, faults, truth, crawl_delay, drift="") -> App:
    parsed = Faults.parse(faults)
    site = Site(questions, seed=seed, day=day, drift=Drift.parse(drift))
    if truth:
        site.write_truth(truth)
    return App(site, parsed, crawl_delay)


async def _start(app: App, host: str, port: int):
    server = web.Server(app.handle, access_log=None)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(server, host, port, backlog=1024)
    return server, srv, srv.sockets[0].getsockname()[1]


async def _stop(server, srv) -> None:
    srv.close()
    await srv.wait_closed()
    await server.shutdown(timeout=1.0)


def serve(host: str = "127.0.0.1", port: int = 0, questions: int = 200, seed: int = 1, day: int = 0,
          faults: str = "", truth: str | None = None, crawl_delay: float | None = None, drift: str = "") -> None:
    """Blocking: prints `serving http://HOST:PORT/` first, serves until SIGINT/SIGTERM."""
    try:
        app = _build(questions, seed, day, faults, truth, crawl_delay, drift)
    except ValueError as exc:   # a bad --faults or --drift spec: one line and status 2, like argparse
        print(f"doctor-answers site: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    async def main():
        try:
            server, srv, real_port = await _start(app, host, port)
        except OSError as exc:   # a busy port, an address not of this machine: one line, status 1
            reason = os.strerror(exc.errno) if (exc.errno or 0) > 0 else exc.strerror or str(exc)
            print(f"doctor-answers site: error: cannot listen on {host}:{port}: {reason}",
                  file=sys.stderr)
            raise SystemExit(1) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            print(f"serving http://{host}:{real_port}/", flush=True)
        except OSError as exc:  # its URL is its result: a site nobody can be told of stops (141 for a reader gone)
            await _stop(server, srv)
            if isinstance(exc, BrokenPipeError):
                raise
            from crawler.cli import unwritable_stdout

            raise SystemExit(unwritable_stdout("site", exc)) from None
        await stop.wait()
        await _stop(server, srv)

    asyncio.run(main())
    sys.stdout.flush()


def start_in_thread(host: str = "127.0.0.1", port: int = 0, questions: int = 200, seed: int = 1, day: int = 0,
                    faults: str = "", truth: str | None = None, crawl_delay: float | None = None,
                    drift: str = "") -> RunningSite:
    """Serve from a daemon thread of this process (for tests); `.stop()` shuts it down."""
    app = _build(questions, seed, day, faults, truth, crawl_delay, drift)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict = {}

    def run():
        asyncio.set_event_loop(loop)
        box["server"], box["srv"], box["port"] = loop.run_until_complete(_start(app, host, port))
        ready.set()
        loop.run_forever()
        loop.run_until_complete(_stop(box["server"], box["srv"]))
        loop.close()

    thread = threading.Thread(target=run, name="reference-site", daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("reference site did not start")

    def stop():
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return RunningSite(f"http://{host}:{box['port']}/", app.site, app.hits, app.statuses, stop)
