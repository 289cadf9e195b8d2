"""The ``migtrack extract`` contract: JSON Lines in, one JSON line out per line in, in order."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from models.normalise import primary_language
from pipeline.extract import MAX_TEXT_CHARACTERS, Extractors, NoPipeline

log = logging.getLogger(__name__)


def _parse(line: str, number: int) -> tuple[object, str | None, str | None, str | None]:
    """(id, text, language, error) for one input line; the language is optional ("en" or "es")."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return None, None, None, f"line {number}: not JSON: {error.msg}"
    if not isinstance(row, dict):
        return None, None, None, f"line {number}: expected a JSON object, got {type(row).__name__}"
    text = row.get("text")
    if not isinstance(text, str):
        return row.get("id"), None, None, f'line {number}: no "text" string'
    language = row.get("language")
    if language is not None:
        try:
            language = primary_language(language)
        except ValueError as error:
            return row.get("id"), None, None, f"line {number}: {error}"
    if len(text) > MAX_TEXT_CHARACTERS:
        log.warning("line %d: text of %d characters truncated to %d", number, len(text), MAX_TEXT_CHARACTERS)
    return row.get("id"), text, language, None


def extract_jsonl(lines: Iterable[str], extractors: Extractors, batch_size: int = 64) -> Iterator[dict]:
    """Each line read in its language; a line in a language no pipeline reads gets an error line."""
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    while batch := list(islice(numbered, batch_size)):
        parsed = [_parse(line, n) for n, line in batch]
        for _, _, _, error in parsed:
            if error:
                log.warning("%s", error)
        readable = [(text, language) for _, text, language, error in parsed if error is None]
        results = iter(extractors.read([text for text, _ in readable], [language for _, language in readable]))
        for doc_id, _, _, error in parsed:
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
