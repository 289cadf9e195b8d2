"""Tables, keys, indexes, full-text search and views of the migtrack database.

``ensure_schema`` is safe to call on every open: it creates what is missing and leaves existing data
alone, so old databases pick up new views and indexes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from models.stances import STANCES

TABLES: dict[str, dict] = {
    "feeds": dict(
        columns={
            "url": str,
            "outlet": str,
            "language": str,
            "country": str,
            "aggregator": int,
            "last_fetched": str,
            "last_status": int,
            "entries": int,
            "last_error": str,
        },
        pk="url",
    ),
    "articles": dict(
        columns={
            "id": str,
            "url": str,
            "title": str,
            "published": str,
            "outlet": str,
            "language": str,
            "text": str,
            "author": str,
            "fetched_url": str,
            "feed_url": str,
            "fetched_at": str,
            "processed_at": str,
            "extractor_version": str,
        },
        pk="id",
        foreign_keys=[("feed_url", "feeds", "url")],
    ),
    "entities": dict(
        columns={"id": str, "article_id": str, "text": str, "label": str, "start": int, "end": int, "country": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    ),
    "events": dict(
        columns={
            "id": str,
            "actor": str,
            "stance": str,
            "counterpart": str,
            "negated": int,
            "event_month": str,
            "event_year": int,
            "first_reported": str,
            "last_reported": str,
            "n_positions": int,
            "n_articles": int,
            "n_outlets": int,
            "evidence": str,
            "first_article_id": str,
            "cameo": str,
            "plover": str,
        },
        pk="id",
    ),
    "positions": dict(
        columns={
            "id": str,
            "article_id": str,
            "sentence_index": int,
            "actor": str,
            "stance": str,
            "counterpart": str,
            "subject": str,
            "nationalities": str,
            "quantity": str,
            "negated": int,
            "hedged": int,
            "speaker": str,
            "evidence": str,
            "start": int,
            "end": int,
            "rule": str,
            "extractor_version": str,
            "event_id": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("event_id", "events", "id")],
    ),
    "failures": dict(
        columns={"id": str, "url": str, "stage": str, "error": str, "occurred_at": str, "feed_url": str},
        pk="id",
    ),
    "stances": dict(
        columns={"name": str, "description": str, "cameo": str, "plover": str},
        pk="name",
    ),
}

INDEXES = {
    "articles": [["url"], ["published"], ["processed_at"]],
    "positions": [["article_id"], ["stance", "actor"], ["actor", "counterpart"], ["event_id"]],
    "entities": [["article_id"], ["country"]],
    "events": [["stance", "actor"], ["event_month"], ["actor", "counterpart"]],
    "failures": [["stage"]],
}

VIEWS = {
    "timeline": """
        select e.event_month, e.actor, e.stance, e.counterpart, e.negated, e.n_articles, e.n_outlets,
               e.first_reported, e.last_reported, e.evidence, a.url as source_url, e.id as event_id
        from events e left join articles a on a.id = e.first_article_id
        order by e.first_reported desc
    """,
}


class NotAMigtrackDatabase(Exception):
    """The file given as the database is not SQLite, or is SQLite made by something else."""


def open_db(path: str | Path, create: bool = True) -> sqlite_utils.Database:
    """Open (and create if asked) a migtrack database, in WAL mode so readers never block the writer."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"database {path} does not exist: run 'migtrack crawl' or 'migtrack demo' first")
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    try:
        existing = set(db.table_names())
    except sqlite3.DatabaseError as error:
        raise NotAMigtrackDatabase(f"{path} is not a SQLite database ({error}); refusing to touch it") from error
    if existing and not {"articles", "positions"} <= existing:
        raise NotAMigtrackDatabase(
            f"{path} is a SQLite database with other tables ({', '.join(sorted(existing)[:5])}); "
            "refusing to write migtrack tables into it: pass a new --db path"
        )
    db.enable_wal()
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, spec in TABLES.items():
        db[name].create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"), if_not_exists=True)
    for table, indexes in INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns, if_not_exists=True)
    db["stances"].upsert_all(
        [
            {"name": s.name, "description": s.description, "cameo": s.cameo, "plover": s.plover}
            for s in STANCES.values()
        ],
        pk="name",
    )
    db["articles"].enable_fts(["title", "text"], create_triggers=True, replace=True)
    db["positions"].enable_fts(["evidence", "subject"], create_triggers=True, replace=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql, replace=True)
