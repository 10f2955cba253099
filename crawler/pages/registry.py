"""The markup families a page may be in, in the order they are tried.

    from crawler.pages import register, QuestionPageObject

    @register
    class MyPage(QuestionPageObject):
        name = "my-family"
        class_tokens = ("my-answer",)
        @classmethod
        def recognise(cls, tree): return bool(tree.classed("my-answer"))
        ...  # one method per field of crawler.pages.items.QuestionPage

A registered family is tried after those before it; `unregister` takes one out (tests).
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
    _FAMILIES.append(cls)
    return cls


def unregister(name: str) -> None:
    _FAMILIES[:] = [f for f in _FAMILIES if f.name != name]
    _KEYS.clear()


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
