"""Discovery from robots.txt, sitemaps and listings, on the contract's samples."""

import pytest

from crawler import discovery

from tests.contract import PAGES


def test_sitemaps_named_by_robots_txt():
    lines = discovery.sitemap_lines((PAGES / "robots.txt").read_bytes())
    assert discovery.sitemaps_in_robots("https://www.realself.com/robots.txt", lines) == [
        ("https://www.realself.com/sitemap.xml", None)]


def test_sitemap_lines_of_robots_txt_resolve_against_its_url_and_bad_ones_say_why():
    """As Scrapy's sitemap_urls_from_robots: relative lines join robots.txt's URL (after its
    redirects); a line no request can be made of is returned with why, never raised."""
    body = (b"User-agent: *\nSitemap: /b.xml\nsitemap: c/d.xml # a comment\nSitemap: mailto:x@y\n"
            b"Sitemap: http://[::1/e.xml\nSitemap: http://h:65536/f.xml\nSitemap: https://other.example/g.xml\n")
    found = discovery.sitemaps_in_robots("https://www.example.com/robots.txt", discovery.sitemap_lines(body))
    assert [url for url, _ in found] == ["https://www.example.com/b.xml", "https://www.example.com/c/d.xml",
                                         "mailto:x@y", "http://[::1/e.xml", "http://h:65536/f.xml",
                                         "https://other.example/g.xml"]
    assert [why is None for _, why in found] == [True, True, False, False, False, True]


@pytest.mark.parametrize("url", ["mailto:webmaster@example.com", "javascript:/question/x", "ftp://h/question/x",
                                 "http://127.0.0.1:65536/question/x", "http://h:abc/question/x",
                                 "http://[::1/question/x", "http:///question/x", "data:,x", "question/x"])
def test_a_url_no_request_can_be_made_of_says_why(url):
    assert discovery.unusable_url(url)


@pytest.mark.parametrize("url", ["http://h/question/x", "HTTPS://H:8443/question/x", "http://[::1]:8000/question/x",
                                 "http://h/question/caf\u00e9 x"])
def test_a_url_a_request_can_be_made_of_is_usable(url):
    assert discovery.unusable_url(url) is None


@pytest.mark.parametrize("bad", ["mailto:webmaster@example.com", "javascript:/question/x",
                                 "http://127.0.0.1:65536/question/typo", "http://[::1/question/y"])
def test_a_bad_loc_is_one_entry_marked_unusable_the_others_are_read(bad):
    locs = ["http://h/question/a", bad, "/question/b"]
    body = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>").encode()
    read = discovery.read_sitemap("http://h/s.xml", body)
    kind, entries = read.kind, read.entries
    assert kind == "urlset" and [e.url for e in entries] == ["http://h/question/a", bad, "http://h/question/b"]
    assert [bool(e.unusable) for e in entries] == [False, True, False]


def test_sitemap_index_and_question_sitemap():
    read = discovery.read_sitemap("https://www.realself.com/sitemap.xml", (PAGES / "sitemap.xml").read_bytes())
    kind, entries = read.kind, read.entries
    assert kind == "sitemapindex" and len(entries) == 3 and entries[0].lastmod == "2026-11-20"
    read = discovery.read_sitemap("https://x/s.xml", (PAGES / "xmlsitemap-Question-1.xml").read_bytes())
    kind, entries = read.kind, read.entries
    assert kind == "urlset"
    assert all(discovery.is_question_url(e.url) for e in entries)
    assert entries[0].lastmod == "2012-10-29"


def test_not_a_sitemap():
    assert discovery.read_sitemap("https://x/s.xml", b"<html>oops") == discovery.SitemapRead("", [])
    assert discovery.read_sitemap("https://x/s.xml", b"") == discovery.SitemapRead("", [])


def test_listing_gives_questions_and_the_next_page():
    links = discovery.read_listing("https://www.realself.com/questions/botox",
                                   (PAGES / "questions-botox.page-1.legacy.html").read_bytes())
    assert links.questions[0] == "https://www.realself.com/question/botox-injections-days-knot-redness-injection-sites"
    assert len(links.questions) == 3
    assert links.next_page == "https://www.realself.com/questions/botox?page=2"
    assert links.listings == []  # numbered pages come through rel="next", not as topics


