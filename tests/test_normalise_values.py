"""Ratings, review counts, votes, dates, contact info."""
from __future__ import annotations

import pytest

from pipelines.normalise.contact import has_contact_info
from pipelines.normalise.dates import parse_timestamp, to_iso_date
from pipelines.normalise.ratings import parse_rating, parse_review_count, rating_pair
from pipelines.normalise.votes import legacy_vote as widget_vote, parse_count, vote_count

# The contract's legacy vote widget shows voteCount + 1, "+" before a count not negative
CONTRACT_TEMPLATE = "{{ voteCount >= 0 ? '+' + (voteCount + 1) : (voteCount + 1) }}"


def legacy_vote(ng_init: str | None) -> int | None:
    """The vote of the contract's widget whose ng-init is `ng_init`."""
    return widget_vote(None if ng_init is None else (ng_init, CONTRACT_TEMPLATE))


@pytest.mark.parametrize("value,want", [
    ("4.7 out of 5 stars", 4.7), ("4.8 out of 5 stars 154 reviews", 4.8), ("4.2", 4.2), (4.9, 4.9),
    ("5.0 out of 5 stars", 5.0), ("1.0", 1.0), (5, 5.0),
    ("0.0 out of 5 stars", None), ("0.0", None), (0, None), ("6.1", None), (None, None), ("", None),
])
def test_rating(value, want):
    assert parse_rating(value) == want


@pytest.mark.parametrize("value,want", [
    ("154 reviews", 154), ("1 review", 1), ("4.8 out of 5 stars 1 review", 1), ("68", 68), (68, 68),
    ("1,234 reviews", 1234), ("0 reviews", 0), (None, None), ("no reviews yet", None),
])
def test_review_count(value, want):
    assert parse_review_count(value) == want


@pytest.mark.parametrize("value,want", [
    ("\u00b2", None), ("\u00b2 reviews", None), (" \u00b3 ", None), ("1\u00b2", None),  # pass isdigit, not int()
    ("\u0663", 3), ("\u0661\u0662 reviews", 12),  # decimal digits of other scripts: what \\d (votes) reads
])
def test_review_count_takes_decimal_digits_only(value, want):
    assert parse_review_count(value) == want
    assert rating_pair("4.5", value) == (4.5, want)


def test_zero_rating_keeps_count():
    assert rating_pair("0.0 out of 5 stars 3 reviews", "0.0 out of 5 stars 3 reviews") == (None, 3)
    assert rating_pair("0.0", "12") == (None, 12)
    assert rating_pair(None, None) == (None, None)


@pytest.mark.parametrize("ng,want", [("voteCount=2", 3), ("voteCount=0", 1), ("voteCount=-1", 0),
                                     ("voteCount=-2", -1), ("voteCount = 10", 11), (None, None)])
def test_legacy_vote(ng, want):
    assert legacy_vote(ng) == want
    assert vote_count(None if ng is None else (ng, CONTRACT_TEMPLATE), "ng-init") == want


@pytest.mark.parametrize("v,want", [("+3", 3), ("3", 3), (3, 3), ("0", 0), ("-1", -1), ("\u22122", -2), (-4, -4),
                                    ("- 5", -5), ("\x1f0", 0), ("-\t7", -7)])
def test_count(v, want):
    assert parse_count(v) == want


@pytest.mark.parametrize("shown,ts,want", [
    ("Oct 22, 2012", None, "2012-10-22"),
    ("October 2, 2012", None, "2012-10-02"),
    ("Sept. 5, 2019", None, "2019-09-05"),
    (" Jan 1, 2020 ", "2019-12-31T23:00:00-08:00", "2020-01-01"),
    # the shown text wins over a UTC timestamp that fell on the next day
    ("Oct 22, 2012", "2012-10-23T03:00:00.000Z", "2012-10-22"),
    # no shown text: the timestamp in its own offset, never converted to UTC
    (None, "2012-10-22T23:30:00-07:00", "2012-10-22"),
    (None, "2012-10-22", "2012-10-22"),
    ("", "2012-10-23T03:00:00.000Z", "2012-10-23"),
    ("yesterday-ish", "2012-10-22T12:00:00+09:00", "2012-10-22"),
    (None, None, None),
    ("Oct\u2060 22,\u00ad 2012", None, "2012-10-22"),  # characters nobody sees
    ("CalendarOct 22, 2012", "2012-10-23T03:00:00.000Z", None),  # a month is no word's tail: a date shown, not read
    ("Answer 3Oct 22, 2012", None, "2012-10-22"),
    ("Octopus 1, 2012", None, None), ("Mayo 12, 2020", "2020-05-13", None),  # a month is a whole word
    ("SEPTEMBER 5, 2019", None, "2019-09-05"), ("5 Sep 2019", None, "2019-09-05"),
    (None, 1350932400, "2012-10-22"), (None, 1350932400000, "2012-10-22"),  # epoch seconds, milliseconds
    (None, float("nan"), None), (None, 1e20, None), (None, float("inf"), None),
    (None, 0, None), (None, -1, None), (None, 1e11, None), (None, 4133980800, None),  # placeholders, years no site was up
])
def test_dates(shown, ts, want):
    assert to_iso_date(shown, ts) == want


def test_epoch_timestamp():
    assert parse_timestamp(1350932400) == "2012-10-22"


