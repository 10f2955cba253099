from __future__ import annotations

import pytest

from pipelines.normalise.title_line import parse_title_line, state_from_slug


@pytest.mark.parametrize("line,city,specialty", [
    ("Seattle Facial Plastic Surgeon", "Seattle", "Facial Plastic Surgeon"),
    ("Summit Emergency Medicine Physician", "Summit", "Emergency Medicine Physician"),
    ("Oral & Maxillofacial Surgeon", None, "Oral & Maxillofacial Surgeon"),
    ("Miami Oral & Maxillofacial Surgeon", "Miami", "Oral & Maxillofacial Surgeon"),
    ("New York Oculoplastic Surgeon", "New York", "Oculoplastic Surgeon"),
    ("Long Island  Plastic Surgeon", "Long Island", "Plastic Surgeon"),
    ("Manhattan dermatologic surgeon", "Manhattan", "dermatologic surgeon"),
    ("Dermatologist", None, "Dermatologist"),
    ("Boston Physician Assistant", "Boston", "Physician Assistant"),
    ("Austin Obstetrician-Gynecologist", "Austin", "Obstetrician-Gynecologist"),
    ("Hair Restoration Surgeon", None, "Hair Restoration Surgeon"),
])
def test_known(line, city, specialty):
    t = parse_title_line(line)
    assert (t.city, t.specialty, t.known) == (city, specialty, True)
    assert t.title_line == " ".join(line.split())


@pytest.mark.parametrize("line", ["Miami Beach Wellness Guru", "Aurora Plastic Surgeons", "Seattle NonPhysician",
                                  "Chicago Surgeon"])
def test_unknown_is_kept_and_flagged(line):
    t = parse_title_line(line)
    assert (t.city, t.specialty, t.known) == (None, None, False)
    assert t.title_line == line


@pytest.mark.parametrize("line", [
    "Baltimore Cosmetic Surgeon, Dermatologist", "Baltimore Cosmetic Surgeon & Dermatologist",
    "Baltimore Cosmetic Surgeon and Dermatologist", "Baltimore Cosmetic Surgeon / Dermatologist",
    "Baltimore Cosmetic Surgeon | Dermatologist", "Baltimore Cosmetic Surgeon \u00b7 Dermatologist",
    "Baltimore Cosmetic Surgeon; Plastic Surgeon", "Baltimore Cosmetic Surgeon or Plastic Surgeon",
    "Baltimore Cosmetic Surgeon Dermatologist", "Dermatologist, Plastic Surgeon", "Baltimore, Dermatologist",
    "Manhattan Dermatologist - Dermatologic Surgeon", "Miami Oral & Maxillofacial Surgeon + Dentist",
])
def test_a_line_of_two_specialties_or_a_city_ending_in_a_separator_is_unknown(line):
    """What precedes the specialty is no city when it holds a specialty of the vocabulary or
    ends in what joins two ("Baltimore Cosmetic Surgeon,"): the line cannot be split safely,
    so it is kept and counted as a line it cannot read, never split into a city of specialties."""
    t = parse_title_line(line)
    assert (t.city, t.specialty, t.known) == (None, None, False)
    assert t.title_line == line


@pytest.mark.parametrize("line,city", [
    ("St. Louis Dermatologist", "St. Louis"), ("Winston-Salem Dentist", "Winston-Salem"),
    ("Washington D.C. Plastic Surgeon", "Washington D.C."), ("Cleveland Plastic Surgeon", "Cleveland"),
    ("Portland Physician Assistant", "Portland"), ("Coeur d'Alene Dermatologist", "Coeur d'Alene"),
    # a state's code is no "or" (Oregon), no "and"
    ("Portland, OR Plastic Surgeon", "Portland, OR"), ("Lake Oswego OR Dermatologist", "Lake Oswego OR"),
])
def test_a_city_that_holds_no_specialty_and_ends_in_a_word_is_a_city(line, city):
    assert parse_title_line(line).city == city


def test_unknown_is_counted_in_records():
    from pipelines.normalise.records import MISSES, doctor_record

    class B:
        name = "A B, MD"
        profile_href = "/dr/a-b-x-ny"
        title_line = "Somewhere Wizard"
        rating = None
        review_count = None
        shown = ()

    before = MISSES["title_line_unknown"]
    stats: dict = {}
    rec = doctor_record(B, "https://h/q", stats)
    assert rec["title_line"] == "Somewhere Wizard" and rec["city"] is None and rec["specialty"] is None
    assert MISSES["title_line_unknown"] == before + 1 and stats["title_line_unknown"] == 1


def test_no_line():
    t = parse_title_line(None)
    assert t.title_line is None and t.city is None and t.specialty is None


@pytest.mark.parametrize("slug,state", [
    ("joel-m-stewart-jr-summit-nj", "NJ"), ("sami-nizam-montgomery-al", "AL"), ("ann-lee-toronto-on", "ON"),
    ("ann-lee-toronto-ontario", None), ("solo-md-calif.", None), ("jane-doe", None), ("jane-doe-", None),
    ("ann-lee-nj2", None), ("", None), (None, None)])
def test_state(slug, state):
    assert state_from_slug(slug) == state
