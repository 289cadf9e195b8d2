"""Page readers: main-text extraction in worker processes, beside the crawl.

Extracting a page's text (trafilatura) and its signature costs more CPU than fetching it, and a Scrapy
crawl runs on one thread: done in the spider's callback, extraction left the crawl at a third of the
pages per second of a spider that only fetches (BENCHMARKS.md, "Crawling"). Handed to worker processes,
it runs on the other cores while the crawl's thread fetches and stores. ``workers = 0`` reads pages in
the crawl's own thread, as before.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from models import Article
from models.normalise import language_identifier
from spiders.articles import read_page

logger = logging.getLogger(__name__)


def exit_with_parent(parent_pid: int) -> None:
    """Started in every reader: ends it once the crawl that started it is gone.

    A crawl killed with SIGKILL cannot shut its readers down, and an idle reader waits on a queue whose
    writing end it holds itself, so it never sees the crawl go: it lived on, and kept the crawl's stderr
    open for whoever waited on it (tests/test_reliability_faults.py, test_sigkill_during_a_crawl_...)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def reader_pool(workers: int, fork: bool = False) -> ProcessPoolExecutor:
    """Worker processes for ``read_page``, each ending when the process that started it is gone.

    Spawned by default: a fork of the crawl would copy its reactor, threads and open sockets. ``fork``
    asks for forked workers where the caller has nothing of the kind (a WARC import reads in one thread):
    they start with trafilatura and the language identifier already loaded instead of loading them again,
    half a second of every run. A fork is only taken while this process has no other thread, since a
    thread caught holding a lock (the progress bar's, a stream's) would leave it held in the copy."""
    start_method = "fork" if fork and threading.active_count() == 1 else "spawn"
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(start_method),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )


def prepare_reader() -> None:
    """Loads what reading a page needs and a fork does not bring along (the language identifier's model),
    so the first page handed to a new reader does not wait for it."""
    language_identifier()


class ReaderDied(Exception):
    """Workers reading a page died (killed, out of memory, a crash in C code) twice in a row."""


class PageReaders:
    """A pool of ``workers`` processes, started at the first page, so a crawl that finds nothing new
    never pays for starting them."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    async def read(self, *page) -> Article:
        """``read_page(*page)`` in a worker; ExtractionTimeout and NoArticleText come back as raised.

        A page whose reader died is read once more by a new one: the death may have been another page's
        doing (every page in flight fails with the pool), and a page failed here is not fetched again until
        its feed changes. A page that kills its reader twice is a failure."""
        if self.workers <= 0:
            return read_page(*page)
        for _ in range(2):
            pool = self.pool = self.pool or reader_pool(self.workers)
            try:
                return await asyncio.wrap_future(pool.submit(read_page, *page))
            except BrokenProcessPool as error:
                died = error
                if self.pool is pool:  # the first page to see it replaces the pool
                    logger.error("a page reader process died (%s); starting a new one", error)
                    self.pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
        raise ReaderDied(f"page reader processes died twice reading this page: {died}")

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
