"""Run a crawl in this process and report what it did.

Scrapy's reactor can start only once per process, so callers that need several crawls (tests, the
scheduler) start one process per crawl; the CLI does exactly that by being a process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from db import store
from db.schema import open_db
from models import Feed
from spiders.feeds import FeedSpider
from spiders.schedule import due_feeds
from spiders.sitemaps import ArchiveSitemapSpider, NewsSitemapSpider


@dataclass
class CrawlSummary:
    feeds_read: int
    feeds_not_modified: int
    feeds_failed: int
    feeds_not_due: int
    articles_new: int
    articles_seen: int
    failures: int
    pages_fetched: int
    # a crawl that did not finish (a pipeline that failed to open leaves no finish reason at all) or
    # whose callbacks raised must not look like a quiet one; pages that failed are failures rows instead
    errors: int = 0
    finish_reason: str | None = None

    @classmethod
    def from_stats(cls, stats: dict, feeds_not_due: int = 0) -> CrawlSummary:
        return cls(
            feeds_read=stats.get("migtrack/feeds_read", 0),
            feeds_not_modified=stats.get("migtrack/feeds_not_modified", 0),
            feeds_not_due=feeds_not_due,
            feeds_failed=stats.get("migtrack/feeds_failed", 0),
            articles_new=stats.get("migtrack/articles_new", 0),
            articles_seen=stats.get("migtrack/articles_seen", 0),
            failures=sum(v for k, v in stats.items() if k.startswith("migtrack/failures/")),
            pages_fetched=stats.get("response_received_count", 0),
            errors=sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
            + (stats.get("finish_reason") != "finished"),
            finish_reason=stats.get("finish_reason"),
        )


@dataclass
class CrawlProgress:
    """How far a running crawl is: feeds answered of those selected, pages answered (fetched or failed) of
    those the feeds listed so far, so the pages' total grows as feeds are read."""

    feeds_done: int
    feeds_total: int
    pages_done: int
    pages_total: int


def distributed_overrides(redis_url: str) -> dict:
    """Settings that make this crawl one of several sharing a frontier and a duplicate filter in redis.

    The queue persists (SCHEDULER_PERSIST): a process that runs out of work first must not delete the queue
    the others are still filling, and requests left by a killed process are taken up by the next one. Keys
    start with ``migtrack:`` so the redis can serve other things too. See spiders/distributed.py.
    """
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "spiders.distributed.ExpiringDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": "migtrack:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": "migtrack:%(spider)s:seen",
        "REDIS_URL": redis_url,
        "SPIDER_MIDDLEWARES": {"spiders.distributed.SharedPageClaims": 50},
    }


def crawl_settings(db_path: str, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("MIGTRACK_DB", str(db_path), priority="cmdline")
    for key, value in (overrides or {}).items():
        if isinstance(value, dict):  # components (SPIDER_MIDDLEWARES ...) join the project's, not replace them
            value = {**settings.getdict(key), **value}
        settings.set(key, value, priority="cmdline")
    return settings


def crawl(
    feeds: list[Feed],
    db_path: str,
    overrides: dict | None = None,
    only_due: bool = False,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CrawlSummary:
    """Crawl ``feeds`` into the database at ``db_path``; blocks until the crawl ends.

    Feed validators and the URLs already stored are read first, so unchanged feeds cost one
    conditional request and stored pages are not fetched again. With ``only_due``, feeds whose next
    fetch time has not come are skipped. ``on_progress`` is called after every record the crawl stores
    (the CLI's progress bar).
    """
    db = open_db(db_path)
    states = store.feed_states(db)
    known_urls = store.known_article_urls(db)
    db.close()
    selected = due_feeds(feeds, states) if only_due else feeds
    process = CrawlerProcess(crawl_settings(db_path, overrides))
    crawlers = []
    # one spider per kind of source, side by side in one process
    for spider, kind in ((FeedSpider, "feed"), (NewsSitemapSpider, "news-sitemap"), (ArchiveSitemapSpider, "sitemap")):
        sources = [f for f in selected if f.kind == kind]
        if sources or kind == "feed":
            crawler = process.create_crawler(spider)
            process.crawl(crawler, feeds=sources, feed_states=states, known_urls=known_urls)
            crawlers.append(crawler)
    if on_progress is not None:
        _report_progress(crawlers, len(selected), on_progress)
    process.start()
    return CrawlSummary.from_stats(_merged([c.stats.get_stats() for c in crawlers]), len(feeds) - len(selected))


def _report_progress(crawlers: list, feeds_total: int, on_progress: Callable[[CrawlProgress], None]) -> None:
    def report(**_) -> None:
        stats = _merged([c.stats.get_stats() for c in crawlers])
        feeds_done = sum(stats.get(f"migtrack/feeds_{k}", 0) for k in ("read", "not_modified", "failed"))
        pages = stats.get("migtrack/pages_answered", 0), stats.get("migtrack/pages_requested", 0)
        on_progress(CrawlProgress(feeds_done, feeds_total, *pages))

    for crawler in crawlers:
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(report, signal=signal, weak=False)


def fetch_urls(listed: list, source: str, db_path: str, overrides: dict | None = None) -> CrawlSummary:
    """Fetch the pages of a URL list (spiders/urllists.py) into the database; blocks until done. Pages
    already stored are not fetched again."""
    from spiders.urllists import UrlListSpider

    db = open_db(db_path)
    known_urls = store.known_article_urls(db)
    db.close()
    process = CrawlerProcess(crawl_settings(db_path, overrides))
    crawler = process.create_crawler(UrlListSpider)
    process.crawl(crawler, listed=listed, source=source, known_urls=known_urls)
    process.start()
    return CrawlSummary.from_stats(crawler.stats.get_stats())


def _merged(all_stats: list[dict]) -> dict:
    """The spiders' stats added up; the crawl finished only if every spider did."""
    merged: dict = {}
    for stats in all_stats:
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                merged[key] = merged.get(key, 0) + value
    reasons = [stats.get("finish_reason") for stats in all_stats]
    merged["finish_reason"] = next((r for r in reasons if r != "finished"), "finished")
    return merged
