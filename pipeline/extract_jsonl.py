"""The ``migtrack extract`` contract: JSON Lines in, one JSON line out per line in, in order."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from pipeline.extract import MAX_TEXT_CHARACTERS, Extractor

log = logging.getLogger(__name__)


def _parse(line: str, number: int) -> tuple[object, str | None, str | None]:
    """(id, text, error) for one input line."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return None, None, f"line {number}: not JSON: {error.msg}"
    if not isinstance(row, dict):
        return None, None, f"line {number}: expected a JSON object, got {type(row).__name__}"
    text = row.get("text")
    if not isinstance(text, str):
        return row.get("id"), None, f'line {number}: no "text" string'
    if len(text) > MAX_TEXT_CHARACTERS:
        log.warning("line %d: text of %d characters truncated to %d", number, len(text), MAX_TEXT_CHARACTERS)
    return row.get("id"), text, None


def extract_jsonl(lines: Iterable[str], extractor: Extractor, batch_size: int = 64) -> Iterator[dict]:
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    while batch := list(islice(numbered, batch_size)):
        parsed = [_parse(line, n) for n, line in batch]
        for _, _, error in parsed:
            if error:
                log.warning("%s", error)
        texts = [text for _, text, error in parsed if error is None]
        results = iter(extractor.extract(texts))
        for doc_id, _, error in parsed:
            if error:
                yield {"id": doc_id, "error": error}
                continue
            result = next(results)
            yield {
                "id": doc_id,
                "positions": [p.to_json() for p in result.positions],
                "entities": [e.to_json() for e in result.entities],
            }
