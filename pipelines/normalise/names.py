"""Doctor names: the human-name part by nameparser 2.x, credentials by a vocabulary kept as data.

A doctor's name is printed "[Dr.] Given [Middle] Family[, suffix][, credentials]".
nameparser's `Parser` is given a `Lexicon` of its own, extended by the credential vocabulary
(data/credentials.txt; nameparser lacks fellowships such as FAAD and FACMS), Dr. its one title;
the honorifics that open a name ("Dr.", "Prof.", "Mrs.", "Dra.") are no part of it. Its post-nominal
tokens are then sorted: generational suffixes (Jr., Sr., II, III, IV, V) as written without
their comma; words of the vocabulary are credentials, periods removed, spelled as in it (a
title after the name is one too: "DDS, MS" is a master's, not Ms.); other words (a badge:
"Verified") are neither.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from nameparser import Lexicon, Parser, Role

from .text import clean, collapse
from .vocab import credentials

TITLE = "dr"  # the title a doctor's name is printed with ("Dr.", "Dr"), as a key (_key)
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})


class Name(NamedTuple):
    name_raw: str | None
    display_name: str | None
    given_name: str | None
    middle_name: str | None
    family_name: str | None
    suffix: str | None
    credentials: tuple[str, ...]
    unread: tuple[str, ...] = ()  # words after the name that are no credential of the vocabulary
    not_one_person: bool = False  # the name printed is of several people or a practice: no name parts


NO_NAME = Name(None, None, None, None, None, None, ())


def _key(word: str) -> str:
    """A credential as the vocabulary is looked up: "F.R.C.S.(C)" is frcsc."""
    return re.sub(r"[.()]", "", word).strip(",").lower()


@lru_cache(maxsize=1)
def _vocab() -> dict[str, str]:
    return {_key(c): c for c in credentials()}


@lru_cache(maxsize=1)
def parser() -> Parser:
    vocab = _vocab()
    base = Lexicon.default()
    # single words only; hyphenated ones (PA-C) are handled by the tail split below
    words = [k for k in vocab if re.fullmatch(r"[a-z]+", k)]
    # two-letter credentials that are also surnames (Do, Le, Ma) are decided by nameparser's
    # ambiguity rules (capitals, position) rather than always taken as credentials
    ambiguous = [w for w in words
                 if w in base.suffix_acronyms_ambiguous or (len(w) <= 2 and w != "md")]
    ambiguous = [w for w in ambiguous if w not in base.suffix_words]
    lex = base.add(suffix_acronyms=words, suffix_acronyms_ambiguous=ambiguous)
    # A doctor's printed name is "[Dr.] Given [Middle] Family[, ...]": Dr. is its one title;
    # nameparser's others spelt out ("Prince", "King", "Hon", "Sister") are given names here
    # (the honorifics that open a name are taken off before: _without_honorifics).
    lex = lex.remove(titles=lex.titles - {TITLE}, given_name_titles=lex.given_name_titles,
                     after_given_titles=lex.after_given_titles)
    return Parser(lexicon=lex)


def _as_credential(word: str) -> str | None:
    """The credential a word is when it is spelt as the vocabulary spells it ("MD", "M.D.",
    "PhD"), else None: "Ma" and "Do" are names, MA and DO credentials."""
    credential = _vocab().get(_key(word))
    return credential if credential == word.replace(".", "").strip(",") else None


# "Dr.Jane Smith": an abbreviation glued to the given name (nameparser took "Dr.Jane" for one title)
_GLUED = re.compile(r"^([^\W\d_]+\.)(?=[^\W\d_])")


# Titles doctors are printed with in other languages that nameparser's list lacks, as keys:
# Italian Dott., French Pr., Dutch Drs. and Ir., Spanish Lic. and Ing., Arch., Austrian Mag.
TITLES_ABROAD = frozenset({"dott", "pr", "drs", "ir", "lic", "ing", "arch", "mag"})


@lru_cache(maxsize=1)
def _honorific_keys() -> tuple[frozenset[str], frozenset[str]]:
    """(titles as nameparser knows them, courtesy titles): nameparser's titles but the
    particles ("St." opens a name: "St. John Smith"), and TITLES_ABROAD; its courtesy titles,
    Ms. among them (its list lacks it), and Dr."""
    lex = Lexicon.default()
    return frozenset(lex.titles - lex.particles | TITLES_ABROAD), frozenset(lex.after_given_titles | {"ms", TITLE})


def _honorific(word: str) -> bool:
    """Whether a word opening a name is an honorific, no part of the name: a title nameparser
    knows written as an abbreviation ("Prof.", "Rev.", "Hon.", "Dra.", "Sr."), or a courtesy
    title however written ("Mrs", "Ms.", "Dr"). A title spelt out is a given name as printed
    ("Hon Pak", "Prince Smith", "Sister Smith", "Sir John")."""
    titles, courtesy = _honorific_keys()
    key = word.lower()
    return key in courtesy or key.endswith(".") and key[:-1] in titles | courtesy


# The faculty a German or Austrian doctorate is printed with after its title ("Dr. med.",
# "Dr. med. dent.", "Dr. rer. nat.", "Dr. h.c."), as keys (_key): part of the title, never a
# given name
DOCTORATE_FIELDS = frozenset({"med", "dent", "vet", "rer", "nat", "medic", "phil", "jur", "habil", "hc", "univ", "sc", "hum"})


def _without_honorifics(text: str) -> tuple[str, bool]:
    """`text` without the honorifics that open it ("Prof. Dr. Hans Weber" is "Hans Weber",
    "Dr. med. Hans Weber" too), and whether it had any."""
    text = _GLUED.sub(lambda m: m[1] + " " if _honorific(m[1]) else m[1], text)
    words = text.split(" ")

    def field(i: int, word: str) -> bool:
        return i > 0 and word.endswith(".") and _key(word) in DOCTORATE_FIELDS

    n = next((i for i, w in enumerate(words) if not _honorific(w.rstrip(",")) and not field(i, w)), len(words))
    return " ".join(words[n:]).lstrip(", "), n > 0
# A word written with periods between its letters ("D.O", "M.D.", "F.R.C.S"), whole
_DOTTED = re.compile(r"(?<![^\s,])(?:[^\W\d_]+\.)+[^\W\d_]+(?=[\s,]|$)")


def _with_last_period(text: str) -> str:
    """A credential written with periods but not its last one ("D.O", "M.S") as it is with it
    ("D.O."), the form nameparser reads as a credential: without it "Joseph Serota D.O" had the
    family name D.O."""
    return _DOTTED.sub(lambda m: m[0] + "." if _key(m[0]) in _vocab() else m[0], text)


def _roles(text: str) -> list[tuple[str, Role, bool]]:
    """(word, role, qualifies) of `text` read as a name by nameparser; `qualifies`: the words
    are in parentheses right after the word before them ("FRCS(C)", "FRCS (Ed)", "PhD (in
    progress)"), nameparser's nicknames, given as one."""
    out, end, opened = [], None, None  # opened: where the words in parentheses being read begin
    for tok in parser().parse(text).tokens:
        start, stop = tok.span or (None, None)
        nickname = tok.role == Role.NICKNAME and start is not None and end is not None
        if nickname and opened is not None and text[end:start] == " ":  # the same parentheses' next word
            out[-1] = (text[opened:stop], Role.NICKNAME, False)
        else:
            opened = start if nickname and text[end:start] in ("(", " (") else None
            out.append((tok.text, tok.role, False))
        if opened is not None and text[stop:stop + 1] == ")":
            out[-1], opened = (out[-1][0], Role.NICKNAME, True), None
        end = stop
    return out


