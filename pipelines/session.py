"""One crawl's identity and memory, shared by the spider, the conditional-GET middleware and
the dataset pipeline. The spider builds it (`CrawlSession(crawler.settings)`, settings
`CRAWL_ID`, `STATE_DIR`) and the others find it as `crawler.spider.session`; the dataset
pipeline opens it (`open`) when the spider opens, before any request.

Opening a session holds the crawl's id in the output folder (one run of a crawl id at a time,
and a new crawl's id names nothing there yet). Opening a stateful one also holds the state
(one crawl per state folder), checks the state belongs to the crawl's site and output folder,
and resumes the state's unfinished crawl, if any, unless the output holds more of that crawl
than the state knows (a copy or an old backup of a state whose crawl went on): a state never
resumes a crawl into files it did not write. A refusal is a StateError with a one-line message.
"""
from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from scrapy.settings import SETTINGS_PRIORITIES

from crawler.discovery import lastmod_end
from crawler.sites import site_key, sites_of
from crawler.sites.base import page_key
from pipelines.output.protocol import Output
from pipelines.state import EXIT_DAMAGED, EXIT_UNUSABLE, CrawlState, PageVersion, StateError, unwritable_state

logger = logging.getLogger(__name__)
# the stat: answers with the version held, though the sitemap says the page changed (answered)
CHANGE_NOT_SERVED = "pages/change_not_served"
# the stat: questions unchanged by their lastmod, asked again for the age of the version held
REVISITED = "pages/revisited"


def new_crawl_id(started_at: datetime) -> str:
    return f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def question_key(site: str, question_id) -> str:
    """A question as the session and the state hold it: its rows' (site, question_id)."""
    return f"{site}/{question_id}"  # a host has no "/": the key is unambiguous