@pytest.mark.parametrize("text", [
    "call 305 598 0091 today", "(305) 598-0091", "(305)598-0091", "305.598.0091", "+1 305-598-0091",
    "1-305-598-0091", "call 305-598-0091.", "mail me: dr.b@example.com", "office@clinic.co.uk please",
])
def test_contact_positive(text):
    assert has_contact_info(text)


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\ufe63", "\uff0d", "\u058a"])
def test_contact_phone_number_with_a_dash_of_any_kind(dash):
    """A hyphen or dash of any kind (Unicode's dash punctuation: Word's non-breaking hyphen,
    autocorrect's en dash) separates as '-' does."""
    assert has_contact_info(f"call my office in MIAMI 305{dash}598{dash}0091")
    assert has_contact_info(f"(305) 598{dash}0091")
    assert not has_contact_info(f"5{dash}7 days, 10{dash}20 units")


@pytest.mark.parametrize("text", [
    "dr.b\uff20example.com", "dr\uff0eb\uff20example\uff0ecom", "\uff4d\uff41\uff49\uff4c\uff20\uff58\uff0e\uff43\uff4f",
    "305\u00a0598\u00a00091", "305\u202f598\u202f0091", "\uff08305\uff09\u3000598\uff0d0091",
])
def test_contact_written_in_compatibility_forms(text):
    """Fullwidth letters and signs, and no-break and narrow spaces, are the characters they
    show (NFKC): the usual way to slip an address past a filter."""
    assert has_contact_info(text)


@pytest.mark.parametrize("text", [
    "3055980091", "call 3055980091 now", "5-7 days", "10 to 20 units", "in 2012 and 2013",
    "ratio 305/598/0091", "", None, "email at example dot com", "12345 678 9012",
])
def test_contact_negative(text):
    assert not has_contact_info(text)


@pytest.mark.parametrize("text,want", [
    ("x" * 500 + " call +1 (305) 598-0091", True),      # the phone starts 9 characters before its tail
    ("1234567890 " * 3 + "id_305-598-0091", False),     # a word character before: no phone there
    ("a+305-598-0091 and 1234567890", False),           # nor after a plus sign
    ("999 999-9999x (305) 598-0091", True),             # a tail inside no phone, then a phone
    ("\u0663\u0660\u0665-598-0091", True),             # any decimal digits, as \d reads them
])
def test_contact_phone_search_starts_near_its_tail(text, want):
    assert has_contact_info(text) is want


@pytest.mark.parametrize("parse, text", [
    (parse_count, "1.2K"), (parse_count, "3,5"), (parse_count, "2M votes"), (parse_count, "1 154"),
    (parse_review_count, "1.2k reviews"), (parse_review_count, "1 154 reviews"),
    (parse_rating, "Top 5 doctor, rated 4.8"),
    # a sign, a fraction, a decimal, another base or notation: another number than its digits
    (parse_rating, "-1"), (parse_rating, "-4.5 out of 5"), (parse_rating, "\u22124.5"), (parse_rating, "4 1/2 out of 5"),
    (parse_review_count, "-3 reviews"), (parse_review_count, "12.5 reviews"), (parse_review_count, -3),
    (parse_review_count, 1.5),
    (parse_count, "1e3"), (parse_count, "0x10"), (parse_count, "1_000"), (parse_count, "1.5"), (parse_count, 1.5),
    (parse_count, "3/4"),
    (legacy_vote, "voteCount=1.5"), (legacy_vote, "voteCount=2147483647"), (legacy_vote, "voteCount=" + "9" * 5000),
])
def test_a_number_not_read_whole_is_no_value_never_a_wrong_one(parse, text):
    assert parse(text) is None


@pytest.mark.parametrize("text", ["4.6 out of 5 stars", "4.6 of 5", "4.6/5", "Rated 4.6 of 5 (12 reviews)",
                                  "4,6 out of 5 stars", "4,6/5", "Surgeon,4.6 out of 5"])  # a decimal comma, never its tail
def test_a_rating_on_its_scale_is_read_however_the_scale_is_written(text):
    assert parse_rating(text) == 4.6


@pytest.mark.parametrize("parse, text, want", [
    (parse_count, "1,234", 1234), (parse_count, "12", 12), (parse_count, "-3", -3),
    (parse_review_count, "4.7 68 reviews", 68), (parse_review_count, "5 68 reviews", 68),
    (parse_review_count, "1,234 reviews", 1234),
    (parse_rating, "4.7 stars (68 reviews)", 4.7), (parse_rating, "4.7 (68 reviews)", 4.7),
    (parse_count, 3.0, 3), (parse_review_count, 68.0, 68), (legacy_vote, "voteCount=3;", 4),
    (parse_review_count, "4.8-68 reviews", 68), (parse_review_count, "4.8 out of 5 stars-68 reviews", 68),  # dashes
])
def test_numbers_read_whole_are_read(parse, text, want):
    assert parse(text) == want


# Shapes of a number these parsers do not read whole: another locale's or notation's marks
# joining digits, comma groups that are no thousands, a longer number. One rule
# (pipelines.normalise.numbers.whole_number) refuses them for every count read from text.
NOT_WHOLE = ["1e30", "1e3", "1'234", "1\u2019234", "1\u066c234", "12,34", "1,2345", "3.5", "3\u066b5",
             "3\u00b75", "0x10", "1_000", "1.2K", "1 154", "12\u00b2", "3\u00bd"]


