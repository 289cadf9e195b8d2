"""Item pipeline: hands every record the spiders yield to ``db/``, committed as it arrives."""

from __future__ import annotations

from db import store
from db.schema import open_db
from models import Article, Failure, FeedCheck


class SQLitePipeline:
    """Writes Articles, Failures and FeedChecks into the database named by the MIGTRACK_DB setting."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("MIGTRACK_DB"))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self):
        self.db = open_db(self.db_path)
        store.upsert_feeds(self.db, getattr(self.crawler.spider, "feeds", []))

    def close_spider(self):
        self.db.close()

    def process_item(self, item):
        stats = self.crawler.stats
        if isinstance(item, Article):
            is_new = store.upsert_article(self.db, item)
            stats.inc_value("migtrack/articles_new" if is_new else "migtrack/articles_seen")
        elif isinstance(item, Failure):
            store.record_failure(self.db, item)
            stats.inc_value(f"migtrack/failures/{item.stage}")
        elif isinstance(item, FeedCheck):
            store.record_feed_fetch(self.db, item.url, item.status, item.entries, item.error)
        return item
