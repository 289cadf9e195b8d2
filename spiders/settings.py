"""Scrapy settings for migtrack's crawlers: polite defaults, no logic.

The CLI overrides MIGTRACK_DB, USER_AGENT, DOWNLOAD_TIMEOUT and DOWNLOAD_MAXSIZE from the user's
configuration file.
"""

BOT_NAME = "migtrack"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "migtrack/0.1 (+https://example.org/migtrack; research crawler)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
MIGTRACK_EXTRACT_TIMEOUT = 20  # seconds of main-text extraction per page before it is a failure
# processes that extract pages' main text beside the crawl's thread (spiders/readers.py); 0: in it
MIGTRACK_TEXT_WORKERS = 1
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# items handled at once per response: Scrapy's default of 100 starts 100 tasks for every page, which
# yields one Article to a pipeline that writes synchronously anyway
CONCURRENT_ITEMS = 4

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's code-execution HTTP server for its MCP tools: an unattended crawler has no use for a
# port that runs Python, nor for the job file it writes under the user's home at every crawl
REMOTE_CONTROL_ENABLED = False

# after RetryMiddleware (550) in request order, so it sees a 429's Retry-After before it does
DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.RetryAfterMiddleware": 560,
    # before any download: links to private IP literals are refused (spiders/addresses.py)
    "spiders.addresses.PrivateAddressMiddleware": 50,
}
# names are checked where they resolve: a name pointing at a private address is refused
TWISTED_DNS_RESOLVER = "spiders.addresses.PublicOnlyResolver"
MIGTRACK_ALLOW_PRIVATE_HOSTS: list[str] = []  # from the configuration's allow_private_hosts
MIGTRACK_RETRY_AFTER_ENABLED = True
MIGTRACK_RETRY_AFTER_MAX = 300  # seconds; a longer wait is left to the next cycle

ITEM_PIPELINES = {
    "spiders.pipelines.SQLitePipeline": 300,
}

MIGTRACK_DB = "data/migtrack.db"
# polling interval of a feed, adapted to how often it changes (seconds)
MIGTRACK_FEED_MIN_INTERVAL = 10 * 60
MIGTRACK_FEED_MAX_INTERVAL = 24 * 60 * 60

# named, though it is Scrapy's default: page readers hand results back as asyncio futures
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
