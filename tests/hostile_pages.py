"""A hostile site of the tests' own: the reference site's question pages, some of them poisoned.

`serve_pages(pages)` serves {path: html} on loopback (everything else 404, robots.txt allows
all) from a thread, and returns (base URL, stop). `slow_site(questions, attributes)` makes such
pages, one of them slow to parse (`slow_page`)."""
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


def slow_page(body: bytes, attributes: int = 60_000) -> bytes:
    """`body` with one tag of many distinct attributes: libxml2 checks each against the others,
    quadratic (here seconds at 40,000, about 30 s at 100,000). Any slow parse would do: this one is known."""
    tag = b"<span " + b" ".join(b"a%d=x" % i for i in range(attributes)) + b">hi</span>"
    return body.replace(b"</body>", tag + b"</body>", 1)


def slow_site(questions: int, attributes: int) -> tuple[dict[str, str], str]:
    """The question pages of a reference site, {path: html}, the last one slow to parse; and its path."""
    from reference_site.site import Site

    site = Site(questions=questions)
    pages = {f"/question/{slug}": site.render_question(slug) for slug in site.question_slugs()}
    victim = list(pages)[-1]
    pages[victim] = slow_page(pages[victim].encode(), attributes).decode()
    return pages, victim
