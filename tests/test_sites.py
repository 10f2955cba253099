"""The site definition (crawler.sites): URL rules, keys, canonical links; the spider's arguments."""
from __future__ import annotations

import dataclasses
import gzip
import html
import json
import re

import pytest

import crawler.sites
from crawler import discovery
from crawler.extraction import extract_page
from crawler.pages import FAMILIES, BlockedPage, is_block_page, parse_question_page
from crawler.sites import DEFAULT, site_for
from crawler.sites.realself import SITE as REALSELF
from tests.contract import PAGES

SLUG = "botox-injections-days-knot-redness-injection-sites"
PAGE = f"https://www.realself.com/question/{SLUG}"  # the page a profile link is read on
# A second site: doctors under /doctor/, and a bot wall of its own.
OTHER = dataclasses.replace(REALSELF, name="other", hosts=frozenset({"doctors.example"}), profile_prefix="/doctor/",
                            block_title="Checking your browser", block_element_id="cf-challenge")
from crawler.spiders.arguments import QuestionsArguments, SpiderArgumentError


def test_unknown_hosts_use_realself_rules_which_the_reference_site_copies():
    assert site_for("http://127.0.0.1:8000/") is DEFAULT is REALSELF
    assert site_for("https://WWW.REALSELF.COM/question/x") is REALSELF
    assert site_for("http://[::1/broken") is DEFAULT


@pytest.mark.parametrize("url", [
    "http://h:8000/question/q1", "http://h:8000/question/q1?ref=a", "http://h:8000/question/q1/",
    "http://h:8000/question/q1#answers", "HTTP://H:8000/question/q1", "http://h:8000/question/q1/?a=1#b",
])
def test_one_question_has_one_key_whatever_url_names_it(url):
    assert REALSELF.question_key(url) == "http://h:8000/question/q1"


def test_keys_drop_default_ports_and_keep_others():
    assert REALSELF.question_key("https://www.realself.com:443/question/a") == "https://www.realself.com/question/a"
    assert REALSELF.question_key("http://[::1]:81/question/a") == "http://[::1]:81/question/a"
    assert REALSELF.question_key("http://h:99999/question/a") == "http://h:99999/question/a"  # broken: as it is



@pytest.mark.parametrize("url, site", [
    ("http://h:8000/question/q1", "h:8000"), ("HTTP://User@H:8000/question/q1", "h:8000"),
    ("https://www.realself.com:443/question/a", "www.realself.com"), ("http://[::1]:81/q", "[::1]:81"),
    ("http://h:99999/q", "h:99999"), ("http://[::1/q", "[::1"),  # broken: as written
])
def test_a_site_is_its_host_and_port_as_keys_hold_them(url, site):
    from pipelines.rows import site_of

    assert site_of(url) == site

def test_what_a_url_is():
    assert REALSELF.is_question_url("http://h/question/a") and not REALSELF.is_question_url("http://h/question/")
    assert REALSELF.is_listing_url("http://h/questions/botox?page=2") and not REALSELF.is_listing_url("http://h/questions/")
    assert REALSELF.is_topic_url("http://h/questions/botox") and not REALSELF.is_topic_url("http://h/questions/botox?page=2")
    assert REALSELF.is_sitemap_url("http://h/sitemap.xml") and REALSELF.is_sitemap_url("http://h/s.xml.gz")
    assert REALSELF.is_root_url("http://h") and REALSELF.is_root_url("http://h/") and not REALSELF.is_root_url("http://h/nope")


def test_doctor_keys_come_from_profile_links():
    assert REALSELF.profile_slug("/dr/joseph-serota-aurora-co", PAGE) == "joseph-serota-aurora-co"
    assert REALSELF.profile_slug("https://www.realself.com/dr/x-y-ny/reviews", PAGE) == "x-y-ny"
    assert REALSELF.profile_slug("/question/x", PAGE) is None and REALSELF.profile_slug(None, PAGE) is None
    assert REALSELF.profile_path("x-y-ny") == "/dr/x-y-ny"


