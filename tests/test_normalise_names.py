from __future__ import annotations

import pytest

from pipelines.normalise.names import parse_name

CASES = [
    # name as printed -> display, given, middle, family, suffix, credentials
    ("Thomas W. Bender, III MD", "Thomas W. Bender III", "Thomas", "W.", "Bender", "III", ["MD"]),
    ("Joel M. Stewart, Jr., MD", "Joel M. Stewart Jr.", "Joel", "M.", "Stewart", "Jr.", ["MD"]),
    ("Evans Bailey, MD, PhD, FACMS", "Evans Bailey", "Evans", None, "Bailey", None, ["MD", "PhD", "FACMS"]),
    ("David A Lairmore", "David A Lairmore", "David", "A", "Lairmore", None, []),
    ("Joseph A. Eviatar, MD, FACS", "Joseph A. Eviatar", "Joseph", "A.", "Eviatar", None, ["MD", "FACS"]),
    ("Maria de la Cruz, DDS", "Maria de la Cruz", "Maria", None, "de la Cruz", None, ["DDS"]),
    ("Joseph  Serota,  MD", "Joseph Serota", "Joseph", None, "Serota", None, ["MD"]),
    ("John Smith MD", "John Smith", "John", None, "Smith", None, ["MD"]),
    ("John Smith, M.D.", "John Smith", "John", None, "Smith", None, ["MD"]),
    ("Robert Jones Sr. M.D., Ph.D.", "Robert Jones Sr.", "Robert", None, "Jones", "Sr.", ["MD", "PhD"]),
    ("Otto Joseph Placik, MD", "Otto Joseph Placik", "Otto", "Joseph", "Placik", None, ["MD"]),
    ("Bryan K. Chen, MD", "Bryan K. Chen", "Bryan", "K.", "Chen", None, ["MD"]),
    ("Anna Lee, DO, FAAD", "Anna Lee", "Anna", None, "Lee", None, ["DO", "FAAD"]),
    ("Sam Frank, DMD, FACOG, FRCSC", "Sam Frank", "Sam", None, "Frank", None, ["DMD", "FACOG", "FRCSC"]),
    ("Ravi Patel, MBBS", "Ravi Patel", "Ravi", None, "Patel", None, ["MBBS"]),
    ("Henry Ford IV, MD", "Henry Ford IV", "Henry", None, "Ford", "IV", ["MD"]),
    ("Tuan Le, MD", "Tuan Le", "Tuan", None, "Le", None, ["MD"]),
    ("Amy Do, MD", "Amy Do", "Amy", None, "Do", None, ["MD"]),
    ("Jane Roe, PA-C", "Jane Roe", "Jane", None, "Roe", None, ["PA-C"]),
]


@pytest.mark.parametrize("raw,display,given,middle,family,suffix,creds", CASES)
def test_names(raw, display, given, middle, family, suffix, creds):
    n = parse_name(raw)
    assert n.name_raw == " ".join(raw.split())
    assert n.display_name == display
    assert (n.given_name, n.middle_name, n.family_name, n.suffix) == (given, middle, family, suffix)
    assert list(n.credentials) == creds



@pytest.mark.parametrize("raw, creds", [
    ("Ann Lee, DDS, MS", ("DDS", "MS")), ("John Smith, MD, MS, FACS", ("MD", "MS", "FACS")),  # a master's, not Ms.
    ("Joseph Serota, MD Verified", ("MD",)), ("Jo Smith, MD, Board Certified", ("MD",)),  # badges: never guessed
    ("Jane Doe, MSN, NP-C", ("MSN", "NP-C")), ("John Smith, MBBS, FRACS", ("MBBS", "FRACS")),
    ("John Smith, MD, FACC", ("MD", "FACC")), ("John Smith, BDS, MDS", ("BDS", "MDS")),
])
def test_credentials_are_the_vocabularys_words_after_the_name(raw, creds):
    assert parse_name(raw).credentials == creds


