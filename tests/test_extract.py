"""`doctor-answers extract` via subprocess."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.extract import extract_paths
from tests.test_pages_samples import PAGES, SLUG, expected

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    # The interpreter running the tests has the project installed: no assumption about a venv.
    cmd = [sys.executable, "-m", "crawler.cli", "extract", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)


def good_folder(tmp_path):
    d = tmp_path / "good"
    d.mkdir()
    for fam in ("legacy", "provider-card", "nextjs"):
        shutil.copy(PAGES / f"{SLUG}.{fam}.html", d / f"{SLUG}.{fam}.html")
    return d


def test_good_folder(tmp_path):
    d = good_folder(tmp_path)
    p = run(d)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    assert recs == expected() * 3


def test_each_file_once_and_nothing_from_hidden_folders(tmp_path):
    d = good_folder(tmp_path)
    (d / ".versions").mkdir()  # an editor's or a writer's: not the user's pages
    shutil.copy(PAGES / f"{SLUG}.legacy.html", d / ".versions" / "old.html")
    (d / "again.html").symlink_to(d / f"{SLUG}.legacy.html")  # one page, two names
    os.link(d / f"{SLUG}.provider-card.html", d / "linked.html")  # and a hard link (`cp -l` backups)
    p = run(d, d / f"{SLUG}.nextjs.html")
    assert p.returncode == 0, p.stderr
    assert [json.loads(l) for l in p.stdout.splitlines()] == expected() * 3


def test_single_file_with_url(tmp_path):
    p = run(PAGES / f"{SLUG}.nextjs.html", "--url", "http://h/question/" + SLUG)
    assert p.returncode == 0, p.stderr
    assert [json.loads(l) for l in p.stdout.splitlines()] == expected()


QUESTION_URL = f"https://www.realself.com/question/{SLUG}"
_SAVED = re.sub(r'<link rel="canonical"[^>]*>', "", (PAGES / f"{SLUG}.legacy.html").read_text())  # no canonical link


@pytest.mark.parametrize("html, url", [
    # a browser's comment: where the page was saved from, its URL fetched
    (_SAVED.replace("<!DOCTYPE html>", f"<!DOCTYPE html>\n<!-- saved from url=(0086){QUESTION_URL} -->"), QUESTION_URL),
    (f"<!-- saved from url=(0086){QUESTION_URL} -->\n" + _SAVED, QUESTION_URL),
    # the site named by a <base href>, or by the absolute links the page prints: not the question's URL
    (_SAVED.replace("<head>", '<head><base href="https://www.realself.com/question/x">'), "file"),
    (_SAVED.replace('href="/dr/', 'href="https://www.realself.com/dr/'), "file"),
], ids=["saved-from", "saved-from-first", "base", "absolute-links"])
def test_a_saved_page_without_its_canonical_link_has_the_urls_of_the_site_it_names(tmp_path, html, url):
    """Without --url or a canonical link, a saved page's records hold URLs of the site the page
    names, never file: URLs rebuilt on the file's (file:///dr/SLUG names nothing); its question's
    url is the file's ("file") where the page names no URL of its own."""
    f = tmp_path / "x.html"
    f.write_text(html)
    out, err = io.BytesIO(), io.StringIO()
    assert extract_paths([f], out=out, err=err) == 0, err.getvalue()
    records = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert records[0]["url"] == (f.resolve().as_uri() if url == "file" else url)
    doctors = [r for r in records if r["type"] == "doctor"]
    assert doctors and all(d["profile_url"] == f"https://www.realself.com/dr/{d['doctor_id']}" for d in doctors)


def test_a_saved_page_that_names_no_site_has_its_files_url_and_no_profile_urls(tmp_path):
    f = tmp_path / "x.html"
    f.write_text(_SAVED)
    p = run(f)
    assert p.returncode == 0, p.stderr
    records = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r.get("url") for r in records if r["type"] == "question"] == [f.resolve().as_uri()]
    assert [r for r in records if r["type"] == "doctor"]
    assert all(r["profile_url"] is None for r in records if r["type"] == "doctor")


