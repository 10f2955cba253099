"""On the reference site (2,000 questions, two seeds = two deploys), every page of every family
gives the site's truth records, field by field."""
from __future__ import annotations

import re

import pytest

from crawler.pages import PageError, parse_question_page
from pipelines.normalise.records import page_records

FAMILIES = ("legacy", "provider-card", "nextjs")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_every_page_gives_the_truth(seed):
    from reference_site.site import Site

    site = Site(questions=2000, seed=seed)
    mismatches = []
    pages = 0
    for slug in site.question_slugs():
        want = [dict(r) for r in site.truth(slug)]
        want[0].pop("layout", None)
        for family in FAMILIES:
            html = site.render_question(slug, family)
            pages += 1
            try:
                got = page_records(parse_question_page("http://127.0.0.1:8080/question/" + slug, html))
            except Exception as e:  # collect, then report a few
                mismatches.append((slug, family, "error", repr(e)[:200]))
                continue
            if len(got) != len(want):
                mismatches.append((slug, family, "count", len(got), len(want)))
                continue
            for g, w in zip(got, want):
                if set(g) != set(w):
                    mismatches.append((slug, family, w["type"], "keys", sorted(set(g) ^ set(w))))
                for k in w:
                    if g.get(k) != w[k] or type(g.get(k)) is not type(w[k]):
                        mismatches.append((slug, family, w["type"], k, g.get(k), w[k]))
    assert pages == 6000
    assert not mismatches, f"{len(mismatches)} mismatches, e.g. {mismatches[:10]}"


def _cards_reordered(html: str, order) -> str:
    """The page with its answer cards (the <article>s of the answers list) in `order(cards)`."""
    import re

    start = html.index("<article", html.index('class="answers-list_list__'))
    end = html.rindex("</article>") + len("</article>")
    cards = re.findall(r"<article.*?</article>", html[start:end], re.S)
    assert "".join(cards) == html[start:end]
    return html[:start] + "".join(order(cards)) + html[end:]


def _newest_first(cards):
    return cards[::-1]


def _rotated(cards):
    return cards[1:] + cards[:1]


def _one_missing(cards):  # the others still show their dates
    return cards[1:]


def _featured_twice(cards):  # a featured card shown again on top
    return cards[:1] + cards


def _badged(cards):  # a badge in every card's title: the order is the data's still
    return [re.sub(r'(<h3 class="answer-card_title__[^"]*">)', r'\1<span>Top answer</span> ', c) for c in cards]


def _badged_newest_first(cards):
    return _badged(cards)[::-1]


@pytest.mark.parametrize("order", [_newest_first, _rotated, _one_missing, _featured_twice, _badged,
                                   _badged_newest_first])
def test_nextjs_cards_sorted_otherwise_than_the_data_keep_their_own_dates(order):
    """Cards carry no ids: a page sorting them otherwise than its data must not give one
    answer another's date."""
    from reference_site.site import Site

    site, checked = Site(questions=300, seed=1), 0
    for slug in site.question_slugs():
        want = [r for r in site.truth(slug) if r["type"] == "answer"]
        titles = [a["title"] for a in want]
        if len(set(a["answered_on"] for a in want)) < 3 or None in titles or len(set(titles)) < len(titles):
            continue
        html = _cards_reordered(site.render_question(slug, "nextjs"), order)
        got = [r for r in page_records(parse_question_page("http://127.0.0.1:8080/question/" + slug, html))
               if r["type"] == "answer"]
        mine = 1 if order is _one_missing else 0  # the answer without a card has its data's date
        assert [a["answered_on"] for a in got[mine:]] == [a["answered_on"] for a in want[mine:]], slug
        checked += 1
    assert checked >= 20


def test_a_featured_copy_of_a_card_two_answers_share_the_title_of_is_a_bad_page_never_a_day_off():
    """Cards that cannot be told apart (one title, two answers, a copy on top) show two dates:
    which is whose is a guess, and the data's UTC timestamp may be a day off the date shown."""
    from reference_site.site import Site

    site, refused, read = Site(questions=300, seed=1), 0, 0
    for slug in site.question_slugs():
        want = [r for r in site.truth(slug) if r["type"] == "answer"]
        titles = [a["title"] for a in want]
        twice = {t for t in titles if t is not None and titles.count(t) > 1}
        if not twice:
            continue
        first = titles.index(next(iter(twice)))
        html = _cards_reordered(site.render_question(slug, "nextjs"), lambda cards: [cards[first], *cards])
        try:
            got = [r for r in page_records(parse_question_page("http://127.0.0.1:8080/question/" + slug, html))
                   if r["type"] == "answer"]
        except PageError:
            refused += 1
            continue
        assert [a["answered_on"] for a in got] == [a["answered_on"] for a in want], slug
        read += 1
    assert refused >= 3, (refused, read)
