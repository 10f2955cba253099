"""Keep `<DATA_DIR>/latest/` up to date after every committed crawl (pipelines.output.latest).

Every crawl with a `crawls` row is committed, whatever its status (finished, degraded,
interrupted, blocked, and a failed crawl whose row could be written): the view holds what the
loader's `latest` rule gives over all of them. The dataset pipeline calls `update` once the
crawl's row is written (found with `crawler.get_extension`), before `crawl_committed` goes to
the report and the others. A view that cannot be updated is left as it was (whole and
consistent, only behind): `load()` and `query` compute the same view from the snapshots, the
next crawl's update catches up, and the crawl says so (pipelines.crawls.view_behind).
"""
from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class LatestView:
    def __init__(self, crawler):
        self.crawler = crawler
        self.buckets = crawler.settings.getint("LATEST_BUCKETS")

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("LATEST_VIEW_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def update(self, root, crawl_id, status) -> str | None:
        """Bring the view up to date with the committed crawl `crawl_id`; why it could not be, or None."""
        from crawler.install import MachineFailure
        from pipelines.output.latest import LatestError, update_latest

        stats = self.crawler.stats
        try:
            update = update_latest(root, buckets=self.buckets)
        except (LatestError, MachineFailure, OSError) as error:
            # A warning: nothing committed is lost, the view is only behind (readers compute it
            # meanwhile); after a failed output it is the same failure again.
            logger.warning("The latest view of %s was not updated after crawl %s: %s", root, crawl_id, error)
            stats.set_value("latest/error", str(error))
            return str(error)
        stats.set_value("latest/seconds", round(update.seconds, 3))
        stats.set_value("latest/rows_applied", update.rows_applied)
        stats.set_value("latest/buckets_rewritten", update.buckets_rewritten)
        logger.info("Latest view of %s updated after crawl %s (%s): %d rows applied, %d buckets rewritten, %.2f s",
                    root, crawl_id, status, update.rows_applied, update.buckets_rewritten, update.seconds)
        return None
