"""The one explicit pyarrow schema of each dataset (see DATASETS.md). Nothing else defines columns.

Schema changes are additive: add a nullable column at the end; never retype or rename one.
"""
import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

QUESTIONS = pa.schema([
    ("question_id", pa.string()),
    ("url", pa.string()),
    ("site", pa.string()),
    ("title", pa.string()),
    ("body", pa.string()),
    ("topic", pa.string()),
    ("asked_on", pa.date32()),
    ("asker_location", pa.string()),
    ("answer_count", pa.int32()),
    ("layout", pa.string()),
    ("fetched_at", TIMESTAMP),
    ("content_sha256", pa.string()),
    ("crawl_id", pa.string()),
])

ANSWERS = pa.schema([
    ("answer_id", pa.string()),
    ("question_id", pa.string()),
    ("position", pa.int16()),
    ("title", pa.string()),
    ("body", pa.string()),
    ("vote_count", pa.int32()),
    ("answered_on", pa.date32()),
    ("doctor_id", pa.string()),
    ("has_contact_info", pa.bool_()),
    ("fetched_at", TIMESTAMP),
    ("crawl_id", pa.string()),
    ("site", pa.string()),  # the host of the page's URL: keys are (site, key)
])

DOCTORS = pa.schema([
    ("doctor_id", pa.string()),
    ("profile_url", pa.string()),
    ("name_raw", pa.string()),
    ("title_line", pa.string()),
    ("display_name", pa.string()),
    ("given_name", pa.string()),
    ("middle_name", pa.string()),
    ("family_name", pa.string()),
    ("suffix", pa.string()),
    ("credentials", pa.list_(pa.string())),
    ("city", pa.string()),
    ("state", pa.string()),
    ("specialty", pa.string()),
    ("rating", pa.float32()),
    ("review_count", pa.int32()),
    ("fetched_at", TIMESTAMP),
    ("crawl_id", pa.string()),
    ("site", pa.string()),  # the host of the page's URL: keys are (site, key)
])

CRAWLS = pa.schema([
    ("crawl_id", pa.string()),
    ("spider", pa.string()),
    ("started_at", TIMESTAMP),
    ("finished_at", TIMESTAMP),
    ("status", pa.string()),  # finished, degraded, interrupted, failed, blocked
    ("start_urls", pa.list_(pa.string())),
    ("pages_fetched", pa.int64()),
    ("pages_failed", pa.int64()),
    ("pages_blocked", pa.int64()),
    ("questions", pa.int64()),
    ("answers", pa.int64()),
    ("doctors", pa.int64()),
    ("project_version", pa.string()),
    # What the crawl met on the way (the bad responses it retried or refused).
    ("pages_not_modified", pa.int64()),
    ("pages_truncated", pa.int64()),
    ("pages_malformed", pa.int64()),
    ("responses_5xx", pa.int64()),
    ("responses_429", pa.int64()),
    ("download_errors", pa.int64()),
    ("message", pa.string()),
    ("pages_skipped", pa.int64()),  # questions an incremental or resumed crawl did not need to fetch
    # The quality checks (pipelines/checks) with their figures, and the field coverage the
    # next crawl of the site compares against.
    ("checks", pa.list_(pa.struct([("name", pa.string()), ("value", pa.float64()),
                                   ("threshold", pa.float64()), ("passed", pa.bool_())]))),
    ("coverage", pa.list_(pa.struct([("dataset", pa.string()), ("layout", pa.string()), ("field", pa.string()),
                                     ("non_null", pa.float64()), ("rows", pa.int64())]))),
    # Every response received, retried 5xx and 429 answers and block pages waited on included
    # (pages_fetched counts only those that reached the spider, after retries).
    ("responses", pa.int64()),
])

SCHEMAS = {"questions": QUESTIONS, "answers": ANSWERS, "doctors": DOCTORS, "crawls": CRAWLS}
KEYS = {"questions": "question_id", "answers": "answer_id", "doctors": "doctor_id", "crawls": "crawl_id"}
RECORD_TYPES = {"question": "questions", "answer": "answers", "doctor": "doctors"}
