"""``migtrack discover gdelt``: the articles GDELT's DOC 2.0 API lists for a query, as a URL list.

The list (``url, outlet, published, language, title``) is what ``migtrack fetch --urls`` reads. The API
returns at most 250 articles per request, so the span is asked for a day at a time, and a day that
fills the 250 is split in halves down to GDELT's 15-minute resolution. The API searches a rolling
window of about the last three months: older coverage comes from archives (docs/backfill.md).

gdeltdoc (the maintained client) writes the API's address into ``GdeltDoc._query``; ``doc_api``'s client
overrides that one method to take the address from the caller (``--api-url``: a mirror, or the tests'
local server), and keeps the client's filters, error checks and JSON repair.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from models.normalise import iso_published
from spiders.urls import normalize_url

GDELT_DOC_API = "https://api.gdeltproject.org/api/v2/doc/doc"
MAX_RECORDS = 250
RESOLUTION = timedelta(minutes=15)
DAY = timedelta(days=1)
COLUMNS = ("url", "outlet", "published", "language", "title")


class GdeltError(Exception):
    """The DOC API refused the query or answered with something that is not a result."""


def doc_api(api_url: str = GDELT_DOC_API, user_agent: str = "migtrack", timeout: float = 60):
    """gdeltdoc's client, asking ``api_url`` instead of GDELT's own address.

    The subclass is made here, not at import: Scrapy imports every module of spiders/ when a crawl starts,
    and gdeltdoc brings pandas, a second of every crawl's start for a command few people run."""
    from gdeltdoc import GdeltDoc
    from gdeltdoc.errors import raise_response_error
    from gdeltdoc.helpers import load_json

    class DocApi(GdeltDoc):
        def _query(self, mode: str, query_string: str) -> dict:
            response = requests.get(
                f"{api_url}?query={query_string}&mode={mode}&format=json",
                headers={"User-Agent": user_agent},
                timeout=timeout,
            )
            raise_response_error(response=response)
            if "text/html" in response.headers.get("content-type", ""):  # how the API says a query is invalid
                raise GdeltError(f"the DOC API refused the query: {response.text.strip()[:300]}")
            return load_json(response.content, self.max_depth_json_parsing)

    return DocApi()


def windows(since: datetime, until: datetime, step: timedelta = DAY) -> Iterator[tuple[datetime, datetime]]:
    start = since
    while start < until:
        yield start, min(start + step, until)
        start += step


def discover(queries: list[str], since: datetime, until: datetime, api, language: str | None = None) -> Iterator[dict]:
    """The articles listed for ``queries`` (OR-ed; a query with spaces is a phrase) between ``since`` and
    ``until``, each once, oldest window first."""
    from gdeltdoc import Filters

    seen: set[str] = set()
    pending = list(windows(since, until))
    while pending:
        start, end = pending.pop(0)
        filters = Filters(
            keyword=queries if len(queries) > 1 else queries[0],
            start_date=start, end_date=end, num_records=MAX_RECORDS, language=language,
        )  # fmt: skip
        try:
            articles = api.article_search(filters)
        except (ValueError, requests.RequestException) as error:  # HTTP errors, JSON it could not repair
            raise GdeltError(str(error)) from error
        if len(articles) >= MAX_RECORDS and end - start > RESOLUTION:
            middle = start + (end - start) / 2
            pending[:0] = [(start, middle), (middle, end)]  # more than one answer holds: ask in halves
            continue
        for row in articles.to_dict("records"):
            key = normalize_url(str(row.get("url") or ""))
            if row.get("url") and key not in seen:
                seen.add(key)
                yield {
                    "url": row["url"],
                    "outlet": row.get("domain"),
                    "published": iso_published(row.get("seendate")),
                    "language": row.get("language"),
                    "title": row.get("title"),
                }


def write_url_list(rows: Iterator[dict], out: Path) -> int:
    """Write ``rows`` as a URL list; returns how many. The file appears whole or not at all: a query that
    fails half-way leaves no list that looks complete."""
    count = 0
    partial = out.with_name(out.name + ".part")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
                count += 1
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    return count


def parse_day(value: str) -> datetime:
    """A ``YYYY-MM-DD`` (or ISO 8601) date as UTC."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
