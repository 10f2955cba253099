"""The nextjs (current) family: CSS-module class names with per-deploy hash suffixes.

Data comes from `<script id="__NEXT_DATA__">` (ids, topic, bodies as `bodyHtml`, plain-text
titles, providers); the dates come from the markup, since the text the page shows decides.
Class names are matched by their prefix only (`answer-card_date__`), never whole.

The data is read by one rule per kind of value, so that a deploy renaming a key is loud:
- Every key the data holds for a question, an answer or a provider, null where the page shows
  none (a question's title, body, topic and location; an answer's title, body, vote and
  provider; a provider's name, profile link and title line), is read by `_held`: absent, the
  data is of a new shape and the page is refused (MarkupError), never read as "not shown".
- A value the cards print too (an answer's vote and body; a byline's profile link, title line
  and rating) that the data gives as null is printed and not read (`_given`: NOT_READ,
  counted), never "not shown".
- The rating, the one part a byline may lack (no rating line), is read by the second rule
  alone: its key or its object's keys (`average`, `count`) absent, or a rating of a new shape,
  are NOT_READ where the byline prints a rating, and none where it prints none.
"""
from __future__ import annotations

import json
from collections import Counter

from lxml import etree

from pipelines.normalise.dates import DISAGREES, read_date, shown_readings, shows_a_date
from pipelines.normalise.ratings import shows_rating, shows_review_count

from .errors import MarkupError, TruncatedPage, UnknownLayout
from .items import NOT_READ, Answer, Byline, Question, json_scalar
from .markup import date_line, html_paragraphs, plain_paragraphs, text_of, text_outside
from .parts import inside
from .page import ItemPage, QuestionPageObject, missing
from .counts import declared_count, declared_number
from .document import ends_document


def _str(value) -> str | None:
    """A JSON value where the page has text: a string as it is, a number as text, null as None.
    Anything else (an object, a list, a boolean: {"html": ...}) is text in data of a new shape,
    which no record field counts as not read: a MarkupError, never its null passed off as
    "not shown" nor its text guessed from a key."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise MarkupError(f"__NEXT_DATA__ {type(value).__name__} where the page has text: data of a new shape?")


def _held(data: dict, key: str, what: str, whose: str = "an answer"):
    """The value of a key the data holds wherever its part is (null where it is empty):
    absent, the data is of a new shape, and its null would pass for "not shown"."""
    if key not in data:
        raise missing(what, whose)
    return data[key]


def _id(value) -> str:
    """A site id (a JSON number or string) as a string; '' for anything else (null, objects)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


_DATE, _TITLE, _BODY, _VOTE = "answer-card_date__", "answer-card_title__", "answer-card_body__", "vote-button_count__"
_BYLINE_NAME, _BYLINE_TITLE = "provider-byline_name__", "provider-byline_title__"
_CARD_KEYS = (_TITLE, _BODY, _VOTE, _BYLINE_NAME, _BYLINE_TITLE)  # what a card is asked for


def _words(text: str | None) -> tuple | None:
    """A title as the words it shows, in any case, to tell which card shows which answer; None
    for none."""
    return tuple(text.casefold().split()) or None if text else None


def _own_title(shown: tuple | None, titles: set) -> tuple | None:
    """The one answer title (of `titles`) a card's title shows, whole or with words before or
    after it (a badge: "Top answer"); else the card's title as it is."""
    if shown is None or shown in titles or len(shown) > 64:  # (no title is that long: no search)
        return shown
    found = {part for i in range(1, len(shown)) for part in (shown[i:], shown[:-i]) if part in titles}
    return found.pop() if len(found) == 1 else shown


def _date_shown(cards: list) -> str | None:
    """The date an answer's cards show; None when no card shows it (its data's timestamp
    serves). Cards of one title that show two dates (a title two answers share) leave which is
    the answer's to a guess: a MarkupError, not the timestamp's date, which is UTC's and may be
    a day off the one shown."""
    dates = {card.date for card in cards}
    if len(dates) > 1:
        raise MarkupError("answer cards that cannot be told apart show different dates")
    return next(iter(dates), None)


