"""The provider-card (design-system era) family: Content-*, Byline-item, Media--providerCard."""
from __future__ import annotations

import json
import re

from lxml import etree

from ._common import TagIndex, all_text, answer_elements, canonical_url, class_has, first_int, question_links, text_of, tokens
from .items import QuestionPage, RawAnswer, RawByline, RawQuestion

_META_ID = etree.XPath("string(//meta[@property='rs:content-id'][1]/@content)")
_META_TOPIC = etree.XPath("//meta[@property='rs:topic-name'][1]/@content")
_ANSWERS = etree.XPath(f"//*[{class_has('Content--answer')}]")
_HEADING = etree.XPath("string(//h2[contains(., 'Doctor Answers')][1])")
_RELATED = etree.XPath(f"//*[{class_has('RelatedContent')}]//a/@href")


# The site's usual rs-static-data, exactly: json.loads of it gives likeCount as this string.
_STATIC_DATA = re.compile(r'\{"likeCount": "(-?[0-9]+)", "contentId": "[0-9]+"\}')


def _like_count(raw: str):
    """likeCount of an rs-static-data JSON object (None if not an object or not JSON)."""
    m = _STATIC_DATA.fullmatch(raw)
    if m:
        return m.group(1)
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data.get("likeCount") if isinstance(data, dict) else None


def _first(el, tag: str):
    """The first element of `el.iter(tag)` (`el` itself, then its descendants in document
    order), or None; without an iterator when `el` or its first child is it, or `el` is a leaf."""
    if el.tag == tag:
        return el
    if not len(el):
        return None
    first = el[0]
    if first.tag == tag:
        return first
    for d in el.iter(tag):
        return d
    return None


def _byline_items(ul):
    """(time element, location text, topic text) from a Content-byline list."""
    time_el = location = topic = None
    for li in ul:
        if not isinstance(li.tag, str):
            continue
        t = _first(li, "time")
        if t is not None:
            time_el = time_el if time_el is not None else t
            continue
        a = _first(li, "a")
        if a is not None:
            topic = topic or text_of(a)
            continue
        location = location or text_of(li)
    return time_el, location, topic


def _provider_fast(card) -> RawByline | None:
    """The card's usual shape: Media-figure > a, Media-body > (a[itemprop=name], title, Rating)."""
    href = name = title = rating = reviews = None
    for part in card:
        c = part.get("class") if isinstance(part.tag, str) else None
        if not c:
            continue
        if "Media-figure" in c:
            first = part[0] if len(part) else None
            if (first is not None and first.tag == "a" and part.tag != "a"
                    and "/dr/" in (first.get("href") or "")):
                href = first.get("href")  # the first <a> of part.iter("a"): no iterator
            else:
                for a in part.iter("a"):
                    if "/dr/" in (a.get("href") or ""):
                        href = a.get("href")
                        break
        elif "Media-body" in c:
            for ch in part:
                tag = ch.tag
                if tag == "a" and ch.get("itemprop") == "name":
                    name = text_of(ch)
                    if href is None and "/dr/" in (ch.get("href") or ""):
                        href = ch.get("href")
                elif tag == "div":
                    cc = ch.get("class") or ""
                    if "BodyText--secondary" in cc:
                        title = text_of(ch)
                    elif "Rating" in cc:
                        for m in ch.iter("meta"):
                            ip = m.get("itemprop")
                            if ip == "ratingValue":
                                rating = m.get("content")
                            elif ip == "reviewCount":
                                reviews = m.get("content")
                        if rating is None or reviews is None:
                            return None
                    else:
                        return None
                elif isinstance(tag, str):
                    return None
        else:
            return None
    if href is None:
        return None
    return RawByline(name, href, title, rating, reviews)  # name, profile_href, title_line, rating, review_count


def _provider(card) -> RawByline:
    fast = _provider_fast(card)
    if fast is not None:
        return fast
    href = name = title = rating = reviews = None
    aria = count_text = None
    for d in card.iter():
        tag = d.tag
        if not isinstance(tag, str):
            continue
        c = d.get("class") or ""
        if tag == "a":
            h = d.get("href") or ""
            if d.get("itemprop") == "name":
                name = text_of(d)
                if "/dr/" in h and href is None:
                    href = h
            elif "/dr/" in h and href is None:
                href = h
        elif tag == "meta":
            ip = d.get("itemprop")
            if ip == "ratingValue":
                rating = d.get("content")
            elif ip == "reviewCount":
                reviews = d.get("content")
        elif "BodyText--secondary" in c.split() and title is None:
            title = text_of(d)
        elif d.get("aria-label") and aria is None:
            aria = d.get("aria-label")
        elif "Rating-count" in c.split():
            count_text = text_of(d)
    return RawByline(  # positional: the per-answer hot path (field order of items.py)
        name,  # name
        href,  # profile_href
        title,  # title_line
        rating if rating is not None else aria,  # rating
        reviews if reviews is not None else count_text,  # review_count
    )


