"""Markup changes nobody wrote down: what a reader sees the same gives the same records, and
what the page objects cannot tell apart is a bad page, never a guess."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest

from crawler.pages import PageError, parse_question_page
from pipelines.normalise.ratings import parse_rating, rating_pair
from pipelines.normalise.records import page_records

from tests.test_pages_samples import FAMILIES, URL, assert_records, expected, sample

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


def test_a_date_no_longer_in_a_time_is_still_the_date_and_never_the_location():
    """A date shown as plain text in a byline list is the date (the question's and the answers'),
    beside a location or not: never the asker's location."""
    html = re.sub(r'<time datetime="[^"]*">([^<]*)</time>', r"<span>\1</span>", sample("provider-card"))
    assert_records(page_records(parse_question_page(URL, html)), expected())
    nowhere = re.sub(r'<li class="Byline-item">[^<]*, [A-Z]{2}</li>', "", html)
    assert nowhere != html
    want = expected()
    want[0]["asker_location"] = None
    assert_records(page_records(parse_question_page(URL, nowhere)), want)


@pytest.mark.parametrize("item", ["1,234 views", "12", "Asked on 02/11/2009", "3 days ago"])
def test_a_date_a_number_or_a_count_in_a_question_byline_is_no_location(item):
    html = re.sub(r'(<li class="Byline-item">[^<]*, [A-Z]{2}</li>)', f'<li class="Byline-item">{item}</li>\\1',
                  sample("provider-card"), count=1)
    assert item in html
    assert_records(page_records(parse_question_page(URL, html)), expected())
    no_place = re.sub(r'<li class="Byline-item">[^<]*, [A-Z]{2}</li>', "", html, count=1)
    assert page_records(parse_question_page(URL, no_place))[0]["asker_location"] is None