class CrawlSession:
    def __init__(self, settings):
        self.started_at = datetime.now(timezone.utc)
        # question URL -> the newest lastmod this crawl's sitemaps give it (note_lastmod)
        self.sitemap_lastmod: dict[str, str] = {}
        self.skipped: dict[str, str] = {}  # question URL -> why it is not fetched (skip_reason)
        # unchanged by their lastmod, asked again for the age of the version held (skip_reason)
        self.revisited: set[str] = set()
        self.revisit_after = float(settings.get("REVISIT_AFTER_DAYS") or 0)  # days, as many as given
        self.crawl_id = settings.get("CRAWL_ID") or new_crawl_id(self.started_at)
        self.chosen_id = settings.get("CRAWL_ID") if _chosen(settings, "CRAWL_ID") else None  # -s CRAWL_ID, a Scrapyd job's
        self.resumed, self.next_part = False, 0
        self.earlier_counts: dict[str, int] = {}  # a resumed crawl's counts of its runs before this one
        self.done: set[str] = set()
        self.doctors: set[str] = set()  # "site/doctor_id" of doctors written by this crawl
        # question_key of the questions this crawl met (its runs before a restart included): one
        # request and one row per crawl, whatever URLs name a question
        self.questions: set[str] = set()
        self.message: str | None = None  # what opening decided that the crawls row must say
        state_dir = settings.get("STATE_DIR")
        self.state = CrawlState(state_dir) if state_dir else None
        # Incremental: pages of earlier crawls are known, so a sitemap's lastmod can skip them.
        self.incremental = self.state.knows_pages() if self.state else False
        # An earlier crawl on the state found every question its walks reached (vouched_for).
        self.complete_before = False
        # Pages the state knew from earlier crawls when this one began, and how many of them
        # this crawl's sitemaps have named with a lastmod (note_lastmod): a listing walk may
        # stop early only when they named all (vouched_for).
        self.pages_known = self.pages_named = 0

    @classmethod
    def from_crawler(cls, crawler) -> "CrawlSession":
        """The crawl's session, as its spider built it (a lookup: the spider owns it)."""
        return crawler.spider.session

    def open(self, start_urls: list[str], output: Output, root: Path) -> None:
        """Hold the crawl, and the state, resuming its crawl (StateError if this crawl may not run:
        then it holds nothing)."""
        try:
            try:
                self._open(start_urls, output, root)
            except OSError as error:
                if self.state is None or not _under(error.filename, self.state.folder):
                    raise
                # Its state cannot be written (a full disk): the crawl does not start, as for any
                # state that cannot serve it, and the line says what to do.
                raise StateError(unwritable_state(self.state.folder, error), EXIT_DAMAGED) from None
        except StateError:
            output.close()
            self.close()
            raise

    def _open(self, start_urls: list[str], output: Output, root: Path) -> None:
        if self.state is None:
            self._hold_new(output, root)
            return
        state = self.state
        state.lock()
        if start_urls:  # none when the spider's arguments were bad: then it binds nothing
            self._check_site(_site(start_urls))
        self._check_output(output, root)
        unfinished = state.unfinished_crawl()
        if unfinished is not None:
            output.hold(unfinished, state.folder)
            if self._ended_without_state(unfinished, output, root):
                unfinished = None
        if unfinished is not None and self.chosen_id not in (None, unfinished):
            # Resumed, the crawl would keep the state's id: the one asked for would name nothing.
            raise StateError(f"state folder {state.folder} resumes crawl {unfinished}, which did not end; "
                             f"CRAWL_ID {self.chosen_id!r} would be dropped: run again without -s CRAWL_ID to "
                             "resume it, or with another --state to start a new crawl", EXIT_UNUSABLE)
        if unfinished is not None and start_urls:
            self._check_resumed_sites(unfinished, _site(start_urls))
            self._check_resumed_start_urls(unfinished, start_urls)
        if unfinished is None:
            self._hold_new(output, root)
        opened = state.open_crawl(self.crawl_id, self.started_at, commit=output.commit,
                                  sites=_site(start_urls) if start_urls else "", start_urls=start_urls)
        self.crawl_id, self.started_at, self.resumed = opened.crawl_id, opened.started_at, opened.resumed
        self.next_part = opened.next_part
        self.done, self.doctors, self.questions = set(opened.done), set(opened.doctors), set(opened.questions)
        self.earlier_counts = opened.counts
        self.incremental = state.knows_pages()
        self.complete_before = state.knows_a_complete_crawl(self.crawl_id)
        self.pages_known = state.pages_of_earlier_crawls(self.crawl_id) if self.complete_before else 0
        state.record_holder(self.crawl_id)

    def _hold_new(self, output: Output, root: Path) -> None:
        """Hold a new crawl's id: checked again here, under the lock, since a crawl of the same
        -s CRAWL_ID may have ended between the command's check and now."""
        output.hold(self.crawl_id, self.state.folder if self.state else None)
        if output.written(self.crawl_id):
            raise StateError(f"CRAWL_ID {self.crawl_id!r} is a crawl already written to {root}: an id names one crawl",
                             EXIT_UNUSABLE)

    def _ended_without_state(self, crawl_id: str, output: Output, root: Path) -> bool:
        """Whether the state's unfinished crawl ended without it (True: the state now says so).
        Its `crawls` row says how it ended when the state missed the end (a kill between the two,
        or a copy of the state taken before). A crawl that went on without this state (the output
        holds files of it the state never committed) and did not end is refused: resuming it
        would write parts it has again."""
        status = output.crawl_status(crawl_id)
        if status not in (None, "interrupted"):
            # Likeliest first: a kill in the instant between the row and the state is what the
            # commit protocol leaves behind; a full disk or a stale copy of the state are rarer.
            self.message = (f"state folder {self.state.folder} had not recorded the end of crawl {crawl_id} "
                            f"({status} in {root}): it was likely killed (SIGKILL, power cut, OOM killer) after "
                            "writing its row, or its disk was full at the end, or this state is a copy or an old "
                            "backup: a new crawl starts")
            logger.warning(self.message)
            self.state.finish_crawl(crawl_id, status)
            return True
        if unknown := output.unknown_files(crawl_id, self.state.crawl_tokens(crawl_id)):
            raise StateError(f"output folder {root} holds files of crawl {crawl_id} that state folder "
                             f"{self.state.folder} never committed (e.g. {unknown[0]}): the crawl went on with another "
                             "state (is this one a copy or an old backup?); resume it with that state, or move this "
                             "one away to start afresh", EXIT_UNUSABLE)
        return False

    def _check_site(self, site: str) -> None:
        owner = self.state.owner("site")
        if owner is None:
            self.state.set_owner("site", site)
        elif not set(site.split()) <= _owners(owner):
            raise StateError(f"state folder {self.state.folder} belongs to the crawls of {owner}, not {site}; "
                             "use another --state for another site", EXIT_UNUSABLE)

    def _check_resumed_sites(self, crawl_id: str, sites: str) -> None:
        """A crawl resumes with the sites it was begun for: with fewer, the pages of the others it
        had not read would be dropped in silence, its row then naming only these."""
        begun = self.state.crawl_sites(crawl_id)
        if begun and begun != sites:
            raise StateError(f"state folder {self.state.folder} resumes crawl {crawl_id} of {begun}, which did not "
                             f"end; the start URLs given are of {sites}: run again with start URLs of {begun} to "
                             "resume it, or with another --state to start a new crawl", EXIT_UNUSABLE)

    def _check_resumed_start_urls(self, crawl_id: str, start_urls: list[str]) -> None:
        """A crawl resumes from the start URLs it was begun with (any spelling of the same pages,
        in any order): from others, a listing where the site root was, the pages only the begun
        ones lead to would be dropped in silence, the crawl ending `finished` with part of it."""
        begun = self.state.crawl_start_urls(crawl_id)
        if begun and {page_key(url) for url in begun} != {page_key(url) for url in start_urls}:
            raise StateError(f"state folder {self.state.folder} resumes crawl {crawl_id}, begun with start URLs "
                             f"{_listed(begun)}, which did not end; the start URLs given are {_listed(start_urls)}: "
                             f"run again with start URLs {_listed(begun)} to resume it, or with another --state to "
                             "start a new crawl", EXIT_UNUSABLE)

    def _check_output(self, output: Output, root: Path) -> None:
        """A state's pages are worth skipping only while the rows they stand for are there."""
        here = os.path.realpath(root)  # one folder however it is spelled (a link to it, `..`)
        owner = self.state.owner("output")
        tokens = self.state.committed_tokens()
        if all(output.holds(token) for token in tokens):
            self.state.set_owner("output", here)  # the same folder, or the same data moved
            return
        if owner and os.path.realpath(owner) != here and os.path.isdir(owner) and os.listdir(owner):
            raise StateError(f"state folder {self.state.folder} belongs to output folder {owner}, not {here}; "
                             "use another --state for another output folder", EXIT_UNUSABLE)
        self.message = (f"output folder {here} no longer holds the files the state committed: "
                        "fetching every page again")
        logger.warning("%s (state %s)", self.message, self.state.folder)
        self.state.forget()
        self.state.set_owner("output", here)

    def close(self) -> None:
        if self.state is not None:
            self.state.close()

    @property
    def crawl_date(self) -> str:
        return f"{self.started_at:%Y-%m-%d}"

    def version(self, url: str) -> PageVersion | None:
        return self.state.version(url) if self.state else None

    def answered(self, page: PageVersion) -> PageVersion:
        """The version to record of a page's answer. One holding the version we hold (a 304, or
        the same content) though the sitemap's lastmod moved past that version's proves only
        that the server did not serve the change yet (a CDN or a replica behind the origin, a
        validator that is not of the content): it records no more than that the change is
        awaited (`unserved_lastmod`), so the next crawl asks again, and without validators
        (ConditionalGetMiddleware): that answer settles the lastmod whatever it holds. So a
        wrong 304 is taken once, never crawl after crawl. The same content in that answer shows
        the page's lastmod moves alone (a sitemap stamping each lastmod "now"): from then on a
        304 settles as before, until the content changes, else such a site would be read whole
        every other crawl."""
        held = self.version(page.url)
        if held is None or page.content_sha256 not in (None, held.content_sha256):
            return page  # a new version: its lastmod is the site's word again
        if held.lastmod_moves_alone or (held.unserved_lastmod and page.content_sha256):
            return replace(page, lastmod_moves_alone=True)
        if not page.lastmod or not held.lastmod or held.unserved_lastmod or not _later(page.lastmod, held.lastmod):
            return page
        return PageVersion(page.url, unserved_lastmod=page.lastmod)

    def note_lastmod(self, url: str, lastmod: str) -> bool:
        """Keep the newest lastmod the crawl's sitemaps give `url`: two sitemaps may name it (an
        archive regenerated weekly with a stale entry, a recent one with today's), in whichever
        order they answer. True when this withdraws a skip: an older entry, read first, had the
        URL skipped as unchanged, and the newer one says it changed (it is then requested)."""
        known = self.sitemap_lastmod.get(url)
        if known is not None and not _later(lastmod, known):
            return False
        # Counted once per URL, and only as a page of an earlier crawl: a page this crawl
        # committed first, named afterwards, must not stand in for a known one left unnamed.
        if known is None and self.complete_before and self.state.of_earlier_crawl(url, self.crawl_id):
            self.pages_named += 1
        self.sitemap_lastmod[url] = lastmod
        if self.skipped.get(url) == "skipped_unchanged":
            del self.skipped[url]
            return True
        return False

    def vouched_for(self, url: str) -> bool:
        """Whether this crawl's sitemaps vouch for this question URL, so that a topic's listing
        walk may end at a page naming only such questions: an earlier complete crawl left the
        state knowing every question its walks reached, this one is known, and the sitemaps give
        it a lastmod and have named every question the state knew from earlier crawls. Then
        what the walk skips is asked for through the sitemaps: a changed question by its
        lastmod, a new one by its entry. Without that, no order of the listing is assumed (it
        may be oldest first, or by votes) and no known question is taken as unchanged."""
        return (self.complete_before and self.pages_named >= self.pages_known
                and url in self.sitemap_lastmod and self.version(url) is not None)

    def skip_reason(self, url: str) -> str | None:
        """Why a question need not be fetched (None: fetch it): it was committed earlier in
        this resumed crawl, or its sitemap lastmod is the one we saw when we last fetched it,
        and that fetch came after all the lastmod names (`_unchanged_since`), less than
        REVISIT_AFTER_DAYS ago (else it is `revisited`)."""
        if url in self.skipped:
            return "skipped"
        if url in self.done:
            reason = "skipped_done"
        elif ((lastmod := self.sitemap_lastmod.get(url)) and (seen := self.version(url))
              and _unchanged_since(seen, lastmod)):
            if self.revisit_after and _days_since_fetched(seen, self.started_at) > self.revisit_after:
                self.revisited.add(url)
                return None
            reason = "skipped_unchanged"
        else:
            return None
        self.skipped[url] = reason  # listings and related links name it again: skip those too
        return reason


