"""Distributed crawling: several crawler processes share one frontier and one duplicate filter in redis.

``migtrack crawl --redis URL`` swaps in scrapy-redis's scheduler (``spiders.crawl.distributed_overrides``), so
every process pops its requests from one queue in redis. Two pieces make "each page fetched once across
processes" true for this project's spiders:

- The spiders deduplicate pages themselves and send them with ``dont_filter`` (a redirect loop must run into
  REDIRECT_MAX_TIMES instead of being dropped silently, issue 6), and the scrapy-redis scheduler lets such
  requests past its duplicate filter. So :class:`SharedPageClaims` checks each page request once, as it leaves a
  spider callback, against the shared filter; redirect and retry hops are made by downloader middlewares, do
  not pass here, and keep ``dont_filter`` as in a single-process crawl.
- The shared filter must forget: a page whose fetch failed is asked for again by a later crawl, and a filter that
  only grows would refuse it for ever. :class:`ExpiringDupeFilter` keeps each fingerprint as its own redis key
  that expires after MIGTRACK_REDIS_CLAIM_SECONDS.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy_redis.dupefilter import RFPDupeFilter


class ExpiringDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter, with every fingerprint expiring on its own.

    A claim must outlive the longest wait of a queued page (or a second process reading the same feed would
    queue the page again) and should not outlive the next chance to retry a failed page: a day, the longest
    feed polling interval, does both. Pages already stored are never asked for again whatever the filter says.
    """

    def __init__(self, server, key, debug=False, ttl: int = 24 * 60 * 60):
        super().__init__(server, key, debug)
        self.ttl = ttl

    @classmethod
    def from_spider(cls, spider):
        dupefilter = super().from_spider(spider)
        dupefilter.ttl = spider.settings.getint("MIGTRACK_REDIS_CLAIM_SECONDS", dupefilter.ttl)
        return dupefilter

    def request_seen(self, request) -> bool:
        key = f"{self.key}:{self.request_fingerprint(request)}"
        return not self.server.set(key, 1, nx=True, ex=self.ttl)


class SharedPageClaims(BaseSpiderMiddleware):
    """Lets a page request out of a spider callback only if no crawler sharing the redis has claimed it.

    Start requests (the feeds) pass untouched: every process reads every feed, which costs one conditional
    request each and tells each process what the feed lists.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.dupefilter: ExpiringDupeFilter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    def get_processed_request(self, request: Request, response) -> Request | None:
        if response is None:
            return request
        if self.dupefilter is None:  # the spider, which names the redis key, exists only once the crawl opens
            self.dupefilter = ExpiringDupeFilter.from_spider(self.crawler.spider)
        if self.dupefilter.request_seen(request):
            self.crawler.stats.inc_value("migtrack/pages_claimed_elsewhere")
            return None
        return request
