"""The legacy (AngularJS era) family: BEM classes rs-question__*, rs-answer__*, rs-byline__*."""
from __future__ import annotations

import copy
import re
from itertools import chain

from pipelines.normalise.ratings import shows_review_count

from .errors import MarkupError, UnknownLayout
from .items import Answer, Byline, Question
from .markup import text_of, text_outside, words_outside
from .page import ElementPage, QuestionPageObject, missing
from .counts import declared_count


# ng-init as AngularJS reads it: data-ng-init, x-ng-init, ng:init, ng_init too
_NG_INIT = re.compile(r"(?:(?:data|x)[-:_])?ng[-:_]init", re.I)
# ng-bind (ng-bind-html, ng-bind-template) as AngularJS reads it: an element showing its value
_NG_BIND = re.compile(r"(?:(?:data|x)[-:_])?ng[-:_]bind(?:[-:_](html|template))?", re.I)
_QUESTION_PARTS = ("rs-question__title", "rs-question__topic", "rs-question__date",
                   "rs-question__location", "rs-question__body")
_ANSWER_PARTS = ("rs-answer__title", "rs-vote", "rs-answer__body", "rs-answer__date", "rs-byline")
_BYLINE_PARTS = ("rs-byline__name", "rs-byline__title", "rs-byline__rating")


class LegacyPage(QuestionPageObject):
    name = "legacy"
    class_tokens = ("rs-question", "rs-answers__count", "rs-promo", "rs-answer",
                    *_QUESTION_PARTS, *_ANSWER_PARTS, *_BYLINE_PARTS)

    @classmethod
    def recognise(cls, tree) -> bool:
        return bool(tree.classed("rs-question") or tree.classed("rs-answer"))

    def question(self) -> Question:
        blocks = self.tree.classed("rs-question")
        if not blocks:
            raise UnknownLayout(self.tree.url, "legacy page without a question")
        parts = self.tree.parts(blocks, _QUESTION_PARTS)
        # The question's block holds its body or date; a "trending question" teaser does not,
        # or stands aside (tree.aside).
        held = [i for i, p in enumerate(parts) if ("rs-question__body" in p or "rs-question__date" in p)
                and not self.tree.aside(blocks[i])]
        if len(held) > 1:  # which is the page's question is a guess
            raise MarkupError(f"{len(held)} question blocks with a body or a date")
        i = held[0] if held else 0
        return LegacyQuestion(blocks[i], parts[i]).to_item()

    def answers(self) -> list[Answer]:
        answers = self.tree.classed("rs-answer")
        parts = self.tree.parts(answers, _ANSWER_PARTS, content=("rs-answer__body",))
        self.tree.apart(answers, (p.get("rs-answer__body") for p in parts), "answer")
        bylines = [p["rs-byline"] for p in parts if "rs-byline" in p]
        byline_parts = dict(zip(bylines, self.tree.parts(bylines, _BYLINE_PARTS)))
        return [LegacyAnswer(a, p, byline_parts, self.tree).to_item() for a, p in zip(answers, parts)]

    def declared_answer_count(self) -> int | None:
        return declared_count(text_of(self.tree.first("rs-answers__count")))

    def related_urls(self) -> list[str]:
        return self.tree.question_links(
            a.get("href") or "" for promo in self.tree.classed("rs-promo") for a in promo.iter("a"))


class LegacyQuestion(ElementPage):
    item = Question

    def question_id(self) -> str:
        return (self.el.get("data-question-id") or "").strip()

    def title(self):
        return self._paragraphs(self.parts.get("rs-question__title"))

    def body(self):
        return self._paragraphs(self.parts.get("rs-question__body"))

    def topic(self) -> str | None:
        return self._text("rs-question__topic")

    def date_text(self) -> str | None:
        return self._text("rs-question__date")

    def date_time(self) -> str | None:
        return self._datetime("rs-question__date")

    def asker_location(self) -> str | None:
        return self._text("rs-question__location")