def test_words_after_the_name_the_vocabulary_lacks_are_counted_not_guessed():
    from crawler.pages.items import Byline
    from pipelines.normalise.records import doctor_record

    assert parse_name("Jo Smith, MD, XYZQ").unread == ("XYZQ",)
    stats = {}
    record = doctor_record(Byline(name="Jo Smith, MD, XYZQ", profile_href="/dr/jo-smith-x"), "http://h/question/q", stats)
    assert record["credentials"] == ["MD"] and stats == {"credential_unknown": 1}

@pytest.mark.parametrize("raw, creds", [("MD", ("MD",)), ("M.D.", ("MD",)), ("MD, FACS", ("MD", "FACS"))])
def test_credentials_alone_are_no_name(raw, creds):
    n = parse_name(raw)
    assert (n.display_name, n.given_name, n.family_name, n.credentials) == (None, None, None, creds)


@pytest.mark.parametrize("raw, given, family, creds", [
    ("Ma Le, MD", "Ma", "Le", ("MD",)), ("Do Le", "Do", "Le", ()), ("Le Do MD", "Le", "Do", ("MD",)),  # names, as written
    ("Jane Doe, MD, FRCS(C)", "Jane", "Doe", ("MD", "FRCSC")), ("Jane Doe, MD (Board Certified)", "Jane", "Doe", ("MD",)),
])
def test_names_that_are_also_credentials_stay_names(raw, given, family, creds):
    n = parse_name(raw)
    assert (n.given_name, n.family_name, n.credentials, n.unread) == (given, family, creds, ())


@pytest.mark.parametrize("raw, unread", [("Kamran Khoobehi, Verified", ("Verified",)),
                                         ("Kamran Khoobehi, MD, Top Doctor", ("Top", "Doctor"))])
def test_a_word_after_the_comma_is_never_a_given_name(raw, unread):
    """The site prints "Name, credentials": a badge after the comma is not "Last, First"."""
    n = parse_name(raw)
    assert (n.given_name, n.family_name, n.display_name) == ("Kamran", "Khoobehi", "Kamran Khoobehi")
    assert n.unread == unread


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_no_printed_name(raw):
    n = parse_name(raw)
    assert n.name_raw is None and n.display_name is None and n.given_name is None
    assert n.family_name is None and n.suffix is None and n.credentials == ()


def test_vocabularies_are_package_data():
    from pipelines.normalise.vocab import credentials, specialties

    assert {"MD", "DO", "DDS", "DMD", "PhD", "FACS", "FAAD", "FACMS"} <= set(credentials())
    assert "Oral & Maxillofacial Surgeon" in specialties()


@pytest.mark.parametrize("cred, want", [("D.O", "DO"), ("M.S", "MS"), ("R.N", "RN"), ("P.A", "PA"), ("M.D", "MD")])
@pytest.mark.parametrize("form", ["Joseph Serota, {}", "Joseph Serota {}", "Joseph Serota, {}, FACS"])
def test_a_credential_written_with_periods_but_not_its_last_is_that_credential(cred, want, form):
    """"D.O" is read as "D.O." is: never a given name that turns the name into "Last, First"."""
    n = parse_name(form.format(cred))
    assert (n.given_name, n.family_name, n.display_name) == ("Joseph", "Serota", "Joseph Serota")
    assert n.credentials[0] == want and n.unread == ()


