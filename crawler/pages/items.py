"""Raw items: what a question page holds, as the page has it.

Strings are as printed (not normalised). Markup fields hold either an lxml element (from the
page's tree) or a string of HTML (nextjs `bodyHtml`); title fields hold an lxml element or a
plain-text string. The normalisers (pipelines.normalise) turn these into contract records.

The parsers build RawAnswer and RawByline positionally (once per answer: keyword matching
costs as much as the rest of the constructor), so their field order is part of the code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RawByline:
    name: str | None = None           # name as printed ("Joseph A. Eviatar, MD, FACS"), None if not printed
    profile_href: str | None = None   # href of the profile link as in the page ("/dr/joseph-serota-aurora-co")
    title_line: str | None = None     # "New York Oculoplastic Surgeon"
    rating: Any = None                # "4.7 out of 5 stars", "4.7" or 4.7; None when no rating
    review_count: Any = None          # "68 reviews", "68" or 68; None when no rating


@dataclass(slots=True)
class RawAnswer:
    answer_id: str
    title: Any                        # lxml element or plain str
    body: Any                         # lxml element or HTML str
    vote: Any                         # legacy: "ng-init" value; otherwise the count as shown/data
    vote_kind: str                    # 'ng-init' | 'count'
    date_text: str | None = None      # the date as shown ("Oct 22, 2012")
    date_time: str | None = None      # a timestamp from attributes or data, used only without date_text
    byline: RawByline | None = None


@dataclass(slots=True)
class RawQuestion:
    question_id: str
    title: Any                        # lxml element or plain str
    body: Any                         # lxml element or HTML str
    topic: str | None = None
    date_text: str | None = None
    date_time: str | None = None
    asker_location: str | None = None


@dataclass(slots=True)
class QuestionPage:
    family: str                       # 'legacy' | 'provider-card' | 'nextjs'
    url: str                          # canonical URL, else the URL fetched
    fetched_url: str
    question: RawQuestion
    answers: list[RawAnswer] = field(default_factory=list)
    declared_answer_count: int | None = None
    related_urls: list[str] = field(default_factory=list)
