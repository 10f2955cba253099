"""The HTML report: self-contained, true to the crawls row, and whole in a real browser."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.report import ReportError, render_report, write_report
from pipelines.report.sections import COUNTS, _checks
from pipelines.schemas import CRAWLS, SCHEMAS
from tests.crawling import crawl, crawl_rows

CHROMIUM = "/usr/bin/chromium"
# Chromium with no way out: no network services of its own, a dead proxy for anything else.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--proxy-server=127.0.0.1:9"]
# Where the screenshot for the README goes when asked: REPORT_SCREENSHOT=docs/report.png pytest ...
SCREENSHOT_ENV = "REPORT_SCREENSHOT"
MAX_BYTES = 5 * 1024 * 1024


def report_command(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "report", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def assert_self_contained(html: str) -> None:
    """Nothing in the page points outside it: no remote or relative src/href, no CSS import or url()."""
    local = r"""(?:"(?!#|data:)|'(?!#|data:)|(?!["'#]|data:))"""  # a quoted or bare value that is not #id or data:
    assert not re.search(r"\b(?:src|href|action|poster|srcset)\s*=\s*" + local, html, re.I)
    assert not re.search(r"url\(\s*" + local, html, re.I)
    assert "@import" not in html
    assert not re.search(r"<(?:link|iframe|object|embed|img)\b", html, re.I)
    assert len(html.encode()) < MAX_BYTES


def test_report_of_a_crawl_is_self_contained_and_shows_its_row(reference_site, tmp_path):
    site = reference_site(questions=60)
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, "--report")
    assert result.returncode == 0, result.stderr[-3000:]
    (row,) = crawl_rows(out)
    html = (out / "report.html").read_text()  # written by the crawl itself
    assert_self_contained(html)
    shown = {m[1]: m[2] for m in re.finditer(r'data-field="([a-z_0-9]+)" data-value="([^"]*)"', html)}
    assert shown == {name: str(row[name]) for name, _ in COUNTS}
    assert f'data-field="status">{row["status"]}<' in html
    assert row["crawl_id"] in html
    assert html.count("<svg") >= 14
    # The command writes the same report wherever asked.
    made = report_command("--data", out, "--out", tmp_path / "again.html")
    assert made.returncode == 0 and made.stdout.strip() == str(tmp_path / "again.html"), made.stderr
    assert_self_contained((tmp_path / "again.html").read_text())


def write_crawl_row(root: Path, crawl_date: str, row: dict) -> None:
    """A `crawls` row as a crawl writes it (columns the row lacks are null)."""
    folder = root / "crawls" / f"crawl_date={crawl_date}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([row], schema=CRAWLS), folder / f"{row['crawl_id']}.parquet")


