"""The markup families a page may be in, in the order they are tried.

    from crawler.pages import register, QuestionPageObject

    @register
    class MyPage(QuestionPageObject):
        name = "my-family"
        class_tokens = ("my-answer",)
        @classmethod
        def recognise(cls, tree): return bool(tree.classed("my-answer"))
        ...  # one method per field of crawler.pages.items.QuestionPage

The family registered last is tried first: a parser fix for the site's next markup knows its
pages better than a built-in family that also claims them (a redesign that is still a Next.js
page). `unregister` takes one out (tests).
"""
from __future__ import annotations

from .page import QuestionPageObject
from .tree import ClassKeys, Tree

_FAMILIES: list[type[QuestionPageObject]] = []
_KEYS: list[ClassKeys] = []  # the union of every family's class keys, made when first needed


def register(cls: type[QuestionPageObject]) -> type[QuestionPageObject]:
    """Add a family (usable as a class decorator); a family of the same name is replaced."""
    if not (isinstance(cls, type) and issubclass(cls, QuestionPageObject) and cls.name):
        raise TypeError("a family is a QuestionPageObject subclass with a name")
    unregister(cls.name)
    _FAMILIES.insert(0, cls)
    return cls


def unregister(name: str) -> None:
    _FAMILIES[:] = [f for f in _FAMILIES if f.name != name]
    _KEYS.clear()


def registered() -> list[str]:
    """The families as 'module:ClassName', in the order they are tried: what another process
    (an extraction worker) imports to know the same families (`register_all`)."""
    return [_path(f) for f in _FAMILIES]


def _path(family) -> str:
    return f"{family.__module__}:{family.__qualname__}"


def register_all(names: list[str]) -> None:
    """Know the families `registered()` named in another process, tried in the same order.
    One that cannot be imported (a class defined in a function, or in a script) is reported
    on stderr and left out: its pages are then of an unknown layout, which a crawl counts."""
    import importlib
    import sys

    _FAMILIES[:] = [f for f in _FAMILIES if _path(f) in names]  # unregistered there: here too
    _KEYS.clear()
    for name in reversed(names):
        module, _, qualname = name.partition(":")
        try:
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            register(cls)
        except Exception as error:  # its module's own code may raise anything: the rest go on
            print(f"cannot use the page family {name}: {error}", file=sys.stderr, flush=True)


def not_shown() -> dict[str, frozenset[str]]:
    """Family name -> the record fields its markup never shows."""
    return {f.name: f.not_shown for f in _FAMILIES}


def families() -> tuple[str, ...]:
    return tuple(f.name for f in _FAMILIES)


def class_keys() -> ClassKeys:
    """The class tokens and prefixes of every family: what a page's Tree indexes."""
    if not _KEYS:
        _KEYS.append(ClassKeys([t for f in _FAMILIES for t in f.class_tokens],
                               [p for f in _FAMILIES for p in f.class_prefixes]))
    return _KEYS[0]


def recognise(tree: Tree) -> type[QuestionPageObject] | None:
    """The first family whose rule recognises the page, or None."""
    return next((f for f in _FAMILIES if f.recognise(tree)), None)
