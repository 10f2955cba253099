"""What sits in an answer beside its parts: a box of other doctors ("Top doctors near you", in
the family's own byline markup), a hidden copy of a part (a mobile copy), an invisible
character. A box in an <aside> is beside the answer's content, no part of it; a box that titles
itself with a heading is a block of its own, its byline never the answer's author without a
word; a hidden copy is no rival to the part shown; a character a reader never sees is no text."""
from __future__ import annotations

import copy

import lxml.html
import pytest

from crawler.pages import parse_question_page
from crawler.pages.errors import PageError
from pipelines.normalise.records import page_records
from reference_site.site import Site

SITE = Site(300, seed=3)
BYLINELESS = "botox-injections-days-knot-redness-injection-sites"  # its first answer has no byline
NAMELESS = "massaged-botoxshorter-longevity"  # a byline that prints no name
ANSWER = {"legacy": "rs-answer", "provider-card": "Content--answer"}
BYLINE = {"legacy": "rs-byline", "provider-card": "Media--providerCard"}
OTHER_DOCTOR = {
    "legacy": '<div class="rs-byline"><a class="rs-byline__name" href="/dr/jane-q-doe-boston-ma">Jane Q. Doe, MD</a>'
              '<div class="rs-byline__title">Boston Dermatologist</div></div>',
    "provider-card": '<div class="Media Media--providerCard" itemscope itemtype="http://schema.org/Physician">'
                     '<div class="Media-body"><a class="Headline--6 Link Link--primary" href="/dr/jane-q-doe-boston-ma" '
                     'itemprop="name">Jane Q. Doe, MD</a><div class="BodyText--secondary">Boston Dermatologist</div>'
                     '</div></div>',
}
URL = "http://127.0.0.1:8000/question/x"


def _records(html) -> list[dict]:
    return page_records(parse_question_page(URL, html))


def _page(slug: str, family: str):
    return lxml.html.document_fromstring(SITE.page(slug, family).body)


def _html(root) -> str:
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def _classed(root, token: str) -> list:
    return [el for el in root.iter() if isinstance(el.tag, str) and token in (el.get("class") or "").split()]


def _box(family: str, tag: str):
    return lxml.html.fragment_fromstring(f'<{tag} class="top-doctors"><h4>Top doctors near you</h4>'
                                         f'{OTHER_DOCTOR[family]}</{tag}>')


@pytest.mark.parametrize("family", list(ANSWER))
@pytest.mark.parametrize("where", ["no byline", "its byline"])
def test_a_box_of_doctors_in_an_aside_inside_an_answer_is_none_of_its_parts(family, where):
    root = _page(BYLINELESS, family)
    if where == "no byline":
        _classed(root, ANSWER[family])[0].append(_box(family, "aside"))
    else:
        _classed(root, BYLINE[family])[0].addnext(_box(family, "aside"))
    assert _records(_html(root)) == _records(SITE.page(BYLINELESS, family).body)


@pytest.mark.parametrize("family", list(ANSWER))
def test_a_titled_box_of_doctors_in_an_answer_without_a_byline_is_never_its_author(family):
    root = _page(BYLINELESS, family)
    _classed(root, ANSWER[family])[0].append(_box(family, "div"))
    with pytest.raises(PageError, match="content of its own"):
        _records(_html(root))


@pytest.mark.parametrize("family", list(ANSWER))
# (a copy the same but for an inline style that hides it was read before: style places, never shows)
@pytest.mark.parametrize("hiding, differs", [(("aria-hidden", "true"), False), (("hidden", ""), False),
                                             *((hiding, True) for hiding in (("aria-hidden", "true"), ("hidden", ""),
                                                                            ("style", "display: none"),
                                                                            ("style", "visibility:hidden")))])
def test_a_hidden_copy_of_a_byline_is_no_rival_to_the_one_shown(family, hiding, differs):
    root = _page(BYLINELESS, family)
    byline = _classed(root, BYLINE[family])[0]
    twin = copy.deepcopy(byline)
    twin.tail = None
    twin.set(*hiding)
    if differs:  # a mobile copy that shows less: its title line dropped
        for el in twin.iter():
            if any(t in (el.get("class") or "").split() for t in ("rs-byline__title", "BodyText--secondary")):
                el.getparent().remove(el)
                break
    byline.addnext(twin)
    assert _records(_html(root)) == _records(SITE.page(BYLINELESS, family).body)


@pytest.mark.parametrize("family", ["legacy", "provider-card"])
@pytest.mark.parametrize("char", ["\u200b", "\ufeff", "\u2060", "\u00ad"])
def test_an_invisible_character_beside_a_nameless_bylines_title_is_no_name(family, char):
    root = _page(NAMELESS, family)
    title_key = {"legacy": "rs-byline__title", "provider-card": "BodyText--secondary"}[family]
    name_key = {"legacy": "rs-byline__name", "provider-card": "Headline--6"}[family]
    title = next(el for el in _classed(root, title_key) if not _classed(el.getparent(), name_key))
    title.tail = (title.tail or "") + char
    assert _records(_html(root)) == _records(SITE.page(NAMELESS, family).body)


@pytest.mark.parametrize("hiding", [("aria-hidden", "true"), ("hidden", ""), ("style", "display:none")])
def test_a_hidden_copy_of_the_questions_location_is_no_rival_to_the_one_shown(hiding):
    root = _page(BYLINELESS, "provider-card")
    byline = _classed(root, "Content-byline")[0]
    place = next(li for li in byline.iter("li") if li.find(".//a") is None and li.find(".//time") is None)
    twin = copy.deepcopy(place)
    twin.tail = None
    twin.set(*hiding)
    place.addnext(twin)
    assert _records(_html(root)) == _records(SITE.page(BYLINELESS, "provider-card").body)