def failed_crawl(root: Path, crawl_id: str = "20261124T031700Z-0badc0de", minutes: int = 0) -> dict:
    started = datetime(2026, 11, 24, 3, 17, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    row = {"crawl_id": crawl_id, "spider": "questions", "started_at": started, "finished_at": started,
           "status": "failed", "start_urls": ["http://127.0.0.1:9/"], "pages_fetched": 0, "pages_failed": 3,
           "pages_blocked": 0, "questions": 0, "answers": 0, "doctors": 0, "project_version": "0.1.0",
           "message": "every start URL failed: connection refused"}
    write_crawl_row(root, started.date().isoformat(), row)
    return row


def test_a_folder_with_one_failed_crawl_and_no_rows(tmp_path):
    row = failed_crawl(tmp_path)
    made = report_command("--data", tmp_path)
    assert made.returncode == 0, made.stderr
    html = (tmp_path / "report.html").read_text()
    assert_self_contained(html)
    assert 'data-field="status">failed<' in html
    assert row["message"] in html
    assert 'data-field="pages_failed" data-value="3"' in html
    assert "no rows yet" in html and "not recorded" in html


def test_a_crawl_that_ended_before_it_started_shows_no_negative_time(tmp_path):
    """A clock set back between a crawl's runs: its row ends before it starts. The report says
    so where it names the crawl, and its history shows no figure rather than a negative one."""
    row = failed_crawl(tmp_path)
    row.update(finished_at=row["started_at"] - timedelta(days=5))
    write_crawl_row(tmp_path, row["started_at"].date().isoformat(), row)
    made = report_command("--data", tmp_path)
    assert made.returncode == 0, made.stderr
    html = (tmp_path / "report.html").read_text()
    assert "a clock set back between its runs" in html and "start to end (s)" in html
    assert "-432" not in html and "-4.32" not in html


def test_crawl_report_after_a_crawl_that_got_nothing(tmp_path):
    """Nothing listens on the start URL: whatever status the crawl ends with, its report says it."""
    out = tmp_path / "data"
    crawl("http://127.0.0.1:9/", "--out", out, "--report", "-s", "RETRY_TIMES=0")
    (row,) = crawl_rows(out)
    html = (out / "report.html").read_text()
    assert_self_contained(html)
    assert f'data-field="status">{row["status"]}<' in html and "no rows yet" in html


def test_a_missing_or_empty_folder_or_unknown_crawl_is_one_line_and_its_status(tmp_path):
    """A --data that is no data folder is a bad argument (2), as it is to query (README's exit
    status table); a data folder with nothing to report is a report that cannot be made (1)."""
    failed_crawl(tmp_path / "other")
    for args, status in ((["--data", tmp_path / "nothing"], 2), (["--data", tmp_path / "other" / "crawls"], 2),
                         (["--data", tmp_path / "other" / "crawls", "--out", tmp_path / "r.html"], 2),
                         (["--data", tmp_path], 1)):
        made = report_command(*args)
        assert made.returncode == status and made.stdout == "", (args, made.returncode, made.stderr)
        assert len(made.stderr.strip().splitlines()) == 1 and "Traceback" not in made.stderr
        query = subprocess.run([sys.executable, "-m", "crawler.cli", "query", "SELECT 1", *map(str, args[:2])],
                               capture_output=True, text=True, timeout=60)
        assert query.returncode == status or status == 1, query.stderr  # the same argument, the same status
    failed_crawl(tmp_path)
    made = report_command("--data", tmp_path, "--crawl", "no-such-crawl")
    assert made.returncode == 1 and len(made.stderr.strip().splitlines()) == 1
    assert "no-such-crawl" in made.stderr and "0badc0de" in made.stderr
    assert not (tmp_path / "report.html").exists()


def test_older_files_without_newer_columns_are_read(tmp_path):
    """A crawls row and a questions file written before columns such as `site` and the counts of
    later versions: the report reads what is there and marks what is not."""
    started = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)
    old_crawls = pa.table({"crawl_id": ["old-1"], "spider": ["questions"], "started_at": pa.array([started], pa.timestamp("us", tz="UTC")),
                           "status": ["finished"], "questions": pa.array([2], pa.int64())})
    (tmp_path / "crawls" / "crawl_date=2026-01-05").mkdir(parents=True)
    pq.write_table(old_crawls, tmp_path / "crawls" / "crawl_date=2026-01-05" / "old-1.parquet")
    questions = pa.table({"question_id": ["q1", "q2"], "url": ["http://a/q1", "http://a/q2"], "title": ["t", None],
                          "layout": ["legacy", "legacy"], "crawl_id": ["old-1", "old-1"],
                          "fetched_at": pa.array([started, started], pa.timestamp("us", tz="UTC"))})
    (tmp_path / "questions" / "crawl_date=2026-01-05").mkdir(parents=True)
    pq.write_table(questions, tmp_path / "questions" / "crawl_date=2026-01-05" / "old-1-00000.parquet")
    failed_crawl(tmp_path, minutes=60 * 24 * 400)  # a newer crawl, failed, after the old one
    html = render_report(tmp_path, crawl_id="old-1")
    assert_self_contained(html)
    assert 'data-field="questions" data-value="2"' in html
    assert "not in files" in html  # `site` and the other later columns of the old file
    assert "50.0%" in html  # title: one of two questions