@pytest.mark.parametrize("text", ["Mar 12\u00b2, 2018", "Mar 12, 2018\u00b2", "12\u00bd/03/2018"])
def test_a_date_whose_digits_go_on_in_other_numerals_is_no_date(text):
    assert to_iso_date(text) is None


@pytest.mark.parametrize("shape", NOT_WHOLE)
def test_one_rule_for_a_count_read_whole_or_not_at_all(shape):
    from crawler.pages.counts import declared_count

    assert parse_count(shape) is None
    assert vote_count(shape) is None
    assert parse_review_count(f"{shape} reviews") is None
    assert rating_pair("4.5 out of 5 stars", f"4.5 out of 5 stars ({shape} reviews)") == (4.5, None)
    assert declared_count(f"Doctor Answers ({shape})") is None


@pytest.mark.parametrize("text", [
    "NaN out of 5 stars", "out of 5 stars", "\u00bd out of 5 stars", "Infinity out of 5 stars",
    "3\u066b5 out of 5 stars", "3\u00b75 out of 5 stars", "0x4 out of 5 stars", "1e4 out of 5 stars",
    "3'5 out of 5 stars", "of 5", "/5", "stars: /5 (68 reviews)", "4.5 out of 5.5 stars", "1e3 reviews",
    "4.7 (1e3 reviews)",
])
def test_a_rating_line_without_its_number_is_no_rating_never_the_scale(text):
    assert parse_rating(text) is None


@pytest.mark.parametrize("text", ["4.7 out of 5.0 stars", "4,7 out of 5,0", "4.7/5.0", "4.7 of 5 (1e3 reviews)"])
def test_a_scale_written_with_its_decimals_is_a_scale(text):
    assert parse_rating(text) == 4.7


@pytest.mark.parametrize("shown", ["Jan 1, 10000", "May 5, 20190", "123 Oct 2012", "19999-01-01", "2012-10-222",
                                   "10/22/20120", "110/22/2012", "Oct 22, 2012.5", "1.22 Oct 2012"])
def test_a_shown_date_read_from_part_of_a_number_is_no_date(shown):
    assert to_iso_date(shown) is None
    # a date shown that does not read is no date, never the timestamp's (the text decides)
    assert to_iso_date(shown, "2012-10-22T10:00:00Z") is None


@pytest.mark.parametrize("shown,ts", [
    ("Jan 1, 0001", None), ("Dec 31, 9999", None), ("1994-12-31", None), ("Jan 1, 2101", None),
    (None, "0001-01-01T00:00:00Z"), (None, "9999-12-31"), (None, "1970-01-01T00:00:00Z"), (None, 0),
    (None, "20120-10-22"),
])
def test_a_date_no_page_can_name_is_no_date_however_it_comes(shown, ts):
    """One range of years (1995-2100) for shown text, ISO strings and epochs alike."""
    assert to_iso_date(shown, ts) is None


@pytest.mark.parametrize("shown,ts,want", [("Jan 1, 1995", None, "1995-01-01"), ("Dec 31, 2100", None, "2100-12-31"),
                                           (None, "1995-01-01T00:00:00Z", "1995-01-01")])
def test_the_range_of_dates_holds_its_ends(shown, ts, want):
    assert to_iso_date(shown, ts) == want


@pytest.mark.parametrize("ng", ["voteCount=1'234", "voteCount=1,234", "voteCount=1e3"])
def test_a_legacy_vote_not_read_whole_is_no_count(ng):
    assert legacy_vote(ng) is None


@pytest.mark.parametrize("shown,ts,day_first,want", [
    ("11/02/2009", "2009-02-11", False, ("2009-02-11", "shown")),  # the machine-readable date settles the order
    ("11/02/2009", "2009-11-02T12:00:00-07:00", False, ("2009-11-02", "shown")),
    ("11/02/2009", "2009-02-12T03:00:00.000Z", False, ("2009-02-11", "shown")),  # UTC's, a day off, settles it too
    ("11/02/2009", None, False, ("2009-11-02", "shown")),  # nothing settles it: month first
    ("11/02/2009", None, True, ("2009-02-11", "shown")),  # the page writes day first
    ("16/02/2009", None, False, ("2009-02-16", "shown")),  # only day first is a date: the text decides
    ("16/02/2009", "2009-02-16", False, ("2009-02-16", "shown")),
    ("16/02/2009", "2009-03-01", False, ("2009-02-16", "disagrees")),  # the text decides, counted
    ("11/02/2009", "2009-03-01", False, ("2009-11-02", "disagrees")),
    ("Oct 22, 2012", "2012-10-23T03:00:00.000Z", False, ("2012-10-22", "shown")),
    ("Oct 22, 2012", "2012-12-01", False, ("2012-10-22", "disagrees")),
    (None, "2012-10-22T23:30:00-07:00", False, ("2012-10-22", "timestamp")),
    ("13/13/2009", None, False, (None, None)), ("31/02/2009", "2009-02-28", False, (None, None)),  # shown, not read: no date
    ("Answered 3 days ago", "2012-10-22T23:30:00-07:00", False, ("2012-10-22", "timestamp")),  # no calendar date shown
])
def test_a_shown_date_and_a_machine_readable_one_are_read_together(shown, ts, day_first, want):
    from pipelines.normalise.dates import read_date
    assert read_date(shown, ts, day_first) == want
    assert to_iso_date(shown, ts, day_first) == want[0]