# What may stand in a URL path segment as it is (RFC 3986 pchar); everything else escaped.
SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+")
# Raw controls (ANSI ESC sequences, BEL, CR, NUL), a bidi override, U+2028, markup, quotes.
HOSTILE = "x\x1b[2J\x1b]0;t\x07\r\x7f\x85\u202e\u2028<img src=x onerror=alert(1)>\"'`{|}^%-y-ny"


@pytest.mark.parametrize("href, key", [
    ("/dr/a\tb\nc-ny", "abc-ny"),  # as WHATWG: tabs and newlines dropped
    (" \x01/dr/jo-smith-ny\t ", "jo-smith-ny"), ("/dr/\u00e9lodie-paris-tx", "%C3%A9lodie-paris-tx"),
    (f"/dr/{HOSTILE}", None), (f"https://www.realself.com/dr/{HOSTILE}/reviews", None), (f" \x01/dr/{HOSTILE}\t ", None),
    ("/dr/50%-off-ny", None), ("/dr/a\\b-ny", "a"),  # a browser's /dr/a/b-ny (WHATWG: "\\" is "/")
    ("/dr/a%2Fb-ny", None), ("/dr/jo%FFsmith-ny", None),
])
def test_a_doctor_key_is_a_slug_percent_encoded(href, key):
    """A profile href is made safe as a browser makes a URL (tabs and newlines and the C0
    around it dropped); its segment is a key only when it is a slug (letters and digits joined
    by hyphens), percent-encoded as RFC 3986's normal form writes it. Controls, markup, a stray
    %, bytes that are no UTF-8 are no slug: no key, never a key holding them."""
    slug = REALSELF.profile_slug(href, PAGE)
    assert slug == key
    if key:
        assert SEGMENT.fullmatch(slug) and REALSELF.profile_slug("/dr/" + slug, PAGE) == slug  # a key is its own key


@pytest.mark.parametrize("href", ["/dr/123456/joseph-serota-aurora-co", "/dr/123-456"])
def test_a_profile_link_of_another_form_gives_no_key(href):
    """A link under the prefix whose segment is no slug (an id: a number alone) names no key:
    a wrong key ('123456') is worse than none."""
    assert REALSELF.profile_slug(href, PAGE) is None


@pytest.mark.parametrize("href, key", [
    ("/dr/jo_smith_ny", "jo_smith_ny"), ("/dr/jo.smith-ny", "jo.smith-ny"), ("/dr/o--connor-ny", "o--connor-ny"),
    ("/dr/-jo-smith-ny", "-jo-smith-ny"), ("/dr/jo-smith-ny-", "jo-smith-ny-"), ("/dr/jo~smith", "jo~smith"),
])
def test_a_slug_of_another_slug_makers_form_is_a_key(href, key):
    """Underscores, dots, doubled hyphens: what other slug makers write (RFC 3986's unreserved
    characters). A rule of letters and digits joined by single hyphens lost every doctor of
    such a site, in silence."""
    assert REALSELF.profile_slug(href, PAGE) == key


@pytest.mark.parametrize("spelling", ["/dr/Joseph-Serota-Aurora-CO", "/dr/JOSEPH-SEROTA-AURORA-CO", "/dr/joseph-serota-aurora-co"])
def test_one_doctor_has_one_key_whatever_the_case_of_the_slug(spelling):
    assert REALSELF.profile_slug(spelling, PAGE) == "joseph-serota-aurora-co"
    assert REALSELF.profile_slug("/dr/%C3%89lodie-paris-tx", PAGE) == REALSELF.profile_slug("/dr/\u00e9lodie-paris-tx", PAGE)


# (A lone surrogate is kept: no file can hold that key, and the page is malformed: test_poison_pages.)
@pytest.mark.parametrize("href", ["/dr/", "/dr/.", "/dr/..", "/dr/%2E%2e/x", "/dr/\t/", "/dr/ "])
def test_a_profile_link_naming_no_segment_names_no_doctor(href):
    assert REALSELF.profile_slug(href, PAGE) is None


