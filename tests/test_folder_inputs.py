"""What `extract` and `reparse` take from a folder (crawler.inputs): one rule for both, names in
any case, and every entry not taken that may be a page or an archive named on stderr, its name
escaped as every untrusted text is."""
from __future__ import annotations

import io
import os
import shutil
from collections import Counter

from crawler.extract import extract_paths
from crawler.inputs import PAGES as PAGES_KIND, files_in
from tests.test_pages_samples import PAGES, SLUG
from tests.test_reparse_other_tools import Theirs, pages, run

PAGE = PAGES / f"{SLUG}.legacy.html"
BLOCKED = PAGES / "blocked.html"


def extract(*paths) -> tuple[int, int, list[str]]:
    """(exit status, questions printed, stderr lines)."""
    out, err = io.BytesIO(), io.StringIO()
    status = extract_paths(paths, out=out, err=err)
    return status, out.getvalue().count(b'"type":"question"'), err.getvalue().splitlines()


def test_a_folders_saved_pages_are_read_whatever_their_names_case(tmp_path):
    for name in ("a.html", "b.htm", "c.HTML", "d.xhtml", "e.Htm"):
        shutil.copy(PAGE, tmp_path / name)
    assert extract(tmp_path) == (0, 5, [])


def test_entries_of_a_folder_not_read_are_each_named_and_an_error(tmp_path):
    shutil.copy(PAGE, tmp_path / "a.html")
    (tmp_path / "b.html.gz").write_bytes(b"\x1f\x8b")  # a page gzipped: not read, said
    (tmp_path / "c.warc.zst").write_bytes(b"")  # an archive in zstd: not read, said
    (tmp_path / "d.html").symlink_to(tmp_path / "unmounted" / "d.html")
    (tmp_path / "loop.html").symlink_to(tmp_path / "loop.html")
    os.mkfifo(tmp_path / "f.html")
    (tmp_path / "notes.txt").write_text("mine")  # no page, no archive: not ours to name
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.png").write_bytes(b"")
    (tmp_path / ".partial.html").symlink_to(tmp_path / "nowhere")  # hidden: a writer's temporary
    status, questions, lines = extract(tmp_path)
    assert (status, questions) == (1, 1), lines
    named = {name: [line for line in lines if f"/{name}: passed over" in line]
             for name in ("b.html.gz", "c.warc.zst", "d.html", "loop.html", "f.html")}
    assert all(len(found) == 1 for found in named.values()), lines
    assert len(lines) == 5 and not any("notes.txt" in line or "partial" in line for line in lines), lines


def test_many_entries_of_one_kind_are_named_a_few_then_counted(tmp_path):
    shutil.copy(PAGE, tmp_path / "a.html")
    for n in range(8):
        (tmp_path / f"gone{n}.html").symlink_to(tmp_path / "nowhere")
    status, _, lines = extract(tmp_path)
    assert status == 1 and len(lines) == 6, lines
    assert lines[-1].endswith("3 more entries passed over (a symbolic link to nothing (a disk not mounted, "
                              "a file moved?))"), lines


def _archives(folder):
    questions = pages(4)
    for name, part in (("a.warc.gz", questions[:2]), ("B.WARC.GZ", questions[2:])):
        theirs = Theirs(folder / name)
        for url, body in part:
            theirs.response(url, body)
        theirs.close()


def test_a_reparse_of_a_folder_with_an_archive_it_cannot_read_says_so_and_is_degraded(tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    _archives(folder)
    (folder / "c.warc.gz").symlink_to(tmp_path / "unmounted" / "c.warc.gz")
    (folder / "d.warc.zst").write_bytes(b"")
    (folder / "e.html").write_bytes(b"")  # no archive: reparse reads none of these, not its to name
    result, row, said = run([folder], tmp_path / "out")
    assert row["questions"] == 4 and row["status"] == "degraded", said
    assert result.stats["archive/damaged"] == 2
    assert "c.warc.gz: passed over (a symbolic link to nothing" in said and "d.warc.zst: passed over" in said
    assert "e.html" not in said


def test_an_archive_named_in_capitals_is_one_given_alone_or_in_a_folder(tmp_path):
    _archives(tmp_path)
    assert extract(tmp_path / "B.WARC.GZ")[:2] == (0, 2)
    assert extract(tmp_path)[:2] == (0, 4)


def test_file_names_are_shown_escaped_one_line_each(tmp_path):
    names = ["bad\nname.html", "esc\x1b[31mred.html", os.fsdecode(b"caf\xe9.html"), "rtl\u202e.html"]
    for name in names:
        shutil.copy(BLOCKED, tmp_path / name)
    (tmp_path / "x\ny.warc.zst").write_bytes(b"")
    status, _, lines = extract(tmp_path)
    assert status == 1 and len(lines) == 5, lines
    assert all(line.isprintable() for line in lines), lines
    text = "\n".join(lines)
    for shown in ("bad\\nname.html", "esc\\x1b[31mred.html", "caf\\xe9.html", "rtl\\u202e.html", "x\\ny.warc.zst"):
        assert shown in text, lines


def test_an_archives_name_is_shown_escaped_in_a_reparses_lines(tmp_path):
    (tmp_path / "cut\x1b\n.warc.gz").write_bytes(b"")  # a copy cut to nothing: damage, named
    _archives(tmp_path)
    _, _, said = run([tmp_path], tmp_path / "out")
    assert "cut\\x1b\\n.warc.gz" in said and "\x1b" not in said, said


def test_each_entry_of_a_folder_is_stat_ed_once(tmp_path, monkeypatch):
    for name in ("a.html", "b.html"):
        shutil.copy(PAGE, tmp_path / name)
    stats, real = Counter(), os.stat

    def counting(path, *args, **kwargs):
        stats[os.fspath(path)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting)
    files, errors, said = files_in([tmp_path], (PAGES_KIND,))
    assert files == [tmp_path / "a.html", tmp_path / "b.html"] and not errors and not said
    assert {name: stats[str(tmp_path / name)] for name in ("a.html", "b.html")} == {"a.html": 1, "b.html": 1}
