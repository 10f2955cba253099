"""A crawl's batches: what the open batch holds, when it is sealed, and the commit sequence.

A batch is sealed and committed at the end of the crawl, when a file reaches its size limit,
and, for stateful crawls, every CHECKPOINT_PAGES pages or CHECKPOINT_SECONDS (what a kill can
cost). Commit: the output seals its files and the other components theirs (`seal_others`,
the batch_sealing signal), then, with a state, the state records the batch as pending (with
what the crawl has counted so far, for a resumed crawl's row) and has the output commit it
(exactly once after any kill); without one, the output commits it.
A doctor is written once per crawl and site: from the page fetched first among the batch's
pages naming them (held until the batch is sealed), unless an earlier batch wrote them. The
order in which pages finish extraction (several workers) does not decide, and the reparse of
the crawl's archive picks the same page.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from dataclasses import replace

from pipelines.output.protocol import Output
from pipelines.output.validate import check_page
from pipelines.session import question_key
from pipelines.state import PageVersion

SealOthers = Callable[[int], list[tuple[Path, Path]]]


def doctor_key(row: dict) -> str:
    return f"{row['site']}/{row['doctor_id']}"  # a host has no "/": the key is unambiguous


class Batches:
    def __init__(self, output: Output, session, *, checkpoint_pages: int, checkpoint_seconds: float,
                 seal_others: SealOthers, counts: Callable[[], dict[str, int]] = dict,
                 publish: Callable[[str], None] | None = None):
        self.output, self.session, self.seal_others, self.counts = output, session, seal_others, counts
        # what makes a sealed batch visible: the output's commit, unless told (the crawls row with it)
        self.publish = publish or output.commit
        stateful = session.state is not None
        self.checkpoint_pages = checkpoint_pages if stateful else 0
        self.checkpoint_seconds = checkpoint_seconds if stateful else 0
        self.part = session.next_part
        self.pages: list[PageVersion] = []  # stateful crawls only
        self.page_count = 0
        self.doctors: list[str] = []  # stateful crawls only
        self.questions: list[str] = []  # stateful crawls only: question_key of the questions written
        self.new_doctors: dict[str, dict] = {}  # key -> row of the page fetched first, this batch
        self.started = time.monotonic()
        self.count = 0  # batches committed

    def add_page(self, rows: dict[str, list[dict]], page: PageVersion, asked: str | None = None) -> None:
        """A page's rows into the batch, all or none (RowsDoNotFit when one does not fit its schema);
        `asked`: the URL the crawl asked for, when redirects led to `page.url`."""
        check_page(rows)  # the whole page, doctors met before included, before anything is buffered
        for row in rows.get("doctors", ()):
            key = doctor_key(row)
            held = self.new_doctors.get(key)
            if key not in self.session.doctors and (held is None or row["fetched_at"] < held["fetched_at"]):
                self.new_doctors[key] = row
        self.output.add({name: batch for name, batch in rows.items() if name != "doctors"})
        if self.session.state is not None:
            self.questions.extend(question_key(row["site"], row["question_id"]) for row in rows.get("questions", ()))
        self.page_done(page, asked)

    def page_done(self, page: PageVersion, asked: str | None = None) -> None:
        """A question page the batch answers for (its rows, a 304, or a question already written):
        done under its URL and under the URL asked for (`asked`, when redirects led elsewhere),
        so a resumed crawl skips it whichever of them a sitemap or a link names."""
        # Only a stateful crawl remembers its pages' versions (for the state's batch commit);
        # a stateless one counts them, or a crawl would hold a PageVersion for every page.
        self.page_count += 1
        if self.session.state is not None:
            self.pages.append(page)
            if asked and asked != page.url:
                self.pages.append(replace(page, url=asked))

    def is_full(self) -> bool:
        if self.output.is_full():
            return True
        if self.checkpoint_pages and self.page_count >= self.checkpoint_pages:
            return True
        return bool(self.checkpoint_seconds) and time.monotonic() - self.started >= self.checkpoint_seconds

    def commit(self) -> None:
        """Seal the batch (every component's files) and commit it as one."""
        if self.new_doctors:
            self.output.add({"doctors": list(self.new_doctors.values())})
            self.session.doctors.update(self.new_doctors)
            if self.session.state is not None:
                self.doctors.extend(self.new_doctors)
            self.new_doctors = {}
        part = self.part
        others = self.seal_others(part)
        try:
            token = self.output.seal(part, others)
        except BaseException:  # no batch: what the others sealed for it belongs to none (a full disk)
            for tmp, _ in others:
                tmp.unlink(missing_ok=True)
            raise
        self.part += 1
        session = self.session
        if session.state is not None:
            session.state.commit_batch(session.crawl_id, part, token, self.pages, self.doctors, commit=self.publish,
                                       counts=self.counts(), questions=self.questions)
        else:
            self.publish(token)
        session.done.update(page.url for page in self.pages)
        self.pages, self.doctors, self.questions, self.page_count = [], [], [], 0
        self.started = time.monotonic()
        self.count += 1
