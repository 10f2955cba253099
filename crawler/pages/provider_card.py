"""The provider-card (design-system era) family: Content-*, Byline-item, Media--providerCard."""
from __future__ import annotations

import json
import re

from lxml import etree

from crawler.sites.base import join_url
from pipelines.normalise.places import shows_region
from pipelines.normalise.votes import UNREAD

from .errors import MarkupError, UnknownLayout
from .items import Answer, Byline, Question, json_scalar
from .markup import date_line, text_of, text_outside, words_outside
from .page import ElementPage, QuestionPageObject, missing
from .counts import declared_count
from .parts import inside, own, shown_ones, single


_ANSWER_PARTS = ("Content-title", "Content-byline", "Content-bodyText", "Media--providerCard")
_CARD_PARTS = ("BodyText--secondary", "Rating-count")
_VOTE_BUTTON = "HelpfulButton"  # the vote widget's button: "Helpful", no field's text


class ProviderCardPage(QuestionPageObject):
    name = "provider-card"
    class_tokens = ("Content--answer", "RelatedContent", *_ANSWER_PARTS, *_CARD_PARTS, _VOTE_BUTTON)

    @classmethod
    def recognise(cls, tree) -> bool:
        return any(m.get("property") == "rs:content-id" for m in tree.tagged("meta")) \
            or bool(tree.classed("Content--answer"))

    def question(self) -> Question:
        h1s = self.tree.tagged("h1")
        if not h1s:
            raise UnknownLayout(self.tree.url, "provider-card page without a question title")
        # The question's byline list and body: those outside the answers (and not aside: a
        # teaser's), wherever they are wrapped
        answers = set(self.tree.classed("Content--answer"))
        bylines, bodies = ([el for el in self.tree.classed(key) if not inside(el, answers) and not self.tree.aside(el)]
                           for key in ("Content-byline", "Content-bodyText"))
        if len(bylines) > 1 or len(bodies) > 1:  # another question's teaser, dated: which is the page's is a guess
            raise MarkupError(f"{len(bylines)} question bylines and {len(bodies)} question bodies outside the answers")
        byline, body = next(iter(bylines), None), next(iter(bodies), None)
        return ProviderCardQuestion(_heading(h1s, byline if byline is not None else body), byline, body,
                                    self.tree).to_item()

    def answers(self) -> list[Answer]:
        answers, cards = self.tree.classed("Content--answer"), self.tree.classed("Media--providerCard")
        card_parts = dict(zip(cards, self.tree.parts(cards, _CARD_PARTS)))
        answer_parts = self.tree.parts(answers, _ANSWER_PARTS, content=("Content-bodyText",))
        self.tree.apart(answers, (p.get("Content-bodyText") for p in answer_parts), "answer")
        buttons = _held(self.tree.classed(_VOTE_BUTTON), answers)
        return [ProviderCardAnswer(a, parts, card_parts, self.tree, buttons.get(a, ())).to_item()
                for a, parts in zip(answers, answer_parts)]

    def declared_answer_count(self) -> int | None:
        # spaced or cased as it may be; not a menu's or a sidebar's heading ("Popular Doctor Answers")
        texts = (text_of(h) or "" for h in self.tree.tagged("h2") if not self.tree.aside(h))
        return declared_count(next((t for t in texts if "doctor answers" in " ".join(t.split()).casefold()), None))

    def related_urls(self) -> list[str]:
        return self.tree.question_links(
            a.get("href") or "" for box in self.tree.classed("RelatedContent") for a in box.iter("a"))


def _held(elements: list, holders: list) -> dict:
    """holder -> the elements inside it (one inside a nested holder is the outer one's too), in
    one walk up from each element: asked per holder, a page of thousands of answers was quadratic."""
    at, held = set(holders), {}
    for el in elements:
        for up in el.iterancestors():
            if up in at:
                held.setdefault(up, []).append(el)
    return held