# Remarks in parentheses after a credential that say nothing of whether it is held: the
# credential is read ("MD (Retired)", "PhD (Hon)", "MD (he/him)"). Any other remark may say it
# is not held yet ("PhD (c)", "DO (candidate)", "MD (pending)"): the whole is one unread word.
_REMARKS = frozenset({"retired", "ret", "emeritus", "emerita", "hon", "honorary", "honoris causa",
                      "board certified"})
_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "they", "them", "theirs", "xe", "xem", "ze", "zir"})


def _leaves_held(remark: str) -> bool:
    key = remark.lower().strip(". ")
    return key in _REMARKS or all(w in _PRONOUNS for w in key.split("/"))


def _with_qualifiers(tokens: list[tuple[str, Role, bool]]) -> list[tuple[str, Role]]:
    """A credential with words in parentheses right after it is one credential, the words
    joined: a Royal College fellowship with its college ("FRCS(C)" is FRCSC, "FRCS (Ed)"
    FRCSEd; "FRCS(Plast)", which the vocabulary lacks, an unread one; never the bare FRCS,
    another fellowship), or any credential with a remark that may say it is not held ("PhD(c)",
    unread, counted). A remark that leaves it held (_REMARKS) is dropped and the credential read."""
    out: list[tuple[str, Role]] = []
    for t, role, qualifies in tokens:
        credential = qualifies and out and out[-1][1] == Role.SUFFIX and _key(out[-1][0]) in _vocab()
        if not credential:
            out.append((t, role))
        elif _key(out[-1][0]).startswith(_ROYAL_COLLEGE) or not _leaves_held(t):
            out[-1] = (f"{out[-1][0]}({t})", Role.SUFFIX)
    return out


