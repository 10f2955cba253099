"""A site redesign the crawler's parsers do not know, for the archive's recovery story (tests only).

- `render(records)`: a question page in a made-up fourth markup ("qa4": `qa4-*` classes,
  values in data attributes and <time datetime>), built from the page's expected records;
- `parse(root, url)`: a page object for it, as a parser fix would add, and `register()`,
  which teaches it to crawler.pages (`unregister` after the test);
- `RedesignServer(site, share)`: a server of its own in front of a reference site's content
  that serves a share of question pages in that markup: robots.txt, one sitemap, the pages.

Registration goes through crawler.pages' public API (`register`, `unregister`).
"""
from __future__ import annotations

import hashlib
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

FAMILY = "qa4"


# the markup ---------------------------------------------------------------------------------

def _text(value) -> str:
    paragraphs = (value or "").split("\n\n")
    return "".join("<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _attr(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _byline(doctor_id, doctors: dict) -> str:
    if doctor_id is None:
        return ""
    doc = doctors[doctor_id]
    name = f'<a class="qa4-doctor" href="/dr/{_attr(doctor_id)}">{html.escape(doc["name_raw"])}</a>' \
        if doc["name_raw"] else f'<a class="qa4-doctor" href="/dr/{_attr(doctor_id)}"></a>'
    rating = ""
    if doc["rating"] is not None or doc["review_count"] is not None:  # a rating of 0.0 is none
        rating = f'<data class="qa4-rating" value="{doc["rating"] or 0.0}"></data>' \
                 f'<data class="qa4-reviews" value="{_attr(doc["review_count"])}"></data>'
    return (f'<div class="qa4-byline">{name}<span class="qa4-role">{html.escape(doc["title_line"] or "")}</span>'
            f'{rating}</div>')


def render(records: list[dict]) -> bytes:
    question = records[0]
    answers = [r for r in records if r["type"] == "answer"]
    doctors = {r["doctor_id"]: r for r in records if r["type"] == "doctor"}
    items = "".join(
        f'<li class="qa4-answer" data-qa4-answer="{_attr(a["answer_id"])}">'
        f'<h2 class="qa4-answer-title">{html.escape(a["title"] or "")}</h2>'
        f'<div class="qa4-answer-body">{_text(a["body"])}</div>'
        f'<data class="qa4-votes" value="{a["vote_count"]}"></data>'
        f'<time datetime="{_attr(a["answered_on"])}"></time>{_byline(a["doctor_id"], doctors)}</li>'
        for a in answers)
    where = f'<p class="qa4-where">{html.escape(question["asker_location"])}</p>' if question["asker_location"] else ""
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<title>{html.escape(question["title"])}</title>'
        f'<link rel="canonical" href="{_attr(question["url"])}"></head><body>'
        f'<main data-qa4-question="{_attr(question["question_id"])}">'
        f'<h1 class="qa4-title">{html.escape(question["title"])}</h1>'
        f'<p class="qa4-topic">{html.escape(question["topic"] or "")}</p>'
        f'<time class="qa4-asked" datetime="{_attr(question["asked_on"])}"></time>{where}'
        f'<div class="qa4-body">{_text(question["body"])}</div>'
        f'<ol class="qa4-answers" data-count="{question["answer_count"]}">{items}</ol>'
        '</main></body></html>\n')
    return page.encode("utf-8")


# the page object ----------------------------------------------------------------------------

_MAIN = etree.XPath("//main[@data-qa4-question][1]")


def _first(el, xpath: str):
    found = el.xpath(xpath)
    if isinstance(found, str):  # string(...)
        return str(found)
    return found[0] if found else None


def parse(root, url: str):
    from crawler.pages.items import Answer, Byline, Question, QuestionPage
    from crawler.pages.markup import paragraphs

    main = _MAIN(root)[0]
    canonical = _first(root, "//link[@rel='canonical']/@href") or url
    question = Question(
        question_id=main.get("data-qa4-question"),
        title=paragraphs(_first(main, ".//h1[@class='qa4-title']")),
        body=paragraphs(_first(main, ".//div[@class='qa4-body']")),
        topic=_first(main, "string(.//p[@class='qa4-topic'])") or None,
        date_time=_first(main, ".//time[@class='qa4-asked']/@datetime"),
        asker_location=_first(main, "string(.//p[@class='qa4-where'])") or None,
    )
    answers = []
    for item in main.xpath(".//li[@class='qa4-answer']"):
        byline = None
        doctor = _first(item, ".//a[@class='qa4-doctor']")
        if doctor is not None:
            byline = Byline(name=doctor.text or None, profile_href=doctor.get("href"),
                            title_line=_first(item, "string(.//span[@class='qa4-role'])"),
                            rating=_first(item, ".//data[@class='qa4-rating']/@value"),
                            review_count=_first(item, ".//data[@class='qa4-reviews']/@value"))
        answers.append(Answer(answer_id=item.get("data-qa4-answer"), title=paragraphs(_first(item, ".//h2")),
                              body=paragraphs(_first(item, ".//div[@class='qa4-answer-body']")),
                              vote=_first(item, ".//data[@class='qa4-votes']/@value"), vote_kind="count",
                              date_time=_first(item, ".//time/@datetime"), byline=byline))
    count = _first(main, ".//ol[@class='qa4-answers']/@data-count")
    return QuestionPage(family=FAMILY, url=canonical, fetched_url=url, question=question, answers=answers,
                        declared_answer_count=int(count) if count else None, related_urls=[])