BAD_HREFS = ["javascript:/question/x", "http://127.0.0.1:65536/question/typo", "http://127.0.0.1:abc/question/y",
             "http://[::1/question/v6", "http://h:0x50/question/hex-port", "ftp://h/question/f", "javascript:/questions/topic"]


@pytest.mark.parametrize("bad", BAD_HREFS)
def test_a_listing_link_no_request_can_be_made_of_is_skipped_and_the_rest_read(bad):
    hrefs = [f"/question/q{n}" for n in range(3)] + [bad] + [f"/question/q{n}" for n in range(3, 6)]
    body = "".join(f'<a href="{h}">q</a>' for h in hrefs) + '<a href="mailto:x@h">mail</a>'
    links = discovery.read_listing("http://h/", f"<html><body>{body}</body></html>".encode())
    assert links.questions == [f"http://h/question/q{n}" for n in range(6)]
    assert links.unusable == (bad,)  # a mailto: is no question link: nothing to skip


def test_a_next_link_no_request_can_be_made_of_gives_way_to_the_next_one():
    body = b'<a rel="next" href="http://h:99999/questions/t?page=2">n</a><link rel="next" href="/questions/t?page=2">'
    links = discovery.read_listing("http://h/questions/t", body)
    assert links.next_page == "http://h/questions/t?page=2" and links.unusable == ("http://h:99999/questions/t?page=2",)