def test_a_canonical_url_is_recorded_as_a_browser_would_request_it():
    fetched = "http://127.0.0.1:5/question/a"
    url = REALSELF.page_url(f"\x01 https://www.realself.com/question/{HOSTILE}\n", fetched)
    assert url.startswith("https://www.realself.com/question/x%1B%5B2J%1B%5D0;t%07%7F%C2%85%E2%80%AE%E2%80%A8%3Cimg%20")
    assert all(0x21 <= ord(c) < 0x7f for c in url) and not set(url) & set("<>\"`{|}^")
    assert REALSELF.page_url(url, fetched) == url  # already safe: unchanged


@pytest.mark.parametrize("family", FAMILIES)
def test_urls_and_keys_from_page_attributes_reach_no_record_raw(family):
    """A canonical link and a profile link holding controls and markup: `url` holds them
    percent-encoded; the profile link is no slug, so the answer has no doctor (counted), and
    no `doctor_id` or `profile_url` holds any of it."""
    page = (PAGES / f"{SLUG}.{family}.html").read_text(encoding="utf-8")
    attribute = html.escape(HOSTILE)
    page = page.replace(f'href="https://www.realself.com/question/{SLUG}"', f'href="https://www.realself.com/question/{attribute}"')
    page = page.replace('href="/dr/joseph-serota-aurora-co', f'href="/dr/{attribute}')
    page = page.replace("joseph-serota-aurora-co", json.dumps(HOSTILE)[1:-1])  # the page's JSON
    extract = extract_page(f"https://www.realself.com/question/{SLUG}", page.encode())
    records = extract.records
    (question,) = [r for r in records if r["type"] == "question"]
    assert question["url"] == REALSELF.page_url(f"https://www.realself.com/question/{HOSTILE}", "http://h/")
    assert "joseph-serota-aurora-co" not in page and len([r for r in records if r["type"] == "doctor"]) == len(
        [r for r in extract_page(f"https://www.realself.com/question/{SLUG}", (PAGES / f"{SLUG}.{family}.html").read_bytes()).records
         if r["type"] == "doctor"]) - 1  # Joseph Serota's answers have no doctor
    assert extract.counts[f"answers/profile_not_read/{family}"] >= 1
    for record in records:
        for key in ("url", "doctor_id", "profile_url"):
            assert all(0x21 <= ord(c) < 0x7f for c in record.get(key) or ""), (key, record[key])


@pytest.fixture
def other_site(monkeypatch):
    monkeypatch.setattr(crawler.sites, "SITES", (REALSELF, OTHER))
    return OTHER


@pytest.mark.parametrize("family", FAMILIES)
def test_the_parsers_read_the_rules_of_the_pages_own_site(other_site, family):
    html = (PAGES / f"{SLUG}.{family}.html").read_bytes().replace(b"/dr/", b"/doctor/")
    expected = [json.loads(line) for line in (PAGES / f"{SLUG}.expected.jsonl").read_text().splitlines()]
    expected = [r["doctor_id"] for r in expected if r["type"] == "doctor"]

    doctors = [r for r in extract_page(f"https://doctors.example/question/{SLUG}", html).records if r["type"] == "doctor"]
    assert [d["doctor_id"] for d in doctors] == expected
    assert [d["profile_url"] for d in doctors] == [f"https://doctors.example/doctor/{slug}" for slug in expected]
    # the same links are no RealSelf profiles: its pages name doctors under /dr/
    realself = extract_page(f"https://www.realself.com/question/{SLUG}", html).records
    assert not [r for r in realself if r["type"] == "doctor"]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_saved_page_read_without_its_url_is_of_the_site_its_canonical_link_names(other_site, family):
    """`doctor-answers extract page.html` (a file:// URL, no --url): the canonical link says
    whose page it is, and that site's rules read it (RealSelf's lost every doctor)."""
    html = (PAGES / f"{SLUG}.{family}.html").read_bytes().replace(b"/dr/", b"/doctor/")
    html = html.replace(b"https://www.realself.com/", b"https://doctors.example/")
    saved = extract_page("file:///tmp/saved.html", html)
    fetched = extract_page(f"https://doctors.example/question/{SLUG}", html)
    assert saved.records == fetched.records
    assert [r for r in saved.records if r["type"] == "doctor"]