@pytest.mark.parametrize("shown,ts,want", [
    # the element's machine-readable date names which of the line's dates is the item's
    ("Updated May 10, 2013 \u00b7 Answered Oct 22, 2012", "2012-10-22T12:00-07:00", ("2012-10-22", "shown")),
    ("May 10, 2013 \u00b7 Oct 22, 2012", "2012-10-23T03:00:00.000Z", ("2012-10-22", "shown")),
    ("Edited 05/10/2013, asked 10/22/2012", "2012-10-22", ("2012-10-22", "shown")),
    # none agrees, or none is given: the date labelled as the item's own, else the one not an edit's
    ("Updated May 10, 2013 \u00b7 Answered Oct 22, 2012", None, ("2012-10-22", "shown")),
    ("Updated May 10, 2013 \u00b7 Answered Oct 22, 2012", "2014-01-01", ("2012-10-22", "disagrees")),
    ("Posted 22 Oct 2012 (updated 10 May 2013)", None, ("2012-10-22", "shown")),
    ("Oct 22, 2012 \u00b7 Edited May 10, 2013", None, ("2012-10-22", "shown")),
    # nothing tells which: no date, counted as not read
    ("May 10, 2013 \u00b7 Oct 22, 2012", None, (None, None)),
    ("Updated May 10, 2013 \u00b7 Updated Oct 22, 2012", "2014-01-01", (None, None)),
    ("Answered Oct 22, 2012 \u00b7 Answered Oct 23, 2012", "2012-10-22T23:30:00-07:00", (None, None)),
    # one date shown twice is one date
    ("Oct 22, 2012 (10/22/2012)", None, ("2012-10-22", "shown")),
    # a line showing an edit's date alone: never the item's; its timestamp's date where it is
    # no later than the edit's, else no date
    ("Updated Oct 25, 2012", "2012-10-22T12:00:00-07:00", ("2012-10-22", "timestamp")),
    ("Answered 3 days ago (edited Oct 25, 2012)", "2012-10-22T12:00:00-07:00", ("2012-10-22", "timestamp")),
    ("Asked 3 days ago \u00b7 Last edited: 25 Oct 2012", "2012-10-22", ("2012-10-22", "timestamp")),
    ("Answered 3 days ago \u00b7 Updated Oct 25, 2012", None, (None, None)),
    ("Modified 10/25/2012", None, (None, None)),
    ("Revised Oct 25, 2012", "2013-01-01T12:00:00Z", (None, None)),  # posted after its edit: no date
])
def test_a_line_showing_several_dates_reads_as_the_items_own(shown, ts, want):
    """An edited answer shows "Updated <edit> \u00b7 Answered <date>": its date is never the
    first one read blindly (tester M, 5)."""
    from pipelines.normalise.dates import read_date
    assert read_date(shown, ts) == want


@pytest.mark.parametrize("text,want", [
    ("Phoenix, AZ", True), ("St. Louis, MO", True), ("Beverly Hills, CA 90210", True), ("Twentynine Palms, CA", True),
    ("Apr 24, 2021", False), ("Asked on 04/24/2021", False), ("2021-04-24", False), ("12", False),
    ("1,234 views", False), ("1.2K views", False), ("3 days ago", False), (" ", False), (None, False),
])
def test_a_date_a_number_or_a_count_is_no_place(text, want):
    from pipelines.normalise.places import is_place
    assert is_place(text) is want


# A count shown with a character no reader sees between its digits is the number the reader
# sees; a value of two numbers ("12 34", "4-2") is none, never its first part.
INVISIBLE_INSIDE = [("4\u00ad2", 42), ("4\u200b2", 42), ("1\ufeff234", 1234), ("4\x002", 42), ("1\u200e2", 12)]
TWO_NUMBERS = ["12 34", "4 2", "4-2", "4\u20092", "1\u00a02", "12 3", "4\ufffd2", "4\u2060 2"]


@pytest.mark.parametrize("text, want", INVISIBLE_INSIDE + [(shape, None) for shape in TWO_NUMBERS])
def test_every_count_is_read_through_the_cleaner_and_whole(text, want):
    from crawler.pages.counts import declared_count

    assert parse_count(text) == want
    assert vote_count(text) == want
    assert legacy_vote(f"voteCount={text}") == (None if want is None else want + 1)
    assert vote_count((f"voted=false; voteCount={text}", CONTRACT_TEMPLATE), "ng-init") == (None if want is None else want + 1)
    assert declared_count(f"Doctor Answers ({text})") == want
    assert parse_review_count(text) == want


@pytest.mark.parametrize("text, want", INVISIBLE_INSIDE)
def test_a_review_count_is_read_through_the_cleaner(text, want):
    """(A number before "N reviews" may be the rating, "5 68 reviews": not tried here.)"""
    assert parse_review_count(f"{text} reviews") == want
    assert rating_pair("4.5", f"4.5 out of 5 stars ({text} reviews)") == (4.5, want)
    assert parse_rating(f"4.\u00ad5 out of 5 stars ({text} reviews)") == 4.5


@pytest.mark.parametrize("ng", ["voteCount=3 && x", "voteCount=\u22123", "voteCount=3 4; voted=false", "voteCount=",
                                "voteCount=+", "voteCount=1,234"])
