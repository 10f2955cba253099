"""On the reference site (2,000 questions, two seeds = two deploys), every page of every family
gives the site's truth records, field by field."""
from __future__ import annotations

import pytest

from crawler.pages import parse_question_page
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