def test_block_pages_are_known_by_the_markers_of_the_pages_own_site(other_site):
    wall = b"<html><head><title>Checking your browser</title></head><body><div id=cf-challenge></div></body></html>"
    assert is_block_page(wall, url="https://doctors.example/question/x")
    assert not is_block_page(wall, url="https://www.realself.com/question/x")
    with pytest.raises(BlockedPage, match="cf-challenge"):
        parse_question_page("https://doctors.example/question/x", wall)


@pytest.mark.parametrize("canonical, expected", [
    ("https://www.realself.com/question/a", "https://www.realself.com/question/a"),  # the site's own host
    ("http://127.0.0.1:5/question/b", "http://127.0.0.1:5/question/b"),  # the host it was fetched from
    ("javascript:alert(1)", "http://127.0.0.1:5/question/a"),
    ("https://evil.example/question/a", "http://127.0.0.1:5/question/a"),
    ("https://www.realself.com/dr/someone", "http://127.0.0.1:5/question/a"),  # not a question
    ("http://[::1/question/a", "http://127.0.0.1:5/question/a"),
    ("", "http://127.0.0.1:5/question/a"),
    (None, "http://127.0.0.1:5/question/a"),
])
def test_a_canonical_counts_only_when_it_is_the_sites_own(canonical, expected):
    assert REALSELF.page_url(canonical, "http://127.0.0.1:5/question/a") == expected


def test_gzip_sitemaps_are_decompressed_under_a_size_limit():
    xml = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' \
          b"<url><loc>http://h/question/a</loc></url></urlset>"
    assert discovery.sitemap_body(gzip.compress(xml)) == xml
    assert discovery.sitemap_body(xml) == xml
    read = discovery.read_sitemap("http://h/s.xml.gz", discovery.sitemap_body(gzip.compress(xml)))
    assert read.kind == "urlset" and read.entries[0].url == "http://h/question/a"
    with pytest.raises(discovery.SitemapTooBig):
        discovery.sitemap_body(gzip.compress(xml * 100), max_size=1000)
    assert discovery.sitemap_body(b"\x1f\x8b\x08 not gzip at all") == b""
    assert discovery.looks_like_sitemap(gzip.compress(xml)) and discovery.looks_like_sitemap(xml)
    assert not discovery.looks_like_sitemap(b"<!doctype html><html><body>urlset</body></html>")


def test_spider_arguments_are_checked_in_one_place():
    assert QuestionsArguments.parse(start_urls='["http://a/", "http://b/x"]').start_urls == ("http://a/", "http://b/x")
    assert QuestionsArguments.parse(start_urls=["http://a/"], _job="123").start_urls == ("http://a/",)
    # several in one start_url, as it always took them; a comma that begins no URL is the URL's own
    assert QuestionsArguments.parse("http://a/, HTTPS://b/x").start_urls == ("http://a/", "HTTPS://b/x")
    assert QuestionsArguments.parse("http://a/q?utm=a,b,c").start_urls == ("http://a/q?utm=a,b,c",)
    assert QuestionsArguments.parse(start_urls="http://a/,http://b/").start_urls == ("http://a/", "http://b/")
    for kwargs, words in [({}, "no start URL"), ({"start_urls": "[]"}, "no start URL"),
                          ({"start_url": " , "}, "not an http\\(s\\) URL"),
                          ({"start_urls": '["http://a/", 5]'}, "start_urls must be a JSON list of URLs"),
                          ({"start_url": "ftp://a/"}, "not an http\\(s\\) URL"),
                          ({"start_url": "http://a:99999/"}, "not an http\\(s\\) URL"),
                          ({"start_url": "http://a/", "start_ur": "x"}, "unknown spider argument 'start_ur'")]:
        with pytest.raises(SpiderArgumentError, match=words):
            QuestionsArguments.parse(**kwargs)


