"""Responses as servers send them, archived and read back: every content coding Scrapy asks
for, codings stacked, headers sent twice or not in ASCII. A reparse of the archive reads each
page as the live crawl read it (same rows, crawl_id aside), `warcio check` accepts the files,
and a body nobody can decode fails the page in both, counted, never silently."""
from __future__ import annotations

import gzip
import itertools
import struct
import zlib

import brotli
import pytest

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd

from tests.crawling import crawl, crawl_rows
from tests.hostile import HostileServer, Reply
from tests.test_archive import cli, rows, warc_files, warcio_check

HTML = "text/html; charset=utf-8"


def coded(body: bytes, *codings: str) -> bytes:
    for coding in codings:  # in the order they were applied
        body = {"gzip": gzip.compress, "br": brotli.compress, "zstd": zstd.compress,
                "deflate": zlib.compress}[coding](body)
    return body


def windows_1252(body: bytes) -> bytes:
    """The page in windows-1252, a non-ASCII byte in it, its <meta charset> gone."""
    text = body.decode("utf-8").replace('<meta charset="utf-8">', "").replace("</body>", "<!-- café --></body>")
    return text.encode("cp1252", "xmlcharrefreplace")


# How question pages are sent: (body, headers) from the page as the reference site serves it.
SENT = {
    "br": lambda b: (coded(b, "br"), [("Content-Type", HTML), ("Content-Encoding", "br")]),
    "zstd": lambda b: (coded(b, "zstd"), [("Content-Type", HTML), ("Content-Encoding", "zstd")]),
    "x-gzip": lambda b: (coded(b, "gzip"), [("Content-Type", HTML), ("Content-Encoding", "x-gzip")]),
    "gzip twice, one header": lambda b: (coded(b, "gzip", "gzip"), [("Content-Type", HTML),
                                                                    ("Content-Encoding", "gzip, gzip")]),
    "gzip then br, two headers": lambda b: (coded(b, "gzip", "br"), [("Content-Type", HTML), ("Content-Encoding", "gzip"),
                                                                     ("Content-Encoding", "br")]),
    # empty list items and `identity`, which RFC 9110 has a recipient ignore
    "gzip, (an empty item)": lambda b: (coded(b, "gzip"), [("Content-Type", HTML), ("Content-Encoding", "gzip,")]),
    "identity, gzip": lambda b: (coded(b, "gzip"), [("Content-Type", HTML), ("Content-Encoding", "identity, , gzip")]),
    # raw UTF-8 in a header value, with a ';' (warcio's %-encoding raised on it)
    "non-ASCII header": lambda b: (b, [("Content-Type", HTML),
                                       ("Link", "<http://127.0.0.1/café>; rel=preload".encode().decode("latin-1"))]),
    # the last Content-Type is the one Scrapy reads
    "Content-Type twice": lambda b: (windows_1252(b), [("Content-Type", HTML),
                                                       ("Content-Type", "text/html; charset=windows-1252")]),
}


def serve(site_url: str, send) -> HostileServer:
    """The reference site behind a server of ours, which sends its question pages by `send`."""
    def route(path):
        if not path.startswith("/question/"):
            return None
        page = server.fetch(path)
        return Reply(200, *send(page.body)) if page.status == 200 else page

    server = HostileServer(route, upstream=site_url, in_front=True)
    return server


def live_and_reparsed(tmp_path, site_url: str, send):
    server = serve(site_url, send)
    try:
        live = crawl(server.url + "/", "--out", tmp_path / "live", "--archive", tmp_path / "archive")
    finally:
        server.stop()
    reparsed = cli("reparse", tmp_path / "archive", "--out", tmp_path / "reparsed")
    return live, reparsed


def crawls_row(root) -> dict:
    (row,) = crawl_rows(root)
    return row


@pytest.mark.parametrize("sent", list(SENT))
def test_pages_read_from_the_archive_as_the_crawl_read_them(reference_site, tmp_path, sent):
    site = reference_site(questions=20)
    live, reparsed = live_and_reparsed(tmp_path, site.url, SENT[sent])
    assert live.returncode == 0, live.stdout + live.stderr[-2000:]
    assert crawls_row(tmp_path / "live")["questions"] == 20
    if not {"br", "zstd"} & set(sent.split()):  # warcio reads neither (see crawler.middlewares.compression)
        check = warcio_check(warc_files(tmp_path / "archive"))
        assert check.returncode == 0, check.stdout + check.stderr
    assert reparsed.returncode == 0, reparsed.stdout + reparsed.stderr[-2000:]
    for dataset in ("questions", "answers", "doctors"):
        assert rows(tmp_path / "reparsed", dataset) == rows(tmp_path / "live", dataset), dataset
    extracted = cli("extract", tmp_path / "archive")
    assert extracted.returncode == 0 and extracted.stdout.count('"type":"question"') == 20, extracted.stderr


