"""The contract's text rules: one cleaner for every string the records hold.

A line is cleaned once, by `clean`: invisible characters (soft hyphens, zero-width spaces,
direction marks, control characters, halves of a surrogate pair, noncharacters) dropped,
then NFC (so that a mark a dropped character kept apart composes with its letter), every
white space run (non-breaking spaces too) one space, trimmed. Titles and bodies come as paragraphs of raw
lines (crawler.pages.items.Text: the page objects split the markup at blocks and <br>s);
templates `{{ ... }}` are never text, even across lines; empty lines and paragraphs are
dropped, lines joined by "\\n", paragraphs by "\\n\\n".
"""
from __future__ import annotations

import re
import unicodedata

_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_LINE_SEP = "\x00"


# Characters a page holds but a reader never sees: soft hyphens, zero-width spaces, word
# joiners, byte-order marks, direction marks (Arabic's too) and embeddings. Left in,
# "Derm\u00adatologist" is no specialty and "\u200ePhoenix" no city. Zero-width (non-)joiners
# stay: they change how some scripts and emoji are drawn. Dropped too: control characters
# (NUL, ESC: a JSON string's "\u001b[2J" would clear the terminal of whoever queries the data)
# and a lone half of a surrogate pair (JSON's "\ud800": no character, and no UTF-8 a Parquet
# string can hold); the controls that are white space (str.split's: tab, line feed,
# \x1c-\x1f, \x85) separate words instead. And Unicode's noncharacters (U+FDD0-U+FDEF, the
# last two code points of every plane: U+FFFE, U+FFFF, U+1FFFE...): no character at all, drawn
# as nothing or a box, and left in "Cook, M.D.\uffff" reads no credential.
# (A pattern, not str.translate: a dict table costs a lookup per character of every line.
# The noncharacters past the first plane have a pattern of their own, run only on a line
# holding a character past it: in one class with the others they made every line's match
# five times slower, the class no longer a table of the first plane.)
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u061c\u200b\u200e\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ud800-\udfff\ufeff\ufdd0-\ufdef\ufffe\uffff]")
_PAST_FIRST_PLANE = re.compile("[\U00010000-\U0010ffff]")
_NONCHARACTERS_PAST_IT = re.compile("[" + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
                                                  for plane in range(0x10000, 0x110000, 0x10000)) + "]")


def clean(s: str) -> str:
    """One line: invisible characters dropped, NFC, white space collapsed (non-breaking spaces
    too), trimmed."""
    if not (s.isascii() and s.isprintable()):  # printable ASCII, the usual line, has none
        s = _INVISIBLE.sub("", s)
        if _PAST_FIRST_PLANE.search(s):  # an emoji, a rare script: and perhaps U+1FFFE...
            s = _NONCHARACTERS_PAST_IT.sub("", s)
        s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


def collapse(s) -> str | None:
    """A one-line value as printed, cleaned; None if empty."""
    return clean(str(s)) or None if s is not None else None


def text(paragraphs) -> str | None:
    """A title or body (paragraphs of raw lines) as the contract's text; None if empty."""
    out = []
    for lines in paragraphs or ():
        if "{{" in "".join(lines):  # a template may span lines: removed before they are cut
            raw = _LINE_SEP.join(line.replace(_LINE_SEP, "") for line in lines)
            lines = _TEMPLATE.sub("", raw).split(_LINE_SEP)
        paragraph = "\n".join(filter(None, map(clean, lines)))
        if paragraph:
            out.append(paragraph)
    return "\n\n".join(out) if out else None
