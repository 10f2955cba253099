"""The three markup families of a question page; each module has `render(view, deploy) -> str`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..names import Doctor


@dataclass(slots=True)
class AnswerView:
    aid: int
    title: str
    paras: list
    votes: int
    day: date
    minute: int
    doctor: Doctor | None


@dataclass(slots=True)
class QuestionView:
    qid: int
    slug: str
    title: str
    paras: list
    topic_name: str
    topic_slug: str
    asked: date
    minute: int
    location: str | None
    answers: list[AnswerView]
    related: list[tuple[str, str]]   # (slug, title) of "You might also like..." links

    @property
    def promo_after(self) -> int:
        """How many answers come before the related block (it sits between two answers when it can)."""
        n = len(self.answers)
        return 3 if n >= 4 else 1 if n >= 2 else n


def reviews_text(n: int) -> str:
    return "1 review" if n == 1 else f"{n} reviews"
