"""Markup changes nobody wrote down: what a reader sees the same gives the same records, and
what the page objects cannot tell apart is a bad page, never a guess."""
from __future__ import annotations

import re

import lxml.html
import pytest

from crawler.pages import PageError, parse_question_page
from pipelines.normalise.ratings import parse_rating, rating_pair
from pipelines.normalise.records import page_records

from tests.test_pages_samples import URL, assert_records, expected, sample

_TEMPLATES = {
    "legacy": '<template><div class="rs-answer" data-answer-id="{{a.id}}"><h3 class="rs-answer__title">'
              '{{a.title}}</h3></div><div class="rs-question" data-question-id="0"><time '
              'class="rs-question__date">{{q.date}}</time></div></template>',
    "provider-card": '<template><div class="Content Content--answer" id="answer-{{id}}"><h3 '
                     'class="Content-title">{{title}}</h3></div><h1>{{title}}</h1><ul class="Content-byline">'
                     '<li><time>{{date}}</time></li></ul></template>',
}


@pytest.mark.parametrize("family", sorted(_TEMPLATES))
def test_a_template_is_never_shown_so_its_placeholders_are_no_answers(family):
    html = sample(family).replace("</body>", _TEMPLATES[family] + "</body>")
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("family", ["legacy", "provider-card"])
def test_an_xml_declaration_on_a_page_in_another_charset_is_read(family):
    html = '<?xml version="1.0" encoding="windows-1252"?>\n' + sample(family).replace('charset="utf-8"',
                                                                                   'charset="windows-1252"')
    assert_records(page_records(parse_question_page(URL, html.encode("cp1252"))), expected())


@pytest.mark.parametrize("text", ["Top 5 doctor", "Answered 3 questions", "Member since 2 years"])
def test_a_number_in_a_label_that_says_no_rating_is_no_rating(text):
    assert parse_rating(text) is None


@pytest.mark.parametrize("text", ["4.5", " 4.5 ", "Rated 4.5", "4.5 stars", "Rating: 4.5", "4.5 (12 reviews)"])
def test_a_number_that_is_a_rating_is_read(text):
    assert parse_rating(text) == 4.5


def test_rating_and_review_texts_are_read_as_a_reader_sees_them():
    assert rating_pair("4.5 out of 5 stars", "68 re\u00adviews") == (4.5, 68)
    assert rating_pair("4.5\u200b out of 5", "68\u00a0reviews") == (4.5, 68)


@pytest.mark.parametrize("heading", ["Doctor  Answers", "Doctor\n  Answers", "Doctor&nbsp;Answers", "DOCTOR ANSWERS",
                                     "Doctor answers"])
def test_the_answer_count_heading_spaced_or_cased_otherwise_still_declares_the_count(heading):
    html = sample("provider-card").replace(">Doctor Answers <", f">{heading} <")
    assert parse_question_page(URL, html).declared_answer_count == 10
    root = lxml.html.document_fromstring(html)
    last = root.find_class("Content--answer")[-1]
    last.getparent().remove(last)
    with pytest.raises(PageError, match="the page declares 10 answers but holds 9"):
        parse_question_page(URL, lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))


@pytest.mark.parametrize("family, answer, body", [("legacy", "rs-answer", "rs-answer__body"),
                                                  ("provider-card", "Content--answer", "Content-bodyText")])
def test_an_answer_inside_another_answers_body_is_a_bad_page_not_one_long_answer(family, answer, body):
    root = lxml.html.document_fromstring(sample(family))
    first, second = root.find_class(answer)[:2]
    first.find_class(body)[0].append(second)  # a quoted answer, a reply: its text would be the first's
    with pytest.raises(PageError, match="answer inside another answer's body"):
        parse_question_page(URL, lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))