@pytest.mark.parametrize("raw, given, middle, family", [
    # words nameparser knows as particles, opening the name: given names as printed
    ("Al Smith, MD", "Al", None, "Smith"), ("Van Nguyen, MD", "Van", None, "Nguyen"),
    ("Bin Wang, MD", "Bin", None, "Wang"), ("Md Rahman, MD", "Md", None, "Rahman"),
    ("Ter Horst, DO", "Ter", None, "Horst"), ("Dr. Abu Bakr", "Abu", None, "Bakr"),
    # words nameparser knows as titles: only Dr. is one here
    ("Hon Pak, MD", "Hon", None, "Pak"), ("Prince Smith, MD", "Prince", None, "Smith"),
    ("King Smith, MD", "King", None, "Smith"), ("Queen Okafor", "Queen", None, "Okafor"),
    ("Sister Smith, RN", "Sister", None, "Smith"), ("Mister Rogers, DO", "Mister", None, "Rogers"),
    ("St. John Smith, MD", "St. John", None, "Smith"), ("Dr. Sir John Smith", "Sir", "John", "Smith"),
    ("Dr.Jane Smith", "Jane", None, "Smith"), ("Dr Jane Q. Smith, MD", "Jane", "Q.", "Smith"),
    # particles after the given name stay the family's
    ("Dr. Van Johnson", "Van", None, "Johnson"), ("Gregory St. John, MD", "Gregory", None, "St. John"),
    ("Jan van der Berg, MD", "Jan", None, "van der Berg"),
])
def test_a_given_name_is_never_dropped_as_a_title_nor_moved_into_the_family(raw, given, middle, family):
    n = parse_name(raw)
    assert (n.given_name, n.middle_name, n.family_name) == (given, middle, family)
    assert n.display_name == " ".join(p for p in (given, middle, family) if p)


@pytest.mark.parametrize("raw, given, middle, family", [
    ("Prof. Dr. Hans von der Heide, MD, PhD", "Hans", None, "von der Heide"), ("Prof. Hans Weber, MD", "Hans", None, "Weber"),
    ("Dr. Prof. Hans Weber", "Hans", None, "Weber"), ("Mrs. Jane Smith, DDS", "Jane", None, "Smith"),
    ("Dra. Maria Lopez, MD", "Maria", None, "Lopez"), ("Mr. John A. Smith", "John", "A.", "Smith"),
    ("Ms. Jane Roe", "Jane", None, "Roe"), ("Ms Jane Roe", "Jane", None, "Roe"), ("Mrs Jane Roe", "Jane", None, "Roe"),
    ("Rev. John Smith", "John", None, "Smith"), ("Hon. John Smith", "John", None, "Smith"),
    ("Sr. Maria Lopez", "Maria", None, "Lopez"), ("Prof.Hans Weber", "Hans", None, "Weber"),
    ("Capt. Ann Lee, RN", "Ann", None, "Lee"),
    # titles printed in other languages, which nameparser's list lacks
    ("Dott. Sanjay Horvat, MD", "Sanjay", None, "Horvat"), ("Pr. Ana Lopez", "Ana", None, "Lopez"),
    ("Drs. Jan de Vries", "Jan", None, "de Vries"), ("Dr. Ir. Jan Smit", "Jan", None, "Smit"),
    ("Lic. Ana Perez", "Ana", None, "Perez"), ("Ing. Juan Diaz", "Juan", None, "Diaz"),
    ("Dott.Sanjay Horvat", "Sanjay", None, "Horvat"), ("Ing Wang, MD", "Ing", None, "Wang"),
    # an honorific with one name names the family, as Dr. does
    ("Mrs. Smith", None, None, "Smith"), ("Prof. Weber, MD", None, None, "Weber"), ("Dr. Smith", None, None, "Smith"),
])
def test_an_honorific_is_no_part_of_the_name(raw, given, middle, family):
    n = parse_name(raw)
    assert (n.given_name, n.middle_name, n.family_name) == (given, middle, family)
    assert n.display_name == " ".join(p for p in (given, middle, family) if p) and n.unread == ()


@pytest.mark.parametrize("raw, creds", [("Dr.", ()), ("Dr. MD", ("MD",)), ("Prof. Dr.", ()), ("Mrs. M.D., PhD", ("MD", "PhD"))])
def test_honorifics_and_credentials_alone_are_no_name(raw, creds):
    n = parse_name(raw)
    assert (n.display_name, n.given_name, n.family_name, n.credentials) == (None, None, None, creds)


