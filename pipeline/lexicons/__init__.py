"""Data files the spaCy components read: country aliases, officials, stance cues, quantities.

Everything the extractor knows about the world lives here as JSON Lines, so extending it is a data
change reviewed like any other, and the extractor version changes with the data (see ``digest``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files

from pipeline.jsonl import load_jsonl

# a folder, or a folder inside a zipped egg: Scrapyd runs a deployed project from its egg (README, Scrapyd)
LEXICON_DIR = files(__name__)
FILES = (
    "countries.jsonl",
    "officials.jsonl",
    "stances.jsonl",
    "quantities.jsonl",
    "relevance.json",
    "roles.json",
    "not_countries.json",
    "stance_families.json",
    "scorer_en.json",
)


def read_jsonl(name: str) -> list[dict]:
    return load_jsonl(LEXICON_DIR / name)


def read_json(name: str) -> dict:
    return json.loads((LEXICON_DIR / name).read_text(encoding="utf-8"))


@cache
def digest() -> str:
    """A short hash of every lexicon file: part of the extractor version, so edits trigger reprocessing."""
    sha = hashlib.sha1()
    for name in FILES:
        path = LEXICON_DIR / name
        if path.is_file():  # the scorer's weights exist once it has been trained
            sha.update(path.read_bytes())
    return sha.hexdigest()[:8]
