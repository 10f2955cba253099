"""has_contact_info: an e-mail address or a North American phone number with separators."""
from __future__ import annotations

import re

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


def has_contact_info(text: str | None) -> bool:
    if not text:
        return False
    if "@" in text and _EMAIL.search(text):
        return True
    if _under_ten_digits(text):
        return False
    tail = _PHONE_TAIL.search(text)  # cheap pre-check, and where a phone can start
    if tail is None:
        return False
    # pos, not a slice: the look-behind still sees the characters before it
    return _PHONE.search(text, max(0, tail.start() - _PHONE_LEAD)) is not None