def _date_in(elements) -> str | None:
    """The text of the first of `elements` that shows a date alone (markup.date_line): where
    a deploy renamed the date's class, the date a reader still sees, not the data's UTC one.
    None when none does; elements showing different dates leave which is the date to a guess:
    a MarkupError."""
    lines = [line for el in elements if (line := date_line(el)) is not None]
    if len({shown_readings(line) for line in lines}) > 1:
        raise MarkupError(f"dates shown without their class, more than one: {lines[:3]}")
    return next(iter(lines), None)


def _check_order(titles: list, wanted: list, once: set, dates: list, answers: list[dict]) -> None:
    """Cards paired with the data's answers in order are paired by their titles where those
    tell the answers apart; a card whose title does not (none read: a deploy renamed its
    class) is paired by order alone, which a page sorting its cards otherwise (by votes) makes
    wrong: its date must then be its answer's, its data's timestamp naming it (within a day),
    or which date is whose is a guess (a MarkupError)."""
    for title, want, date, answer in zip(titles, wanted, dates, answers):
        if want in once and title == want:
            continue
        if read_date(date, json_scalar(answer.get("createdAt")))[1] == DISAGREES:
            raise MarkupError("answer cards whose titles do not tell them apart, in another order than "
                              "the data's: a card's date is not its answer's")


class _Card:
    """An answer card: its element, its title and the date it shows. `fields`: the elements
    of the fields the cards show (their titles, dates, votes, bodies), each field's text read
    outside the others' (a vote inside the date's element is no part of the date)."""

    def __init__(self, el, parts: dict, fields: frozenset):
        self.el, self.fields = el, fields
        self.title = text_outside(parts.get(_TITLE), fields)
        # a card without its date class may show its date still, under another class
        self.date = text_outside(parts[_DATE], fields) if _DATE in parts else _date_in(el.iter())
        self.classed = _classed_in(el, _CARD_KEYS)
        # what the byline prints: its name, title line and rating, its vote and date; not the
        # answer's words that name a rating
        self.byline_text = text_outside(el, self.classed[_TITLE] + self.classed[_BODY]) or ""

    def vote(self) -> str | None:
        return next((t for el in self.classed[_VOTE] if (t := text_outside(el, self.fields))), None)

    def shows_body(self) -> bool:
        return any(text_outside(el, self.fields) for el in self.classed[_BODY])

    def byline_links(self) -> list[str]:
        """The links its byline prints: the card's, outside its title and body."""
        content = {*self.classed[_TITLE], *self.classed[_BODY]}
        return [href for a in self.el.iter("a")
                if a not in content and not inside(a, content) and (href := (a.get("href") or "").strip())]

    def byline_line(self, prefix: str) -> str | None:
        """The text of the card's first byline element of a class (`provider-byline_name__`)."""
        return next((t for el in self.classed[prefix] if (t := text_of(el))), None)


def _classed_in(el, prefixes: tuple) -> dict[str, list]:
    """The elements under `el` whose class holds each prefix, from one walk."""
    found: dict[str, list] = {prefix: [] for prefix in prefixes}
    for sub in el.iter():
        classes = sub.get("class") if isinstance(sub.tag, str) else None
        if classes:
            for prefix in prefixes:
                if prefix in classes:
                    found[prefix].append(sub)
    return found


def _given(value, printed) -> str | int | float | None:
    """A value of the data (json_scalar) that the cards print too. Where the data gives none
    (its key renamed by a deploy, or null) while a card prints one (`printed()`: the cards'
    markup shows it), the value is printed and not read (NOT_READ, counted as such), never
    "not shown": every such value of the crawl would be lost without a word."""
    value = json_scalar(value)
    return NOT_READ if value is None and printed() else value


_FOLLOWING = etree.XPath("following::*")


