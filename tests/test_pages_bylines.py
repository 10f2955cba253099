"""Partial bylines in each family: no name (avatar/profile link only), no rating, rating 0.0."""
from __future__ import annotations

import json
import re

import pytest

from crawler.pages import parse_question_page
from pipelines.normalise.records import page_records
from tests.test_pages_samples import URL, sample


def _doctor(recs, slug):
    return next(r for r in recs if r["type"] == "doctor" and r["doctor_id"] == slug)


def test_legacy_no_name_byline():
    html = sample("legacy").replace(
        '<a class="rs-byline__name" href="/dr/joseph-a-eviatar-new-york-ny">Joseph A. Eviatar, MD, FACS</a>',
        '<a class="rs-byline__avatar" href="/dr/joseph-a-eviatar-new-york-ny"><img src="/a.jpg"></a>')
    recs = page_records(parse_question_page(URL, html))
    d = _doctor(recs, "joseph-a-eviatar-new-york-ny")
    assert d["name_raw"] is None and d["display_name"] is None and d["given_name"] is None
    assert d["credentials"] == [] and d["title_line"] == "New York Oculoplastic Surgeon"
    assert (d["rating"], d["review_count"], d["state"]) == (4.7, 68, "NY")
    assert recs[10]["doctor_id"] == "joseph-a-eviatar-new-york-ny"


def test_provider_card_no_name_zero_rating_and_one_review():
    html = sample("provider-card").replace(
        '<a class="Headline--6 Link Link--primary" href="/dr/joseph-a-eviatar-new-york-ny" itemprop="name">Joseph A. Eviatar, MD, FACS</a>', "")
    html = html.replace('content="4.7"', 'content="0.0"').replace('content="68"', 'content="1"')
    recs = page_records(parse_question_page(URL, html))
    d = _doctor(recs, "joseph-a-eviatar-new-york-ny")
    assert d["name_raw"] is None and d["credentials"] == []
    assert (d["rating"], d["review_count"]) == (None, 1)


def test_provider_card_rating_from_aria_label_only():
    html = re.sub(r'<meta itemprop="(ratingValue|reviewCount)" content="[^"]*">', "", sample("provider-card"))
    recs = page_records(parse_question_page(URL, html))
    d = _doctor(recs, "joseph-a-eviatar-new-york-ny")
    assert (d["rating"], d["review_count"]) == (4.7, 68)


def test_nextjs_no_name_and_no_rating():
    html = sample("nextjs")
    html = html.replace('"displayName": "Joseph A. Eviatar, MD, FACS"', '"displayName": null')
    html = html.replace('"rating": {"average": 4.7, "count": 68}', '"rating": {"average": 0.0, "count": 2}')
    html = html.replace('<a class="provider-byline_name__3fcb8" href="/dr/joseph-a-eviatar-new-york-ny">Joseph A. Eviatar, MD, FACS</a>', "")
    recs = page_records(parse_question_page(URL, html))
    d = _doctor(recs, "joseph-a-eviatar-new-york-ny")
    assert d["name_raw"] is None and d["display_name"] is None and d["credentials"] == []
    assert (d["rating"], d["review_count"]) == (None, 2)


def test_repeated_doctor_gives_one_record_first_wins():
    html = sample("legacy").replace("/dr/joshua-zeichner-new-york-ny", "/dr/joseph-serota-aurora-co")
    recs = page_records(parse_question_page(URL, html))
    docs = [r for r in recs if r["type"] == "doctor"]
    assert [d["doctor_id"] for d in docs].count("joseph-serota-aurora-co") == 1
    assert _doctor(recs, "joseph-serota-aurora-co")["name_raw"] == "Joseph Serota, MD"
    assert recs[3]["doctor_id"] == "joseph-serota-aurora-co"


def test_records_are_json_serialisable():
    for fam in ("legacy", "provider-card", "nextjs"):
        for r in page_records(parse_question_page(URL, sample(fam))):
            json.dumps(r, ensure_ascii=False)


