"""``migtrack import``: the articles on migration in WARC files, stored as crawled pages are.

Each response record goes through three gates, cheapest first: an HTML page with status 200 (WARC and
HTTP headers only), the byte prefilter (spiders/prefilter.py), then the page reader the crawl uses
(``read_page``: trafilatura, canonical URL, language, syndication signature) in worker processes, and
the prefilter once more on the text it extracted. Articles are stored by the crawl's own
``ArticleStore``, with ``source`` naming the file and the WARC date as ``published`` when the page gives
none.

Resumable: the offset of the last record dealt with is kept per file in ``imports``. Records are dealt
with in file order (a page in a worker holds back the offsets after it), so a rerun after a kill starts
after a record whose article is stored, and a record read twice is upserted onto its own row.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from db import store
from db.schema import open_db
from models import Article, Failure, Feed
from models.normalise import iso_published
from spiders.articles import read_page
from spiders.pipelines import ArticleStore
from spiders.prefilter import prefilter
from spiders.readers import prepare_reader, reader_pool
from spiders.urls import is_fetchable, normalize_url
from spiders.warcs import Response, Unreadable, read_responses

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1000  # records between two writes of a file's offset when nothing is stored
# pages handed to readers and not yet stored, at most: enough that the scan goes on while a reader starts
# (seconds: it loads trafilatura) or reads a slow page, and bounded in bytes whatever the archive holds
PENDING_BYTES = 64 << 20
PENDING_PAGES = 2048


@dataclass
class ImportSummary:
    records: int = 0  # response records read
    html: int = 0  # of which HTML pages with status 200
    relevant: int = 0  # of which passed the byte prefilter
    stored: int = 0
    already_stored: int = 0
    off_topic: int = 0  # relevant by their bytes, not by their extracted text
    failed: int = 0

    def line(self) -> str:
        return (
            f"{self.records} records read, {self.html} HTML, {self.relevant} relevant, {self.stored} stored, "
            f"{self.already_stored} already stored, {self.off_topic} off-topic once read, {self.failed} failed"
        )

    def add(self, other: ImportSummary) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class _Pending:
    """A page handed to a reader, and the offset of the record before it (what is done while it is not)."""

    response: Response
    future: Future
    previous_offset: int | None
    pool: ProcessPoolExecutor | None  # the readers it went to (None: read in this process)
    # set by the future's callback: the import asks after every record, and Future.done() takes a lock
    ready: bool = False

    def __post_init__(self) -> None:
        self.future.add_done_callback(self._set_ready)

    def _set_ready(self, _: Future) -> None:
        self.ready = True


class WarcImport:
    """Imports WARC files into one database. ``feeds`` credit pages on a configured outlet's host to that
    outlet, in its language; other pages are credited to the site name the page gives."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        feeds: Iterable[Feed] = (),
        workers: int = 1,
        max_bytes: int = 10 << 20,
        seconds_per_page: float = 20,
    ):
        self.db = db
        self.articles = ArticleStore(db)
        self.outlets = {_host(feed.url): feed for feed in feeds if not feed.aggregator}
        self.workers, self.max_bytes, self.seconds_per_page = workers, max_bytes, seconds_per_page
        self.prefilter = prefilter()
        # started now, not at the first relevant page: the readers load their model while the scan begins
        self.pool: ProcessPoolExecutor | None = self._start_readers() if workers > 0 else None

    def _start_readers(self) -> ProcessPoolExecutor:
        """Forked readers (this loop has no reactor or socket to copy), told to load their model at once."""
        pool = reader_pool(self.workers, fork=True)
        pool.submit(prepare_reader)
        return pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def import_file(self, path: Path, progress: Callable[[int], None] = lambda n: None) -> ImportSummary:
        """Import one file from where the last import of it stopped; returns what this run did."""
        path = path.resolve()
        state = self.db["imports"].get(str(path)) if self._imported(path) else {}
        summary = ImportSummary()
        pending: deque[_Pending] = deque()
        pending_bytes = 0
        done_offset, records_done = state.get("last_offset"), state.get("records_done") or 0
        reported = done_offset or 0
        progress(reported)  # done in an earlier run
        since_checkpoint, size = 0, path.stat().st_size
        for item in read_responses(path, done_offset, self.max_bytes):
            if isinstance(item, Unreadable):
                self._unreadable(path, item, summary)
                continue
            progress(item.offset - reported)
            reported = item.offset
            summary.records += 1
            records_done += 1
            previous, done_offset = done_offset, item.offset
            future = self._triage(path, item, summary)
            if future is not None:
                pending.append(_Pending(item, future, previous, self.pool))
                pending_bytes += len(item.body)
            while pending and (len(pending) > PENDING_PAGES or pending_bytes > PENDING_BYTES or pending[0].ready):
                done = pending.popleft()
                pending_bytes -= len(done.response.body)
                self._finish(path, done, summary)
                since_checkpoint = CHECKPOINT_EVERY  # a stored article: record the offset at once
            since_checkpoint += 1
            if since_checkpoint >= CHECKPOINT_EVERY:
                self._checkpoint(path, size, pending[0].previous_offset if pending else done_offset, records_done)
                since_checkpoint = 0
        while pending:
            self._finish(path, pending.popleft(), summary)
        size = path.stat().st_size
        self._checkpoint(path, size, done_offset, records_done, finished=True)
        progress(size - reported)
        return summary

    def _imported(self, path: Path) -> bool:
        return self.db.execute("select 1 from imports where path = ?", [str(path)]).fetchone() is not None

    def _triage(self, path: Path, response: Response, summary: ImportSummary) -> Future | None:
        """Count the record, and hand it to a reader when it is a new page that may be coverage."""
        if response.kind == "too-large":
            self._fail(path, response.url, f"record of {response.length} bytes is over the limit of "
                       f"{self.max_bytes} (max_response_size); not read", summary)  # fmt: skip
        if response.kind != "page":
            return None
        summary.html += 1
        if not self.prefilter.passes(response.body):
            return None
        summary.relevant += 1
        if not is_fetchable(response.url):
            self._fail(path, response.url or f"{path.name}@{response.offset}", "no http(s) WARC-Target-URI", summary)
            return None
        if store.is_known_url(self.db, normalize_url(response.url)):
            summary.already_stored += 1
            return None
        return self._read(path, response)

    def _read(self, path: Path, response: Response) -> Future:
        feed = self.outlets.get(_host(response.url)) or Feed(
            url=path.name, outlet=_host(response.url), language=None, aggregator=True
        )
        fetched_at = iso_published(response.date)
        page = (response.body, response.body, response.url, feed, {"published": fetched_at}, fetched_at,
                self.seconds_per_page)  # fmt: skip
        if self.workers <= 0:
            future: Future = Future()
            try:
                future.set_result(read_page(*page))
            except Exception as error:  # an archived page must not end the import: recorded, see _finish
                future.set_exception(error)
            return future
        for _ in range(2):
            self.pool = self.pool or self._start_readers()
            try:
                return self.pool.submit(read_page, *page)
            except BrokenProcessPool:  # a reader died with another page: a new pool takes this one
                self._drop_pool()
        raise BrokenProcessPool("page reader processes cannot be started")

    def _finish(self, path: Path, pending: _Pending, summary: ImportSummary) -> None:
        response = pending.response
        try:
            article = self._result(path, pending)
        except Exception as error:  # trafilatura on a pathological page, a reader killed twice ...
            self._fail(path, response.url, f"{type(error).__name__}: {error}", summary, stage="extract")
            return
        if not self.prefilter.passes(f"{article.title or ''}\n{article.text}".encode()):
            summary.off_topic += 1
            return
        article.source, article.feed_url = path.name, None
        article.aliases = [normalize_url(response.url)]
        if self.articles.store(article):
            summary.stored += 1
        else:
            summary.already_stored += 1

    def _result(self, path: Path, pending: _Pending) -> Article:
        """The page's article; a page whose reader died is read once more by a new one (the death may be
        another page's doing, every page in flight fails with the pool)."""
        try:
            return pending.future.result()
        except BrokenProcessPool:
            logger.error("a page reader process died reading %s; reading it again", pending.response.url)
            if self.pool is pending.pool:  # the first page to see it replaces the pool, the others use the new one
                self._drop_pool()
            return self._read(path, pending.response).result()

    def _drop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _unreadable(self, path: Path, item: Unreadable, summary: ImportSummary) -> None:
        message = f"unreadable data at offset {item.offset}: {item.error}"
        logger.warning("%s: %s", path.name, message)
        self._fail(path, f"{path.name}@{item.offset}", message, summary, stage="import")

    def _fail(self, path: Path, url: str, error: str, summary: ImportSummary, stage: str = "import") -> None:
        summary.failed += 1
        with self.db.conn:
            store.record_failure(self.db, Failure(url, stage, f"{path.name}: {error}", store.now()))

    def _checkpoint(self, path: Path, size: int, offset: int | None, records_done: int, finished: bool = False) -> None:
        """Written after every stored article, so a plain upsert: sqlite-utils' reads the table's schema at
        each call, which made the checkpoint cost half as much as storing the article."""
        with self.db.conn:
            store.insert_rows(self.db, "imports", [
                {"path": str(path), "name": path.name, "size": size, "last_offset": offset,
                 "records_done": records_done, "finished": int(finished), "updated_at": store.now()}
            ], upsert_on="path")  # fmt: skip


def _host(url: str) -> str:
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host.removeprefix("www.")


def import_warcs(
    paths: list[Path],
    db_path: str,
    feeds: Iterable[Feed] = (),
    workers: int = 1,
    max_bytes: int = 10 << 20,
    seconds_per_page: float = 20,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportSummary:
    """Import every file in ``paths`` into the database at ``db_path``; returns the totals."""
    db = open_db(db_path)
    importer = WarcImport(db, feeds, workers, max_bytes, seconds_per_page)
    total = ImportSummary()
    try:
        for path in paths:
            summary = importer.import_file(Path(path), progress)
            logger.info("%s: %s", Path(path).name, summary.line())
            total.add(summary)
    finally:
        importer.close()
        db.close()
    return total