def test_a_question_byline_with_two_items_that_could_be_its_location_is_a_bad_page():
    """Two places beside the date: which is the asker's is a guess."""
    html = re.sub(r'(<li class="Byline-item">[^<]*, [A-Z]{2}</li>)', r'\1<li class="Byline-item">Boise, ID</li>',
                  sample("provider-card"), count=1)
    assert "Boise" in html
    with pytest.raises(PageError, match="could be its location"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("item", ["Posted anonymously", "Verified patient", "Reviewed by RealSelf", "Updated"])
def test_a_new_question_byline_item_is_never_the_askers_location(item):
    """A redesign adds an item to the question's byline list, whose items have no labels.
    Beside a place, the place is the location; where the question shows none, the item is no
    place (in that list a place shows its region, "Phoenix, AZ"): the location is null, never
    the item."""
    place = r'(<li class="Byline-item">[^<]*, [A-Z]{2}</li>)'
    html = re.sub(place, f'<li class="Byline-item">{item}</li>\\1', sample("provider-card"), count=1)
    assert item in html
    assert_records(page_records(parse_question_page(URL, html)), expected())
    no_place = re.sub(place, "", html, count=1)
    assert page_records(parse_question_page(URL, no_place))[0]["asker_location"] is None


_NO_TOPIC_META = r'<meta property="rs:topic-name"[^>]*>'
_PLACE_ITEM = r'<li class="Byline-item">([^<]*, [A-Z]{2})</li>'


@pytest.mark.parametrize("meta", [True, False])
@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("link", ['Asked by <a href="/user/member4">member4</a>', '<a href="/dr/">Doctors</a>',
                                  '<a href="https://elsewhere.example/botox">Botox elsewhere</a>',
                                  '<a href="/questions">All questions</a>', '<a href="/user/member4">member4</a>'])
def test_another_link_of_the_question_byline_is_never_its_topic(link, where, meta):
    """The topic is the byline's link to a topic page by the site's rule (/botox), wherever
    the redesign adds an asker's profile link or another page's beside it, with or without the
    rs:topic-name meta that names it (tester M, 6)."""
    html = sample("provider-card") if meta else re.sub(_NO_TOPIC_META, "", sample("provider-card"))
    item = f'<li class="Byline-item">{link}</li>'
    html = re.sub(_PLACE_ITEM, (item + r'<li class="Byline-item">\1</li>') if where == "before"
                  else (r'<li class="Byline-item">\1</li>' + item), html, count=1)
    assert link in html
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("href", ["/find/phoenix-az", "/find/doctors?near=phoenix-az", "https://www.realself.com/find/phoenix-az", "/user/phoenix/az"])
def test_a_linked_place_in_the_question_byline_is_the_askers_location_not_its_topic(href):
    html = re.sub(_PLACE_ITEM, rf'<li class="Byline-item"><a href="{href}">\1</a></li>',
                  re.sub(_NO_TOPIC_META, "", sample("provider-card")), count=1)
    assert href in html
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("href", ["/botox", "/questions/botox"])
def test_a_topic_link_of_the_site_form_is_the_topic_in_either_form(href):
    html = re.sub(r'<a href="/botox">', f'<a href="{href}">', re.sub(_NO_TOPIC_META, "", sample("provider-card")))
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_question_byline_whose_links_leave_its_topic_to_a_guess_is_a_bad_page():
    """Two links of the topic form: which is the topic is a guess."""
    html = re.sub(_NO_TOPIC_META, "", sample("provider-card"))
    two = html.replace('<a href="/botox">Botox</a></li>', '<a href="/botox">Botox</a></li>'
                       '<li class="Byline-item"><a href="/dysport">Dysport</a></li>')
    assert two != html
    with pytest.raises(PageError, match="could be its topic"):
        parse_question_page(URL, two)


def test_a_topic_page_of_a_form_the_site_rule_does_not_know_is_no_topic():
    """The site moved its topics (/topic/botox): no link names one, so the topic is null (field
    coverage holds that against the other families), never the byline's one link, which may
    as well be an asker's."""
    html = re.sub(_NO_TOPIC_META, "", sample("provider-card"))
    moved = html.replace('<a href="/botox">Botox</a></li>', '<a href="/topic/botox">Botox</a></li>'
                         '<li class="Byline-item">Asked by <a href="/user/member4">member4</a></li>')
    one = html.replace('<a href="/botox">', '<a href="/topic/botox">')
    asker = html.replace('<a href="/botox">Botox</a>', 'Asked by <a href="/user/member4">member4</a>')
    for page in (moved, one, asker):
        assert page != html
        records = page_records(parse_question_page(URL, page))
        assert records[0]["topic"] is None
        assert_records(records, [dict(expected()[0], topic=None), *expected()[1:]])


@pytest.mark.parametrize("family, old", [
    ("legacy", r'(class="rs-question__location"[^>]*>)[^<]*<'),
    ("nextjs", r'("location": ?")[^"]*"'),
])
@pytest.mark.parametrize("printed", ["Toronto", "東京, 日本", "Tel Aviv, ישראל", "New York, NY, 10001", "Phoenix AZ",
                                     "Phoenix, az", "'s-Hertogenbosch, Netherlands"])
def test_a_place_in_the_place_of_a_place_is_kept_as_printed_whatever_its_shape(family, old, printed):
    """Where the page says which text is the asker's place, it is kept as printed: a rule of
    shape (a name and a capitalised region) nulled bare cities, caseless scripts and ZIPs."""
    html = re.sub(old, lambda m: m.group(1) + printed + ("<" if family == "legacy" else '"'), sample(family), count=1)
    assert page_records(parse_question_page(URL, html))[0]["asker_location"] == printed


@pytest.mark.parametrize("family, old, new", [
    ("legacy", r'(class="rs-question__location"[^>]*>)[^<]*<', r"\1Oct 22, 2012<"),
    ("nextjs", r'"location": ?"[^"]*"', '"location": "1,234 views"'),
])
def test_an_asker_location_that_is_a_date_or_a_count_is_null_in_every_family(family, old, new):
    html = re.sub(old, new, sample(family), count=1)
    assert html != sample(family)
    want = expected()
    want[0]["asker_location"] = None
    assert_records(page_records(parse_question_page(URL, html)), want)



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


def _utc_next_day(html: str) -> str:
    """The nextjs sample with each createdAt a UTC moment of the next day (evening on the US
    west coast): a day off the date its page shows."""
    return re.sub(r'"createdAt": "2012-10-(\d\d)T19:00:00.000Z"',
                  lambda m: f'"createdAt": "2012-10-{int(m.group(1)) + 1:02d}T03:00:00.000Z"', html)


@pytest.mark.parametrize("changes", [
    {'"bodyHtml": "Thank you': '"bodyHtml": {"html": "Thank you',   # an answer's body
     'persists.", "helpfulCount": 3': 'persists."}, "helpfulCount": 3'},
    {'"title": "Botox and bruising"': '"title": ["Botox and bruising"]'},
    {'"displayName": "Joseph Serota, MD"': '"displayName": {"text": "Joseph Serota, MD"}'},
    {'"subtitle": "Aurora Plastic Surgeon"': '"subtitle": true'},
    {'"location": "Phoenix, AZ"': '"location": {"city": "Phoenix", "state": "AZ"}'},
    {'"procedure": {"name": "Botox"': '"procedure": {"name": {"en": "Botox"}'},
    {'"provider": {"id": 14669809,': '"provider": [{"id": 14669809,',
     '"rating": null}}, {"id": 1040802': '"rating": null}]}, {"id": 1040802'},
])
def test_nextjs_text_in_data_of_a_new_shape_is_a_page_refused_never_a_null(changes):
    """Text the data gives as an object, a list or a boolean: no record field counts it as not
    read, so taken as null it passed for "not shown" (every body of a crawl lost unseen)."""
    html = sample("nextjs")
    for old, new in changes.items():
        assert old in html, old
        html = html.replace(old, new, 1)
    json.loads(re.search(r'<script id="__NEXT_DATA__"[^>]*>(.*?)</script>', html, re.S).group(1))  # JSON still
    with pytest.raises(PageError, match="markup the page objects cannot read"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("before", ["1,259 views", "Asked by jane84", "Top 10", "3 answers", "Asked by mom2012",
                                    "jenny_jun5", "sept11survivor"])
def test_a_nextjs_question_date_after_other_items_with_digits_is_the_date_shown(before):
    """The subheader's first item that shows a date is the date: a view count, a user name or a
    rank before it is none, and taken for it left the data's UTC timestamp, a day off."""
    html = re.sub(r'(<div class="content-subheader_subHeader__\w+">)', rf"\1<span>{before}</span>",
                  _utc_next_day(sample("nextjs")), count=1)
    page = parse_question_page(URL, html)
    assert page.question.date_text == "Oct 22, 2012"
    assert_records(page_records(page), expected())


def test_a_nextjs_question_date_shown_that_does_not_read_is_counted_never_the_timestamps():
    from crawler.extraction import extract_page
    html = re.sub(r'(<div class="content-subheader_subHeader__\w+">)<span>[^<]*</span>',
                  r"\1<span>1,259 views</span><span>Oct 22, '12</span>", sample("nextjs"), count=1)
    got = extract_page(URL, html.encode())
    assert got.records[0]["asked_on"] is None
    assert got.counts["questions/date_not_read/nextjs"] == 1


@pytest.mark.parametrize("renamed", [
    {"answer-card_date__": "answer-card_meta__"},
    {"content-subheader_subHeader__": "content-subheader_head__"},
    {"answer-card_date__": "x9f2_", "content-subheader_subHeader__": "q1a_", "question-overview_title__": "h_"},
])
def test_a_nextjs_date_under_a_renamed_class_is_still_the_date_shown_not_the_utc_one(renamed):
    """A deploy that renames (or re-hashes) the dates' classes: the dates a reader sees, found by
    what they are (an element of the card, or under the title, showing a date alone)."""
    html = _utc_next_day(sample("nextjs"))
    for old, new in renamed.items():
        assert old in html
        html = html.replace(old, new)
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_nextjs_card_that_shows_no_date_takes_its_datas_and_the_crawl_counts_it():
    from crawler.extraction import extract_page
    html = re.sub(r'<span class="answer-card_date__\w+">[^<]*</span>', "", sample("nextjs"))
    got = extract_page(URL, html.encode())
    assert [r["answered_on"] for r in got.records if r["type"] == "answer"] == \
        [r["answered_on"] for r in expected() if r["type"] == "answer"]
    assert got.counts["answers/date_from_timestamp/nextjs"] == 10
    assert "answers/date_from_timestamp/nextjs" not in extract_page(URL, sample("nextjs").encode()).counts


def test_a_nextjs_card_showing_two_dates_without_their_class_is_a_bad_page():
    html = sample("nextjs").replace("answer-card_date__", "answer-card_meta__")
    html = html.replace('<span class="answer-card_meta__', '<span>Updated Jan 5, 2020</span><span class="answer-card_meta__', 1)
    with pytest.raises(PageError, match="more than one"):
        parse_question_page(URL, html)


def test_a_date_in_a_nextjs_answers_text_is_not_its_card_date():
    html = _utc_next_day(sample("nextjs")).replace("answer-card_date__", "answer-card_meta__")
    html = html.replace('answer-card_body__0bfb8">', 'answer-card_body__0bfb8"><p>Seen on Jan 5, 2020</p>', 1)
    assert "Seen on" in html
    assert_records(page_records(parse_question_page(URL, html)), expected())


_TIME = r'datetime="[^"]*">[^<]*<'  # a date's element, its text and its machine-readable date
_TIMED = ["legacy", "provider-card"]


@pytest.mark.parametrize("family", _TIMED)
@pytest.mark.parametrize("iso, text", [("2009-02-11", "11/02/2009"), ("2009-11-02", "11/02/2009"),
                                       ("2009-02-16", "16/02/2009"), ("2009-02-16", "02/16/2009")])
def test_a_numeric_date_is_read_as_the_datetime_of_its_element_says(family, iso, text):
    """11/02/2009 is Nov 2 or Feb 11: its element's machine-readable date settles which."""
    html = re.sub(_TIME, f'datetime="{iso}">{text}<', sample(family))
    records = page_records(parse_question_page(URL, html))
    assert {r.get("asked_on") or r.get("answered_on") for r in records if r["type"] != "doctor"} == {iso}


@pytest.mark.parametrize("family", _TIMED)
def test_a_page_that_writes_its_dates_day_first_reads_them_all_day_first(family):
    """No machine-readable date: 16/02/2009 can only be day first, so the same page's 11/02/2009 is too."""
    html = re.sub(" " + _TIME, ">11/02/2009<", sample(family))
    html = re.sub(r'(rs-question__date"|<li class="Byline-item"><time)>11/02/2009<', r'\1>16/02/2009<', html, count=1)
    records = page_records(parse_question_page(URL, html))
    assert records[0]["asked_on"] == "2009-02-16"
    assert {r["answered_on"] for r in records if r["type"] == "answer"} == {"2009-02-11"}


def test_a_shown_date_its_datetime_disagrees_with_is_the_shown_one_and_counted():
    from crawler.extraction import extract_page
    html = re.sub(_TIME, 'datetime="2009-03-01">Feb 11, 2009<', sample("provider-card"))
    got = extract_page(URL, html.encode())
    assert {r.get("asked_on") or r.get("answered_on") for r in got.records if r["type"] != "doctor"} == {"2009-02-11"}
    assert got.counts["dates/shown_disagrees_with_timestamp"] == 11
    assert "dates/shown_disagrees_with_timestamp" not in extract_page(URL, sample("provider-card").encode()).counts


def _after(html: str, marker: str, old: str, new: str) -> str:
    """`html` with the first `old` after `marker` (an answer's start) replaced."""
    at = html.index(old, html.index(marker))
    return html[:at] + new + html[at + len(old):]


_FIRST_ANSWER = {"legacy": 'class="rs-answer"', "provider-card": 'id="answer-', "nextjs": '"answers": ['}
# One answer's part in markup of a new shape: a class or a key renamed, an element dropped
_PART_MOVED = [
    ("legacy", "body", "rs-answer__body", "rs-answer__content"),
    ("legacy", "title", "rs-answer__title", "rs-answer__heading"),
    ("legacy", "vote", 'class="rs-vote"', 'class="rs-helpful"'),
    ("legacy", "date", "rs-answer__date", "rs-answer__when"),
    ("provider-card", "body", "Content-bodyText", "Content-text"),
    ("provider-card", "title", "Content-title", "Content-heading"),
    ("provider-card", "vote", "rs-static-data", "data-static"),
    ("provider-card", "date", '<time datetime="2012-10-22">Oct 22, 2012</time>', ""),
    ("nextjs", "body", '"bodyHtml"', '"body"'),
    ("nextjs", "title", '"title"', '"heading"'),
    ("nextjs", "vote", '"helpfulCount"', '"helpful"'),
    ("nextjs", "byline", '"provider"', '"author"'),
    ("nextjs", "doctor's name", '"displayName"', '"name"'),
    ("legacy", "doctor's name", "rs-byline__name", "rs-byline__doctor"),
    ("legacy", "doctor's name", '<a class="rs-byline__name"', '<span class="x"></span><a'),
    ("provider-card", "doctor's name", ' itemprop="name"', ""),
    ("provider-card", "doctor's name", ' itemprop="name">', ' itemprop="author">'),
]


@pytest.mark.parametrize("family, part, old, new", _PART_MOVED)
def test_one_answers_part_in_a_new_shape_is_a_bad_page_never_a_null_that_says_nothing(family, part, old, new):
    """Every answer has a title, a body, a vote and a date (and, in the data, a provider and its
    name, null where none is shown): one that lacks one is not read as one that shows none."""
    html = _after(sample(family), _FIRST_ANSWER[family], old, new)
    with pytest.raises(PageError, match=f"an answer without its {part}"):
        parse_question_page(URL, html)


# A key of nextjs data renamed by a deploy (the data holds each, null where none is shown)
_QUESTION_KEY_MOVED = [
    ("title", '"title"', '"headline"'),
    ("body", '"bodyHtml"', '"body"'),
    ("topic", '"procedure"', '"topic"'),
    ("topic", '"name": "Botox"', '"title": "Botox"'),
    ("location", '"location"', '"askerLocation"'),
]


@pytest.mark.parametrize("part, old, new", _QUESTION_KEY_MOVED)
def test_nextjs_question_key_renamed_is_a_bad_page_never_a_null_that_says_nothing(part, old, new):
    """The question's title, body, topic and location read from data without their key were
    null, nothing counted: every question's topic of a crawl lost unseen after a deploy."""
    html = _after(sample("nextjs"), '"question": {', old, new)
    with pytest.raises(PageError, match=f"a question without its {part}"):
        parse_question_page(URL, html)


def test_nextjs_question_timestamp_renamed_where_no_date_is_shown_is_a_bad_page():
    """No date shown (its subheader's class renamed, no date in its place) and no createdAt:
    the question's date was null, nothing counted."""
    html = _after(sample("nextjs"), '"question": {', '"createdAt"', '"created"')
    html = re.sub(r'<span>Oct \d+, 2012</span>(<div class="content-subheader)', r"\1", html, count=1)
    with pytest.raises(PageError, match="a question without its date"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("part, renames", [
    ("doctor's profile link", {'"profileUrl"': '"url"', '"slug"': '"handle"'}),
    ("doctor's title line", {'"subtitle"': '"headline"'}),
])
def test_nextjs_provider_key_renamed_is_a_bad_page_never_a_doctor_lost(part, renames):
    """A provider's profile link (profileUrl, or its slug) or title line without its key gave
    no doctor, or a doctor with no title line, city or specialty, nothing counted."""
    html = sample("nextjs")
    for old, new in renames.items():
        html = _after(html, '"provider": {', old, new)
    with pytest.raises(PageError, match=f"an answer without its {part}"):
        parse_question_page(URL, html)


_NAMELESS = {  # a byline that shows no name: an avatar link, a title line, a rating
    "legacy": (r'<a class="rs-byline__name" (href="[^"]+")>[^<]*</a>(\s*<div class="rs-byline__title">[^<]*</div>)',
               r'<a class="rs-byline__avatar" \1><img class="rs-byline__photo" src="/img/a.jpg" alt=""></a>\2'
               r'<div class="rs-byline__rating">4.7 out of 5 stars <a \1>68 reviews</a></div>'),
    "provider-card": (r'<a class="Headline--6 Link Link--primary" href="[^"]+" itemprop="name">[^<]*</a>', ""),
}


@pytest.mark.parametrize("family", sorted(_NAMELESS))
def test_a_byline_that_shows_no_name_is_read_without_one(family):
    html = re.sub(*_NAMELESS[family], sample(family), count=1)
    assert html != sample(family)
    records = page_records(parse_question_page(URL, html))
    doctor = next(r for r in records if r["type"] == "doctor")
    assert (doctor["doctor_id"], doctor["name_raw"], doctor["title_line"]) == (
        "joseph-serota-aurora-co", None, "Aurora Plastic Surgeon")
    assert "joseph-serota-aurora-co" in [r["doctor_id"] for r in records if r["type"] == "answer"]


@pytest.mark.parametrize("shown", ["{{ voteCount >= 0 ? '+' + (voteCount + 1) : (voteCount + 1) }}", "+3"])
def test_a_legacy_vote_shown_without_its_ng_init_is_null_and_counted(shown):
    """A widget without the statement (a count rendered on the server) shows a vote not read."""
    html = sample("legacy").replace(' ng-init="voteCount=2"', "", 1)
    html = html.replace("{{ voteCount >= 0 ? '+' + (voteCount + 1) : (voteCount + 1) }}", shown, 1)
    counts: dict = {}
    answers = [r for r in page_records(parse_question_page(URL, html), counts) if r["type"] == "answer"]
    assert answers[0]["vote_count"] is None and counts["answers/vote_not_read/legacy"] == 1


def test_a_provider_card_vote_under_a_renamed_key_is_null_and_counted():
    html = _after(sample("provider-card"), 'id="answer-', "likeCount", "helpfulCount")
    counts: dict = {}
    answers = [r for r in page_records(parse_question_page(URL, html), counts) if r["type"] == "answer"]
    assert answers[0]["vote_count"] is None and counts["answers/vote_not_read/provider-card"] == 1


@pytest.mark.parametrize("family, old, new", [
    ("legacy", 'class="rs-byline"', 'class="rs-author"'),
    ("provider-card", "Media--providerCard", "Media--doctorCard"),
])
def test_an_answer_holding_a_profile_link_but_no_byline_that_reads_is_a_bad_page(family, old, new):
    """No byline is a legitimate state: a doctor's link outside the body says there is one."""
    with pytest.raises(PageError, match="profile link but no byline"):
        parse_question_page(URL, sample(family).replace(old, new, 1))


@pytest.mark.parametrize("family", ["legacy", "provider-card"])
def test_a_profile_link_in_an_answers_body_is_no_byline(family):
    body = {"legacy": "rs-answer__body", "provider-card": "Content-bodyText"}[family]
    html = _after(sample(family), _FIRST_ANSWER[family], body + ' ', body + ' x"><a href="/dr/a-b-aurora-co">Dr B</a><i class="')
    assert [r["doctor_id"] for r in page_records(parse_question_page(URL, html)) if r["type"] == "answer"][0] is None


def test_an_answer_showing_only_a_moderators_notice_is_a_bad_page():
    html = re.sub(r'(<div class="rs-answer" id="answer-1040790" data-answer-id="1040790">).*?'
                  r'(?=<div class="rs-answer" id="answer-1040802")',
                  r'\1<div class="rs-answer__body">This answer has been removed by the moderators.</div></div>',
                  sample("legacy"), count=1, flags=re.S)
    with pytest.raises(PageError, match="an answer without its"):
        parse_question_page(URL, html)


_GATE = '<div class="login-gate"><h2>Sign in to read the doctors&#39; answers</h2><a href="/login">Log in</a></div>'


def _no_cards(html: str) -> str:
    return re.sub(r'<div class="Content Content--answer".*?\n</div>\n', "", html, flags=re.S)


def _gated_nextjs(html: str) -> str:
    data = re.search(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', html, re.S)
    d = json.loads(data.group(2))
    d["props"]["pageProps"]["question"].update(answers=[], answerCount=None)
    html = html[:data.start(2)] + json.dumps(d) + html[data.end(2):]
    html = re.sub(r'<h2 class="answers-list_heading__[^"]*">.*?</h2>', _GATE, html, count=1, flags=re.S)
    return re.sub(r'<article class="answer-card_card__.*?</article>', "", html, flags=re.S)


@pytest.mark.parametrize("family, gate", [
    ("legacy", lambda h: re.sub(r'<section class="rs-answers">.*</section>',
                                f'<section class="rs-answers">{_GATE}</section>', h, flags=re.S)),
    ("legacy", lambda h: re.sub(r'<section class="rs-answers">.*</section>',
                                '<section class="rs-answers"><h2 class="rs-answers__count">Doctor Answers '
                                '{{ vm.answers.length }}</h2><div ng-repeat="a in vm.answers" '
                                'ng-include="\'answer.html\'"></div></section>', h, flags=re.S)),
    ("provider-card", lambda h: re.sub(r"<h2 class=\"Headline Headline--4.*?</h2>", _GATE, _no_cards(h), flags=re.S)),
    ("nextjs", _gated_nextjs),
])
def test_a_question_whose_answers_are_walled_or_unrendered_is_a_bad_page_not_unanswered(family, gate):
    html = gate(sample(family))
    assert html != sample(family)
    with pytest.raises(PageError, match="no answers and no count of them"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("family", ["legacy", "provider-card", "nextjs"])
def test_a_question_that_declares_no_answers_is_unanswered(family):
    html = {"legacy": lambda h: re.sub(r'(<h2 class="rs-answers__count">Doctor Answers )10</h2>.*</section>',
                                       r"\g<1>0</h2></section>", h, flags=re.S),
            "provider-card": lambda h: _no_cards(h).replace("(10)</span></h2>", "(0)</span></h2>"),
            "nextjs": lambda h: _gated_nextjs(h).replace('"answerCount": null', '"answerCount": 0')}[family](sample(family))
    page = parse_question_page(URL, html)
    assert page.answers == [] and page.declared_answer_count == 0


@pytest.mark.parametrize("heading, declared", [
    ('<h2 class="rs-answers__count">No doctor answers yet</h2>', 0),
    ('<h2 class="rs-answers__count">No answer yet</h2>', 0),
    ('<h2 class="rs-answers__count">Doctor Answers</h2><p>Be the first doctor to answer.</p>', None),
    ("", None),
])
def test_a_question_shown_unanswered_in_words_or_without_a_heading_is_unanswered(heading, declared):
    """A page with no answers and no number is refused only on a sign its answers are hidden:
    real sites say "none yet" in words, or show no heading at all."""
    html = re.sub(r'<h2 class="rs-answers__count">.*</section>', f"{heading}</section>", sample("legacy"), flags=re.S)
    page = parse_question_page(URL, html)
    assert page.answers == [] and page.declared_answer_count == declared
    assert page.question.question_id


def _legacy_answers(html: str, shown: str, first_answers: int = 0) -> str:
    """The legacy sample with its answers' section showing `shown` after its first answers
    (no count heading)."""
    section = re.search(r'<section class="rs-answers">.*</section>', html, re.S)
    kept = re.findall(r'<div class="rs-answer" .*?</time>', section.group(), re.S)[:first_answers]
    return html.replace(section.group(), '<section class="rs-answers">'
                        + "".join(answer + "</div>" for answer in kept) + shown + "</section>")


@pytest.mark.parametrize("gate", [
    "<p>Join RealSelf free to read the doctors&#39; answers</p>",
    "<p>Sign-in required to view the doctor answers</p>",
    "<p>Create a free account to unlock 10 doctor answers</p>",
    "<p>Register to see what doctors said</p>",
    '<h2 class="rs-answers__count">Doctor Answers</h2><p>Become a member to see the answers</p>',
    "<p>Please log in to view this content.</p>",
    "<p>Subscribe to read the full discussion</p>",
    '<p>10 doctors answered this question.</p><a class="btn" href="/login">Sign in</a>',
    "<p>Reg&shy;ister to see what doctors&#8288; said</p>",  # invisible characters a reader never sees
])
@pytest.mark.parametrize("first_answers", [0, 1, 3])
def test_answers_behind_an_ask_for_an_account_are_a_bad_page_however_worded(gate, first_answers):
    """Where the answers would be, the page asks for an account instead: all of them hidden,
    or the rest after the first few (a partial wall), never an unanswered question nor one
    with only the answers shown before the wall."""
    with pytest.raises(PageError, match="answers and no count of them, and where answers would be"):
        parse_question_page(URL, _legacy_answers(sample("legacy"), gate, first_answers))


def test_a_partial_wall_after_the_first_answer_is_a_bad_page():
    html = _legacy_answers(sample("legacy"), "<div class='paywall'>Log in to continue reading</div>", 1)
    with pytest.raises(PageError, match="1 answers and no count of them.*'Log in to continue reading'"):
        parse_question_page(URL, html)


_ASKERS_WORDS = "I had to sign up to ask this and still no answer after a week. "
_BANNER = "Sign up free to get answers from board-certified doctors"


@pytest.mark.parametrize("family, change", [
    ("legacy", lambda h: re.sub(r'(<div class="rs-question__body user-generated-content">\s*<p>)',
                                rf"\g<1>{_ASKERS_WORDS}", h)),
    ("legacy", lambda h: h.replace("<h1 class=\"rs-question__title\">", f"<h1 class=\"rs-question__title\">{_ASKERS_WORDS}")),
    ("legacy", lambda h: h.replace('<main class="rs-main">', f'<div class="rs-banner">{_BANNER}</div><main class="rs-main">')),
    ("legacy", lambda h: h.replace('<nav>', f'<nav><a href="/join">{_BANNER}</a>')),
    ("legacy", lambda h: h.replace('</main>', f'<aside><p>{_BANNER}</p><a href="/login">Sign in</a></aside></main>')),
    ("legacy", lambda h: h.replace('</main>', '<footer><a href="/login">Log in</a> or <a href="/join">join</a></footer></main>')),
    ("legacy", lambda h: h.replace('</main>', '<p>Are you a doctor? Sign in to answer this question.</p>'
                                              '<p>Log in to comment</p></main>')),
    ("provider-card", lambda h: h.replace('<div class="SiteHeader">', f'<div class="SiteHeader"><p>{_BANNER}</p>')),
])
def test_an_askers_words_or_site_chrome_asking_for_an_account_leave_a_question_unanswered(family, change):
    """Only where the answers would be does an ask for an account hide them: the question's
    own words, a banner above the question or in the header, nav, aside or footer, and an
    ask to act (answer, comment) are no wall, and the unanswered question is recorded."""
    html = change(sample(family))
    assert html != sample(family)
    if family == "legacy":
        html = re.sub(r'<h2 class="rs-answers__count">.*</section>', "</section>", html, flags=re.S)
    else:
        html = re.sub(r"<h2 class=\"Headline Headline--4.*?</h2>", "", _no_cards(html), flags=re.S)
    page = parse_question_page(URL, html)
    assert page.answers == [] and page.declared_answer_count is None and page.question.question_id


def test_an_answers_own_words_asking_for_an_account_are_no_wall():
    """A page without a count whose doctor writes "join a support group to read more" shows
    all its answers: their own words are never where answers would be."""
    html = re.sub(r'<h2 class="rs-answers__count">.*?</h2>', "", sample("legacy"), flags=re.S)
    html = html.replace("<p>\n            Leave it alone for now",
                        "<p>Join a support group to read what other patients say.</p><p>\n            Leave it alone for now", 1)
    page = parse_question_page(URL, html)
    assert len(page.answers) == 10 and page.declared_answer_count is None
    assert "Join a support group" in str(page.answers[-2].body)


def _no_count(html: str) -> str:
    return re.sub(r'<h2 class="rs-answers__count">.*?</h2>', "", html, flags=re.S)


def _beside_answers(html: str, ask: str, where: str) -> str:
    """`ask` before the page's last answer (beside its answers) or after it, where a partial
    wall would be."""
    i = html.rfind('<div class="rs-answer"') if where == "before the last" else html.rindex("</section>")
    return html[:i] + ask + html[i:]


@pytest.mark.parametrize("where", ["before the last", "after the last"])
@pytest.mark.parametrize("ask", [
    '<div class="promo"><p>Sign up for our newsletter to read the latest treatment news.</p></div>',
    "<p>Subscribe to this question to see new answers by email.</p>",
    "<p>Log in to get notified when doctors reply, and view updates.</p>",
    "<p>Sign up free to get answers from board-certified doctors</p>",
])
def test_a_page_showing_all_its_answers_is_read_whatever_it_asks_of_the_reader(ask, where):
    """A page without a count that shows its answers may ask for an account for a newsletter,
    for news of new answers, or to ask a question; that hides none of them (tester G: 6)."""
    page = parse_question_page(URL, _beside_answers(_no_count(sample("legacy")), ask, where))
    assert len(page.answers) == 10 and page.declared_answer_count is None


@pytest.mark.parametrize("ask", ['<p><a href="/login">Log in</a></p>', "<p>Sign in to see your saved doctors</p>"])
def test_an_ask_for_an_account_between_answers_shown_hides_none(ask):
    """A partial wall stands after the answers it lets through; a login link or an ask
    between two answers shown is the page's, not a wall (tester G: 6)."""
    page = parse_question_page(URL, _beside_answers(_no_count(sample("legacy")), ask, "before the last"))
    assert len(page.answers) == 10


@pytest.mark.parametrize("ask", ["<p>Subscribe to be notified of new answers</p>",
                                 "<p>Sign up to get an email when a doctor answers</p>"])
def test_an_unanswered_question_asking_to_follow_it_is_unanswered(ask):
    html = re.sub(r'<h2 class="rs-answers__count">.*</section>', f"{ask}</section>", sample("legacy"), flags=re.S)
    page = parse_question_page(URL, html)
    assert page.answers == [] and page.declared_answer_count is None


_WALL = "<p>Sign in to read the doctors&#39; answers</p>"


@pytest.mark.parametrize("first_answers", [0, 2])
@pytest.mark.parametrize("gate", [
    lambda h: h.replace("</main>", f'<aside class="answers-gate">{_WALL}</aside></main>'),
    lambda h: h.replace("</main>", f"<footer>{_WALL}</footer></main>"),
    lambda h: h.replace("</main>", f'</main><div class="modal">{_WALL}</div>'),
    lambda h: h.replace('<main class="rs-main">', '<div class="rs-main">').replace("</main>", "</div>").replace(
        "</section>", f'<aside class="answers-gate">{_WALL}</aside></section>'),
    lambda h: h.replace('<main class="rs-main">', '<div class="rs-main">').replace(
        "</main>", f"</div><div class=\"modal\">{_WALL}</div>"),
])
def test_a_wall_in_a_panel_of_the_content_or_a_modal_after_it_is_a_bad_page(gate, first_answers):
    """A gate panel in the content's own aside or footer, or a modal after </main> (or with no
    <main>), hides the answers as a line among them does; only the site's chrome outside the
    content is none: with no <main>, its sections and articles are the content (tester G: 7)."""
    html = gate(_legacy_answers(sample("legacy"), "", first_answers))
    with pytest.raises(PageError, match="answers and no count of them.*Sign in to read"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("chrome", [
    lambda h: h.replace('<main class="rs-main">', f'<aside><p>{_WALL}</p></aside><main class="rs-main">'),
    lambda h: h.replace('<footer class="rs-footer">', f'<footer class="rs-footer"><p>{_WALL}</p>'),
    lambda h: h.replace('<main class="rs-main">', '<div class="rs-main">').replace(
        "</main>", "</div>").replace('<footer class="rs-footer">', f'<footer class="rs-footer"><p>{_WALL}</p>'),
])
def test_the_sites_chrome_outside_the_content_hides_no_answers(chrome):
    html = chrome(_legacy_answers(sample("legacy"), ""))
    page = parse_question_page(URL, html)
    assert page.answers == [] and page.declared_answer_count is None


def test_a_nextjs_stub_of_the_question_over_legacy_markup_is_a_bad_page_not_a_hollow_question():
    stub = {"props": {"pageProps": {"question": {"id": 1040712, "title": "Knot and Redness After Botox Injection"}}},
            "page": "/question/[slug]"}
    html = sample("legacy").replace(
        "</body>", f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(stub)}</script></body>', 1)
    with pytest.raises(PageError, match="question without its answers"):
        parse_question_page(URL, html)


def _cards_by_votes(html: str) -> str:
    cards = list(re.finditer(r'<article class="answer-card_card__.*?</article>', html, re.S))
    votes = [int(re.search(r'vote-button_count__[^"]*">\s*([-+]?\d+)', c.group(0)).group(1)) for c in cards]
    order = sorted(range(len(cards)), key=lambda i: -votes[i])
    return html[:cards[0].start()] + "".join(cards[i].group(0) for i in order) + html[cards[-1].end():]


def test_nextjs_cards_in_another_order_whose_titles_do_not_read_are_a_bad_page_not_swapped_dates():
    html = _cards_by_votes(sample("nextjs")).replace("answer-card_title__", "answerCard_title__")
    with pytest.raises(PageError, match="a card's date is not its answer's"):
        parse_question_page(URL, html)


def test_nextjs_cards_in_the_datas_order_whose_titles_do_not_read_are_read():
    html = sample("nextjs").replace("answer-card_title__", "answerCard_title__")
    assert_records(page_records(parse_question_page(URL, html)), expected())


def _without_count(family: str) -> str:
    """The family's sample with no count of its answers (heading or data)."""
    html = sample(family)
    if family == "nextjs":
        data = re.search(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', html, re.S)
        d = json.loads(data.group(2))
        d["props"]["pageProps"]["question"].update(answerCount=None)
        html = html[:data.start(2)] + json.dumps(d) + html[data.end(2):]
        return re.sub(r'<h2 class="answers-list_heading__[^"]*">.*?</h2>', "", html, count=1, flags=re.S)
    return re.sub(r'<h2 class="(?:rs-answers__count|Headline Headline--4)[^"]*">.*?</h2>', "", html, count=1, flags=re.S)


def _before_body_end(html: str, markup: str) -> str:
    i = html.rindex("</main>") if "</main>" in html else html.rindex("</body>")
    return html[:i] + markup + html[i:]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("pager", [
    '<nav class="pagination">Page 1 of 4 <a rel="next" href="?page=2">Next page of answers</a></nav>',
    f'<div><a href="{URL}?page=3">3</a></div>',
    '<ul class="pages"><li><a href="?p=2">2</a></li></ul>',
    f'<a href="{URL}?start=20">More answers</a>',
    f'<a href="{URL}?answers_page=2">More answers</a>',
    f'<a href="{URL}?answerPage=2">2</a>',
])
def test_answers_paged_onto_other_pages_of_the_question_are_a_bad_page_without_a_count(family, pager):
    """Without a count, a pager of the question's own answers is the sign that the answers
    shown are not all: refused as partial, never written as the whole question."""
    html = _without_count(family)
    assert parse_question_page(URL, html).declared_answer_count is None
    with pytest.raises(PageError, match="links another page of itself.*answers on other pages"):
        parse_question_page(URL, _before_body_end(html, pager))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("link", [
    '<nav><a rel="next" href="/questions/botox?page=2">Next</a></nav>',  # a listing's pager in the chrome
    '<aside><a href="/question/other-question?page=2">Other</a></aside>',  # another question
    f'<a href="{URL}?sort=newest">Newest first</a><a href="{URL}?page=1">1</a>',  # a sort, this very page
    # pagers of something else on the page: the asker's comments, photos, related questions
    *(f'<a href="{URL}?{name}=2">Older</a>' for name in ("comments_page", "photo_page", "related_page",
                                                         "img-page", "commentsPage", "reviews_start")),
])
def test_links_to_other_pages_of_the_site_are_no_sign_of_answers_elsewhere(family, link):
    html = _without_count(family)
    assert parse_question_page(URL, _before_body_end(html, link)).answers == parse_question_page(URL, html).answers


def _nextjs_data(html: str, change) -> str:
    """The nextjs page with its __NEXT_DATA__ question changed by `change`."""
    m = re.search(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', html, re.S)
    data = json.loads(m.group(2))
    change(data["props"]["pageProps"]["question"])
    return html[:m.start(2)] + json.dumps(data) + html[m.end(2):]


def test_a_nextjs_page_showing_its_dates_relatively_counts_each_date_from_its_timestamp_by_dataset():
    """"3 years ago" shows no calendar date: the timestamp's (in its offset, UTC's: an evening
    post a day late) is kept as the contract says, and counted as the dates of its rows'
    dataset, which the values_not_read check judges."""
    from crawler.extraction import extract_page
    html = re.sub(r">[A-Z][a-z]{2} \d{1,2}, \d{4}<", ">a few years ago<", sample("nextjs"))
    got = extract_page(URL, html.encode())
    answers = sum(r["type"] == "answer" for r in got.records)
    assert got.counts["answers/date_from_timestamp/nextjs"] == answers
    assert got.counts["questions/date_from_timestamp/nextjs"] == 1


def test_a_nextjs_body_the_cards_show_but_the_data_gives_as_null_is_not_read_nor_its_contact_info():
    from crawler.extraction import extract_page

    def no_bodies(question):
        for answer in question["answers"]:
            answer["bodyHtml"] = None

    got = extract_page(URL, _nextjs_data(sample("nextjs"), no_bodies).encode())
    answers = [r for r in got.records if r["type"] == "answer"]
    assert [(r["body"], r["has_contact_info"]) for r in answers] == [(None, None)] * len(answers)
    assert got.counts["answers/body_not_read/nextjs"] == len(answers)


def test_a_nextjs_body_that_neither_the_data_nor_the_cards_show_is_none_without_contact_info():
    from crawler.extraction import extract_page

    def no_bodies(question):
        for answer in question["answers"]:
            answer["bodyHtml"] = None

    html = re.sub(r'(<div class="answer-card_body__\w+"[^>]*>).*?(</div>)', r"\1\2",
                  _nextjs_data(sample("nextjs"), no_bodies), flags=re.S)
    got = extract_page(URL, html.encode())
    assert {(r["body"], r["has_contact_info"]) for r in got.records if r["type"] == "answer"} == {(None, False)}
    assert "answers/body_not_read/nextjs" not in got.counts
