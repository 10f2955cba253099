"""Raw items: what a question page holds, as the page prints it, in plain values only.

Every field is a keyword field holding str, int, float, bool, None or lists of them (no lxml
element leaves a page object), so a raw item pickles across a process boundary and is
normalised anywhere (pipelines.normalise.records). Strings are as printed, not normalised;
a field of a date or timestamp column is ISO 8601 text, which the writer reads by the column's
type (pipelines.rows).

`Text` is a title or body as the contract splits it: paragraphs, each a list of its raw
lines (entities decoded, white space and Unicode as printed); the normalisers clean them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Text = list[list[str]]


#: The plain value of JSON data of a new shape (a list or an object where a number was): the
#: page holds a value, but none that reads. NaN, as JSON's own NaN: no number, no text, and the
#: normalisers count it as printed but not read (records._unread), never as "not shown".
NOT_READ = float("nan")


def json_scalar(value) -> str | int | float | None:
    """A value of a page's JSON data as an item's plain value: a string or a number as it is;
    null as None; a list or an object is NOT_READ, never a number guessed from it (the first
    number of "[3, 7]" is not a count, nor {"count": 3} one read by a guessed key)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    return NOT_READ


@dataclass(slots=True, kw_only=True)
class Byline:
    name: str | None = None           # as printed ("Joseph A. Eviatar, MD, FACS")
    profile_href: str | None = None   # the profile link as in the page ("/dr/joseph-serota-aurora-co")
    title_line: str | None = None     # "New York Oculoplastic Surgeon"
    rating: str | int | float | None = None        # "4.7 out of 5 stars", "4.7" or 4.7
    review_count: str | int | float | None = None  # "68 reviews", "68" or 68
    # the values its card prints of fields read from elsewhere (the page's data, microdata), as
    # (field, printed) pairs: ("rating", "3.1 out of 5 stars"); the normalisers count those that
    # disagree with the field's value (records.SHOWN_DISAGREES), which is kept
    shown: tuple[tuple[str, str], ...] = ()
    # the text it prints outside the elements its fields are read from, but labels ("Answered
    # by"): a part in markup of a new shape (a class renamed, credentials moved to badges), its
    # value lost; counted (records.BYLINE_TEXT_NOT_READ), never read as a field guessed
    text_not_read: str | None = None


@dataclass(slots=True, kw_only=True)
class Answer:
    answer_id: str
    title: Text | None = None
    body: Text | None = None
    vote: str | int | float | tuple | None = None  # legacy: (its ng-init, its template); else the count shown or in data
    vote_kind: str = "count"          # 'ng-init' | 'count' | 'unread' (pipelines.normalise.votes.UNREAD)
    date_text: str | None = None      # the date as shown ("Oct 22, 2012")
    date_time: str | int | float | None = None  # a timestamp, used only without date_text
    byline: Byline | None = None


@dataclass(slots=True, kw_only=True)
class Question:
    question_id: str
    title: Text | None = None
    body: Text | None = None
    topic: str | None = None
    date_text: str | None = None
    date_time: str | int | float | None = None
    asker_location: str | None = None


@dataclass(slots=True, kw_only=True)
class QuestionPage:
    family: str                       # the markup family that read the page
    url: str                          # canonical URL, else the URL fetched
    fetched_url: str
    question: Question
    answers: list[Answer] = field(default_factory=list)
    declared_answer_count: int | None = None
    related_urls: list[str] = field(default_factory=list)
    # scheme://host of the site the page's markup names (Tree.site_url), which a page without a
    # web URL (a saved one, read from a file: URL) builds its records' URLs on; None: it names none
    site_origin: str | None = None