class LegacyAnswer(ElementPage):
    item = Answer

    def __init__(self, el, parts: dict, byline_parts: dict, tree):
        super().__init__(el, parts)
        self.byline_parts = byline_parts  # byline element -> its parts
        self.tree = tree

    def answer_id(self) -> str:
        return self.el.get("data-answer-id") or self._id_after("answer-")

    def title(self):
        return self._paragraphs(self._shown("rs-answer__title", "title"))

    def body(self):
        return self._paragraphs(self._shown("rs-answer__body", "body"))

    def vote(self) -> tuple[str, str]:
        """The vote widget as AngularJS shows it: (its ng-init statements, under any spelling
        AngularJS reads, on it and inside it, in the order AngularJS runs them ("voted=false;
        voteCount=3"); the text it shows, its template: "{{ voteCount + 1 }}"). Which count
        a reader sees is the template's to say, not the statements' alone: a widget with no
        statement (a count rendered on the server, "+3"), or a template of another form,
        shows a vote not read, counted so (answers/vote_not_read), never a null that passes
        for no vote nor a count the page does not show."""
        vote = self._shown("rs-vote", "vote")
        inits = [value for el in vote.iter() if isinstance(el.tag, str)
                 for name, value in el.items() if _NG_INIT.fullmatch(name)]
        return "; ".join(inits), _template(vote)

    def vote_kind(self) -> str:
        return "ng-init"

    def date_text(self) -> str | None:
        return self._line(self._shown("rs-answer__date", "date"))

    def date_time(self) -> str | None:
        return self._datetime("rs-answer__date")

    def byline(self) -> Byline | None:
        by = self.parts.get("rs-byline")
        if by is None:
            self.tree.no_byline(self.el, self.parts.get("rs-answer__body"))
            return None
        return LegacyByline(by, self.byline_parts[by], self.tree, self.parts.values()).to_item()


class LegacyByline(ElementPage):
    item = Byline

    def __init__(self, el, parts: dict, tree, answer_parts=()):
        super().__init__(el, parts, answer_parts)  # what it shows beside a name (its answer's date, say)
        self.tree = tree  # its site's rule says which links are profiles

    def name(self) -> str | None:
        """The name shown. A byline may show none (its avatar link, title line and rating
        alone); text beside those is a name in markup of a new shape (a renamed class), never
        a doctor left nameless without a word."""
        name = self.parts.get("rs-byline__name")
        if name is None and text_outside(self.el, self.read):
            raise missing("doctor's name")
        return self._line(name)

    def profile_href(self) -> str | None:
        """The name's link to a profile, else the first profile link in the byline (else its
        first link: the site's profile_link)."""
        name = self.parts.get("rs-byline__name")
        links = self.el.iter("a") if name is None else chain((name,), self.el.iter("a"))
        return self.tree.site.profile_link((self.tree.link(a.get("href")) for a in links), self.tree.url)

    def title_line(self) -> str | None:
        return self._text("rs-byline__title")

    def rating(self) -> str | None:
        return self._text("rs-byline__rating")  # "4.7 out of 5 stars (68 reviews)": both in one line

    def review_count(self) -> str | None:
        """The text of the rating line's element that shows the count ("154 reviews", its
        link), else the line's: a count's digits never join another element's ("4.8 out of 5
        <a>154 reviews</a>" is no "5 154"). Two such elements: the line's, as it reads."""
        line = self.parts.get("rs-byline__rating")
        if line is None:
            return None
        shown = [el for el in line.iter() if isinstance(el.tag, str) and shows_review_count(self._line(el) or "")]
        own = [el for el in shown if not any(inner in shown for inner in el.iterdescendants())]
        return self._line(own[0] if len(own) == 1 else line)

    def shown(self) -> tuple:
        return ()  # every value is read from what the byline prints: nowhere else to disagree

    def text_not_read(self) -> str | None:
        return words_outside(self.el, self.read)


def _template(widget) -> str:
    """The text a widget shows, as its template: an element bound by ng-bind shows its
    expression's value in place of its content, as "{{ expression }}" would (ng-bind-template
    its template)."""
    bound = {el: (m, value) for el in widget.iter() if isinstance(el.tag, str)
             for name, value in el.items() if (m := _NG_BIND.fullmatch(name))}
    if not bound:
        return text_of(widget) or ""
    clone = copy.deepcopy(widget)
    for el, twin in list(zip(widget.iter(), clone.iter())):
        if el in bound:
            m, value = bound[el]
            twin.clear(keep_tail=True)
            twin.text = value if (m.group(1) or "").lower() == "template" else "{{ " + value + " }}"
    return text_of(clone) or ""
