"""Text as readers see it: titles and bodies as the contract splits them (markup -> paragraphs
of raw lines, `Text`), and one-line values (`text_of`).

Paragraphs split at block boundaries (p, div, li, h1-h6, blockquote, ul, ol, HTML's other
block elements, table cells) and at runs of two or more `<br>` with only white space between
them; a lone `<br>` ends a line. Scripts, styles and the like are never text. Lines stay as
printed (the normalisers clean them); lines and paragraphs of white space only are dropped.
"""
from __future__ import annotations

import copy

from lxml import etree

from pipelines.normalise.dates import shown_readings
from pipelines.normalise.names import shows_credential
from pipelines.normalise.ratings import shows_rating, shows_review_count
from pipelines.normalise.text import clean
from pipelines.normalise.title_line import shows_specialty

from .errors import MarkupError
from .items import Text
from .document import parse_html, shadow_root

# Every block boundary, as browsers draw them: the contract's (p, div, li, h1-h6, blockquote),
# and HTML's other block elements and table cells, which a reader sees apart ("<td>Botox</td>
# <td>Dysport</td>" is not "BotoxDysport").
_BLOCK = frozenset("""p div li h1 h2 h3 h4 h5 h6 blockquote ul ol dl dt dd address article aside details
    summary dialog fieldset legend figure figcaption footer form header hgroup hr main nav pre section
    search center menu table caption tr td th""".split())
# Never text: code, the head, embedded content, and what browsers never draw (display: none in
# their own style sheet: noembed, noframes, datalist, rp). An element with the `hidden`
# attribute is text: a "Read more" keeps the rest of an answer there until a click shows it.
_SKIP = frozenset("""script style template noscript title head iframe object embed svg noembed noframes datalist
    rp""".split())
_BR = object()
_BLOCK_MARK = object()


def _walk(el, out: list, apart) -> None:
    """The element's content as texts, _BR and _BLOCK_MARK tokens, in order; the content of
    the elements `apart` (other fields' elements nested in it) left out, their tails kept."""
    start = len(out)
    text = el.text  # each read of .text or .tail makes a new str: read once
    if text:
        out.append(text)
    for ch in el:
        tag = ch.tag
        if tag == "br":
            out.append(_BR)
        elif not _shown(ch):
            pass
        elif apart and ch in apart:  # another field's: its text is that field's, not this one's
            if tag in _BLOCK:
                out.append(_BLOCK_MARK)
        elif tag in _BLOCK:
            out.append(_BLOCK_MARK)
            _walk(ch, out, apart)
            out.append(_BLOCK_MARK)
        elif tag == "template" and ch.find(".//slot") is None:
            # a declarative shadow root is shown in place of its host's own content (without
            # a <slot> to show that in: with one, the host's content is kept where it is)
            del out[start:]
            _walk(ch, out, apart)
            return
        else:
            _walk(ch, out, apart)
        tail = ch.tail
        if tail:
            out.append(tail)


def _shown(el) -> bool:
    """Whether a reader sees the element: not a comment, not one of _SKIP (but a declarative
    shadow root)."""
    tag = el.tag
    return isinstance(tag, str) and (tag not in _SKIP or tag == "template" and shadow_root(el))


def _split(tokens: list) -> Text:
    """Tokens -> paragraphs of lines: a block mark ends a paragraph, a <br> a line, and two
    or more <br>s (white space between them continues the run) a paragraph."""
    paras: Text = []
    lines: list[str] = []
    cur: list[str] = []
    brs = 0
    for tok in tokens:
        if tok is _BR:
            brs += 1
            continue
        if tok is not _BLOCK_MARK:
            if not brs:
                cur.append(tok)
                continue
            if tok.isspace():
                continue
        line = "".join(cur)
        if line and not line.isspace():
            lines.append(line)
        cur = [] if tok is _BLOCK_MARK else [tok]
        if (tok is _BLOCK_MARK or brs >= 2) and lines:
            paras.append(lines)
            lines = []
        brs = 0
    line = "".join(cur)
    if line and not line.isspace():
        lines.append(line)
    if lines:
        paras.append(lines)
    return paras


def _tokens(el, apart=frozenset()) -> list:
    tokens: list = []
    try:
        _walk(el, tokens, apart)
    except RecursionError:  # markup nested deeper than Python's stack (lxml reads 2,048 levels)
        raise MarkupError("markup nested too deep to read its text") from None
    return tokens


def paragraphs(el, fields=()) -> Text | None:
    """The text of an element's content (not its tail); None if it has none. Other fields'
    elements nested in it (`fields`: those its page object reads) are theirs, not its text."""
    if el is None or el.tag in _SKIP:
        return None
    return _split(_tokens(el, _apart(el, fields))) or None


def text_outside(el, fields) -> str | None:
    """The text of a field's element (as text_of reads it) outside the other fields' elements
    nested in it, `fields` (those its page object reads; their tails are outside them): a title
    line inside the name's link (a clickable card) is no part of the name. None when it shows
    nothing: only white space and characters a reader never sees (a zero-width space, a word
    joiner), as the one cleaner (pipelines.normalise.text.clean) tells them."""
    if el is None:
        return None
    text = "".join(" " if t is _BR or t is _BLOCK_MARK else t for t in _tokens(el, _apart(el, fields)))
    return text if text and clean(text) else None


def _apart(el, fields) -> frozenset:
    """The other fields' elements, as _walk leaves them out (the field's own is read)."""
    return frozenset(fields).difference((el, None))


