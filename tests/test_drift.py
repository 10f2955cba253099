"""Markup drift in the reference site (`site --drift family=S,rating=S`): the next redesign.

The drifted pages are real pages (complete, of one consistent new design), chosen per URL,
marked in --truth, and the parsers do NOT read them: they stand for markup nobody has seen.
"""
from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from crawler.extraction import extract_page
from crawler.pages import UnknownLayout, detect_family, is_block_page
from reference_site.drift import Drift
from reference_site.site import Site

SEED = 3


def drifted_site(spec: str, questions: int = 300) -> Site:
    return Site(questions, seed=SEED, drift=Drift.parse(spec))


def url(slug: str) -> str:
    return f"http://127.0.0.1:8000/question/{slug}"


def test_the_spec_is_checked():
    assert Drift.parse("family=0.3,rating=0.5") == Drift(family=0.3, rating=0.5)
    assert not Drift.parse("")
    for bad in ("colour=0.2", "family=2", "rating=lots"):
        with pytest.raises(ValueError):
            Drift.parse(bad)


def test_a_bad_drift_spec_is_one_line_and_exit_2():
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "site", "--drift", "family=1.5"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "family" in result.stderr


def test_family_drift_serves_a_share_of_pages_in_a_markup_no_parser_reads():
    site = drifted_site("family=0.3")
    slugs = site.question_slugs()
    drifted = [slug for slug in slugs if site.drift_of(slug)]
    assert 0.2 * len(slugs) < len(drifted) < 0.4 * len(slugs)
    assert drifted == [slug for slug in slugs if drifted_site("family=0.3").drift_of(slug)]  # per URL, always
    for slug in slugs:
        body = site.page(slug).body
        if slug in drifted:
            assert detect_family(body) is None and not is_block_page(body)
            assert body.rstrip().endswith(b"</html>") and b"__NEXT_DATA__" not in body and b"ld+json" not in body
            with pytest.raises(UnknownLayout):
                extract_page(url(slug), body)
            (question,) = [r for r in site.truth(slug) if r["type"] == "question"]
            assert question["drift"] == "family" and question["layout"] == "thread"
        else:
            assert extract_page(url(slug), body).family == site.family_of(slug)
            assert "drift" not in site.truth(slug)[0]


def test_the_redesign_holds_the_whole_question():
    site = drifted_site("family=1")
    slug = next(s for s in site.question_slugs() if site.drift_of(s))
    body = site.page(slug).body.decode()
    truth = site.truth(slug)
    question = truth[0]
    assert question["title"].split()[0] in body and f"{question['answer_count']} doctor replies" in body
    for answer in (r for r in truth if r["type"] == "answer"):
        assert f'id="reply-{answer["answer_id"]}"' in body
        if answer["doctor_id"]:
            assert f'href="/dr/{answer["doctor_id"]}"' in body


def test_rating_drift_moves_the_rating_where_the_parsers_find_none():
    site = drifted_site("rating=0.5")
    moved = seen = 0
    for slug in site.question_slugs():
        if site.drift_of(slug) != ("rating",):
            continue
        truth = {r.get("doctor_id"): r for r in site.truth(slug) if r["type"] == "doctor"}
        records = extract_page(url(slug), site.page(slug).body).records
        assert records[0]["question_id"] == site.truth(slug)[0]["question_id"]
        for doctor in (r for r in records if r["type"] == "doctor"):
            seen += 1
            assert doctor["rating"] is None and doctor["review_count"] is None
            assert doctor["name_raw"] == truth[doctor["doctor_id"]]["name_raw"]  # the rest of the byline stays
            if truth[doctor["doctor_id"]]["rating"] is not None:
                moved += 1
                assert f"{truth[doctor['doctor_id']]['rating']:.1f} out of 5 stars" in site.page(slug).body.decode()
    assert seen > 50 and moved > 30
    assert site.truth(next(s for s in site.question_slugs() if "rating" in site.drift_of(s)))[0]["drift"]


def test_the_server_serves_the_drift(reference_site):
    running = reference_site(questions=60, drift="family=1")
    slug = next(s for s in running.site.question_slugs() if running.site.drift_of(s))
    with urllib.request.urlopen(running.url + f"question/{slug}", timeout=10) as answer:
        assert b"thread-head__title" in answer.read()