def _nextjs_records(*replacements):
    html = sample("nextjs")
    for old, new in replacements:
        assert old in html
        html = html.replace(old, new)
    stats: dict = {}
    return page_records(parse_question_page(URL, html), stats), stats


@pytest.mark.parametrize("data", ['"providerRating": {"average": 4.7, "count": 68}', '"rating": null',
                                  '"rating": {"avg": 4.7, "total": 68}'])
def test_nextjs_rating_the_byline_prints_but_the_data_does_not_give_is_not_read(data):
    """A deploy renames the data's rating key (or its inner keys, or leaves null) while the
    byline still prints "4.7 out of 5 stars 68 reviews": printed and not read, counted, never
    "no rating" (every nextjs rating of a crawl was lost without a word)."""
    recs, stats = _nextjs_records(('"rating": {"average": 4.7, "count": 68}', data))
    d = _doctor(recs, "joseph-a-eviatar-new-york-ny")
    assert (d["rating"], d["review_count"]) == (None, None)
    assert stats["doctors/rating_not_read/nextjs"] == 1 and stats["doctors/review_count_not_read/nextjs"] == 1


_EVIATAR = ('"slug": "joseph-a-eviatar-new-york-ny", "displayName": "Joseph A. Eviatar, MD, FACS", '
            '"subtitle": "New York Oculoplastic Surgeon", "profileUrl": "/dr/joseph-a-eviatar-new-york-ny"')


def test_nextjs_profile_link_the_byline_prints_but_the_data_does_not_give_is_not_read():
    """The data gives no link (profileUrl and slug null) while the card's byline links to
    /dr/joseph-a-eviatar-new-york-ny: no doctor, counted as a profile not read, never an
    answer whose doctor is unknown without a word."""
    recs, stats = _nextjs_records((_EVIATAR, _EVIATAR.replace('"/dr/joseph-a-eviatar-new-york-ny"', "null")
                                   .replace('"joseph-a-eviatar-new-york-ny"', "null")))
    assert "joseph-a-eviatar-new-york-ny" not in [r.get("doctor_id") for r in recs]
    assert stats["answers/profile_not_read/nextjs"] == 1


def test_nextjs_title_line_the_byline_prints_but_the_data_does_not_give_is_not_read():
    """The data's subtitle null while the card prints "New York Oculoplastic Surgeon": the
    title line, city and specialty null and counted, never "no title line" (and a byline that
    prints neither a link nor a title line, with none in the data, shows none)."""
    recs, stats = _nextjs_records((_EVIATAR, _EVIATAR.replace('"New York Oculoplastic Surgeon"', "null")))
    d = _doctor(recs, "joseph-a-eviatar-new-york-ny")
    assert (d["title_line"], d["city"], d["specialty"]) == (None, None, None)
    assert stats["doctors/title_line_not_read/nextjs"] == 1
    # a byline that prints no link and no title line, whose data gives none: not shown
    html = sample("nextjs")
    html = re.sub(r'<a class="provider-byline_name__\w+" href="/dr/joseph-a-eviatar-new-york-ny">([^<]*)</a>'
                  r'<p class="provider-byline_title__\w+">[^<]*</p>', r"<span>\1</span>", html)
    html = html.replace(_EVIATAR, _EVIATAR.replace('"New York Oculoplastic Surgeon"', "null")
                        .replace('"/dr/joseph-a-eviatar-new-york-ny"', "null").replace('"joseph-a-eviatar-new-york-ny"', "null"))
    stats: dict = {}
    recs = page_records(parse_question_page(URL, html), stats)
    assert recs[10]["doctor_id"] is None and not any("not_read" in key for key in stats)


def test_nextjs_rating_neither_printed_nor_given_is_none_not_a_miss():
    recs, stats = _nextjs_records()
    unrated = [r for r in recs if r["type"] == "doctor" and r["rating"] is None]
    assert unrated and not any("not_read" in key for key in stats)