def _question_head(tree) -> list:
    """The elements after the question's title and before its answers (the first answer
    card, or the answers' heading): where its sub-header shows the asked date."""
    titles = tree.classed("question-overview_title__") or [h for h in tree.tagged("h1") if not tree.aside(h)]
    if not titles:
        return []
    head = []
    for el in _FOLLOWING(titles[0]):
        if el.tag in ("h2", "article") or "answer-card_card__" in (el.get("class") or ""):
            break
        head.append(el)
    return head


class NextjsPage(QuestionPageObject):
    name = "nextjs"
    class_prefixes = ("answer-card_card__", _DATE, _TITLE, _VOTE, _BODY, "content-subheader_subHeader__",
                      "related_root__", "related_link__", "answers-list_heading__", "question-overview_title__")

    @classmethod
    def recognise(cls, tree) -> bool:
        return any(s.get("id") == "__NEXT_DATA__" for s in tree.tagged("script")) \
            or bool(tree.classed("answer-card_card__") or tree.classed("question-overview_title__"))

    def __init__(self, tree):
        super().__init__(tree)
        self.data = self._question_data()

    def _question_data(self) -> dict:
        """The question object of __NEXT_DATA__, its answers a list of objects."""
        script = next((s for s in self.tree.tagged("script") if s.get("id") == "__NEXT_DATA__"), None)
        if script is None:
            raise UnknownLayout(self.tree.url, "nextjs page without __NEXT_DATA__")
        try:
            data = json.loads(script.text or "")
        except ValueError as error:
            # The page is whole (parse_question_page checked): JSON cut off in transfer is a
            # script never closed, whose text runs to the page's end; a closed one that does
            # not read is the page's own markup, and a retry gets the same
            if ends_document(script.text or ""):
                raise TruncatedPage(self.tree.url, "__NEXT_DATA__ JSON cut off (its </script> never came)") from None
            raise MarkupError(f"__NEXT_DATA__ JSON that does not read: {error}") from None
        try:
            q = data["props"]["pageProps"]["question"]
            if not isinstance(q, dict):
                raise TypeError
        except (KeyError, TypeError):  # whole JSON of another shape: another page
            if isinstance(data, dict) and (data.get("isFallback") is True or data.get("page") == "/_error"):
                # Next.js serves these with 200 while it builds the page or after an error: try again
                raise TruncatedPage(self.tree.url, "a Next.js fallback or error page, not the question yet") from None
            raise UnknownLayout(self.tree.url, "nextjs page whose __NEXT_DATA__ holds no question") from None
        if "answers" not in q:  # a question's data holds its answers ([]: none); read without
            # them, the question a migration's shell stubs would lose what its markup shows
            raise MarkupError("__NEXT_DATA__ question without its answers: a stub over another family's markup?")
        answers = q["answers"] or []
        if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
            # JSON that reads whole is no page cut off (a retry gets the same): data of a new shape
            raise MarkupError("__NEXT_DATA__ answers that are not a list of objects")
        return dict(q, answers=answers)

    def question(self) -> Question:
        return NextjsQuestion(self.data, self.tree).to_item()

    def answers(self) -> list[Answer]:
        """The data's answers, each with the cards that show it (its date, what its byline prints)."""
        answers = self.data["answers"]
        shown = self._cards(answers)
        dates = [_date_shown(cards) for cards in shown]  # a date that is a guess refuses the page first
        return [NextjsAnswer(a, cards, date, self.tree.site).to_item() for a, cards, date in zip(answers, shown, dates)]

    def _cards(self, answers: list[dict]) -> list[list[_Card]]:
        """The cards that show each answer. The cards carry no ids: they pair with the
        data's answers in order, unless a card shows the title of another answer, and of it
        alone (a page may sort its cards by votes, or show a featured one twice): then by title
        (_date_shown). Titles are compared as words in any case; a card's title may add words
        before or after its answer's (a badge)."""
        elements = self.tree.classed("answer-card_card__")
        cards = self.tree.parts(elements, (_DATE, _TITLE))
        wanted = [_words(_str(a.get("title"))) for a in answers]
        once = {w for w, n in Counter(wanted).items() if n == 1 and w is not None}
        fields = frozenset(el for key in (_DATE, _TITLE, _VOTE, _BODY) for el in self.tree.classed(key))
        shown = [_Card(el, parts, fields) for el, parts in zip(elements, cards)]
        titles = [_own_title(_words(card.title), once) for card in shown]
        dates = [card.date for card in shown]
        moved = any(t in once and t != w for t, w in zip(titles, wanted))
        if len(cards) == len(answers) and not moved:
            _check_order(titles, wanted, once, dates, answers)
            return [[card] for card in shown]
        return [[card for card, t in zip(shown, titles) if t == w] for w in wanted]

    def declared_answer_count(self) -> int | None:
        """The count the answers' heading shows and the data's answerCount declare, either
        where the other declares none. Two counts that differ ("Doctor Answers 7" over the data
        of the 3 answers of its first page) leave the page's whole count to a guess: its answers
        are not all here, and taken from the data the missing ones would pass unseen."""
        data = declared_number(self.data.get("answerCount"))
        shown = declared_count(text_of(self.tree.first("answers-list_heading__")))
        if data is not None and shown is not None and data != shown:
            raise MarkupError(f"the answers heading shows {shown} answers where the data declares {data}: "
                              "answers on other pages?")
        return data if data is not None else shown

    def related_urls(self) -> list[str]:
        """Links in the related box, and links of the related-link class wherever they are."""
        boxed = [a for box in self.tree.classed("related_root__") for a in box.iter("a")]
        links = dict.fromkeys(boxed + self.tree.classed("related_link__"))  # each link once
        return self.tree.question_links(a.get("href") or "" for a in links)


