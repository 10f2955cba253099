"""Which element is a container's part (an answer's byline, its date, its vote) when the page
holds several candidates: the nearest, a copy shown to the reader over a hidden one, and a
MarkupError where which is the container's own is a guess."""
from __future__ import annotations

import re

from .errors import MarkupError
from .markup import content_outside, shown_form

# An inline style that hides an element: what a mobile or a desktop copy of a part wears.
_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)", re.I)


def inside(el, elements: set) -> bool:
    """Whether one of `elements` holds the element (is one of its ancestors)."""
    return any(up in elements for up in el.iterancestors())


def nearest(candidates: dict, container, content) -> dict:
    """A container's parts (Tree.parts): key -> its element, from `candidates`, key -> [(depth,
    order, element)] of the elements below the container holding that key."""
    parts = {key: min(shown_ones(found, lambda c: c[2]), key=_rank)[2] for key, found in candidates.items()}
    bodies = {parts[key] for key in content if key in parts}
    copies = set()  # every candidate outside the body: a copy of a part is no other post's text
    for key, found in candidates.items():
        outside = [c[2] for c in found if not _within(c[2], bodies, container)]
        outside = [el for el in outside if not _within(el, set(outside), container)]  # a part in its like: that one's
        if outside:
            parts[key] = single(outside, key)
            copies.update(outside)
    for key, el in parts.items() if content else ():  # a post (one with a body) has sub-threads
        if el not in bodies and not _within(el, bodies, container):
            own(el, container, {*parts.values(), *copies}, key)
    return parts


def single(found: list, what: str):
    """The one element of `found`, a part its container has one of (a byline, a vote's data, a
    doctor's item); copies that show the same (a desktop and a mobile copy) are one part, the
    first. A hidden one (hidden_part) is no rival to one shown: a copy for another screen.
    Several shown that differ, which the markup does not tell apart, leave which is the
    container's and which a sub-thread's (a comment's, a reply's) to a guess: a MarkupError."""
    found = shown_ones(found)
    shown = {shown_form(el) for el in found} if len(found) > 1 else ()
    if len(shown) > 1:
        raise MarkupError(f"{len(found)} {what} where an item shows one: which is its own and "
                          "which another's (a comment's, a reply's, a practice's) is a guess")
    return found[0]


def hidden_part(el) -> bool:
    """Whether the element, or one holding it, is hidden from a reader: aria-hidden="true",
    the `hidden` attribute, or an inline style display:none or visibility:hidden (a mobile
    copy of a byline on a desktop page). Judged only among candidates for one part: a field's
    text in a hidden element (a "Read more"'s rest) is still its text (crawler.pages.markup)."""
    for up in (el, *el.iterancestors()):
        if (up.get("hidden") is not None or (up.get("aria-hidden") or "").strip().lower() == "true"
                or _HIDING_STYLE.search(up.get("style") or "")):
            return True
    return False


def shown_ones(found: list, element=lambda el: el) -> list:
    """The candidates a reader sees, when there are some; else all of them (a part hidden
    on every screen is still the one there is)."""
    if len(found) < 2:
        return found
    shown = [c for c in found if not hidden_part(element(c))]
    return shown or found


def own(el, container, parts: set, key: str) -> None:
    """MarkupError when a part sits in a block that shows content of its own beside the
    container's parts (a comment: a reply's byline above the reply's text): that block's
    part, not the container's, and the container's own is then missing or elsewhere. A
    label beside a part ("Answered <date>", "Helpful?", "Answered by") is no content."""
    up = el.getparent()
    while up is not container and up not in parts:  # in another of its parts (a date in its byline): its own
        if content_outside(up, parts):
            raise MarkupError(f"{key} in a block with content of its own beside it: "
                              "a comment's or a reply's, not its item's?")
        up = up.getparent()


def _rank(candidate) -> tuple:
    return candidate[:2]  # depth, then page order


def _within(el, elements: set, container) -> bool:
    up = el.getparent()
    while up is not container:
        if up in elements:
            return True
        up = up.getparent()
    return False
