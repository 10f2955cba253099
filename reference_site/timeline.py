"""Time: day 0 is the generated state; each later day replays a few changes.

Per day: ~1% new questions, a new answer on ~1.5% of questions, a vote change on ~1.5%, and the
rating of a handful of doctors whose pages fit in a ~1.5% budget. So at most ~6% of question
pages change per day and an incremental crawl downloads well under 10% of them.
The golden question never changes (its doctors are not generated doctors).
"""
from __future__ import annotations

import random

from .content import Answer, Generator, Question, local_minute
from .dates import day_date

NEW_ANSWER_IDS = 9_000_000   # answers added after day 0 count up from here


def doctor_pages(questions: list[Question]) -> dict[int, set[int]]:
    pages: dict[int, set[int]] = {}
    for q in questions:
        for a in q.answers:
            if a.doctor is not None:
                pages.setdefault(a.doctor, set()).add(q.index)
    return pages


def new_questions(n: int) -> int:
    """How many questions a day adds to a site of n."""
    return max(1, round(n * 0.01))


def advance(gen: Generator, questions: list[Question], days: int) -> list[int]:
    """Apply days 1..days in place; returns the number of new questions of each day."""
    pages = doctor_pages(questions)
    next_aid = NEW_ANSWER_IDS
    added = []
    for d in range(1, days + 1):
        today = day_date(d)
        rng = random.Random(f"{gen.seed}:day:{d}")
        n = len(questions)
        k = max(1, round(n * 0.015))
        changed: set[int] = set()
        for qi in rng.sample(range(1, n), min(k, n - 1)):          # new answers
            doc = gen.picker.pick(rng)
            questions[qi].answers.append(Answer(next_aid, doc, today, local_minute(rng), rng.randint(0, 2)))
            next_aid += 1
            if doc is not None:
                pages.setdefault(doc, set()).add(qi)
            changed.add(qi)
        for qi in rng.sample(range(1, n), min(k, n - 1)):          # vote changes
            q = questions[qi]
            if q.answers:
                rng.choice(q.answers).votes += rng.choice((-2, -1, 1, 2, 3))
                changed.add(qi)
        changed |= _rerate(gen, rng, pages, k, d)
        for qi in changed:
            questions[qi].last_mod = today
        new = new_questions(n)
        for i in range(n, n + new):
            q = gen.question(i, today=today)
            questions.append(q)
            for a in q.answers:
                if a.doctor is not None:
                    pages.setdefault(a.doctor, set()).add(i)
        added.append(new)
    return added


def _rerate(gen: Generator, rng: random.Random, pages: dict[int, set[int]], budget: int, day: int) -> set[int]:
    """New reviews for up to 3 doctors whose pages together stay within `budget`."""
    touched: set[int] = set()
    count = 0
    for di in rng.sample(range(len(gen.doctors)), min(60, len(gen.doctors))):
        doc = gen.doctors[di]
        mine = pages.get(di)
        if doc.rating is None or not mine or len(touched | mine) > budget:
            continue
        doc.reviews += rng.randint(1, 3)
        doc.rating = round(rng.uniform(4.0, 5.0), 1) if doc.rating == 0.0 else round(min(5.0, max(1.0, doc.rating + rng.choice((-0.1, 0.1)))), 1)
        doc.last_mod_day = day
        touched |= mine
        count += 1
        if count == 3:
            break
    return touched
