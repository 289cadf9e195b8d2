"""Tables, keys, indexes, full-text search and views of the migtrack database.

``ensure_schema`` is safe to call on every open: it creates what is missing and leaves existing data
alone, so old databases pick up new views and indexes.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from models.countries import country_rows
from models.normalise import iso_published, primary_language
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
            "etag": str,
            "last_modified": str,
            "body_hash": str,
            "last_changed": str,
            "consecutive_failures": int,
            "interval_seconds": int,
            "next_fetch": str,
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
            "story_id": str,
            "minhash": bytes,
            "raw_html": bytes,
            # why a stored article was not extracted (a language no pipeline reads)
            "note": str,
            # the file an article came from when it did not come from a crawl (a WARC file, a URL list)
            "source": str,
        },
        pk="id",
        foreign_keys=[("feed_url", "feeds", "url")],
    ),
    # other keys an article is known by (the link a feed listed, the address after redirects), so a listed
    # link behind a redirect is not fetched again at every change of its feed (issue 15)
    "article_urls": dict(
        columns={"url": str, "article_id": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    ),
    "outlets": dict(
        columns={
            "name": str,
            "country": str,
            "language": str,
            "n_feeds": int,
            "n_articles": int,
            "first_published": str,
            "last_published": str,
        },
        pk="name",
    ),
    "runs": dict(
        columns={
            "id": int,
            "started": str,
            "ended": str,
            "status": int,
            "feeds_read": int,
            "feeds_not_modified": int,
            "feeds_failed": int,
            "feeds_not_due": int,
            "articles_new": int,
            "positions_new": int,
            "failures_recorded": int,
        },
        pk="id",
    ),
    # one row per WARC file imported: how far the import got, so a rerun goes on from there
    "imports": dict(
        columns={
            "path": str,
            "name": str,
            "size": int,
            "last_offset": int,
            "records_done": int,
            "finished": int,
            "updated_at": str,
        },
        pk="path",
    ),
    "countries": dict(
        columns={
            "iso3": str,
            "iso2": str,
            "name": str,
            "region": str,
            "subregion": str,
            "latitude": float,
            "longitude": float,
        },
        pk="iso3",
    ),
    "stances": dict(
        columns={"name": str, "description": str, "cameo": str, "plover": str},
        pk="name",
    ),
    "entities": dict(
        columns={"id": str, "article_id": str, "text": str, "label": str, "start": int, "end": int, "country": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("country", "countries", "iso3")],
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
            "event_date": str,
            "date_source": str,
            # how much of event_date is known: day, month or year (then event_month is null)
            "date_precision": str,
            # distinct stories among its articles: syndicated copies (articles.story_id) count once
            "n_stories": int,
            # a denial links to the event it contradicts, and that event to its first denial
            "contradicts": str,
            "contradicted_by": str,
            # the time its own positions put it at (first and last day): what a report must lie near to join it
            "anchor_first": str,
            "anchor_last": str,
            "previous_stance": str,
            "representative_evidence": str,
            "representative_article_id": str,
            # where the first mention stands in report order: [reported, published, article id, offset]
            "report_order": str,
            # the highest confidence among its positions: how sure the surest report of it is
            "confidence": float,
        },
        pk="id",
        foreign_keys=[
            ("actor", "countries", "iso3"),
            ("stance", "stances", "name"),
            ("counterpart", "countries", "iso3"),
            ("first_article_id", "articles", "id"),
            ("representative_article_id", "articles", "id"),
        ],
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
            "confidence": float,
            "confidence_band": str,
            "extractor_version": str,
            "event_id": str,
        },
        pk="id",
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("event_id", "events", "id"),
            ("actor", "countries", "iso3"),
            ("stance", "stances", "name"),
            ("counterpart", "countries", "iso3"),
        ],
    ),
    "failures": dict(
        columns={"id": str, "url": str, "stage": str, "error": str, "occurred_at": str, "feed_url": str},
        pk="id",
    ),
}

# What the views, canned queries and facets filter or sort by (db/datasette/metadata.yml).
INDEXES = {
    "articles": [["url"], ["published"], ["processed_at"], ["outlet"], ["story_id"]],
    "positions": [["article_id"], ["stance", "actor"], ["actor", "counterpart"], ["counterpart"], ["event_id"]],
    "entities": [["article_id"], ["country"]],
    "events": [
        ["stance", "actor"],
        ["stance", "negated", "first_reported"],
        ["actor", "counterpart"],
        ["actor", "first_reported"],
        ["counterpart", "first_reported"],
        ["first_reported"],
        ["event_month", "stance"],
        ["event_year"],
    ],
    "countries": [["region"]],
    "failures": [["stage"]],
}

# Events with readable country names and their first report's link: the base of every view.
_EVENTS_NAMED = """
    select e.event_month, e.first_reported, e.last_reported,
           e.actor, ac.name as actor_name, e.stance, e.negated, e.counterpart, cc.name as counterpart_name,
           e.n_articles, e.n_outlets, e.evidence, a.url as source_url, a.outlet, e.cameo, e.plover,
           e.confidence, e.id as event_id
    from events e
    left join countries ac on ac.iso3 = e.actor
    left join countries cc on cc.iso3 = e.counterpart
    left join articles a on a.id = e.first_article_id
