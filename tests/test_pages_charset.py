"""A page that is not UTF-8 is read in the charset it declares, as browsers read it: its HTTP
Content-Type header, else its <meta charset> or http-equiv; bytes no declaration reads are a
PageError naming the page (the crawl counts it as pages/malformed), never a crash."""
from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyarrow.dataset as ds
import pytest

from crawler.extraction import extract_page
from crawler.pages import PageError
from tests.contract import PAGES
from tests.crawling import crawl

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = f"https://www.realself.com/question/{GOLDEN}"
FAMILIES = ("legacy", "provider-card", "nextjs")


def page(family: str, words: str = "\u2014 caf\u00e9 na\u00efve") -> str:
    """A sample page whose title ends in `words`: text a re-encoding changes."""
    text = (PAGES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8")
    title = "Knot and Redness After Botox Injection"
    assert title in text
    return text.replace(title, f"{title} {words}")


def without_meta_charset(text: str) -> str:
    return re.sub(r"<meta charset=[^>]*>", "", text, flags=re.I)


def encoded(text: str, codec: str) -> bytes:
    return text.encode(codec, errors="xmlcharrefreplace")  # what the charset lacks, as references


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("codec,label,words", [
    ("cp1252", "ISO-8859-1", "\u2014 caf\u00e9 na\u00efve"), ("cp1252", "windows-1252", "\u2018caf\u00e9\u2019"),
    ("latin-1", "latin1", "caf\u00e9 na\u00efve"), ("koi8-r", "koi8-r", "\u041f\u0440\u0438\u0432\u0435\u0442"),
    ("shift_jis", "Shift_JIS", "\u65e5\u672c\u8a9e"),
    # 7-bit charsets: ASCII bytes, so valid UTF-8, whose escapes shift to Japanese, Korean, Chinese
    ("iso2022_jp", "ISO-2022-JP", "\u6771\u4eac\u306e\u8cea\u554f"), ("iso2022_kr", "iso-2022-kr", "\ud55c\uad6d\uc5b4"),
    ("hz", "HZ-GB-2312", "\u4e2d\u6587"),
    # UTF-16 and -32 without a byte-order mark: valid UTF-8 bytes for their ASCII, but NULs
    ("utf-16-le", "utf-16", "caf\u00e9"), ("utf-16-be", "UTF-16BE", "caf\u00e9"), ("utf-32-le", "utf-32le", "na\u00efve")])
def test_a_page_in_the_charset_its_header_declares(family, codec, label, words):
    text = without_meta_charset(page(family, words))
    data = encoded(text, codec)
    assert data != text.encode("utf-8")
    want = extract_page(URL, text.encode("utf-8"))
    assert extract_page(URL, data, f"text/html; charset={label}") == want
    assert extract_page(URL, data, f"text/html; charset={label}".encode()) == want  # as Scrapy's headers hold it


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("declaration", ['<meta charset="iso-8859-1">',
                                         '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'])
def test_a_page_in_the_charset_its_meta_declares(family, declaration):
    text = without_meta_charset(page(family)).replace("<head>", "<head>" + declaration, 1)
    assert declaration in text
    want = extract_page(URL, text.encode("utf-8"))
    assert extract_page(URL, encoded(text, "cp1252")) == want


# Labels browsers read (the WHATWG Encoding Standard's table) that Python's codecs do not know
WHATWG_ONLY = [("cp1252", "x-cp1252", "\u2018caf\u00e9\u2019"), ("koi8-r", "koi8", "\u041f\u0440\u0438\u0432\u0435\u0442"),
               ("iso8859-8", "iso-8859-8-i", "\u05e9\u05dc\u05d5\u05dd"), ("cp1250", "x-cp1250", "\u0141\u00f3d\u017a"),
               ("mac-cyrillic", "x-mac-cyrillic", "\u0414\u0430"), ("gb18030", "x-gbk", "\u4e2d\u6587"),
               ("cp949", "csksc56011987", "\ud55c\uad6d\uc5b4")]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("codec,label,words", WHATWG_ONLY)
def test_a_charset_label_browsers_know_and_python_does_not(family, codec, label, words):
    text = without_meta_charset(page(family, words))
    want = extract_page(URL, text.encode("utf-8"))
    data = encoded(text, codec)
    assert extract_page(URL, data, f"text/html; charset={label}") == want
    in_meta = without_meta_charset(text).replace("<head>", f'<head><meta charset="{label}">', 1)
    assert extract_page(URL, encoded(in_meta, codec)).records == extract_page(URL, in_meta.encode("utf-8")).records


@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_in_a_seven_bit_charset_its_meta_declares(family):
    words = "\u6771\u4eac\u306e\u8cea\u554f"  # 質's bytes are "<A": read as ASCII, a tag
    text = without_meta_charset(page(family, words)).replace("<head>", '<head><meta charset="iso-2022-jp">', 1)
    text = text.replace("\u2014", "-")  # a dash ISO-2022-JP lacks, in a script where a reference is no character
    want = extract_page(URL, text.encode("utf-8"))
    assert words in want.records[0]["title"]
    assert extract_page(URL, text.encode("iso2022_jp")) == want


@pytest.mark.parametrize("family", FAMILIES)
def test_utf8_bytes_read_as_utf8_whatever_is_declared(family):
    text = page(family)
    want = extract_page(URL, text.encode("utf-8"))
    assert extract_page(URL, text.encode("utf-8"), "text/html; charset=iso-8859-1") == want
    assert "caf\u00e9" in want.records[0]["title"]


@pytest.mark.parametrize("data,content_type", [
    ("\u00e9t\u00e9".encode("latin-1"), None),  # not UTF-8, nothing declared
    (bytes(range(0x80, 0x100)), "text/html; charset=utf-8"),  # declared UTF-8, is not
    (b"\xaa\xd2\xff" * 10, "text/html; charset=windows-1253"),  # bytes windows-1253 lacks (WHATWG's too)
    (b"\xff\xfe" + "<html>\ud800</html>".encode("utf-16-le", "surrogatepass"), None),  # a broken UTF-16 page
    ("caf\u00e9".encode("latin-1"), "text/html; charset=no-such-charset"),
])
def test_bytes_no_declaration_reads_are_a_page_error(data, content_type):
    url = "http://127.0.0.1/question/unreadable"
    with pytest.raises(PageError) as error:
        extract_page(url, b"<html><body>" + data + b"</body></html>", content_type)
    assert error.value.url == url and "unreadable bytes" in error.value.reason




@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("label", ["ISO-8859-1", "windows-1252", "latin1", "us-ascii", "cp1252"])
@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_bytes_python_cp1252_lacks_are_what_a_browser_reads(family, label, byte):
    """WHATWG windows-1252, which browsers read all these labels as, maps the five bytes
    Python's cp1252 has no character for to C1 controls (the text cleaner drops them): one
    such byte is no reason to lose the page."""
    text = without_meta_charset(page(family, "caf\u00e9 X"))
    data = encoded(text, "cp1252").replace(b"caf\xe9 X", b"caf\xe9" + bytes((byte,)) + b" X", 1)
    want = extract_page(URL, text.replace("caf\u00e9 X", f"caf\u00e9{chr(byte)} X").encode("utf-8"))
    assert extract_page(URL, data, f"text/html; charset={label}") == want
    assert "caf\u00e9 X" in want.records[0]["title"]


@pytest.mark.parametrize("label", ["windows-874", "windows-1250", "windows-1251", "windows-1252", "windows-1253",
                                   "windows-1254", "windows-1255", "windows-1256", "windows-1257", "windows-1258"])
def test_every_windows_charset_reads_its_c1_bytes_as_whatwg_does(label):
    """Each byte 0x80-0x9F is a character of WHATWG's table; where Python's codec has none,
    it is the C1 control of its value."""
    from crawler.pages.charset import decode

    data = bytes(range(0x80, 0xA0))
    text, _ = decode("http://127.0.0.1/q", data, f"text/html; charset={label}")
    assert len(text) == len(data)
    for byte, char in zip(data, text):
        try:
            assert char == bytes((byte,)).decode(label.replace("windows-", "cp"))
        except UnicodeDecodeError:
            assert char == chr(byte)


@pytest.mark.parametrize("label, data, want", [("windows-1255", b"\xca", "\u05ba"),  # Hebrew point holam haser
                                               ("KOI8-U", b"\xae\xbe", "\u045e\u040e")])  # KOI8-RU's letters
def test_letters_whatwg_reads_where_python_has_none_or_another(label, data, want):
    from crawler.pages.charset import decode

    assert decode("http://127.0.0.1/q", b"<p>" + data + b"</p>", f"text/html; charset={label}")[0] == f"<p>{want}</p>"


@pytest.mark.parametrize("content_type, head, data, label, codec", [
    ("text/html; charset=Shift_JIS", "", b"\x81\x7f\xa0\xfd", "Shift_JIS", "cp932"),
    ("text/html; charset=\"ISO-8859-8\"", "", b"\xbf\xfb", "ISO-8859-8", "iso8859-8"),
    (None, '<meta charset="Windows-1253">', b"\xaa\xd2", "Windows-1253", "cp1253"),
    ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=gb_2312-80">', b"\xff\xff\xff",
     "gb_2312-80", "gb18030")])