@pytest.mark.parametrize("url", ["https://www.realself.com/question/a", "https://realself.com/question/a",
                                 "http://REALSELF.com:8080/question/a"])
def test_every_host_of_a_site_gives_its_rows_one_site(url):
    """Canonical links that move between www.realself.com and realself.com: one site, not two
    (every key was twice in latest/)."""
    from crawler.sites import site_key

    assert site_key(url) == "www.realself.com"


def test_a_host_no_definition_names_is_a_site_of_its_own(other_site):
    from crawler.sites import site_key

    assert site_key("http://127.0.0.1:5/question/a") == "127.0.0.1:5"
    assert site_key("http://127.0.0.1:6/question/a") == "127.0.0.1:6"
    assert site_key("https://doctors.example/question/a") == "doctors.example"  # its only host


@pytest.mark.parametrize("family", FAMILIES)
def test_pages_whose_canonical_host_differs_give_rows_of_one_site(family):
    from pipelines.rows import page_rows
    from pipelines.items import QuestionPageItem

    html = (PAGES / f"{SLUG}.{family}.html").read_bytes()
    sites = set()
    for host in (b"https://www.realself.com/", b"https://realself.com/"):
        page = extract_page(f"https://www.realself.com/question/{SLUG}", html.replace(b"https://www.realself.com/", host))
        item = QuestionPageItem(family=page.family, fetched_url=f"https://www.realself.com/question/{SLUG}",
                                records=page.records, fetched_at=None, content_sha256="x")
        sites |= {row["site"] for rows in page_rows(item, "c").values() for row in rows}
    assert sites == {"www.realself.com"}


def _rows_sites(url: str, html: bytes) -> set:
    from pipelines.items import QuestionPageItem
    from pipelines.rows import page_rows

    page = extract_page(url, html)
    item = QuestionPageItem(family=page.family, fetched_url=url, records=page.records, fetched_at=None,
                            content_sha256="x")
    return {row["site"] for rows in page_rows(item, "c").values() for row in rows}


@pytest.mark.parametrize("fetched", ["http://127.0.0.1:8000/question/x", "http://127.0.0.1:8001/question/x"])
def test_rows_are_of_the_site_a_page_was_fetched_from_whatever_its_canonical_names(fetched):
    """A copy's page (the reference site's) whose canonical link names www.realself.com: its rows
    are its own host's, with the link or without it (never split in two); a saved file's rows
    are its link's site."""
    html = (PAGES / f"{SLUG}.legacy.html").read_bytes()
    without = re.sub(rb'<link rel="canonical"[^>]*>', b"", html)
    assert _rows_sites(fetched, html) == _rows_sites(fetched, without) == {fetched.split("/")[2]}
    assert _rows_sites("file:///tmp/x.html", html) == {"www.realself.com"}


def test_a_saved_pages_rows_are_of_the_site_it_names_or_of_none():
    """A saved page without its canonical link: the site its base href or absolute links name,
    as its records' URLs; none when it names none (a file: URL is no site, never "")."""
    without = re.sub(rb'<link rel="canonical"[^>]*>', b"", (PAGES / f"{SLUG}.legacy.html").read_bytes())
    based = without.replace(b"<head>", b'<head><base href="https://www.realself.com/question/x">')
    absolute = without.replace(b'href="/dr/', b'href="https://realself.com/dr/')
    assert _rows_sites("file:///tmp/x.html", based) == _rows_sites("file:///tmp/x.html", absolute) == {"www.realself.com"}
    assert _rows_sites("file:///tmp/x.html", without) == {None}


# One site, one key: the site rule (a host a definition names is its site; any other host is
# its host and port) and RFC 3986 6.2.2 equivalence, wherever a URL becomes a key.

@pytest.mark.parametrize("canonical", [
    "http://127.0.0.1:8001/question/x", "http://localhost:8000/question/x", "http://x.127.0.0.1:8000/question/x",
    "https://elsewhere.example/question/x",
])
def test_a_canonical_link_to_another_site_is_not_the_pages_url(canonical):
    """A host no definition names is a site of its own, its port included: a canonical link
    naming another port is another site's URL, and the URL fetched stands."""
    fetched = "http://127.0.0.1:8000/question/a"
    assert REALSELF.page_url(canonical, fetched) == fetched


