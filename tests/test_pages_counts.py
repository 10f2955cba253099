"""Declared answer counts: only decimal digits are read (int() refuses superscripts)."""
from __future__ import annotations

import pytest

from crawler.pages import parse_question_page
from crawler.pages._common import first_int
from pipelines.normalise.records import page_records
from tests.contract import PAGES

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = "https://www.realself.com/question/" + GOLDEN


@pytest.mark.parametrize("text,want", [
    ("Doctor Answers 10", 10), ("Doctor Answers (1,234)", 1234), ("Doctor Answers", None), (None, None),
    ("Doctor Answers \u00b2", None), ("Doctor Answers \u00b210", 10), ("\u0661\u0662 answers", 12),
])
def test_first_int(text, want):
    assert first_int(text) == want


def test_superscript_count_heading_is_no_count():
    html = (PAGES / f"{GOLDEN}.legacy.html").read_text(encoding="utf-8")
    assert "Doctor Answers 10<" in html
    page = parse_question_page(URL, html.replace("Doctor Answers 10<", "Doctor Answers \u00b2<"))
    assert page.declared_answer_count is None
    assert len(page.answers) == 10
    assert page_records(page)[0]["answer_count"] is None
