"""The "thread" family: the site's next redesign, served only under `--drift family=S`.

A whole new design, not garbage: a thread of posts with its own class names (`thread-*`,
`post-*`, `author-chip*`), dates in <time datetime>, the rating in the author chip, and no
embedded JSON (no __NEXT_DATA__, no JSON-LD, no rs:* meta). The crawler's parsers are
deliberately NOT taught it: it stands for the redesign nobody has seen yet, so a crawl must
notice pages it cannot read rather than read them.
"""
from __future__ import annotations

from ..dates import shown
from ..text import esc_min
from . import QuestionView, reviews_text


def _paras(paras) -> str:
    return "".join('<p class="post-text__para">' + "<br/>".join(map(esc_min, lines)) + "</p>" for lines in paras)


def _author(doc) -> str:
    if doc is None:
        return ""
    href = f"/dr/{doc.slug}"
    name = f'<a class="author-chip__name" href="{href}">{esc_min(doc.printed)}</a>' if doc.show_name else ""
    score = ""
    if doc.rating is not None:
        score = (f'<span class="author-chip__score" title="{doc.rating:.1f} of 5">{doc.rating:.1f}&#9733;</span>'
                 f'<span class="author-chip__reviews">{reviews_text(doc.reviews)}</span>')
    return (f'<footer class="author-chip"><a class="author-chip__avatar" href="{href}"><img alt="" '
            f'src="/img/dr/{doc.slug}.jpg"/></a><div class="author-chip__text">{name}'
            f'<span class="author-chip__role">{esc_min(doc.title_line)}</span>{score}</div></footer>')


def _reply(a) -> str:
    return (f'<article class="post post-reply" id="reply-{a.aid}" data-post="{a.aid}">'
            f'<h3 class="post-reply__headline">{esc_min(a.title)}</h3>'
            f'<div class="post-text">{_paras(a.paras)}</div>'
            f'<div class="post-meta"><time datetime="{a.day.isoformat()}">{shown(a.day)}</time>'
            f'<span class="post-meta__likes">{a.votes} found this helpful</span></div>'
            f'{_author(a.doctor)}</article>')


def render(v: QuestionView, deploy=None) -> str:
    title = esc_min(v.title)
    loc = f'<span class="thread-meta__place">{esc_min(v.location)}</span>' if v.location else ""
    related = ""
    if v.related:
        links = "".join(f'<li><a class="more-threads__link" href="/question/{s}">{esc_min(t)}</a></li>'
                        for s, t in v.related)
        related = f'<nav class="more-threads"><h4>Related questions</h4><ul>{links}</ul></nav>'
    replies = "".join(_reply(a) for a in v.answers)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{title} · RealSelf</title>\n'
        f'<link rel="canonical" href="https://www.realself.com/question/{v.slug}">\n'
        '<link rel="stylesheet" href="/assets/thread.css">\n</head>\n'
        '<body class="app app--thread">\n<div class="app-shell">\n'
        f'<main class="thread" data-thread-id="{v.qid}">\n'
        f'<header class="thread-head"><a class="thread-head__crumb" href="/{v.topic_slug}">{esc_min(v.topic_name)}</a>'
        f'<h1 class="thread-head__title">{title}</h1>'
        f'<div class="thread-meta"><time datetime="{v.asked.isoformat()}">{shown(v.asked)}</time>{loc}</div></header>\n'
        f'<section class="post post-opening"><div class="post-text">{_paras(v.paras)}</div></section>\n'
        f'<h2 class="thread-replies__count">{len(v.answers)} doctor replies</h2>\n'
        f'<div class="thread-replies">{replies}</div>\n{related}\n</main>\n</div>\n</body>\n</html>\n')
