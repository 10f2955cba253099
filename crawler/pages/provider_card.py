"""The provider-card (design-system era) family: Content-*, Byline-item, Media--providerCard."""
from __future__ import annotations

import json

from .errors import UnknownLayout
from .items import Answer, Byline, Question
from .markup import paragraphs
from .page import ItemPage, QuestionPageObject
from .tree import all_text, first_int, text_of


class ProviderCardPage(QuestionPageObject):
    name = "provider-card"
    class_tokens = ("Content--answer", "RelatedContent")

    @classmethod
    def recognise(cls, tree) -> bool:
        return any(m.get("property") == "rs:content-id" for m in tree.tagged("meta")) \
            or bool(tree.classed("Content--answer"))

    def question(self) -> Question:
        h1s = self.tree.tagged("h1")
        if not h1s:
            raise UnknownLayout(self.tree.url, "provider-card page without a question title")
        return ProviderCardQuestion(h1s[0], self.tree).to_item()

    def answers(self) -> list[Answer]:
        return [ProviderCardAnswer(a).to_item() for a in self.tree.classed("Content--answer")]

    def declared_answer_count(self) -> int | None:
        texts = (all_text(h) for h in self.tree.tagged("h2"))
        return first_int(next((t for t in texts if "Doctor Answers" in t), None))

    def related_urls(self) -> list[str]:
        return self.tree.question_links(
            a.get("href") or "" for box in self.tree.classed("RelatedContent") for a in box.iter("a"))


def _tokens(el) -> list[str]:
    return (el.get("class") or "").split() if isinstance(el.tag, str) else []


def _first(el, tag: str):
    return next(el.iter(tag), None)


def _content_byline(ul) -> tuple:
    """(time element, location text, topic text) of a Content-byline list: a time, a topic
    link, the rest the asker's location."""
    time_el = location = topic = None
    for li in ul:
        if not isinstance(li.tag, str):
            continue
        t, a = _first(li, "time"), _first(li, "a")
        if t is not None:
            time_el = time_el if time_el is not None else t
        elif a is not None:
            topic = topic or text_of(a)
        else:
            location = location or text_of(li)
    return time_el, location, topic


class ProviderCardQuestion(ItemPage):
    """The question: its <h1>, then the parts that follow it up to the answers' heading."""
    item = Question

    def __init__(self, h1, tree):
        self.h1, self.tree = h1, tree
        self.time = self.location = self.topic_text = self.body_el = None
        for sib in h1.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            if sib.tag == "h2" or sib.get("id") == "answer-list":
                break
            toks = _tokens(sib)
            if "Content-byline" in toks and self.time is None:
                self.time, self.location, self.topic_text = _content_byline(sib)
            elif "Content-bodyText" in toks and self.body_el is None:
                self.body_el = sib

    def question_id(self) -> str:
        return (self.tree.meta("rs:content-id") or "").strip()

    def title(self):
        return paragraphs(self.h1)

    def body(self):
        return paragraphs(self.body_el)

    def topic(self) -> str | None:
        meta = self.tree.meta("rs:topic-name")
        return meta if meta and meta.strip() else self.topic_text

    def date_text(self) -> str | None:
        return text_of(self.time)

    def date_time(self) -> str | None:
        return self.time.get("datetime") if self.time is not None else None

    def asker_location(self) -> str | None:
        return self.location


# An answer's children by the first of these class tokens they hold.
_KINDS = ("Content-title", "Content-byline", "Content-bodyText", "Media--providerCard")


class ProviderCardAnswer(ItemPage):
    item = Answer

    def __init__(self, el):
        self.el = el
        self.kids: dict = {}  # kind -> its last child; "static" -> the last rs-static-data child
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            kind = next((k for k in _KINDS if k in _tokens(ch)), None)
            if kind in _KINDS[:3]:
                self.kids[kind] = ch
            elif ch.get("rs-static-data") is not None:
                self.kids["static"] = ch
            elif kind:
                self.kids[kind] = ch
        by = self.kids.get("Content-byline")
        self.time = _content_byline(by)[0] if by is not None else None

    def answer_id(self) -> str:
        return (self.el.get("id") or "").removeprefix("answer-").strip()

    def title(self):
        return paragraphs(self.kids.get("Content-title"))

    def body(self):
        return paragraphs(self.kids.get("Content-bodyText"))

    def vote(self):
        """likeCount of the rs-static-data JSON object (None if not an object or not JSON)."""
        static = self.kids.get("static")
        try:
            data = json.loads(static.get("rs-static-data")) if static is not None else None
        except ValueError:
            return None
        return _plain(data.get("likeCount")) if isinstance(data, dict) else None

    def vote_kind(self) -> str:
        return "count"

    def date_text(self) -> str | None:
        return text_of(self.time)

    def date_time(self) -> str | None:
        return self.time.get("datetime") if self.time is not None else None

    def byline(self) -> Byline | None:
        card = self.kids.get("Media--providerCard")
        return ProviderCardByline(card).to_item() if card is not None else None


def _plain(value):
    """A JSON value as a plain value: str and numbers as they are, anything else as its text."""
    return value if value is None or isinstance(value, (str, int, float)) else str(value)


class ProviderCardByline(ItemPage):
    """The provider card: a profile link, the name (itemprop=name), a secondary line (the
    title line), and the rating as microdata, else as its aria-label and count text."""
    item = Byline

    def __init__(self, card):
        self.el = card
        self.found: dict = {}
        for d in card.iter():
            if isinstance(d.tag, str):
                self._see(d)

    def _see(self, d) -> None:
        found, tag, toks = self.found, d.tag, _tokens(d)
        if tag == "a":
            if d.get("itemprop") == "name":
                found["name"] = d  # the last one, as printed
            if "/dr/" in (d.get("href") or ""):
                found.setdefault("href", d.get("href"))
        elif tag == "meta":
            if d.get("itemprop") in ("ratingValue", "reviewCount"):
                found[d.get("itemprop")] = d.get("content")
        elif "BodyText--secondary" in toks:
            found.setdefault("title", d)
        elif d.get("aria-label"):
            found.setdefault("aria", d.get("aria-label"))
        elif "Rating-count" in toks:
            found["count"] = d

    def name(self) -> str | None:
        return text_of(self.found.get("name"))

    def profile_href(self) -> str | None:
        return self.found.get("href")

    def title_line(self) -> str | None:
        return text_of(self.found.get("title"))

    def rating(self) -> str | None:
        rating = self.found.get("ratingValue")
        return rating if rating is not None else self.found.get("aria")

    def review_count(self) -> str | None:
        reviews = self.found.get("reviewCount")
        return reviews if reviews is not None else text_of(self.found.get("count"))