def test_a_legacy_vote_is_one_integer_literal_or_none(ng):
    """AngularJS assigns the expression; one that is not an integer literal shows no count."""
    assert legacy_vote(ng) is None


@pytest.mark.parametrize("family, old, new", [
    ("nextjs", '"helpfulCount": 3', '"helpfulCount": "{}"'),
    ("provider-card", "&quot;likeCount&quot;: &quot;3&quot;", "&quot;likeCount&quot;: &quot;{}&quot;"),
    ("legacy", 'ng-init="voteCount=2"', 'ng-init="voteCount={}"'),
])
@pytest.mark.parametrize("shown, want", [("4\u00ad2", 42), ("4\u200b2", 42), ("12 34", None), ("4 2", None)])
def test_a_page_vote_of_every_family_is_read_whole(family, old, new, shown, want):
    import json

    from crawler.pages import parse_question_page
    from pipelines.normalise.records import page_records
    from tests.contract import PAGES

    html = (PAGES / f"botox-injections-days-knot-redness-injection-sites.{family}.html").read_text(encoding="utf-8")
    assert old in html, old
    value = json.dumps(shown)[1:-1] if family == "nextjs" else shown  # a JSON string's escapes
    page = parse_question_page("https://www.realself.com/question/botox-injections-days-knot-redness-injection-sites",
                               html.replace(old, new.format(value), 1))
    first = next(r for r in page_records(page) if r["type"] == "answer")
    assert first["vote_count"] == (want if want is None or family != "legacy" else want + 1)


PC_VOTE = "rs-static-data='{&quot;likeCount&quot;: &quot;3&quot;, &quot;contentId&quot;: &quot;1040755&quot;}'"


def _records_and_stats(family: str, old: str, new: str, *more: tuple[str, str]) -> tuple[list[dict], dict]:
    """The records of the contract's sample page of `family`, `old` replaced by `new` (and each
    further (old, new) of `more`), and its stats."""
    from crawler.pages import parse_question_page
    from pipelines.normalise.records import page_records
    from tests.contract import PAGES

    html = (PAGES / f"botox-injections-days-knot-redness-injection-sites.{family}.html").read_text(encoding="utf-8")
    for old, new in ((old, new), *more):
        assert old in html, old
        html = html.replace(old, new, 1)
    page = parse_question_page("https://www.realself.com/question/botox-injections-days-knot-redness-injection-sites", html)
    stats: dict = {}
    return page_records(page, stats), stats


def _first_answer_and_stats(family: str, old: str, new: str) -> tuple[dict, dict]:
    records, stats = _records_and_stats(family, old, new)
    return next(r for r in records if r["type"] == "answer"), stats


@pytest.mark.parametrize("family, old, new", [
    *(("nextjs", '"helpfulCount": 3', f'"helpfulCount": {v}')
      for v in ("2147483648", "2e70", "1e400", "-Infinity", "NaN", "3.5", '"many"', "true",
                '{"count": 3}', "[3]", "{}", "[]")),  # data of a new shape: no number guessed from it
    *(("provider-card", PC_VOTE, f"rs-static-data='{v}'") for v in (
        "{likeCount: 3, contentId: 1040755}",                      # a JavaScript object literal
        "{&quot;likeCount&quot;: 3,}",                             # a trailing comma
        "\ufeff{&quot;likeCount&quot;: 3}",                         # a byte-order mark
        "{&quot;likeCount&quot;: 2147483648}", "{&quot;likeCount&quot;: NaN}", "{&quot;likeCount&quot;: 3.5}",
        "{&quot;likeCount&quot;: {&quot;count&quot;: 3}}", "{&quot;likeCount&quot;: [3]}")),
    *(("legacy", 'ng-init="voteCount=2"', f'ng-init="{v}"') for v in ("voteCount=99999999999", "voteCount=1.2K")),
])
def test_a_vote_shown_but_not_read_is_null_and_counted_per_family(family, old, new):
    """A vote the page shows that gives no count (data that does not read, a number no count
    fits) is null as any value not read as printed, and counted, by family: never a null
    that says nothing, as for an answer that shows no vote."""
    answer, stats = _first_answer_and_stats(family, old, new)
    assert answer["vote_count"] is None
    assert stats == {f"answers/vote_not_read/{family}": 1}


@pytest.mark.parametrize("card, counted", [(">+3</span>", {"answers/vote_not_read/nextjs": 1}), ("></span>", {})])
def test_an_answer_whose_data_gives_its_vote_as_null_is_counted_where_its_card_prints_one(card, counted):
    """A vote the card prints that the data does not give is printed and not read, never "no
    vote"; where the card prints none either, the null is no miss."""
    records, stats = _records_and_stats("nextjs", '"helpfulCount": 3', '"helpfulCount": null', (">+3</span>", card))
    assert next(r for r in records if r["type"] == "answer")["vote_count"] is None and stats == counted


@pytest.mark.parametrize("family, old, new", [
    ("provider-card", PC_VOTE, "rs-static-data='{&quot;contentId&quot;: &quot;1040755&quot;}'"),  # likeCount renamed
    ("legacy", 'ng-init="voteCount=2"', ""),  # a count the server renders ("+3"): no statement gives it
])
def test_a_vote_widget_that_gives_no_count_is_null_and_counted(family, old, new):
    """Every answer shows a vote (the contract): a widget that gives none was a null that said
    nothing, as if the answer showed no vote."""
    answer, stats = _first_answer_and_stats(family, old, new)
    assert answer["vote_count"] is None and stats == {f"answers/vote_not_read/{family}": 1}


