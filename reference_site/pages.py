"""Every page that is not a question page: robots.txt, sitemaps, home, topic listings, doctor
profiles, review pages. URLs that a crawler follows use this site's own base URL (from Host) or
are relative, so a crawl stays on 127.0.0.1; canonical question URLs stay on www.realself.com."""
from __future__ import annotations

from .dates import shown
from .text import TOPICS, esc_full
from .samples import golden_records

PER_SITEMAP = 500
PER_LISTING = 20
REVIEWS = tuple(f"botox-forehead-lines-{k}" for k in range(1, 6))
REVIEW_LASTMOD = "2026-10-30"


def robots(base: str, crawl_delay: float | None) -> str:
    delay = ""
    if crawl_delay is not None:
        delay = f"Crawl-delay: {int(crawl_delay) if float(crawl_delay).is_integer() else crawl_delay}\n"
    return ("User-agent: *\nDisallow: /userprofile/\nDisallow: /drsearch\nDisallow: /api/\n"
            f"{delay}\nSitemap: {base}/sitemap.xml\n")


def _urlset(rows) -> str:
    body = "".join(f"  <url><loc>{loc}</loc><lastmod>{lm}</lastmod></url>\n" for loc, lm in rows)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{body}</urlset>\n")


def sitemap_chunks(site) -> list[list]:
    qs = site.questions
    return [qs[i:i + PER_SITEMAP] for i in range(0, len(qs), PER_SITEMAP)]


def sitemap_index(site, base: str) -> str:
    rows = [(f"{base}/xmlsitemap-Question-{n}.xml", max(q.last_mod for q in chunk).isoformat())
            for n, chunk in enumerate(sitemap_chunks(site), 1)]
    rows.append((f"{base}/xmlsitemap-Review-1.xml", REVIEW_LASTMOD))
    body = "".join(f"  <sitemap><loc>{loc}</loc><lastmod>{lm}</lastmod></sitemap>\n" for loc, lm in rows)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{body}</sitemapindex>\n")


def question_sitemap(site, base: str, n: int) -> str | None:
    chunks = sitemap_chunks(site)
    if not 1 <= n <= len(chunks):
        return None
    return _urlset((f"{base}/question/{q.slug}", q.last_mod.isoformat()) for q in chunks[n - 1])


def review_sitemap(base: str) -> str:
    return _urlset((f"{base}/review/{slug}", REVIEW_LASTMOD) for slug in REVIEWS)


def topic_questions(site, topic_slug: str):
    """Questions of a topic, newest first (the listing's order); None for an unknown topic."""
    cache = site.__dict__.setdefault("_topic_lists", {})
    if topic_slug not in cache:
        idx = next((i for i, (_, s) in enumerate(TOPICS) if s == topic_slug), None)
        if idx is None:
            return None
        cache[topic_slug] = sorted((q for q in site.questions if q.topic == idx),
                                   key=lambda q: (q.asked, q.qid), reverse=True)
    return cache[topic_slug]


def listing(site, base: str, topic_slug: str, page: int) -> str | None:
    qs = topic_questions(site, topic_slug)
    if qs is None:
        return None
    pages = max(1, -(-len(qs) // PER_LISTING))
    if not 1 <= page <= pages:
        return None
    name = next(n for n, s in TOPICS if s == topic_slug)
    first = (page - 1) * PER_LISTING
    shown_qs = qs[first:first + PER_LISTING]
    items = "".join(
        f'      <li class="rs-question-list__item" data-question-id="{q.qid}">\n'
        f'        <a class="rs-question-list__link" href="/question/{q.slug}">{esc_full(q.title)}</a>\n'
        f'        <span class="rs-question-list__answers">{_answers(site, q)}</span>\n'
        f'        <time datetime="{q.asked.isoformat()}">{shown(q.asked)}</time>\n'
        f'      </li>\n' for q in shown_qs)
    head_next = f'\n  <link rel="next" href="{base}/questions/{topic_slug}?page={page + 1}">' if page < pages else ""
    nav = []
    for p in range(max(1, page - 2), min(pages, page + 2) + 1):
        nav.append(f'      <span class="rs-pagination__current">{p}</span>\n' if p == page else
                   f'      <a class="rs-pagination__page" href="/questions/{topic_slug}?page={p}">{p}</a>\n')
    if page < pages:
        nav.append(f'      <a class="rs-pagination__next" rel="next" href="/questions/{topic_slug}?page={page + 1}">Next</a>\n')
    return f'''<!DOCTYPE html>
<html lang="en" ng-app="rsApp">
<head>
  <meta charset="utf-8">
  <title>{esc_full(name)} Questions - Page {page} | RealSelf</title>
  <link rel="canonical" href="{base}/questions/{topic_slug}">{head_next}
</head>
<body class="rs-page rs-page--questions">
  <main class="rs-main">
    <h1>{esc_full(name)} Questions</h1>
    <p class="rs-results">Showing {first + 1}-{first + len(shown_qs)} of {len(qs):,} questions</p>
    <ul class="rs-question-list">
{"".join(items)}    </ul>
    <nav class="rs-pagination">
{"".join(nav)}    </nav>
  </main>
</body>
</html>
'''


def _answers(site, q) -> str:
    n = 10 if q.golden else len(q.answers)
    return "1 doctor answer" if n == 1 else f"{n} doctor answers"


def home(site) -> str:
    links = "".join(f'      <li><a href="/questions/{s}">{esc_full(n)} Questions</a></li>\n' for n, s in TOPICS)
    return f'''<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>RealSelf: Doctor answers</title></head>
<body>
  <form action="/drsearch"><input name="q"></form>
  <a href="/drsearch?q=botox">Find a Botox doctor</a>
  <ul class="rs-topics">
{links}  </ul>
</body>
</html>
'''


def profile(site, slug: str) -> str | None:
    doc = site.doctor_by_slug.get(slug)
    if doc is not None:
        name, title = doc.printed, doc.title_line
        rating = f"{doc.rating:.1f} out of 5 stars, {doc.reviews} reviews" if doc.rating is not None else ""
    else:
        rec = next((r for r in golden_records() if r["type"] == "doctor" and r["doctor_id"] == slug), None)
        if rec is None:
            return None
        name, title = rec["name_raw"], rec["title_line"]
        rating = f"{rec['rating']} out of 5 stars, {rec['review_count']} reviews" if rec["rating"] else ""
    return f'''<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{esc_full(" ".join(name.split()))} - RealSelf</title>
<link rel="canonical" href="https://www.realself.com/dr/{slug}"></head>
<body class="rs-page rs-page--profile">
  <h1 class="rs-profile__name">{esc_full(name)}</h1>
  <p class="rs-profile__title">{esc_full(title)}</p>
  <p class="rs-profile__rating">{rating}</p>
</body>
</html>
'''


def review(slug: str) -> str | None:
    if slug not in REVIEWS:
        return None
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Botox review - RealSelf</title></head>\n'
            f'<body class="rs-page rs-page--review"><h1>My Botox experience</h1>'
            f'<p>Worth it. Review {slug[-1]}.</p><a href="/questions/botox">Botox questions</a></body>\n</html>\n')


def drsearch() -> str:
    return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Find a doctor</title></head><body><p>No results.</p></body></html>\n'
