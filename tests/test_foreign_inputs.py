"""Files `extract` and `reparse` do not read, or read under another name, named as what they
are: a content coding's body that does not decode is an undecodable body whatever the coding,
an archive is one by its name in any case, and a container the tools do not read (MHTML, a
compressed file) is "not supported", never damage, truncation or "no HTML document"."""
from __future__ import annotations

import builtins
import gzip
import io
import os
import quopri
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.extract import extract_paths
from crawler.middlewares.compression import UndecodableBody, decode_body
from tests.test_pages_samples import PAGES, SLUG

ROOT = Path(__file__).resolve().parents[1]
BODY = (PAGES / f"{SLUG}.legacy.html").read_bytes()


def _warc(path: Path, coding: str | None = None) -> Path:
    headers = [("Content-Type", "text/html; charset=utf-8")] + ([("Content-Encoding", coding)] if coding else [])
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        w.write_record(w.create_warc_record(
            f"http://127.0.0.1:9/question/{SLUG}", "response", payload=io.BytesIO(BODY), length=len(BODY),
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2026-11-01T12:00:00Z"}))
    return path


def _extract(*paths) -> tuple[int, str, list[bytes]]:
    out, err = io.BytesIO(), io.StringIO()
    status = extract_paths(list(paths), out=out, err=err)
    return status, err.getvalue(), out.getvalue().splitlines()


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_plain_body_under_any_content_coding_is_undecodable_not_damage(tmp_path, coding):
    with pytest.raises(UndecodableBody):
        decode_body(BODY, [coding.encode()])
    status, err, printed = _extract(_warc(tmp_path / "a.warc.gz", coding))
    assert status == 1 and not printed
    assert "undecodable body" in err and "damaged" not in err, err


def test_an_archive_is_one_by_its_name_in_any_case(tmp_path):
    status, err, printed = _extract(_warc(tmp_path / "X.WARC.GZ"))
    assert status == 0 and printed, err


def _mhtml() -> bytes:
    return (b'From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nSubject: x\r\n'
            b'Content-Type: multipart/related;\r\n\ttype="text/html"; boundary="B"\r\n\r\n'
            b'--B\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
            + quopri.encodestring(BODY) + b'\r\n--B--\r\n')


@pytest.mark.parametrize("name, data, named", [
    ("page.html", _mhtml(), "not supported: a saved MHTML archive"),
    ("page.mhtml", _mhtml(), "not supported: a saved MHTML archive"),
    ("page.html.gz", gzip.compress(BODY), "not supported: a gzip-compressed file"),
    ("page.html", b"\x28\xb5\x2f\xfd" + bytes(64), "not supported: a zstd-compressed file"),
])
def test_a_saved_page_in_a_container_not_read_is_named_so(tmp_path, name, data, named):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.html").write_bytes(BODY)
    status, err, printed = _extract(tmp_path / name, tmp_path / "good.html")
    assert status == 1 and printed, err  # the good page still printed
    [line] = err.splitlines()
    assert line.startswith(f"doctor-answers extract: error: {tmp_path / name}: {named}"), err


def test_a_zstd_compressed_archive_is_named_so_by_reparse_and_extract(tmp_path):
    archive = tmp_path / "a.warc.zst"
    archive.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(200))
    status, err, _ = _extract(archive)
    assert status == 1 and "not supported: a zstd-compressed archive" in err and "damaged" not in err, err
    p = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", str(archive), "--out", str(tmp_path / "data"),
                        "--processes", "1"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode != 0 and "not supported: a zstd-compressed archive" in p.stderr, p.stderr
    assert "damaged" not in p.stderr and "Traceback" not in p.stderr


def _opens(monkeypatch) -> Counter:
    """{path: times opened} of every `open` from here on (Path.open and read_bytes included)."""
    counted, real = Counter(), builtins.open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            counted[Path(file)] += 1
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting)
    monkeypatch.setattr(io, "open", counting)
    return counted


def test_each_saved_page_is_opened_once_its_container_told_from_the_bytes_read(tmp_path, monkeypatch):
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_bytes(BODY)
    (tmp_path / "c.html").write_bytes(_mhtml())
    opens = _opens(monkeypatch)
    status, err, printed = _extract(tmp_path)
    assert status == 1 and len(printed) > 2 and "c.html: not supported: a saved MHTML archive" in err, err
    assert {name: opens[tmp_path / name] for name in ("a.html", "b.html", "c.html")} == {
        "a.html": 1, "b.html": 1, "c.html": 1}


def test_an_archives_container_and_layout_are_told_from_one_look_at_its_opening(tmp_path, monkeypatch):
    archive = _warc(tmp_path / "a.warc.gz")
    opens = _opens(monkeypatch)
    status, err, printed = _extract(archive)
    assert status == 0 and printed, err
    assert opens[archive] == 2  # one look at how it opens (container, gzip layout), one read of its records