SLUG = "ботокс-вопрос-1"
# A listing's charset where a page may say it, and no other: the rule of question pages, each place.
CHARSETS = {
    "header only": ("text/html; charset=utf-8", "", "utf-8"),
    "header only, KOI8-R": ("text/html; charset=koi8-r", "", "koi8-r"),
    "meta only": ("text/html", '<meta charset="windows-1251">', "cp1251"),
    "meta in http-equiv": (None, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', "cp1251"),
    "UTF-8, no word of it": (None, "", "utf-8"),
    "byte-order mark": ("text/html; charset=iso-8859-1", "", "utf-8-sig"),
    "UTF-16 with its mark": (None, "", "utf-16"),
    "XML declaration": ("application/xhtml+xml; charset=utf-8", '', "utf-8"),
}


@pytest.mark.parametrize("case", CHARSETS)
def test_a_listings_links_are_read_in_its_charset_wherever_it_says_it(case):
    """Read as Latin-1 (the HTML parser's default), /question/ботокс... became /question/Ð±Ð¾...,
    asked of the site, answered 404 and blamed on it: a listing is read as a question page is."""
    content_type, meta, codec = CHARSETS[case]
    prolog = '<?xml version="1.0" encoding="iso-8859-1"?>' if case == "XML declaration" else ""
    html = f'{prolog}<html><head>{meta}<title>Вопросы</title></head><body><a href="/question/{SLUG}">вопрос</a>' \
           '<a rel="next" href="/questions/ботокс?page=2">далее</a></body></html>'
    links = discovery.read_listing("http://h/questions/botox", html.encode(codec), content_type)
    assert links.questions == [f"http://h/question/{SLUG}"]
    assert links.next_page == "http://h/questions/ботокс?page=2"


def test_a_listing_whose_bytes_its_charset_cannot_read_still_gives_its_links():
    """Never refused for a byte (a question page is malformed for it): the links are read."""
    body = b'<html><body><a href="/question/q1">\xff\xfe bad</a><a href="/question/q2">q</a></body></html>'
    links = discovery.read_listing("http://h/", body, "text/html; charset=utf-8")
    assert links.questions == ["http://h/question/q1", "http://h/question/q2"]


@pytest.mark.parametrize("body", [b"<!-- nothing but a comment -->", b"  \n", b"\x00\x00", b"<?xml version='1.0'?>"])
def test_a_listing_of_no_document_names_nothing(body):
    assert discovery.read_listing("http://h/", body) == discovery.ListingLinks([], [], None)


@pytest.mark.parametrize("rel", ["next", "Next", "NEXT", " next ", "next nofollow", "nofollow\tnext", "prefetch next"])
@pytest.mark.parametrize("tag", ["a", "link", "area"])
def test_rel_next_is_a_keyword_in_a_list_in_any_case(rel, tag):
    body = f'<html><body><a rel="nofollow" href="/x">x</a><{tag} rel="{rel}" href="/questions/t?page=2">n</{tag}>'
    assert discovery.read_listing("http://h/questions/t", body.encode()).next_page == "http://h/questions/t?page=2"


@pytest.mark.parametrize("rel", ["nextpage", "prev", "next-page", ""])
def test_a_rel_that_only_contains_next_is_no_next_link(rel):
    body = f'<a rel="{rel}" href="/questions/t?page=2">n</a>'.encode()
    assert discovery.read_listing("http://h/questions/t", body).next_page is None


@pytest.mark.parametrize("base, page", [
    ("/", "http://h/questions/t"), ("http://h/", "http://h/questions/t"), ("../", "http://h/x/y"),
    ("http://h/sub/../", "http://h/questions/t"),
])
def test_listing_links_resolve_against_the_base_href(base, page):
    body = (f'<html><head><base href="{base}"></head><body><a href="question/a">a</a>'
            f'<a href="questions/botox">t</a><a rel="next" href="questions/t?page=2">n</a></body></html>')
    links = discovery.read_listing(page, body.encode())
    assert links.questions == ["http://h/question/a"] and links.listings == ["http://h/questions/botox"]
    assert links.next_page == "http://h/questions/t?page=2"


@pytest.mark.parametrize("base", ["javascript:/", "http://[::1/", ""])
def test_a_base_href_that_is_no_page_url_leaves_the_page_url(base):
    body = f'<base href="{base}"><a href="/question/a">a</a><a href="../question/b">b</a>'.encode()
    links = discovery.read_listing("http://h/questions/t", body)
    assert links.questions == ["http://h/question/a", "http://h/question/b"]


@pytest.mark.parametrize("href, topic", [
    ("/questions/botox", True), ("/questions/botox?page=1", True), ("/questions/botox?sort=new&page=1", True),
    ("/questions/botox?page=2", False), ("/questions/botox?page=", False), ("/questions/botox?page=x", False),
])
def test_a_topic_link_is_a_listings_first_page_in_either_form(href, topic):
    links = discovery.read_listing("http://h/", f'<a href="{href}">t</a>'.encode())
    assert links.listings == ([f"http://h{href}"] if topic else [])


URLSET = b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


@pytest.mark.parametrize("xml, cut", [
    (URLSET + b"<url><loc>http://h/question/a</loc></url></urlset>", False),
    (URLSET + b"<url><loc>http://h/question/a</loc></url></urlset>\n" + b"<!-- x -->" * 200, False),  # long tail
    (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', False),  # empty
    (b"<sm:urlset xmlns:sm='x'><sm:url><sm:loc>http://h/q</sm:loc></sm:url></sm:urlset>", False),
    (b"<html><body>Not found</body></html>", False),  # no sitemap at all: not a cut-off one
    (URLSET + b"<url><loc>http://h/question/a</loc></url><url><loc>http://h/quest", True),
    (URLSET + b"<url><loc>http://h/question/a</loc></url>", True),
    # decided on the document as parsed, whatever its encoding or prolog (not `<urlset` in its first bytes)
    (URLSET.decode().replace("UTF-8", "UTF-16").encode("utf-16") + "<url><loc>http://h/q".encode("utf-16-le"), True),
    (b'<?xml version="1.0"?><!-- ' + b"generated by SitemapGen " * 100 + b"-->" + URLSET[URLSET.index(b"<urlset"):] + b"<url><loc>http", True),
    (b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="/s.xsl"?>\n' + b"\n" * 3000 + URLSET[URLSET.index(b"<urlset"):]
     + b"<url><loc>http://h/question/a</loc></url><url>", True),
    (b"<html><head><script>var s = '<urlset>';</script></head><body>", False),  # a page quoting the tag
])
def test_a_sitemap_is_cut_off_when_its_root_does_not_close(xml, cut):
    assert discovery.sitemap_cut_off(xml) is cut


def test_a_cut_off_sitemap_gives_the_entries_read_whole():
    read = discovery.read_sitemap("http://h/s.xml", URLSET + b"<url><loc>http://h/question/a</loc></url>"
                                                             b"<url><loc>http://h/question/b</loc><lastm")
    assert read.cut_off and read.damage is None and [e.url for e in read.entries] == ["http://h/question/a"]


def _urls(names) -> bytes:
    return b"".join(b"<url><loc>http://h/question/%s</loc></url>\n" % name.encode() for name in names)


@pytest.mark.parametrize("xml, read", [
    (URLSET + _urls("ab") + b"</url>\n" + _urls("cd") + b"</urlset>", "ab"),  # a stray end tag
    (URLSET + _urls("ab") + b"</urlset>\n" + URLSET + _urls("cd") + b"</urlset>", "ab"),  # two sitemaps in one file
    (URLSET + _urls("ab") + b"</urlset>\n<urlset>" + _urls("cd") + b"</urlset>", "ab"),  # two roots
    (URLSET + _urls("ab") + b"<!DOCTYPE x>" + _urls("cd") + b"</urlset>", "ab"),  # a DOCTYPE inside
    (URLSET + _urls("ab") + b"<x>" * 300 + b"</x>" * 300 + _urls("cd") + b"</urlset>", "ab"),  # too deep
    (URLSET.replace(b"<?xml", b"<!-- x -->\n<?xml") + _urls("abcd") + b"</urlset>", "abcd"),  # a declaration not first
    # an undefined entity, a bare &: read past (mangled), but said
    (URLSET + _urls("ab") + _urls(["caf&eacute;"]) + _urls("cd") + b"</urlset>", "abcafcd"),
    (URLSET + _urls("ab") + _urls(["x&y"]) + _urls("cd") + b"</urlset>", "abxcd"),
    (URLSET + _urls("ab") + _urls(["x&"]) + _urls("cd") + b"</urlset>", "abxcd"),
])
def test_a_sitemap_the_parser_cannot_read_whole_is_damaged_and_what_it_read_is_kept(xml, read):
    """One error in a sitemap's XML (a template's stray tag, two files joined) ends what lxml
    reads of it, or mangles an entry: what it read is kept, and the damage is said with its
    line, never taken for the whole sitemap nor for one cut off in transfer (a retry brings
    the same bytes)."""
    sitemap = discovery.read_sitemap("http://h/s.xml", xml)
    assert sitemap.kind == "urlset" and sitemap.damage and "line " in sitemap.damage and not sitemap.cut_off
    assert "".join(e.url.rsplit("/", 1)[1] for e in sitemap.entries) == read


@pytest.mark.parametrize("xml", [
    b"\n  " + URLSET + _urls("ab") + b"</urlset>",  # a blank line before <?xml ?>
    b"\xef\xbb\xbf\r\n" + URLSET + _urls("ab") + b"</urlset>",
    b"\n\xef\xbb\xbf" + URLSET + _urls("ab") + b"</urlset>",
    URLSET + _urls("ab") + b"</urlset>\n<br />\n<b>Warning</b>: x in <b>/s.php</b> on line <b>9</b><br />",
    URLSET + _urls("ab") + b"</urlset>\x00",
    URLSET + _urls("a") + b"\x00\x0c" + _urls("b") + b"</urlset>",
    URLSET + _urls(["a", "b\x00"]) + b"</urlset>",  # a NUL in a loc: dropped
])
def test_a_slip_that_loses_no_entry_is_no_damage(xml):
    """White space before the document, text after its root, a character XML has not: every
    entry is read, so the sitemap is whole, not damaged (its questions are all in the crawl)."""
    sitemap = discovery.read_sitemap("http://h/s.xml", xml)
    assert (sitemap.kind, sitemap.cut_off, sitemap.damage) == ("urlset", False, None)
    assert [e.url.rsplit("/", 1)[1] for e in sitemap.entries] == ["a", "b"]


def test_entries_after_the_root_are_damage_though_a_nul_came_first():
    sitemap = discovery.read_sitemap("http://h/s.xml", URLSET + _urls(["a\x00"]) + b"</urlset>" + _urls("b"))
    assert sitemap.damage and [e.url.rsplit("/", 1)[1] for e in sitemap.entries] == ["a"]


@pytest.mark.parametrize("xml", [
    URLSET + _urls("ab") + b"</urlset>",
    URLSET.decode().replace("UTF-8", "UTF-16").encode("utf-16") + _urls("ab").decode().encode("utf-16-le")
    + "</urlset>".encode("utf-16-le"),
    b"\xef\xbb\xbf" + URLSET + _urls("ab") + b"</urlset>\n<!-- generated -->\n",
    b"<sm:urlset xmlns:sm='http://www.sitemaps.org/schemas/sitemap/0.9'><sm:url><sm:loc>http://h/question/a</sm:loc>"
    b"</sm:url><sm:url><sm:loc>http://h/question/b</sm:loc></sm:url></sm:urlset>",
])
def test_a_whole_sitemap_in_any_encoding_or_namespace_is_read_whole(xml):
    sitemap = discovery.read_sitemap("http://h/s.xml", xml)
    assert (sitemap.kind, sitemap.cut_off, sitemap.damage) == ("urlset", False, None)
    assert [e.url for e in sitemap.entries] == ["http://h/question/a", "http://h/question/b"]
    assert discovery.looks_like_sitemap(xml)


def test_a_text_sitemap_is_one_url_a_line():
    """sitemaps.org's text format: UTF-8, one URL a line (blank lines, a BOM and CRLF
    aside), nothing else. Its URLs are entries as a urlset's are (a bad one says why)."""
    body = "\ufeffhttp://h/question/a\r\n\r\nHTTPS://h/question/caf\u00e9  \nhttp://h:99999/question/c\n".encode()
    sitemap = discovery.read_sitemap("http://h/s.txt", body)
    assert sitemap.kind == discovery.TEXT_SITEMAP and discovery.looks_like_sitemap(body)
    assert [e.url for e in sitemap.entries] == ["http://h/question/a", "HTTPS://h/question/caf\u00e9",
                                                "http://h:99999/question/c"]
    assert [bool(e.unusable) for e in sitemap.entries] == [False, False, True]


@pytest.mark.parametrize("body", [
    b"User-agent: *\nDisallow: /private\nSitemap: http://h/s.xml\n",  # a robots.txt names URLs, is none
    b"http://h/question/a\nsee also http://h/question/b\n", b"Not Found\n", b"/question/a\n", b"\n\n",
    b"<html><head><script>var s = 'Our sitemap: <urlset> lists every page';</script></head>"
    b"<body><a href='/question/a'>a</a></body></html>",
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>urlset</title></head><body>"
    b"<pre><urlset><url><loc>http://h/question/a</loc></url></urlset></pre></body></html>",
    b"<rss><channel><item><link>http://h/question/a</link></item></channel></rss>",
])
def test_what_is_no_sitemap_by_its_parsed_root_or_lines_is_none(body):
    """A page is a sitemap by its document's root element (or its lines), never by a
    `<urlset` anywhere in its first bytes: an HTML page quoting the tag is a page."""
    assert discovery.read_sitemap("http://h/s", body) == discovery.SitemapRead("", [])
    assert not discovery.looks_like_sitemap(body)


@pytest.mark.parametrize("html, cut, cut_unvouched", [
    (b"<html><body><a href='/question/a'>a</a></body></html>", False, False),
    (b"<html><body><a href='/question/a'>a</a></body></html><script>x()</script>\n", False, False),
    # HTML may leave its end out: a Content-Length that matched vouches for it; with none
    # (close-delimited, chunked) a page stopping right after a tag is a transfer cut there
    (b"<html><body><ul><li><a href='/question/a'>a</a></li></ul>", False, True),
    (b"<html><body><ul><li><a href='/question/a'>a</a></li>\r\n  ", False, True),
    (b"<html><body><ul><li><a href='/question/a'>a</a></li><li><a hr", True, True),
    (b"<html><body><ul><li><a href='/question/a'>Botox resu", True, True),
    (b"", False, False),  # empty, not cut (the spider retries it as empty)
])
def test_a_listing_is_cut_off_when_it_stops_before_its_end_unvouched_or_inside_a_tag(html, cut, cut_unvouched):
    assert discovery.listing_cut_off(html, length_vouched=True) is cut
    assert discovery.listing_cut_off(html, length_vouched=False) is cut_unvouched


@pytest.mark.parametrize("text, read", [
    ("2024-01-05", "2024-01-05"), ("2024-01", "2024-01"), (" 2024 ", "2024"),
    # one time, one text: the state compares lastmods by their text
    ("2024-01-05T10:00+01:00", "2024-01-05T09:00+00:00"), ("2024-01-05T09:00:00Z", "2024-01-05T09:00:00+00:00"),
    ("2024-01-05T09:00:00.5-05:00", "2024-01-05T14:00:00.500000+00:00"),
    ("2024-01-05T09:00:00", "2024-01-05T09:00:00"),  # no zone: the site's time, as written
    # no date: an unrendered template, other formats, impossible dates, sentinels
    ("{{ question.updated_at }}", None), ("<?= $updated ?>", None), ("Mon, 05 Jan 2024 10:00:00 GMT", None),
    ("20240105", None), ("2024-01-05 10:00:00", None), ("05/01/2024", None), ("null", None), ("", None),
    ("2024-13-01", None), ("2024-02-30", None), ("2024-01-05T25:00Z", None), ("2024-01-05T10:00+25:00", None),
    ("0001-01-01T00:00:00", None), ("1970-01-01T00:00:00Z", None), ("9999-12-31", None),
    ("9999-12-31T23:00:00-05:00", None), ("0001-01-01T00:00:00+05:00", None),  # past the last day in UTC
    ("2031-01-07", "2031-01-07"),  # ahead of this machine's clock: the site's may be right
])
def test_a_lastmod_is_read_as_a_time_or_not_at_all(text, read):
    assert discovery.lastmod_time(text) == read


@pytest.mark.parametrize("text, end", [
    ("2024-01-05T10:30+01:00", "2024-01-05T09:30:59.999999+00:00"),  # a minute: its end
    ("2024-01-05T10:30:15+01:00", "2024-01-05T09:30:15+00:00"), ("2024-01-05T10:30:15.25Z", "2024-01-05T10:30:15.250000+00:00"),
    ("2024-01-05T10:30", "2024-01-05T22:30:59.999999+00:00"),  # no zone: where it ends latest (UTC-12)
    ("2024-01-05", "2024-01-06T11:59:59.999999+00:00"),
])
def test_a_lastmod_ends_at_the_end_of_what_it_names(text, end):
    """A page fetched at 10:30:20 may lack an edit of 10:30:45 that a lastmod of 10:30 speaks of."""
    assert discovery.lastmod_end(discovery.lastmod_time(text)).isoformat() == end


def test_a_sitemap_entry_whose_lastmod_is_no_date_has_none_and_keeps_the_text():
    body = URLSET + (b"<url><loc>/question/a</loc><lastmod>{{ question.updated_at }}</lastmod></url>"
                     b"<url><loc>/question/b</loc><lastmod>2012-10-29</lastmod></url>"
                     b"<url><loc>/question/c</loc></url></urlset>")
    read = discovery.read_sitemap("https://x/s.xml", body)
    kind, entries = read.kind, read.entries
    assert [(e.lastmod, e.bad_lastmod) for e in entries] == [
        (None, "{{ question.updated_at }}"), ("2012-10-29", None), (None, None)]


def test_a_listings_backslash_links_are_the_pages_a_browser_opens():
    """WHATWG URL: in an http(s) URL a "\\" before the query is a "/": `\\question\\x` on
    /questions/botox is /question/x (joined as a relative path it was a 404 blamed on the site)."""
    body = (b'<a href="\\question\\q1">a</a><a href="/question\\q2">b</a><a href="\\questions\\lips">t</a>'
            b'<a rel="next" href="\\questions\\botox?page=2">n</a>')
    links = discovery.read_listing("http://h/questions/botox", body)
    assert links.questions == ["http://h/question/q1", "http://h/question/q2"]
    assert links.listings == ["http://h/questions/lips"] and links.next_page == "http://h/questions/botox?page=2"
    assert discovery.sitemaps_in_robots("http://h/robots.txt", ["\\sitemaps\\a.xml"]) == [
        ("http://h/sitemaps/a.xml", None)]
