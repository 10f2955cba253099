"""A field's element inside another field's (a clickable card: the title line inside the name's
link; a date inside the topic's link): each field reads as its own, the outer one without the
inner one's text, so the records are those of the page laid out apart."""
from __future__ import annotations

import lxml.html
import pytest

from crawler.pages import parse_question_page
from pipelines.normalise.records import page_records
from reference_site.site import Site

SITE = Site(6, seed=8)
SLUGS = SITE.question_slugs()[:2]


def _records(slug: str, html) -> list[dict]:
    return page_records(parse_question_page(f"http://127.0.0.1:8000/question/{slug}", html))


def _classed(root, cls: str) -> list:
    """Elements whose class holds a token starting with `cls` (whole, or a CSS-module prefix)."""
    return [el for el in root.iter() if isinstance(el.tag, str)
            and any(t.startswith(cls) for t in (el.get("class") or "").split())]


def _into(root, outer: str, inner: str, within: str) -> int:
    """In each `within` element, move its `inner` element to the end of its `outer` one; how many moved."""
    moved = 0
    for box in _classed(root, within):
        outers, inners = _classed(box, outer), _classed(box, inner)
        if outers and inners:
            outers[0].append(inners[0])
            moved += 1
    return moved


def _time_into_topic(root, _outer, _inner, _within) -> int:
    """The question byline's <time> inside its topic link (provider-card), its own item dropped."""
    byline = root.find_class("Content-byline")[0]
    time, topic = byline.find(".//time"), byline.find(".//a")
    item = time.getparent()
    topic.append(time)
    item.getparent().remove(item)
    return 1


def _tag_into(root, outer: str, tag: str, within: str) -> int:
    """In each `within` element, move its first <`tag`> (a byline's <time>) to the end of its `outer` one."""
    moved = 0
    for box in _classed(root, within):
        outers, inners = _classed(box, outer), list(box.iter(tag))
        if outers and inners:
            outers[0].append(inners[0])
            moved += 1
    return moved


def _question_byline_items(root) -> tuple:
    """The question byline's (<time>'s item, location's item: the one with no link nor time)."""
    items = _classed(root.find_class("Content-byline")[0], "Byline-item")
    places = [li for li in items if li.find(".//a") is None and li.find(".//time") is None]
    dated = [li for li in items if li.find(".//time") is not None]
    return (dated[0], places[0]) if dated and places else (None, None)


def _time_into_location(root, _outer, _inner, _within) -> int:
    """The question's <time> inside its location's item (provider-card), its own item dropped."""
    dated, place = _question_byline_items(root)
    if place is None:
        return 0
    place.append(dated.find(".//time"))
    dated.getparent().remove(dated)
    return 1


def _location_into_time(root, _outer, _inner, _within) -> int:
    """The question's location item inside its <time> (provider-card)."""
    dated, place = _question_byline_items(root)
    if place is None:
        return 0
    dated.find(".//time").append(place)
    return 1


def _props_into(root, outer: str, inner: str, within: str) -> int:
    """In each provider card, move the `inner` element into its itemprop=`outer` element."""
    moved = 0
    for card in root.find_class(within):
        names, inners = card.xpath(f".//*[@itemprop='{outer}']"), _classed(card, inner)
        if names and inners:
            names[0].append(inners[0])
            moved += 1
    return moved


CASES = [
    # family, mutation, outer field, inner field, in (nextjs reads its names, title lines and
    # titles from its data: its cards' dates and votes are what it reads of their text)
    ("legacy", _into, "rs-byline__name", "rs-byline__title", "rs-byline"),
    ("legacy", _into, "rs-byline__name", "rs-byline__rating", "rs-byline"),
    ("legacy", _into, "rs-question__topic", "rs-question__date", "rs-question"),
    ("legacy", _into, "rs-question__location", "rs-question__topic", "rs-question"),
    ("legacy", _into, "rs-answer__title", "rs-answer__date", "rs-answer"),
    ("provider-card", _props_into, "name", "BodyText--secondary", "Media--providerCard"),
    ("provider-card", _props_into, "name", "Rating", "Media--providerCard"),
    ("provider-card", _into, "BodyText--secondary", "Rating-count", "Media--providerCard"),
    ("provider-card", _time_into_topic, "", "", ""),
    ("provider-card", _into, "Content-title", "Content-byline", "Content--answer"),
    ("provider-card", _time_into_location, "location", "time", ""),
    ("provider-card", _location_into_time, "time", "location", ""),
    # the answer's vote widget (its data and "Helpful" button), or the button alone, in its title or body
    ("provider-card", _into, "Content-title", "u-marginMedium", "Content--answer"),
    ("provider-card", _into, "Content-bodyText", "u-marginMedium", "Content--answer"),
    ("provider-card", _into, "Content-title", "HelpfulButton", "Content--answer"),
    ("provider-card", _into, "Content-bodyText", "HelpfulButton", "Content--answer"),
    # the answer's date, or its byline item, in its title or body (legacy reads its date there)
    ("provider-card", _tag_into, "Content-title", "time", "Content--answer"),
    ("provider-card", _tag_into, "Content-bodyText", "time", "Content--answer"),
    ("provider-card", _into, "Content-title", "Byline-item", "Content--answer"),
    ("provider-card", _into, "Content-bodyText", "Byline-item", "Content--answer"),
    ("nextjs", _into, "answer-card_date__", "vote-button_count__", "answer-card_card__"),
]


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("family, mutate, outer, inner, within", CASES,
                         ids=[f"{c[0]}:{c[3] or 'time'}-in-{c[2] or 'topic'}" for c in CASES])
def test_a_field_inside_another_fields_element_is_read_as_its_own_not_the_outer_ones(slug, family, mutate, outer,
                                                                                       inner, within):
    body = SITE.page(slug, family).body
    root = lxml.html.document_fromstring(body)
    if not mutate(root, outer, inner, within):
        pytest.skip("the page shows no such pair")
    nested = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    assert _records(slug, nested) == _records(slug, body)
