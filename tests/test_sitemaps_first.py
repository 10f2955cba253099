"""The incremental crawl's ordering: listings wait until robots.txt's sitemaps are read."""
from crawler.spiders.sitemaps_first import SitemapsFirst


def test_listings_wait_for_every_sitemap_then_go_together():
    gate = SitemapsFirst(active=True)
    assert gate.hold("listing-1") is None
    gate.sitemap_requested()
    assert gate.robots_done() == []  # the index is still out
    gate.sitemap_requested()  # a question sitemap the index named
    assert gate.sitemap_read() == []
    assert gate.hold("listing-2") is None
    assert gate.sitemap_read() == ["listing-1", "listing-2"]
    assert gate.hold("listing-3") == "listing-3"  # settled: no more waiting


def test_a_site_without_sitemaps_waits_for_nothing_after_robots():
    gate = SitemapsFirst(active=True)
    assert gate.hold("home") is None
    assert gate.robots_done() == ["home"]


def test_idle_releases_whatever_is_pending():
    gate = SitemapsFirst(active=True)
    gate.sitemap_requested()
    gate.hold("listing")
    assert gate.release() == ["listing"] and gate.settled


def test_stateless_crawls_never_hold():
    assert SitemapsFirst(active=False).hold("listing") == "listing"