def parse_thread(root, url: str):
    """A page object for the reference site's redesign under `site --drift family=S` (its
    "thread" markup, reference_site/families/thread.py): what a parser fix for it would add."""
    from urllib.parse import urljoin

    from crawler.pages.items import Answer, Byline, Question, QuestionPage
    from crawler.pages.markup import paragraphs

    main = _first(root, "//main[@data-thread-id]")
    canonical = _first(root, "//link[@rel='canonical']/@href") or url
    question = Question(
        question_id=main.get("data-thread-id"),
        title=paragraphs(_first(main, ".//h1[@class='thread-head__title']")),
        body=paragraphs(_first(main, ".//section[contains(@class,'post-opening')]//div[@class='post-text']")),
        topic=_first(main, "string(.//a[@class='thread-head__crumb'])") or None,
        date_text=_first(main, "string(.//div[@class='thread-meta']/time)") or None,
        date_time=_first(main, ".//div[@class='thread-meta']/time/@datetime"),
        asker_location=_first(main, "string(.//span[@class='thread-meta__place'])") or None,
    )
    answers = []
    for post in main.xpath(".//article[contains(@class,'post-reply')]"):
        byline = None
        chip = _first(post, ".//footer[@class='author-chip']")
        if chip is not None:
            name = _first(chip, ".//a[@class='author-chip__name']")
            score = _first(chip, ".//span[@class='author-chip__score']")
            byline = Byline(name=name.text if name is not None else None,
                            profile_href=_first(chip, ".//a[@class='author-chip__avatar']/@href"),
                            title_line=_first(chip, "string(.//span[@class='author-chip__role'])"),
                            rating=score.get("title") if score is not None else None,
                            review_count=_first(chip, "string(.//span[@class='author-chip__reviews'])") or None)
        likes = _first(post, "string(.//span[@class='post-meta__likes'])")
        answers.append(Answer(answer_id=post.get("data-post"), title=paragraphs(_first(post, ".//h3")),
                              body=paragraphs(_first(post, ".//div[@class='post-text']")),
                              vote=likes.split()[0] if likes else None, vote_kind="count",
                              date_text=_first(post, "string(.//div[@class='post-meta']/time)") or None,
                              date_time=_first(post, ".//div[@class='post-meta']/time/@datetime"), byline=byline))
    declared = _first(main, "string(.//h2[@class='thread-replies__count'])")
    related = [urljoin(url, href) for href in main.xpath(".//a[@class='more-threads__link']/@href")]
    return QuestionPage(family="thread", url=canonical, fetched_url=url, question=question, answers=answers,
                        declared_answer_count=int(declared.split()[0]) if declared else None, related_urls=related)


def page_object(family: str, parser, marker: str):
    """A family for crawler.pages.register: recognised by an element matching `marker`, read
    by `parser(root, url)`."""
    from crawler.pages import QuestionPageObject

    is_family = etree.XPath(f"boolean({marker})")

    class TestPage(QuestionPageObject):
        name = family
        abstract = True  # to_item is the parser's, not a method per field

        @classmethod
        def recognise(cls, tree):
            return bool(is_family(tree.root))

        def to_item(self):
            return parser(self.tree.root, self.tree.url)

    return TestPage


def register(family: str = FAMILY, parser=parse, marker: str = "//main[@data-qa4-question]") -> str:
    """Teach crawler.pages a family (crawler.pages.register); `crawler.pages.unregister(name)` after."""
    from crawler.pages import register as register_family

    return register_family(page_object(family, parser, marker)).name


# the server ---------------------------------------------------------------------------------

def redesigned(slug: str, share: float) -> bool:
    return int.from_bytes(hashlib.sha256(f"qa4|{slug}".encode()).digest()[:8], "big") / 2**64 < share


class RedesignServer:
    """The questions of a reference_site.site.Site, a share of them in the qa4 markup."""

    def __init__(self, site, share: float = 0.3):
        self.site, self.share = site, share
        self.slugs = [s for s in site.question_slugs() if redesigned(s, share)]
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, body, ctype = server.respond(self.path, f"http://{self.headers['Host']}")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def respond(self, path: str, base: str) -> tuple[int, bytes, str]:
        if path == "/robots.txt":
            return 200, f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode(), "text/plain"
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}/question/{slug}</loc></url>" for slug in self.site.question_slugs())
            xml = ('<?xml version="1.0" encoding="UTF-8"?>'
                   f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
            return 200, xml.encode(), "application/xml"
        if path == "/":
            return 200, b"<!DOCTYPE html><html><body><h1>Questions</h1></body></html>", "text/html; charset=utf-8"
        slug = path[len("/question/"):] if path.startswith("/question/") else None
        if slug not in self.site.by_slug:
            return 404, b"<html><body>Not Found</body></html>", "text/html"
        if redesigned(slug, self.share):
            return 200, render(self.site.truth(slug)), "text/html; charset=utf-8"
        return 200, self.site.page(slug).body, "text/html; charset=utf-8"

    def truth(self) -> list[dict]:
        records = []
        for slug in self.site.question_slugs():
            page = [dict(r) for r in self.site.truth(slug)]
            if redesigned(slug, self.share):
                page[0]["layout"] = FAMILY
            records.extend(page)
        return records

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