def test_an_unreadable_page_is_named_with_the_charset_it_declared(content_type, head, data, label, codec):
    """The message names the label the page wrote, not the codec it means to Python."""
    body = f"<html><head>{head}</head><body>".encode() + data + b"</body></html>"
    with pytest.raises(PageError) as error:
        extract_page("http://127.0.0.1/question/unreadable", body, content_type)
    assert f"not the {label} the page declares" in error.value.reason
    assert codec not in error.value.reason.replace(label, "")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("where", ["<head>", "</head>", "<body", "</body>", "</html>"])
def test_a_nul_byte_outside_the_text_changes_nothing(family, where):
    """A NUL in a comment, in a script no one reads, between tags: a browser reads the page as
    it is without it, and so does the crawl (never "unreadable bytes")."""
    text = page(family)
    assert where in text
    want = extract_page(URL, text.encode("utf-8"))
    nul = text.replace(where, f"<!-- a\x00b -->\x00<script>var s = '\x00';</script>{where}", 1)
    assert extract_page(URL, nul.encode("utf-8")) == want
    assert extract_page(URL, nul) == want  # a str as bytes


@pytest.mark.parametrize("family", FAMILIES)
def test_a_nul_byte_in_the_text_reads_as_the_replacement_character(family):
    """NUL is U+FFFD, as the HTML parser reads it in an attribute or a script and `&#0;`
    anywhere; it no longer throws the whole page away. In a cp1252 page too."""
    title = "Knot and Redness After Botox Injection"
    text = page(family, "caf\u00e9")
    want = extract_page(URL, text.replace(title, f"Knot\ufffd{title}").encode("utf-8"))
    assert f"Knot\ufffd{title}" in want.records[0]["title"]
    nul = text.replace(title, f"Knot\x00{title}")
    assert extract_page(URL, nul.encode("utf-8")) == want
    assert extract_page(URL, encoded(without_meta_charset(nul), "cp1252"), "text/html; charset=windows-1252") == want


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("codec, content_type", [("utf-8", None), ("utf-16-le", "text/html; charset=utf-16le"),
                                                 ("shift_jis", "text/html; charset=shift_jis")])
