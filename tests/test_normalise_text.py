from __future__ import annotations

import unicodedata

import lxml.html
import pytest

from crawler.pages.markup import html_paragraphs, paragraphs, plain_paragraphs
from pipelines.normalise.text import text


def html_text(markup):
    return text(html_paragraphs(markup))


def element_text(el):
    return text(paragraphs(el))


def plain_text(value):
    return text(plain_paragraphs(value))


@pytest.mark.parametrize("markup,want", [
    ("a<br>b", "a\nb"),
    ("a<br><br>b", "a\n\nb"),
    ("a<br> \n <br>b", "a\n\nb"),
    ("a<br><br><br>b", "a\n\nb"),
    ("a <br/> b<br />c", "a\nb\nc"),
    ("<p>one</p><p>two</p>", "one\n\ntwo"),
    ("<div>one<div>two</div>three</div>", "one\n\ntwo\n\nthree"),
    ("<ul><li>x</li><li>y</li></ul>", "x\n\ny"),
    ("<h2>Head</h2>text<blockquote>q</blockquote>", "Head\n\ntext\n\nq"),
    ("<p>  lots   of \n space </p>", "lots of space"),
    ("knot &amp; redness &#x27;x&#x27; &lt;b&gt;", "knot & redness 'x' <b>"),
    ("a&nbsp;b\u00a0c", "a b c"),
    ("<p></p><p> </p><p>x</p><br><br>", "x"),
    ("<p>a<br></p><p>b</p>", "a\n\nb"),
    ("<b>bold</b> and <i>it</i>", "bold and it"),
    ("x {{ voteCount + 1 }} y", "x y"),
    ("<p>{{ a }}</p><p>b</p>", "b"),
    ("hi<script>alert(1)</script> there", "hi there"),
    ("<style>p{}</style><p onclick=\"evil()\">ok</p>", "ok"),
    ("<a href=\"javascript:alert(1)\">link</a> text", "link text"),
    ("<template><p>t</p></template>kept", "kept"),
    ("<!-- c -->x", "x"),
    # every block a reader sees apart, not only the contract's examples: words are never glued
    ("<table><tr><td>Botox</td><td>Dysport</td></tr></table>", "Botox\n\nDysport"),
    ("<section>one</section><article>two</article>a<hr>b", "one\n\ntwo\n\na\n\nb"),
    ("<dl><dt>Term</dt><dd>meaning</dd></dl>", "Term\n\nmeaning"),
    ("", None),
    ("   ", None),
])
def test_html_text(markup, want):
    assert html_text(markup) == want
    # the same through an element of a tree
    el = lxml.html.fragment_fromstring(markup, create_parent="div") if markup.strip() else None
    if el is not None:
        assert element_text(el) == want


def test_nfd_to_nfc():
    nfd = unicodedata.normalize("NFD", "café crème")
    assert nfd != "café crème"
    assert html_text(f"<p>{nfd}</p>") == "café crème"
    assert plain_text(nfd) == "café crème"


@pytest.mark.parametrize("between", ["\u00ad", "\u200b", "\u200e", "\ufeff", "\x1b"])
def test_a_mark_kept_from_its_letter_by_an_invisible_character_composes(between):
    """Dropped before NFC, not after: "Jose\u00ad\u0301" reads "José", and must be stored so."""
    from pipelines.normalise.text import clean

    assert clean(f"Jose{between}\u0301 Pen{between}\u0303a") == "José Peña"


@pytest.mark.parametrize("printed, want", [
    ("Derm\u00adatologist", "Dermatologist"), ("\u200ePhoenix, AZ\u200e", "Phoenix, AZ"),
    ("Joseph\u200b Serota", "Joseph Serota"), ("Oct\u2060 22, 2012", "Oct 22, 2012"), ("\ufeffBotox", "Botox"),
    ("\u202bRTL\u202c", "RTL"), ("a\x01b\x7fc\x9bd", "abcd"), ("tab\tand\x1fsep", "tab and sep"),
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),  # ZWNJ kept
    # noncharacters: U+FDD0-U+FDEF and the last two code points of every plane
    ("Cook, M.D.\uffff", "Cook, M.D."), ("Cook\ufffe", "Cook"), ("a\ufdd0b\ufdefc", "abc"),
    ("x\U0001fffey\U0001ffffz\U0010fffe\U0010ffff", "xyz"), ("\ufdcf\ufdf0\ufffd", "\ufdcf\ufdf0\ufffd"),  # kept
])
def test_characters_nobody_sees_are_not_text(printed, want):
    from pipelines.normalise.text import clean

    assert clean(printed) == want
    assert html_text(f"<p>{printed}</p>") == want

@pytest.mark.parametrize("printed, want", [
    ("Ann\x00 Lee\x1b[2J", "Ann Lee[2J"), ("Kamran\ud800 Khoobehi", "Kamran Khoobehi"), ("\udfff", None),
])
def test_json_strings_lose_what_no_page_could_show(printed, want):
    """A JSON escape gives what no HTML parser would (a NUL, ESC, half a surrogate pair):
    dropped, a title line cut at none of them."""
    from pipelines.normalise.text import collapse, text

    assert collapse(printed) == want
    assert text([[printed, "next {{ x }}line"]]) == (f"{want}\nnext line" if want else "next line")


def test_plain_text_does_not_interpret_markup():
    assert plain_text("Botox &amp; <b>you</b>  (Photo) ") == "Botox &amp; <b>you</b> (Photo)"
    assert plain_text(None) is None


def test_nothing_is_evaluated():
    markup = '<img src=x onerror="alert(1)"><p>a</p><script>document.write("zz")</script><iframe src="javascript:1">q</iframe>'
    assert html_text(markup) == "a"


@pytest.mark.parametrize("markup", [
    "a&nbsp;b", "a&nbsp;b&amp;c", "&amp;nbsp;", "&&nbsp;", "&nbsp", "&nbsp;&nbsp;x", "&#38;nbsp;",
    "x&nbsp;<br>y&nbspz", "&nbsp;&lt;b&gt;<br><br>&NBSP;",
])
def test_entities_in_html_strings_as_a_tree_of_them_reads_them(markup):
    # through html_text: the same text as a tree of the markup gives
    el = lxml.html.fragment_fromstring(markup, create_parent="div")
    assert html_text(markup) == element_text(el)


@pytest.mark.parametrize("nonchar", ["\uffff", "\ufffe", "\ufdd0", "\U0002ffff", "\U0010fffe"])
def test_a_noncharacter_in_a_name_hides_no_credential(nonchar):
    from pipelines.normalise.names import parse_name

    name = parse_name(f"Jane Cook, M.D.{nonchar}")
    assert name.name_raw == "Jane Cook, M.D." and name.credentials == ("MD",) and name.family_name == "Cook"
    assert parse_name(f"Jane{nonchar} Cook, MD").given_name == "Jane"