def test_two_questions_with_a_date_on_one_page_is_a_bad_page_not_the_first_of_them():
    teaser = ('<div class="rs-question" data-question-id="1999999"><a class="rs-question__title" href="/question/x">'
              'Trending</a><time class="rs-question__date" datetime="2019-01-01">Jan 1, 2019</time></div>')
    html = sample("legacy").replace('<div class="rs-question" data-question-id="1040712">',
                                    teaser + '<div class="rs-question" data-question-id="1040712">', 1)
    with pytest.raises(PageError, match="2 question blocks"):
        parse_question_page(URL, html)
    promo = '<div class="Promo"><h1>Trending: other?</h1><ul class="Content-byline"><li><time>Jan 1, 2019</time></li></ul></div>'
    html = sample("provider-card").replace('<h1 class="Headline Headline--hero">', promo + '<h1 class="Headline Headline--hero">', 1)
    with pytest.raises(PageError, match="2 question bylines"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("family", ["legacy", "provider-card"])
def test_links_relative_to_a_base_element_resolve_against_it(family):
    """<base href> is what a browser resolves the page's relative links against: its canonical
    link, the doctors' profile links and the related questions."""
    html = sample(family)
    want = parse_question_page(URL, html)
    html = html.replace("<head>", '<head><base href="https://www.realself.com/">', 1)
    html = html.replace('href="/', 'href="').replace('href="https://www.realself.com/question/', 'href="question/')
    assert 'href="dr/' in html
    page = parse_question_page("http://127.0.0.1:9/mirror/" + URL.rsplit("/", 1)[1], html)
    assert page.url == URL and page.related_urls == want.related_urls
    assert_records(page_records(page), expected())


@pytest.mark.parametrize("old, new", [
    (' ng-init="', ' data-ng-init="'), (' ng-init="', ' x-ng-init="'), (' ng-init="', ' ng:init="'),
])
def test_legacy_votes_are_read_under_any_spelling_angularjs_reads(old, new):
    html = sample("legacy").replace(old, new)
    assert html != sample("legacy")
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_wrapped_vote_widget_still_gives_the_votes():
    html = re.sub(r"(<div class=\"u-marginMedium\" rs-static-data='[^']*'>.*?</div>)", r'<div class="Actions">\1</div>',
                  sample("provider-card"))
    assert html != sample("provider-card")
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("wrap", [
    ('<h1 class="Headline Headline--hero">', '<div class="Header"><h1 class="Headline Headline--hero">', "</h1>", "</h1></div>"),
    ('<ul class="Content-byline Byline Byline--bulleted">', '<div><ul class="Content-byline Byline Byline--bulleted">',
     "</ul>\n<div class=\"Content-bodyText", "</ul></div>\n<div class=\"Content-bodyText"),
])
def test_a_wrapped_provider_card_question_heading_or_byline_still_gives_its_parts(wrap):
    old, new, old_end, new_end = wrap
    html = sample("provider-card")
    assert old in html and old_end in html
    html = html.replace(old, new, 1).replace(old_end, new_end, 1)
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("old, new", [
    (r'( href="/dr/[^"]+") itemprop="name">([^<]*)</a>', r'\1><span itemprop="name">\2</span></a>'),
    (r'<a class="Headline--6 Link Link--primary"( href="/dr/[^"]+") itemprop="name">([^<]*)</a>',
     r'<h3 itemprop="name"><a\1>\2</a></h3>'),
])
def test_a_doctors_name_is_its_items_name_on_whatever_element_holds_it(old, new):
    html = re.sub(old, new, sample("provider-card"))
    assert html != sample("provider-card")
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_question_byline_with_two_items_that_could_be_its_location_is_a_bad_page():
    """A date no longer in a <time> (or a view count) beside the location: which is which is a guess."""
    html = re.sub(r'<time datetime="[^"]*">([^<]*)</time>', r"<span>\1</span>", sample("provider-card"))
    with pytest.raises(PageError, match="could be its location"):
        parse_question_page(URL, html)



@pytest.mark.parametrize("beside", ["aside", "nav", "footer"])
def test_a_sidebar_heading_that_names_doctor_answers_is_not_the_answer_count(beside):
    html = sample("provider-card").replace("<body>", f"<body><{beside}><h2>Popular Doctor Answers</h2></{beside}>", 1)
    assert parse_question_page(URL, html).declared_answer_count == 10


@pytest.mark.parametrize("family, teaser", [
    ("legacy", '<aside><div class="rs-question" data-question-id="1999999"><a class="rs-question__title" href="/q">'
               'Trending</a><time class="rs-question__date" datetime="2019-01-01">Jan 1, 2019</time>'
               '<div class="rs-question__body">Other</div></div></aside>'),
    ("provider-card", '<aside><h1>Trending: other?</h1><ul class="Content-byline"><li><time>Jan 1, 2019</time></li>'
                      '</ul><div class="Content-bodyText">Other</div></aside>'),
])
def test_a_dated_question_teaser_in_an_aside_is_not_the_page_question(family, teaser):
    for html in (sample(family).replace("<body>", "<body>" + teaser, 1), sample(family).replace("</body>", teaser + "</body>")):
        assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_badge_label_in_a_provider_card_is_no_rating():
    """Only a label that is a rating whole is the stars' label: an unrated doctor stays unrated."""
    for badge in ("5-star service award", "1 of 5 featured doctors", "Top rated in 2 categories"):
        html = sample("provider-card").replace('<div class="BodyText--secondary">',
                                               f'<span aria-label="{badge}"></span><div class="BodyText--secondary">')
        assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_legacy_vote_initialised_after_other_statements_is_read():
    html = re.sub(r'<div class="rs-vote" ng-controller="VoteCtrl" ng-init="(voteCount=-?\d+)">\s*<span class="rs-vote__count"',
                  r'<div class="rs-vote" ng-controller="VoteCtrl" ng-init="voted=false"><span class="rs-vote__count" ng-init="\1"',
                  sample("legacy"))
    assert html != sample("legacy")
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_declarative_shadow_root_is_shown_so_read():
    html = sample("legacy").replace('<h1 class="rs-question__title">Knot and Redness After Botox Injection</h1>',
                                    '<h1 class="rs-question__title"><template shadowrootmode="open">Knot and Redness '
                                    'After Botox Injection</template></h1>')
    assert html != sample("legacy")
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("old, new", [
    (r'(<div class="content-subheader_subHeader__\w+">)(<span>[^<]*</span>)', r"\1<div>\2</div>"),  # wrapped
    (r'(<div class="content-subheader_subHeader__\w+">)', r'\1<span class="sr-only">Asked on</span>'),  # a label first
])
def test_a_nextjs_question_date_shown_wrapped_or_labelled_is_the_date_read(old, new):
    """Not the data's UTC timestamp, which may be a day off the date shown."""
    html = re.sub(old, new, sample("nextjs"), count=1)
    assert html != sample("nextjs")
    page = parse_question_page(URL, html)
    assert page.question.date_text == parse_question_page(URL, sample("nextjs")).question.date_text == "Oct 22, 2012"
    assert_records(page_records(page), expected())
