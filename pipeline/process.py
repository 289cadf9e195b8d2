"""Run extraction over stored articles that are not processed yet (or were processed by an older
extractor), writing each article's results in one transaction as it goes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

import sqlite_utils

from db import store
from models import Failure
from pipeline.extract import Extractor, Extractors

log = logging.getLogger(__name__)


@dataclass
class ProcessSummary:
    articles: int = 0
    entities: int = 0
    positions: int = 0
    failed: int = 0
    skipped: int = 0  # in a language no pipeline reads


def process_articles(
    db: sqlite_utils.Database, extractors: Extractors | Extractor, advance: Callable[[int], None] = lambda n: None
) -> ProcessSummary:
    """Extract from every pending article, each by its language's extractor (loaded only when an article in
    that language is pending); a failing article is recorded and skipped, not fatal. Articles in a language
    no pipeline reads are marked with a note and never read by another language's rules."""
    summary = ProcessSummary()
    if not isinstance(extractors, Extractors):  # one language's extractor
        _process_language(db, extractors, advance, summary)
        return summary
    summary.skipped = store.mark_unreadable_languages(db, extractors.languages)
    for language in extractors.languages:
        if store.count_unprocessed(db, extractors.version(language), language):
            _process_language(db, extractors[language], advance, summary)
    return summary


def _process_language(
    db: sqlite_utils.Database, extractor: Extractor, advance: Callable[[int], None], summary: ProcessSummary
) -> None:
    # read a batch, then write it: never hold a read cursor open across our own writes
    while True:
        batch = list(
            islice(store.unprocessed_articles(db, extractor.version, extractor.language), extractor.batch_size)
        )
        if not batch:
            return
        try:
            results = list(extractor.extract(row["text"] or "" for row in batch))
        except Exception:  # one bad article must not stop the batch: retry one by one
            log.exception("batch extraction failed; retrying article by article")
            results = [_extract_or_record(db, extractor, row) for row in batch]
        for row, result in zip(batch, results, strict=True):
            if result is None:
                # marked as tried by this version so the loop moves on, its failure row says why, and the next
                # version tries again; what an earlier version found stays until a version succeeds (issue 15)
                store.mark_tried(db, row["id"], extractor.version)
                summary.failed += 1
                continue
            store.replace_results(db, row["id"], result.entities, result.positions, extractor.version)
            summary.articles += 1
            summary.entities += len(result.entities)
            summary.positions += len(result.positions)
        advance(len(batch))


def _extract_or_record(db: sqlite_utils.Database, extractor: Extractor, row: dict):
    try:
        return extractor.extract_one(row["text"] or "")
    except Exception as error:  # recorded with the article id, then the run goes on
        store.record_failure(db, Failure(row["id"], "process", f"{type(error).__name__}: {error}", store.now()))
        return None