"""

VIEWS = {
    "timeline": _EVENTS_NAMED + "order by e.first_reported desc",
    # The stance views leave out negated events: "X did not agree" is not an agreement.
    "agreements": _EVENTS_NAMED + "where e.stance = 'agree' and e.negated = 0 order by e.first_reported desc",
    "refusals": _EVENTS_NAMED + "where e.stance = 'refuse' and e.negated = 0 order by e.first_reported desc",
    "proposals": _EVENTS_NAMED + "where e.stance = 'propose' and e.negated = 0 order by e.first_reported desc",
}


class DatabaseNotWritable(Exception):
    """The database file or its folder cannot be written (read-only, permissions)."""


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
    with _one_opener_at_a_time(path):
        try:
            existing = set(db.table_names())
        except sqlite3.OperationalError as error:  # a database we may not write, not a foreign file
            raise DatabaseNotWritable(
                f"cannot write database {path}: {error} (check the permissions of the file and its folder)"
            ) from error
        except sqlite3.DatabaseError as error:
            raise NotAMigtrackDatabase(f"{path} is not a SQLite database ({error}); refusing to touch it") from error
        if existing and not {"articles", "positions"} <= existing:
            raise NotAMigtrackDatabase(
                f"{path} is a SQLite database with other tables ({', '.join(sorted(existing)[:5])}); "
                "refusing to write migtrack tables into it: pass a new --db path"
            )
        db.enable_wal()
        # WAL with synchronous=NORMAL syncs at checkpoints, not at every commit: a killed process still loses
        # nothing committed, and a power cut can lose only the last commits, a suffix, never a page stored
        # before a feed's validators (written last); one fsync per stored page was a quarter of the crawl's
        # cost per page
        db.execute("pragma synchronous = normal")
        ensure_schema(db)
    return db


@contextmanager
def _one_opener_at_a_time(path: Path) -> Iterator[None]:
    """Processes opening one database at the same moment (crawlers in distributed mode) check and set up its
    schema one after the other.

    Run side by side on a new file, the set-up failed with "database is locked" (SQLite answers SQLITE_BUSY at
    once, without waiting, when two rollback-journal writers would deadlock) or "trigger already exists", and one
    process could see another's half-made schema and refuse the file as foreign. The lock is an flock on the
    database's folder: a lock file would fail in a read-only folder, and a second descriptor on the database
    file itself would drop SQLite's own POSIX locks when closed.
    """
    handle = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, spec in TABLES.items():
        if db[name].exists():  # older databases gain the columns added since
            for column, column_type in spec["columns"].items():
                if column not in db[name].columns_dict:
                    db[name].add_column(column, column_type)
        db[name].create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"), if_not_exists=True)
    _add_missing_foreign_keys(db)
    for table, indexes in INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns, if_not_exists=True)
    db["countries"].upsert_all(country_rows(), pk="iso3")
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
    _normalise_dates_and_languages(db)


def _normalise_dates_and_languages(db: sqlite_utils.Database) -> None:
    """Databases written before values were normalised on the way in (issue 15) hold RFC 822 and empty
    ``published`` values, which stopped every events build, and regional language tags ("en-US"), whose
    articles were never processed: rewrite them, and have events rebuilt when a date changed."""
    dates = db.execute(
        "select id, published from articles where published is not null "
        "and published not glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
    ).fetchall()
    languages = db.execute("select distinct language from articles where language glob '*[-_A-Z]*'").fetchall()
    if not dates and not languages:
        return
    with db.conn:
        db.conn.executemany("update articles set published = ? where id = ?", [(iso_published(p), i) for i, p in dates])
        for (tag,) in languages:
            try:
                db.execute("update articles set language = ? where language = ?", [primary_language(tag), tag])
            except ValueError:
                continue  # not a language tag: left as it is, and no pipeline reads it
        if dates:
            db.execute("update events set report_order = null")


def _add_missing_foreign_keys(db: sqlite_utils.Database) -> None:
    """Give tables created before a foreign key was declared that key, so Datasette shows labels.

    sqlite-utils rebuilds a table to add a key (once: keys already there are skipped); the rebuild drops
    the table's full-text triggers, which ``enable_fts(replace=True)`` then puts back.
    """
    missing = []
    for name, spec in TABLES.items():
        existing = {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
        missing += [(name, *fk) for fk in spec.get("foreign_keys", []) if tuple(fk) not in existing]
    if missing:
        db.add_foreign_keys(missing)