@pytest.mark.parametrize("raw, creds, unread", [
    ("Jane Doe, MD, FRCS(C)", ("MD", "FRCSC"), ()), ("Jane Doe, M.D., F.R.C.S.(C)", ("MD", "FRCSC"), ()),
    ("Jane Doe MBBS FRCS(Ed)", ("MBBS", "FRCSEd"), ()), ("Jane Doe, MBBS, FRCS (Ed), FACS", ("MBBS", "FRCSEd", "FACS"), ()),
    # a qualifier the vocabulary has no credential for: an unread credential, counted, never plain FRCS
    ("Jane Doe, MBChB, FRCS (Plast)", ("MBChB",), ("FRCS(Plast)",)), ("Jane Doe MD FRCS(Glasg)", ("MD",), ("FRCS(Glasg)",)),
    # words in parentheses that qualify no credential stay out of both
    ("Jane (Jo) Doe, MD", ("MD",), ()), ("Jane Doe, MD (Board Certified)", ("MD",), ()),
    ("Jane Doe, FRCP(C)", ("FRCPC",), ()),
    # after a degree, words in parentheses are a remark: the degree is read
    ("Jane Doe, MD (Retired)", ("MD",), ()), ("Jane Doe MD (he/him)", ("MD",), ()),
    ("Jane Doe, MD, PhD (Hon)", ("MD", "PhD"), ()), ("Jane Doe, DO (Emeritus), FAAD", ("DO", "FAAD"), ()),
    ("Jane Doe, MD (she/her/hers)", ("MD",), ()),
    # a remark that may say the degree is not held yet: the whole is one unread word, counted
    ("Jane Doe, MD, PhD (c)", ("MD",), ("PhD(c)",)), ("Jane Doe, MSN, DNP(c)", ("MSN",), ("DNP(c)",)),
    ("Jane Doe, DO (candidate)", (), ("DO(candidate)",)), ("Jane Doe, MD (pending)", (), ("MD(pending)",)),
    ("Jane Doe, PhD (in progress), FACS", ("FACS",), ("PhD(in progress)",)),
    # credentials after a semicolon, or joined by a slash or a hyphen, are read each
    ("Jane Doe, MD; FACS", ("MD", "FACS"), ()), ("Jane Doe, MD/PhD", ("MD", "PhD"), ()),
    ("Jane Doe MD-PhD", ("MD", "PhD"), ()), ("Jane Doe, M.D./Ph.D.", ("MD", "PhD"), ()),
    ("Jane Doe, PA-C/MD", ("PA-C", "MD"), ()), ("Jane Doe, PA-C", ("PA-C",), ()),
])
def test_a_credential_with_its_qualifier_in_parentheses_is_the_qualified_one(raw, creds, unread):
    n = parse_name(raw)
    assert (n.given_name, n.family_name, n.credentials, n.unread) == ("Jane", "Doe", creds, unread)


def test_a_hyphenated_name_of_words_spelt_like_credentials_is_a_name():
    n = parse_name("Jane Le-Ma, MD")
    assert (n.given_name, n.family_name, n.credentials) == ("Jane", "Le-Ma", ("MD",))


@pytest.mark.parametrize("raw", ["Joseph Serota ✔️, MD", "Joseph Serota 🦷, MD", "Joseph Serota™, MD",
                                 "Joseph Serota 👨\u200d⚕️, MD", "Joseph \u2b50 Serota, MD"])
def test_symbols_beside_a_name_are_no_part_of_it(raw):
    """A check mark, a trademark sign, an emoji (with the joiner and selectors that build one)
    printed beside a doctor's name are no word of it: never a family name of U+FE0F."""
    name = parse_name(raw)
    assert (name.given_name, name.middle_name, name.family_name, name.display_name, name.credentials) == \
        ("Joseph", None, "Serota", "Joseph Serota", ("MD",)), name
    assert name.name_raw == raw  # as printed


def test_accents_a_letter_has_no_precomposed_form_for_stay_in_the_name():
    name = parse_name("Nguye\u0302\u0303n Va\u0306n Anh")
    assert (name.given_name, name.middle_name, name.family_name) == ("Nguyễn", "Văn", "Anh")


