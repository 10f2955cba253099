"""`query` reads the data folder only, and says what went wrong in one line."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from pipelines.loader import load
from pipelines.output.latest import update_latest
from pipelines.query import QueryError, run
from tests.latestdata import T0, write_crawl


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    write_crawl(root, "a", T0, {"questions": ["q1", "q2"], "answers": ["q1.a"], "doctors": ["dr-1"]})
    update_latest(root)
    return root


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1) TO '{root}/out.csv'",
    "COPY (SELECT 1) TO '/tmp/doctor-answers-copy-test.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_parquet('{root}/../elsewhere.parquet')",
    "ATTACH '{root}/x.duckdb' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "PRAGMA enable_profiling",
    "CREATE TABLE t AS SELECT 1",
    "DROP VIEW questions",
    "SELECT 1; SELECT 2",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{root}/x.csv'",
])
def test_anything_but_a_read_of_the_data_folder_is_refused(data, sql):
    with pytest.raises(QueryError) as error:
        run(sql.format(root=data), root=data)
    assert "\n" not in str(error.value) and str(error.value)
    assert not (data / "out.csv").exists() and not (data / "x.csv").exists() and not (data / "x.duckdb").exists()
    assert run("SELECT count(*) AS n FROM questions", root=data)["n"][0] == 2


@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT nope FROM questions", "SELECT * FROM nowhere", ""])
def test_invalid_sql_is_a_one_line_query_error(data, sql):
    with pytest.raises(QueryError) as error:
        run(sql, root=data)
    assert "\n" not in str(error.value) and str(error.value)


@pytest.mark.parametrize("name", ["br[1]", "st*r", "q?", "it's"])
def test_a_data_folder_with_glob_characters_is_a_path(tmp_path, name):
    mine = tmp_path / name
    write_crawl(mine, "a", T0, {"questions": ["mine"]})
    for other in ("br1", "star", "stuff-r", "qq", "its"):  # what the name would match as a glob
        write_crawl(tmp_path / other, "b", T0 + timedelta(days=1), {"questions": ["other1", "other2"]})
        update_latest(tmp_path / other)
    for view in ("questions", "questions_all"):
        assert run(f"SELECT question_id FROM {view}", root=mine)["question_id"].tolist() == ["mine"]
    assert load("questions", root=mine)["question_id"].tolist() == ["mine"]
    update_latest(mine)
    assert run("SELECT question_id FROM questions", root=mine)["question_id"].tolist() == ["mine"]
    assert load("questions", root=mine)["question_id"].tolist() == ["mine"]


@pytest.mark.parametrize("content", [b"", b"garbage, not parquet", b"PAR1" + b"\0" * 40])
def test_a_file_that_is_not_parquet_is_skipped_with_a_warning_naming_it(data, caplog, content):
    bad = data / "answers" / "crawl_date=2026-11-24" / "junk.parquet"
    bad.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert run("SELECT count(*) AS n FROM answers_all", root=data)["n"][0] == 1
        assert run("SELECT count(*) AS n FROM answers", root=data)["n"][0] == 1
        assert len(load("answers", root=data, latest=False)) == 1
        assert len(load("answers", root=data)) == 1
    assert any(str(bad) in r.getMessage() and r.getMessage().count("\n") == 0 for r in caplog.records)


@pytest.mark.parametrize("expression, shown", [
    ("chr(27) || '[31mred'", "\\x1b[31mred"), ("'a' || chr(0) || 'b'", "a\\x00b"), ("chr(7)", "\\x07"),
    ("chr(155) || '2J'", "\\x9b2J"), ("chr(8238) || 'abc'", "\\u202eabc"), ("'x' || chr(8233) || 'y'", "x\\u2029y"),
    ("['q' || chr(27) || '[0m']", "\\x1b[0m"), ("{'k': chr(27) || 'c'}", "\\x1bc"),
])
def test_query_prints_control_characters_escaped(data, expression, shown):
    """ESC, NUL, BEL, C1 controls, bidi overrides: from a SQL literal or a value, in a list or
    a struct, they are printed escaped, never raw to the terminal (pandas escapes \\n \\r \\t only)."""
    from pipelines.query import fetch, table_text

    text = table_text(fetch(f"SELECT {expression} AS v, 'caf\u00e9 \U0001f469\u200d\u2695' AS kept", root=data))
    assert shown in text
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7f <= ord(ch) <= 0x9f or ch in "\u202e\u2029" for ch in text)
    assert "caf\u00e9 \U0001f469\u200d\u2695" in text  # a joiner of an emoji is no control: printed as it is


def test_query_escapes_column_names_too(data):
    from pipelines.query import fetch, table_text

    text = table_text(fetch('SELECT 1 AS "a\x1b[2Jb", 2 AS plain', root=data))
    assert "a\\x1b[2Jb" in text and "\x1b" not in text


# ---- what `query` prints: the values themselves --------------------------------------------

def printed(sql: str, root, max_rows: int | None = None) -> list[str]:
    from pipelines.query import fetch, table_text

    return table_text(fetch(sql, root=root, max_rows=max_rows)).splitlines()


@pytest.mark.parametrize("expression, shown", [
    ("1796105764.6149502::DOUBLE", "1796105764.6149502"),     # every digit a float needs to read back
    ("1796105764.626698::DOUBLE", "1796105764.626698"),
    ("0.1::REAL", "0.1"),                                      # a REAL's own shortest form
    ("12345678901234567890::HUGEINT", "12345678901234567890"),  # digit for digit, no float between
    ("-170141183460469231731687303715884105727::HUGEINT", "-170141183460469231731687303715884105727"),
    ("123456789012345.678901::DECIMAL(21,6)", "123456789012345.678901"),
    ("sum(x) FROM (VALUES (200), (80)) t(x) --", "280"),      # an integer sum is an integer
    ("'NaN'::DOUBLE", "nan"),
])
def test_query_prints_numbers_exactly(data, expression, shown):
    lines = printed(f"SELECT {expression}", data)
    assert lines[1].strip() == shown, lines


@pytest.mark.parametrize("expression, shown", [
    ("INTERVAL 1 MONTH", "1 month"),                      # not Python's "30 days, 0:00:00"
    ("INTERVAL 90 MINUTE", "01:30:00"),
    ("'infinity'::DATE", "infinity"), ("'-infinity'::TIMESTAMP", "-infinity"),  # not 9999-12-31
    ("TIMESTAMP '2024-01-01 00:00:00.120'", "2024-01-01 00:00:00.12"),
    ("TIMESTAMPTZ '2024-01-01 10:00:00+00'", "2024-01-01 10:00:00+00"),
    ("TIME '10:00:00.5'", "10:00:00.5"),
    ("'ab'::BLOB", "ab"), ("'\\x00'::BLOB", "'\\\\x00'"),  # not b'ab'; a byte's escape quoted as any backslash is
    ("'0101'::BIT", "0101"),
])
def test_query_prints_dates_intervals_and_bytes_as_duckdb_does(data, expression, shown):
    lines = printed(f"SELECT 1 AS n, {expression} AS v, 2 AS v -- a comment\n;", data)
    assert lines[0].split() == ["n", "v", "v"]  # names kept, one name twice included
    assert lines[1].split(None, 1)[1].rsplit(None, 1)[0].strip() == shown, lines


@pytest.mark.parametrize("end", [";", "; -- a comment", "; /* a comment */", ";;", "\n-- a comment", " /* x */ ; ; -- y"])
def test_a_column_read_as_text_whatever_ends_the_query(data, end):
    assert [line.strip() for line in printed(f"SELECT DATE '2024-01-02' AS d{end}", data)] == ["d", "2024-01-02"]
    assert printed(f"SELECT DATE '2024-01-02' AS d, '--x;' AS t{end}", data)[1].split() == ["2024-01-02", "--x;"]


def test_a_column_read_as_text_keeps_the_rows_order(data):
    lines = printed("SELECT d FROM (VALUES (DATE '2024-01-02'), (NULL), (DATE '2024-01-03')) t(d) "
                    "ORDER BY d DESC NULLS LAST", data)
    assert [line.strip() for line in lines[1:]] == ["2024-01-03", "2024-01-02", "NULL"]


def test_two_different_values_never_print_the_same(data):
    lines = printed("SELECT x FROM (VALUES (1796105764.6149502::DOUBLE), (1796105764.626698::DOUBLE),"
                    " (1796105764.6149503::DOUBLE)) t(x)", data)
    assert len({line.strip() for line in lines[1:]}) == 3, lines


@pytest.mark.parametrize("sql", [
    "SELECT * FROM (VALUES ('NaN'), (NULL)) t(v)",
    "SELECT * FROM (VALUES ('NULL'), (NULL)) t(v)",
    "SELECT * FROM (VALUES (''), (NULL)) t(v)",
    "SELECT * FROM (VALUES ('None'), (NULL)) t(v)",
    "SELECT * FROM (VALUES ('x' || chr(27)), ('x\\x1b')) t(v)",   # a real ESC, and the text of its escape
    "SELECT * FROM (VALUES (['a', NULL]), (['a', 'NULL'])) t(v)",
    "SELECT * FROM (VALUES (' a'), ('a')) t(v)",
    "SELECT * FROM (VALUES ({'k': NULL}), ({'k': 'NULL'})) t(v)",
])
def test_null_and_every_text_print_distinctly(data, sql):
    lines = printed(sql, data)
    assert lines[1].rstrip() != lines[2].rstrip(), lines


@pytest.mark.parametrize("kind", ["VARCHAR", "INTEGER", "DOUBLE", "DATE", "TIMESTAMP", "INTEGER[]", "DECIMAL(10,2)"])
def test_null_prints_as_null_whatever_its_type(data, kind):
    assert printed(f"SELECT NULL::{kind} AS v", data)[1].strip() == "NULL"
    assert printed(f"SELECT [NULL::{kind}] AS v", data)[1].strip() == "[NULL]"


@pytest.mark.parametrize("total, max_rows", [(10, 3), (4, 3), (51, 50), (7, 1)])
def test_rows_cut_at_max_rows_are_said(data, total, max_rows):
    lines = printed(f"SELECT range AS n FROM range({total})", data, max_rows)
    assert [line.strip() for line in lines[1:-1]] == [str(n) for n in range(max_rows)]  # the first rows, all of them
    assert f"{max_rows:,} of {total:,} rows" in lines[-1] and "--max-rows" in lines[-1]


@pytest.mark.parametrize("total, max_rows", [(3, 3), (2, 50), (1, None)])
def test_every_row_that_fits_is_printed_and_nothing_more(data, total, max_rows):
    lines = printed(f"SELECT range AS n FROM range({total})", data, max_rows)
    assert [line.strip() for line in lines[1:]] == [str(n) for n in range(total)]


def test_an_empty_result_says_so_under_its_columns(data):
    assert [line.split() for line in printed("SELECT 1 AS a, 2 AS b WHERE false", data)] == [["a", "b"], ["(no", "rows)"]]
