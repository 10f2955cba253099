"""The doctor-answers crawler: spiders, page objects, the site definition and the commands."""
import logging
import os
import time

# Log times in UTC, as every other time the product writes (crawl ids, fetched_at, the report):
# a log line is found by the time the data gives, in any TZ, and no DST change repeats an hour.
# Set on the class, as Python's logging documents, since Scrapy makes its own handlers'
# formatters (stderr, `scrapy crawl`, Scrapyd's jobs); LOG_DATEFORMAT writes the zone.
logging.Formatter.converter = time.gmtime

# Arrow's allocator in every crawler process: glibc's malloc. At a crawl's end the coverage
# check and the latest view read the crawl's files back; mimalloc, pyarrow's default, kept what
# those reads freed (a 20,000-question crawl peaked at 440 MB, 363 MB with this). Arrow reads
# the variable when it loads, so it is set here, before any module of the crawler imports it.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
