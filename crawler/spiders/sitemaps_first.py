"""Sitemaps first, for incremental crawls: hold listing pages back until the sitemaps are read.

A sitemap says which questions changed (their `lastmod`); a listing only names them. When a
listing is read first, the questions it names are fetched (conditionally) before the sitemap
could say that they did not change. So an incremental crawl reads robots.txt's sitemaps, and
only then the listings, which add what the sitemaps do not name. If the sitemaps never come
(no robots.txt, a failed sitemap), the spider's idle signal releases the listings anyway.
"""
from __future__ import annotations


class SitemapsFirst:
    def __init__(self, active: bool):
        self.active = active
        self.robots_read = not active
        self.pending = 0  # sitemap requests not yet answered
        self.held: list = []

    @property
    def settled(self) -> bool:
        return self.robots_read and self.pending == 0

    def hold(self, request):
        """The request, if it may go now; None if it waits for the sitemaps."""
        if self.settled:
            return request
        self.held.append(request)
        return None

    def sitemap_requested(self) -> None:
        self.pending += 1

    def sitemap_read(self) -> list:
        """A sitemap was answered (or failed); the held requests if that was the last one."""
        self.pending = max(0, self.pending - 1)
        return self._release_if_settled()

    def robots_done(self) -> list:
        """robots.txt was read and its sitemaps requested."""
        self.robots_read = True
        return self._release_if_settled()

    def release(self) -> list:
        """Everything held, whatever is pending (the spider went idle)."""
        self.robots_read, self.pending = True, 0
        held, self.held = self.held, []
        return held

    def _release_if_settled(self) -> list:
        return self.release() if self.settled else []
