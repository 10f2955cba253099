"""Page objects: a family of one's own is one class and its registration; raw items hold
plain values only, so they pickle across processes; an item field without its method is an
error when the class is made."""
from __future__ import annotations

import pickle
from dataclasses import dataclass, fields, is_dataclass

import pytest

import crawler.pages
from crawler.extract import extract_paths
from crawler.pages import (ElementPage, ItemPage, QuestionPageObject, TruncatedPage, UnknownLayout, parse_question_page,
                           register, unregister)
from crawler.pages.items import Answer, Question
from crawler.pages.markup import paragraphs, text_of
from crawler.pages.counts import declared_count
from tests.contract import PAGES

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = "http://127.0.0.1/question/a-question-in-new-markup"
NEW_MARKUP = """<!DOCTYPE html><html><head><title>Q</title></head><body>
<main class="qa" data-qid="77"><h1 class="qa-title">Is  this   new?</h1><div class="qa-text"><p>Body one.</p><p>Two</p></div>
<h2 class="qa-count">2 answers</h2>
<section class="qa-answer" data-aid="1"><h3 class="qa-answer-title">Yes</h3><div class="qa-answer-text">It is.<br><br>Really.</div>
  <img class="qa-photo" src="/p.jpg"><span class="qa-votes">+4</span><a class="qa-doctor" href="/dr/ann-lee-boston-ma">Ann Lee, MD</a></section>
<section class="qa-answer" data-aid="2"><h3 class="qa-answer-title">No</h3><div class="qa-answer-text">It is not.</div></section>
</main></body></html>"""


@dataclass(slots=True, kw_only=True)
class PhotoAnswer(Answer):
    has_photo: bool = False  # a field of this test's own: it passes through to the records


class NewAnswer(ElementPage):
    item = PhotoAnswer

    def answer_id(self):
        return self.el.get("data-aid") or ""

    def title(self):
        return paragraphs(self.parts.get("qa-answer-title"))

    def body(self):
        return paragraphs(self.parts.get("qa-answer-text"))

    def vote(self):
        return self._text("qa-votes")

    def vote_kind(self):
        return "count"

    def date_text(self):
        return None

    def date_time(self):
        return None

    def byline(self):
        return None

    def has_photo(self):
        return "qa-photo" in self.parts


class NewPage(QuestionPageObject):
    name = "test-new-markup"
    class_tokens = ("qa", "qa-title", "qa-text", "qa-count", "qa-answer", "qa-answer-title",
                    "qa-answer-text", "qa-votes", "qa-photo")

    @classmethod
    def recognise(cls, tree):
        return bool(tree.classed("qa-answer"))

    def question(self):
        q = self.tree.first("qa")
        return Question(question_id=q.get("data-qid"), title=paragraphs(self.tree.first("qa-title")),
                        body=paragraphs(self.tree.first("qa-text")))

    def answers(self):
        answers = self.tree.classed("qa-answer")
        keys = ("qa-answer-title", "qa-answer-text", "qa-votes", "qa-photo")
        return [NewAnswer(a, p).to_item() for a, p in zip(answers, self.tree.parts(answers, keys))]

    def declared_answer_count(self):
        return declared_count(text_of(self.tree.first("qa-count")))

    def related_urls(self):
        return []


@pytest.fixture
def new_family():
    register(NewPage)
    yield NewPage
    unregister(NewPage.name)


def test_an_unknown_markup_is_no_page_until_its_family_is_registered(new_family):
    unregister(NewPage.name)
    with pytest.raises(UnknownLayout):
        parse_question_page(URL, NEW_MARKUP)
    register(NewPage)
    assert crawler.pages.families()[0] == "test-new-markup"  # tried first: it knows its pages
    page = parse_question_page(URL, NEW_MARKUP)
    assert page.family == "test-new-markup" and len(page.answers) == 2


def test_saved_pages_re_extracted_with_a_registered_family(new_family, tmp_path):
    """What `doctor-answers extract` prints for archived pages once their family is known."""
    import io
    import json

    (tmp_path / "q.html").write_text(NEW_MARKUP, encoding="utf-8")
    out, err = io.BytesIO(), io.StringIO()
    assert extract_paths([tmp_path], url=URL, out=out, err=err) == 0, err.getvalue()
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    question, first, second = records
    assert question["title"] == "Is this new?" and question["body"] == "Body one.\n\nTwo"
    assert question["answer_count"] == 2
    assert (first["title"], first["body"], first["vote_count"], first["has_photo"]) == ("Yes", "It is.\n\nReally.", 4, True)
    assert (second["answer_id"], second["position"], second["has_photo"]) == ("2", 2, False)