@pytest.mark.parametrize("archive, asked", [("/srv/archive", b"gzip, deflate"), (None, b"gzip, deflate, br, zstd")])
def test_a_crawl_that_keeps_an_archive_asks_only_for_codings_warc_tools_read(archive, asked):
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.compression import HttpCompressionMiddleware

    middleware = HttpCompressionMiddleware.from_crawler(get_crawler(Spider, {"ARCHIVE_DIR": archive}))
    request = Request("http://127.0.0.1/question/a")
    middleware.process_request(request)
    assert request.headers["Accept-Encoding"] == asked


CUT_SHORT_CODINGS = {"gzip": lambda b: gzip.compress(b), "deflate": zlib.compress,
                     "raw deflate": lambda b: _raw_deflate(b),
                     "br": brotli.compress, "zstd": lambda b: _zstd().compress(b)}


def _raw_deflate(body: bytes) -> bytes:
    deflater = zlib.compressobj(wbits=-15)
    return deflater.compress(body) + deflater.flush()


def _zstd():
    from scrapy.utils._compression import zstd
    return zstd


@pytest.mark.parametrize("coding", list(CUT_SHORT_CODINGS))
@pytest.mark.parametrize("cut", [False, True])
def test_a_content_coding_that_stops_before_its_end_flags_the_body_cut_short(coding, cut):
    """Scrapy's decoders give what they inflated of a stream cut short without a word: the
    response is flagged as Scrapy flags a body its transfer cut (robots.txt could not be read,
    a page is retried); a whole one, junk after it or concatenated gzip members included, is not."""
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import cut_short
    from crawler.middlewares.compression import HttpCompressionMiddleware

    text = b"".join(b"Disallow: /private-%d/\n" % i for i in range(400))
    body = CUT_SHORT_CODINGS[coding](text)
    body = body[:len(body) * 2 // 3] if cut else body + (gzip.compress(b"more") if coding == "gzip" else b"")
    name = "deflate" if "deflate" in coding else coding
    middleware = HttpCompressionMiddleware.from_crawler(get_crawler(Spider))
    response = Response("http://127.0.0.1/robots.txt", body=body, headers={"Content-Encoding": name})
    decoded = middleware.process_response(Request(response.url), response)
    assert cut_short(decoded) == cut
    assert cut or decoded.body.startswith(text)


# (what every other page is sent as, its Content-Encoding): a gzip that is none, a gzip under a
# coding no one knows (left encoded, its bytes would be read as text in some charset)
MISLABELLED = {"not gzip": (lambda b: b, "gzip"), "unknown coding": (lambda b: coded(b, "gzip"), "x-compress")}


@pytest.mark.parametrize("mislabelled", list(MISLABELLED))
def test_a_body_that_cannot_be_decoded_fails_its_page_counted_live_and_in_the_reparse(reference_site, tmp_path,
                                                                                      mislabelled):
    site = reference_site(questions=30)
    encode, label = MISLABELLED[mislabelled]
    sent = itertools.count()

    def send(body: bytes):  # every other page (a share of the bodies' hashes varied with them)
        if next(sent) % 2:
            return body, [("Content-Type", HTML)]
        return encode(body), [("Content-Type", HTML), ("Content-Encoding", label)]

    live, reparsed = live_and_reparsed(tmp_path, site.url, send)
    for result, root in ((live, "live"), (reparsed, "reparsed")):
        row = crawls_row(tmp_path / root)
        assert result.returncode == 4 and row["status"] == "degraded", (root, result.stdout + result.stderr[-2000:])
        assert "fetch_errors" in row["message"] and 10 <= row["pages_failed"] <= 20, (root, row)
        assert row["questions"] == 30 - row["pages_failed"]
    assert "undecodable body" in live.stdout
    assert crawls_row(tmp_path / "reparsed")["questions"] == crawls_row(tmp_path / "live")["questions"]


def test_question_pages_that_moved_behind_a_redirect_are_reparsed(reference_site, tmp_path):
    """A new URL scheme: /question/x answers 301 to /answers/x. The crawl follows it and reads
    the page; the archive names the URL asked for, so a reparse reads it as a question too."""
    site = reference_site(questions=20)

    def route(path):
        if path.startswith("/question/"):
            return Reply(301, b"", {"Location": path.replace("/question/", "/answers/", 1)})
        if path.startswith("/answers/"):
            return server.fetch(path.replace("/answers/", "/question/", 1))
        return None

    server = HostileServer(route, upstream=site.url, in_front=True)
    try:
        live = crawl(server.url + "/", "--out", tmp_path / "live", "--archive", tmp_path / "archive")
    finally:
        server.stop()
    assert live.returncode == 0 and crawls_row(tmp_path / "live")["questions"] == 20, live.stdout + live.stderr[-2000:]
    reparsed = cli("reparse", tmp_path / "archive", "--out", tmp_path / "reparsed")
    assert reparsed.returncode == 0, reparsed.stderr[-2000:]
    for dataset in ("questions", "answers", "doctors"):
        assert rows(tmp_path / "reparsed", dataset) == rows(tmp_path / "live", dataset), dataset
    assert cli("extract", tmp_path / "archive").stdout.count('"type":"question"') == 20
    assert warcio_check(warc_files(tmp_path / "archive")).returncode == 0


def damaged(body: bytes, coding: str) -> bytes:
    """The body encoded with one byte changed (its title ends in "X"), the stream's check of
    the body as sent kept: what a byte flipped on the way looks like."""
    wrong = body.replace(b"</h1>", b"X</h1>", 1)
    if coding == "gzip":  # CRC-32 and length of the body as sent
        return gzip.compress(wrong, mtime=0)[:-8] + struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
    if coding == "deflate":  # its Adler-32
        return zlib.compress(wrong)[:-4] + struct.pack(">I", zlib.adler32(body))
    zstd = _zstd()  # its checksum (XXH64)
    good = zstd.compress(body, options={zstd.CompressionParameter.checksum_flag: 1})
    return zstd.compress(wrong, options={zstd.CompressionParameter.checksum_flag: 1})[:-4] + good[-4:]


DAMAGED_CODINGS = ["gzip", "deflate", "zstd"]


@pytest.mark.parametrize("coding", DAMAGED_CODINGS + ["gzip, second member", "deflate, past 64 KB"])
def test_a_content_coding_whose_check_fails_is_a_damaged_body_never_read(coding):
    """Scrapy's gunzip reads past a CRC-32 or length that does not match, and refuses a zlib
    Adler-32 only when the body is small: a body that fails its coding's check is emptied
    and flagged cut short (retried, robots.txt not read), the same wherever bodies are decoded."""
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler import discovery
    from crawler.middlewares import body_fault, cut_short
    from crawler.middlewares.compression import DamagedBody, HttpCompressionMiddleware, decode_body

    text = b"<h1>A title</h1>" + (b"x" * 70_000 if "64 KB" in coding else b"")
    name = coding.split(",")[0]
    body = damaged(text, name)
    if "second member" in coding:
        body = gzip.compress(b"a whole member") + body
    middleware = HttpCompressionMiddleware.from_crawler(get_crawler(Spider))
    response = Response("http://127.0.0.1/question/a", body=body, headers={"Content-Encoding": name})
    decoded = middleware.process_response(Request(response.url), response)
    assert cut_short(decoded) and decoded.body == b"" and "check" in body_fault(decoded)
    with pytest.raises(DamagedBody, match=f"its {name} .* does not match"):
        decode_body(body, [name.encode()])
    if name == "gzip":  # a sitemap.xml.gz sent without Content-Encoding
        with pytest.raises(DamagedBody):
            discovery.sitemap_body(body)
        assert discovery.cut_off("http://127.0.0.1/sitemap.xml.gz", body, length_vouched=True)


@pytest.mark.parametrize("coding", DAMAGED_CODINGS)
def test_a_page_damaged_on_the_way_is_fetched_again_live_and_counted_so_in_the_reparse(reference_site, tmp_path,
                                                                                     coding):
    """Every other question page arrives damaged once: each is fetched again and read whole,
    no damaged title committed; the reparse of the archive counts as the crawl did."""
    site = reference_site(questions=30)
    seen, sent = set(), itertools.count()

    def send(body: bytes):
        first = body not in seen
        seen.add(body)
        headers = [("Content-Type", HTML), ("Content-Encoding", coding)]
        if first and next(sent) % 2:
            return damaged(body, coding), headers
        return coded(body, coding) if coding != "zstd" else _zstd().compress(body), headers

    live, reparsed = live_and_reparsed(tmp_path, site.url, send)
    for result, root in ((live, "live"), (reparsed, "reparsed")):
        row = crawls_row(tmp_path / root)
        assert result.returncode == 0 and row["status"] == "finished", (root, result.stdout + result.stderr[-2000:])
        assert row["questions"] == 30, (root, row)
        titles = [dict(row)["title"] for row in rows(tmp_path / root, "questions")]
        assert len(titles) == 30 and not any(title.endswith("X") for title in titles), root
    assert "failed its content coding's check" not in live.stderr  # retried, then read: no error