# The words of a post-nominal token, words in parentheses kept with the one they follow ("PhD(in progress)")
_WORDS = re.compile(r"(?:[^\s(]|\([^)]*\)?)+")
_ROYAL_COLLEGE = "fr"  # a fellowship of a Royal College (FRCS, FRCP, FRACS), as a key (_key)
# A word of credentials joined by a slash or a hyphen ("MD/PhD", "MD-PhD"), never one of the
# vocabulary's own ("PA-C")
_JOINED = re.compile(r"(?<![^\s,])[^\s,()]+[/-][^\s,()]+(?=[\s,]|$)")


def _credentials_apart(text: str) -> str:
    """Credentials printed joined by a slash or a hyphen ("MD/PhD") or after a semicolon
    ("MD; FACS": _separators_as_commas) as they are after commas: each one read, none lost in an unread word."""
    def apart(m: re.Match) -> str:
        parts = [q for p in m[0].split("/") for q in ([p] if _as_credential(p) else p.split("-"))]
        # spelt as the vocabulary spells them: "Le-Ma" is a family name, not LE and MA
        whole = _key(m[0]) in _vocab() or not all(map(_as_credential, parts))
        return m[0] if whole else ", ".join(parts)
    return _JOINED.sub(apart, text)


# Marks a page prints between a name and what follows it (credentials, a badge): "Jack Smith —
# MD", "Jack Smith | Verified", "Jack Smith: MD". None is ever part of a name, so each ends the
# name as a comma does. A bar, a bullet, a colon or a semicolon does so anywhere; a dash, a
# slash or a middle dot only standing alone ("Le-Ma", "MD/PhD", Catalan "l·l" are words).
_ALWAYS_SEPARATES = re.compile(r"\s*[|•:;]\s*")
_SEPARATES_ALONE = "/·"


def _separators_as_commas(text: str) -> str:
    words = ["," if word and all(c in _SEPARATES_ALONE or unicodedata.category(c) == "Pd" for c in word)
             else word for word in _ALWAYS_SEPARATES.sub(", ", text).split(" ")]
    return re.sub(r"\s*,(?:\s*,)*", ",", " ".join(words)).strip(", ")