def _under(path, folder: Path) -> bool:
    return bool(path) and Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def _chosen(settings, name: str) -> bool:
    """Whether setting `name` was given (-s, a Scrapyd job's settings), not set by the project: the
    CLI sets a new crawl's CRAWL_ID itself, at the project's priority, to name its log."""
    priority = settings.getpriority(name) if hasattr(settings, "getpriority") else SETTINGS_PRIORITIES["cmdline"]
    return priority is not None and priority > SETTINGS_PRIORITIES["project"]


def _unchanged_since(seen: PageVersion, lastmod: str) -> bool:
    """Whether the sitemap's lastmod says nothing the version we hold may lack: it is the
    lastmod we saw when we fetched it, and we fetched it (by our clock) after the latest
    moment that lastmod can name (`lastmod_end`: a date alone names its whole day, so a page
    fetched at 09:00 may lack a change made at 18:00 that same day: it is asked for again,
    conditionally). A fetch time not known: not shown."""
    return seen.lastmod == lastmod and _fetched_after(seen, lastmod)


def _fetched_after(seen: PageVersion, lastmod: str) -> bool:
    """Whether we fetched the version we hold (by our clock) after the latest moment a sitemap
    lastmod can name: it holds every change that lastmod speaks of. A fetch time not known: no."""
    try:
        return _fetched(seen) > lastmod_end(lastmod)
    except ValueError:
        return False


