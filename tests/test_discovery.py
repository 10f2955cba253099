"""Discovery from robots.txt, sitemaps and listings, on the contract's samples."""

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
