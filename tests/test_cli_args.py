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


@pytest.mark.parametrize("args", [
    ["crawl", ""],
    ["crawl", "http://[::1/"],  # urllib cannot parse it
    ["crawl", "127.0.0.1:8000/question/x"],  # no scheme
    ["crawl", "http://127.0.0.1:1/", "--max-pages", "abc"],
    ["crawl", "http://127.0.0.1:1/", "--out"],
    ["crawl", "http://127.0.0.1:1/", "-s", "no-equals-sign"],
    ["crawl"],
])
def test_more_bad_crawl_arguments_exit_2_with_one_error_line(args):
    result = doctor_answers(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0] == result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [
    ["crawl", "http://127.0.0.1:1/", "--out", "{file}"],
    ["crawl", "http://127.0.0.1:1/", "--state", "{file}"],
    ["demo", "--out", "{file}"],
    ["query", "SELECT 1", "--data", "{file}"],
])
def test_every_folder_argument_that_is_a_file(tmp_path, args):
    file = tmp_path / "out"
    file.write_text("I am a file")
    result = doctor_answers(*(a.format(file=file) for a in args))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "is a file" in errors[0]
    assert file.read_text() == "I am a file"  # untouched
