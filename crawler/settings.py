"""Scrapy settings of the doctor-answers crawl: polite by default.

Plain module constants, as Scrapy expects. The CLI overrides a few per run
(output folder, page cap, state folder); everything else is here.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    PROJECT_VERSION = version("doctor-answers")
except PackageNotFoundError:  # running from a source tree that was never installed
    PROJECT_VERSION = "0+unknown"

BOT_NAME = "doctor_answers"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` exits with the crawl's status (crawler/commands/crawl.py).
COMMANDS_MODULE = "crawler.commands"

# An honest User-Agent that names the project, so a site owner knows who is calling.
USER_AGENT = f"doctor-answers/{PROJECT_VERSION} (+https://github.com/doctor-answers/doctor-answers; research crawler)"

# Politeness: robots.txt (Crawl-delay too, see crawler.extensions.crawl_delay), AutoThrottle,
# a per-domain concurrency cap, and never anything off the start sites.
ROBOTSTXT_OBEY = True
# robots.txt groups are matched against this product token (RFC 9309 2.2.1), not the whole
# User-Agent: its comment's words ("research crawler") would pick groups meant for other bots.
ROBOTSTXT_USER_AGENT = "doctor-answers"
# Protego, with groups matched by that token as a whole (crawler.middlewares.robots).
ROBOTSTXT_PARSER = "crawler.middlewares.robots.RobotsParser"
# RFC 9309 2.5's parsing limit (at least 500 KiB): the rules of a robots.txt past this many bytes
# are ignored, its download stopped there (a bigger one is no unreadable robots.txt).
ROBOTSTXT_MAX_SIZE = 512 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 8.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A body shorter than its Content-Length is an error (and so retried), never a page.
DOWNLOAD_FAIL_ON_DATALOSS = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control runs Python sent to a local HTTP port and writes a job file to the
# user's profile: nothing a scheduled crawl needs open (and aiohttp's import is 0.1 s of start-up).
REMOTE_CONTROL_ENABLED = False

# Retries with exponential backoff for 5xx and 429, honouring Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 6
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 0.25  # seconds; doubles with every attempt
RETRY_BACKOFF_MAX = 30.0
# A retry goes before new pages (Scrapy's queue is last in, first out): a page is retried to
# its end before others are asked for, so an answer counts towards a wall once its retries are
# spent (blocks.py) after few question URLs, not after every one has been asked once.
RETRY_PRIORITY_ADJUST = 0
# Scrapy's "Gave up retrying <GET URL> (failed N times): reason" stays in the log file: the
# crawl's own error line ("Failed URL: reason") says it on stderr, once.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# A Retry-After is waited out in full, never cut, and holds its whole host; one asking for
# more than this many seconds gives the page up instead (the crawl would idle that long).
RETRY_AFTER_MAX = 600.0
# Block pages (px-captcha): retried later with a longer delay, never parsed. A crawl that
# meets this many block pages in a row stops with status `blocked`; so does one that meets one
# same page that is no question page at this many question URLs (a wall without the markers) ...
BLOCK_RETRY_TIMES = 4
BLOCK_RETRY_DELAY = 1.0  # seconds, multiplied by the attempt number
BLOCK_STOP_AFTER = 25
# ... at this many question URLs, when they make this share or more of the question URLs answered
# since that page was first met: a wall before every question (1.0) or before some at random (a
# rate-based one), not a page the site serves at a few of its questions (a soft 404).
BLOCK_WALL_SHARE = 0.1
# Every status reaches the block-page check (a downloader middleware); 304 reaches the spider
# too, for incremental crawls.
HTTPERROR_ALLOWED_CODES = [304]
# A cut-off page is retried from the spider with Scrapy's get_retry_request, which counts its
# attempts in meta["retry_times"] on purpose: not a key copied by mistake from response.meta.
META_COPY_WARN_SKIP_KEYS = ["retry_times"]

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsTxtMiddleware": 100,  # Scrapy's place
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.compression.HttpCompressionMiddleware": 590,  # Scrapy's place
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.offsite.OffsiteMiddleware": 50,  # Scrapy's place
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.redirect.RedirectMiddleware": 600,  # Scrapy's place
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.redirect.MetaRefreshMiddleware": 580,  # Scrapy's place
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    "crawler.middlewares.blocks.BlockPageMiddleware": 560,
    "crawler.middlewares.conditional.ConditionalGetMiddleware": 580,
    "crawler.middlewares.max_pages.MaxPagesMiddleware": 880,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "crawler.middlewares.urllength.UrlLengthMiddleware": 800,  # Scrapy's place
}
# Scrapy's 2,083 characters is old Internet Explorer's bound, not a server's: a question slug of
# 230 CJK characters, 9 bytes each percent-encoded, passes it. Apache and nginx accept a request
# line of 8 KB by default; a server that accepts less answers 414, an error the summary names.
# A URL past this is not requested, and is counted and named (crawler.middlewares.urllength).
URLLENGTH_LIMIT = 8_000
EXTENSIONS = {
    "crawler.extensions.prompt_stop.PromptStop": 490,
    "crawler.extensions.crawl_delay.RobotsCrawlDelay": 500,
    "crawler.extensions.progress.Progress": 510,
    "crawler.extensions.latest_view.LatestView": 520,
    "crawler.archive.extension.WarcArchive": 530,
    # After every other receiver of crawl_committed: the report reads what they wrote.
    "crawler.extensions.report.Report": 900,
}
ITEM_PIPELINES = {
    "pipelines.records.NormalisePipeline": 300,
    "pipelines.datasets.DatasetsPipeline": 800,
}

# Parsing and normalising question pages runs in this many worker processes (crawler.extraction),
# so the crawl's own process is left to Scrapy; 0 parses in the crawl's process.
EXTRACT_PROCESSES = 1
# Seconds of its CPU time a worker may read one page for (a page takes milliseconds; a paused
# crawl's time is not counted): past it the worker ends and is replaced, and the page is a malformed one, so that a pathological page (quadratic in
# libxml2) never stalls the crawl. No bound with EXTRACT_PROCESSES=0.
EXTRACT_PAGE_TIMEOUT = 30

# Output: the dataset root, and how big the Parquet row groups and files are.
DATA_DIR = "data"
PARQUET_ROW_GROUP_ROWS = 50_000
# ...or this many bytes of Arrow data (about 18,000 answers), whichever comes first: what bounds
# a crawl's buffers, three datasets of them, whatever the crawl's size.
PARQUET_ROW_GROUP_BYTES = 8 * 1024 * 1024
PARQUET_FILE_ROWS = 1_000_000
PROGRESS_INTERVAL = 5.0
# Print the progress line to stderr as well as logging it (the demo sets it).
PROGRESS_PRINT = False

# The latest view (`<DATA_DIR>/latest/<dataset>/*.parquet`, one row per key), updated after every
# committed crawl (crawler.extensions.latest_view). Each dataset is split into key buckets, one
# file each: at least LATEST_BUCKETS, and as many as keep a bucket to 20,000 rows (the count
# doubles as the data grows; pipelines.output.latest.BUCKET_ROWS).
LATEST_VIEW_ENABLED = True
LATEST_BUCKETS = 1
# The latest view (by fetched_at) and the checks' baseline (by started_at) order crawls by the
# clock of the machine that ran them. A crawl (or reparse) whose clock is behind a committed
# crawl of its data folder by more than this many seconds would have its rows ranked behind
# that crawl's, in silence: it ends `failed` before fetching anything, naming that crawl
# (pipelines.crawls.check_clock). Machines sharing a folder differ by seconds. 0: no check.
CLOCK_BEHIND_MAX = 300.0

# `crawl --report`: once the crawl is committed, write the HTML report DATA_DIR/report.html
# (crawler.extensions.report; the same file as `doctor-answers report --data DATA_DIR`).
REPORT = False

# Stateful crawls (`--state DIR`, setting STATE_DIR): incremental and resumable. A batch of
# files is published every CHECKPOINT_PAGES pages or CHECKPOINT_SECONDS, whichever first:
# what a hard kill can cost, against how many files a crawl leaves.
STATE_DIR = None
# The crawl's id (a Scrapyd job id, say); None makes one from the start time.
CRAWL_ID = None
CHECKPOINT_PAGES = 5_000
CHECKPOINT_SECONDS = 120.0
# A question its sitemap lastmod says is unchanged is asked again all the same (conditionally: a
# 304 costs little) once the version held was last found current more than this many days ago:
# a lastmod that never moves (the question's own date, not its last answer's) would otherwise
# hide every change for good. 0: trust a lastmod for ever.
REVISIT_AFTER_DAYS = 30.0

# The WARC archive (`crawl --archive DIR`): every response with its request, in files of at
# most about ARCHIVE_FILE_BYTES, committed with the dataset batches (crawler.archive). Off when None.
ARCHIVE_DIR = None
ARCHIVE_FILE_BYTES = 1_000_000_000

# Scrapy (2.13+) starts CONCURRENT_ITEMS asyncio tasks for the output of every response, however
# little it yields. Our item pipelines are synchronous, so items of one page gain nothing from
# running side by side: one task a response made the crawl 16% faster (and the bare spider 22%).
CONCURRENT_ITEMS = 1

# Scrapy checks every generator callback for a `return value` by reading its source with
# inspect and ast. Its cache is keyed by the bound method, which is new for every response,
# so the check ran once per page: 7% of a crawl's CPU. The spider's callbacks are ours and
# tested; the check adds nothing.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Quality checks at the end of a crawl (pipelines/checks): one that fails makes a crawl that
# would have finished end `degraded` (exit status 4). Each compares one figure with one of these.
CHECK_BAD_PAGES_MAX = 0.02  # question pages of an unknown layout or malformed, share of those met
CHECK_FETCH_ERRORS_MAX = 0.2  # download errors, 5xx and 429, share of download attempts
# A field's non-null share (per dataset and markup family) may fall this much against the last
# crawl of the site that passed its checks, or as much as chance explains for the pages compared
# (this many binomial standard errors, a page one draw: its answers share its markup and doctors)
# if that is more; groups whose rows came from fewer than CHECK_COVERAGE_MIN_ROWS pages are not compared.
CHECK_COVERAGE_MARGIN = 0.1
CHECK_COVERAGE_NOISE_SIGMAS = 2.5
CHECK_COVERAGE_MIN_ROWS = 30
# A markup family's share of a field may also fall behind the other families' in the same crawl
# by CHECK_COVERAGE_MARGIN, or by this many standard errors of both groups' pages (score intervals).
CHECK_FAMILY_COVERAGE_SIGMAS = 3.5
CHECK_QUESTIONS_MIN_SHARE = 0.9  # a full crawl finds at least this share of the last full crawl's questions
CHECK_UNREAD_QUESTIONS_MAX = 0.05  # question pages asked for that gave no question, share of those asked
# Question pages asked for that the site says it removed, share of those asked: most of them at
# once is a site-wide change (every question URL sent home), not removals; judged from this many on.
CHECK_GONE_QUESTIONS_MAX = 0.5
CHECK_GONE_QUESTIONS_MIN = 5
CHECK_ANSWERS_PER_QUESTION_MIN_SHARE = 0.5  # of the last finished crawl's answers per question
# Values a family's pages print that do not read (a vote, a date, a rating, a review count, a
# profile link), share of its rows that print them; families of fewer than CHECK_COVERAGE_MIN_ROWS pages are not judged.
CHECK_VALUES_NOT_READ_MAX = 0.1
# Byline values (a name, credentials, a title line, a rating, a review count) a family's pages print
# otherwise than their data or microdata gives them, share of its answer rows: most of the bylines
# that print the value (on the reference site 70-88% of answers print each) is data gone stale.
CHECK_SHOWN_DISAGREES_MAX = 0.3

LOG_LEVEL = "INFO"
# Log times are UTC (crawler/__init__.py), and say so: `2026-12-02 05:19:10+0000`.
LOG_DATEFORMAT = "%Y-%m-%d %H:%M:%S%z"
FEED_EXPORT_ENCODING = "utf-8"

# Bounded walks (crawler.spiders.questions): a sitemap index naming an index naming an index...,
# an index naming thousands of sitemaps, topic listings without end are traps, not sites. A
# bound that is reached is named in the crawl's message, the stat crawl/limit_hit/<name> and a log line. Depth counts the
# sitemaps from robots.txt (or the start URL) down: RealSelf's is 2 (index, then sitemaps).
# 0 is no bound, as for Scrapy's own limits.
SITEMAP_MAX_DEPTH = 5
SITEMAP_MAX_COUNT = 10_000
# Listing pages (home, topics, their rel="next" pages) fetched in one crawl, all topics together.
# A listing page naming no question its own walk has not named also ends that walk, and, in an
# incremental crawl after a complete one, one naming only questions its sitemaps vouch for
# (pipelines.session.CrawlSession.vouched_for).
LISTING_MAX_PAGES = 20_000
# A robots.txt Crawl-delay above this many seconds ends the crawl as failed
# (crawl_delay_too_long): obeying it would take days, ignoring it is not ours to decide (0: any).
CRAWL_DELAY_MAX = 60.0

# Stopping (a signal, Scrapyd's cancel, a close reason) ends waits at once: slot delays,
# backoffs, downloads in progress (crawler.extensions.prompt_stop).
DOWNLOAD_HANDLERS = {
    "http": "crawler.extensions.prompt_stop.StoppableHTTPDownloadHandler",
    "https": "crawler.extensions.prompt_stop.StoppableHTTPDownloadHandler",
}