LEGACY_COUNT = '<span class="rs-vote__count">' + CONTRACT_TEMPLATE + "</span>"  # for voteCount=2: "+3"


@pytest.mark.parametrize("count, shown", [
    ("<span>{{ voteCount }}</span>", 2), ("<span>{{voteCount|number}}</span>", 2), ("<span>{{ voteCount | number:0 }}</span>", 2),
    ("<span>+{{ voteCount }}</span>", 2), ("<span>{{ voteCount - 1 }}</span>", 1), ("<span>{{ (voteCount + 5) }}</span>", 7),
    ("<span>{{ voteCount }} helpful</span>", 2), ('<span ng-bind="voteCount"></span>', 2),
    ('<span data-ng-bind="voteCount + 2">0</span>', 4), ('<span ng-bind-template="+{{ voteCount }}"></span>', 2),
    ("<span>{{ voteCount > 0 ? '+' + voteCount : voteCount }}</span>", 2),
    ("<span>5</span>", 5),  # rendered on the server: what the reader sees
])
def test_a_legacy_vote_is_the_number_its_template_shows(count, shown):
    """The widget's template says which count a reader sees (the contract's shows
    voteCount + 1): a site that fixes or changes it changes the vote, never read as N + 1."""
    answer, stats = _first_answer_and_stats("legacy", LEGACY_COUNT, count)
    assert answer["vote_count"] == shown and stats == {}


@pytest.mark.parametrize("count", [
    "<span>{{ voteCount * 2 }}</span>", "<span>{{ shown }}</span>", "<span>{{ voteCount + bonus }}</span>",
    '<span ng-bind="voteCount + 2 * 3"></span>', "<span>{{ voteCount }}</span><span>{{ voteCount + 1 }}</span>",
    "<span>{{ voteCount > 0 ? voteCount : 0 }}</span>", "<span>{{ voteCount | currency }}</span>", "",
])
def test_a_legacy_vote_template_of_another_form_is_a_vote_not_read(count):
    """A template whose value is not certain (a product, another variable, two counts, a
    choice of two numbers, another filter) or no count at all: null and counted, never N + 1."""
    answer, stats = _first_answer_and_stats("legacy", LEGACY_COUNT, count)
    assert answer["vote_count"] is None and stats == {"answers/vote_not_read/legacy": 1}


def test_an_answer_without_vote_data_is_a_page_of_a_new_shape():
    from crawler.pages import PageError

    with pytest.raises(PageError, match="an answer without its vote"):
        _first_answer_and_stats("provider-card", PC_VOTE, "")


@pytest.mark.parametrize("shown, want", [
    ("22nd October 2012", "2012-10-22"), ("1st Dec 2012", "2012-12-01"), ("22-Oct-2012", "2012-10-22"),
    ("2012/10/22", "2012-10-22"), ("2012.10.22", "2012-10-22"), ("22.10.2012", "2012-10-22"),
    ("10-22-2012", "2012-10-22"), ("Mar 3 , 2012", "2012-03-03"),
    ("11.02.2009", "2009-11-02"),  # read both ways: month first, as the site writes them
])
def test_common_printed_forms_of_a_date_are_read(shown, want):
    assert to_iso_date(shown) == want
    # the text decides, not a timestamp read in UTC a day later (7:30 pm Pacific)
    assert to_iso_date(shown, "2012-10-23T03:30:00.000Z") == want


# the first answer's shown date, by family
ANSWER_DATES = {
    "legacy": 'class="rs-answer__date" datetime="2012-10-22T12:00:00-07:00">{}<',
    "provider-card": '<ul class="Content-byline Byline"><li class="Byline-item"><time datetime="2012-10-22">{}<',
    "nextjs": '<span class="answer-card_date__32310">{}<',
}


@pytest.mark.parametrize("family", sorted(ANSWER_DATES))
@pytest.mark.parametrize("shown", ["Oct 22, '12", "10/22/12", "31/02/2012", "22 Octobre 2012"])
def test_a_shown_date_not_read_is_null_never_the_timestamps_and_counted(family, shown):
    """The date shown decides: one that does not read is no date (the data's timestamp, read in
    UTC, may be a day off it), null and counted, never counted as a page that shows no date."""
    old = ANSWER_DATES[family]
    answer, stats = _first_answer_and_stats(family, old.format("Oct 22, 2012"), old.format(shown))
    assert answer["answered_on"] is None
    assert stats == {f"answers/date_not_read/{family}": 1}


# the rating of the first doctor with one (4.8, 154 reviews) by family: its line, or its data's value
RATINGS = {
    "legacy": ('<div class="rs-byline__rating">{} <a', "4.8 out of 5 stars"),
    "provider-card": ('<meta itemprop="ratingValue" content="{}">', "4.8"),
    "nextjs": ('"rating": {{"average": {}, "count": 154}}', "4.8"),
}


