"""Hostile content: scripts, event handlers, javascript: links and templates in answer bodies
come out as plain text, in every family. Nothing from a page is evaluated.

Each test puts the payload into every answer body of a contract sample (for nextjs, into the
`bodyHtml` of `__NEXT_DATA__`, where its bodies are read, and into the markup too) and reads
the records that `doctor-answers extract` would print.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from crawler.pages import FAMILIES, parse_question_page
from pipelines.normalise.records import page_records
from tests.conftest import SAMPLES

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = f"https://www.realself.com/question/{GOLDEN}"

# payload -> the body it must give
PAYLOADS = {
    "script": ("<p>Before <script>alert(1)</script>after.</p>", "Before after."),
    "script-src": ('<p>Loaded<script src="https://evil.example/x.js"></script>.</p>', "Loaded."),
    "onerror": ("<p><img src=x onerror=alert(1)>Image.</p>", "Image."),
    "onclick": ('<p><b onclick="alert(1)" onmouseover="alert(2)">Bold</b> text.</p>', "Bold text."),
    "javascript-link": ('<p><a href="javascript:alert(1)">click</a> here.</p>', "click here."),
    "template": ("<p>Kept {{ constructor.constructor('alert(1)')() }} words.</p>", "Kept words."),
    "template-arithmetic": ("<p>Sum {{ 7*7 }} here.</p>", "Sum here."),
    "style": ('<style>body{display:none} p::after{content:"alert(1)"}</style><p>Styled.</p>', "Styled."),
    "inline-style": ('<p style="background:url(javascript:alert(1))">Inline.</p>', "Inline."),
    "svg": ("<p>Vector<svg onload=alert(1)><script>alert(2)</script></svg>.</p>", "Vector."),
    "iframe": ('<p>Frame<iframe src="javascript:alert(1)">inside</iframe>.</p>', "Frame."),
    "escaped-script": ("<p>&lt;script&gt;alert(1)&lt;/script&gt; is text.</p>", "<script>alert(1)</script> is text."),
    # pasted from an e-mail: browsers build nothing from these end tags, the answer goes on
    "stray-end-tags": ("<p>Pasted.</p></body></html><p>From an e-mail.</p>", "Pasted.\n\nFrom an e-mail."),
    "stray-end-tags-spelt-otherwise": ('<p>Pasted<b>.</BODY ></Html\nlang="en">Still bold.</b></p>', "Pasted.Still bold."),
    # text no reader sees
    # the rest of an answer behind "Read more" (hidden until a click shows it) is the answer's
    "hidden": ('<p>Shown<span class="more" hidden> and the rest</span>.</p>', "Shown and the rest."),
    "hidden-until-found": ('<p>Found <span hidden="Until-Found">on search</span>.</p>', "Found on search."),
    "shadow-root": ('<p><span>Light <template shadowrootmode="open">Shadow.</template>fallback</span></p>', "Shadow."),
    "shadow-root-with-slot": ('<p><span><template shadowrootmode="closed">Shadow <slot></slot></template>light.</span></p>',
                              "Shadow light."),
    "not-a-shadow-root": ('<p><span><template shadowrootmode="bogus">Inert.</template>Light.</span></p>', "Light."),
    "second-shadow-root": ('<p><span><template shadowrootmode="open">Shadow.</template>'
                           '<template shadowrootmode="open">Second.</template></span></p>', "Shadow."),
    "noembed": ("<p>Plugin<noembed>Fallback</noembed><noframes>Frames</noframes>.</p>", "Plugin."),
}
ALL = ("".join(html for html, _ in PAYLOADS.values() if "&lt;" not in html),
       "\n\n".join(text for key, (_, text) in PAYLOADS.items() if key != "escaped-script"))

ANSWER_START = re.compile(r'<(?:div class="rs-answer"|div class="Content Content--answer"|article class="answer-card_card)')
BODY = re.compile(r'(<div class="(?:rs-answer__body|Content-bodyText|answer-card_body__)[^"]*"[^>]*>)(.*?)(</div>)', re.S)
NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', re.S)

# What must never reach a record as text: code, handlers, markup of the payloads.
FORBIDDEN = ("alert(", "onerror", "onload", "onclick", "javascript:", "{{", "}}", "display:none", "evil.example",
             "<img", "<svg", "<iframe", "<style", "<a ")


def hostile_page(family: str, payload: str) -> str:
    """The golden sample with every answer body replaced by `payload`."""
    text = (SAMPLES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8")
    first = ANSWER_START.search(text).start()
    head, tail = text[:first], text[first:]
    tail, n = BODY.subn(lambda m: m.group(1) + payload + m.group(3), tail)
    assert n == 10
    text = head + tail
    if family == "nextjs":
        m = NEXT_DATA.search(text)
        data = json.loads(m.group(2))
        for answer in data["props"]["pageProps"]["question"]["answers"]:
            answer["bodyHtml"] = payload
        text = text[:m.start(2)] + json.dumps(data).replace("</", "<\\/") + text[m.end(2):]
    return text


def answers_of(records):
    return [r for r in records if r["type"] == "answer"]


def assert_plain(records, expected_body: str) -> None:
    answers = answers_of(records)
    assert len(answers) == 10
    for answer in answers:
        assert answer["body"] == expected_body
    for record in records:
        for key, value in record.items():
            if isinstance(value, str) and key not in ("url", "profile_url"):
                for bad in FORBIDDEN:
                    assert bad not in value.replace(expected_body, ""), (key, value)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_comes_out_as_plain_text(family, name):
    payload, expected = PAYLOADS[name]
    records = page_records(parse_question_page(URL, hostile_page(family, payload)))
    assert_plain(records, expected)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_payload_at_once(family):
    payload, expected = ALL
    records = page_records(parse_question_page(URL, hostile_page(family, payload)))
    assert_plain(records, expected)
    # The rest of the page is read as before: the question, the doctors, the votes.
    golden = [json.loads(line) for line in (SAMPLES / f"{GOLDEN}.expected.jsonl").read_text().splitlines()]
    for got, want in zip(records, golden):
        if want["type"] == "answer":
            want = {**want, "body": expected, "has_contact_info": False}
        assert got == want


def test_extract_prints_the_text_and_runs_nothing(tmp_path):
    """The `extract` command on hostile pages: plain text out, no process started by a page."""
    for family in FAMILIES:
        (tmp_path / f"{GOLDEN}.{family}.html").write_text(hostile_page(family, ALL[0]), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "extract", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    bodies = {r["body"] for r in lines if r["type"] == "answer"}
    assert bodies == {ALL[1]}
    assert "alert" not in result.stdout and "alert" not in result.stderr


def _last_answer_page(family: str, payload: str, markup: bool = True) -> str:
    """The golden sample with the payload at the start of its last answer's body (in nextjs,
    of its `bodyHtml`, and in its markup when `markup`: else at the end of the `bodyHtml`)."""
    text = (SAMPLES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8")
    if markup:
        last = list(BODY.finditer(text))[-1]
        text = text[:last.end(1)] + payload + text[last.end(1):]
    if family == "nextjs":
        m = NEXT_DATA.search(text)
        data = json.loads(m.group(2))
        answer = data["props"]["pageProps"]["question"]["answers"][-1]
        answer["bodyHtml"] = payload + answer["bodyHtml"] if markup else answer["bodyHtml"] + payload
        text = text[:m.start(2)] + json.dumps(data).replace("</", "<\\/") + text[m.end(2):]
    return text


def _golden() -> list[dict]:
    return [json.loads(line) for line in (SAMPLES / f"{GOLDEN}.expected.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("tags", ["</body></html>", "</BODY ></Html\nlang=en>", "</body>"])
def test_stray_end_tags_in_the_last_answer_cut_nothing_off(family, tags):
    """An answer pasted from an e-mail: browsers build nothing from its </body></html>, so the
    rest of the last answer (no answer after it to count) and its byline and date are read."""
    records = page_records(parse_question_page(URL, _last_answer_page(family, f"<p>Pasted.</p>{tags}")))
    want = _golden()
    last = max(i for i, r in enumerate(want) if r["type"] == "answer")
    want[last] = {**want[last], "body": "Pasted.\n\n" + want[last]["body"]}
    assert records == want


@pytest.mark.parametrize("holder", ["<textarea>{}</textarea>", "<xmp>{}</xmp>", "<script>var s = '{}';</script>"])
def test_end_tags_that_are_text_stay_text(holder):
    """</body></html> in a textarea's, an xmp's or a script's text is no tag: the text keeps it
    (the tags a browser drops are those its tokenizer reads as tags), and nothing is cut."""
    html = _last_answer_page("legacy", "<p>Before. " + holder.format("a </body></html> b") + " After.</p>")
    body = answers_of(page_records(parse_question_page(URL, html)))[-1]["body"]
    assert ("a </body></html> b" in body) != holder.startswith("<script"), body
    assert body.startswith("Before.") and body.endswith(answers_of(_golden())[-1]["body"]), body


def test_a_nextjs_title_holding_end_tags_keeps_them():
    """A title is plain text in __NEXT_DATA__: its "</body></html>" is the title's, not the page's end."""
    title = "Knot and Redness After Botox Injection"
    html = (SAMPLES / f"{GOLDEN}.nextjs.html").read_text()
    html = html.replace(f'"title": "{title}"', f'"title": "Knot </body></html> {title[5:]}"')
    html = html.replace(f">{title}</h1>", f">Knot &lt;/body&gt;&lt;/html&gt; {title[5:]}</h1>")
    records = page_records(parse_question_page(URL, html))
    assert records[0]["title"] == f"Knot </body></html> {title[5:]}"
    assert records[1:] == _golden()[1:]


@pytest.mark.parametrize("tag", ["textarea", "xmp", "plaintext", "title", "style", "noembed"])
def test_an_element_left_open_in_body_html_holds_no_text_the_site_never_sent(tag):
    """A `bodyHtml` is read as a body's content: nothing is written after it (a closing
    </body></html> there would be the open element's text)."""
    html = _last_answer_page("nextjs", f"<p>Copy this:<{tag}>dose 20 units", markup=False)
    body = answers_of(page_records(parse_question_page(URL, html)))[-1]["body"]
    assert body.startswith(answers_of(_golden())[-1]["body"] + "\n\nCopy this:")
    assert body.endswith("dose 20 units" if tag in ("textarea", "xmp", "plaintext") else "Copy this:")