def test_recorded_checks_are_shown_with_their_figures():
    row = pd.Series({"checks": [{"name": "answers_per_question", "value": 0.4, "threshold": 1.0, "passed": False},
                                {"name": "malformed_share", "value": 0.0, "threshold": 0.01, "passed": True}]})
    html = _checks(row)
    assert "answers_per_question" in html and "FAILED" in html and "1 failed" in html and "0.4" in html
    assert "not recorded" in _checks(pd.Series({"status": "finished"}))


def test_recorded_coverage_is_used_when_the_row_has_it(tmp_path):
    from pipelines.report.data import DataFolder
    from pipelines.report.sections import the_coverage

    failed_crawl(tmp_path, "20261124T031700Z-00000001")
    failed_crawl(tmp_path, "20261125T031700Z-00000002", minutes=60 * 24)
    folder = DataFolder(tmp_path)
    before, now = folder.crawls.iloc[0].copy(), folder.crawls.iloc[1].copy()
    before["coverage"] = [{"dataset": "doctors", "layout": "nextjs", "field": "rating", "non_null": 0.9, "rows": 100}]
    now["coverage"] = [{"dataset": "doctors", "layout": "nextjs", "field": "rating", "non_null": 0.2, "rows": 90}]
    folder.crawls = pd.DataFrame([before, now]).reset_index(drop=True)
    html = the_coverage(folder, folder.crawls.iloc[1])
    assert "recorded by the crawl" in html
    assert '<tr class="drop"><td>doctors</td><td>nextjs</td><td>rating</td>' in html and "-70.0%" in html


def test_coverage_is_compared_with_the_previous_crawl_of_the_same_sites(tmp_path):
    """A folder of two sites: a crawl of site B is measured against B's previous crawl, never
    against A's newer one (whose fields B's pages may never show), as its checks are."""
    from pipelines.report.data import DataFolder
    from pipelines.report.sections import the_coverage

    b_before = failed_crawl(tmp_path, "20261124T031700Z-0000000b")
    a = failed_crawl(tmp_path, "20261125T031700Z-0000000a", minutes=60 * 24)
    b = failed_crawl(tmp_path, "20261126T031700Z-000000bb", minutes=2 * 60 * 24)
    for row, url in ((b_before, "http://127.0.0.1:9/"), (a, "http://127.0.0.1:8/"), (b, "http://127.0.0.1:9/")):
        write_crawl_row(tmp_path, row["started_at"].date().isoformat(), {**row, "start_urls": [url]})
    folder = DataFolder(tmp_path)
    assert folder.previous(folder.crawl(b["crawl_id"]))["crawl_id"] == b_before["crawl_id"]
    assert folder.previous(folder.crawl(a["crawl_id"])) is None
    assert b_before["crawl_id"] in the_coverage(folder, folder.crawl(b["crawl_id"]))


def reparse_of(root: Path, crawl_id: str, days: int, site: str) -> dict:
    """A committed reparse (its start URL an archive's path, which names no site) that wrote a
    question of `site`."""
    from tests.latestdata import row

    row_ = failed_crawl(root, crawl_id, minutes=60 * 24 * days)
    row_ = {**row_, "spider": "reparse", "status": "finished", "start_urls": [f"/archives/{crawl_id}"]}
    write_crawl_row(root, row_["started_at"].date().isoformat(), row_)
    question = row("questions", "1", crawl_id, row_["started_at"], "q", site=site)
    folder = root / "questions" / f"crawl_date={row_['started_at']:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([question], schema=SCHEMAS["questions"]), folder / f"{crawl_id}-00000.parquet")
    return row_


