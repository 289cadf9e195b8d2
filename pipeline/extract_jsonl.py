"""The ``migtrack extract`` contract: JSON Lines in, one JSON line out per line in, in order.

Lines that name the same page (``source_url``, as the labelled sets do, or ``url``) are read as sentences
of one article, in their order (``pipeline.extract``): a pronoun or "the ministry" in one can stand for the
country an earlier one names. Pages are gathered within windows of ``WINDOW`` lines, so the input still
streams."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from models.normalise import primary_language
from pipeline.extract import MAX_TEXT_CHARACTERS, Extractors, NoPipeline, pages_of

log = logging.getLogger(__name__)

WINDOW = 1024  # lines read together: a page's lines further apart than this are read as two pages


class _Line(NamedTuple):
    id: object
    text: str | None = None
    language: str | None = None
    page: str | None = None
    error: str | None = None


def _parse(line: str, number: int) -> _Line:
    """One input line; its language ("en" or "es") and page are optional."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return _Line(None, error=f"line {number}: not JSON: {error.msg}")
    if not isinstance(row, dict):
        return _Line(None, error=f"line {number}: expected a JSON object, got {type(row).__name__}")
    text = row.get("text")
    if not isinstance(text, str):
        return _Line(row.get("id"), error=f'line {number}: no "text" string')
    language = row.get("language")
    if language is not None:
        try:
            language = primary_language(language)
        except ValueError as error:
            return _Line(row.get("id"), error=f"line {number}: {error}")
    if len(text) > MAX_TEXT_CHARACTERS:
        log.warning("line %d: text of %d characters truncated to %d", number, len(text), MAX_TEXT_CHARACTERS)
    (page,) = pages_of([row])
    return _Line(row.get("id"), text, language, page if isinstance(page, str) else None)


def extract_jsonl(lines: Iterable[str], extractors: Extractors, window: int = WINDOW) -> Iterator[dict]:
    """Each line read in its language, with the lines of its page; a line in a language no pipeline reads
    gets an error line."""
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    while batch := list(islice(numbered, window)):
        parsed = [_parse(line, n) for n, line in batch]
        for line in parsed:
            if line.error:
                log.warning("%s", line.error)
        readable = [line for line in parsed if line.error is None]
        results = iter(
            extractors.read(
                [line.text for line in readable], [line.language for line in readable], [line.page for line in readable]
            )
        )
        for doc_id, _, _, _, error in parsed:
            if error:
                yield {"id": doc_id, "error": error}
                continue
            result = next(results)
            if isinstance(result, NoPipeline):
                yield {"id": doc_id, "error": str(result), "positions": [], "entities": []}
                continue
            yield {
                "id": doc_id,
                "positions": [p.to_json() for p in result.positions],
                "entities": [e.to_json() for e in result.entities],
            }