def _days_since_fetched(seen: PageVersion, now: datetime) -> float:
    """How long ago, in days, the version we hold was last found current (fetched, or a 304);
    0 when not known."""
    try:
        return (now - _fetched(seen)).total_seconds() / 86400
    except ValueError:
        return 0.0


def _fetched(seen: PageVersion) -> datetime:
    """When the version we hold was last found current, UTC (ValueError: not known)."""
    fetched = datetime.fromisoformat(seen.fetched_at or "")
    return fetched if fetched.tzinfo else fetched.replace(tzinfo=timezone.utc)


def _later(lastmod: str, than: str) -> bool:
    """Whether sitemap lastmod `lastmod` is later than `than`: as the latest moments they can
    name when both are W3C dates or datetimes (`lastmod_end`: a date alone is its day's end,
    not its midnight), else as text. Both are read alike, one without a zone in UTC: read
    where it ends latest, a stale date would outlast a newer time of the next morning and
    hide its change."""
    try:
        return lastmod_end(lastmod, timezone.utc) > lastmod_end(than, timezone.utc)
    except ValueError:
        return lastmod > than


def _site(start_urls: list[str]) -> str:
    """The site of a crawl, as the state records it: its start URLs' sites (crawler.sites.site_key:
    the rows' `site` rule, so `LOCALHOST:8000`, `:80` written out and an IDN's punycode are
    the site they name), sorted."""
    return " ".join(sites_of(start_urls))


def _listed(start_urls: list[str]) -> str:
    """Start URLs in a message, as given: a JSON list, whatever a URL holds (a comma, a space)."""
    return json.dumps(list(start_urls), ensure_ascii=False)


def _owners(owner: str) -> set[str]:
    """The sites a state folder's owner names. A folder written before owners were site keys
    holds the start URLs' netlocs as typed: read as the sites they name."""
    return {site_key(f"http://{netloc}") for netloc in owner.split()}
