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


def has_contact_info(text: str | None) -> bool:
    if not text:
        return False
    if "@" in text and _EMAIL.search(text):
        return True
    if _THREE_DIGITS.search(text) is None:   # cheap pre-check: no phone without 3 digits in a row
        return False
    return _PHONE.search(text) is not None
