"""Run a crawl in this process and report what it did.

Scrapy's reactor can start only once per process, so callers that need several crawls (tests, the
scheduler) start one process per crawl; the CLI does exactly that by being a process.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from db import store
from db.schema import open_db
from models import Feed
from spiders.feeds import FeedSpider
from spiders.schedule import due


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
        )


def crawl_settings(db_path: str, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("MIGTRACK_DB", str(db_path), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawl(feeds: list[Feed], db_path: str, overrides: dict | None = None, only_due: bool = False) -> CrawlSummary:
    """Crawl ``feeds`` into the database at ``db_path``; blocks until the crawl ends.

    Feed validators and the URLs already stored are read first, so unchanged feeds cost one
    conditional request and stored pages are not fetched again. With ``only_due``, feeds whose next
    fetch time has not come are skipped.
    """
    db = open_db(db_path)
    states = store.feed_states(db)
    known_urls = store.known_article_urls(db)
    db.close()
    selected = [f for f in feeds if not only_due or due(states.get(f.url, {}).get("next_fetch"))]
    process = CrawlerProcess(crawl_settings(db_path, overrides))
    crawler = process.create_crawler(FeedSpider)
    process.crawl(crawler, feeds=selected, feed_states=states, known_urls=known_urls)
    process.start()
    return CrawlSummary.from_stats(crawler.stats.get_stats(), feeds_not_due=len(feeds) - len(selected))
