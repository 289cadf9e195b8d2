"""Values from outside normalised before they are stored: publication dates and language tags.

Feeds write dates as RFC 822 ("Mon, 06 Jan 2025 11:00:00 GMT"), pages as ISO 8601, sitemaps as either,
and some write an empty string. Every later stage sorts and slices ``published`` as ISO text, so one
stored RFC 822 date stopped every later events build (issue 15): a date is stored as ISO 8601 or NULL.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import cache


def iso_published(value: object) -> str | None:
    """``value`` as ISO 8601 (a date, or a date and time when one was given), or None.

    Accepts ISO 8601 dates and timestamps, RFC 822 dates, ``time.struct_time`` (feedparser's
    ``published_parsed``) and ``date``/``datetime``; anything else, the empty string included, is None.
    """
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def primary_language(tag: object) -> str:
    """The primary subtag of a BCP 47 language tag, lower-cased: "en-US" and "EN_gb" are "en".

    Feeds write regional tags; only "en" was processed, so articles from a feed tagged "en-US" were
    stored and never read (issue 15). Raises ValueError for something that is not a language tag.
    """
    match = _LANGUAGE_TAG.match(str(tag).strip())
    if not match:
        raise ValueError(f"{tag!r} is not a language tag (expected ISO 639-1 such as 'en' or 'es', or 'en-US')")
    return match.group(1).lower()


# languages a news identifier is asked to choose among: the ones migtrack reads, and the ones most often
# mixed into its feeds (aggregators list Portuguese and French coverage beside English and Spanish)
DETECTABLE = ("en", "es", "pt", "fr", "de", "it")
MIN_DETECTION_CHARACTERS = 40  # shorter texts say too little to overrule what the feed declares


@cache
def language_identifier():
    """py3langid's model, restricted to ``DETECTABLE``; loaded once per process (it takes a fraction of a
    second, which page readers pay before their first page, not with it)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def detected_language(text: str) -> tuple[str | None, float]:
    """The language of ``text`` by py3langid (its model ships in the package) and its probability;
    (None, 0.0) for a text too short to tell."""
    if len(text.strip()) < MIN_DETECTION_CHARACTERS:
        return None, 0.0
    language, probability = language_identifier().classify(text[:5000])
    return language, float(probability)


def reading_language(declared: str | None, text: str, confidence: float = 0.9) -> tuple[str, str | None]:
    """The language to read ``text`` in, and a warning when it is not the declared one: the detected
    language wins when the identifier is confident (an aggregator mixing languages, a Spanish text marked
    English), the declared one otherwise."""
    detected, probability = detected_language(text)
    declared = primary_language(declared) if declared else None
    if detected is None or detected == declared:
        return declared or detected or "en", None
    if declared is None or probability >= confidence:
        warning = None if declared is None else f"declared {declared!r} but reads as {detected!r} ({probability:.2f})"
        return detected, warning
    return declared, None