def _heading(h1s: list, part):
    """The <h1> that heads the question's part: the one nearest it in the tree (their common
    ancestor deepest), not a logo's or a banner's <h1> elsewhere in the page."""
    if part is None or len(h1s) == 1:
        return h1s[0]
    depth = {up: i for i, up in enumerate(reversed([part, *part.iterancestors()]))}  # the root is 0

    def shared(h1) -> int:
        return next((depth[up] for up in (h1, *h1.iterancestors()) if up in depth), -1)

    return max(h1s, key=shared)  # the first of the nearest


def _first(el, tag: str):
    return next(el.iter(tag), None)


def _content_byline(ul, tree) -> tuple:
    """(date element, location element, topic link) of a Content-byline list: a time, a topic
    link (_topic_item; it may hold the time), a place that shows its region
    (places.shows_region: "Phoenix, AZ", linked or not). An item that shows a date alone is
    the date where no <time> holds one (a redesign may drop the <time>), never the location;
    any other item ("1,234 views", "Asked by jane84", which a redesign may add) is none of
    them: in a list that does not label its items, a place is told by its shape. Two places leave which is the asker's to a guess: a
    MarkupError. An item is judged by its own text, outside the <time> and the items nested
    in it (the time inside the location's item, the location's item inside the <time>)."""
    items = [li for li in ul.iter() if isinstance(li.tag, str) and li is not ul
             and (li.getparent() is ul or li.tag == "li")]  # an item nested in another is one too
    topic = _topic_item(items, tree)
    time_el = _first(ul, "time")
    dated = None
    places = []
    for li in items:
        if li is topic:
            continue
        times = list(li.iter("time"))
        if not times and date_line(li) is not None:
            dated = dated if dated is not None else li
        elif shows_region(text_outside(li, [*times, *(other for other in items if inside(other, {li}))])):
            places.append(li)
    places = shown_ones(places)  # a hidden copy of the location (another screen's) is no rival
    if len(places) > 1:
        raise MarkupError(f"question byline with {len(places)} items that could be its location: "
                          f"{[text_of(li) for li in places][:3]}")
    return time_el if time_el is not None else dated, next(iter(places), None), \
        _first(topic, "a") if topic is not None else None


def _topic_item(items: list, tree):
    """The byline item that links the question's topic: the one whose link names a topic of
    the site by its rule (Site.is_topic_link: `/botox`, not an asker's `/user/jane84` nor a
    place's `/find/phoenix-az`). None where no link does: a topic page of a form the rule does
    not know is no topic (null, which field coverage holds against the other families), never
    the one link there is, which may be an asker's. Several leave which is the topic to a guess:
    a MarkupError. A date linked to a topic page shows no topic: the link's text beside its
    <time> is the topic's."""
    named = [li for li in items if (a := _first(li, "a")) is not None and _names_topic(a.get("href"), tree)
             and text_outside(a, a.iter("time"))]
    named = [li for li in named if not any(inside(other, {li}) for other in named)]  # an item's, not one holding it
    if len(named) > 1:
        raise MarkupError(f"question byline with {len(named)} links that could be its topic: "
                          f"{[text_of(li) for li in named][:3]}")
    return next(iter(named), None)


def _names_topic(href: str | None, tree) -> bool:
    if not href or not href.strip():
        return False
    try:
        url = join_url(tree.url, tree.link(href).strip())
    except ValueError:  # not a URL: no topic's
        return False
    return tree.site.is_own_url(url, tree.url) and tree.site.is_topic_link(url)


def _date_of(byline):
    """An answer byline's date element: its <time>, else (a redesign may drop the <time>) the
    first element in it that shows a date alone."""
    time_el = next(byline.iter("time"), None)
    return time_el if time_el is not None else next((el for el in byline.iter() if date_line(el)), None)


def _answer_date(answer, parts: dict, tree):
    """An answer's date element: its byline's (_date_of), else (its byline's <time> moved into
    its title, its body, its card) a <time> of the answer's own, not another answer's in it,
    found as legacy finds its date part: outside its body, else in it (parts.single: two that
    differ are a guess; parts.own: one in a block of content of its own is a reply's)."""
    byline = parts.get("Content-byline")
    found = _date_of(byline) if byline is not None else None
    if found is not None:
        return found
    others = set(tree.classed("Content--answer")) - {answer}
    times = _outside_body_first((t for t in answer.iter("time") if not inside(t, others)),
                                parts.get("Content-bodyText"))
    if not times:
        return None
    found = single(times, "answer dates")
    own(found, answer, {*parts.values(), found}, "answer date")
    return found


