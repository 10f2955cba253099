"""Fuzzed pages: whatever the bytes, the parsers end in records or in a PageError naming the URL.

Every input here is a contract sample or a reference-site page of each family, mutated:
cut off anywhere, tags dropped or doubled, attributes emptied, the embedded JSON broken
(as text and as structure), a wrong charset declared or the bytes re-encoded, random bytes
spliced in, an answer repeated to about 5 MB, or plain random bytes. The property is the
same for all of them: `parse_question_page` then `page_records` give a list of well-formed
records, or `parse_question_page` raises a `PageError` whose `.url` is the URL it was given.
Any other exception, or a hang, is a failure.
"""
from __future__ import annotations

import html as htmllib
import json
import re
from datetime import datetime, timezone
from functools import lru_cache

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.pages import FAMILIES, PageError, parse_question_page
from pipelines.normalise.records import page_records
from pipelines.rows import row_for
from pipelines.schemas import SCHEMAS
from reference_site.site import Site
from tests.conftest import SAMPLES

GOLDEN = "botox-injections-days-knot-redness-injection-sites"
URL = "https://www.realself.com/question/fuzzed-page-under-test"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)

FUZZ = settings(
    max_examples=600,
    deadline=10_000,  # ms per example: generous, a hang still fails the test (and pytest-timeout)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)
pytestmark = pytest.mark.timeout(240)


@lru_cache(maxsize=None)
def bases() -> tuple[tuple[str, str], ...]:
    """(family, page text): the three contract samples and generated pages of two sites."""
    pages = [(family, (SAMPLES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8")) for family in FAMILIES]
    for seed in (2, 9):
        site = Site(questions=50, seed=seed)
        for slug in site.question_slugs()[1:6]:
            for family in FAMILIES:
                pages.append((family, site.render_question(slug, family)))
    return tuple(pages)


base_pages = st.integers(min_value=0, max_value=10_000).map(lambda i: bases()[i % len(bases())][1])


def check(html, url: str = URL) -> list[dict] | None:
    """Parse; the outcome must be well-formed records or a PageError for `url`."""
    try:
        page = parse_question_page(url, html)
    except PageError as error:
        assert error.url == url
        assert url in str(error)
        return None
    records = page_records(page)
    check_records(records)
    return records


def check_records(records) -> None:
    assert isinstance(records, list) and records
    assert all(isinstance(r, dict) for r in records)
    question, rest = records[0], records[1:]
    assert question["type"] == "question"
    qid = question["question_id"]
    assert isinstance(qid, str) and qid.strip()
    assert isinstance(question["url"], str) and question["url"]
    answers = [r for r in rest if r["type"] == "answer"]
    doctors = [r for r in rest if r["type"] == "doctor"]
    assert len(answers) + len(doctors) == len(rest), "only answers and doctors follow the question"
    assert rest == answers + doctors, "answers come before doctors"
    assert [a["position"] for a in answers] == list(range(1, len(answers) + 1))
    for answer in answers:
        assert isinstance(answer["answer_id"], str) and answer["answer_id"].strip()
        assert answer["question_id"] == qid
        assert answer["doctor_id"] is None or (isinstance(answer["doctor_id"], str) and answer["doctor_id"])
        assert answer["body"] is None or isinstance(answer["body"], str)
    ids = [d["doctor_id"] for d in doctors]
    assert all(isinstance(i, str) and i for i in ids) and len(ids) == len(set(ids))
    assert set(ids) == {a["doctor_id"] for a in answers if a["doctor_id"]}
    for doctor in doctors:
        assert doctor["rating"] is None or 1 <= doctor["rating"] <= 5
    for record in records:
        json.dumps(record)  # plain values only
        # and it lands in its dataset: the Parquet schema's types and ranges hold
        dataset, row = row_for(record, fetched_at=NOW, crawl_id="fuzz", layout="legacy", content_sha256="0" * 64)
        pa.Table.from_pylist([row], schema=SCHEMAS[dataset])


# ---- the unmutated pages parse (the fuzzing starts from good pages) ----------------------

def test_every_base_page_gives_records():
    for _, text in bases():
        assert check(text) is not None


# ---- cut off anywhere ---------------------------------------------------------------------

@FUZZ
@given(base_pages, st.data())
def test_truncated_anywhere(text, data):
    data_bytes = text.encode("utf-8")
    cut = data.draw(st.integers(0, len(data_bytes)), label="cut")
    check(data_bytes[:cut])  # bytes: a cut may split a UTF-8 sequence too
    check(text[: cut * len(text) // max(1, len(data_bytes))])


# ---- tags dropped or doubled, attributes emptied -------------------------------------------

TAG = re.compile(r"<[^<>]*>")
ATTR = re.compile(r"""(\s[\w:.-]+)=("[^"]*"|'[^']*')""")


def _spans(pattern, text):
    return [m.span() for m in pattern.finditer(text)]


def _edit(text: str, spans, chosen, replace) -> str:
    out, last = [], 0
    for i in sorted(set(chosen)):
        start, end = spans[i]
        out.append(text[last:start])
        out.append(replace(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


@FUZZ
@given(base_pages, st.data(), st.sampled_from(["drop", "double", "swap"]))
def test_tags_dropped_or_doubled(text, data, how):
    spans = _spans(TAG, text)
    chosen = data.draw(st.lists(st.integers(0, len(spans) - 1), min_size=1, max_size=30), label="tags")
    if how == "drop":
        mutated = _edit(text, spans, chosen, lambda tag: "")
    elif how == "double":
        mutated = _edit(text, spans, chosen, lambda tag: tag * 2)
    else:  # an opening tag where a closing one was, and the other way round
        mutated = _edit(text, spans, chosen,
                        lambda tag: "<" + tag[2:] if tag.startswith("</") else "</" + tag[1:])
    check(mutated)


@FUZZ
@given(base_pages, st.data())
def test_every_tag_of_one_name_dropped(text, data):
    names = sorted({m.group(1).lower() for m in re.finditer(r"</?([a-zA-Z][a-zA-Z0-9]*)", text)})
    name = data.draw(st.sampled_from(names), label="tag name")
    closing_too = data.draw(st.booleans(), label="closing too")
    pattern = rf"</?{name}\b[^<>]*>" if closing_too else rf"<{name}\b[^<>]*>"
    check(re.sub(pattern, "", text, flags=re.I))


@FUZZ
@given(base_pages, st.data(), st.sampled_from(["empty", "drop", "garbage"]))
def test_attributes_emptied(text, data, how):
    spans = _spans(ATTR, text)
    if data.draw(st.booleans(), label="every attribute of one name"):
        names = sorted({m.group(1).strip() for m in ATTR.finditer(text)})
        name = data.draw(st.sampled_from(names), label="attribute")
        chosen = [i for i, m in enumerate(ATTR.finditer(text)) if m.group(1).strip() == name]
    else:
        chosen = data.draw(st.lists(st.integers(0, len(spans) - 1), min_size=1, max_size=30), label="attributes")
    garbage = data.draw(st.text(max_size=20), label="value")

    def replace(attr: str) -> str:
        key = attr.split("=", 1)[0]
        if how == "empty":
            return f'{key}=""'
        if how == "drop":
            return ""
        return f'{key}="{htmllib.escape(garbage)}"'

    check(_edit(text, spans, chosen, replace))


# ---- embedded JSON broken ------------------------------------------------------------------

NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', re.S)
LD_JSON = re.compile(r'(<script type="application/ld\+json"[^>]*>)(.*?)(</script>)', re.S)
STATIC_DATA = re.compile(r"""(rs-static-data=')([^']*)(')""")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _paths(child, path + (i,))


def _mutate_json(value, path, how, new):
    if not path:
        return new
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete":
        del parent[last]
    else:
        parent[last] = new
    return value


def _broken_json(data, raw: str, escaped: bool) -> str:
    """`raw` JSON broken as text (cut, spliced) or as structure (a node replaced or removed)."""
    text = htmllib.unescape(raw) if escaped else raw
    how = data.draw(st.sampled_from(["cut", "splice", "replace", "delete"]), label="json fault")
    if how == "cut":
        text = text[: data.draw(st.integers(0, len(text)), label="json cut")]
    elif how == "splice":
        at = data.draw(st.integers(0, len(text)), label="json at")
        text = text[:at] + data.draw(st.text(alphabet='{}[]",:0\\ truefalsn', min_size=1, max_size=8)) + text[at:]
    else:
        try:
            value = json.loads(text)
        except ValueError:
            return raw
        paths = list(_paths(value))
        path = data.draw(st.sampled_from(paths[1:] if how == "delete" and len(paths) > 1 else paths), label="json path")
        if how == "delete" and not path:
            how = "replace"
        value = _mutate_json(value, path, how, data.draw(json_values, label="json value"))
        text = json.dumps(value)
    if escaped:
        return htmllib.escape(text, quote=True)
    return text.replace("</", "<\\/")


def _sub_json(data, text: str, pattern, escaped: bool) -> str:
    matches = list(pattern.finditer(text))
    if not matches:
        return text
    chosen = set(data.draw(st.lists(st.integers(0, len(matches) - 1), min_size=1, max_size=3), label="which json"))
    out, last = [], 0
    for i, m in enumerate(matches):
        out.append(text[last:m.start(2)])
        out.append(_broken_json(data, m.group(2), escaped) if i in chosen else m.group(2))
        last = m.end(2)
    out.append(text[last:])
    return "".join(out)


json_pages = st.integers(min_value=0, max_value=10_000).map(
    lambda i: [t for f, t in bases() if f != "legacy"][i % len([t for f, t in bases() if f != "legacy"])])


@settings(FUZZ, max_examples=1000)
@given(json_pages, st.data())
def test_embedded_json_broken(text, data):
    mutated = _sub_json(data, text, NEXT_DATA, escaped=False)
    if data.draw(st.booleans(), label="json-ld too"):
        mutated = _sub_json(data, mutated, LD_JSON, escaped=False)
    mutated = _sub_json(data, mutated, STATIC_DATA, escaped=True)
    check(mutated)


# ---- charsets ------------------------------------------------------------------------------

CODECS = ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32", "shift_jis", "koi8-r", "utf-8-sig", "ascii"]


def _declare(text: str, charset: str) -> str:
    text = re.sub(r"<meta charset=[^>]*>", "", text, flags=re.I)
    return re.sub(r"(<head[^>]*>)", rf'\1<meta charset="{charset}">', text, count=1, flags=re.I)


@FUZZ
@given(base_pages, st.sampled_from(["iso-8859-1", "windows-1252", "shift_jis", "utf-16", "bogus-charset"]),
       st.sampled_from([None, *CODECS]), st.sampled_from(["strict", "replace", "xmlcharrefreplace"]),
       st.text(max_size=20))
def test_wrong_charset(text, declared, codec, errors, extra):
    # Non-ASCII text in the body, so that a re-encoding really changes bytes.
    text = text.replace("</h1>", f"{htmllib.escape(extra)} café – naïve ✓</h1>", 1)
    text = _declare(text, declared)
    if codec is None:  # UTF-8 bytes under a wrong declaration: read as the UTF-8 they are
        assert check(text.encode("utf-8")) == check(text)
        return
    try:
        data = text.encode(codec, errors=errors)
    except UnicodeEncodeError:
        data = text.encode(codec, errors="replace")
    check(data)


# ---- random bytes ---------------------------------------------------------------------------

@settings(FUZZ, max_examples=500)
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    check(data)


@settings(FUZZ, max_examples=300)
@given(st.text(max_size=2000))
def test_random_text(text):
    check(text)


@FUZZ
@given(base_pages, st.data())
def test_random_bytes_spliced_into_a_page(text, data):
    page = bytearray(text.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 5), label="splices")):
        at = data.draw(st.integers(0, len(page)), label="at")
        length = data.draw(st.integers(0, 16), label="overwrite")
        page[at:at + length] = data.draw(st.binary(min_size=1, max_size=32), label="bytes")
    check(bytes(page))


@settings(FUZZ, max_examples=300)
@given(base_pages, st.data())
def test_mutations_combined(text, data):
    """Several faults on one page: cut, tags dropped, attributes emptied, JSON spliced."""
    spans = _spans(TAG, text)
    text = _edit(text, spans, data.draw(st.lists(st.integers(0, len(spans) - 1), max_size=10)), lambda t: "")
    spans = _spans(ATTR, text)
    if spans:
        text = _edit(text, spans, data.draw(st.lists(st.integers(0, len(spans) - 1), max_size=10)),
                     lambda a: a.split("=", 1)[0] + '=""')
    text = _sub_json(data, text, NEXT_DATA, escaped=False)
    text = _sub_json(data, text, STATIC_DATA, escaped=True)
    if data.draw(st.booleans()):
        text = text[: data.draw(st.integers(0, len(text)))]
    check(text)


# ---- huge pages -----------------------------------------------------------------------------

ANSWER_START = re.compile(r'<(?:div class="rs-answer"|div class="Content Content--answer"|article class="answer-card_card)')
HUGE = 5 * 1024 * 1024


def _huge(text: str, how: str) -> str:
    starts = [m.start() for m in ANSWER_START.finditer(text)]
    first, second = starts[0], starts[1]
    if how == "answers":  # the first answer block repeated (its ids too)
        block = text[first:second]
        return text[:second] + block * (HUGE // len(block)) + text[second:]
    # one answer whose body is a paragraph repeated
    para = "<p>Thank you for your question, which is a very long one indeed.</p>"
    if "__NEXT_DATA__" in text:  # nextjs bodies come from its data
        m = NEXT_DATA.search(text)
        data = json.loads(m.group(2))
        answer = data["props"]["pageProps"]["question"]["answers"][0]
        answer["bodyHtml"] = para * (HUGE // len(para)) + answer["bodyHtml"]
        return text[:m.start(2)] + json.dumps(data).replace("</", "<\\/") + text[m.end(2):]
    para_start = text.find("<p>", first)
    if para_start < 0 or para_start > second:
        para_start = text.find(">", text.find("_body__", first)) + 1
    return text[:para_start] + para * (HUGE // len(para)) + text[para_start:]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("how", ["answers", "body"])
@pytest.mark.timeout(60)
def test_huge_pages(family, how):
    text = _huge((SAMPLES / f"{GOLDEN}.{family}.html").read_text(encoding="utf-8"), how)
    assert len(text) >= HUGE
    records = check(text.encode("utf-8"))
    if how == "body":
        assert records is not None and len(records[1]["body"]) > HUGE // 2
    # cut off, a huge page is still a declared error
    check(text.encode("utf-8")[: len(text) // 2])