@pytest.mark.parametrize("raw, creds, unread", [
    ("Jack Smith — MD", ("MD",), ()), ("Dr. Jack Smith – Board Certified", (), ("Board", "Certified")),
    ("Jack Smith | Verified", (), ("Verified",)), ("Jack Smith: MD", ("MD",), ()), ("Jack Smith|MD, FACS", ("MD", "FACS"), ()),
    ("Jack Smith · Top Doctor", (), ("Top", "Doctor")), ("Jack Smith / MD", ("MD",), ()), ("Jack Smith • DDS", ("DDS",), ()),
    ("Jack Smith - MD - Verified", ("MD",), ("Verified",)), ("Jack Smith ‒ MD", ("MD",), ()),
    ("Jack Smith —", (), ()), ("Jack Smith #1", (), ("#1",)),
])
def test_a_separator_ends_the_name_as_a_comma_does(raw, creds, unread):
    """A dash or slash standing alone, a bar, a bullet, a colon: what follows is read as after a
    comma, never a name part; a token with no letter is no name part either, and is counted."""
    n = parse_name(raw)
    assert (n.given_name, n.middle_name, n.family_name, n.display_name) == ("Jack", None, "Smith", "Jack Smith"), n
    assert (n.credentials, n.unread) == (creds, unread)


@pytest.mark.parametrize("raw, suffix, creds", [
    ("John Smith 3rd, MD", "3rd", ("MD",)), ("John Smith the Third, MD", "the Third", ("MD",)),
    ("John Smith, 2nd", "2nd", ()), ("John Smith 4th MD, FACS", "4th", ("MD", "FACS")),
    ("Dr. John Smith the Second", "the Second", ()),
])
def test_a_generation_spelt_as_an_ordinal_is_the_suffix(raw, suffix, creds):
    n = parse_name(raw)
    assert (n.given_name, n.middle_name, n.family_name, n.suffix) == ("John", None, "Smith", suffix), n
    assert (n.display_name, n.credentials, n.unread) == (f"John Smith {suffix}", creds, ())


@pytest.mark.parametrize("raw", ["Dr. med. Hans Weber", "Dr. med. dent. Hans Weber", "Prof. Dr. med. Hans Weber, MD",
                                 "Dr. rer. nat. Hans Weber", "Dr. h.c. Hans Weber", "Dr. med. univ. Hans Weber"])
def test_the_faculty_of_a_german_doctorate_is_part_of_its_title(raw):
    n = parse_name(raw)
    assert (n.given_name, n.middle_name, n.family_name, n.display_name) == ("Hans", None, "Weber", "Hans Weber"), n


@pytest.mark.parametrize("raw, creds", [
    ("Drs. Smith and Jones", ()), ("Dr. John Smith and Dr. Jane Jones", ()), ("Smith & Jones, MD", ("MD",)),
    ("Drs. John and Jane Smith", ()), ("Smith+Jones", ()), ("Beverly Hills Plastic Surgery Center", ()),
    ("Skin Care Associates", ()), ("Smith Dermatology, LLC", ()), ("Lakeside Medical Group", ()),
])
def test_a_name_of_several_people_or_a_practice_has_no_name_parts(raw, creds):
    """Nobody's given and family names are made up of two doctors or a practice: the name stays
    as printed (name_raw), its parts null, and the byline is counted."""
    n = parse_name(raw)
    assert (n.display_name, n.given_name, n.middle_name, n.family_name, n.suffix) == (None,) * 5, n
    assert (n.name_raw, n.credentials, n.not_one_person) == (raw, creds, True)


def test_a_byline_naming_no_one_person_is_counted():
    from crawler.pages.items import Byline
    from pipelines.normalise.records import doctor_record

    stats = {}
    record = doctor_record(Byline(name="Drs. Smith and Jones", profile_href="/dr/smith-jones-x"), "http://h/question/q", stats)
    assert (record["name_raw"], record["display_name"], record["family_name"]) == ("Drs. Smith and Jones", None, None)
    assert stats == {"name_not_one_person": 1}