class _Content(ItemPage):
    """What a question and an answer share in the data: an id, a plain-text title, a body
    as HTML and a creation timestamp. `whose`: what the data is of, for a key it lacks."""
    whose = "an answer"

    def __init__(self, data: dict):
        self.data = data

    def _id(self) -> str:
        return _id(self.data.get("id"))

    def title(self):
        return plain_paragraphs(_str(self._shown("title", "title")))

    def body(self):
        return html_paragraphs(_str(self._shown("bodyHtml", "body")))

    def date_time(self):
        return json_scalar(self.data.get("createdAt"))  # an ISO string, or epoch seconds or milliseconds

    def _shown(self, key: str, what: str):
        return _held(self.data, key, what, self.whose)

    def _date_shown_or_stamped(self, shown: str | None) -> str | None:
        """The date shown; where none is, the data's timestamp serves, so its key is held."""
        if shown is None:
            self._shown("createdAt", "date")
        return shown


class NextjsQuestion(_Content):
    item = Question
    whose = "a question"
    #: the keys of its parts: data holding none of them (a removed question's: its id and no
    #: answers) shows no question, each part none (extraction.no_question refuses the page)
    parts = ("title", "bodyHtml", "procedure", "location", "createdAt")

    def _shown(self, key: str, what: str):
        if not any(part in self.data for part in self.parts):
            return None
        return super()._shown(key, what)

    def __init__(self, data: dict, tree):
        super().__init__(data)
        self.tree = tree

    def question_id(self) -> str:
        return self._id()

    def topic(self) -> str | None:
        proc = self._shown("procedure", "topic")
        return _str(_held(proc, "name", "topic", self.whose)) if isinstance(proc, dict) else _str(proc)

    def date_text(self) -> str | None:
        """The first span or time in the subheader under the title, however wrapped, that shows
        a calendar date (read or not: dates.shows_a_date): a label before it ("Asked on", a
        screen reader's), a count ("1,259 views") and the asker's line ("Asked by jane84", a
        city) do not; taken for the date, they left the data's timestamp, whose UTC date may be
        a day off the one shown. Without the subheader's class (a deploy renamed it), the first
        element between the title and the answers that shows a date alone."""
        sub = self.tree.first("content-subheader_subHeader__")
        if sub is None:
            return self._date_shown_or_stamped(_date_in(_question_head(self.tree)))
        texts = (text_of(el) for el in sub.iter("span", "time"))
        return self._date_shown_or_stamped(next((t for t in texts if shows_a_date(t)), None))

    def asker_location(self) -> str | None:
        return _str(self._shown("location", "location")) or None


