"""The provider-card (design-system) family: Content-*, Byline-item, Media--providerCard, rs:* meta,
vote count only in rs-static-data JSON, rating only in aria-label and microdata."""
from __future__ import annotations

import json

from ..dates import shown
from ..text import card_paras, esc_full, esc_min
from . import QuestionView, reviews_text


def _card(doc) -> str:
    if doc is None:
        return ""
    href = f"/dr/{doc.slug}"
    name = (f'<a class="Headline--6 Link Link--primary" href="{href}" itemprop="name">{esc_min(doc.printed)}</a>'
            if doc.show_name else "")   # no printed name: only the avatar link in Media-figure
    rating = ""
    if doc.rating is not None:
        r = f"{doc.rating:.1f}"
        rating = (f'<div class="Rating" itemprop="aggregateRating" itemscope itemtype="http://schema.org/AggregateRating">'
                  f'<meta itemprop="ratingValue" content="{r}"><meta itemprop="reviewCount" content="{doc.reviews}">'
                  f'<span class="Rating-stars" aria-label="{r} out of 5 stars"></span>'
                  f'<span class="Rating-count">{reviews_text(doc.reviews)}</span></div>')
    return (f'<div class="Media Media--providerCard" itemscope itemtype="http://schema.org/Physician">'
            f'<div class="Media-figure"><a href="{href}"><img class="Media-figureImage lazyload" '
            f'data-original="/img/dr/{doc.slug}.jpg"></a></div><div class="Media-body">{name}'
            f'<div class="BodyText--secondary">{esc_min(doc.title_line)}</div>{rating}</div></div>')


def _answer(a) -> str:
    data = esc_full(json.dumps({"likeCount": str(a.votes), "contentId": str(a.aid)}))
    return (f'<div class="Content Content--answer" id="answer-{a.aid}">\n'
            f'<h3 class="Content-title Headline Headline--legacy3">{esc_min(a.title)}</h3>\n'
            f'<ul class="Content-byline Byline"><li class="Byline-item"><time datetime="{a.day.isoformat()}">{shown(a.day)}</time></li></ul>\n'
            f'<div class="Content-bodyText BodyText BodyText--large user-generated-content">{card_paras(a.paras)}</div>\n'
            f"<div class=\"u-marginMedium\" rs-static-data='{data}'><button class=\"HelpfulButton\">Helpful</button></div>\n"
            f'{_card(a.doctor)}\n</div>\n')


def _related(v: QuestionView) -> str:
    if not v.related:
        return ""
    links = "".join(f'<a class="Link" href="/question/{s}">{esc_min(t)}</a>' for s, t in v.related)
    return f'<aside class="RelatedContent"><h4 class="Headline">You might also like...</h4>{links}</aside>\n'


def render(v: QuestionView, deploy) -> str:
    title = esc_min(v.title)
    loc = f'<li class="Byline-item">{esc_min(v.location)}</li>' if v.location else ""
    answers = [_answer(a) for a in v.answers]
    answers.insert(v.promo_after, _related(v))
    return f'''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - RealSelf</title>
<link rel="canonical" href="https://www.realself.com/question/{v.slug}">
<meta property="rs:content-id" content="{v.qid}">
<meta property="rs:content-type" content="question">
<meta property="rs:topic-name" content="{esc_full(v.topic_name)}">
<meta name="sailthru.tags" content="{v.topic_slug},question">
</head>
<body>
<div class="SiteHeader"><a class="SiteHeader-logo" href="/">RealSelf</a></div>
<div id="question-view" class="Layout">
<h1 class="Headline Headline--hero">{title}</h1>
<ul class="Content-byline Byline Byline--bulleted"><li class="Byline-item"><time datetime="{v.asked.isoformat()}">{shown(v.asked)}</time></li>{loc}<li class="Byline-item"><a href="/{v.topic_slug}">{esc_min(v.topic_name)}</a></li></ul>
<div class="Content-bodyText BodyText BodyText--large user-generated-content">{card_paras(v.paras)}</div>
<h2 class="Headline Headline--4 u-marginTop">Doctor Answers <span class="u-textMuted">({len(v.answers)})</span></h2>
<div id="answer-list">
{"".join(answers)}</div>
</div>
<div class="SiteFooter"><p class="BodyText--secondary">These answers are for educational purposes and should not be relied upon as a substitute for medical advice you may receive from your physician.</p></div>
</body>
</html>'''