# A credential glued to the end of the name, as printed ("John SmithMD") or raised in a <sup>
# the page's text joins to it: a run of capitals after a small letter, ending the name; or a
# run of credentials ("SmithMDPhD")
_GLUED_CREDENTIAL = re.compile(r"(?<=[^\W\d_]{2}[a-z])([A-Z][A-Za-z]*[A-Z])(?=,|$)")
# Credentials glued to each other, a word of their own after the name ("John Smith MDFACS",
# "John Smith, MDFACS": badges the page spaces by margins alone)
_GLUED_CREDENTIALS = re.compile(r"(?<=[^\W\d_] )([A-Z][A-Za-z]{3,})(?=,|$)")
_WORD_OF_CAPITALS = re.compile(r"(?<![^\s,])[A-Z][A-Za-z]{3,}(?![^\s,])")


def _glued_credential_apart(text: str) -> str:
    """"John SmithMD" as "John Smith MD"; "John SmithMDFACS", "John Smith MDFACS" and "John
    Smith, MDFACS" as "John Smith MD FACS": only credentials of the vocabulary as they are
    spelt, glued after at least three letters of name ("McDONALD", "DeMA" stay as printed), or
    a word of two or more after the comma, or a word of its own ending the name that cannot be
    its family name (_family_before, _badges_apart: "Jean DORN" is Jean Dorn). A run that reads
    otherwise, or in two ways, stays one word as printed."""
    head, comma, after = text.partition(",")
    after = _WORD_OF_CAPITALS.sub(lambda m: _apart(m[0], 2), after)
    m = _GLUED_CREDENTIAL.search(head)
    if m is not None and _credentials_run(m[1]):
        head = head[:m.start()] + " " + _apart(m[1], 1)
    elif any(c.islower() for c in head):  # in a name printed in capitals, "DOMA" is a name
        head = _GLUED_CREDENTIALS.sub(lambda m: _badges_apart(m[1]) if _family_before(head[:m.start()]) else m[1],
                                      head)
    return head + comma + after


def _family_before(name: str) -> bool:
    """Whether the words of a name before a word of capitals hold its family name: a word
    besides the given name ("John Smith"), or after an honorific ("Dr. Smith"). Else the word
    of capitals is the family name ("Jean DORN", the European way of printing it)."""
    words, honoured = _without_honorifics(name.strip())
    return len(words.split()) >= (1 if honoured else 2)


def _badges_apart(run: str) -> str:
    """A word of capitals after a name as the badges it is ("MDFACS": MD FACS) when it reads
    so beyond a name's letters: a piece of more than two letters or three pieces or more. Two
    pieces of two letters ("DORN", "DOMA", "MAPA") are as likely a family name: one word."""
    pieces = _credentials_run(run)
    badges = len(pieces) >= 3 or len(pieces) == 2 and any(len(piece) > 2 for piece in pieces)
    return " ".join(pieces) if badges else run


def _apart(run: str, least: int) -> str:
    """A run of glued letters as the credentials it is, when it is at least `least` of them."""
    pieces = _credentials_run(run)
    return " ".join(pieces) if len(pieces) >= least else run


# a few credentials' letters: a longer run of capitals is no badges glued (and is not searched)
_LONGEST_RUN = 24


def _credentials_run(run: str) -> tuple[str, ...]:
    """The credentials a run of glued letters is, each spelt as the vocabulary spells it
    ("MDFACS": MD, FACS; "DMD" one as printed); () when no split or more than one reads so (a
    guess)."""
    if _as_credential(run):
        return (run,)
    splits = _splits(run) if len(run) <= _LONGEST_RUN else []
    return splits[0] if len(splits) == 1 else ()


# The words of a text as a line or a list of badges prints them apart: by spaces, commas, bars,
# slashes, brackets, bullets ("MD · FACS", "(MD/PhD)")
_PRINTED_WORDS = re.compile(r"[^\s,;:|/()\[\]•·]+")


