"""Answer counts: declared ones from decimal digits only (int() refuses superscripts); a cap."""
from __future__ import annotations

import pytest

from crawler.pages import parse_question_page
from crawler.pages.tree import declared_count
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