def test_a_reparse_is_compared_with_the_previous_crawl_of_its_rows_sites(tmp_path):
    """A reparse's start URLs are archive paths, which name no site: its sites are its rows'
    `site`, so another site's reparse is no baseline, and its own site's earlier one is."""
    from pipelines.report.data import DataFolder

    a = reparse_of(tmp_path, "20261124T031700Z-0000000a", 0, "127.0.0.1:27151")
    b = reparse_of(tmp_path, "20261125T031700Z-0000000b", 1, "127.0.0.1:27152")
    a_again = reparse_of(tmp_path, "20261126T031700Z-000000aa", 2, "127.0.0.1:27151")
    folder = DataFolder(tmp_path)
    assert folder.previous(folder.crawl(b["crawl_id"])) is None
    assert folder.previous(folder.crawl(a_again["crawl_id"]))["crawl_id"] == a["crawl_id"]


def test_many_crawls_show_a_coverage_drop(reference_site, tmp_path):
    site = reference_site(questions=40)
    out = tmp_path / "data"
    for _ in range(2):
        assert crawl(site.url, "--out", out).returncode == 0
    # A third crawl, a copy of the second whose doctors lost their specialty: the drop is marked.
    last = sorted(crawl_rows(out), key=lambda r: r["started_at"])[-1]
    # Its row records no coverage of its own (a copy of the second's would describe the second's files).
    later = dict(last, crawl_id="20991231T000000Z-00d40900", started_at=last["started_at"] + timedelta(hours=1),
                 checks=None, coverage=None)
    for dataset in ("questions", "answers", "doctors"):
        for path in (out / dataset).rglob(f"{last['crawl_id']}-*.parquet"):
            table = pq.read_table(path)
            table = table.set_column(table.schema.get_field_index("crawl_id"), "crawl_id",
                                     pa.array([later["crawl_id"]] * table.num_rows))
            if dataset == "doctors":
                table = table.set_column(table.schema.get_field_index("specialty"), "specialty",
                                         pa.nulls(table.num_rows, pa.string()))
            pq.write_table(table, path.with_name(path.name.replace(last["crawl_id"], later["crawl_id"])))
    write_crawl_row(out, later["started_at"].date().isoformat(), later)
    html = render_report(out)
    assert_self_contained(html)
    drops = re.findall(r'<tr class="drop"><td>(\w+)</td><td>([\w*-]+)</td><td>(\w+)</td>', html)
    assert drops and {(dataset, field) for dataset, _, field in drops} == {("doctors", "specialty")}
    assert "20991231T000000Z-00d40900" in html and html.count("<tr><td>20") >= 3  # the history table


