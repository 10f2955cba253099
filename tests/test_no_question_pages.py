"""A page in a question's own template that shows no question: "This question has been
removed", an error page, with the question's id still in it. It shows none of a question's
topic, date and answers (a title and a line of text at most): a bad page, never a question
record, so the question's row in latest/ stays. One rule for every family
(crawler.extraction.no_question); a question that shows any one of them is read.
"""
from __future__ import annotations

import json
import zlib

import lxml.html
import pytest

from crawler.extraction import extract_page
from crawler.pages import BlockedPage, PageError, TruncatedPage, detect_family
from pipelines.loader import load
from tests.test_outcome import crawl_before_and_after, last_row
from tests.test_pages_samples import FAMILIES, URL, sample

SHOWN = ("body", "topic", "asked_on", "answers")
DECIDES = ("topic", "asked_on", "answers")  # what every question shows: a body alone does not
NO_QUESTION = "no question on the page: no topic, no date and no answer (a removed or error page in the question's template?)"


def _drop(elements) -> None:
    for el in list(elements):
        el.drop_tree()


def _classed(root, prefix: str):
    return root.xpath(f"//*[contains(concat(' ', @class), ' {prefix}')]")


def _legacy(root, gone: set[str]) -> None:
    for field, cls in (("body", "rs-question__body"), ("topic", "rs-question__topic"), ("asked_on", "rs-question__date")):
        if field in gone:
            _drop(root.find_class(cls))
    if "answers" in gone:
        _drop(root.find_class("rs-answer"))
        root.find_class("rs-answers__count")[0].text = "Doctor Answers 0"


def _provider_card(root, gone: set[str]) -> None:
    view = root.get_element_by_id("question-view")
    byline = view.find("ul")
    if "body" in gone:
        _drop(el for el in view if "Content-bodyText" in (el.get("class") or ""))
    if "topic" in gone:
        _drop(root.xpath("//meta[@property='rs:topic-name']"))
        _drop(li for li in byline if li.find("a") is not None)
    if "asked_on" in gone:
        _drop(li for li in byline if li.find("time") is not None)
    if "answers" in gone:
        _drop(root.find_class("Content--answer"))
        heading = next(h for h in root.iter("h2") if "Doctor Answers" in h.text_content())
        heading.find("span").text = "(0)"


def _nextjs(root, gone: set[str]) -> None:
    script = root.get_element_by_id("__NEXT_DATA__")
    data = json.loads(script.text)
    question = data["props"]["pageProps"]["question"]
    if "body" in gone:
        question["bodyHtml"] = ""
    # the data holds its keys, null where the page shows none (a key gone is a new shape)
    if "topic" in gone:
        question["procedure"] = None
    if "asked_on" in gone:
        question["createdAt"] = None
        _drop(_classed(root, "content-subheader_subHeader__"))
    if "answers" in gone:
        question.update(answers=[], answerCount=0)
        _drop(_classed(root, "answer-card_card__"))
        _classed(root, "answers-list_heading__")[0].text = "Doctor Answers 0"
    script.text = json.dumps(data)


EDITS = {"legacy": _legacy, "provider-card": _provider_card, "nextjs": _nextjs}


def showing(html: str, *keep: str) -> str:
    """A question page of any family with its question's body, topic, date and answers taken
    away, all but those in `keep`: its title and id, its chrome, stay."""
    root = lxml.html.document_fromstring(html)
    EDITS[detect_family(html)](root, set(SHOWN) - set(keep))
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_that_shows_only_a_title_is_a_bad_page_not_a_question(family):
    with pytest.raises(PageError) as e:
        extract_page(URL, showing(sample(family)).encode())
    assert not isinstance(e.value, (TruncatedPage, BlockedPage))  # nothing to retry or wait out
    assert e.value.reason == NO_QUESTION
    assert e.value.url == URL


