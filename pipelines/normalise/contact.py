"""has_contact_info: an e-mail address or a North American phone number with separators, as a
reader reads them (a fullwidth ＠, a non-breaking hyphen: _as_read)."""
from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# optional +1 / 1 prefix; area code in parentheses or followed by space . -; then 3 and 4 digits
# separated by space . - ; ten bare digits are not a phone number.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?!\d)"
)


# The tail every phone match ends in: exchange and line. A phone match spans at most 9
# characters before its tail ("+1 (305) "), and its tail is a match of this, so it starts no
# earlier than 9 characters before this pattern's first match.
_PHONE_TAIL = re.compile(r"\d{3}[ .\-]\d{4}")
_PHONE_LEAD = 9
_DIGIT = re.compile(r"\d")
# Every ASCII byte but the digits: what deleting them from the UTF-8 text leaves holds each
# ASCII digit and every byte of every non-ASCII character (among them the other \d digits).
_ASCII_NON_DIGITS = bytes(c for c in range(128) if not 0x30 <= c <= 0x39)


def _under_ten_digits(text: str) -> bool:
    r"""Fewer than ten \d characters: no phone number (it has ten digits).

    Decided in C on the bytes (the regex engine scans a wide str slowly): the few bytes left
    after deleting ASCII non-digits hold every \d character."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_NON_DIGITS)
    if len(rest) < 10:
        return True
    return len(_DIGIT.findall(rest.decode("utf-8", "surrogatepass"))) < 10


# A character outside ASCII that is no letter, digit nor space: among them, every dash
_NON_ASCII_SYMBOL = re.compile(r"[^\x00-\x7f\w\s]")


def _as_read(text: str) -> str:
    """Text as a reader reads contact details in it: compatibility forms as their plain
    characters (NFKC: a fullwidth ＠ or ３, a no-break space) and a dash of any kind (Unicode's
    dash punctuation, Pd: a non-breaking hyphen, an en dash) as '-'. Word processors and
    autocorrect write these, and they are the usual way to slip an address past a filter.
    ASCII text holds neither (and scanning it for them would cost a fifth of the test)."""
    if text.isascii():
        return text
    return _NON_ASCII_SYMBOL.sub(_hyphen_for_dash, unicodedata.normalize("NFKC", text))


def _hyphen_for_dash(symbol: re.Match) -> str:
    return "-" if unicodedata.category(symbol.group()) == "Pd" else symbol.group()


def has_contact_info(text: str | None) -> bool:
    if not text:
        return False
    text = _as_read(text)
    if "@" in text and _EMAIL.search(text):
        return True
    if _under_ten_digits(text):
        return False
    tail = _PHONE_TAIL.search(text)  # cheap pre-check, and where a phone can start
    if tail is None:
        return False
    # pos, not a slice: the look-behind still sees the characters before it
    return _PHONE.search(text, max(0, tail.start() - _PHONE_LEAD)) is not None
