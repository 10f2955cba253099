"""Doctors: printed names, credentials, title lines, places, ratings and profile slugs.

Everything printed is composed from parts, so the truth (given/middle/family/suffix/credentials,
city, specialty) is known exactly instead of being parsed back from the markup.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from .samples import golden_doctor_slugs, specialties

GIVEN = ("James Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew Anthony "
         "Mark Steven Andrew Kevin Brian George Edward Ronald Jason Ryan Jacob Gary Nicholas Eric "
         "Jonathan Stephen Larry Justin Scott Brandon Frank Gregory Samuel Raymond Patrick Dennis "
         "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa "
         "Margaret Sandra Ashley Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie "
         "Rebecca Laura Sharon Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda Pamela Nicole "
         "Samantha Katherine Christine Rachel Janet Catherine Maria Heather Diane Julie Olivia "
         "Farhad Arash Raj Priya Anil Sanjay Wei Ming Hiroshi Kenji Yusuf Omar Leila Dmitri Ivan "
         "Olga Mehmet Kwame Chidi").split() + ["José", "Zoë", "Renée", "André", "Inés", "Søren", "Hélène"]
FAMILY = ("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Moore Jackson "
          "Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott "
          "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
          "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris "
          "Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard "
          "Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz "
          "Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Bender "
          "Rosenberg Goldstein Kaplan Shapiro Weinstein Nakamura Tanaka Yamamoto Chowdhury Gupta "
          "Sharma Singh Khan Hosseini Rahimi Karimi Petrov Ivanova Kowalski Novak Horvat Papadopoulos "
          "Rossi Ferrari Bianchi Romano Colombo Müller Schneider Fischer Weber Becker Lairmore "
          "Okafor Mensah Haddad Nassar Salazar Navarro Delgado Vega Castro Herrera").split() + [
          "de la Cruz", "van der Meer", "da Silva", "de Souza", "Van Buren", "O'Connor", "McAllister",
          "Núñez", "Peña"]
# (slug city, state, title-line cities: usually the slug city, sometimes a neighbourhood).
PLACES = (
    ("New York", "NY", ("New York", "New York", "Manhattan")), ("Garden City", "NY", ("Long Island",)),
    ("Brooklyn", "NY", ("Brooklyn",)), ("Los Angeles", "CA", ("Los Angeles", "Beverly Hills")),
    ("San Diego", "CA", ("San Diego",)), ("San Francisco", "CA", ("San Francisco",)),
    ("Newport Beach", "CA", ("Newport Beach", "Orange County")), ("Beverly Hills", "CA", ("Beverly Hills",)),
    ("Summit", "NJ", ("Summit",)), ("Englewood", "NJ", ("Englewood",)), ("Miami", "FL", ("Miami",)),
    ("Tampa", "FL", ("Tampa",)), ("Boca Raton", "FL", ("Boca Raton",)), ("Chicago", "IL", ("Chicago",)),
    ("Houston", "TX", ("Houston",)), ("Dallas", "TX", ("Dallas",)), ("Austin", "TX", ("Austin",)),
    ("San Antonio", "TX", ("San Antonio",)), ("Seattle", "WA", ("Seattle",)), ("Phoenix", "AZ", ("Phoenix",)),
    ("Scottsdale", "AZ", ("Scottsdale",)), ("Denver", "CO", ("Denver",)), ("Boston", "MA", ("Boston",)),
    ("Atlanta", "GA", ("Atlanta",)), ("Nashville", "TN", ("Nashville",)), ("Portland", "OR", ("Portland",)),
    ("Salt Lake City", "UT", ("Salt Lake City",)), ("Las Vegas", "NV", ("Las Vegas",)),
    ("New Orleans", "LA", ("New Orleans",)), ("Montgomery", "AL", ("Montgomery",)),
    ("Philadelphia", "PA", ("Philadelphia",)), ("Pittsburgh", "PA", ("Pittsburgh",)),
    ("Charlotte", "NC", ("Charlotte",)), ("Minneapolis", "MN", ("Minneapolis",)),
    ("St. Louis", "MO", ("St. Louis",)), ("Columbus", "OH", ("Columbus",)), ("Detroit", "MI", ("Detroit",)),
    ("Baltimore", "MD", ("Baltimore",)), ("Honolulu", "HI", ("Honolulu",)), ("Anchorage", "AK", ("Anchorage",)),
    ("Salem", "OR", ("Salem",)), ("Richmond", "VA", ("Richmond",)), ("Omaha", "NE", ("Omaha",)),
)
# Title lines that end in no specialty of the vocabulary: city and specialty must come out null.
ODD_TITLES = ("Laser Specialist", "Skin Care Expert", "Aesthetic Injector", "Med Spa Director", "Hair Specialist")
DENTAL = {"Cosmetic Dentist", "Dentist", "Endodontist", "Orthodontist", "Periodontist", "Prosthodontist",
          "Oral Surgeon", "Oral & Maxillofacial Surgeon"}
# Printed credential groups; the truth is the same list with periods removed.
CREDS = ((("MD",), 30), (("MD", "FACS"), 12), (("DO",), 5), (("MD", "PhD"), 4), (("MD", "FAAD"), 6),
         (("MD", "PhD", "FACMS"), 2), (("M.D.",), 6), (("M.D.", "F.A.C.S."), 2), (("DO", "FAAD"), 1), ((), 2))
DENTAL_CREDS = ((("DDS",), 5), (("DMD",), 4), (("DDS", "MD"), 1), (("D.D.S.",), 1))
SUFFIXES = ("Jr.", "Sr.", "II", "III", "IV")


@dataclass(slots=True)
class Doctor:
    idx: int
    slug: str
    pid: int
    given: str
    middle: str | None
    family: str
    suffix: str | None
    credentials: tuple[str, ...]   # truth form: periods removed
    printed: str                   # the name as printed, stray spaces included
    show_name: bool                # False: the byline has only avatar link, title line, rating
    title_line: str
    city: str | None
    specialty: str | None
    state: str
    rating: float | None           # None: no rating line at all; 0.0 printed as "0.0 out of 5 stars"
    reviews: int | None
    weight: float                  # how often this doctor answers
    last_mod_day: int = 0          # last day the byline changed (rating/review count)

    @property
    def name_raw(self) -> str | None:
        return " ".join(self.printed.split()) if self.show_name else None

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given, self.middle, self.family, self.suffix) if p)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _weighted(rng: random.Random, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _printed_name(rng, given, middle, family, suffix, creds) -> str:
    name = " ".join(p for p in (given, middle, family) if p)
    if suffix:
        name += (", " if rng.random() < 0.6 else " ") + suffix
    if creds:
        name += (", " if rng.random() < 0.75 else " ") + ", ".join(creds)
    if rng.random() < 0.06:   # stray spaces as printed by the site
        spaces = [i for i, c in enumerate(name) if c == " "]
        i = rng.choice(spaces)
        name = name[:i] + "  " + name[i + 1:] if rng.random() < 0.7 else " " + name + " "
    return name


def make_doctor(rng: random.Random, idx: int, taken: set[str], force: str | None = None) -> Doctor:
    """One doctor; `force` pins a rare feature so that even small sites show every case."""
    specs = specialties()
    while True:
        given = rng.choice(GIVEN)
        r = rng.random()
        middle = (None if r < 0.55 else rng.choice("ABCDEFGHJKLMNPRSTW") + "." if r < 0.8
                  else rng.choice("ABCDEFGHJKLMNPRSTW") if r < 0.9 else rng.choice(GIVEN))
        family = rng.choice(FAMILY)
        suffix = rng.choice(SUFFIXES) if rng.random() < 0.1 else None
        if force == "suffix":
            suffix = suffix or rng.choice(SUFFIXES)
        if force == "particle":
            family = rng.choice(["de la Cruz", "van der Meer", "da Silva"])
        slug_city, state, title_cities = rng.choice(PLACES)
        slug = slugify(" ".join(p for p in (given, middle, family, suffix, slug_city, state) if p))
        if slug not in taken and slug not in golden_doctor_slugs():
            break
    taken.add(slug)
    specialty = rng.choice(specs)
    dental = specialty in DENTAL
    printed_creds = _weighted(rng, DENTAL_CREDS if dental else CREDS)
    credentials = tuple(c.replace(".", "") for c in printed_creds)
    printed = _printed_name(rng, given, middle, family, suffix, printed_creds)
    title_city = rng.choice(title_cities)
    kind = force if force in ("only-specialty", "odd-title") else (
        "only-specialty" if rng.random() < 0.04 else "odd-title" if rng.random() < 0.04 else "normal")
    if kind == "only-specialty":
        title_line, city = specialty, None
    elif kind == "odd-title":
        title_line, city, specialty = f"{title_city} {rng.choice(ODD_TITLES)}", None, None
    else:
        title_line, city = f"{title_city} {specialty}", title_city
    r = rng.random()
    if force == "zero-rating" or (force is None and r < 0.05):
        rating, reviews = 0.0, rng.randint(1, 4)
    elif force == "no-rating" or (force is None and r < 0.30):
        rating, reviews = None, None
    else:
        rating = round(rng.uniform(3.4, 5.0), 1)
        reviews = 1 if force == "one-review" or rng.random() < 0.06 else rng.randint(2, 420)
    show_name = not (force == "nameless" or (force is None and rng.random() < 0.03))
    return Doctor(idx=idx, slug=slug, pid=rng.randint(100000, 19999999), given=given, middle=middle,
                  family=family, suffix=suffix, credentials=credentials, printed=printed,
                  show_name=show_name, title_line=title_line, city=city, specialty=specialty,
                  state=state, rating=rating, reviews=reviews, weight=rng.paretovariate(1.3))


FORCED = ("nameless", "zero-rating", "one-review", "no-rating", "only-specialty", "odd-title",
          "suffix", "suffix", "particle", "nameless")


def make_doctors(seed: int, count: int) -> list[Doctor]:
    rng = random.Random(f"{seed}:doctors")
    taken: set[str] = set()
    doctors = [make_doctor(rng, i, taken, FORCED[i] if i < len(FORCED) else None) for i in range(count)]
    mean = sum(d.weight for d in doctors) / len(doctors)
    for d in doctors[: len(FORCED)]:
        d.weight = 2 * mean   # the rare cases must show up even on a 50-question site
    return doctors
