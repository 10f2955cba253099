"""A byline value a page shows in two places (a nextjs card and its __NEXT_DATA__, a provider
card's stars and its microdata) that disagree once normalised: the field keeps its own source,
and the disagreement is counted by field and family, never dropped in silence."""
from __future__ import annotations

import pytest

from crawler.pages import parse_question_page
from pipelines.normalise.records import page_records
from tests.test_pages_samples import URL, sample

SLUG = "joseph-a-eviatar-new-york-ny"
NEXTJS_NAME = f'<a class="provider-byline_name__3fcb8" href="/dr/{SLUG}">Joseph A. Eviatar, MD, FACS</a>'
NEXTJS_TITLE = '<p class="provider-byline_title__24882">New York Oculoplastic Surgeon</p>'
NEXTJS_STARS = "<span>4.7 out of 5 stars</span><span>68 reviews</span>"
NEXTJS_DATA = '"displayName": "Joseph A. Eviatar, MD, FACS", "subtitle": "New York Oculoplastic Surgeon"'


def _records(family: str, *replacements):
    html = sample(family)
    for old, new in replacements:
        assert old in html, old
        html = html.replace(old, new)
    stats: dict = {}
    recs = page_records(parse_question_page(URL, html), stats)
    doctor = next(r for r in recs if r["type"] == "doctor" and r["doctor_id"] == SLUG)
    return doctor, {k: v for k, v in stats.items() if "shown_disagrees" in k}


@pytest.mark.parametrize("family, replacements, field, kept", [
    ("nextjs", [(NEXTJS_STARS, "<span>3.1 out of 5 stars</span><span>68 reviews</span>")], "rating", 4.7),
    ("nextjs", [(NEXTJS_STARS, "<span>4.7 out of 5 stars</span><span>1,540 reviews</span>")], "review_count", 68),
    ("nextjs", [(NEXTJS_DATA, NEXTJS_DATA.replace("MD, FACS", "DO"))], "credentials", ["DO"]),
    ("nextjs", [(NEXTJS_DATA, NEXTJS_DATA.replace("Eviatar,", "Evans,"))], "display_name", "Joseph A. Evans"),
    ("nextjs", [(NEXTJS_TITLE, NEXTJS_TITLE.replace("New York", "Boston"))], "title_line",
     "New York Oculoplastic Surgeon"),
    ("provider-card", [('aria-label="4.7 out of 5 stars"', 'aria-label="3.1 out of 5 stars"')], "rating", 4.7),
    ("provider-card", [('<span class="Rating-count">68 reviews', '<span class="Rating-count">1,540 reviews')],
     "review_count", 68),
])
def test_a_byline_value_shown_otherwise_than_its_data_is_counted_by_field_and_family(family, replacements, field,
                                                                                    kept):
    doctor, disagree = _records(family, *replacements)
    assert doctor[field] == kept  # the field's own source
    assert disagree == {f"doctors/{field}_shown_disagrees/{family}": 1}


@pytest.mark.parametrize("family, replacements", [
    # the same values written otherwise agree once normalised; the title line, stale, does not
    ("nextjs", [(NEXTJS_STARS, "<span>4.70 out of 5 stars</span><span>68 Reviews</span>"),
                ('"rating": {"average": 4.7, "count": 68}', '"rating": {"average": "4.7", "count": "68"}'),
                (NEXTJS_NAME, NEXTJS_NAME.replace("MD, FACS", "M.D., F.A.C.S.")),
                (NEXTJS_TITLE, NEXTJS_TITLE.replace("New York ", "Boston\n"))]),
    ("provider-card", [('content="68"', 'content="68.0"'),
                       ('<span class="Rating-count">68 reviews', '<span class="Rating-count">68 verified reviews'),
                       ('aria-label="4.7 out of 5 stars"', 'aria-label="4.7/5"'),
                       ('content="4.7"', 'content="4.2"')]),
])
def test_only_the_values_that_read_otherwise_are_counted(family, replacements):
    stale = "title_line" if family == "nextjs" else "rating"
    assert _records(family, *replacements)[1] == {f"doctors/{stale}_shown_disagrees/{family}": 1}


def test_a_disagreement_is_counted_though_the_doctor_was_read_before():
    """The doctor records are cached per doctor; what the card shows is part of the key, so a
    page of another crawl that disagrees is counted, and one that agrees is not."""
    stale = [(NEXTJS_STARS, "<span>3.1 out of 5 stars</span><span>68 reviews</span>")]
    assert _records("nextjs")[1] == {}
    assert _records("nextjs", *stale)[1] == {"doctors/rating_shown_disagrees/nextjs": 1}
    assert _records("nextjs", *stale)[1] == {"doctors/rating_shown_disagrees/nextjs": 1}
    assert _records("nextjs")[1] == {}
