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


def _ascii_digits(text: str) -> int:
    # ten C-level counts are cheaper than a regex scan of the text
    return sum(map(text.count, "0123456789"))


def has_contact_info(text: str | None) -> bool:
    if not text:
        return False
    if "@" in text and _EMAIL.search(text):
        return True
    if text.isascii() and _ascii_digits(text) < 10:
        return False   # a phone number has ten digits; ASCII text has no other digits
    if _THREE_DIGITS.search(text) is None:   # cheap pre-check: no phone without 3 digits in a row
        return False
    return _PHONE.search(text) is not None