class NextjsAnswer(_Content):
    item = Answer

    def __init__(self, data: dict, cards: list[_Card], shown_date: str | None, site):
        super().__init__(data)
        self.cards, self.shown_date, self.site = cards, shown_date, site

    def answer_id(self) -> str:
        return self._id()

    def body(self):
        """The data's body; NOT_READ where it gives none (null) while a card prints one: its
        text and its contact info are unknown, never "none"."""
        html = _str(self._shown("bodyHtml", "body"))
        if html is None and any(card.shows_body() for card in self.cards):
            return NOT_READ
        return html_paragraphs(html)

    def vote(self):
        return _given(self._shown("helpfulCount", "vote"), lambda: any(card.vote() for card in self.cards))

    def vote_kind(self) -> str:
        return "count"

    def date_text(self) -> str | None:
        return self._date_shown_or_stamped(self.shown_date)

    def byline(self) -> Byline | None:
        provider = self._shown("provider", "byline")  # null: an answer with no byline
        if provider is None:
            return None
        if not isinstance(provider, dict):  # a byline in data of a new shape, not "no byline"
            raise missing("byline")
        return NextjsByline(provider, self.site, self.cards).to_item()


class NextjsByline(ItemPage):
    item = Byline

    def __init__(self, provider: dict, site, cards: list[_Card]):
        self.data, self.site = provider, site  # a slug without a link is a profile by its rule
        self.cards = cards  # what their bylines print tells a value not read from one not shown

    def name(self) -> str | None:
        if "displayName" not in self.data:  # null where no name is printed
            raise missing("doctor's name")
        return _str(self.data["displayName"]) or None

    def profile_href(self) -> str | float | None:
        """The profile link, else the slug's (the data holds one of them); NOT_READ where the
        data gives neither while a card's byline links to one."""
        if "profileUrl" not in self.data:
            _held(self.data, "slug", "doctor's profile link")
        href, slug = _str(self.data.get("profileUrl")), _str(self.data.get("slug"))
        link = href or (self.site.profile_path(slug) if slug else None)
        return _given(link, lambda: any(card.byline_links() for card in self.cards))

    def title_line(self) -> str | float | None:
        line = _str(_held(self.data, "subtitle", "doctor's title line")) or None
        return _given(line, lambda: any(card.byline_line(_BYLINE_TITLE) for card in self.cards))

    def _rating(self, key: str, shows) -> str | int | float | None:
        """A value of the provider's rating object; null (no rating line) where its cards'
        bylines print none of it (`shows`: whether a byline's text does). A rating of a new
        shape (a list, a number where the object was) holds values that do not read."""
        rating = self.data.get("rating")
        if rating is not None and not isinstance(rating, dict):
            return NOT_READ
        value = rating.get(key) if rating is not None else None
        return _given(value, lambda: any(shows(card.byline_text) for card in self.cards))

    def rating(self):
        return self._rating("average", shows_rating)

    def review_count(self):
        return self._rating("count", shows_review_count)

    def shown(self) -> tuple:
        """What its cards' bylines print of the values read from the data: the name, the title
        line and the rating line (its number and its count, read from the byline's text as a
        reader sees it), for the normalisers to count where a stale data disagrees."""
        shown = []
        for field, prefix in (("name", _BYLINE_NAME), ("title_line", _BYLINE_TITLE)):
            shown.append((field, next((t for card in self.cards if (t := card.byline_line(prefix))), None)))
        for field, shows in (("rating", shows_rating), ("review_count", shows_review_count)):
            shown.append((field, next((t for card in self.cards if shows(t := card.byline_text)), None)))
        return tuple((field, value) for field, value in shown if value is not None)

    def text_not_read(self) -> None:
        # its values are read from the page's data, what its cards print compared (shown);
        # the cards' byline text beside them is not yet judged
        return None
