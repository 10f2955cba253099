"""A hostile site of the tests' own: the reference site's question pages, some of them poisoned.

`serve_pages(pages)` serves {path: html} on loopback (everything else 404, robots.txt allows
all) from a thread, and returns (base URL, stop)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve_pages(pages: dict[str, str]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/robots.txt":
                body, status = b"User-agent: *\nAllow: /\n", 200
            elif self.path in pages:
                # surrogatepass: a lone surrogate in a page is sent as the (invalid) bytes a
                # careless server would send; pages that hold one as a JSON escape stay ASCII.
                body, status = pages[self.path].encode("utf-8", "surrogatepass"), 200
            else:
                body, status = b"not here", 404
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}", stop