def _outside_body_first(elements, body) -> list:
    """The elements outside an answer's body, else (none outside) those in it: a part is
    the answer's where the answer puts it; in its body, only when it is nowhere else."""
    elements = list(elements)
    outside = [el for el in elements if body is None or not inside(el, {body})]
    return outside or elements


class ProviderCardQuestion(ElementPage):
    """The question: its <h1>, its byline list (a time, a topic link, a location) and its body."""
    item = Question

    def __init__(self, h1, byline, body, tree):
        self.h1, self.body_el, self.tree = h1, body, tree
        self.time = self.location = topic = None
        if byline is not None:
            self.time, self.location, topic = _content_byline(byline, tree)
        super().__init__(h1, {}, (h1, body, self.time, self.location, topic))
        self.topic_text = self._line(topic)

    def question_id(self) -> str:
        return (self.tree.meta("rs:content-id") or "").strip()

    def title(self):
        return self._paragraphs(self.h1)

    def body(self):
        return self._paragraphs(self.body_el)

    def topic(self) -> str | None:
        """The topic the page shows (its byline's link), by the name its <head> gives it when
        it has one. A topic only the <head> names is none shown: a "This question has been
        removed" page keeps the question's <head> and shows no question (extraction.no_question)."""
        if not self.topic_text:
            return None
        meta = self.tree.meta("rs:topic-name")
        return meta if meta and meta.strip() else self.topic_text

    def date_text(self) -> str | None:
        return self._line(self.time)

    def date_time(self) -> str | None:
        return self.time.get("datetime") if self.time is not None else None

    def asker_location(self) -> str | None:
        return self._line(self.location)


class ProviderCardAnswer(ElementPage):
    """An answer: its title, byline (a list holding its time), body, provider card, and
    its like count in the rs-static-data JSON of a child."""
    item = Answer

    def __init__(self, el, parts: dict, card_parts: dict, tree, buttons=()):
        self.card_parts, self.tree = card_parts, tree
        self.time = _answer_date(el, parts, tree)
        widget, self.vote_data = self._vote_data(el, parts)
        # the vote widget and its "Helpful" buttons, wherever they sit, show no field's text
        super().__init__(el, parts, (self.time, widget, *buttons))

    def answer_id(self) -> str:
        return self._id_after("answer-")

    def title(self):
        return self._paragraphs(self._shown("Content-title", "title"))

    def body(self):
        return self._paragraphs(self._shown("Content-bodyText", "body"))

    @staticmethod
    def _vote_data(answer, parts: dict) -> tuple:
        """(the vote widget's element, (vote, vote kind)): likeCount of the rs-static-data JSON
        object in the answer holding one (a share widget's data may come first; the widget may
        be wrapped), outside its body, else (none outside: its widget moved into the body, as
        legacy reads its vote there) in it. Two that differ, or one in a block of content of its own (a comment's like
        widget), leave which is the answer's to a guess: a MarkupError (parts.single, parts.own). Where none
        holds one, data that does not read as JSON ("{likeCount: 3}") may hold the vote: its
        text, of the kind UNREAD (a vote shown but not read, counted, never a number guessed
        from it); else data that reads and holds no likeCount (a key renamed) gives an UNREAD
        vote too. No vote data at all is a vote widget of a new shape (every answer has a
        vote): a MarkupError."""
        unread, votes = None, []
        for el in _outside_body_first(_STATIC_DATA(answer), parts.get("Content-bodyText")):
            try:
                data = json.loads(el.get("rs-static-data"))
            except ValueError:
                unread = unread if unread is not None else el
                continue
            if isinstance(data, dict) and "likeCount" in data:
                votes.append(el)
            else:
                unread = unread if unread is not None else el
        if votes:
            el = single(votes, "vote data (likeCount)")
            own(el, answer, {*parts.values(), *votes}, "vote data (likeCount)")
            return el, (json_scalar(json.loads(el.get("rs-static-data"))["likeCount"]), "count")
        if unread is None:
            raise missing("vote")
        return unread, (unread.get("rs-static-data"), UNREAD)

    def vote(self):
        return self.vote_data[0]

    def vote_kind(self) -> str:
        return self.vote_data[1]

    def date_text(self) -> str | None:
        if self.time is None:
            raise missing("date")
        return self._line(self.time)

    def date_time(self) -> str | None:
        return self.time.get("datetime") if self.time is not None else None

    def byline(self) -> Byline | None:
        card = self.parts.get("Media--providerCard")
        if card is None:
            self.tree.no_byline(self.el, self.parts.get("Content-bodyText"))
            return None
        return ProviderCardByline(card, self.card_parts.get(card, {}), self.tree, self.read).to_item()