def _first_doctor_and_stats(family: str, shown: str) -> tuple[dict, dict]:
    import json

    from crawler.pages import parse_question_page
    from pipelines.normalise.records import page_records
    from tests.contract import PAGES

    html = (PAGES / f"botox-injections-days-knot-redness-injection-sites.{family}.html").read_text(encoding="utf-8")
    template, was = RATINGS[family]
    assert template.format(was) in html
    new = template.format(json.dumps(shown) if family == "nextjs" else shown)
    page = parse_question_page("https://www.realself.com/question/botox-injections-days-knot-redness-injection-sites",
                               html.replace(template.format(was), new, 1))
    stats: dict = {}
    return next(r for r in page_records(page, stats) if r["type"] == "doctor" and r["doctor_id"] == "kamran-khoobehi-new-orleans-la"), stats


@pytest.mark.parametrize("family", sorted(RATINGS))
@pytest.mark.parametrize("shown", ["4,5 von 5", "4.5 of 10", "Rated 4.5 by 12 patients", "NaN out of 5"])
def test_a_rating_printed_but_not_read_is_null_and_counted(family, shown):
    """Null as for a byline that shows no rating, but counted: the data tells them apart. Its
    count stays: legacy's is its own element ("4.5 of 10 <a>154 reviews</a>" is no "10 154")."""
    doctor, stats = _first_doctor_and_stats(family, shown)
    assert doctor["rating"] is None and doctor["review_count"] == 154
    assert stats == {f"doctors/rating_not_read/{family}": 1}


@pytest.mark.parametrize("family, old, new", [
    ("nextjs", '"average": 4.8, "count": 154', '"average": 96, "count": 154'),    # of 100
    ("nextjs", '"average": 4.8, "count": 154', '"average": 9.6, "count": 154'),   # of 10
    ("nextjs", '"average": 4.8, "count": 154', '"average": -1, "count": 154'),
    ("provider-card", '<meta itemprop="ratingValue" content="4.8">', '<meta itemprop="ratingValue" content="9.6">'),
    ("provider-card", '<meta itemprop="ratingValue" content="4.8">',
     '<meta itemprop="ratingValue" content="4.8"><meta itemprop="bestRating" content="10">'),  # 4.8 of 10, no 4.8 of 5
    ("legacy", "4.8 out of 5 stars", "9.6 out of 10 stars"),
])
def test_a_rating_on_another_scale_is_null_and_counted_in_every_family(family, old, new):
    """The site's 1-5 scale: a rating outside it, save the site's 0.0 ("none yet"), is a rating
    of another scale, printed but not read, as legacy's "9.6 out of 10" always was."""
    doctor, stats = _first_doctor_and(family, old, new)
    assert doctor["rating"] is None and doctor["review_count"] == 154
    assert stats == {f"doctors/rating_not_read/{family}": 1}


def test_a_rating_of_five_on_its_scale_is_read():
    doctor, stats = _first_doctor_and("provider-card", '<meta itemprop="ratingValue" content="4.8">',
                                      '<meta itemprop="ratingValue" content="4.8"><meta itemprop="bestRating" content="5">')
    assert doctor["rating"] == 4.8 and stats == {}


@pytest.mark.parametrize("new, counted", [
    ('"average": {"value": 4.8}, "count": 154', ["rating"]),
    ('"average": [4.8], "count": 154', ["rating"]),
    ('"average": 4.8, "count": {"total": 154}', ["review_count"]),
])
def test_a_nextjs_rating_in_data_of_a_new_shape_is_null_and_counted(new, counted):
    """An object or a list where the data held a number: printed, but no number guessed from
    it, and counted as not read, never passed off as a byline without a rating."""
    doctor, stats = _first_doctor_and("nextjs", '"average": 4.8, "count": 154', new)
    assert stats == {f"doctors/{kind}_not_read/nextjs": 1 for kind in counted}
    assert all(doctor[kind] is None for kind in counted)


def test_a_nextjs_rating_that_is_no_object_counts_both_its_values_not_read():
    doctor, stats = _first_doctor_and("nextjs", '"rating": {"average": 4.8, "count": 154}', '"rating": [4.8, 154]')
    assert doctor["rating"] is None and doctor["review_count"] is None
    assert stats == {"doctors/rating_not_read/nextjs": 1, "doctors/review_count_not_read/nextjs": 1}


def _first_doctor_and(family: str, old: str, new: str) -> tuple[dict, dict]:
    """The first rated doctor's record (4.8, 154 reviews) and the page's stats, `old` replaced."""
    records, stats = _records_and_stats(family, old, new)
    return next(r for r in records if r["type"] == "doctor" and r["doctor_id"] == "kamran-khoobehi-new-orleans-la"), stats


REVIEWS = {
    "legacy": ('/reviews">{}</a>', "154 reviews"),
    "provider-card": ('<meta itemprop="reviewCount" content="{}">', "154"),
    "nextjs": ('"rating": {{"average": 4.8, "count": {}}}', "154"),
}


@pytest.mark.parametrize("family", sorted(REVIEWS))
@pytest.mark.parametrize("shown", ["a dozen reviews", "154.5 reviews", "-3 reviews",
                                   "1.2k reviews", "2.5K reviews", "(1.2k)",  # abbreviated: rounded, not the count
                                   # a few of the reviews, a bound, a number spelt in several words: no count
                                   "3 new reviews", "10 most recent reviews", "Over 500 reviews", "500+ reviews",
                                   "about 150 reviews", "Thirty-five reviews", "twenty one reviews",
                                   "One hundred reviews", "Ninety-nine verified reviews"])
def test_a_review_count_printed_but_not_read_is_null_and_counted(family, shown):
    doctor, stats = _first_doctor_with_reviews_shown(family, shown)
    assert doctor["review_count"] is None and stats == {f"doctors/review_count_not_read/{family}": 1}


