"""Discovery from robots.txt, sitemaps and listings, on the contract's samples."""

import pytest

from crawler import discovery

from tests.contract import PAGES


def test_sitemaps_named_by_robots_txt():
    body = (PAGES / "robots.txt").read_bytes()
    assert discovery.sitemaps_in_robots("https://www.realself.com/robots.txt", body) == [
        "https://www.realself.com/sitemap.xml"]


def test_sitemap_index_and_question_sitemap():
    kind, entries = discovery.read_sitemap("https://www.realself.com/sitemap.xml", (PAGES / "sitemap.xml").read_bytes())
    assert kind == "sitemapindex" and len(entries) == 3 and entries[0].lastmod == "2026-11-20"
    kind, entries = discovery.read_sitemap("https://x/s.xml", (PAGES / "xmlsitemap-Question-1.xml").read_bytes())
    assert kind == "urlset"
    assert all(discovery.is_question_url(e.url) for e in entries)
    assert entries[0].lastmod == "2012-10-29"


def test_not_a_sitemap():
    assert discovery.read_sitemap("https://x/s.xml", b"<html>oops") == ("", [])
    assert discovery.read_sitemap("https://x/s.xml", b"") == ("", [])


def test_listing_gives_questions_and_the_next_page():
    links = discovery.read_listing("https://www.realself.com/questions/botox",
                                   (PAGES / "questions-botox.page-1.legacy.html").read_bytes())
    assert links.questions[0] == "https://www.realself.com/question/botox-injections-days-knot-redness-injection-sites"
    assert len(links.questions) == 3
    assert links.next_page == "https://www.realself.com/questions/botox?page=2"
    assert links.listings == []  # numbered pages come through rel="next", not as topics


URLSET = b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


@pytest.mark.parametrize("xml, cut", [
    (URLSET + b"<url><loc>http://h/question/a</loc></url></urlset>", False),
    (URLSET + b"<url><loc>http://h/question/a</loc></url></urlset>\n" + b"<!-- x -->" * 200, False),  # long tail
    (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', False),  # empty
    (b"<sm:urlset xmlns:sm='x'><sm:url><sm:loc>http://h/q</sm:loc></sm:url></sm:urlset>", False),
    (b"<html><body>Not found</body></html>", False),  # no sitemap at all: not a cut-off one
    (URLSET + b"<url><loc>http://h/question/a</loc></url><url><loc>http://h/quest", True),
    (URLSET + b"<url><loc>http://h/question/a</loc></url>", True),
])
def test_a_sitemap_is_cut_off_when_its_root_does_not_close(xml, cut):
    assert discovery.sitemap_cut_off(xml) is cut


@pytest.mark.parametrize("html, cut", [
    (b"<html><body><a href='/question/a'>a</a></body></html>", False),
    (b"<html><body><a href='/question/a'>a</a></body></html><script>x()</script>\n", False),
    (b"<html><body><ul><li><a href='/question/a'>a</a></li></ul>", False),  # HTML may leave its end out
    (b"<html><body><ul><li><a href='/question/a'>a</a></li><li><a hr", True),
    (b"<html><body><ul><li><a href='/question/a'>Botox resu", True),
    (b"", False),
])
def test_a_listing_is_cut_off_when_it_stops_inside_a_tag_or_its_text(html, cut):
    assert discovery.listing_cut_off(html) is cut
