"""A page's source without the `</body>` and `</html>` end tags browsers build nothing from.

In a body, browsers take such an end tag only as a move of the parser: what follows goes on
in the same open elements. libxml2 closes every open element there and puts what follows
beside <body> (after </html>: nowhere), so an answer's HTML pasted from an e-mail, holding
one, lost its rest, its byline and its date. Where they are text (a script's JSON string, a
<textarea>'s or a <title>'s text) they are no tags, and stay: a nextjs page cut off inside its
__NEXT_DATA__ right after a "</body></html>" in a string must still read as cut off.

A page's last </body> and last </html> are its own end: libxml2 reads them as browsers do, and
they are left (a page holds no other but where an answer or a script's text has one); only
the others are judged, each against the elements around it. A fragment (a nextjs bodyHtml,
parsed alone) has no end of its own: every one is judged.
"""
from __future__ import annotations

# Elements whose content is text up to their own end tag (or the page's end, when it never
# comes): an end tag there is that text. (An attribute's value is not looked at: no field
# reads one that could hold markup.)
_TEXT_HOLDERS = ("script", "style", "textarea", "title", "xmp", "plaintext")
_SPACES = " \t\n\f\r/>"  # what may follow the name in an end tag: "</body >", "</body/>"


def without_end_tags(source, fragment: bool = False):
    """`source` (str or bytes) less the </body> and </html> end tags that are tags, but the
    page's own last ones (none kept of a `fragment`)."""
    lower = source.lower()
    cuts = sorted(span for name in ("body", "html") for span in _end_tags(lower, name, fragment))
    if not cuts:
        return source
    pieces, at = [], 0
    for start, end in cuts:
        pieces.append(source[at:start])
        at = end
    pieces.append(source[at:])
    return source[:0].join(pieces)


def _end_tags(lower, name: str, fragment: bool):
    """(start, end) of each end tag `name` in `lower` (the source in lower case) that is a tag,
    the last one left unless in a `fragment`."""
    kind = type(lower)
    needle, close = _as(kind, "</" + name), _as(kind, ">")
    spaces = _as(kind, _SPACES)
    last = len(lower) if fragment else lower.rfind(needle)
    at = lower.find(needle)
    while 0 <= at < last:
        after = at + len(needle)
        end = lower.find(close, after)
        if end < 0:
            return
        if lower[after:after + 1] in spaces and not _in_text(lower, at):
            yield at, end + 1
        at = lower.find(needle, end)


def _in_text(lower, at: int) -> bool:
    """Whether `at` is inside the content of one of _TEXT_HOLDERS (opened before it, not closed
    before it: one that never closes runs to the page's end)."""
    kind = type(lower)
    for name in _TEXT_HOLDERS:
        opened = lower.rfind(_as(kind, "<" + name), 0, at)
        if opened >= 0:
            closed = lower.find(_as(kind, "</" + name), opened)
            if closed < 0 or closed > at:
                return True
    return False


def _as(kind: type, text: str):
    return text if kind is str else text.encode()
