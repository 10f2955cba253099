"""The reference site: samples served verbatim, the families' structure, truth vs pages, days,
conditional GETs, faults, and the real CLI."""
from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lhtml

from reference_site.dates import day_date, http_date, utc_stamp
from reference_site.faults import Faults
from reference_site.samples import FAMILIES, GOLDEN_SLUG
from reference_site.site import Site

GOLDEN = f"/question/{GOLDEN_SLUG}"
HASHED = re.compile(r"__[0-9a-f]{5}$")


def get(base: str, path: str, headers: dict | None = None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


# ---- the samples ----

def test_samples_served_verbatim(reference_site, samples):
    site = reference_site(questions=30)
    for family in FAMILIES:
        status, _, body = get(site.url, f"{GOLDEN}?layout={family}")
        assert status == 200
        assert body == (samples / f"{GOLDEN_SLUG}.{family}.html").read_bytes()
    assert get(site.url, GOLDEN)[2] == (samples / f"{GOLDEN_SLUG}.legacy.html").read_bytes()
    # a family with no sample of the golden page (the redesign): its own family's sample
    assert get(site.url, f"{GOLDEN}?layout=thread")[:3:2] == (200, (samples / f"{GOLDEN_SLUG}.legacy.html").read_bytes())
    expected = [json.loads(x) for x in (samples / f"{GOLDEN_SLUG}.expected.jsonl").read_text().splitlines()]
    truth = site.site.truth(GOLDEN_SLUG)
    assert truth[0].pop("layout") == "legacy" and truth == expected
    for linked in ("massaged-botoxshorter-longevity", "redness-site-injection-botox"):
        assert get(site.url, f"/question/{linked}")[0] == 200


def test_generated_content_never_reuses_sample_ids():
    site = Site(2000, seed=3, day=3)
    golden = site.truth(GOLDEN_SLUG)
    sample_ids = {r.get("answer_id") or r.get("question_id") for r in golden if r["type"] != "doctor"}
    sample_doctors = {r["doctor_id"] for r in golden if r["type"] == "doctor"}
    assert not sample_doctors & set(site.doctor_by_slug)
    ids = [str(q.qid) for q in site.questions[1:]] + [str(a.aid) for q in site.questions[1:] for a in q.answers]
    assert len(ids) == len(set(ids)) and not sample_ids & set(ids)
    assert len(site.doctors) >= 300 and len({d.state for d in site.doctors}) >= 20


# ---- site pages ----

def test_robots_sitemaps_home_listing(reference_site):
    site = reference_site(questions=120)
    base = site.url.rstrip("/")
    robots = get(site.url, "/robots.txt")[2].decode()
    assert f"Sitemap: {base}/sitemap.xml" in robots and "Disallow: /drsearch" in robots
    assert "Crawl-delay" not in robots
    index = get(site.url, "/sitemap.xml")[2].decode()
    assert f"<loc>{base}/xmlsitemap-Question-1.xml</loc><lastmod>" in index and "xmlsitemap-Review-1.xml" in index
    urls = re.findall(r"<loc>([^<]+)</loc><lastmod>(\d{4}-\d\d-\d\d)</lastmod>",
                      get(site.url, "/xmlsitemap-Question-1.xml")[2].decode())
    assert [u for u, _ in urls] == [f"{base}/question/{s}" for s in site.site.question_slugs()]
    assert (f"{base}{GOLDEN}", "2012-10-29") in urls
    reviews = re.findall(r"<loc>([^<]+)</loc>", get(site.url, "/xmlsitemap-Review-1.xml")[2].decode())
    assert reviews and all("/review/" in u and get(site.url, urlsplit(u).path)[0] == 200 for u in reviews)
    home = get(site.url, "/")[2].decode()
    assert 'href="/drsearch?q=botox"' in home and 'href="/questions/botox"' in home
    # follow the botox listing to its end
    seen, path, pages = [], "/questions/botox", 0
    while path:
        status, _, body = get(site.url, path)
        assert status == 200
        text = body.decode()
        seen += re.findall(r'class="rs-question-list__link" href="/question/([^"]+)"', text)
        nxt = re.search(r'rel="next" href="([^"]+)"', text)
        path = nxt.group(1) if nxt else None
        pages += 1
    botox = [q.slug for q in site.site.questions if q.topic == 0]
    assert sorted(seen) == sorted(botox) and GOLDEN_SLUG in seen and pages == -(-len(botox) // 20)
    assert get(site.url, "/nothing-here")[0] == 404 and get(site.url, "/question/nope")[0] == 404
    doctor = site.site.doctors[0].slug
    assert get(site.url, f"/dr/{doctor}")[0] == 200
    assert get(site.url, "/dr/joseph-serota-aurora-co")[0] == 200


def test_crawl_delay_only_when_asked(reference_site):
    site = reference_site(questions=10, crawl_delay=2)
    assert "Crawl-delay: 2\n" in get(site.url, "/robots.txt")[2].decode()


# ---- the families' structure ----

def shapes(page: str) -> set[tuple]:
    """(tag, attribute names, class names without CSS-module hash) of every element."""
    out = set()
    for el in lhtml.fromstring(page).iter():
        if not isinstance(el.tag, str):
            continue
        classes = tuple(sorted(HASHED.sub("", c) for c in el.get("class", "").split()))
        out.add((el.tag, tuple(sorted(el.attrib)), classes))
    return out


# markup a generated page may have beyond the sample's: a lone <br>, the avatar of a nameless byline
EXTRAS = {("br", (), ()), ("a", ("class", "href"), ("rs-byline__avatar",)),
          ("img", ("alt", "class", "src"), ("rs-byline__photo",))}


@pytest.mark.parametrize("family", FAMILIES)
def test_generated_pages_have_the_samples_structure(family, samples):
    site = Site(300, seed=5)
    sample = shapes((samples / f"{GOLDEN_SLUG}.{family}.html").read_text())
    union = set()
    for slug in site.question_slugs()[3:120]:
        page_shapes = shapes(site.render_question(slug, family))
        assert page_shapes <= sample | EXTRAS, (slug, page_shapes - sample - EXTRAS)
        union |= page_shapes
    assert sample <= union, sample - union
    if family == "nextjs":
        page = site.render_question(site.question_slugs()[5], "nextjs")
        suffixes = re.findall(r'class="[\w-]+__([^"]+)"', page)
        assert suffixes and all(re.fullmatch(r"[0-9a-f]{5}", s) for s in suffixes)
        data = json.loads(re.search(r'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', page).group(1))
        assert set(data) == {"props", "page", "buildId"}
        q = data["props"]["pageProps"]["question"]
        assert set(q) == {"id", "slug", "title", "bodyHtml", "createdAt", "location", "procedure", "answerCount", "answers"}


def test_seeds_are_different_deploys():
    pages = [Site(20, seed=s).render_question(Site(20, seed=s).question_slugs()[4], "nextjs") for s in (1, 2)]
    names = [dict(re.findall(r'class="([\w-]+)__([0-9a-f]{5})"', p)) for p in pages]
    assert names[0].keys() == names[1].keys() and all(names[0][k] != names[1][k] for k in names[0])
    builds = [re.search(r'"buildId": "(\w+)"', p).group(1) for p in pages]
    assert builds[0] != builds[1]
    assert Site(20, seed=1).render_question(Site(20, seed=1).question_slugs()[4], "nextjs") == pages[0]


def test_families_spread_and_layout_param():
    site = Site(600, seed=1)
    counts = Counter(site.family_of(s) for s in site.question_slugs())
    assert all(150 <= counts[f] <= 250 for f in FAMILIES), counts
    slug = site.question_slugs()[10]
    assert "rs-answers__count" in site.render_question(slug, "legacy")
    assert "Media--providerCard" in site.render_question(slug, "provider-card") or "rs-static-data" in site.render_question(slug, "provider-card")
    assert "__NEXT_DATA__" in site.render_question(slug, "nextjs")


# ---- truth against the pages ----

def flat(page: str) -> str:
    return " ".join(unicodedata.normalize("NFC", html.unescape(page)).replace("\xa0", " ").split())


def next_body(body_html: str) -> str:
    paras = []
    for p in body_html.split("<br><br>"):
        lines = [" ".join(unicodedata.normalize("NFC", html.unescape(x)).replace("\xa0", " ").split())
                 for x in p.split("<br>")]
        paras.append("\n".join(x for x in lines if x))
    return "\n\n".join(x for x in paras if x)


def test_truth_agrees_with_pages(tmp_path):
    site = Site(500, seed=7)
    path = tmp_path / "truth.jsonl"
    site.write_truth(path)
    by_q: dict[str, list] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["type"] == "question":
            by_q_last = rec["url"].rsplit("/", 1)[1]
            by_q[by_q_last] = [rec]
        else:
            by_q[by_q_last].append(rec)
    assert list(by_q) == site.question_slugs()
    features = Counter()
    for slug, recs in by_q.items():
        if slug == GOLDEN_SLUG:
            continue
        q, answers = recs[0], [r for r in recs if r["type"] == "answer"]
        doctors = [r for r in recs if r["type"] == "doctor"]
        assert q["layout"] == site.family_of(slug) and q["answer_count"] == len(answers)
        assert [d["doctor_id"] for d in doctors] == list(dict.fromkeys(a["doctor_id"] for a in answers if a["doctor_id"]))
        for family in FAMILIES:
            page = site.render_question(slug, family)
            text = flat(page)
            assert q["title"] in text and str(q["question_id"]) in page
            if family == "nextjs":
                data = json.loads(re.search(r'id="__NEXT_DATA__" type="application/json">(.*?)</script>', page).group(1))
                nq = data["props"]["pageProps"]["question"]
                assert [str(a["id"]) for a in nq["answers"]] == [a["answer_id"] for a in answers]
                assert [a["helpfulCount"] for a in nq["answers"]] == [a["vote_count"] for a in answers]
                assert [next_body(a["bodyHtml"]) for a in nq["answers"]] == [a["body"] for a in answers]
                assert next_body(nq["bodyHtml"]) == q["body"] and nq["answerCount"] == q["answer_count"]
                shown = re.findall(r'answer-card_date__\w+">([^<]+)<', page)
            else:
                assert re.findall(r'id="answer-(\d+)"', page) == [a["answer_id"] for a in answers]
                if family == "legacy":
                    votes = [int(v) + 1 for v in re.findall(r'ng-init="voteCount=(-?\d+)"', page)]
                    assert f"Doctor Answers {q['answer_count']}<" in page
                    shown = re.findall(r'class="rs-answer__date" datetime="[^"]+">([^<]+)<', page)
                else:
                    votes = [int(v) for v in re.findall(r"likeCount&quot;: &quot;(-?\d+)&quot;", page)]
                    assert f"Doctor Answers <span class=\"u-textMuted\">({q['answer_count']})</span>" in page
                    shown = re.findall(r'class="Content-byline Byline"><li class="Byline-item"><time datetime="[^"]+">([^<]+)<', page)
                assert votes == [a["vote_count"] for a in answers]
            assert [time.strftime("%Y-%m-%d", time.strptime(s, "%b %d, %Y")) for s in shown] == [a["answered_on"] for a in answers]
            for a in answers:
                assert a["title"] in text
            for d in doctors:
                assert d["title_line"] in text and f'/dr/{d["doctor_id"]}' in page
                if d["name_raw"]:
                    assert d["name_raw"] in text
        for d in doctors:
            features["nameless"] += d["name_raw"] is None
            features["zero"] += d["review_count"] is not None and d["rating"] is None
            features["one"] += d["review_count"] == 1
            features["no-rating"] += d["review_count"] is None
            features["no-city"] += d["city"] is None and d["specialty"] is not None
            features["odd"] += d["specialty"] is None
            features["suffix"] += d["suffix"] is not None
            features["particle"] += " " in (d["family_name"] or "")
        for a in answers:
            features["contact"] += a["has_contact_info"]
            features["unbylined"] += a["doctor_id"] is None
            features["negative"] += a["vote_count"] < 0
            features["zero-votes"] += a["vote_count"] == 0
            features["br"] += "\n" in a["body"].replace("\n\n", "")
        features["photo"] += q["title"].endswith(" (Photo)")
        features["no-location"] += q["asker_location"] is None
    assert all(features[k] > 0 for k in ("nameless", "zero", "one", "no-rating", "no-city", "odd", "suffix", "particle",
                                         "contact", "unbylined", "negative", "zero-votes", "br", "photo", "no-location")), features


def test_nextjs_dates_can_fall_on_the_next_utc_day():
    site = Site(200, seed=1)
    later = 0
    for slug in site.question_slugs()[3:]:
        for rec, a in zip([r for r in site.truth(slug) if r["type"] == "answer"], site.by_slug[slug].answers):
            later += utc_stamp(a.day, a.minute)[:10] != rec["answered_on"]
    assert later > 0


# ---- time ----

def test_day_one_changes_what_it_says(reference_site):
    day0 = reference_site(questions=400, seed=2, day=0)
    again = reference_site(questions=400, seed=2, day=0)
    day1 = reference_site(questions=400, seed=2, day=1)
    old = day0.site.question_slugs()
    new = [s for s in day1.site.question_slugs() if s not in set(old)]
    assert new and set(old) <= set(day1.site.question_slugs())
    today = http_date(day_date(1))
    changed = 0
    for slug in old:
        s0, h0, b0 = get(day0.url, f"/question/{slug}")
        s1, h1, b1 = get(day1.url, f"/question/{slug}")
        assert s0 == s1 == 200
        assert get(again.url, f"/question/{slug}")[1]["etag"] == h0["etag"]   # same across restarts
        if b0 == b1:
            assert h1["etag"] == h0["etag"] and h1["last-modified"] == h0["last-modified"]
            assert get(day1.url, f"/question/{slug}", {"If-None-Match": h0["etag"]})[0] == 304
            assert get(day1.url, f"/question/{slug}", {"If-Modified-Since": h0["last-modified"]})[0] == 304
        else:
            changed += 1
            assert h1["etag"] != h0["etag"] and h1["last-modified"] == today
            assert get(day1.url, f"/question/{slug}", {"If-None-Match": h0["etag"]})[0] == 200
            assert get(day1.url, f"/question/{slug}", {"If-Modified-Since": h0["last-modified"]})[0] == 200
    assert 0 < changed <= 0.06 * len(old) + 2
    assert (changed + len(new)) <= 0.10 * len(old)
    sitemap = get(day1.url, "/xmlsitemap-Question-1.xml")[2].decode()
    assert sitemap.count(f"<lastmod>{day_date(1).isoformat()}</lastmod>") == changed + len(new)
    assert get(day1.url, GOLDEN)[1]["last-modified"] == http_date(date(2012, 10, 29))


def test_days_accumulate():
    sites = [Site(300, seed=4, day=d) for d in (0, 3)]
    assert len(sites[1].questions) > len(sites[0].questions)
    assert sum(len(q.answers) for q in sites[1].questions[:300]) > sum(len(q.answers) for q in sites[0].questions)
    assert sites[0].render_question(GOLDEN_SLUG) == sites[1].render_question(GOLDEN_SLUG)


# ---- faults ----

def test_fault_rates(reference_site):
    spec = "error=0.05,throttle=0.02,block=0.01,truncate=0.01"
    site = reference_site(questions=400, seed=9, faults=spec)
    full = {s: site.site.page(s).body for s in site.site.question_slugs()}
    kinds = Counter()
    n = 2000
    slugs = site.site.question_slugs()
    for i in range(n):
        slug = slugs[i % len(slugs)]
        status, headers, body = get(site.url, f"/question/{slug}")
        if status in (500, 502, 503):
            kinds["error"] += 1
        elif status == 429:
            assert headers["retry-after"] == "1"
            kinds["throttle"] += 1
        elif status in (403, 404):
            assert b'id="px-captcha"' in body
            kinds["block"] += 1
        else:
            assert status == 200 and int(headers["content-length"]) == len(body)
            if body != full[slug]:
                assert full[slug].startswith(body) and b"</html>" not in body and len(body) >= 0.3 * len(full[slug])
                kinds["truncate"] += 1
    for kind, rate in (("error", 0.05), ("throttle", 0.02), ("block", 0.01), ("truncate", 0.01)):
        expected = n * rate
        assert abs(kinds[kind] - expected) <= 4 * (expected * (1 - rate)) ** 0.5 + 2, (kind, kinds)
    for _ in range(50):
        assert get(site.url, "/robots.txt")[0] == 200
    # the same seed, URL and attempt give the same fault; a retry is a new draw
    other = reference_site(questions=400, seed=9, faults=spec)
    first = [get(other.url, f"/question/{slugs[i]}")[0] for i in range(200)]
    assert len(set(first)) > 1
    f = Faults.parse(spec)
    assert [f.decide(9, f"/question/{slugs[i]}", 0).status for i in range(200)] == first


def test_fault_spec_latency_and_slow():
    f = Faults.parse("latency=20ms,slow=0.1")
    assert f.latency == 0.02
    slow = sum(f.decide(1, f"/x{i}", 0).slow for i in range(5000))
    assert 400 <= slow <= 600
    with pytest.raises(ValueError):
        Faults.parse("bogus=1")


def test_latency_delays_responses(reference_site):
    site = reference_site(questions=10, faults="latency=50ms")
    start = time.perf_counter()
    assert get(site.url, GOLDEN)[0] == 200
    assert time.perf_counter() - start >= 0.05


# ---- the real command ----

def test_cli_serves_until_stopped(tmp_path):
    exe = Path(sys.executable).parent / "doctor-answers"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "crawler.cli"]
    truth = tmp_path / "truth.jsonl"
    proc = subprocess.Popen(cmd + ["site", "--port", "0", "--questions", "30", "--truth", str(truth)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/", line), line
        base = line.split()[1]
        status, _, body = get(base, "/robots.txt")
        assert status == 200 and f"Sitemap: {base}sitemap.xml".encode() in body
        assert get(base, GOLDEN)[0] == 200
        assert sum(1 for x in truth.read_text().splitlines() if '"type": "question"' in x) == 30
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_cli_rejects_a_bad_fault_spec():
    exe = Path(sys.executable).parent / "doctor-answers"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "crawler.cli"]
    proc = subprocess.run(cmd + ["site", "--faults", "explode=0.5"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "explode" in proc.stderr and not proc.stdout