_STARS = re.compile(r"\s*(?:rated\s+)?[-\u2212]?\d+(?:[.,]\d+)?\s*(?:out\s+of|of|/)\s*5(?:\s+stars?)?\s*", re.I)
_STATIC_DATA = etree.XPath("descendant::*[@rs-static-data]")
_ARIA_LABELLED = etree.XPath("descendant-or-self::*[@aria-label][not(self::a or self::meta)]")
_ITEMPROPS = etree.XPath("descendant::*[@itemprop]")
_ITEMS = etree.XPath("descendant::*[@itemscope]")


def _item_of(el, card):
    """The microdata item `el` is part of: its nearest ancestor with itemscope, up to `card`."""
    up = el.getparent()
    while up is not card and up.get("itemscope") is None:
        up = up.getparent()
    return up


def _scope(el, card):
    """The item an element speaks for: itself when it is one (or the card), else its item."""
    return el if el is card or el.get("itemscope") is not None else _item_of(el, card)


def _own_props(item) -> dict[str, list]:
    """itemprop -> the elements that are properties of this microdata item, in page order;
    not those of an item nested in it (a review's rating, a practice's name)."""
    props: dict[str, list] = {}
    for el in _ITEMPROPS(item):
        if _item_of(el, item) is item:
            for name in el.get("itemprop").split():
                props.setdefault(name, []).append(el)
    return props


# schema.org types of an item that is a person: Person and its medical kinds (schema.org files
# a doctor under Physician, IndividualPhysician, Dentist...), not a practice's or a review's
_PERSON_TYPES = frozenset(("Person", "Patient", "Physician", "IndividualPhysician", "Dentist", "Optician"))


def _doctor_item(card, profiles: list):
    """The microdata item that is the card's doctor, among the card's top-level items (the
    card and items in it that are no item's property: without itemprop; a practice it works
    for, its rating, a review's author are properties): the innermost that hold the doctor's
    profile links `profiles` (an avatar's link may sit in the card's item, the name's in an
    inner one), else those of a person's type that name someone, else those of a person's
    type, else those that name someone (the itemscope may sit on an inner block); else the
    card. Two of the kind found leave whose name is the doctor's to a guess: a MarkupError
    (parts.single)."""
    top = [item for item in [card, *_ITEMS(card)] if item.get("itemscope") is not None and item.get("itemprop") is None]
    linked = [item for item in top if any(a is item or inside(a, {item}) for a in profiles)]
    linked = [item for item in linked if not any(inside(other, {item}) for other in linked)]
    people = [item for item in top if _PERSON_TYPES & _types(item)]
    named = [item for item in top if "name" in _own_props(item)]
    found = linked or [item for item in people if item in named] or people or named
    return single(found, "doctor's microdata items in a provider card") if found else card


def _not_a_person(card, doctor) -> list:
    """The items in a card, but the doctor's, whose type says they are no person (a practice,
    a rating): their text is theirs, never a doctor's name in markup of a new shape."""
    return [item for item in _ITEMS(card)
            if item is not doctor and item.get("itemtype") and not _PERSON_TYPES & _types(item)]


