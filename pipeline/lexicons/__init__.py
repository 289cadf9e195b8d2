"""Data files the spaCy components read: country aliases, officials, stance cues, quantities.

Everything the extractor knows about the world lives here as JSON Lines, so extending it is a data
change reviewed like any other, and the extractor version changes with the data (see ``digest``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

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
    "stance_families_wordnet.json",
    "lemma_repairs.json",
    "tokenizer.json",
    "scorer.json",
    "counterparts.json",
    "descriptions.json",
)


LANGUAGES = ("en", "es")
WORDNET_FAMILIES = "stance_families_wordnet.json"


def lexicon_path(name: str, language: str = "en") -> Traversable:
    """A data file of the language's own folder (``es/countries.jsonl``), English files at the top."""
    return LEXICON_DIR / name if language == "en" else LEXICON_DIR / language / name


def read_jsonl(name: str, language: str = "en") -> list[dict]:
    return load_jsonl(lexicon_path(name, language))


def read_json(name: str, language: str = "en") -> dict:
    return json.loads(lexicon_path(name, language).read_text(encoding="utf-8"))


def read_trained(name: str, language: str = "en") -> dict | None:
    """A trained component's weights (``scorer.json``, ``counterparts.json``), or None before its first
    training: the component then leaves the rules' readings as they are."""
    try:
        return read_json(name, language)
    except FileNotFoundError:
        return None


@cache
def digest(language: str = "en") -> str:
    """A short hash of the language's lexicon files: part of the extractor version, so edits trigger
    reprocessing. A language reads the English files too (shared word lists, the English alias table)."""
    sha = hashlib.sha1()
    for folder in dict.fromkeys(["en", language]):
        for name in FILES:
            path = lexicon_path(name, folder)
            if path.is_file():  # a language has only the files it overrides; the scorer's once trained
                sha.update(path.read_bytes())
    return sha.hexdigest()[:8]


@cache
def stance_families(language: str) -> dict[str, frozenset[str]]:
    """Per stance, the words of its family: the relevance gate, the stance finder's proposals and the
    position scorer's features read the same lists. ``stance_families.json`` holds the words drawn from the
    train split and the guidelines; where the language has one, ``stance_families_wordnet.json`` adds the
    WordNet words kept on review (``pipeline/lexicons/wordnet_families.py``). A phrase is a verb with its
    particle or object ("call off", "dar luz")."""
    families = {stance: set(words) for stance, words in read_json("stance_families.json", language).items()}
    if lexicon_path(WORDNET_FAMILIES, language).is_file():
        for stance, words in read_json(WORDNET_FAMILIES, language).items():
            families.setdefault(stance, set()).update(words)
    return {stance: frozenset(words) for stance, words in families.items() if not stance.startswith("_")}


@cache
def common_family_words(language: str) -> frozenset[str]:
    """The family words too common to mean their stance alone ("take", "send", "work"): they open no relevance
    gate by themselves and govern no pattern's cue (``_not_gate_cues`` of ``stance_families.json``)."""
    return frozenset(read_json("stance_families.json", language)["_not_gate_cues"])


@cache
def family_index(language: str) -> dict[str, tuple[str, ...]]:
    """Each family word with the stances whose family holds it: one lookup per word where reading every
    word of a parsed sentence against ten sets cost the extractor a tenth of its time."""
    index: dict[str, list[str]] = {}
    for stance, words in stance_families(language).items():
        for word in words:
            index.setdefault(word, []).append(stance)
    return {word: tuple(stances) for word, stances in index.items()}