@pytest.mark.parametrize("half", ["\ud83d", "\ude00", "\udbff"])
def test_half_a_character_in_body_html_reads_as_the_replacement_character(half):
    """A JSON string cut inside an emoji ("\\ud83d": valid JSON, a lone surrogate once read)
    is U+FFFD where it stands, as a browser shows it: lxml cannot read one in a str, and the
    whole page was lost for it."""
    html = _last_answer_page("nextjs", f"<p>Swelling {half}gone.</p>", markup=False)
    assert f"\\u{ord(half):04x}" in html
    records = page_records(parse_question_page(URL, html))
    assert answers_of(records)[-1]["body"] == answers_of(_golden())[-1]["body"] + "\n\nSwelling \ufffdgone."
    assert [r for r in records if r["type"] != "answer"] == [r for r in _golden() if r["type"] != "answer"]


@pytest.mark.parametrize("family", FAMILIES)
def test_half_a_character_in_a_page_given_as_text_reads_as_the_replacement_character(family):
    """The same in a page handed over as a str: every text lxml reads passes one door."""
    html = _last_answer_page(family, "<p>Swelling \ud83dgone.</p>")
    records = page_records(parse_question_page(URL, html))
    assert "Swelling \ufffdgone." in answers_of(records)[-1]["body"]
