"""Scrapy settings for projektbank: polite by default, every value overridable with `-s`.

Against a local copy: `-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False`, and raise
`CONCURRENT_REQUESTS_PER_DOMAIN` together with `CONCURRENT_REQUESTS` to go fast.
"""

BOT_NAME = "projektbank"
SPIDER_MODULES = ["projektbank.crawler.spiders"]
NEWSPIDER_MODULE = "projektbank.crawler.spiders"

USER_AGENT = "projektbank/0.1 (+https://github.com/projektbank/projektbank; research crawler for the ESF project bank)"

# --- politeness ---
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.5                 # seconds between requests to one host …
DOWNLOAD_DELAY_JITTER = 1 / 3        # … randomized ±1/3: 1.0–2.0 s, never below 1 s
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a project page is ~100 kB
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "sv,en;q=0.5",
}

# --- closed side doors (design.md) ---
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- faults: retries with exponential backoff; 429/503 honour Retry-After ---
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
PROJEKTBANK_RETRY_BACKOFF_BASE = 2.0      # seconds; doubled per retry, with jitter
PROJEKTBANK_RETRY_BACKOFF_MAX = 120.0
PROJEKTBANK_RETRY_AFTER_MAX = 600.0       # cap on a server's Retry-After
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "projektbank.crawler.middlewares.BackoffRetryMiddleware": 550,
}
# The esf spider adds the components it cannot run without to whatever EXTENSIONS and
# DOWNLOADER_MIDDLEWARES are set (a dict given on the command line replaces these):
# the job state (crawler/job_state.py) and fetching less (crawler/revalidate.py). See
# EsfSpider.update_settings.
HTTPERROR_ALLOWED_CODES: list[int] = []

# --- pipeline: page item → raw archive (WARC) → parse_page → validate → de-duplicate →
# Parquet/CSV writers (the last four are the path `projektbank extract` takes too; the work
# runs in worker processes, pipelines/page_flow.py) ---
ITEM_PIPELINES = {
    "projektbank.crawler.pipelines.PagePipeline": 300,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "projektbank.crawler.guard.CrawlGuard": 0,  # stall watchdog, signals, bounded stopping
}
PROJEKTBANK_STALL_MARGIN = 60.0   # seconds beyond DOWNLOAD_TIMEOUT + delay before a crawl is stalled
PROJEKTBANK_STOP_GRACE = 10.0     # a stop not done in DOWNLOAD_TIMEOUT + this becomes a hard stop
PROJEKTBANK_REPORT_HTML = True     # draw DIR/report.html after every run (also env PROJEKTBANK_REPORT_HTML=0)
PROJEKTBANK_PROGRESS = False      # progress lines on stderr (`projektbank crawl` without -v)
PROJEKTBANK_PROGRESS_INTERVAL = 30.0
PROJEKTBANK_MAX_SITEMAPS = 1000   # sitemaps (and indexes) fetched at most
PROJEKTBANK_MAX_SITEMAP_DEPTH = 3  # sitemap indexes nested at most this deep

# --- projektbank ---
PROJEKTBANK_OUT = "output/esf"                  # --out
PROJEKTBANK_SITEMAPS_FROM_ROBOTS = True         # seed from robots.txt `Sitemap:` lines
PROJEKTBANK_FOLLOW_DETAIL_LINKS = True          # also collect detail links found on detail pages
PROJEKTBANK_MAX_LIST_PAGES = 20000              # safety net against pagination traps
PROJEKTBANK_MIN_RECORDS = 1                     # run assertion (--min-records)
PROJEKTBANK_MAX_FAILURES = None                 # --max-failures N|FRACTION (None: 5 %, at least 5 pages)
PROJEKTBANK_MIN_FILL: dict[str, float] = {}     # run assertion per column (--min-fill COL=FRAC)
PROJEKTBANK_DEFAULT_MIN_FILL = 0.5              # for every key column not named in MIN_FILL
PROJEKTBANK_WARC_MAX_BYTES = 1024 * 1024 * 1024  # start a new WARC file after this size
PROJEKTBANK_RAW_ARCHIVE_CLASS = None            # the raw archive's class (None: RawArchive); a test seam
PROJEKTBANK_FLOW_BATCH_PAGES = 32               # pages per batch handed to the extraction workers
PROJEKTBANK_EXTRACT_WORKERS = -1               # WARC records + parse_page in N processes (-1: a spare CPU each, ≤ 4; 0: none)
PROJEKTBANK_EXIT_HOOK = True                    # `scrapy crawl`: exit 1 when the run failed
PROJEKTBANK_CONDITIONAL_REQUESTS = True         # fetch less: If-None-Match/If-Modified-Since for
                                                # pages in DIR/raw-previous; reuse unchanged ones

# --- scheduling / state ---
# --resume DIR sets JOBDIR. Breadth-first order keeps list pages ahead of detail pages.
DEPTH_PRIORITY = 0
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
LOGSTATS_INTERVAL = 60.0
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
PROJEKTBANK_CRAWL_DATE = None                   # --crawl-date: the snapshot date (default: UTC day the job started)
CONCURRENT_ITEMS = 4                            # a response yields few items: fewer asyncio tasks
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 20_000_000       # pages wait for their worker batch: room for ~250
WARN_ON_GENERATOR_RETURN_VALUE = False          # Scrapy re-parses callback source per request
PROJEKTBANK_WARC_GZIP_LEVEL = 1                 # 3x faster than 6 for 3% larger files (65 KB pages)
PROJEKTBANK_INCLUDE_PERSONAL_DATA = False       # contact persons, e-mail, phone in fields_raw