def shows_credential(text: str) -> bool:
    """Whether a text prints a credential of the vocabulary as the vocabulary spells it ("MD",
    "M.D.", badges glued by margins: "MDFACS"), as a reader sees it: "Verified", "Top Doctor",
    "(he/him)" print none ("Do", "Ma" are words)."""
    return any(_credentials_run(word) for word in _PRINTED_WORDS.findall(clean(text)))


def _splits(run: str) -> list[tuple[str, ...]]:
    if not run:
        return [()]
    return [(run[:i], *rest) for i in range(2, len(run) + 1) if _as_credential(run[:i])
            for rest in _splits(run[i:])]


def _split_tail(words: list[str]) -> tuple[list[str], list[str]]:
    """Peel credential words (vocabulary) off the end, keeping at least two words of name."""
    vocab = _vocab()
    creds: list[str] = []
    while len(words) > 2:
        k = _key(words[-1])
        if k in vocab and "-" in k:
            creds.insert(0, vocab[k])
            words = words[:-1]
        else:
            break
    return words, creds


@lru_cache(maxsize=65536)
def _without_symbols(text: str) -> str:
    """A printed name less the symbols a page sets beside it (a check mark, a trademark sign,
    an emoji with the joiners and selectors that build one: "Joseph Serota ✔️", "Serota™"):
    no word of a name, nor a word of their own."""
    if text.isascii():
        return text
    return " ".join("".join(" " if _symbol(char) else char for char in text).split())


def _symbol(char: str) -> bool:
    # So, Sk: symbols, emoji, skin tones; Cf: the zero-width joiner; Me: a keycap; and the
    # variation selectors (Mn, but no accent: an accent is part of its letter)
    return unicodedata.category(char) in ("So", "Sk", "Cf", "Me") or "\ufe00" <= char <= "\ufe0f" \
        or "\U000e0100" <= char <= "\U000e01ef"


# A generation spelt as an ordinal after the name ("John Smith 3rd", "John Smith the Third"),
# which nameparser's suffixes lack (it has Jr., Sr. and II to V)
_ORDINAL_GENERATION = re.compile(
    r"(?<=[^\W\d_]) *,? +(2nd|3rd|[4-9]th|the (?:second|third|fourth|fifth|sixth))(?=[ ,]|$)", re.I)


def _generation_apart(text: str) -> tuple[str, str | None]:
    """`text` without a generation spelt as an ordinal, and that generation as written."""
    m = _ORDINAL_GENERATION.search(text)
    return (text, None) if m is None else (text[:m.start()] + "," + text[m.end():], m[1])


def _name_and_after(text: str) -> tuple[str, str]:
    """The name, what comes before the first comma, and what comes after it. A word with no
    letter ("2", "#1") is no part of a name: it is read with what comes after ("Jack Smith #1")."""
    head, _, after = text.partition(",")
    letterless = [w for w in head.split(" ") if w and not any(c.isalpha() for c in w)]
    if letterless:
        head = " ".join(w for w in head.split(" ") if w not in letterless)
        after = ", ".join(filter(None, (" ".join(letterless), after.strip())))
    return head, after


# What a byline prints in a doctor's name slot when it names no one person: what joins people
# ("Drs. Smith and Jones", "Smith & Jones, MD", "Smith+Jones") and the words that name a
# practice or a business ("Beverly Hills Plastic Surgery Center", "Skin Care Associates",
# "... LLC"), as keys (_key). No person's name holds one; a doctor's own corporation after the
# name ("John Smith, MD, PC") is no reason: the name is the doctor's.
JOINING_PEOPLE = re.compile(r"[&+]|\band\b", re.I)
PRACTICE_WORDS = frozenset({"center", "centre", "clinic", "institute", "associates", "group", "hospital",
                            "practice", "partners", "medical", "dermatology", "surgery", "aesthetics",
                            "spa", "medspa", "llc", "pllc", "inc", "ltd"})


