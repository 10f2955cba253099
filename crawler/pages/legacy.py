"""The legacy (AngularJS era) family: BEM classes rs-question__*, rs-answer__*, rs-byline__*."""
from __future__ import annotations

from lxml import etree

from ._common import TagIndex, all_text, answer_elements, canonical_url, class_has, first_int, question_links, text_of, tokens
from .items import QuestionPage, RawAnswer, RawByline, RawQuestion

_QUESTION = etree.XPath(f"//*[{class_has('rs-question')}][1]")
_ANSWERS = etree.XPath(f"//*[{class_has('rs-answer')}]")
_COUNT = etree.XPath(f"string(//*[{class_has('rs-answers__count')}][1])")
_RELATED = etree.XPath(f"//*[{class_has('rs-promo')}]//a/@href")


def _roles(el, wanted: dict, marker: str = "") -> dict:
    """Map role -> first descendant element whose class names it (document order).

    `marker`: a substring of every wanted token; a class attribute without it holds none of
    them, so it is not looked up."""
    found: dict = {}
    memo = _MEMOS[id(wanted)]
    for d in el.iter():
        c = d.get("class")
        if c and marker in c:
            roles = memo.get(c)
            if roles is None:
                roles = _class_roles(c, wanted, memo)
            for role in roles:
                if role not in found:
                    found[role] = d
    return found


_MEMO_MAX = 4096


def _class_roles(classes: str, wanted: dict, memo: dict) -> tuple:
    """The wanted roles a class attribute names, in token order; remembered per attribute
    value (the site's templates repeat a few class strings on every page; bounded, so pages
    of random classes cannot grow it)."""
    role = wanted.get(classes)  # the usual attribute is that one token: no split
    if role is not None:
        roles = (role,)
    else:
        roles = tuple(wanted[t] for t in classes.split() if t in wanted)
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[classes] = roles
    return roles


_Q_ROLES = {
    "rs-question__title": "title",
    "rs-question__topic": "topic",
    "rs-question__date": "date",
    "rs-question__location": "location",
    "rs-question__body": "body",
}
_A_ROLES = {
    "rs-answer__title": "title",
    "rs-vote": "vote",
    "rs-answer__body": "body",
    "rs-answer__date": "date",
    "rs-byline": "byline",
}
_B_ROLES = {
    "rs-byline__name": "name",
    "rs-byline__title": "title",
    "rs-byline__rating": "rating",
}
_MEMOS = {id(_Q_ROLES): {}, id(_A_ROLES): {}, id(_B_ROLES): {}}
_A_MEMO = _MEMOS[id(_A_ROLES)]


def _answer_parts(ans) -> dict:
    # The answer's own parts are its children; descend only if one is missing (wrappers).
    found: dict = {}
    memo = _A_MEMO
    for ch in ans:
        c = ch.get("class")  # None on comments and processing instructions
        if c:
            roles = memo.get(c)
            if roles is None:
                roles = _class_roles(c, _A_ROLES, memo)
            for role in roles:
                if role not in found:
                    found[role] = ch
    if "title" not in found or "body" not in found:
        deep = _roles(ans, _A_ROLES)
        for k, v in deep.items():
            found.setdefault(k, v)
    return found


def _byline(el) -> RawByline:
    parts = _roles(el, _B_ROLES, "rs-byline__")
    name_el = parts.get("name")
    href = None
    if name_el is not None and "/dr/" in (name_el.get("href") or ""):
        href = name_el.get("href")
    if href is None:
        for a in el.iter("a"):
            h = a.get("href") or ""
            if "/dr/" in h:
                href = h
                break
    rating_el = parts.get("rating")
    rating_text = text_of(rating_el)
    return RawByline(  # positional: the per-answer hot path (field order of items.py)
        text_of(name_el),  # name
        href,  # profile_href
        text_of(parts.get("title")),  # title_line
        rating_text,  # rating
        rating_text,  # review_count
    )


def parse(root, url: str, index: TagIndex | None = None) -> QuestionPage:
    if index is None:
        index = TagIndex(root)
    canonical = canonical_url(root, url, index)
    qs = [h.getparent() for h in index.h1 if "rs-question__title" in tokens(h)]
    qs = [q for q in qs if q is not None and "rs-question" in tokens(q)] or _QUESTION(root)
    if not qs:
        from .errors import UnknownLayout

        raise UnknownLayout(url, "legacy page without a question")
    q = qs[0]
    qp = _roles(q, _Q_ROLES, "rs-question__")
    date_el = qp.get("date")
    question = RawQuestion(
        question_id=(q.get("data-question-id") or "").strip(),
        title=qp.get("title"),
        body=qp.get("body"),
        topic=text_of(qp.get("topic")),
        date_text=text_of(date_el),
        date_time=date_el.get("datetime") if date_el is not None else None,
        asker_location=text_of(qp.get("location")),
    )
    answers = []
    count_text = None
    for h in index.h2:
        if "rs-answers__count" in tokens(h):
            count_text = all_text(h)
            break
    if count_text is None:
        count_text = _COUNT(root)
    declared = first_int(count_text)
    found = answer_elements(root, "rs-answer__title", "rs-answer", declared=declared, fallback=_ANSWERS,
                            h3s=index.h3)
    related = []
    containers = {a.getparent() for a in found}
    if len(containers) == 1:
        for ch in containers.pop():
            c = ch.get("class")  # a substring test first: the answers themselves are not split
            if c and "rs-promo" in c and "rs-promo" in c.split():
                related.extend(a.get("href") or "" for a in ch.iter("a"))
    else:
        related = _RELATED(root)
    for ans in found:
        p = _answer_parts(ans)
        aid = ans.get("data-answer-id") or (ans.get("id") or "").removeprefix("answer-")
        vote_el = p.get("vote")
        date_el = p.get("date")
        by = p.get("byline")
        answers.append(RawAnswer(  # positional: the per-answer hot path (field order of items.py)
            aid.strip(),  # answer_id
            p.get("title"),  # title
            p.get("body"),  # body
            vote_el.get("ng-init") if vote_el is not None else None,  # vote
            "ng-init",  # vote_kind
            text_of(date_el),  # date_text
            date_el.get("datetime") if date_el is not None else None,  # date_time
            _byline(by) if by is not None else None,  # byline
        ))
    return QuestionPage(
        family="legacy",
        url=canonical,
        fetched_url=url,
        question=question,
        answers=answers,
        declared_answer_count=declared,
        related_urls=question_links(related, url),
    )
