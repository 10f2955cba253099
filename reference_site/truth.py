"""The expected records of a question page, computed from the content model (never parsed back
from the HTML), so they are an independent oracle for the project's parsers."""
from __future__ import annotations

from .families import QuestionView
from .text import plain, plain_line

BASE = "https://www.realself.com"
DOCTOR_KEYS = ("doctor_id", "profile_url", "name_raw", "title_line", "display_name", "given_name", "middle_name",
               "family_name", "suffix", "credentials", "city", "state", "specialty", "rating", "review_count")


def records(v: QuestionView, layout: str, contacts: list[bool]) -> list[dict]:
    qid = str(v.qid)
    out = [{"type": "question", "question_id": qid, "url": f"{BASE}/question/{v.slug}", "title": plain_line(v.title),
            "body": plain(v.paras), "topic": plain_line(v.topic_name), "asked_on": v.asked.isoformat(),
            "asker_location": v.location, "answer_count": len(v.answers), "layout": layout}]
    doctors = {}
    for pos, (a, contact) in enumerate(zip(v.answers, contacts), 1):
        doc = a.doctor
        out.append({"type": "answer", "answer_id": str(a.aid), "question_id": qid, "position": pos,
                    "title": plain_line(a.title), "body": plain(a.paras), "vote_count": a.votes,
                    "answered_on": a.day.isoformat(), "doctor_id": doc.slug if doc else None,
                    "has_contact_info": contact})
        if doc is not None and doc.slug not in doctors:
            doctors[doc.slug] = doctor_record(doc)
    return out + list(doctors.values())


def doctor_record(doc) -> dict:
    named = doc.show_name
    rating = doc.rating if doc.rating is not None and 1.0 <= doc.rating <= 5.0 else None
    return {"type": "doctor", "doctor_id": doc.slug, "profile_url": f"{BASE}/dr/{doc.slug}",
            "name_raw": doc.name_raw, "title_line": doc.title_line,
            "display_name": doc.display_name if named else None, "given_name": doc.given if named else None,
            "middle_name": doc.middle if named else None, "family_name": doc.family if named else None,
            "suffix": doc.suffix if named else None, "credentials": list(doc.credentials) if named else [],
            "city": doc.city, "state": doc.state.upper(), "specialty": doc.specialty,
            "rating": rating, "review_count": doc.reviews}
