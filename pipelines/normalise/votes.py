"""Vote counts as readers see them."""
from __future__ import annotations

import re
from functools import lru_cache

from .numbers import count_of_number, in_int32, signed_count
from .text import clean

# The expression ng-init assigns to voteCount: up to the statement's end. It is a count when
# it is one integer literal as AngularJS reads it: ASCII digits, no thousands commas, "-" its minus.
_NG_INIT = re.compile(r"voteCount\s*=\s*([^;]*)")
_LITERAL = re.compile(r"[+-]?\s*[0-9]+")


def parse_count(value) -> int | None:
    """3, "3", "+3", "-1", "\u22121", "0" -> int, text as a reader sees it ("4\u00ad2" is 42);
    a count no int32 holds (or inf) -> None; a text that is not one number read whole ("1.2K",
    "1 154", "12 34") -> None."""
    if value is None or isinstance(value, (bool, int, float)):
        return count_of_number(value)
    return signed_count(clean(str(value)))


def legacy_vote(widget: tuple[str, str] | None) -> int | None:
    """Legacy's vote widget, (its ng-init statements, the text it shows: "{{ voteCount >= 0 ?
    '+' + (voteCount + 1) : (voteCount + 1) }}"): the count a reader sees, the template's
    value for the `voteCount=N` the statements set. An N that is not one signed number ("4 2",
    "4-2", "1'234", "3 && x"), or a template whose value is not certain (more than one, another
    variable, a product), is no count, never a guess."""
    statements, shown = widget or ("", "")
    m = _NG_INIT.search(statements)
    expression = clean(m.group(1)) if m else ""
    n = signed_count(expression) if _LITERAL.fullmatch(expression) else None
    templates = _TEMPLATE.findall(shown)
    if n is None or len(templates) > 1:
        return None
    if templates:
        value = _template_value(templates[0], n)
        if value is None:
            return None
        shown = _TEMPLATE.sub(str(value), shown)
    count = signed_count(clean(shown))
    return None if count is None else in_int32(count)


# An AngularJS interpolation in the text the widget shows (ng-bind's expression is read as one)
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
# AngularJS's number filter, which shows an integer's value (with thousands commas)
_NUMBER_FILTER = re.compile(r"\|\s*number\s*(?::\s*0\s*)?$")
# A value the template may show: voteCount plus or minus a whole number, in brackets or not,
# with a "+" joined before it (a sign shown)
_SHOWN_VALUE = re.compile(r"(?:'\+'\s*\+\s*)?(\()?\s*voteCount\s*(?:([+-])\s*([0-9]{1,9})\s*)?(?(1)\))")


def _template_value(expression: str, n: int) -> int | None:
    """The number a template's expression shows for voteCount = n, where it is certain: a
    value of _SHOWN_VALUE, through the number filter or not, or a choice between two that show
    one number (the contract's: a "+" before a count that is not negative); else None."""
    expression = _NUMBER_FILTER.sub("", expression.strip())
    _, choice, branches = expression.partition("?")
    values = set()
    for branch in branches.split(":") if choice else (expression,):
        m = _SHOWN_VALUE.fullmatch(branch.strip())
        if m is None:
            return None
        k = int(m.group(3) or 0)
        values.add(n - k if m.group(2) == "-" else n + k)
    return values.pop() if len(values) == 1 else None


# The kind of a vote the page shows in data its page object could not read (JSON that does not
# parse): the data's text as printed, which gives no count.
UNREAD = "unread"


def vote_count(value, kind: str = "count") -> int | None:
    if kind == UNREAD:  # no count is guessed from data that does not read ("{likeCount: 3}")
        return None
    if type(value) in (str, tuple):  # the usual case; the few distinct strings repeat across answers
        return _str_vote(value, kind)
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)


@lru_cache(maxsize=4096)
def _str_vote(value: str | tuple, kind: str) -> int | None:
    return legacy_vote(value) if kind == "ng-init" else parse_count(value)