# What an answer's child is, by its class attribute: the first of these tokens it holds.
_TITLE, _BYLINE, _BODY, _CARD, _OTHER = range(5)
_KIND_TOKENS = (("Content-title", _TITLE), ("Content-byline", _BYLINE), ("Content-bodyText", _BODY),
                ("Media--providerCard", _CARD))
_KINDS: dict = {}


def _kind(classes: str) -> int:
    """The kind of an answer's child by its class attribute, remembered per attribute value
    (the site's templates repeat a few; bounded, so pages of random classes cannot grow it)."""
    toks = classes.split()
    kind = next((k for token, k in _KIND_TOKENS if token in toks), _OTHER)
    if len(_KINDS) >= 4096:
        _KINDS.clear()
    _KINDS[classes] = kind
    return kind


def parse(root, url: str, index: TagIndex | None = None) -> QuestionPage:
    if index is None:
        index = TagIndex(root)
    canonical = canonical_url(root, url, index)
    # The first <h1> in document order is what //h1[1] yields first; the index has it
    # without XPath's per-node positional test.
    h1 = index.h1[0] if index.h1 else None
    if h1 is None:
        from .errors import UnknownLayout

        raise UnknownLayout(url, "provider-card page without a question title")
    time_el = location = topic = body = None
    # The question's parts follow its heading, up to the answers heading.
    for sib in h1.itersiblings():
        if not isinstance(sib.tag, str):
            continue
        toks = (sib.get("class") or "").split()
        if sib.tag == "h2" or sib.get("id") == "answer-list":
            break
        if "Content-byline" in toks and time_el is None:
            time_el, location, topic = _byline_items(sib)
        elif "Content-bodyText" in toks and body is None:
            body = sib
    metas, qid = [], []
    for m in index.head_metas:  # one pass for both properties
        prop = m.get("property")
        if prop == "rs:topic-name" or prop == "rs:content-id":
            content = m.get("content")
            if content:
                (metas if prop == "rs:topic-name" else qid).append(content)
    metas = metas or _META_TOPIC(root)
    if metas and metas[0].strip():
        topic = metas[0]
    question = RawQuestion(
        question_id=(qid[0] if qid else _META_ID(root)).strip(),
        title=h1,
        body=body,
        topic=topic,
        date_text=text_of(time_el),
        date_time=time_el.get("datetime") if time_el is not None else None,
        asker_location=location,
    )
    answers = []
    heading = None
    for h in index.h2:
        if "Doctor Answers" in all_text(h):
            heading = all_text(h)
            break
    if heading is None:
        heading = _HEADING(root)
    declared = first_int(heading)
    found = answer_elements(root, "Content-title", "Content--answer", declared=declared, fallback=_ANSWERS,
                            h3s=index.h3)
    related = []
    for aside in index.aside:
        if "RelatedContent" in tokens(aside):
            related.extend(a.get("href") or "" for a in aside.iter("a"))
    kinds = _KINDS
    for ans in found:
        title = body = time_el = vote = card = None
        for ch in ans:
            if not isinstance(ch.tag, str):
                continue
            c = ch.get("class") or ""
            kind = kinds.get(c)
            if kind is None:
                kind = _kind(c)
            if kind == _TITLE:
                title = ch
            elif kind == _BYLINE:
                time_el = _byline_items(ch)[0]
            elif kind == _BODY:
                body = ch
            else:
                static = ch.get("rs-static-data")
                if static is not None:
                    vote = _like_count(static)
                elif kind == _CARD:
                    card = ch
        answers.append(RawAnswer(  # positional: the per-answer hot path (field order of items.py)
            (ans.get("id") or "").removeprefix("answer-").strip(),  # answer_id
            title,  # title
            body,  # body
            vote,  # vote
            "count",  # vote_kind
            text_of(time_el),  # date_text
            time_el.get("datetime") if time_el is not None else None,  # date_time
            _provider(card) if card is not None else None,  # byline
        ))
    return QuestionPage(
        family="provider-card",
        url=canonical,
        fetched_url=url,
        question=question,
        answers=answers,
        declared_answer_count=declared,
        related_urls=question_links(related, url),
    )
