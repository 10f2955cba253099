"""Contract records of a question page: question, answers in order, then one doctor per
distinct doctor_id in order of first appearance (first wins).

`page_records(page)` reads the raw items (crawler.pages.items: plain values only) by
attribute; it does not import the crawler.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from crawler.sites import site_for
from crawler.sites.base import join_url, on_the_web, origin

from .contact import has_contact_info
from .dates import DISAGREES, STAMPED, read_date, written_day_first
from .names import parse_name
from .places import place
from .ratings import parse_rating, parse_review_count, rating_pair, rating_read
from .text import collapse, text
from .title_line import parse_title_line, state_from_slug
from .votes import vote_count

#: Process-wide counts of normalisation misses (e.g. 'title_line_unknown'); the Scrapy pipeline
#: can also pass its own Counter-like `stats` to page_records.
MISSES: Counter = Counter()


def doctor_record(byline, base_url: str, stats=None, family: str = "unknown") -> dict | None:
    """The doctor record of a byline with a profile link (None without one); `family`: the
    markup family of its page, for the counts of what does not read."""
    site = site_for(base_url)
    slug = site.profile_slug(byline.profile_href, base_url)  # a doctor's key, by the site's rule
    if slug is None:
        return None
    return _doctor_record(byline, slug, origin(base_url), site, stats, family)


def _doctor_record(byline, slug: str, site_origin: str, site, stats, family: str) -> dict:
    # Keyed by the site's origin, not the page's URL: a profile URL ("/dr/<slug>" joined to the
    # page) depends on nothing else, and a page URL key never hits and fills the cache.
    rec, misses = _doctor(slug, site_origin, site, byline.name, byline.title_line, byline.rating, byline.review_count,
                          byline.shown)
    for miss in misses:  # a key ending in "/" is counted by family
        _count(miss + family if miss.endswith("/") else miss, 1, stats)
    rec = dict(rec)
    rec["credentials"] = list(rec["credentials"])
    return _with_extras(rec, byline, _BYLINE_READS)


@lru_cache(maxsize=65536)
def _doctor(slug, site_origin, site, name_raw, title_line, rating_raw, reviews_raw, shown):
    name = parse_name(name_raw)
    title_unread = isinstance(title_line, float)  # NOT_READ: a line the card prints, the data gives none
    tl = parse_title_line(None if title_unread else title_line)
    rating, reviews = rating_pair(rating_raw, reviews_raw)
    rec = {
        "type": "doctor",
        "doctor_id": slug,
        "profile_url": join_url(site_origin, site.profile_path(slug)) if site_origin else None,
        "name_raw": name.name_raw,
        "title_line": tl.title_line,
        "display_name": name.display_name,
        "given_name": name.given_name,
        "middle_name": name.middle_name,
        "family_name": name.family_name,
        "suffix": name.suffix,
        "credentials": list(name.credentials),
        "city": tl.city,
        "state": state_from_slug(slug),
        "specialty": tl.specialty,
        "rating": rating,
        "review_count": reviews,
    }
    return rec, (("title_line_unknown",) * (not tl.known) + (TITLE_LINE_NOT_READ,) * title_unread
                 + ("credential_unknown",) * bool(name.unread)
                 + ("name_not_one_person",) * name.not_one_person
                 + (RATING_NOT_READ,) * (collapse(rating_raw) is not None and not rating_read(rating_raw))
                 + (REVIEWS_NOT_READ,) * _unread(reviews, reviews_raw) + _shown_disagrees(rec, shown))


#: + family: the byline values a page prints that disagree with the value read from its data
#: or microdata, compared normalised (4.8 and "4.8 out of 5 stars" agree; "1,540 reviews" and
#: 1540 agree). The record keeps the field's own source; many in a family are data gone stale
#: (pipelines.checks.values_not_read).
SHOWN_DISAGREES = {field: f"doctors/{field}_shown_disagrees/"
                   for field in ("display_name", "credentials", "title_line", "rating", "review_count")}


def _shown_normalised(field: str, printed: str) -> dict:
    """The record's values that a printed byline value gives, by record field; {} when it
    does not read (a value not read is counted as such, not as a disagreement)."""
    if field == "name":
        name = parse_name(printed)
        return {"display_name": name.display_name, "credentials": list(name.credentials)} if name.display_name else {}
    value = {"title_line": collapse, "rating": parse_rating, "review_count": parse_review_count}[field](printed)
    return {field: value} if value is not None else {}


def _shown_disagrees(rec: dict, shown: tuple) -> tuple[str, ...]:
    """The SHOWN_DISAGREES keys of the fields whose printed value reads otherwise than the
    record's, where both read."""
    return tuple(SHOWN_DISAGREES[name] for field, printed in shown
                 for name, value in _shown_normalised(field, printed).items()
                 if rec[name] is not None and rec["display_name" if field == "name" else name] is not None
                 and value != rec[name])