def _not_one_person(name: str) -> bool:
    return bool(JOINING_PEOPLE.search(name)) or any(_key(w) in PRACTICE_WORDS for w in name.split())


@lru_cache(maxsize=65536)  # a doctor's name is read from its data and from its card (records._shown_disagrees)
def parse_name(name: str | None) -> Name:
    """Parse a byline name as printed. None or blank -> every part None, credentials ()."""
    raw = collapse(name)
    if raw is None:
        return NO_NAME
    words, tail_creds = _split_tail(_glued_credential_apart(_separators_as_commas(_without_symbols(raw))).split(" "))
    text = _credentials_apart(_with_last_period(" ".join(words).rstrip(",").strip()))
    text, honoured = _without_honorifics(text)
    vocab = _vocab()
    printed = text.replace(",", " ").split()
    if all(_as_credential(w) for w in printed):  # "MD", "M.D., FACS": no name printed ("Ma Le", "Do Le" are names)
        return Name(raw, None, None, None, None, None, tuple(map(_as_credential, printed)))
    # After a comma the site prints credentials and badges, never a given name: nameparser's
    # "Last, First" would make "Jo Smith, Verified" Verified Jo Smith. When a word after the
    # comma is no credential or generation, the name is what comes before it.
    # The site prints "[Dr.] Given [Middle] Family[, suffix][, credentials]": after the first
    # comma come a generation, credentials and badges, never a given name. So the name is what
    # comes before it, read alone: nameparser's "Last, First" made "Jo Smith, Verified"
    # Verified Jo Smith and "Joseph Serota, D.O" D.O Joseph Serota, and with a comma it read
    # "Al Smith, MD" as one family name. What comes after it is read post-nominal ("(Board
    # Certified)" stays a nickname: no word of the name, nor an unread credential).
    text, generation = _generation_apart(text)
    several = _not_one_person(text.partition(",")[0])
    # no name parts are made up of several people; what comes after them is read as for anyone
    head, after = ("", text.partition(",")[2]) if several else _name_and_after(text)
    tokens = _with_qualifiers(_roles(head) + [(t, role if role == Role.NICKNAME else Role.SUFFIX, q)
                                              for t, role, q in _roles(after)])
    given, middle, family, suffix, creds, unread = [], [], [], [generation] if generation else [], [], []
    for t, role in tokens:
        if role == Role.TITLE and _key(t) != TITLE:  # nameparser's rule for words with a period ("St.", "Rev.")
            role = Role.SUFFIX if given or family else Role.GIVEN  # "St. John Smith": given St. John
        if role == Role.GIVEN:
            given.append(t)
        elif role == Role.MIDDLE:
            middle.append(t)
        elif role == Role.FAMILY:
            family.append(t)
        elif role == Role.SUFFIX:
            for piece in _WORDS.findall(t):
                piece = piece.strip(",").strip()
                k = _key(piece)
                if k in GENERATIONAL and role == Role.SUFFIX:
                    suffix.append(piece)
                elif k in vocab:  # a badge ("Verified", "Board Certified") is no credential
                    creds.append(vocab[k])
                elif piece and role == Role.SUFFIX:  # counted (credential_unknown): the vocabulary may lack it
                    unread.append(piece)
    creds.extend(tail_creds)
    if honoured and given and not middle and not family:
        given, family = [], given  # "Dr. Smith", "Mrs. Smith": an honorific names the family
    if not given and not middle and len(family) == 2:
        # nameparser folds a particle that opens a name into its family name ("Ter Horst",
        # "Dos Santos"): a lone one before the family name is the given name printed first
        given, family = family[:1], family[1:]
    g = " ".join(given) or None
    m = " ".join(middle) or None
    f = " ".join(family) or None
    s = " ".join(suffix) or None
    display = " ".join(p for p in (g, m, f, s) if p) or None
    return Name(raw, display, g, m, f, s, tuple(creds), tuple(unread), several)
