"""The legacy (AngularJS) family: BEM classes, ng-init vote template, <p> bodies with indentation."""
from __future__ import annotations

from ..dates import legacy_stamp, shown
from ..text import esc_full, legacy_paras
from . import QuestionView, reviews_text

VOTE = "{{ voteCount >= 0 ? '+' + (voteCount + 1) : (voteCount + 1) }}"
FOOTER = ("These answers are for educational purposes and should not be relied upon as a substitute for medical "
          "advice you may receive from your physician. If you have a medical emergency, please call 911. These "
          "answers do not constitute or initiate a patient/doctor relationship.")


def _byline(doc) -> str:
    if doc is None:
        return "\n      "
    href = f"/dr/{doc.slug}"
    if doc.show_name:
        who = f'<a class="rs-byline__name" href="{href}">{esc_full(doc.printed)}</a>'
    else:   # no printed name: only the avatar link to the profile
        who = f'<a class="rs-byline__avatar" href="{href}"><img class="rs-byline__photo" src="/img/dr/{doc.slug}.jpg" alt=""></a>'
    out = (f'\n      <div class="rs-byline">\n        {who}\n'
           f'        <div class="rs-byline__title">{esc_full(doc.title_line)}</div>\n')
    if doc.rating is not None:
        out += (f'        <div class="rs-byline__rating">{doc.rating:.1f} out of 5 stars '
                f'<a href="{href}/reviews">{reviews_text(doc.reviews)}</a></div>\n')
    return out + "      </div>"


def _answer(a) -> str:
    return (f'    <div class="rs-answer" id="answer-{a.aid}" data-answer-id="{a.aid}">\n'
            f'      <h3 class="rs-answer__title">{esc_full(a.title)}</h3>\n'
            f'      <div class="rs-vote" ng-controller="VoteCtrl" ng-init="voteCount={a.votes - 1}">\n'
            f'        <span class="rs-vote__count">{VOTE}</span>\n'
            f'      </div>\n'
            f'      <div class="rs-answer__body user-generated-content">\n'
            f'          {legacy_paras(a.paras)}\n'
            f'      </div>\n'
            f'      <time class="rs-answer__date" datetime="{legacy_stamp(a.day, a.minute)}">{shown(a.day)}</time>'
            f'{_byline(a.doctor)}\n'
            f'    </div>\n')


def _promo(v: QuestionView) -> str:
    links = "".join(f'<li><a href="/question/{s}">{esc_full(t)}</a></li>' for s, t in v.related)
    return f'    <div class="rs-promo"><h4>You might also like...</h4><ul>{links}</ul></div>\n' if v.related else ""


def render(v: QuestionView, deploy) -> str:
    title = esc_full(v.title)
    loc = f'\n      <span class="rs-question__location">{esc_full(v.location)}</span>' if v.location else ""
    answers = [_answer(a) for a in v.answers]
    answers.insert(v.promo_after, _promo(v))
    return f'''<!DOCTYPE html>
<html lang="en" ng-app="rsApp">
<head>
  <meta charset="utf-8">
  <title>{title} | RealSelf</title>
  <link rel="canonical" href="https://www.realself.com/question/{v.slug}">
  <meta property="og:title" content="{title}">
  <script src="/static/js/angular.min.js"></script>
  <script>window.rsConfig = {{"env": "prod", "abTests": ["qa-layout-b"]}};</script>
</head>
<body class="rs-page rs-page--question">
  <header class="rs-header"><a class="rs-header__logo" href="/">RealSelf</a>
    <nav><a href="/reviews">Reviews</a> <a href="/questions">Q&amp;A</a> <a href="/find">Find a doctor</a></nav>
  </header>
  <main class="rs-main">
  <div class="rs-question" data-question-id="{v.qid}">
    <h1 class="rs-question__title">{title}</h1>
    <div class="rs-question__meta">
      <a class="rs-question__topic" href="/{v.topic_slug}">{esc_full(v.topic_name)}</a>
      <time class="rs-question__date" datetime="{legacy_stamp(v.asked, v.minute)}">{shown(v.asked)}</time>{loc}
    </div>
    <div class="rs-question__body user-generated-content">
      {legacy_paras(v.paras, "          ")}
    </div>
  </div>
  <section class="rs-answers">
    <h2 class="rs-answers__count">Doctor Answers {len(v.answers)}</h2>
{"".join(answers)}  </section>
  </main>
  <footer class="rs-footer">{FOOTER}</footer>
</body>
</html>'''
