"""The contract's golden sample in its three families gives exactly the expected records."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest

from crawler.pages import (BlockedPage, EmptyPage, NotHtml, PageError, TruncatedPage, UnknownLayout, detect_family,
                           is_block_page, parse_question_page)
from pipelines.normalise.records import page_records

from tests.contract import PAGES
SLUG = "botox-injections-days-knot-redness-injection-sites"
URL = "https://www.realself.com/question/" + SLUG
FAMILIES = ["legacy", "provider-card", "nextjs"]


def sample(family: str) -> str:
    return (PAGES / f"{SLUG}.{family}.html").read_text(encoding="utf-8")


def expected() -> list[dict]:
    return [json.loads(l) for l in (PAGES / f"{SLUG}.expected.jsonl").read_text().splitlines() if l.strip()]


def assert_records(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want), [r["type"] for r in got]
    for i, (g, w) in enumerate(zip(got, want)):
        assert set(g) == set(w), (i, set(g) ^ set(w))
        for k in w:
            assert g[k] == w[k], (i, w.get("type"), k, g[k], w[k])
            assert type(g[k]) is type(w[k]), (i, k, g[k], w[k])


@pytest.mark.parametrize("family", FAMILIES)
def test_family_gives_expected_records(family):
    page = parse_question_page(URL, sample(family))
    assert page.family == family
    assert detect_family(sample(family)) == family
    assert page.url == URL
    assert page.declared_answer_count == 10
    assert_records(page_records(page), expected())


@pytest.mark.parametrize("family", FAMILIES)
def test_bytes_input_and_other_fetch_url(family):
    fetched = "http://127.0.0.1:8000/question/" + SLUG + "?utm=x"
    page = parse_question_page(fetched, sample(family).encode("utf-8"))
    assert page.url == URL  # canonical wins for records
    assert_records(page_records(page), expected())
    # related links resolve against the URL fetched (navigation), not the canonical
    assert page.related_urls == [
        "http://127.0.0.1:8000/question/massaged-botoxshorter-longevity",
        "http://127.0.0.1:8000/question/redness-site-injection-botox",
    ]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("rel", ["Canonical", "nofollow canonical", " canonical "])
def test_a_canonical_link_is_known_by_its_rel_keyword_in_any_case(family, rel):
    html = sample(family).replace('<link rel="canonical"', f'<link rel="{rel}"', 1)
    assert page_records(parse_question_page("http://h/question/x", html))[0]["url"] == URL

@pytest.mark.parametrize("family", FAMILIES)
def test_without_canonical_url_is_the_fetched_one(family):
    html = re.sub(r'<link rel="canonical"[^>]*>', "", sample(family))
    page = parse_question_page("http://h/question/x", html)
    recs = page_records(page)
    assert recs[0]["url"] == "http://h/question/x"
    docs = [r for r in recs if r["type"] == "doctor"]
    assert docs[0]["profile_url"] == "http://h/dr/joseph-serota-aurora-co"


def test_block_page_is_blocked():
    html = (PAGES / "blocked.html").read_text()
    assert is_block_page(html)
    assert is_block_page(html.encode())
    with pytest.raises(BlockedPage) as e:
        parse_question_page("https://www.realself.com/question/x", html)
    assert "https://www.realself.com/question/x" in str(e.value)
    assert e.value.url == "https://www.realself.com/question/x"
    assert "px-captcha" in e.value.reason


def test_block_by_title_alone_and_by_captcha_alone():
    title_only = "<html><head><title>Access to this page has been denied.</title></head><body><p>x</p></body></html>"
    captcha_only = "<html><head><title>Hi</title></head><body><div id='px-captcha'></div></body></html>"
    for html in (title_only, captcha_only):
        assert is_block_page(html)
        with pytest.raises(BlockedPage):
            parse_question_page("http://h/q", html)


@pytest.mark.parametrize("family", FAMILIES)
def test_block_words_in_text_do_not_block(family):
    html = sample(family).replace("What should I do?", "Access to this page has been denied. What should I do?")
    html = html.replace("Good luck.", "Access to this page has been denied, px-captcha. Good luck.")
    assert not is_block_page(html)
    page = parse_question_page(URL, html)
    recs = page_records(page)
    assert "Access to this page has been denied. What should I do?" in recs[0]["body"]


@pytest.mark.parametrize("family", FAMILIES)
def test_question_titled_with_block_words_is_not_blocked(family):
    html = sample(family).replace("Knot and Redness After Botox Injection", "Access to this page has been denied")
    assert not is_block_page(html)
    recs = page_records(parse_question_page(URL, html))
    assert recs[0]["title"] == "Access to this page has been denied"


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("frac", [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 0.99])
def test_truncated_page_is_an_error_naming_the_url(family, frac):
    html = sample(family)
    cut = html[: int(len(html) * frac)]
    with pytest.raises(PageError) as e:
        parse_question_page("http://h/question/cut", cut)
    assert "http://h/question/cut" in str(e.value)
    if frac >= 0.2:
        assert isinstance(e.value, TruncatedPage)



@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("after", ["\n<!-- page cached by edge-7 at 2026-11-30 08:00 -->\n", "<!-- a --><!-- b -->",
                                   "\n\n"])
def test_what_follows_the_end_of_the_document_does_not_cut_it(family, after):
    assert_records(page_records(parse_question_page(URL, sample(family) + after)), expected())



def test_comments_after_the_end_then_more_are_read_in_one_scan():
    """(A pattern that backtracked took time doubling with each comment: 40 took hours.)"""
    with pytest.raises(TruncatedPage):
        parse_question_page(URL, sample("legacy") + "<!-- x -->" * 40 + "y")

@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_cut_off_after_an_end_tag_in_a_script_string_is_cut_off(family):
    html = sample(family).replace("</head>", "<script>var t = '<html><body>{{c}}</body></html>';</script></head>", 1)
    cut = html[:html.index("</html>';") + len("</html>';") + 200]
    with pytest.raises(TruncatedPage):
        parse_question_page(URL, cut)

@pytest.mark.parametrize("family", FAMILIES)
def test_a_whole_page_missing_an_answer_is_markup_not_a_page_cut_off(family):
    """Its document ends: a retry gets the same page. The answer is elsewhere (a next page, a
    script): a bad page whose reason says so, never retried as cut off in transfer."""
    html = sample(family)
    if family == "legacy":
        html = re.sub(r'<div class="rs-answer" id="answer-1040950".*?</div>\s*</div>\s*</div>', "", html, flags=re.S)
    elif family == "provider-card":
        start = html.index('<div class="Content Content--answer" id="answer-1040950">')
        end = html.index("</div>\n</div>\n</div>\n<div class=\"SiteFooter\"")
        html = html[:start] + html[end + len("</div>\n"):]
    else:
        html = html.replace('"answerCount": 10', '"answerCount": 11').replace("Doctor Answers 10", "Doctor Answers 11")
    with pytest.raises(PageError) as e:
        parse_question_page("http://h/q", html)
    assert not isinstance(e.value, TruncatedPage)
    declared, held = (11, 10) if family == "nextjs" else (10, 9)
    assert e.value.reason == (f"the page declares {declared} answers but holds {held}: "
                              "answers on other pages or loaded by script?")


def _answers_on_pages(html: str, family: str, kept: int = 2) -> str:
    """The page's first `kept` answers, the rest behind a rel=next link to ?page=2; the page
    still declares them all."""
    root = lxml.html.document_fromstring(html)
    cls = {"legacy": "rs-answer", "provider-card": "Content--answer"}.get(family)
    cards = root.find_class(cls) if cls else root.xpath("//*[contains(@class, 'answer-card_card__')]")
    for card in cards[kept:]:
        card.drop_tree()
    if family == "nextjs":
        script = root.get_element_by_id("__NEXT_DATA__")
        data = json.loads(script.text)
        question = data["props"]["pageProps"]["question"]
        question.update(answers=question["answers"][:kept], pagination={"page": 1, "next": "?page=2"})
        script.text = json.dumps(data)
    more = lxml.html.fragment_fromstring(f'<a rel="next" href="/question/{SLUG}?page=2">More answers</a>')
    cards[kept - 1].addnext(more)
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


@pytest.mark.parametrize("family", FAMILIES)
def test_answers_split_across_pages_are_markup_not_a_page_cut_off(family):
    with pytest.raises(PageError) as e:
        parse_question_page(URL, _answers_on_pages(sample(family), family))
    assert not isinstance(e.value, TruncatedPage)
    assert e.value.reason == "the page declares 10 answers but holds 2: answers on other pages or loaded by script?"


@pytest.mark.parametrize("answers", [{"1040755": {}}, "see page 2", [1040755, 1040790]])
def test_next_data_answers_of_another_shape_are_markup_not_a_page_cut_off(answers):
    """Its JSON reads whole: the data changed shape, which a retry does not cure."""
    root = lxml.html.document_fromstring(sample("nextjs"))
    script = root.get_element_by_id("__NEXT_DATA__")
    data = json.loads(script.text)
    data["props"]["pageProps"]["question"]["answers"] = answers
    script.text = json.dumps(data)
    html = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    with pytest.raises(PageError) as e:
        parse_question_page(URL, html)
    assert not isinstance(e.value, TruncatedPage)


# Where each family writes the second answer's id, and that id.
SECOND_ID = {"legacy": 'data-answer-id="{}"', "provider-card": 'id="answer-{}"', "nextjs": '"id": {}'}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("new_id, reason", [
    ("a-1040790", "an id not of the site's form"),  # a new form of ids
    ("{{answer.id}}", "an id not of the site's form"),  # a template placeholder left in the page
    ("1040755", "answer 1040755 shown twice"),  # a featured copy of the first answer
    ("01040755", "answer 1040755 shown twice"),  # the same, its id written with a zero in front
])
def test_answers_whose_ids_could_not_be_keys_make_a_bad_page(family, new_id, reason):
    if family == "nextjs" and (not new_id.isdigit() or new_id.startswith("0")):
        new_id = f'"{new_id}"'  # a JSON string
    html = sample(family).replace(SECOND_ID[family].format(1040790), SECOND_ID[family].format(new_id))
    with pytest.raises(PageError, match=re.escape(reason)):
        parse_question_page(URL, html)


# Where each family writes the question's id, and that id.
QUESTION_ID = {"legacy": 'data-question-id="{}"', "provider-card": 'rs:content-id" content="{}"', "nextjs": '"id": {}'}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("written", ["01040790", "0001040790", " 1040790", "1040790\t", " 01040790 "])
def test_an_id_written_otherwise_is_the_same_key(family, written):
    """White space around an id (a template's) and zeros in front of it change no key: one
    question and one answer whatever family or crawl reads them, never two rows in `latest`."""
    def otherwise(form: str, number: str) -> str:
        shown = written.replace("1040790", number)
        return form.format(json.dumps(shown) if family == "nextjs" else shown)  # nextjs: a JSON string
    html = sample(family).replace(SECOND_ID[family].format(1040790), otherwise(SECOND_ID[family], "1040790"), 1)
    html = html.replace(QUESTION_ID[family].format(1040712), otherwise(QUESTION_ID[family], "1040712"), 1)
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("written", ['id=" answer-1040790"', 'id="answer-1040790 "', 'id=" answer-01040790\n"'])
def test_an_answer_id_attribute_is_read_as_every_id(written):
    """An `id="answer-N"` with white space around it (the page renders the same) is N's: read
    as every id is, in legacy (without its data-answer-id) as in provider-card."""
    for family in ("legacy", "provider-card"):
        html = sample(family).replace('id="answer-1040790"', written, 1).replace(' data-answer-id="1040790"', "", 1)
        assert_records(page_records(parse_question_page(URL, html)), expected())


# Where each family's last answer body starts (for nextjs, in the JSON its bodies are read from).
LAST_BODY = {"legacy": 'user-generated-content">', "provider-card": 'user-generated-content">',
             "nextjs": '"bodyHtml": "'}


@pytest.mark.parametrize("family", FAMILIES)
def test_markup_nested_past_what_lxml_reads_makes_a_bad_page_not_a_short_one(family):
    """libxml2 stops building elements past its depth limit and drops the rest of the page in
    silence: the last answer would lose its body, date and doctor with nothing counted. Up to
    2,048 levels (an old answer's 300 unclosed <b>) the page is read whole; past it, it is malformed."""
    html = sample(family)
    at = html.rindex(LAST_BODY[family]) + len(LAST_BODY[family])
    deep, shallow = (html[:at] + "<b>" * n + html[at:] for n in (3000, 300))
    with pytest.raises(PageError, match="Excessive depth|nested too deep"):
        parse_question_page(URL, deep)
    records = page_records(parse_question_page(URL, shallow))  # deep but read whole: all there
    assert [r.get("doctor_id") for r in records] == [r.get("doctor_id") for r in expected()]



_SPONSORED = {  # an answer-like block of a numeric id, beside the page's declared answers
    "legacy": ('<section class="rs-answers">',
               '<aside><div class="rs-answer" id="answer-990001" data-answer-id="990001">'
               '<h3 class="rs-answer__title">Sponsored</h3><div class="rs-vote" ng-init="voteCount=0"></div>'
               '<div class="rs-answer__body">Book now</div><time class="rs-answer__date">Oct 22, 2012</time></div></aside>'),
    "provider-card": ('<div id="answer-list">',
                      '<div class="Content Content--answer" id="answer-990001"><h3 class="Content-title">Sponsored'
                      '</h3><ul class="Content-byline"><li><time>Oct 22, 2012</time></li></ul>'
                      '<div class="Content-bodyText">Book now</div><div rs-static-data=\'{"likeCount": "0"}\'></div></div>'),
    "nextjs": ('"answers": [', '"answers": [{"id": 990001, "title": "Sponsored", "bodyHtml": "Book now"}, '),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_more_answers_than_the_page_declares_make_a_bad_page_not_an_extra_record(family):
    where, block = _SPONSORED[family]
    html = sample(family).replace(where, block + where if family != "nextjs" else block, 1)
    assert html != sample(family)
    # (nextjs: 11 answers for 10 cards, two of one title: which date is whose is met first)
    with pytest.raises(PageError, match="11 answers where it declares 10|cannot be told apart"):
        parse_question_page(URL, html)


_ICON = '<svg aria-hidden="true"><title>Pin</title><path d="M0 0"/></svg>'


@pytest.mark.parametrize("family, old, new", [
    ("legacy", '<span class="rs-question__location">Phoenix, AZ', f'<span class="rs-question__location">{_ICON}Phoenix, AZ'),
    ("legacy", ">New Orleans Plastic Surgeon<", ">New Orleans<br>Plastic Surgeon<"),
    ("legacy", ">Kamran Khoobehi, MD<", ">Kamran <b>Khoobehi</b>, MD<script>track()</script><"),
    ("provider-card", '<li class="Byline-item">Phoenix, AZ', f'<li class="Byline-item">{_ICON}Phoenix, AZ'),
    ("provider-card", ">New Orleans Plastic Surgeon<", "><div>New Orleans</div><div>Plastic Surgeon</div><"),
])
def test_one_line_values_are_read_as_readers_see_them(family, old, new):
    """Icons' svg titles and scripts are no text; a <br> or a block between words is a space."""
    assert old in sample(family)
    assert_records(page_records(parse_question_page(URL, sample(family).replace(old, new))), expected())


_REVIEW = ('<div itemprop="review" itemscope itemtype="http://schema.org/Review" aria-label="5 out of 5 stars">'
           '<div itemprop="reviewRating" itemscope><meta itemprop="ratingValue" content="5"></div>'
           '<span itemprop="author" itemscope><a itemprop="name" href="/u/1">Patient</a></span>"Great"</div>')
_PRACTICE = '<span itemprop="worksFor" itemscope><a itemprop="name" href="/p/1">Skin &amp; Laser Center</a></span>'


@pytest.mark.parametrize("where", ['<div class="BodyText--secondary">', '<div class="Media-figure">'])
def test_a_provider_cards_nested_items_are_not_its_doctors_fields(where):
    """A review's rating and author, or a practice's name, inside the card belong to those
    items (microdata), not to the doctor."""
    html = sample("provider-card").replace(where, _REVIEW + _PRACTICE + where)
    assert html.count(_REVIEW) >= 4
    assert_records(page_records(parse_question_page(URL, html)), expected())



_PHYSICIAN = ' itemscope itemtype="http://schema.org/Physician"'


@pytest.mark.parametrize("changes", [
    [(_PHYSICIAN + '><div class="Media-figure">', '><div class="Media-figure">'),  # the doctor's item inside the card
     ('<div class="Media-body">', f'<div class="Media-body"{_PHYSICIAN}>')],
    [('<div class="Media-body">', f'<div class="Media-body"{_PHYSICIAN}>')],  # an item in an item
    [('itemprop="aggregateRating" itemscope', 'itemscope')],  # a rating item not named a property
])
def test_a_provider_cards_items_are_found_where_the_markup_puts_them(changes):
    html = sample("provider-card")
    for before, after in changes:
        assert before in html
        html = html.replace(before, after)
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_note_nested_in_an_answer_does_not_lend_the_answer_its_date_or_doctor():
    """An answer's parts are those nearest it: a dated follow-up note with its own byline,
    inside the answer's body, is the note's."""
    note = ('<div class="rs-answer__note">Update <time class="rs-answer__date" datetime="2021-03-03">Mar 3, 2021'
            '</time><div class="rs-byline"><a class="rs-byline__name" href="/dr/someone-else">Someone Else, MD</a>'
            '</div></div>')
    body = '<div class="rs-answer__body user-generated-content">'
    html = sample("legacy").replace(body, body + note)
    got, want = page_records(parse_question_page(URL, html)), expected()
    got, want = ([r for r in records if r["type"] == "answer"] for records in (got, want))
    assert [r["answered_on"] for r in got] == [r["answered_on"] for r in want]
    # (an answer with no byline of its own holds the note's alone, and takes it, as it always did)
    assert [g["doctor_id"] for g, w in zip(got, want) if w["doctor_id"]] == [w["doctor_id"] for w in want if w["doctor_id"]]


def _cards_in_byline_lists(html: str) -> str:
    """Each provider card moved into its answer's byline list, as an item of it."""
    doc = lxml.html.document_fromstring(html)
    for answer in doc.find_class("Content--answer"):
        cards, lists = answer.find_class("Media--providerCard"), answer.find_class("Content-byline")
        for card in cards:
            lists[0].append(lxml.html.fragment_fromstring("<li></li>"))
            lists[0][-1].append(card)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="unicode")


@pytest.mark.parametrize("family, change", [
    ("legacy", lambda html: html.replace('<time class="rs-answer__date"',  # date in the byline
                                         '<div class="rs-byline"><time class="rs-answer__date"')),
    ("provider-card", _cards_in_byline_lists),
])
def test_parts_nested_in_other_parts_of_a_new_layout_are_still_read(family, change):
    """Only an answer's body holds what is not the answer's: a date inside its byline, or a
    provider card inside its byline list, is the answer's."""
    html = change(sample(family))
    assert html != sample(family)
    got = page_records(parse_question_page(URL, html))
    want = expected()
    key = "answered_on" if family == "legacy" else "doctor_id"
    assert [r[key] for r in got if r["type"] == "answer"] == [r[key] for r in want if r["type"] == "answer"]


def test_a_trending_question_teaser_above_the_question_is_not_the_question():
    teaser = ('<div class="rs-question" data-question-id="1100599"><a class="rs-question__title" '
              'href="/question/other">Trending: another question</a></div>')
    html = sample("legacy").replace('<div class="rs-question" data-question-id="1040712">',
                                    teaser + '<div class="rs-question" data-question-id="1040712">', 1)
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_share_widgets_static_data_before_the_votes_does_not_hide_them():
    share = '<div rs-static-data=\'{"shareUrl": "/s/1"}\'></div>'
    html = sample("provider-card").replace('<div class="u-marginMedium" rs-static-data=',
                                           share + '<div class="u-marginMedium" rs-static-data=')
    assert_records(page_records(parse_question_page(URL, html)), expected())

def test_a_logo_in_an_h1_of_its_own_is_not_the_question_title():
    html = sample("provider-card").replace("<body>", '<body><header><h1 class="SiteLogo">RealSelf</h1></header>', 1)
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("broken", [
    ('"pageProps": {', '"pageProps": {,'),                   # a stray comma
    ('"pageProps": {', '"pageProps": {props: 1, '),          # JavaScript's, not JSON's
    ('"bodyHtml": "', '"bodyHtml": "see <script>x()</script> '),  # an unescaped </script> ends it early
])
def test_next_data_that_does_not_read_in_a_whole_page_is_malformed_not_cut_off(broken):
    """The page ends and its script closes: a retry gets the same JSON. One bad page named
    with its reason, never fetched again and again as cut off in transfer."""
    html = sample("nextjs").replace(*broken, 1)
    with pytest.raises(PageError) as e:
        parse_question_page("http://h/q", html)
    assert not isinstance(e.value, TruncatedPage)
    assert "__NEXT_DATA__ JSON that does not read" in e.value.reason and "http://h/q" in str(e.value)


@pytest.mark.parametrize("comment", ["", "\n<!-- served by edge-7 -->\n"])
def test_next_data_cut_off_where_its_string_holds_the_end_tags_is_cut_off(comment):
    """A page cut inside its JSON just after an answer's "</body></html>" (pasted from an
    e-mail) passes for whole: its script never closed, so it is cut off, and retried."""
    html = sample("nextjs").replace('"bodyHtml": "', '"bodyHtml": "<html><body>Hi</body></html>', 1)
    cut = html[:html.index("</body></html>") + len("</body></html>")] + comment
    with pytest.raises(TruncatedPage) as e:
        parse_question_page("http://h/q", cut)
    assert "__NEXT_DATA__" in e.value.reason


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_are_a_page_error(seed):
    import random

    data = random.Random(seed).randbytes(random.Random(seed).randint(0, 5000))
    with pytest.raises(PageError) as e:
        parse_question_page("http://h/rand", data)
    assert "http://h/rand" in str(e.value)


@pytest.mark.parametrize("html", [
    "<html><body><p>hello</p></body></html>",
    (PAGES / "questions-botox.page-1.legacy.html").read_text(),
])
def test_not_a_question_page_is_unknown_layout(html):
    with pytest.raises(PageError) as e:
        parse_question_page("http://h/other", html)
    assert isinstance(e.value, UnknownLayout)


def test_nextjs_new_deploy_hashes_parse_the_same():
    html = sample("nextjs")
    new = re.sub(r'class="([a-z\-]+_[A-Za-z]+)__[0-9a-f]{5}"', lambda m: f'class="{m.group(1)}__zz9q{len(m.group(1))}"', html)
    assert new != html and "answer-card_body__0bfb8" not in new
    assert_records(page_records(parse_question_page(URL, new)), expected())
    # extra classes around the hashed one do not matter either
    new2 = re.sub(r'class="([a-z\-]+_[A-Za-z]+__[0-9a-z]+)"', r'class="x \1 y"', new)
    assert_records(page_records(parse_question_page(URL, new2)), expected())


@pytest.mark.parametrize("family", FAMILIES)
def test_errors_are_value_errors_with_url_and_reason(family):
    e = TruncatedPage("http://h/q", "cut")
    assert isinstance(e, PageError) and isinstance(e, ValueError)
    assert str(e) == "http://h/q: cut"


@pytest.mark.parametrize("html", [b"", b"   ", b"\xef\xbb\xbf\n"])
def test_an_empty_body_is_an_empty_page_a_retry_may_cure_not_an_unknown_layout(html):
    with pytest.raises(EmptyPage) as e:
        parse_question_page("http://h/empty", html)
    assert isinstance(e.value, TruncatedPage) and not isinstance(e.value, UnknownLayout)


@pytest.mark.parametrize("body, content_type, named", [
    (b'{"question": {"id": 1, "title": "x", "answers": []}}', "application/json", "Content-Type application/json"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf", "Content-Type application/pdf"),
    (b'<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>', "application/xml", "'<?xml"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\xff\xfe", "image/png", "Content-Type image/png"),
    (b"Rate limit exceeded, try again later", None, "no Content-Type"),
    (b'{"a": "<p>a page</p>"}', "text/html", "'{\"a\""),  # the header says HTML, the body is none
])
def test_a_whole_body_that_is_no_html_document_is_named_so_not_cut_off(body, content_type, named):
    """JSON, a PDF, an XML error, an image, a line of text: no document, so none cut off in
    transfer (a retry gets the same), nor a page of a new markup; named for what it is."""
    with pytest.raises(NotHtml) as e:
        parse_question_page("http://h/q", body, content_type)
    assert not isinstance(e.value, TruncatedPage) and named in e.value.reason
    assert e.value.reason.startswith("no HTML document (")


def test_a_document_cut_off_is_still_cut_off_whatever_its_content_type():
    with pytest.raises(TruncatedPage):
        parse_question_page("http://h/q", sample("legacy")[:3000].encode(), "application/json")


# A comment thread under an answer, with a doctor's reply that uses the site's byline (P1)
_REPLY = {
    "legacy": '<div class="rs-comments"><div class="rs-comment"><p>Thank you, that helps!</p></div>'
              '<div class="rs-comment"><div class="rs-byline"><a class="rs-byline__name" href="/dr/jane-roe-boston-ma">'
              'Jane Roe, MD</a><div class="rs-byline__title">Boston Dermatologist</div></div><p>Glad to help.</p>'
              '</div></div>',
    "provider-card": '<div class="Comments"><div class="Comment"><div class="Media Media--providerCard" itemscope '
                     'itemtype="http://schema.org/Physician"><div class="Media-body"><a class="Link" '
                     'href="/dr/jane-roe-boston-ma" itemprop="name">Jane Roe, MD</a></div></div><p>Glad to help.</p>'
                     '</div></div>',
}
_ANSWER = {"legacy": "rs-answer", "provider-card": "Content--answer"}
_BYLINE = {"legacy": "rs-byline", "provider-card": "Media--providerCard"}


def _with_replies(family: str, answers=None, own_byline_deeper=False) -> str:
    """The sample with the reply thread at the end of its answers (of the first `answers`)."""
    doc = lxml.html.document_fromstring(sample(family))
    for answer in doc.find_class(_ANSWER[family])[:answers]:
        answer.append(lxml.html.fragment_fromstring(_REPLY[family]))
        if own_byline_deeper:  # the answer's own byline, after the thread, wrapped twice
            for byline in answer.find_class(_BYLINE[family])[:-1]:
                wrapper = lxml.html.fragment_fromstring('<footer><div class="rs-answer__author"></div></footer>')
                answer.append(wrapper)
                wrapper[0].append(byline)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="unicode")


@pytest.mark.parametrize("family", ["legacy", "provider-card"])
@pytest.mark.parametrize("answers, deeper", [(1, False), (None, False), (None, True)])
def test_a_doctors_reply_under_an_answer_is_never_read_as_the_answers_doctor(family, answers, deeper):
    """A byline in a comment thread of an answer is the reply's: beside the answer's own (two
    bylines, the answer's the deeper one or not), or alone under an answer without one (the
    first sample answer has none), which is the answer's is a guess: the page is refused,
    never read with the replying doctor as the answer's."""
    html = _with_replies(family, answers, deeper)
    assert html.count("jane-roe-boston-ma") >= 1
    with pytest.raises(PageError, match="a comment's or a reply's"):
        parse_question_page(URL, html)


def test_a_comments_like_widget_is_never_read_as_the_answers_vote():
    """A comment's rs-static-data likeCount between an answer's body and its helpful bar is
    the comment's: with the answer's own, which is its vote is a guess, and alone it sits in
    a comment's text: the page is refused, never read with the comment's likes."""
    thread = ('<div class="Comments"><div class="Comment"><p>Did it go away in the end?</p><div class="Comment-actions" '
              'rs-static-data=\'{"likeCount": 57}\'><button>Like</button></div></div></div>')
    body_end = re.compile(r'(<div class="Content-bodyText[^>]*>.*?</div>)(\s*<div class="u-marginMedium")', re.S)
    html, n = body_end.subn(lambda m: m.group(1) + thread + m.group(2), sample("provider-card"))
    assert n >= 10
    with pytest.raises(PageError, match="likeCount"):
        parse_question_page(URL, html)
    alone = re.sub(r'<div class="u-marginMedium" rs-static-data=[^>]*>', '<div class="u-marginMedium">', html)
    with pytest.raises(PageError, match="a comment's or a reply's"):
        parse_question_page(URL, alone)


_CLINIC = ('<div class="Practice" itemscope itemtype="http://schema.org/MedicalClinic">'
           '<span itemprop="name">Lakeside Aesthetic Center</span></div>')


def _card_items(doctor_type: str = "http://schema.org/Physician") -> str:
    """Cards that are no item themselves: a practice's named item, then the doctor's item."""
    doc = lxml.html.document_fromstring(sample("provider-card"))
    for card in doc.find_class("Media--providerCard"):
        del card.attrib["itemscope"], card.attrib["itemtype"]
        body = card.find_class("Media-body")[0]
        doctor = lxml.html.fragment_fromstring(f'<div itemscope itemtype="{doctor_type}"></div>')
        doctor.extend(list(body))
        body.extend([lxml.html.fragment_fromstring(_CLINIC), doctor])
    return "<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="unicode")


@pytest.mark.parametrize("doctor_type", ["http://schema.org/Physician", "https://schema.org/Person"])
def test_a_practices_item_in_a_provider_card_does_not_name_its_doctor(doctor_type):
    """A card whose doctor is an inner item of a person's type, after a practice's named item:
    the doctor's name is the person's (a card with no name shows none), never the practice's."""
    html = _card_items(doctor_type)
    assert html.count("Lakeside Aesthetic Center") == 8  # every card
    assert_records(page_records(parse_question_page(URL, html)), expected())


@pytest.mark.parametrize("doctor_type", ["http://schema.org/MedicalClinic", "https://schema.org/IndividualPhysician"])
def test_the_item_holding_the_doctors_profile_link_is_the_doctors(doctor_type):
    """The item that holds the doctor's profile link (the name's) is the doctor's, whatever
    its type, beside a practice's named item: never the practice's name, never refused."""
    assert_records(page_records(parse_question_page(URL, _card_items(doctor_type))), expected())


def test_two_named_practices_in_a_provider_card_leave_its_doctors_name_to_a_guess():
    """With no item of a person's type, and no profile link in either, two named items in a
    card (a practice's, the doctor's untyped one): whose name is the doctor's is a guess."""
    html = re.sub(r'href="/dr/[^"]*" (itemprop="name")', r"\1", _card_items("http://schema.org/MedicalClinic"))
    with pytest.raises(PageError, match="microdata"):
        parse_question_page(URL, html)


@pytest.mark.parametrize("doctor_type", ["IndividualPhysician", "Dentist", "Person"])
def test_a_card_typed_as_any_kind_of_doctor_beside_a_named_practice_is_read(doctor_type):
    """A card typed as schema.org's kinds of doctor (IndividualPhysician, Dentist), holding a
    practice's named item: the card is the doctor's item, the practice's name is the practice's."""
    html = sample("provider-card").replace('itemtype="http://schema.org/Physician"',
                                           f'itemtype="https://schema.org/{doctor_type}"')
    html = html.replace('<div class="BodyText--secondary">', _CLINIC + '<div class="BodyText--secondary">')
    assert html.count("Lakeside Aesthetic Center") == 8
    assert_records(page_records(parse_question_page(URL, html)), expected())


# Labels beside a legacy answer's parts, as sites print them: a reader's words, no other post's
_LABELLED = {
    "date": (r'(<time class="rs-answer__date"[^>]*>[^<]*</time>)', r'<div class="meta">Answered \1 · Share · Report</div>'),
    "byline": (r'(<div class="rs-byline">.*?</div>\s*</div>)', r'<div class="by">Answered by \1</div>'),
    "vote": (r'(<div class="rs-vote".*?</div>)', r'<div class="helpful">Was this answer helpful? \1 Yes · No</div>'),
}


@pytest.mark.parametrize("part", sorted(_LABELLED))
def test_a_label_beside_an_answers_part_is_no_comment(part):
    """A block that holds an answer's date, byline or vote with a label of a few words
    ("Answered", "Answered by", "Was this answer helpful?") is the answer's: read as it is."""
    pattern, label = _LABELLED[part]
    html, n = re.subn(pattern, label, sample("legacy"), flags=re.S)
    assert n >= 8
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_a_reply_in_a_sentence_without_a_paragraph_is_still_another_posts():
    """A reply's text as a bare sentence (no <p>) beside its byline is content: the byline is
    the reply's, the page refused as with a paragraph."""
    html = _with_replies("legacy", 1).replace("<p>Glad to help.</p>", "Glad to help, the knot should settle within a week.")
    with pytest.raises(PageError, match="a comment's or a reply's"):
        parse_question_page(URL, html)


def _twice(pattern: str, first: str, second: str):
    """A change that prints each match twice, as a responsive page's desktop and mobile copies."""
    return lambda html: re.sub(pattern, lambda m: m.group(1).replace(*first, 1) + m.group(1).replace(*second, 1),
                               html, flags=re.S)


_BYLINE_TWICE = _twice(r'(<div class="rs-byline">.*?</div>\s*</div>)', ('class="rs-byline"', 'class="rs-byline d-md-block"'),
                       ('class="rs-byline"', 'class="rs-byline d-md-none"'))
_DATE_TWICE = _twice(r'(<time class="rs-answer__date"[^>]*>[^<]*</time>)', ('<time', '<span class="d-md-inline"><time'),
                     ('<time', '<span class="d-md-none"><time'))


@pytest.mark.parametrize("change", [_BYLINE_TWICE, _DATE_TWICE])
def test_a_part_printed_twice_alike_is_one_part(change):
    """A byline or a date printed twice, the same but for its classes (a desktop and a mobile
    copy), is one part: the page is read as it shows."""
    html = change(sample("legacy"))
    assert html != sample("legacy")
    assert_records(page_records(parse_question_page(URL, html)), expected())


def test_two_copies_of_a_part_that_differ_leave_which_is_the_answers_to_a_guess():
    """Two dates of an answer that say different things: which is its own is a guess."""
    html = _twice(r'(<time class="rs-answer__date"[^>]*>[^<]*</time>)', ("2012", "2012"), ("2012", "2013"))(sample("legacy"))
    with pytest.raises(PageError, match="2 rs-answer__date"):
        parse_question_page(URL, html)