def chromium_or_skip() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install -y chromium; .ci/run does)")
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.mark.slow
def test_the_report_of_two_thousand_questions_in_headless_chromium(reference_site, tmp_path):
    executable = chromium_or_skip()
    playwright = pytest.importorskip("playwright.sync_api")
    site = reference_site(questions=2000)
    out = tmp_path / "data"
    result = crawl(site.url, "--out", out, "--report")
    assert result.returncode == 0, result.stderr[-3000:]
    (row,) = crawl_rows(out)
    report = out / "report.html"
    assert report.stat().st_size < MAX_BYTES
    assert_self_contained(report.read_text())

    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            console, requests = [], []
            page.on("console", lambda message: console.append(message) if message.type == "error" else None)
            page.on("pageerror", lambda error: console.append(error))

            def record(route):  # every request is recorded; none but the file itself is let through
                requests.append(route.request.url)
                route.continue_() if route.request.url == report.as_uri() else route.abort()

            page.route("**/*", record)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")

            assert console == []
            assert set(requests) == {report.as_uri()}
            plots = page.evaluate("""() => Array.from(document.querySelectorAll('figure svg')).map(svg => {
                const box = svg.getBoundingClientRect();
                const marks = Array.from(svg.querySelectorAll('path, rect, text, use'))
                    .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 || b.height > 0; });
                return {width: box.width, height: box.height, marks: marks.length};
            })""")
            assert len(plots) >= 14
            for plot in plots:
                assert plot["width"] > 100 and plot["height"] > 50 and plot["marks"] > 5, plot
            assert page.inner_text("#status") == row["status"]
            shown = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.tile [data-field]'))
                .map(e => [e.dataset.field, e.textContent]))""")
            assert shown == {name: f"{row[name]:,}" for name, _ in COUNTS}
            assert page.inner_text("[data-field=crawl_id]") == row["crawl_id"]
            # The tables sort: a click on a header orders the rows by it.
            header = page.locator("table.sortable th", has_text="rows").first
            header.click()
            header.click()
            assert header.get_attribute("aria-sort") == "descending"
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            print(f"screenshot: {tmp_path / 'report.png'}")
            if os.environ.get(SCREENSHOT_ENV):
                readme_screenshot(browser, report, Path(os.environ[SCREENSHOT_ENV]))
        finally:
            browser.close()


def readme_screenshot(browser, report: Path, path: Path) -> None:
    """The whole report at half scale, small enough for the README (< 300 KB)."""
    page = browser.new_page(viewport={"width": 1240, "height": 1000}, device_scale_factor=0.5)
    page.route("**/*", lambda route: route.continue_() if route.request.url == report.as_uri() else route.abort())
    page.goto(report.as_uri(), wait_until="load")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.close()
    assert path.stat().st_size < 300 * 1024


def test_the_report_is_written_only_where_a_report_may_go(tmp_path):
    """--out never replaces a file that is not a report of ours: a dataset's Parquet file, a log,
    a device behind a link. A link to a report is followed: the file it names is rewritten."""
    failed_crawl(tmp_path)
    (row_file,) = (tmp_path / "crawls").rglob("*.parquet")
    before = row_file.read_bytes()
    (tmp_path / "notes.html").write_text("<p>my notes</p>")
    for out in (row_file, tmp_path / "report.txt", tmp_path / "notes.html"):
        made = report_command("--data", tmp_path, "--out", out)
        assert made.returncode == 2 and made.stderr.startswith("doctor-answers report: error: argument --out: ")
        assert len(made.stderr.strip().splitlines()) == 1
    assert row_file.read_bytes() == before and (tmp_path / "notes.html").read_text() == "<p>my notes</p>"
    assert not (tmp_path / "report.txt").exists()
    published = tmp_path / "published.html"
    assert report_command("--data", tmp_path, "--out", published).returncode == 0
    (tmp_path / "link.html").symlink_to(published)
    made = report_command("--data", tmp_path, "--out", tmp_path / "link.html")  # a report already: replaced
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "link.html").is_symlink() and "doctor-answers report" in published.read_text()


@pytest.mark.parametrize("command", ["report", "report --out DIR", "crawl --report", "write_report"])
@pytest.mark.parametrize("there", ["notes", "link to a row"])
def test_the_default_report_file_is_refused_as_one_given_is(tmp_path, command, there):
    """DIR/report.html, the report's default place (`report --data DIR`, `--out DIR`, `crawl
    --report`, the extension's write_report): a file there that is no report, or a link to a
    dataset's file, is refused as `--out DIR/report.html` is, never replaced."""
    failed_crawl(tmp_path)
    (row_file,) = (tmp_path / "crawls").rglob("*.parquet")
    before = row_file.read_bytes()
    default = tmp_path / "report.html"
    if there == "notes":
        default.write_text("<p>my notes</p>")
    else:
        default.symlink_to(row_file)
    if command == "write_report":
        with pytest.raises(ReportError, match="is no report|not an .html file"):
            write_report(tmp_path)
    else:
        if command == "crawl --report":
            args = [sys.executable, "-m", "crawler.cli", "crawl", "http://127.0.0.1:9/", "--out", str(tmp_path),
                    "--report"]
        else:
            args = [sys.executable, "-m", "crawler.cli", "report", "--data", str(tmp_path)]
            args += ["--out", str(tmp_path)] if command.endswith("DIR") else []
        made = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert made.returncode == 2 and len(made.stderr.strip().splitlines()) == 1, made.stderr
        assert made.stderr.startswith(f"doctor-answers {command.split()[0]}: error: argument --")
    assert row_file.read_bytes() == before and len(crawl_rows(tmp_path)) == 1
    assert default.is_symlink() if there != "notes" else default.read_text() == "<p>my notes</p>"


def test_two_sites_questions_of_one_id_are_two_questions_in_the_report():
    from pipelines.report.data import layout_by, site_key

    questions = pd.DataFrame({"site": ["a.test", "b.test"], "question_id": ["7", "7"],
                              "layout": ["legacy", "provider-card"]})
    answers = pd.DataFrame({"site": ["a.test"] * 4 + ["b.test"] * 3, "question_id": ["7"] * 7})
    assert site_key(answers, "question_id").value_counts().to_dict() == {"a.test 7": 4, "b.test 7": 3}
    assert list(layout_by(questions, answers, "question_id")) == ["legacy"] * 4 + ["provider-card"] * 3


def test_responses_by_status_count_every_response_retried_or_blocked():
    """pages_fetched counts what reached the spider; the retried 5xx and the block pages waited
    on never did, so the plot starts from every response received."""
    from pipelines.report.sections import _responses

    row = pd.Series({"pages_fetched": 25, "pages_blocked": 158, "responses_5xx": 0, "responses_429": 0,
                     "pages_not_modified": 0, "responses": 183})
    assert "183 received" in _responses(row)


def test_dates_and_numbers_no_plot_can_draw_are_left_out_of_it_not_a_traceback(tmp_path):
    """Files written before the normaliser refused such values may hold a year-1 date, a
    year-9999 one or an infinite rating: the report is written all the same, those values left
    out of their plots (and said to be), the others drawn."""
    from datetime import date

    started = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)
    failed_crawl(tmp_path)
    (tmp_path / "crawls" / "crawl_date=2026-01-05").mkdir(parents=True)
    pq.write_table(pa.table({"crawl_id": ["old-1"], "spider": ["questions"], "status": ["finished"],
                             "started_at": pa.array([started], pa.timestamp("us", tz="UTC"))}),
                   tmp_path / "crawls" / "crawl_date=2026-01-05" / "old-1.parquet")
    at = pa.array([started] * 3, pa.timestamp("us", tz="UTC"))
    rows = {"questions": {"question_id": ["1", "2", "3"], "layout": ["legacy"] * 3,
                          "asked_on": pa.array([date(1, 1, 1), date(9999, 12, 31), date(2012, 10, 22)], pa.date32())},
            "answers": {"answer_id": ["4", "5", "6"], "question_id": ["1", "2", "3"],
                        "answered_on": pa.array([date(1, 1, 1), date(2012, 10, 23), None], pa.date32())},
            "doctors": {"doctor_id": ["a", "b", "c"], "rating": [float("inf"), 4.5, float("-inf")],
                        "review_count": pa.array([3, None, 2**31 - 1], pa.int32())}}
    for name, columns in rows.items():
        (tmp_path / name / "crawl_date=2026-01-05").mkdir(parents=True)
        pq.write_table(pa.table({**columns, "crawl_id": ["old-1"] * 3, "fetched_at": at}),
                       tmp_path / name / "crawl_date=2026-01-05" / "old-1-00000.parquet")
    made = report_command("--data", tmp_path, "--crawl", "old-1")
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr[-3000:]
    html = (tmp_path / "report.html").read_text()
    assert_self_contained(html)
    assert "3 dates outside 1995-2100 (no date a page can name) left out." in html


def test_a_dataset_gone_from_the_folder_is_said_in_the_report(tmp_path):
    from tests.test_loader import crawl_with_rows

    root = tmp_path / "data"
    crawl_with_rows(root)
    shutil.move(root / "answers", tmp_path / "answers.moved")
    (root / "crawls" / "crawl_date=2026-11-24" / "junk.parquet").write_bytes(b"not parquet")
    html = render_report(root)
    box = re.search(r'<div class="warnings".*?</div>', html, re.S).group()
    assert f"{root / 'answers'}: missing (no such folder)" in box
    assert "junk.parquet" in box
    shutil.move(tmp_path / "answers.moved", root / "answers")
    (root / "crawls" / "crawl_date=2026-11-24" / "junk.parquet").unlink()
    assert 'class="warnings"' not in render_report(root)


@pytest.mark.parametrize("check, value, threshold, shown", [
    ("questions_found", 17_995, 18_000.9, ["17,995", "18,000.9"]),       # counts as counts, never 1.8e+04
    ("questions_found", 20_000, 18_000, ["20,000", "18,000"]),
    ("questions_found", 1_234_567, 1_234_567.04, ["1,234,567", "1,234,567.04"]),
    ("start_urls_failed", 3, 0, ["3", "0"]),
    ("fetch_errors", 0.30434782608695654, 0.3, ["30.4%", "30.0%"]),    # shares as percentages
    ("fetch_errors", 0.30004, 0.3, ["30.004%", "30.000%"]),             # digits until they differ
    ("coverage/doctors.rating/nextjs", 0.899999, 0.9, ["89.9999%", "90.0000%"]),
    ("family_coverage/answers.body/legacy", 0.5, None, ["50.0%", "—"]),
    ("answers_per_question/nextjs", 4.6666, 4.667, ["4.6666", "4.6670"]),
])
def test_check_figures_are_counts_or_shares_and_a_failure_never_reads_equal(check, value, threshold, shown):
    from pipelines.report.sections import check_figures

    cells = check_figures(check, value, threshold)
    assert [c.shown for c in cells] == shown
    passed = threshold is None or value == threshold
    if not passed:
        assert cells[0].shown != cells[1].shown
    html = _checks(pd.Series({"checks": [{"name": check, "value": float(value), "threshold": threshold,
                                          "passed": passed}]}))
    assert "e+0" not in html and all(f">{text}<" in html for text in shown)


def _with_credentials(root: Path, crawl_id: str, credentials: list) -> None:
    """The doctors files of `crawl_id` rewritten with these credentials, row by row."""
    for path in (root / "doctors").rglob(f"{crawl_id}-*.parquet"):
        table = pq.read_table(path)
        column = table.schema.get_field_index("credentials")
        values = pa.array(credentials[: table.num_rows], type=table.schema.field("credentials").type)
        pq.write_table(table.set_column(column, "credentials", values), path)


def test_one_coverage_in_the_map_the_table_and_the_checks(tmp_path):
    """An empty list holds no value, for the checks (pipelines.checks.coverage) and so for the
    map and the table: doctors whose credentials all became [] are a drop, and a crawl counted
    from its files is compared with a recorded one without a change that is no change."""
    from pipelines.checks.coverage import crawl_coverage
    from pipelines.report.data import DataFolder
    from pipelines.report.sections import the_coverage
    from tests.latestdata import T0, commit_crawl, write_crawl

    doctors = [f"dr-{i}" for i in range(40)]  # pages enough for the check to compare (CHECK_COVERAGE_MIN_ROWS)
    questions = [f"q{i}" for i in range(40)]
    for n, (crawl_id, credentials) in enumerate((("20261124T010000Z-0000000a", [["MD"]] * 32 + [[], None] * 4),
                                                 ("20261125T010000Z-0000000b", [["MD"]] * 32 + [[], None] * 4),
                                                 ("20261126T010000Z-0000000c", [[]] * 40))):
        started = T0 + timedelta(days=n)
        write_crawl(tmp_path, crawl_id, started, {"questions": questions, "answers": ["q1.a"], "doctors": doctors},
                    commit=False)
        _with_credentials(tmp_path, crawl_id, credentials)
        commit_crawl(tmp_path, crawl_id, started)
    recorded = crawl_coverage(tmp_path, "20261125T010000Z-0000000b")  # the second crawl recorded its coverage
    path = next((tmp_path / "crawls").rglob("20261125T010000Z-0000000b.parquet"))
    table = pq.read_table(path)
    row = table.to_pylist()[0] | {"coverage": recorded}
    pq.write_table(pa.Table.from_pylist([row], schema=table.schema), path)

    folder = DataFolder(tmp_path)
    shares = folder.coverage_by_crawl.query("dataset == 'doctors' and field == 'credentials'")
    assert shares.set_index("crawl_id")["non_null"].round(6).to_dict() == {
        "20261124T010000Z-0000000a": 0.8, "20261125T010000Z-0000000b": 0.8, "20261126T010000Z-0000000c": 0.0}
    # the second crawl (recorded) against the first (counted from its files): the same, no drop
    html = the_coverage(folder, folder.crawl("20261125T010000Z-0000000b"))
    assert 'class="drop"' not in html
    # the third, whose credentials are all []: a drop, of 80 points
    html = the_coverage(folder, folder.crawl("20261126T010000Z-0000000c"))
    assert re.search(r'<tr class="drop"><td>doctors</td><td>\*</td><td>credentials</td>.*?-80\.0%', html), html


def test_a_long_history_is_bounded_and_says_what_it_left_out(tmp_path):
    """Thousands of crawls (two-hourly for a year) must not make the report grow with them: the
    history table lists the newest HISTORY_ROWS (and the reported crawl), messages cut at
    MESSAGE_CHARS, the plots the newest PLOT_CRAWLS; the report says what it left out."""
    from pipelines.report.sections import HISTORY_ROWS, MESSAGE_CHARS, PLOT_CRAWLS

    crawls = PLOT_CRAWLS + 100
    rows = []
    for i in range(crawls):
        started = datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(hours=2 * i)
        rows.append({"crawl_id": f"{started:%Y%m%dT%H%M%SZ}-{i:08x}", "spider": "questions", "started_at": started,
                     "finished_at": started + timedelta(minutes=1), "status": "degraded" if i % 2 else "failed",
                     "pages_fetched": 10, "questions": 0, "answers": 0, "doctors": 0,
                     "message": f"checks failed: {i} " + "x" * 2_000})
    write_crawl_row(tmp_path, "2025-01-01", rows[0])  # the folder's layout: one file per crawl is not needed here
    pq.write_table(pa.Table.from_pylist(rows[1:], schema=CRAWLS), tmp_path / "crawls" / "crawl_date=2025-01-01" / "many.parquet")
    oldest = rows[0]["crawl_id"]
    html = render_report(tmp_path, crawl_id=oldest)
    history = html[html.index("History of crawls"):html.index("The content")]
    listed = re.findall(r"<tr><td>(\d{8}T\d{6}Z-[0-9a-f]{8})", history)
    assert len(listed) == HISTORY_ROWS + 1 and oldest in listed  # the newest, and the crawl reported on
    assert f"the {crawls - HISTORY_ROWS - 1:,} older ones" in history
    assert "x" * MESSAGE_CHARS not in history and "x" * (MESSAGE_CHARS - 50) in history
    assert f"the newest {PLOT_CRAWLS:,}" in history
    assert len(html.encode()) < 2_000_000


@pytest.mark.parametrize("umask", [0o077, 0o027, 0o022])
def test_the_report_follows_the_umask_as_every_file_written_does(tmp_path, umask):
    """The report holds the same questions and doctors' names as the datasets: under umask 077
    it is the owner's alone, as they are, and a rewrite does not widen it again."""
    failed_crawl(tmp_path)
    old = os.umask(umask)
    try:
        for _ in range(2):
            written = write_report(tmp_path)
            assert (written.stat().st_mode & 0o777) == 0o666 & ~umask
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