def without(el, parts):
    """A copy of the element with some of its descendants, `parts`, emptied: what it shows
    beside them (their tails are outside them)."""
    return _emptied(el, parts)[0]


def _emptied(el, parts) -> tuple:
    """(`without`'s copy, the copies of `parts` in it, emptied)."""
    parts = set(parts) - {el}
    clone = copy.deepcopy(el)
    twins = []
    for original, twin in list(zip(el.iter(), clone.iter())):
        if original in parts:
            twin.clear(keep_tail=True)
            twins.append(twin)
    return clone, twins


def text_of(el) -> str | None:
    """A one-line value (a name, a title line, a date, a count) as a reader sees it: the text
    `paragraphs` reads (no scripts, styles, or an icon's svg <title>), a space where a <br> or
    a block breaks it ("Joseph Serota<br>MD" is not "SerotaMD"); None when absent or only white
    space. The element's own tag is not judged: a page's <title> is read as asked."""
    return text_outside(el, ())



def words_outside(el, read) -> str | None:
    """The text a byline `el` prints outside the elements its fields are read from, `read`
    (its name, title line, rating, links, its answer's date and vote), when it reads as a value
    one of them would hold: a credential of the vocabulary, a rating or a review count, a known
    specialty. That is a part in markup of a new shape (credentials in a badge list, a renamed
    class), whose value is lost. Decoration loses none: a label ("Answered by"), a badge
    ("Verified", "Top Doctor", "Sponsored", "(he/him)"), punctuation ("·"), an emoji."""
    text = text_outside(el, read)
    return text if text is not None and _shows_byline_value(text) else None


def _shows_byline_value(text: str) -> bool:
    return shows_credential(text) or shows_rating(text) or shows_review_count(text) or shows_specialty(text)


# A label beside a part ("Answered", "Helpful?", "Share · Report", "Answered by"): a few words.
# Text of more words in one run is a sentence: content, another post's (a comment, a reply).
_LABEL_WORDS = 6
# attributes that place, style or hide an element: a copy for another screen differs in them
_PLACING = frozenset(("class", "id", "style", "hidden", "aria-hidden"))


# A heading titles a block of its own ("Top doctors near you" over other doctors' bylines):
# what it holds is that block's, as a paragraph's text is its post's.
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def content_outside(el, parts) -> bool:
    """Whether an element shows content of its own beside some of its descendants, `parts`:
    a paragraph, a quote or a heading that holds no part and shows text, or a run of text
    longer than a label; never a label or a widget's words beside a part ("Answered <date>",
    "Helpful?")."""
    clone, twins = _emptied(el, parts)
    holders = {held for twin in twins for held in (twin, *twin.iterancestors())}  # the parts' copies, and what holds one
    for node in clone.iter():
        if not isinstance(node.tag, str) or any(up.tag in _SKIP for up in node.iterancestors()):
            continue
        if (node.tag in _PROSE or node.tag in _HEADINGS) and node not in holders and text_of(node):
            return True
        runs = (None if node.tag in _SKIP else node.text, node.tail if node is not clone else None)
        if any(len(clean(run or "").split()) > _LABEL_WORDS for run in runs):  # words a reader sees
            return True
    return False


def shown_form(el) -> tuple:
    """What an element shows and links, as a reader meets it: its text, and its elements' tags
    and attributes but the ones that place, style or hide it (class, id, style, hidden,
    aria-hidden). Two copies of a
    part with one shown form (a desktop and a mobile copy) are one part."""
    return text_of(el), tuple((node.tag, tuple(sorted((k, v) for k, v in node.attrib.items() if k not in _PLACING)))
                              for node in el.iter() if isinstance(node.tag, str))

# A date line: a date and at most a short label ("Answered on Oct 22, 2012": 5 words), never
# a sentence; and not in a paragraph or a quote, where an answer's text is.
_DATE_LINE_WORDS, _DATE_LINE_CHARS = 5, 40
_PROSE = frozenset(("p", "blockquote"))  # where text is content: a paragraph, a quote


def date_line(el) -> str | None:
    """The element's text when it shows a date alone, with at most a label before it, as a
    date's element does, whatever its class (a deploy may rename it); else None."""
    if not isinstance(el.tag, str) or el.tag in _PROSE or el.tag in _SKIP:
        return None
    text = text_of(el)
    shown = clean(text) if text is not None else ""  # measured as a reader sees it
    if text is None or len(shown) > _DATE_LINE_CHARS or len(shown.split()) > _DATE_LINE_WORDS:
        return None
    if any(up.tag in _PROSE for up in el.iterancestors()) or not shown_readings(text):
        return None
    return text


def html_paragraphs(html: str | None) -> Text | None:
    """The text of an HTML fragment (e.g. a JSON `bodyHtml`), read as a browser would: as
    the body of a document. Only opened before it: an element it leaves open (a <textarea>,
    an <xmp>) would read closing tags after it as its text, which the site never sent."""
    if html is None or not html.strip():
        return None
    try:
        root = parse_html("<html><body>" + html, fragment=True)
    except (etree.ParserError, ValueError) as error:  # lxml read nothing, or not all of it
        raise MarkupError(str(error)) from None
    body = root.find("body") if root is not None else None
    return paragraphs(body) if body is not None else None


def plain_paragraphs(text: str | None) -> Text | None:
    """A plain-text string (no markup, no entities) as one line."""
    return [[text]] if text and not text.isspace() else None
