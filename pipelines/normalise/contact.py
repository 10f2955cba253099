"""has_contact_info: an e-mail address or a North American phone number with separators."""
from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# optional +1 / 1 prefix; area code in parentheses or followed by space . -; then 3 and 4 digits
# separated by space . - ; ten bare digits are not a phone number.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?!\d)"
)


_THREE_DIGITS = re.compile(r"\d\d\d")
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
    if _THREE_DIGITS.search(text) is None:   # cheap pre-check: no phone without 3 digits in a row
        return False
    return _PHONE.search(text) is not None