@pytest.mark.parametrize("raw, family, creds", [
    ("John SmithMD", "Smith", ("MD",)), ("John SmithMD, FACS", "Smith", ("MD", "FACS")), ("John RoeDDS", "Roe", ("DDS",)),
    # no credential of the vocabulary, or too little name before it: as printed
    ("John McDONALD", "McDONALD", ()), ("John SmithXYZ", "SmithXYZ", ()), ("John DeMA", "DeMA", ()),
])
def test_a_credential_glued_to_the_name_is_read_apart(raw, family, creds):
    """"John SmithMD" (as printed, or "Smith<sup>MD</sup>" as the page's text joins it)."""
    n = parse_name(raw)
    assert (n.given_name, n.family_name, n.credentials) == ("John", family, creds), n


@pytest.mark.parametrize("raw, family, creds, unread", [
    ("John Smith MDFACS", "Smith", ("MD", "FACS"), ()), ("John SmithMDFACS", "Smith", ("MD", "FACS"), ()),
    ("John Smith MDPhDFACMS", "Smith", ("MD", "PhD", "FACMS"), ()), ("John Smith, MDPhD", "Smith", ("MD", "PhD"), ()),
    ("John Smith, MD, DDSMS", "Smith", ("MD", "DDS", "MS"), ()),
    ("John Smith DOMAMS", "Smith", ("DO", "MA", "MS"), ()), ("Dr. John Smith MDFACS", "Smith", ("MD", "FACS"), ()),
])
def test_credentials_glued_to_each_other_are_read_apart(raw, family, creds, unread):
    """Badges the page spaces by margins alone ("MD" "FACS" read "MDFACS"): each a credential
    when every piece is one of the vocabulary, never a family name "MDFACS"."""
    n = parse_name(raw)
    assert (n.given_name, n.family_name, n.credentials, n.unread) == ("John", family, creds, unread), n


def test_a_glued_run_with_a_piece_no_credential_stays_one_word():
    """"MDXYZ", "PHD" (the vocabulary spells PhD): one word as printed, not read apart, beside a
    run that reads."""
    got = [(n.family_name, n.credentials, n.unread) for n in map(parse_name, (
        "John Smith, MDXYZ, MDFACS", "John Smith, FACSMDPHD", "John SmithMDXYZ"))]
    assert got == [("Smith", ("MD", "FACS"), ("MDXYZ",)), ("Smith", (), ("FACSMDPHD",)), ("SmithMDXYZ", (), ())]


def test_a_name_printed_in_capitals_is_no_glued_credentials():
    """"JOHN DOMA": a family name in a name printed in capitals, not DO and MA glued."""
    n = parse_name("JOHN DOMA")
    assert (n.family_name, n.credentials) == ("DOMA", ())


@pytest.mark.parametrize("raw, given, family, creds", [
    ("Jean DORN", "Jean", "DORN", ()), ("Anna DOMA, MD", "Anna", "DOMA", ("MD",)),
    ("Jean-Pierre DOMA", "Jean-Pierre", "DOMA", ()), ("Marie MAPA", "Marie", "MAPA", ()), ("Li DOMS", "Li", "DOMS", ()),
    ("Dr. Jean DORN", "Jean", "DORN", ()), ("Jean-Luc MDFACS", "Jean-Luc", "MDFACS", ()),
])
def test_a_family_name_in_capitals_after_the_given_name_is_no_glued_credentials(raw, given, family, creds):
    """"Jean DORN" (the family name in capitals, as Europe prints it): the name's only word that
    can be its family name is the family name, never DO and RN glued."""
    n = parse_name(raw)
    assert (n.given_name, n.family_name, n.credentials) == (given, family, creds), n


@pytest.mark.parametrize("raw", ["John Smith DORN", "John Smith MAPA"])
def test_two_pieces_of_two_letters_after_the_name_stay_one_word(raw):
    """"DORN" reads as DO RN no more than as a name (a double-barrelled one, "Smith DORN"):
    as printed. A piece longer or a third piece reads as badges (the test above)."""
    n = parse_name(raw)
    assert (n.family_name, n.credentials) == (raw.split()[-1], ()), n