def _types(item) -> set[str]:
    """The names of an item's itemtype URLs ("http://schema.org/Physician" -> "Physician")."""
    return {url.rstrip("/").rsplit("/", 1)[-1] for url in (item.get("itemtype") or "").split()}


class ProviderCardByline(ElementPage):
    """The provider card: a profile link, the name (its item's itemprop=name), a secondary
    line (the title line), and the rating as its aggregateRating's microdata, else as its
    aria-label and count text."""
    item = Byline

    def __init__(self, card, parts: dict, tree, answer_parts=()):
        self.tree = tree  # its site's rule says which links are profiles
        self.links = list(card.iter("a"))
        profiles = [a for a in self.links if tree.site.profile_slug(tree.link(a.get("href")), tree.url)]
        doctor = _doctor_item(card, profiles)
        self.props = _own_props(doctor)
        aggregate = next(iter(self.props.get("aggregateRating", ())), None)
        if aggregate is None:  # a rating block of its own type, not named a property
            aggregate = next((el for el in _ITEMS(card) if "AggregateRating" in (el.get("itemtype") or "")), None)
        self.rating_props = _own_props(aggregate) if aggregate is not None else {}
        self.rating_items = (card, doctor, aggregate)
        # what it shows beside a name: its title line, its rating, its answer's parts (a date)
        super().__init__(card, parts, [aggregate, *_not_a_person(card, doctor), *answer_parts])

    def _meta(self, name: str) -> str | None:
        """The content of the last <meta itemprop=name> of the card's aggregateRating, else of the card."""
        for props in (self.rating_props, self.props):
            metas = [m for m in props.get(name, ()) if m.tag == "meta"]
            if metas:
                return metas[-1].get("content")
        return None

    def name(self) -> str | None:
        """Its item's name as shown: the text of its itemprop=name element (a link, a span, a
        heading), else a <meta>'s content. A card may show none (its avatar link, title line
        and rating alone); text beside those is a name in markup of a new shape (a link
        without its itemprop), never a doctor left nameless without a word."""
        names = self.props.get("name", ())
        if not names and text_outside(self.el, self.read):
            raise missing("doctor's name")
        shown = [el for el in names if el.tag != "meta"]
        if shown:
            return self._line(shown[-1])
        return next((m.get("content") for m in reversed(names) if m.get("content")), None)

    def profile_href(self) -> str | None:
        return self.tree.site.profile_link((self.tree.link(a.get("href")) for a in self.links), self.tree.url)

    def title_line(self) -> str | None:
        return self._text("BodyText--secondary")

    def rating(self) -> str | None:
        """The microdata's ratingValue on its scale ("9.6 out of 10" where bestRating is 10: a
        rating on another scale, not read as one of 1-5), else the stars' label."""
        rating, best = self._meta("ratingValue"), self._meta("bestRating")
        if rating is not None:
            return f"{rating} out of {best}" if rating.strip() and best and best.strip() else rating
        return self._stars_label()

    def _stars_label(self) -> str | None:
        """The stars' label, of the card or its rating (not a nested review's), and a label that
        is a rating whole: a badge's ("5-star service award", "1 of 5 featured doctors") is not."""
        labels = (el.get("aria-label") for el in _ARIA_LABELLED(self.el) if _scope(el, self.el) in self.rating_items)
        return next((label for label in labels if _STARS.fullmatch(label)), None)

    def review_count(self) -> str | None:
        reviews = self._meta("reviewCount")
        return reviews if reviews is not None else self._text("Rating-count")

    def shown(self) -> tuple:
        """The rating a reader sees, its stars' label and count, where the microdata is read:
        a deploy that leaves one stale is counted, not kept in silence."""
        shown = (("rating", self._stars_label()), ("review_count", self._text("Rating-count")))
        return tuple((field, value) for field, value in shown if value is not None)

    def text_not_read(self) -> str | None:
        return words_outside(self.el, [*self.read, *self.props.get("name", ())])