def test_mixed_folder(tmp_path):
    d = good_folder(tmp_path)
    shutil.copy(PAGES / "blocked.html", d / "blocked.html")
    html = (PAGES / f"{SLUG}.provider-card.html").read_text()
    (d / "cut.html").write_text(html[: len(html) // 2])
    (d / "noise.html").write_bytes(bytes(range(256)) * 8)
    p = run(d)
    assert p.returncode == 1
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    assert recs == expected() * 3
    err = p.stderr.splitlines()
    assert len(err) == 3, p.stderr
    assert any(l.startswith("doctor-answers extract: error: ") and "blocked.html" in l and "blocked page" in l for l in err)
    assert any("cut.html" in l and "truncated" in l for l in err)
    assert any("noise.html" in l for l in err)
    assert "Traceback" not in p.stderr


def test_a_page_that_shows_no_question_is_refused_as_a_bad_page(tmp_path):
    """A "This question has been removed" page in the question's template (its id, a title,
    nothing else) prints no question record: an error line, as any bad page; the others print."""
    from tests.test_no_question_pages import showing

    d = good_folder(tmp_path)
    for family in ("legacy", "provider-card", "nextjs"):
        html = (PAGES / f"{SLUG}.{family}.html").read_text()
        (d / f"removed.{family}.html").write_text(showing(html).replace("Knot and Redness After Botox Injection",
                                                                          "This question has been removed"))
    p = run(d)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert [json.loads(line) for line in p.stdout.splitlines()] == expected() * 3
    err = p.stderr.splitlines()
    assert len(err) == 3, p.stderr
    for family in ("legacy", "provider-card", "nextjs"):
        assert any(line.startswith("doctor-answers extract: error: ") and f"removed.{family}.html" in line
                   and "no question on the page: no topic, no date and no answer" in line for line in err), p.stderr


def test_a_page_whose_records_cannot_be_written_is_an_error_of_its_own(tmp_path):
    """A url with half a surrogate pair (an --url of bytes that are not UTF-8, the URL of a
    page without a canonical link) has no UTF-8: that page is an error line, the pages after
    it are printed. (A doctor's key never has one: a profile link holding one is no URL.)"""
    d = tmp_path / "pages"
    d.mkdir()
    html = (PAGES / f"{SLUG}.nextjs.html").read_text()
    (d / "a.html").write_text(re.sub(r'<link rel="canonical"[^>]*>', "", html))
    shutil.copy(PAGES / f"{SLUG}.legacy.html", d / "b.html")
    out, err = io.BytesIO(), io.StringIO()  # in-process: the command takes --url for one file only
    status = extract_paths([d], url=f"http://127.0.0.1/question/{SLUG}\udcff", out=out, err=err)
    assert status == 1 and "Traceback" not in err.getvalue()
    assert err.getvalue().startswith("doctor-answers extract: error: ") and "a.html" in err.getvalue()
    assert len(err.getvalue().splitlines()) == 1
    assert [json.loads(line) for line in out.getvalue().decode().splitlines()] == expected()


def test_one_url_is_for_one_saved_page(tmp_path):
    """Given to a folder's pages, one --url made different questions share it."""
    p = run(PAGES, "--url", f"http://127.0.0.1/question/{SLUG}")
    assert p.returncode == 2 and "argument --url: the URL of one saved page" in p.stderr and not p.stdout


def test_missing_path(tmp_path):
    p = run(tmp_path / "nope.html")
    assert p.returncode == 1
    assert "nope.html" in p.stderr and "Traceback" not in p.stderr


def test_a_path_that_is_no_regular_file_is_named_so(tmp_path):
    """A pipe (a FIFO, /dev/stdin) is there, but is no file to read: it is said so, not missing."""
    import os

    fifo = tmp_path / "pages.html"
    os.mkfifo(fifo)
    p = run(fifo)
    assert p.returncode == 1
    assert "not a regular file" in p.stderr and "no such" not in p.stderr and "Traceback" not in p.stderr


def test_a_saved_page_past_the_crawls_size_bound_is_named_and_not_read(tmp_path):
    """A page past DOWNLOAD_MAXSIZE (a crawl never reads one; reading it takes some sixty
    times its size in memory): one line naming the file and the bound, the others printed,
    exit status 1. A page of the bound's size exactly is read."""
    from crawler.settings import DOWNLOAD_MAXSIZE

    d = good_folder(tmp_path)
    html = (PAGES / f"{SLUG}.legacy.html").read_bytes()
    padding = b"\n<!-- " + b"x" * (DOWNLOAD_MAXSIZE - len(html) - 11) + b" -->\n"  # inside <html>: still whole
    at_bound = html.replace(b"</body>", padding + b"</body>", 1)
    assert len(at_bound) == DOWNLOAD_MAXSIZE
    (d / "at_bound.html").write_bytes(at_bound)
    (d / "big.html").write_bytes(at_bound.replace(b"</body>", b" </body>", 1))
    p = run(d)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert [json.loads(line) for line in p.stdout.splitlines()] == expected() * 4
    assert p.stderr.splitlines() == [f"doctor-answers extract: error: {d / 'big.html'}: not read: larger than "
                                     f"DOWNLOAD_MAXSIZE ({DOWNLOAD_MAXSIZE} bytes), the most a crawl reads of a page"]