# The raw fields the records below are made from; any other field of a raw question, answer
# or byline is a plain value the page objects read as the record wants it, and passes through
# (its text cleaned by the one cleaner, as every string of a record is).
_QUESTION_READS = frozenset(("question_id", "title", "body", "topic", "date_text", "date_time", "asker_location"))
_ANSWER_READS = frozenset(("answer_id", "title", "body", "vote", "vote_kind", "date_text", "date_time", "byline"))
_BYLINE_READS = frozenset(("name", "profile_href", "title_line", "rating", "review_count", "shown", "text_not_read"))


@lru_cache(maxsize=None)
def _passed_through(item_type: type, reads: frozenset) -> tuple[str, ...]:
    return tuple(f for f in getattr(item_type, "__dataclass_fields__", ()) if f not in reads)


def _with_extras(record: dict, item, reads: frozenset) -> dict:
    for name in _passed_through(type(item), reads):
        record[name] = _cleaned(getattr(item, name))
    return record


def _cleaned(value):
    """A passed-through value: a string as printed ("\n   Cost\n  ") cleaned, or None when
    empty; a list's strings too, in their places; numbers and booleans as they are."""
    if isinstance(value, str):
        return collapse(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def page_records(page, stats=None) -> list[dict]:
    """The contract records of a parsed question page, in page order. `stats` (a dict) gets
    the counts of what does not read as printed, by kind and family."""
    q = page.question
    url = page.url
    qid = str(q.question_id)
    day_first = _writes_day_first(page)
    out = [_with_extras({
        "type": "question",
        "question_id": qid,
        "url": url,
        "title": text(q.title),
        "body": text(q.body),
        "topic": collapse(q.topic),
        "asked_on": _date(q, day_first, QUESTION_DATE_NOT_READ + page.family, QUESTION_DATE_STAMPED + page.family, stats),
        "asker_location": _asker_location(q.asker_location, stats),
        "answer_count": page.declared_answer_count,
    }, q, _QUESTION_READS)]
    doctors: list[dict] = []
    seen: set[str] = set()
    # the URLs of records resolve against the question's URL (the contract); a saved page's
    # file: URL names no site: against the site its markup names (None: no URL, never file:///dr/x)
    site_origin = origin(url) if on_the_web(url) else page.site_origin
    site = site_for(site_origin or page.fetched_url)  # once per page, not per doctor
    for pos, a in enumerate(page.answers, 1):
        body_unread = isinstance(a.body, float)  # NOT_READ: a body the cards print, the data gives none
        body = None if body_unread else text(a.body)
        if body_unread:
            _count(BODY_NOT_READ + page.family, 1, stats)
        doctor_id = None
        byline = a.byline
        if byline is not None:
            # a doctor's key, by the site's rule: a link on the page's own site, as the page
            # objects chose it (the page's relative links resolve against the URL fetched)
            # (none where the data gives no link the card prints: NOT_READ, counted below)
            href = byline.profile_href
            doctor_id = None if isinstance(href, float) else site.profile_slug(href, page.fetched_url)
            # a link that names no doctor of this site by its rule (another site's, a form the
            # rule does not know: /dr/123/x, /doctor/x): no doctor, counted, never a wrong key
            doctor_id = _not_read(doctor_id, href, PROFILE_NOT_READ + page.family, stats)
            if byline.text_not_read is not None:
                _count(BYLINE_TEXT_NOT_READ + page.family, 1, stats)
            if doctor_id is not None and doctor_id not in seen:
                seen.add(doctor_id)
                doctors.append(_doctor_record(byline, doctor_id, site_origin, site, stats, page.family))
        out.append(_with_extras({
            "type": "answer",
            "answer_id": str(a.answer_id),
            "question_id": qid,
            "position": pos,
            "title": text(a.title),
            "body": body,
            "vote_count": _not_read(vote_count(a.vote, a.vote_kind), a.vote, VOTE_NOT_READ + page.family, stats),
            "answered_on": _date(a, day_first, ANSWER_DATE_NOT_READ + page.family, ANSWER_DATE_STAMPED + page.family,
                                 stats),
            "doctor_id": doctor_id,
            # a body not read holds contact info or not: unknown, never "none"
            "has_contact_info": None if body_unread else has_contact_info(body),
        }, a, _ANSWER_READS))
    out.extend(doctors)
    return out


#: + family: the values a page prints that give none: a vote (data that does not read, 2**31,
#: 3.5, NaN, "1.2K"), a date ("Oct 22, '12"; a timestamp stands in only where no date is
#: shown), a rating ("4.5 \u2605"), a review count ("a dozen reviews"), a byline's link that
#: names no profile of the site (`/dr/123/x`: the answer's doctor_id; or one the page's data
#: does not give), a title line or an answer's body the page shows that its data does not give
#: (its has_contact_info null too). The record's value
#: is null, as for a page that prints none, but counted (_not_read).
VOTE_NOT_READ = "answers/vote_not_read/"
ANSWER_DATE_NOT_READ = "answers/date_not_read/"
QUESTION_DATE_NOT_READ = "questions/date_not_read/"
BODY_NOT_READ = "answers/body_not_read/"
RATING_NOT_READ = "doctors/rating_not_read/"
REVIEWS_NOT_READ = "doctors/review_count_not_read/"
PROFILE_NOT_READ = "answers/profile_not_read/"
TITLE_LINE_NOT_READ = "doctors/title_line_not_read/"
#: + family: a byline printing, outside the elements its fields are read from, text that reads
#: as a value one of them would hold (its credentials moved to badges, its title line's class
#: renamed): values lost (markup.words_outside; a badge, "Verified", is none)
BYLINE_TEXT_NOT_READ = "answers/byline_text_not_read/"


def _unread(value, printed) -> bool:
    """Whether the page printed something that gave no value."""
    return value is None and collapse(printed) is not None


def _not_read(value, printed, key: str, stats):
    """`value`, read from what the page prints: where it is null though something is printed,
    counted under `key`, so that the data tells "not read" from "not shown"."""
    if _unread(value, printed):
        _count(key, 1, stats)
    return value


NOT_A_PLACE = "questions/asker_location_not_a_place"


def _asker_location(printed, stats) -> str | None:
    """The asker's place as printed; null, and counted, for an item read as one that is no
    place (places.is_place: a date, a count)."""
    return _not_read(place(printed), printed, NOT_A_PLACE, stats)


def _writes_day_first(page) -> bool:
    """Whether the page writes its numeric dates day first: one of them reads only day/month
    ("16/02/2009") and none only month/day. Its dates that read both ways ("11/02/2009")
    read as its others do, one page one order."""
    orders = {written_day_first(item.date_text) for item in (page.question, *page.answers)}
    return True in orders and False not in orders


#: + family: the dates of the data's timestamp, the page showing none as a calendar date
#: ("3 years ago", or its date's element renamed by a deploy): the contract's rule, but the
#: timestamp's offset (UTC's) may put it a day off the date the site shows. Judged as values
#: not read (pipelines.checks.values_not_read): many in a family are a redesign.
QUESTION_DATE_STAMPED = "questions/date_from_timestamp/"
ANSWER_DATE_STAMPED = "answers/date_from_timestamp/"
#: the shown dates whose element's or data's timestamp names another date (the shown one is kept)
DATE_DISAGREES = "dates/shown_disagrees_with_timestamp"


def _date(item, day_first: bool, not_read_key: str, stamped_key: str, stats) -> str | None:
    """The date of a question or answer item, counted where it did not come from the text
    shown alone."""
    value, source = read_date(item.date_text, item.date_time, day_first)
    if source == STAMPED and not _a_day(item.date_time):  # a time of day in its offset: maybe a day off
        _count(stamped_key, 1, stats)
    elif source == DISAGREES:
        _count(DATE_DISAGREES, 1, stats)
    return _not_read(value, item.date_text, not_read_key, stats)


def _a_day(timestamp) -> bool:
    """Whether a machine date names a calendar day and no time (`<time datetime="2015-03-06">`):
    that day is the date itself, in no offset that could move it."""
    return isinstance(timestamp, str) and len(timestamp.strip()) == 10 and "T" not in timestamp


def _count(key: str, n: int, stats) -> None:
    """A count of what the normalisers could not read as printed: in this process's MISSES, and
    in the page's `stats` when given (the crawl's stats collector gets them)."""
    MISSES[key] += n
    if stats is not None:
        stats[key] = stats.get(key, 0) + n
