"""The nextjs (current) family: CSS-module class names with per-deploy hash suffixes.

Data comes from `<script id="__NEXT_DATA__">` (ids, topic, bodies as `bodyHtml`, plain-text
titles, providers); the dates come from the markup, since the text the page shows decides.
Class names are matched by their prefix only (`answer-card_date__`), never whole.
"""
from __future__ import annotations

import json

from lxml import etree

from ._common import TagIndex, all_text, answer_elements, canonical_url, class_prefix, has_prefix, question_links
from .errors import TruncatedPage, UnknownLayout
from .items import QuestionPage, RawAnswer, RawByline, RawQuestion

_DATA = etree.XPath("//script[@id='__NEXT_DATA__'][1]")
_CARDS = etree.XPath(f"//*[{class_prefix('answer-card_card__')}]")
_SUBHEADER = etree.XPath(f"//*[{class_prefix('content-subheader_subHeader__')}][1]")
_RELATED = etree.XPath(
    f"//*[{class_prefix('related_root__')}]//a/@href | //a[{class_prefix('related_link__')}]/@href"
)
_HEADING = etree.XPath(f"string(//*[{class_prefix('answers-list_heading__')}][1])")


_DATE = "answer-card_date__"


def _shown_date(card) -> str | None:
    for d in card:
        c = d.get("class")  # a substring test first: most children are not the date
        if c and _DATE in c and has_prefix(d, _DATE):
            t = all_text(d)
            return t if t and t.strip() else None
    for d in card.iter():
        if has_prefix(d, _DATE):
            t = all_text(d)
            return t if t and t.strip() else None
    return None


def _question_date(root, h1s) -> str | None:
    subs = []
    for h in h1s:
        for sib in h.itersiblings():
            if has_prefix(sib, "content-subheader_subHeader__"):
                subs = [sib]
            break
        break
    if not subs:
        subs = _SUBHEADER(root)
    if not subs:
        return None
    for ch in subs[0]:
        if ch.tag in ("span", "time"):
            t = all_text(ch)
            if t and t.strip():
                return t
    return None


def _related(root, asides) -> list[str]:
    for aside in asides:
        if has_prefix(aside, "related_root__"):
            return [a.get("href") or "" for a in aside.iter("a")]
    return _RELATED(root)


def _str(value) -> str | None:
    """A JSON value where the page has text: a string as it is, a number as text, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _id(value) -> str:
    """A site id (a JSON number or string) as a string; '' for anything else (null, objects)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _byline(p) -> RawByline | None:
    if not isinstance(p, dict):
        return None
    href = p.get("profileUrl")
    if type(href) is not str:  # _str, inlined for the usual string
        href = _str(href)
    if not href and _str(p.get("slug")):
        href = "/dr/" + _str(p["slug"])
    r = p.get("rating")
    rating = reviews = None
    if isinstance(r, dict):
        rating = r.get("average")
        reviews = r.get("count")
    name = p.get("displayName")
    title = p.get("subtitle")
    return RawByline(  # positional: the per-answer hot path (field order of items.py)
        (name if type(name) is str else _str(name)) or None,  # name
        href,  # profile_href
        (title if type(title) is str else _str(title)) or None,  # title_line
        rating,  # rating
        reviews,  # review_count
    )


def parse(root, url: str, index: TagIndex | None = None) -> QuestionPage:
    if index is None:
        index = TagIndex(root)
    scripts = [s for s in index.script if s.get("id") == "__NEXT_DATA__"]
    if not scripts:
        raise UnknownLayout(url, "nextjs page without __NEXT_DATA__")
    raw = scripts[0].text or ""
    try:
        data = json.loads(raw)
        q = data["props"]["pageProps"]["question"]
        janswers = q.get("answers") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        raise TruncatedPage(url, "broken __NEXT_DATA__ JSON") from None
    if not isinstance(q, dict) or not isinstance(janswers, list) or not all(isinstance(a, dict) for a in janswers):
        raise TruncatedPage(url, "broken __NEXT_DATA__ JSON")
    canonical = canonical_url(root, url, index)
    proc = q.get("procedure")
    topic = _str(proc.get("name")) if isinstance(proc, dict) else _str(proc)
    question = RawQuestion(
        question_id=_id(q.get("id")),
        title=_str(q.get("title")),
        body=_str(q.get("bodyHtml")),
        topic=topic,
        date_text=_question_date(root, index.h1),
        date_time=_str(q.get("createdAt")),
        asker_location=_str(q.get("location")) or None,
    )
    cards = answer_elements(root, "answer-card_title__", "answer-card_card__", prefix=True, h3s=index.h3)
    if len(cards) != len(janswers):
        cards = _CARDS(root)
    shown = [_shown_date(c) for c in cards] if len(cards) == len(janswers) else [None] * len(janswers)
    answers = []
    for a, date_text in zip(janswers, shown):
        title, body, created = a.get("title"), a.get("bodyHtml"), a.get("createdAt")
        answers.append(RawAnswer(  # positional: the per-answer hot path (field order of items.py)
            _id(a.get("id")),  # answer_id
            # _str, inlined for the usual strings
            title if type(title) is str else _str(title),  # title
            body if type(body) is str else _str(body),  # body
            a.get("helpfulCount"),  # vote
            "count",  # vote_kind
            date_text,  # date_text
            created if type(created) is str else _str(created),  # date_time
            _byline(a.get("provider")),  # byline
        ))
    declared = q.get("answerCount")
    if not isinstance(declared, int):
        from ._common import first_int

        declared = first_int(_HEADING(root))
    return QuestionPage(
        family="nextjs",
        url=canonical,
        fetched_url=url,
        question=question,
        answers=answers,
        declared_answer_count=declared,
        related_urls=question_links(_related(root, index.aside), url),
    )
