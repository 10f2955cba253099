"""Page objects, after web-poet's ItemPage: each field of an item is a method of that name.

    class LegacyAnswer(ItemPage):
        item = Answer
        def answer_id(self): ...
        def title(self): ...

`to_item()` calls one method per field of `item` (a dataclass of crawler.pages.items) and
builds the item by keyword; a field without its method is an error when the class is made,
so an item and the page objects that fill it cannot drift apart. A page object keeps the
element it reads; only plain values go into the item.
"""
from __future__ import annotations

from dataclasses import fields

from .errors import MarkupError
from .items import QuestionPage
from .markup import paragraphs, text_outside
from .tree import Tree
from crawler.sites.base import origin


class ItemPage:
    item: type | None = None  # the dataclass this page object fills
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.item is None:
            return
        cls._fields = tuple(f.name for f in fields(cls.item))
        missing = [name for name in cls._fields if not callable(getattr(cls, name, None))]
        if missing and not cls.__dict__.get("abstract"):
            raise TypeError(f"{cls.__name__} fills {cls.item.__name__} but has no method for {missing}")
        cls._build = _builder(cls._fields)

    def to_item(self):
        return self._build(self.item)


def _builder(names: tuple[str, ...]):
    """`lambda self, item: item(a=self.a(), b=self.b(), ...)`, written out as dataclasses
    write their __init__: half the cost of a loop of getattr calls, once per answer."""
    namespace: dict = {}
    exec(f"def build(self, item): return item({', '.join(f'{n}=self.{n}()' for n in names)})", namespace)
    return namespace["build"]


class ElementPage(ItemPage):
    """A page object of one element (a question, an answer, a byline) and its parts: class
    key -> the first element inside it holding that key (Tree.parts). `read`: the elements of
    the fields it reads (its parts, and those of its item's others), each one's text its own:
    a part nested in another (a title line inside the name's link) is no text of the outer."""

    def __init__(self, el, parts: dict, read=()):
        self.el, self.parts = el, parts
        self.read = [*parts.values(), *read]

    def _id_after(self, prefix: str) -> str:
        """The element's id attribute less its `prefix` ("answer-1040790"), white space around
        it trimmed first, as every id is read (Site.id_key): a template's stray space."""
        return (self.el.get("id") or "").strip().removeprefix(prefix)

    def _text(self, key: str) -> str | None:
        return self._line(self.parts.get(key))

    def _line(self, el) -> str | None:
        """A one-line field's text: its element's, outside the other fields' (text_outside)."""
        return text_outside(el, self.read)

    def _paragraphs(self, el):
        """A title's or a body's text: its element's, outside the other fields' (paragraphs)."""
        return paragraphs(el, self.read)

    def _shown(self, key: str, what: str):
        """The element of a part the contract's every answer shows (its title, body, vote,
        date): absent, not empty, the part is in markup of a new shape (a renamed class, a
        moderator's notice in the answer's place), and its null would pass for "not shown"."""
        el = self.parts.get(key)
        if el is None:
            raise missing(what)
        return el

    def _datetime(self, key: str) -> str | None:
        el = self.parts.get(key)
        return el.get("datetime") if el is not None else None


class QuestionPageObject(ItemPage):
    """The page object of one markup family, registered with crawler.pages.register.

    A family declares, next to its fields, how it is recognised (`recognise(tree)`), its name
    (`name`: the questions dataset's `layout`), the class tokens (`class_tokens`) and
    class-name prefixes (`class_prefixes`) its fields look up in the page's Tree, and the
    record fields its markup never shows (`not_shown`)."""

    item = QuestionPage
    abstract = True  # its families fill the fields it lacks
    name: str = ""
    class_tokens: tuple[str, ...] = ()
    class_prefixes: tuple[str, ...] = ()
    # record fields its markup never shows ("answers.has_photo"): the family_coverage check
    # does not hold their nulls against the families that show them
    not_shown: frozenset[str] = frozenset()

    def __init__(self, tree: Tree):
        self.tree = tree

    @classmethod
    def recognise(cls, tree: Tree) -> bool:
        raise NotImplementedError

    def family(self) -> str:
        return self.name

    def url(self) -> str:
        # Its canonical link when that is the site's own question URL (not `javascript:`,
        # another site, garbage), else the URL fetched
        return self.tree.site.page_url(self.tree.canonical, self.tree.url)

    def fetched_url(self) -> str:
        return self.tree.url

    def site_origin(self) -> str | None:
        return origin(self.tree.site_url) if self.tree.site_url else None


def missing(what: str, whose: str = "an answer") -> MarkupError:
    """An answer (or `whose`: a question) lacking a part every one has (crawler.pages.page:
    ElementPage._shown)."""
    return MarkupError(f"{whose} without its {what}: a part of it in markup of a new shape?")
