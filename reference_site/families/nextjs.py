"""The nextjs family: CSS-module class names with per-deploy hash suffixes, __NEXT_DATA__ JSON,
a schema.org QAPage in JSON-LD, bodies glued with <br><br>, UTC `createdAt` stamps."""
from __future__ import annotations

import hashlib
import json

from ..dates import shown, utc_stamp
from ..text import card_paras, esc_min, ld_text, next_html
from . import QuestionView, reviews_text

BASE = "https://www.realself.com"
BANNER_TEXT = ("Get the real deal on beauty treatments—real doctors, real reviews, and real photos with real "
               "results.<a href=\"/trust\">Here's how we earn your trust.</a>")


class Deploy:
    """One build of the site: CSS-module suffixes and buildId are 5 hex chars derived from the seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self.build_id = self._hex("buildId")
        self._cache: dict[str, str] = {}

    def _hex(self, name: str) -> str:
        return hashlib.sha256(f"deploy:{self.seed}:{name}".encode()).hexdigest()[:5]

    def cls(self, component: str) -> str:
        if component not in self._cache:
            self._cache[component] = f"{component}__{self._hex(component)}"
        return self._cache[component]


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")


def _vote(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _byline(doc, c) -> str:
    if doc is None:
        return ""
    name = (f'<a class="{c("provider-byline_name")}" href="/dr/{doc.slug}">{esc_min(doc.printed)}</a>'
            if doc.show_name else "")   # no printed name: the profile link is only in __NEXT_DATA__
    rating = ""
    if doc.rating is not None:
        rating = (f'<div class="{c("star-rating_rating")}"><span aria-hidden="true">★★★★★</span>'
                  f'<span>{doc.rating:.1f} out of 5 stars</span><span>{reviews_text(doc.reviews)}</span></div>')
    return (f'<div class="{c("provider-byline_root")}">{name}'
            f'<p class="{c("provider-byline_title")}">{esc_min(doc.title_line)}</p>{rating}</div>')


def _card(a, c) -> str:
    return (f'<article class="{c("answer-card_card")}" data-testid="answer-card"><h3 class="{c("answer-card_title")}">'
            f'{esc_min(a.title)}</h3><button class="{c("vote-button_button")}"><span class="{c("vote-button_count")}">'
            f'{_vote(a.votes)}</span></button><div class="{c("answer-card_body")}">{next_html(a.paras)}</div>'
            f'<span class="{c("answer-card_date")}">{shown(a.day)}</span>{_byline(a.doctor, c)}</article>')


def _provider(doc):
    if doc is None:
        return None
    rating = None if doc.rating is None else {"average": doc.rating, "count": doc.reviews}
    return {"id": doc.pid, "slug": doc.slug, "displayName": doc.printed if doc.show_name else None,
            "subtitle": doc.title_line, "profileUrl": f"/dr/{doc.slug}", "rating": rating}


def _ld(v: QuestionView) -> dict:
    answers = []
    for a in v.answers:
        item = {"@type": "Answer", "text": ld_text(a.paras), "upvoteCount": a.votes,
                "dateCreated": utc_stamp(a.day, a.minute), "url": f"{BASE}/question/{v.slug}#answer-{a.aid}"}
        if a.doctor is not None and a.doctor.show_name:
            item["author"] = {"@type": "Person", "name": a.doctor.printed, "url": f"{BASE}/dr/{a.doctor.slug}"}
        answers.append(item)
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": {
        "@type": "Question", "name": v.title, "text": ld_text(v.paras), "answerCount": len(v.answers),
        "dateCreated": utc_stamp(v.asked, v.minute), "suggestedAnswer": answers}}


def _next_data(v: QuestionView, deploy: Deploy) -> dict:
    answers = [{"id": a.aid, "title": a.title, "bodyHtml": next_html(a.paras), "helpfulCount": a.votes,
                "createdAt": utc_stamp(a.day, a.minute), "provider": _provider(a.doctor)} for a in v.answers]
    question = {"id": v.qid, "slug": v.slug, "title": v.title, "bodyHtml": next_html(v.paras),
                "createdAt": utc_stamp(v.asked, v.minute), "location": v.location,
                "procedure": {"name": v.topic_name, "slug": v.topic_slug}, "answerCount": len(v.answers),
                "answers": answers}
    return {"props": {"pageProps": {"question": question}}, "page": "/question/[slug]", "buildId": deploy.build_id}


def render(v: QuestionView, deploy: Deploy) -> str:
    c = deploy.cls
    b = deploy.build_id
    title = esc_min(v.title)
    loc = f"<span>{esc_min(v.location)}</span>" if v.location else ""
    related = ""
    if v.related:
        links = "".join(f'<a class="{c("related_link")}" href="/question/{s}">{esc_min(t)}</a>' for s, t in v.related)
        related = f'<aside class="{c("related_root")}"><h4>You might also like...</h4>{links}</aside>'
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>{title} | RealSelf</title>'
        f'<link rel="canonical" href="{BASE}/question/{v.slug}"/>'
        f'<script type="application/ld+json">{_json(_ld(v))}</script>'
        f'<link rel="preload" href="/_next/static/css/{b}.css" as="style"/></head><body><div id="__next">'
        f'<div class="{c("trust-banner_banner")}">{BANNER_TEXT}</div><main class="{c("layout_main")}">'
        f'<h1 class="{c("question-overview_title")}">{title}</h1><div class="{c("content-subheader_subHeader")}">'
        f'<span>{shown(v.asked)}</span><div class="{c("content-subheader_individualContentSubHeaderSecondLine")}">'
        f'<span>Asked by</span><span>anonymous</span>{loc}</div></div>'
        f'<div class="{c("question-overview_question")}">{card_paras(v.paras)}</div>'
        f'<h2 class="{c("answers-list_heading")}">Doctor Answers {len(v.answers)}</h2>'
        f'<section class="{c("answers-list_list")}">{"".join(_card(a, c) for a in v.answers)}</section>'
        f'{related}</main></div><script id="__NEXT_DATA__" type="application/json">{_json(_next_data(v, deploy))}</script>'
        f'<script src="/_next/static/chunks/main-{b}.js" async=""></script></body></html>')
