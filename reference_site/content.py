"""The content model of day 0: doctors and question metadata, generated up front and cheaply.

Bodies and answer titles are not stored: they come from per-id seeds on demand (`answer_text`,
`question_text`), so a 20,000-question site costs a few seconds and little memory.
"""
from __future__ import annotations

import bisect
import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import text
from .dates import DAY0
from .names import Doctor, make_doctors, slugify
from .samples import FAMILIES, GOLDEN_SLUG

STOP = {"a", "an", "the", "is", "it", "of", "to", "my", "i", "and", "or", "after", "for", "be", "do", "does",
        "can", "should", "will", "what", "are", "why", "that", "ok", "in", "too", "while", "how", "much", "photo"}


TOPIC_WEIGHTS = [1 / (k + 2) for k in range(len(text.TOPICS))]


@dataclass(slots=True)
class Answer:
    aid: int
    doctor: int | None      # index into doctors; None = unbylined
    day: date               # the date readers see
    minute: int             # local (Pacific) minute of the day
    votes: int              # the count readers see


@dataclass(slots=True)
class Question:
    index: int
    qid: int
    slug: str
    title: str
    topic: int
    asked: date
    minute: int
    location: str | None
    answers: list[Answer] = field(default_factory=list)
    related: list[int] = field(default_factory=list)
    family: str = "legacy"
    last_mod: date = DAY0
    golden: bool = False


def family_for(seed: int, slug: str) -> str:
    digest = hashlib.sha256(f"{seed}:family:{slug}".encode()).digest()
    return FAMILIES[digest[0] % 3]


class DoctorPicker:
    """Weighted choice of the doctor of an answer; ~10% of answers have no byline."""

    def __init__(self, doctors: list[Doctor]):
        self.cum, total = [], 0.0
        for d in doctors:
            total += d.weight
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> int | None:
        if rng.random() < 0.1:
            return None
        return min(bisect.bisect(self.cum, rng.random() * self.total), len(self.cum) - 1)


def initial_votes(rng: random.Random) -> int:
    r = rng.random()
    return 0 if r < 0.25 else rng.randint(-3, -1) if r < 0.33 else rng.randint(1, 12)


def local_minute(rng: random.Random) -> int:
    # 7:00-22:59 Pacific; after 16:00/17:00 the UTC timestamp is on the next day
    return rng.randint(7 * 60, 22 * 60 + 59)


def answer_id(index: int, k: int) -> int:
    """Initial answers: 16 id slots per question; far from the sample's ids (~1.04M)."""
    return 3_000_000 + 16 * index + k


def question_id(index: int) -> int:
    return 1_100_000 + 16 * index + 7


class Generator:
    def __init__(self, seed: int, questions: int):
        self.seed = seed
        self.doctors = make_doctors(seed, max(40, questions // 5 + 40))
        self.picker = DoctorPicker(self.doctors)
        self.slugs: set[str] = {GOLDEN_SLUG}
        self.by_topic: dict[int, list[int]] = {}

    def _slug(self, rng: random.Random, title: str, location: str | None, index: int) -> str:
        words = [w for w in slugify(title).split("-") if w not in STOP][:7]
        slug = "-".join(words) or "question"
        if rng.random() < 0.1:   # slugs that start with the asker's place
            slug = slugify(location or rng.choice(text.PLACES)) + "-" + slug
        if slug in self.slugs:
            slug = f"{slug}-{index}"
        self.slugs.add(slug)
        return slug

    def question(self, index: int, asked: date | None = None, today: date | None = None) -> Question:
        """Question `index`; `today` set means it is new that day (asked and answered today)."""
        rng = random.Random(f"{self.seed}:qm:{index}")
        topic = rng.choices(range(len(text.TOPICS)), weights=TOPIC_WEIGHTS)[0]
        title = text.question_title(rng, text.TOPICS[topic][0].lower() if rng.random() < 0.5 else text.TOPICS[topic][0])
        location = rng.choice(text.PLACES) if rng.random() < 0.7 else None
        asked = today or DAY0 - timedelta(days=rng.randint(8, 6000))
        slug = self._slug(rng, title, location, index)
        q = Question(index=index, qid=question_id(index), slug=slug, title=title, topic=topic, asked=asked,
                     minute=local_minute(rng), location=location, family=family_for(self.seed, slug))
        n = rng.choice((1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 10)) if today is None else rng.randint(0, 2)
        days = sorted(min(rng.randint(0, 40), (DAY0 - asked).days - 1) if today is None else 0 for _ in range(n))
        for k, offset in enumerate(days):
            q.answers.append(Answer(answer_id(index, k), self.picker.pick(rng), asked + timedelta(days=offset),
                                    local_minute(rng), initial_votes(rng)))
        q.answers.sort(key=lambda a: (a.day, a.minute, a.aid))
        same = self.by_topic.setdefault(topic, [])
        pool = same if len(same) >= 2 else list(range(index))
        q.related = rng.sample(pool, min(2, len(pool)))
        same.append(index)
        q.last_mod = max([asked] + [a.day for a in q.answers])
        return q

    def special(self, index: int, qid: int, slug: str, title: str, asked: date, last: date, n: int) -> Question:
        """The two questions the golden page links to: they must exist, with the listing's facts."""
        rng = random.Random(f"{self.seed}:special:{slug}")
        self.slugs.add(slug)
        q = Question(index=index, qid=qid, slug=slug, title=title, topic=0, asked=asked, minute=local_minute(rng),
                     location=rng.choice(text.PLACES), family=family_for(self.seed, slug), related=[0])
        for k in range(n):
            day = last if k == n - 1 else asked + timedelta(days=min(k, (last - asked).days))
            q.answers.append(Answer(answer_id(index, k), self.picker.pick(rng), day, local_minute(rng), initial_votes(rng)))
        q.last_mod = last
        self.by_topic.setdefault(0, []).append(index)
        return q

    def day0(self, count: int) -> list[Question]:
        golden = Question(index=0, qid=1040712, slug=GOLDEN_SLUG, title="Knot and Redness After Botox Injection",
                          topic=0, asked=date(2012, 10, 22), minute=720, location="Phoenix, AZ",
                          family="legacy", last_mod=date(2012, 10, 29), golden=True)
        self.by_topic[0] = [0]
        qs = [golden,
              self.special(1, 873301, "massaged-botoxshorter-longevity", "Massaged Botox, Shorter Longevity?",
                           date(2011, 7, 19), date(2011, 7, 21), 7),
              self.special(2, 79418, "redness-site-injection-botox", "What to Do About Redness at Botox Injection Site?",
                           date(2009, 2, 11), date(2009, 2, 16), 1)]
        qs.extend(self.question(i) for i in range(3, max(count, 3)))
        return qs


# ---- lazily generated text ----

def answer_text(seed: int, aid: int, topic: int):
    """(title, paragraphs, has_contact_info) of an answer, from its id alone."""
    rng = random.Random(f"{seed}:a:{aid}")
    proc = text.TOPICS[topic][0]
    title = text.answer_title(rng, proc)
    paras, contact = text.body(rng, proc)
    return title, paras, contact


def question_text(seed: int, qid: int, topic: int):
    rng = random.Random(f"{seed}:q:{qid}")
    paras, _ = text.body(rng, text.TOPICS[topic][0], paragraphs=(1, 2), contact=0.0)
    return paras
