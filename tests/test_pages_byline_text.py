"""Text a byline prints that none of its fields is read from (credentials moved to a badge
list, a part's class renamed) is counted as not read, never dropped in silence nor guessed."""
from __future__ import annotations

import re

import pytest

from crawler.pages import parse_question_page
from pipelines.checks.values_not_read import not_read
from pipelines.normalise.records import page_records
from tests.test_pages_samples import URL, sample

_LEGACY_NAME = '<a class="rs-byline__name" href="/dr/joseph-serota-aurora-co">Joseph Serota, MD</a>'
_CARD_NAME = ('<a class="Headline--6 Link Link--primary" href="/dr/joseph-serota-aurora-co" itemprop="name">'
              'Joseph Serota, MD</a>')
_KEY = "answers/byline_text_not_read/"


def _read(html: str) -> tuple[list[dict], dict]:
    stats: dict = {}
    return page_records(parse_question_page(URL, html), stats), stats


def _serota(recs: list[dict]) -> dict:
    return next(r for r in recs if r["type"] == "doctor" and r["doctor_id"] == "joseph-serota-aurora-co")


@pytest.mark.parametrize("family, old, new", [
    ("legacy", _LEGACY_NAME, '<a class="rs-byline__name" href="/dr/joseph-serota-aurora-co">Joseph Serota</a>'
                             ' <ul class="badges"><li>MD</li></ul>'),
    ("legacy", 'class="rs-byline__title">Aurora', 'class="rs-byline__subtitle">Aurora'),
    ("provider-card", _CARD_NAME, _CARD_NAME.replace(", MD", "") + '<span class="Badge">MD</span>'),
    ("provider-card", 'class="BodyText--secondary">Aurora', 'class="BodyText--tertiary">Aurora'),
    # a value beside decoration, or glued by margins, or a rating, a count, a specialty moved out
    *[("legacy", _LEGACY_NAME, f'{_LEGACY_NAME} <span class="Badge">{badge}</span>')
      for badge in ("Verified M.D.", "MDFACS", "4.8 out of 5", "68 reviews", "Top Plastic Surgeon")],
])
def test_byline_text_no_field_reads_is_counted(family, old, new):
    html = sample(family)
    assert old in html
    recs, stats = _read(html.replace(old, new, 1))
    assert stats.get(_KEY + family) == 1, stats
    assert not_read(stats) and "bylines' text no field reads (1)" in not_read(stats)[0]


def test_a_renamed_legacy_rating_line_is_counted_not_a_null_in_silence():
    html = sample("legacy")
    assert html.count("rs-byline__rating") > 1
    recs, stats = _read(html.replace("rs-byline__rating", "rs-byline__score"))
    assert stats.get(_KEY + "legacy") == html.count("rs-byline__rating"), stats


_ZEICHNER = {"legacy": '<a class="rs-byline__name" href="/dr/joshua-zeichner-new-york-ny">Joshua Zeichner, MD</a>',
             "provider-card": ('<a class="Headline--6 Link Link--primary" href="/dr/joshua-zeichner-new-york-ny" '
                               'itemprop="name">Joshua Zeichner, MD</a>')}
_BADGES = {"legacy": ' <ul class="badges"><li>MD</li></ul>', "provider-card": '<span class="Badge">MD</span>'}


@pytest.mark.parametrize("label", ["Answered by", "Answered by Dr.", "Written by", "·", "|"])
@pytest.mark.parametrize("family, name", [("legacy", _LEGACY_NAME), ("provider-card", _CARD_NAME)])
def test_a_label_beside_the_name_is_no_text_unread(family, name, label):
    """One byline labelled ("Answered by"), another with its credentials moved to badges: the
    badges alone are counted, the labelled doctor read whole."""
    html = sample(family)
    other = _ZEICHNER[family]
    assert name in html and other in html
    html = html.replace(name, f"<span>{label}</span> {name}", 1)
    html = html.replace(other, other.replace(", MD", "") + _BADGES[family], 1)
    recs, stats = _read(html)
    assert stats.get(_KEY + family) == 1, stats
    assert _serota(recs)["credentials"] == ["MD"]


def test_badges_glued_inside_the_legacy_name_link_are_its_credentials():
    """Badges spaced by margins alone: "Joseph Serota MDFACS" as the page's text joins them."""
    glued = ('<a class="rs-byline__name" href="/dr/joseph-serota-aurora-co">Joseph Serota '
             '<span class="rs-badge">MD</span><span class="rs-badge">FACS</span></a>')
    recs, stats = _read(sample("legacy").replace(_LEGACY_NAME, glued, 1))
    doctor = _serota(recs)
    assert (doctor["display_name"], doctor["family_name"], doctor["credentials"]) == ("Joseph Serota", "Serota",
                                                                                     ["MD", "FACS"])


_NAME_LINKS = {"legacy": r'(<a class="rs-byline__name"[^>]*>[^<]*</a>)',
               "provider-card": r'(<a class="Headline--6 Link Link--primary"[^>]*>[^<]*</a>)'}


@pytest.mark.parametrize("badge", ["Verified", "Top Doctor", "(he/him)", "Sponsored", "Top Doctor 2024"])
@pytest.mark.parametrize("family", ["legacy", "provider-card"])
def test_a_badge_beside_every_name_is_decoration_no_value_lost(family, badge):
    """"Verified", "Top Doctor", pronouns beside each doctor's name: no field would hold them,
    no value is lost, nothing is counted and every record is as without them."""
    html = sample(family)
    badged, n = re.subn(_NAME_LINKS[family], rf'\1 <span class="Badge">{badge}</span>', html)
    assert n > 1
    recs, stats = _read(badged)
    assert _KEY + family not in stats, stats
    assert recs == _read(html)[0]

