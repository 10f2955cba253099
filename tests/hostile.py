"""A hostile server of the tests' own, on 127.0.0.1: `route(path) -> Reply | None` decides every
answer; a path it leaves (None) is fetched from `upstream` (a reference site), so traps can be
built around real question pages. `.hits` counts requests by path (query included). With
`in_front=True` the site is asked with this server's Host, so its sitemaps and links name this
server: every page goes through it, none around it. With `with_headers=True` the route is
called as `route(path, headers)`, the request's headers (to answer a conditional GET)."""
from __future__ import annotations

import re
import threading
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    # a dict, or (name, value) pairs for a header sent twice; values are sent as latin-1
    headers: dict | list = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    hang: bool = False  # accept the request and never answer
    drop: bool = False  # close the connection without an answer (a reset, a server that died)
    # how the body's end is marked: a Content-Length, a chunked stream's last chunk (HTTP/1.1),
    # or nothing but closing the connection (HTTP/1.0)
    framing: str = "length"


class HostileServer:
    def __init__(self, route, upstream: str | None = None, in_front: bool = False, with_headers: bool = False):
        self.route, self.upstream, self.in_front = route, (upstream or "").rstrip("/"), in_front
        self.with_headers = with_headers
        self.hits: Counter = Counter()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] += 1
                asked = server.route(self.path, self.headers) if server.with_headers else server.route(self.path)
                reply = asked or server.fetch(self.path)
                if reply.hang:
                    server.release.wait(120)
                    return
                if reply.drop:
                    self.close_connection = True
                    return
                if reply.framing == "chunked":
                    self.protocol_version = "HTTP/1.1"
                self.send_response(reply.status)
                for name, value in (reply.headers.items() if isinstance(reply.headers, dict) else reply.headers):
                    self.send_header(name, value)
                if reply.framing == "length":
                    self.send_header("Content-Length", str(len(reply.body)))
                elif reply.framing == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                if reply.framing == "chunked":
                    self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(reply.body), reply.body) if reply.body else b"0\r\n\r\n")
                else:
                    self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def fetch(self, path: str) -> Reply:
        if not self.upstream:
            return Reply(404, b"<html><body>not here</body></html>")
        headers = {"Host": self.url.split("://", 1)[1]} if self.in_front else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.upstream + path, headers=headers), timeout=30) as answer:
                return Reply(answer.status, answer.read(), {"Content-Type": answer.headers["Content-Type"]})
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())

    def hits_of(self, prefix: str) -> int:
        return sum(n for path, n in list(self.hits.items()) if path.startswith(prefix))

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def question_paths(site_url: str, n: int) -> list[str]:
    """The paths of the first `n` questions of a reference site, from its first sitemap."""
    with urllib.request.urlopen(site_url.rstrip("/") + "/xmlsitemap-Question-1.xml", timeout=30) as answer:
        xml = answer.read().decode()
    return [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", xml)][:n]


def urlset(urls) -> bytes:
    body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</urlset>").encode()


def sitemapindex(urls) -> bytes:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</sitemapindex>").encode()


XML = {"Content-Type": "application/xml"}
GZIP = {"Content-Type": "application/x-gzip"}
TEXT = {"Content-Type": "text/plain"}