@pytest.mark.parametrize("canonical", [
    "http://127.0.0.1:8000/question/x", "HTTP://127.0.0.1:8000/question/x", "https://realself.com/question/x",
    "https://www.realself.com/question/x",
])
def test_a_canonical_link_on_the_pages_own_site_is_taken(canonical):
    assert REALSELF.page_url(canonical, "http://127.0.0.1:8000/question/a") == crawler.sites.base.safe_url(canonical)


@pytest.mark.parametrize("spelling", [
    "/dr/micha%C3%ABl-doe-ny", "/dr/micha%c3%abl-doe-ny", "/dr/micha%C3%ABl%2Ddoe-ny", "/dr/micha\u00ebl-doe-ny",
    "/dr/%6Dicha%c3%abl%2ddoe%2Dny", "/dr/./micha%C3%ABl-doe-ny/", "/x/../dr/micha%C3%ABl-doe-ny/reviews",
])
def test_one_doctor_has_one_key_whatever_percent_encoding_names_it(spelling):
    assert REALSELF.profile_slug(spelling, PAGE) == "micha%C3%ABl-doe-ny"


@pytest.mark.parametrize("href", [
    "https://elsewhere.example/dr/jo-smith-ny", "http://127.0.0.1:8001/dr/jo-smith-ny", "//x.localhost:8000/dr/jo-smith-ny",
    "/x/dr/jo-smith-ny", "/question/dr/jo-smith-ny", "dr/jo-smith-ny", "javascript:'/dr/jo-smith-ny'",
])
def test_a_profile_link_to_another_site_or_not_under_the_prefix_names_no_doctor(href):
    assert REALSELF.profile_slug(href, "http://localhost:8000/question/q") is None


@pytest.mark.parametrize("href", [
    "/dr/jo-smith-ny", "http://LOCALHOST:8000/dr/jo-smith-ny", "https://www.realself.com/dr/jo-smith-ny",
    "https://realself.com/dr/jo-smith-ny/reviews",
])
def test_a_profile_link_on_the_pages_own_site_names_its_doctor(href):
    assert REALSELF.profile_slug(href, "http://localhost:8000/question/q") == "jo-smith-ny"


@pytest.mark.parametrize("url", [
    "http://h:8000/question/q%31", "http://h:8000/question/%71%31", "http://h:8000/question/./q1",
    "http://h:8000/question/x/../q1", "http://h:8000/a/../question/q1/", "http://h:8000/question/%2e/q1",
])
def test_one_question_has_one_key_under_rfc_3986_equivalence(url):
    assert REALSELF.is_question_url(url)
    assert REALSELF.question_key(url) == "http://h:8000/question/q1"


def test_a_question_key_holds_percent_escapes_in_upper_case():
    assert REALSELF.question_key("http://h/question/micha%c3%abl") == "http://h/question/micha%C3%ABl"
    assert REALSELF.question_key("http://h/question/micha\u00ebl") == "http://h/question/micha%C3%ABl"
    assert REALSELF.question_key("http://B\u00fccher.example/question/q") == "http://xn--bcher-kva.example/question/q"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_byline_linking_another_sites_profile_is_no_doctor_of_this_site(family):
    """A byline whose link names elsewhere.example/dr/<slug> is not this site's doctor <slug>:
    the answer has no doctor (as with no profile link), no doctor row is made of it."""
    page = (PAGES / f"{SLUG}.{family}.html").read_text(encoding="utf-8")
    page = page.replace('href="/dr/joseph-serota-aurora-co', 'href="https://elsewhere.example/dr/joseph-serota-aurora-co')
    page = page.replace('"/dr/joseph-serota-aurora-co', '"https://elsewhere.example/dr/joseph-serota-aurora-co')
    records = extract_page(f"https://www.realself.com/question/{SLUG}", page.encode()).records
    assert "joseph-serota-aurora-co" not in [r.get("doctor_id") for r in records]