def test_a_page_cut_inside_a_character_is_cut_off_not_unreadable(family, codec, content_type):
    """The transfer stopped halfway through a character: a page a retry may get whole."""
    from crawler.pages import TruncatedPage

    data = encoded(without_meta_charset(page(family, "\u65e5\u672c")), codec)
    cut = data[:data.index("\u65e5".encode(codec)) + 1]
    with pytest.raises(TruncatedPage, match="cut inside a character"):
        extract_page(URL, cut, content_type)

class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, tuple[bytes, str]] = {}

    def do_GET(self):
        body, content_type = self.pages.get(self.path, (b"not found", "text/plain"))
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_crawl_reads_a_latin1_page_and_counts_an_unreadable_one(tmp_path):
    text = without_meta_charset(page("legacy"))
    _Pages.pages = {
        "/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain"),
        "/question/latin": (encoded(text, "cp1252"), "text/html; charset=ISO-8859-1"),
        "/question/broken": (b"<html><body>\xe9t\xe9 \xff</body></html>", "text/html"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        run = crawl(f"{base}/question/latin", f"{base}/question/broken", "--out", tmp_path / "data",
                    "-s", "EXTRACT_PROCESSES=0")
    finally:
        server.shutdown()
    assert "Traceback" not in run.stderr
    questions = ds.dataset(tmp_path / "data" / "questions", format="parquet", partitioning="hive").to_table().to_pylist()
    assert [q["title"] for q in questions] == [extract_page(URL, text.encode("utf-8")).records[0]["title"]]
    assert "caf\u00e9" in questions[0]["title"]
    assert "/question/broken" in run.stderr and "unreadable bytes" in run.stderr
