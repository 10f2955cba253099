"""The project's downloader middlewares."""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class CountedDrop(IgnoreRequest):
    """A request a middleware of ours gave up on and counted itself (a block page waited on in
    vain, an undecodable body, a redirect off the site): the spider does not count it again."""
