"""A crawl's batches: a doctor's row comes from the page fetched first, whatever order the
pages finish extraction in (several workers), as the reparse of the crawl's archive picks it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from pipelines.output.batches import Batches


class Output:
    def __init__(self):
        self.rows, self.committed = {}, []

    def add(self, rows):
        for name, batch in rows.items():
            self.rows.setdefault(name, []).extend(batch)

    def is_full(self):
        return False

    def seal(self, part, extra):
        return f"token-{part}"

    def commit(self, token):
        self.committed.append(token)


def page(at: datetime, rating: float) -> dict:
    row = {"site": "h", "fetched_at": at, "crawl_id": "c"}
    return {"questions": [dict(row, question_id=str(at.second))],
            "doctors": [dict(row, doctor_id="ann-lee", rating=rating)]}


def test_a_doctor_is_written_from_the_page_fetched_first_not_the_one_read_first(monkeypatch):
    monkeypatch.setattr("pipelines.output.batches.check_page", lambda rows: None)
    output, session = Output(), SimpleNamespace(state=None, next_part=0, doctors=set(), done=set())
    batches = Batches(output, session, checkpoint_pages=0, checkpoint_seconds=0, seal_others=lambda part: [])
    early = datetime(2026, 1, 1, tzinfo=timezone.utc)
    batches.add_page(page(early + timedelta(seconds=2), 4.0), None)  # finished extraction first
    batches.add_page(page(early + timedelta(seconds=1), 3.5), None)  # fetched first
    batches.commit()
    assert [r["rating"] for r in output.rows["doctors"]] == [3.5] and len(output.rows["questions"]) == 2
    batches.add_page(page(early, 5.0), None)  # a later batch: written once per crawl
    batches.commit()
    assert len(output.rows["doctors"]) == 1 and output.committed == ["token-0", "token-1"]