class FragilePage(NewPage):
    """A page object with a bug some value shows (int() of whatever the page holds)."""
    name = "test-fragile"

    def declared_answer_count(self):
        return int(text_of(self.tree.first("qa-count")))


def test_a_page_the_code_cannot_read_is_a_bad_page_not_a_dead_crawl():
    """Whatever a page object or a normaliser raises on a page is that page's PageError with
    the reason, for every path that runs extract_page (a crawl with or without workers,
    `extract`, `reparse`): counted as malformed, never a spider error or a traceback."""
    from crawler.extraction import extract_page
    from crawler.pages import PageError

    register(FragilePage)
    try:
        with pytest.raises(PageError, match=r"unreadable by the extraction code \(ValueError: invalid literal"):
            extract_page(URL, NEW_MARKUP.encode())
    finally:
        unregister(FragilePage.name)


def test_a_redesign_that_is_still_a_nextjs_page_is_read_by_the_family_registered_for_it(new_family):
    """The next deploy keeps a __NEXT_DATA__ of another shape: no question for the built-in
    nextjs family (an unknown layout, not a page cut off), the page of the family registered
    for it."""
    redesign = NEW_MARKUP.replace("</body>", '<script id="__NEXT_DATA__" type="application/json">'
                                              '{"props": {"pageProps": {"thread": {"id": 77}}}}</script></body>')
    assert parse_question_page(URL, redesign).family == "test-new-markup"
    unregister(NewPage.name)
    with pytest.raises(UnknownLayout, match="holds no question"):
        parse_question_page(URL, redesign)
    # Next.js's own stand-ins (a page still being built, an error page) are tried again later
    for stand_in in ('{"props": {"pageProps": {}}, "isFallback": true}', '{"props": {"pageProps": {}}, "page": "/_error"}'):
        page = NEW_MARKUP.replace("</body>", f'<script id="__NEXT_DATA__" type="application/json">{stand_in}</script></body>')
        with pytest.raises(TruncatedPage, match="fallback or error page"):
            parse_question_page(URL, page)


def test_a_field_of_its_own_on_a_question_an_answer_or_a_byline_reaches_its_record():
    """A field added to a raw item passes through the normalisers to its record as the page
    object returns it, its text cleaned: no normaliser edit, whichever record it belongs to."""
    from crawler.pages.items import Byline, QuestionPage
    from pipelines.normalise.records import page_records

    @dataclass(slots=True, kw_only=True)
    class ViewedQuestion(Question):
        view_count: int | None = None
        tags: list | None = None

    @dataclass(slots=True, kw_only=True)
    class PhotoByline(Byline):
        photo_url: str | None = None

    byline = PhotoByline(name="Ann Lee, MD", profile_href="/dr/ann-lee-boston-ma", photo_url="http://h/ann.jpg")
    question = ViewedQuestion(question_id="77", view_count=12, tags=["\n   Cost\u00a0 ", " ", "Recovery"])
    page = QuestionPage(family="x", url=URL, fetched_url=URL, question=question,
                        answers=[PhotoAnswer(answer_id="1", byline=byline, has_photo=True)])
    question, answer, doctor = page_records(page)
    assert (question["view_count"], answer["has_photo"], doctor["photo_url"]) == (12, True, "http://h/ann.jpg")
    assert question["tags"] == ["Cost", None, "Recovery"]  # text as printed, cleaned by the one cleaner
    assert doctor["credentials"] == ["MD"] and doctor["doctor_id"] == "ann-lee-boston-ma"

def test_the_built_in_families_still_read_their_pages_beside_a_new_one(new_family):
    for family in ("legacy", "provider-card", "nextjs"):
        page = parse_question_page(URL, (PAGES / f"{GOLDEN}.{family}.html").read_bytes())
        assert page.family == family


def test_an_item_field_without_its_method_is_an_error_at_once():
    with pytest.raises(TypeError, match="has no method for"):
        class Incomplete(ItemPage):
            item = Answer

            def answer_id(self):
                return "1"


def _plain(value) -> bool:
    if is_dataclass(value):
        return all(_plain(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, (list, tuple)):  # a legacy vote: (its ng-init, its template)
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float))


@pytest.mark.parametrize("family", ["legacy", "provider-card", "nextjs"])
def test_raw_items_hold_plain_values_and_pickle(family):
    page = parse_question_page(URL, (PAGES / f"{GOLDEN}.{family}.html").read_bytes())
    assert _plain(page)
    assert pickle.loads(pickle.dumps(page)) == page
