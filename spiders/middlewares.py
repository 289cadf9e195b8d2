"""Downloader middleware: honour 429 and 503 responses that say when to come back.

Scrapy's RetryMiddleware retries a 429 at once and ignores ``Retry-After``; a polite crawler waits
what the server asks. The wait is applied to the whole download slot (the domain), since the
server asked the crawler, not one URL, to slow down; and the retry itself waits the full time, because
Scrapy draws each slot delay at random between half and one and a half times its value.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.exceptions import NotConfigured

log = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Waits what a 429/503 asks (up to MIGTRACK_RETRY_AFTER_MAX seconds), then retries, at most
    RETRY_TIMES times; longer waits, or a missing header, are left to RetryMiddleware."""

    def __init__(self, crawler, max_wait: int, max_times: int):
        self.crawler = crawler
        self.max_wait = max_wait
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MIGTRACK_RETRY_AFTER_ENABLED"):
            raise NotConfigured
        return cls(crawler, crawler.settings.getint("MIGTRACK_RETRY_AFTER_MAX"), crawler.settings.getint("RETRY_TIMES"))

    def process_response(self, request, response, spider=None):
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        times = request.meta.get("retry_after_times", 0)
        if wait is None or wait > self.max_wait or times >= self.max_times:
            return response
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot"))
        if slot is not None:
            slot.delay = max(slot.delay, wait)
        log.info("honouring Retry-After of %.0fs from %s (HTTP %d)", wait, request.url, response.status)
        self.crawler.stats.inc_value("migtrack/retry_after")
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = times + 1
        retry.meta["retry_after_until"] = time.monotonic() + wait
        return retry

    async def process_request(self, request, spider=None) -> None:
        """Hold a retry until its Retry-After has passed: the slot's delay alone let it go after half."""
        remaining = request.meta.get("retry_after_until", 0) - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)