@pytest.mark.parametrize("family", sorted(REVIEWS))
@pytest.mark.parametrize("shown, want", [
    ("154 verified reviews", 154), ("154 patient reviews", 154), ("154 verified patient reviews", 154),
    ("(154)", 154), ("[1,154]", 1154), ("One review", 1), ("twelve verified reviews", 12), ("154reviews", 154),
])
def test_a_review_count_a_person_reads_is_read_alike_in_every_family(family, shown, want):
    doctor, stats = _first_doctor_with_reviews_shown(family, shown)
    # nextjs's card and provider-card's stars still print the page's "154 reviews": data or
    # microdata giving another count disagree with what readers see, counted (records._shown_disagrees)
    disagrees = {f"doctors/review_count_shown_disagrees/{family}": 1} if family != "legacy" and want != 154 else {}
    assert doctor["review_count"] == want and stats == disagrees


@pytest.mark.parametrize("text, want", [
    ("4.7 out of 5 stars 68 verified reviews", 68), ("4.7 out of 5 stars (68)", 68), ("4.7 (68)", 68),
    ("4.8 out of 5 stars One review", 1),
    ("5 stars from reviews", None), ("Rated 4 by reviews", None), ("4.7 out of 5 stars", None),
    ("phone reviews", None), ("(-3)", None), ("(12,34)", None), ("(1.2k)", None),
    # words that count a few of the reviews make no count: the bracketed one beside the rating is it
    ("4.8 out of 5 stars (154) \u00b7 3 new reviews", 154), ("4.8 (154) \u00b7 10 most recent reviews", 154),
    ("12 new reviews since June (68 total)", None), ("Over 500 reviews", None), ("~500 reviews", None),
    ("at least 500 reviews", None), ("Forty two reviews", None), ("One hundred and one reviews", None),
    ("4.8 out of 5 stars, about 154 reviews", None), ("68 total reviews", 68), ("68 verified customer reviews", 68),
])
def test_a_review_count_beside_its_rating(text, want):
    """The count, never the rating, nor a word that holds a number word ("phone")."""
    assert parse_review_count(text) == want


@pytest.mark.parametrize("text, want", [
    ("4.8 out of 5 154 reviews", 154), ("4.8/5 154 reviews", 154), ("Rated 4.8 out of 5 154 reviews", 154),
    ("4.8 of 5.0 154 reviews", 154), ("5/5 154 reviews", 154), ("4.8 / 5 (154)", 154),
    # a group of the count's own digits still makes it no count
    ("4.8 out of 5 1 154 reviews", None), ("4.8/5 12 154 reviews", None), ("1 154 reviews", None),
])
def test_a_rating_scale_is_no_digit_group_of_the_count_after_it(text, want):
    """The scale's number is the rating's: "out of 5 154 reviews" is 154 reviews, not "5 154"."""
    assert parse_review_count(text) == want


@pytest.mark.parametrize("line", [
    "4.8 out of 5 <a href=\"/r\">154 reviews</a>", "4.8/5 <a href=\"/r\">154 reviews</a>",
    "Rated 4.8 out of 5 <a href=\"/r\">154 reviews</a>", "4.8 <span>154 reviews</span>",
    "<span>4.8 out of 5</span> <span><b>154</b> reviews</span>", "4.8 out of 5 <a href=\"/r\"><span>154</span> reviews</a>",
])
def test_a_legacy_review_count_in_its_own_element_is_read_beside_any_rating(line):
    """The count's own element is read: its digits never join the rating's before it."""
    old = '<div class="rs-byline__rating">4.8 out of 5 stars <a href="/dr/kamran-khoobehi-new-orleans-la/reviews">154 reviews</a>'
    records, stats = _records_and_stats("legacy", old, f'<div class="rs-byline__rating">{line}')
    doctor = next(r for r in records if r["type"] == "doctor" and r["doctor_id"] == "kamran-khoobehi-new-orleans-la")
    assert (doctor["rating"], doctor["review_count"], stats) == (4.8, 154, {})


def _first_doctor_with_reviews_shown(family: str, shown: str) -> tuple[dict, dict]:
    """The first rated doctor's record and the page's stats, its review count printed `shown`."""
    import json

    from crawler.pages import parse_question_page
    from pipelines.normalise.records import page_records
    from tests.contract import PAGES

    html = (PAGES / f"botox-injections-days-knot-redness-injection-sites.{family}.html").read_text(encoding="utf-8")
    template, was = REVIEWS[family]
    assert template.format(was) in html
    html = html.replace(template.format(was), template.format(json.dumps(shown) if family == "nextjs" else shown), 1)
    stats: dict = {}
    records = page_records(parse_question_page("https://www.realself.com/question/x", html), stats)
    doctor = next(r for r in records if r["type"] == "doctor" and r["doctor_id"] == "kamran-khoobehi-new-orleans-la")
    return doctor, stats


@pytest.mark.parametrize("family", sorted(RATINGS))
def test_the_sites_none_rating_is_null_and_not_counted(family):
    """0.0 is how the site prints "no rating yet": no rating, nothing that failed to read."""
    doctor, stats = _first_doctor_and_stats(family, "0.0 out of 5 stars" if family == "legacy" else "0.0")
    assert doctor["rating"] is None and stats == {}