def test_a_pages_question_links_are_read_under_rfc_3986_equivalence():
    from crawler.pages.document import parse_html
    from crawler.pages.tree import ClassKeys, Tree

    body = b'<html><body><a href="/%71uestion/q1">a</a><a href="/a/../question/q2">b</a></body></html>'
    tree = Tree(parse_html(body), "http://h/question/q0", ClassKeys())
    links = tree.question_links(a.get("href") for a in tree.root.iter("a"))
    assert [REALSELF.question_key(url) for url in links] == ["http://h/question/q1", "http://h/question/q2"]


def _with_link(family: str, link: str) -> str:
    """The contract sample with Joseph Serota's profile link (markup and data) replaced."""
    page = (PAGES / f"{SLUG}.{family}.html").read_text(encoding="utf-8")
    return page.replace('href="/dr/joseph-serota-aurora-co', f'href="{link}').replace(
        '"/dr/joseph-serota-aurora-co', f'"{link}')


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("link", [
    "/dr/123456/joseph-serota-aurora-co", "/doctor/joseph-serota-aurora-co",
    "/DR/joseph-serota-aurora-co", "/es/dr/joseph-serota-aurora-co", "https://elsewhere.example/dr/joseph-serota-aurora-co",
    "/dr/joseph-o'serota-aurora-co", "/dr/joseph+serota-aurora-co", "/dr/joseph-serota-(aurora)-co",
])
def test_a_byline_whose_link_names_no_profile_by_the_rule_has_no_doctor_and_is_counted(family, link):
    """A site that moves its profiles (an id segment, an extension, another prefix, a
    language) re-keys no doctor in silence: the answer's doctor_id is null, no doctor row is
    made, and each such byline is counted (answers/profile_not_read/<family>)."""
    before = extract_page(PAGE, (PAGES / f"{SLUG}.{family}.html").read_bytes())
    after = extract_page(PAGE, _with_link(family, link).encode())
    serota = [r["answer_id"] for r in before.records if r["type"] == "answer" and r["doctor_id"] == "joseph-serota-aurora-co"]
    assert serota
    want = [dict(r, doctor_id=None) if r.get("answer_id") in serota else r
            for r in before.records if r.get("doctor_id") != "joseph-serota-aurora-co" or r["type"] == "answer"]
    assert after.records == want
    assert after.counts.get(f"answers/profile_not_read/{family}") == len(serota)
    assert f"answers/profile_not_read/{family}" not in before.counts


@pytest.mark.parametrize("family", FAMILIES)
def test_a_profile_link_in_other_case_is_the_same_doctor(family):
    before = extract_page(PAGE, (PAGES / f"{SLUG}.{family}.html").read_bytes())
    after = extract_page(PAGE, _with_link(family, "/dr/Joseph-Serota-Aurora-CO").encode())
    assert after.records == before.records and after.counts == before.counts


@pytest.mark.parametrize("spelling", [
    "/dr/jose%CC%81ph-serota-ny", "/dr/jose\u0301ph-serota-ny", "/dr/JOSE%CC%81PH-serota-ny", "/dr/jos%C3%A9ph-serota-ny",
])
def test_one_doctor_has_one_key_however_the_slugs_unicode_is_composed(spelling):
    """A slug in decomposed form (NFD: "jose" + U+0301, as macOS and many CMSs write it) is
    the precomposed slug's doctor: one key, never one doctor keyed and the same one dropped."""
    assert REALSELF.profile_slug(spelling, PAGE) == "jos%C3%A9ph-serota-ny"