@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_that_shows_a_title_and_a_line_of_text_is_a_bad_page_not_a_question(family):
    """"This question was removed by our moderators." where the question's text would be."""
    with pytest.raises(PageError) as e:
        extract_page(URL, showing(sample(family), "body").encode())
    assert e.value.reason == NO_QUESTION


@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_that_shows_not_even_a_title_is_a_bad_page(family):
    html = showing(sample(family)).replace("Knot and Redness After Botox Injection", "")
    with pytest.raises(PageError, match="no question on the page"):
        extract_page(URL, html.encode())


def test_next_data_holding_only_the_questions_id_is_a_bad_page():
    """The report's case: `{"id": ..., "answers": []}`, no title, no body."""
    data = {"props": {"pageProps": {"question": {"id": 1040712, "answers": []}}}, "page": "/question/[slug]"}
    html = ('<!DOCTYPE html><html><head><title>RealSelf</title></head><body><div id="__next"></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>')
    with pytest.raises(PageError, match="no question on the page"):
        extract_page(URL, html.encode())


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("keep", DECIDES)
def test_a_question_that_shows_any_one_of_them_is_read(family, keep):
    """A question not answered yet, or whose date or topic the page does not show, is one."""
    records = extract_page(URL, showing(sample(family), keep).encode()).records
    question, answers = records[0], [r for r in records if r["type"] == "answer"]
    assert question["title"] == "Knot and Redness After Botox Injection"
    assert len(answers) == (10 if keep == "answers" else 0)
    assert [f for f in SHOWN[:3] if question[f] is not None] == ([keep] if keep != "answers" else [])


# ---- a crawl ----------------------------------------------------------------------------------

def test_removed_questions_keep_their_rows_in_the_latest_view(reference_site, tmp_path):
    """Day 0 reads the site; on day 1 a tenth of its questions answer 200 with a page in their
    own family's template that shows only a title and a line of text. None of them is a question of day 1: they
    are counted as bad pages, named, and latest/ keeps each question's real row."""
    site, out = reference_site(questions=60), tmp_path / "data"
    removed: dict[str, str] = {}  # question id -> title it had

    def remove_some(body: bytes) -> bytes:
        if zlib.crc32(body) % 10:
            return body
        question = extract_page(URL, body).records[0]
        removed[question["question_id"]] = question["title"]
        return showing(body.decode(), "body").replace(question["title"], "This question has been removed").encode()

    result = crawl_before_and_after(site, remove_some, out)
    assert 3 <= len(removed) <= 15, len(removed)
    row = last_row(out)
    assert row["pages_malformed"] == len(removed) and row["questions"] == 60 - len(removed), result.stdout
    assert row["pages_failed"] == 0  # one page, one class: read and not understood, never given up too
    assert result.returncode == 4 and row["status"] == "degraded", result.stdout + result.stderr[-2000:]
    assert result.stderr.count(NO_QUESTION) == len(removed)
    latest = load("questions", out).set_index("question_id")["title"]
    assert len(latest) == 60
    assert {qid: latest[qid] for qid in removed} == removed


def removed_in_its_template(html: str, family: str) -> str:
    """The question's page as a moderator's removal leaves it: its <head> kept (the question's
    id, its topic's name in a meta), a body showing a heading and one line of notice."""
    head = html[:html.index("<body")]
    return head + ('<body><div id="question-view" class="Layout"><h1 class="Headline">This question has been '
                   'removed</h1><div class="Content-bodyText BodyText">This question was removed by the moderation '
                   'team because it violates our community guidelines.</div></div></body></html>')


def test_a_removed_page_that_keeps_the_questions_head_is_a_bad_page_not_the_question():
    """The provider-card <head> names the question's id and topic (rs:content-id,
    rs:topic-name): a topic named there only is no topic shown, the page shows no question."""
    html = removed_in_its_template(sample("provider-card"), "provider-card")
    assert 'property="rs:topic-name"' in html and detect_family(html) == "provider-card"
    with pytest.raises(PageError) as e:
        extract_page(URL, html.encode())
    assert e.value.reason == NO_QUESTION
