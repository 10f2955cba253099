"""Bad arguments: a one-line error and exit status 2, no traceback."""
import subprocess
import sys

import pytest


def doctor_answers(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize("args", [
    ["crawl", "not a url"],
    ["crawl", "ftp://example.com/"],
    ["crawl", "http://127.0.0.1:1/", "--bogus"],
    ["crawl", "http://127.0.0.1:1/", "--max-pages", "0"],
    ["frobnicate"],
])
def test_bad_arguments_exit_2_with_one_line(args):
    result = doctor_answers(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("doctor-answers")


def test_an_output_path_that_is_a_file(tmp_path):
    (tmp_path / "out").write_text("I am a file")
    result = doctor_answers("crawl", "http://127.0.0.1:1/", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "is a file" in result.stderr and "Traceback" not in result.stderr
