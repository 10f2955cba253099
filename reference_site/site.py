"""The content model as others use it: `Site(questions, seed, day)`, the state of the site on a day."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import OrderedDict

from . import samples
from .content import Generator, answer_text, question_text
from .dates import day_date
from .drift import Drift
from .families import AnswerView, QuestionView, legacy, nextjs, provider_card, reviews_text, thread
from .samples import FAMILIES, GOLDEN_SLUG
from .text import TOPICS, esc_min
from .timeline import advance, new_questions
from .truth import records

# The whole site is generated in memory up front: about 2 KB and 70 us a question (measured from
# 1,000 to 300,000 questions: 1.9-2.2 KB each). A million is 2 GB and over a minute to start.
MAX_QUESTIONS = 1_000_000


def questions_on_day(questions: int, day: int) -> int:
    """How many questions the site has on `day` (counted no further than past MAX_QUESTIONS)."""
    for _ in range(day):
        if questions > MAX_QUESTIONS:
            break
        questions += new_questions(questions)
    return questions


def check_size(questions: int, day: int = 0) -> None:
    """ValueError (one line) for a site too big to serve from memory."""
    if questions_on_day(questions, day) > MAX_QUESTIONS:
        on_day = f" on day {day}" if day else ""
        raise ValueError(f"at most {MAX_QUESTIONS:,} questions{on_day}: the site is generated in memory, "
                         f"about 2 KB a question")


RENDERERS = {"legacy": legacy.render, "provider-card": provider_card.render, "nextjs": nextjs.render}
# The redesign of `--drift family=S` (reference_site/drift.py): rendered, never parsed by the crawler.
DRIFT_FAMILY = "thread"
ALL_RENDERERS = {**RENDERERS, DRIFT_FAMILY: thread.render}


class Page:
    """A rendered page: bytes, quoted ETag (hash of the body) and the date it last changed."""
    __slots__ = ("body", "etag", "last_mod")

    def __init__(self, body: bytes, last_mod):
        self.body = body
        self.etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        self.last_mod = last_mod


class Site:
    def __init__(self, questions: int, seed: int = 1, day: int = 0, cache_size: int = 3000,
                 drift: Drift | None = None):
        check_size(questions, day)
        self.seed, self.day = seed, day
        self.drift = drift or Drift()
        self.today = day_date(day)
        self.gen = Generator(seed, questions)
        self.questions = self.gen.day0(questions)
        self.new_per_day = advance(self.gen, self.questions, day)
        self.doctors = self.gen.doctors
        self.by_slug = {q.slug: q for q in self.questions}
        self.doctor_by_slug = {d.slug: d for d in self.doctors}
        self.deploy = nextjs.Deploy(seed)
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size

    # ---- the public API ----
    def question_slugs(self) -> list[str]:
        return [q.slug for q in self.questions]

    def family_of(self, slug: str) -> str:
        return self.by_slug[slug].family

    def render_question(self, slug: str, family: str | None = None) -> str:
        return self.page(slug, family).body.decode("utf-8")

    def drift_of(self, slug: str) -> tuple[str, ...]:
        """How the page of `slug` drifts (reference_site/drift.py); () for none."""
        q = self.by_slug[slug]
        return () if q.golden or not self.drift else self.drift.kinds(self.seed, slug)

    def truth(self, slug: str) -> list[dict]:
        q = self.by_slug[slug]
        if q.golden:
            recs = [dict(r) for r in samples.golden_records()]
            recs[0]["layout"] = q.family
            return recs
        v, contacts = self._view(q)
        kinds = self.drift_of(slug)
        layout = DRIFT_FAMILY if "family" in kinds else q.family
        recs = records(v, layout, contacts)
        if kinds:  # the content is the same; the markup drifted: what a parser can find is not
            recs[0]["drift"] = ",".join(kinds)
        return recs

    def write_truth(self, path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for q in self.questions:
                for rec in self.truth(q.slug):
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # ---- rendering ----
    def page(self, slug: str, family: str | None = None) -> Page:
        """The cached page of a question in a family (default: its own, or the redesign when
        its family drifts); KeyError if unknown."""
        q = self.by_slug[slug]
        kinds = self.drift_of(slug)
        if family not in ALL_RENDERERS:
            family = DRIFT_FAMILY if "family" in kinds else q.family
        key = (slug, family)
        page = self._cache.get(key)
        if page is not None:
            self._cache.move_to_end(key)
            return page
        if q.golden:   # served verbatim from the contract's sample files (its own family's
            body = samples.golden_page(family if family in FAMILIES else q.family)  # without one)
        elif "rating" in kinds and family != DRIFT_FAMILY:
            body = _rating_moved(ALL_RENDERERS[family], self._view(q)[0], self.deploy).encode("utf-8")
        else:
            body = ALL_RENDERERS[family](self._view(q)[0], self.deploy).encode("utf-8")
        page = Page(body, q.last_mod)
        self._cache[key] = page
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return page

    def _view(self, q) -> tuple[QuestionView, list[bool]]:
        name, topic_slug = TOPICS[q.topic]
        answers, contacts = [], []
        for a in q.answers:
            title, paras, contact = answer_text(self.seed, a.aid, q.topic)
            doc = self.doctors[a.doctor] if a.doctor is not None else None
            answers.append(AnswerView(a.aid, title, paras, a.votes, a.day, a.minute, doc))
            contacts.append(contact)
        related = [(self.questions[i].slug, self.questions[i].title) for i in q.related]
        v = QuestionView(q.qid, q.slug, q.title, question_text(self.seed, q.qid, q.topic), name, topic_slug,
                         q.asked, q.minute, q.location, answers, related)
        return v, contacts


def _rating_moved(render, v: QuestionView, deploy) -> str:
    """The page with its bylines rendered without a rating, and the ratings in a panel of the
    page's doctors before </body>: where a redesign could put them, and no parser looks."""
    rated, seen = [], set()
    answers = []
    for a in v.answers:
        doc = a.doctor
        if doc is not None and doc.rating is not None:
            if doc.slug not in seen:
                seen.add(doc.slug)
                rated.append(doc)
            a = dataclasses.replace(a, doctor=dataclasses.replace(doc, rating=None, reviews=None))
        answers.append(a)
    html = render(dataclasses.replace(v, answers=answers), deploy)
    if not rated:
        return html
    items = "".join(
        f'<li class="doctor-scores__item"><a href="/dr/{d.slug}">{esc_min(" ".join(d.printed.split()))}</a> '
        f'<span class="doctor-scores__stars">{d.rating:.1f} out of 5 stars</span> '
        f'<span class="doctor-scores__count">{reviews_text(d.reviews)}</span></li>' for d in rated)
    panel = f'<aside class="doctor-scores"><h4>How patients rate these doctors</h4><ul>{items}</ul></aside>\n'
    at = html.rfind("</body>")
    return html[:at] + panel + html[at:]


__all__ = ["Site", "FAMILIES", "GOLDEN_SLUG"]
