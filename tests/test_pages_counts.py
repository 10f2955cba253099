"""Answer counts: declared ones from decimal digits only (int() refuses superscripts); a cap."""
from __future__ import annotations

import json

import pytest

from crawler.pages import PageError, parse_question_page
from crawler.pages.counts import declared_count
from pipelines.normalise.records import page_records
from tests.contract import PAGES

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = "https://www.realself.com/question/" + GOLDEN


@pytest.mark.parametrize("text,want", [
    ("Doctor Answers 10", 10), ("Doctor Answers (1,234)", 1234), ("Doctor Answers", None), (None, None),
    ("Doctor Answers \u00b2", None), ("Doctor Answers \u00b210", 10), ("\u0661\u0662 answers", 12),
    ("Top 3 of 10 doctor answers", 10), ("Showing 9 of 10 Doctor Answers", 10),  # of a total: the total
    ("Doctor Answers 10 of 10", 10), ("Doctor Answers (9 out of 1,234)", 1234),
    ("3 new answers, 10 in all", None),  # which is the count is a guess: none
    # a number that is no count as printed declares none, never another count
    ("Doctor Answers (-3)", None), ("Doctor Answers -3", None), ("Doctor Answers (\u22123)", None),
    ("Doctor Answers (12,34)", None), ("Doctor Answers (1,2345)", None), ("Doctor Answers (1'234)", None),
    ("Doctor Answers (1\u066c234)", None), ("Doctor Answers (1e3)", None), ("Doctor Answers 3.5", None),
    ("Doctor Answers (" + "9" * 13 + ")", None), ("Doctor Answers (2147483648)", None),
    ("Q&A-3 answers", 3),  # a dash after a word is no sign
    # as a reader sees it: a character no one sees joins digits; two numbers declare none
    ("Doctor Answers 1\u00ad2", 12), ("Doctor Answers (1\u200b0)", 10), ("Doctor Answers 12 34", None),
    # a number counting others is no answer count: "8 doctors answered" over 10 answers is not 8
    ("8 doctors answered", None), ("10 answers from 8 doctors", 10), ("10 doctor answers", 10),
    ("Doctor Answers 10 \u00b7 1,259 views", 10),
    # who answered, in any words: "8 nurses answered" over 3 answers is not 3 against 8
    ("Doctor Answers (3) \u00b7 8 nurses answered", 3), ("5 board-certified plastic surgeons responded", None),
    ("12 Answers", 12),
])
def test_declared_count(text, want):
    assert declared_count(text) == want


def test_superscript_count_heading_is_no_count():
    html = (PAGES / f"{GOLDEN}.legacy.html").read_text(encoding="utf-8")
    assert "Doctor Answers 10<" in html
    page = parse_question_page(URL, html.replace("Doctor Answers 10<", "Doctor Answers \u00b2<"))
    assert page.declared_answer_count is None
    assert len(page.answers) == 10
    assert page_records(page)[0]["answer_count"] is None


@pytest.mark.parametrize("family, old, new", [
    ("legacy", "Doctor Answers 10<", "Doctor Answers 1\u00ad0<"),
    ("provider-card", "Doctor Answers <span class=\"u-textMuted\">(10)<", "Doctor Answers <span class=\"u-textMuted\">(1\u200b0)<"),
])
def test_a_heading_count_is_read_as_a_reader_sees_it(family, old, new):
    html = (PAGES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8")
    assert old in html
    page = parse_question_page(URL, html.replace(old, new))
    assert page.declared_answer_count == 10 and page_records(page)[0]["answer_count"] == 10


@pytest.mark.parametrize("family,old,new", [
    ("legacy", "Doctor Answers 10<", "Doctor Answers (-3)<"),
    ("provider-card", "Doctor Answers <span class=\"u-textMuted\">(10)<", "Doctor Answers <span class=\"u-textMuted\">(-2)<"),
    ("legacy", "Doctor Answers 10<", "Doctor Answers (1'234)<"),
])
def test_a_heading_with_a_count_it_cannot_hold_declares_none(family, old, new):
    """A negative declared count (or one not read whole) is no count: the page's answers are
    recorded, not dropped as "declaring 3" or as markup the page objects do not know."""
    html = (PAGES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8")
    assert old in html
    page = parse_question_page(URL, html.replace(old, new))
    assert page.declared_answer_count is None and len(page.answers) == 10
    assert page_records(page)[0]["answer_count"] is None


@pytest.mark.parametrize("value", [-5, -1, 2**31, 1.5, True, "10"])
def test_nextjs_answer_count_no_count_is_read_from_its_heading(value):
    """answerCount that is no count of answers (negative, beyond int32, not whole, not a
    number) declares none: the heading the reader sees declares the count."""
    html = (PAGES / f"{GOLDEN}.nextjs.html").read_text(encoding="utf-8")
    assert '"answerCount": 10' in html
    page = parse_question_page(URL, html.replace('"answerCount": 10', f'"answerCount": {json.dumps(value)}'))
    assert page.declared_answer_count == 10 and len(page.answers) == 10


@pytest.mark.parametrize("data, heading", [(3, 10), (10, 3), (9, 10)])
def test_nextjs_data_and_heading_declaring_different_counts_is_a_page_not_whole(data, heading):
    """Answers paginated: the data and cards hold the first page's ("answerCount": 3), the heading
    shows them all ("Doctor Answers 10"). Taking the data's count lost the others unseen."""
    html = (PAGES / f"{GOLDEN}.nextjs.html").read_text(encoding="utf-8")
    assert '"answerCount": 10' in html and "Doctor Answers 10<" in html
    html = html.replace('"answerCount": 10', f'"answerCount": {data}').replace("Doctor Answers 10<", f"Doctor Answers {heading}<")
    with pytest.raises(PageError, match=f"heading shows {heading} answers where the data declares {data}"):
        parse_question_page(URL, html)


def test_raw_items_are_built_by_keyword_only():
    """A field added anywhere in an item cannot shift the others: items take keywords only."""
    from crawler.pages.items import Answer, Byline

    with pytest.raises(TypeError):
        Answer("1", None)  # positional
    assert Byline(name="x").name == "x"


def test_a_page_with_more_answers_than_a_position_holds_is_a_page_error(monkeypatch):
    import pyarrow as pa

    import crawler.pages
    from crawler.pages import PageError
    from pipelines.schemas import SCHEMAS

    assert SCHEMAS["answers"].field("position").type == pa.int16()
    assert crawler.pages.MAX_ANSWERS == 2**15 - 1
    monkeypatch.setattr(crawler.pages, "MAX_ANSWERS", 9)  # the golden page has 10
    with pytest.raises(PageError, match="10 answers") as error:
        parse_question_page(URL, (PAGES / f"{GOLDEN}.legacy.html").read_bytes())
    assert error.value.url == URL