@pytest.mark.parametrize("slug", [
    "%E0%A4%A1%E0%A5%89-zeichner-ny",  # "डॉ": Devanagari DDA and vowel sign O (U+0949, Mc)
    "\u0e2a\u0e21\u0e0a\u0e32\u0e22-\u0e43\u0e08\u0e14\u0e35",  # Thai, a vowel sign above (U+0E35, Mn)
    "\u09b0\u09b9\u09bf\u09ae-dhaka",  # Bengali, vowel sign I (U+09BF, Mc)
    "q\u0323uynh-nguyen-hanoi",  # a dot below that no precomposed q holds
])
def test_a_slug_whose_letters_carry_combining_marks_is_a_key(slug):
    """A mark is part of the letter it is written on: a vowel sign of an Indic or Thai name is
    no character outside the slug form (Python's \\w has no marks)."""
    key = REALSELF.profile_slug("/dr/" + slug, PAGE)
    assert key is not None and REALSELF.profile_slug("/dr/" + key, PAGE) == key  # a key is its own key


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("link", ["/dr/jose%CC%81ph-serota-aurora-co", "/dr/%E0%A4%A1%E0%A5%89-serota-aurora-co",
                                  "/dr\\joseph-serota-aurora-co", "\\dr\\joseph-serota-aurora-co",
                                  "https:\\\\www.realself.com\\dr\\joseph-serota-aurora-co"])
def test_a_byline_whose_link_a_browser_opens_as_a_profile_names_its_doctor(family, link):
    """A byline linking its profile in decomposed Unicode, with a vowel sign, or with
    backslashes (a browser's "/" in http(s) URLs) has its doctor: a doctors row, the answer's
    doctor_id, nothing counted as not read."""
    page = (PAGES / f"{SLUG}.{family}.html").read_text(encoding="utf-8")
    page = page.replace('href="/dr/joseph-serota-aurora-co', f'href="{link}').replace(
        '"/dr/joseph-serota-aurora-co', '"' + link.replace("\\", "\\\\"))  # the rest are in JSON
    records = extract_page(PAGE, page.encode())
    key = REALSELF.profile_slug(link, PAGE)
    assert key is not None and "\\" not in key
    answers = [r for r in records.records if r["type"] == "answer" and r["doctor_id"] == key]
    assert answers and [r for r in records.records if r["type"] == "doctor" and r["doctor_id"] == key]
    assert f"answers/profile_not_read/{family}" not in records.counts


@pytest.mark.parametrize("href, key", [
    ("/dr\\jo-smith-ny", "jo-smith-ny"), ("\\dr\\jo-smith-ny", "jo-smith-ny"), ("..\\dr\\jo-smith-ny", "jo-smith-ny"),
    ("http:\\\\localhost:8000\\dr\\jo-smith-ny", "jo-smith-ny"), ("\\\\localhost:8000\\dr\\jo-smith-ny", "jo-smith-ny"),
    ("/dr\\jo-smith-ny?from=a\\b", "jo-smith-ny"), ("\\\\elsewhere.example\\dr\\jo-smith-ny", None),
])
def test_a_profile_link_is_read_with_backslashes_as_a_browser_reads_it(href, key):
    """WHATWG URL: in an http(s) URL a "\\" before the query is a "/" (`\\\\host\\x` names a host)."""
    assert REALSELF.profile_slug(href, "http://localhost:8000/question/q") == key


def test_links_are_joined_with_backslashes_as_a_browser_joins_them():
    from crawler.sites.base import join_url

    base = "http://h/questions/botox"
    assert join_url(base, "\\question\\x") == "http://h/question/x"
    assert join_url(base, "..\\question\\x?q=a\\b#c\\d") == "http://h/question/x?q=a\\b#c\\d"  # the query's are its own
    assert join_url(base, "http:\\\\h\\question\\x") == "http://h/question/x"
    assert join_url(base, "mailto:a\\b@h") == "mailto:a\\b@h"  # no http(s) URL: WHATWG's rule is not its


def test_a_pages_question_links_are_read_with_backslashes_as_a_browser_reads_them():
    from crawler.pages.document import parse_html
    from crawler.pages.tree import ClassKeys, Tree

    body = b'<html><body><a href="/question\\q1">a</a><a href="\\question\\q2">b</a></body></html>'
    tree = Tree(parse_html(body), "http://h/questions/t", ClassKeys())
    assert tree.question_links(a.get("href") for a in tree.root.iter("a")) == ["http://h/question/q1", "http://h/question/q2"]
