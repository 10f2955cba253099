"""robots.txt as RFC 9309 reads it, on top of Scrapy's RobotsTxtMiddleware and Protego.

- Groups are matched by our product token (ROBOTSTXT_USER_AGENT) as a whole: Protego would
  let a group `doctor` (a prefix of `doctor-answers`) or `crawler` (a word of the User-Agent's
  comment) speak for us, above `*`.
"""
from __future__ import annotations

import re

from protego import Protego
from scrapy.robotstxt import ProtegoRobotParser

_USER_AGENT_LINE = re.compile(r"^(\s*user[- ]?agent\s*:\s*)([^#\r\n]*?)(\s*(?:#.*)?)$", re.I | re.S)
_PRODUCT_TOKEN = re.compile(r"[a-z_-]+", re.I)  # RFC 9309 2.2.1; a version after it is not part of it


class RobotsParser(ProtegoRobotParser):
    def __init__(self, body: bytes, spider, token: str):
        self.spider = spider
        lines = [self._line(line, token) for line in body.decode("utf-8-sig", errors="replace").splitlines(True)]
        self.rp = Protego.parse("".join(lines))

    @classmethod
    def from_crawler(cls, crawler, robotstxt_body: bytes):
        settings = crawler.settings
        return cls(robotstxt_body, crawler.spider, settings["ROBOTSTXT_USER_AGENT"] or settings["USER_AGENT"])

    def _line(self, line: str, token: str) -> str:
        if match := _USER_AGENT_LINE.match(line):
            return match.group(1) + group_name(match.group(2), token) + match.group(3)
        return line


def group_name(name: str, token: str) -> str:
    """A group's User-agent as Protego should see it: ours exactly when its product token is
    ours (any case, any version), `*` as it is, and anything else a name that matches nothing."""
    name = name.strip()
    if name == "*":
        return name
    product = _PRODUCT_TOKEN.match(name)
    if product and product.group().lower() == token.lower():
        return token
    return "other bot " + name  # a space: never part of a product token, so never ours

