"""Writes into the migtrack database: idempotent upserts and the "not yet processed" queue.

Every write is keyed by a content-derived id, so re-running any stage replaces rows instead of
adding copies, and each article's extraction results are replaced in one transaction, so a crash
leaves either the old results or the new ones, never half of each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import sqlite_utils

from models import Article, Entity, Failure, Feed, FeedCheck, Position
from models.normalise import iso_published
from models.records import confidence_band, stable_id


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def upsert_feeds(db: sqlite_utils.Database, feeds: Iterable[Feed]) -> None:
    db["feeds"].upsert_all(
        [
            {"url": f.url, "outlet": f.outlet, "language": f.language, "country": f.country, "aggregator": f.aggregator}
            for f in feeds
        ],
        pk="url",
    )


def refresh_outlets(db: sqlite_utils.Database) -> None:
    """One row per outlet: its home country and language (from its own feeds, not aggregators'), how
    many feeds and articles it has here, and the span of its articles' dates."""
    with db.conn:
        db.execute("delete from outlets")
        db.execute(
            """
            insert into outlets (name, country, language, n_feeds, n_articles, first_published, last_published)
            select name,
                   (select country from feeds f where f.outlet = name and not coalesce(f.aggregator, 0) limit 1),
                   (select language from feeds f where f.outlet = name limit 1),
                   (select count(*) from feeds f where f.outlet = name),
                   (select count(*) from articles a where a.outlet = name),
                   (select min(published) from articles a where a.outlet = name),
                   (select max(published) from articles a where a.outlet = name)
            from (select outlet as name from feeds union select outlet from articles) where name is not null
            """
        )


def refresh_statistics(db: sqlite_utils.Database) -> None:
    """Let SQLite's query planner know the tables' sizes, as its documentation asks of every connection that
    changed much (``pragma optimize``), on a sample of each index so it costs milliseconds at any size.

    Without statistics the event build's queries on a million positions took plans that made a 200-article
    cycle 12 s instead of 9 (BENCHMARKS.md, "Datasette at scale")."""
    db.execute("pragma analysis_limit = 1000")
    db.execute("pragma optimize")


def feed_states(db: sqlite_utils.Database) -> dict[str, dict]:
    """What the crawler knows about each feed: validators, body hash, failures, schedule."""
    return {row["url"]: row for row in db.query("select * from feeds")}


def record_feed_fetch(
    db: sqlite_utils.Database, check: FeedCheck, failures: int, interval: int, next_fetch: str
) -> None:
    """The outcome of one fetch. Validators and hash are kept from the last successful fetch."""
    row = {
        "url": check.url,
        "last_fetched": now(),
        "last_status": check.status,
        "last_error": check.error,
        "consecutive_failures": failures,
        "interval_seconds": interval,
        "next_fetch": next_fetch,
    }
    if check.error is None and check.changed:
        row.update(entries=check.entries, etag=check.etag, last_modified=check.last_modified,
                   body_hash=check.body_hash, last_changed=row["last_fetched"])  # fmt: skip
    db["feeds"].upsert(row, pk="url")


def record_run(db: sqlite_utils.Database, started: str, status: int, crawled, positions_new: int) -> None:
    """One row per scheduled cycle, so an operator can see days later what each did and what failed."""
    db["runs"].insert(
        {
            "started": started,
            "ended": now(),
            "status": status,
            "feeds_read": crawled.feeds_read,
            "feeds_not_modified": crawled.feeds_not_modified,
            "feeds_failed": crawled.feeds_failed,
            "feeds_not_due": crawled.feeds_not_due,
            "articles_new": crawled.articles_new,
            "positions_new": positions_new,
            "failures_recorded": crawled.failures,
        }
    )


def record_feed_validators(db: sqlite_utils.Database, check: FeedCheck) -> None:
    """ETag, Last-Modified and body hash of a feed whose listed pages have all been dealt with."""
    db["feeds"].update(
        check.url, {"etag": check.etag, "last_modified": check.last_modified, "body_hash": check.body_hash}
    )


def known_article_urls(db: sqlite_utils.Database) -> set[str]:
    """Every URL an article was fetched from or is known by: such pages are not fetched again."""
    known = {url for row in db.execute("select url, fetched_url from articles").fetchall() for url in row if url}
    return known | {url for (url,) in db.execute("select url from article_urls")}


def is_known_url(db: sqlite_utils.Database, url: str) -> bool:
    """Whether an article is stored under ``url`` (normalised), as its key or as another address of it."""
    return (
        db.execute(
            "select 1 from articles where url = ? union all select 1 from article_urls where url = ? limit 1",
            [url, url],
        ).fetchone()
        is not None
    )


def key_held_by_another_page(db: sqlite_utils.Database, article: Article) -> bool:
    """Whether the article's key is stored for a page fetched from another address: two pages declaring one
    canonical link are two articles, and the second must not replace the first (issue 15)."""
    row = db.execute("select fetched_url from articles where id = ?", [article.id]).fetchone()
    return row is not None and row[0] is not None and row[0] != article.fetched_url


def upsert_article(db: sqlite_utils.Database, article: Article) -> bool:
    """Store an article and the other keys it is known by; returns True when it was new.

    An article already stored keeps its processing state unless its text changed, so a re-crawl
    does not force re-extraction of unchanged pages.
    """
    row = article.row()
    row["published"] = iso_published(row["published"])
    existing = db.execute("select text from articles where id = ?", [row["id"]]).fetchone()
    with db.conn:
        if not (existing and existing[0] == row["text"]):
            row.update(processed_at=None, extractor_version=None)
            insert_rows(db, "articles", [row], upsert_on="id")
        db.conn.executemany(
            "insert or ignore into article_urls (url, article_id) values (?, ?)",
            [(alias, row["id"]) for alias in article.aliases if alias != row["url"]],
        )
    return existing is None


def record_failure(db: sqlite_utils.Database, failure: Failure) -> None:
    db["failures"].upsert(failure.row(), pk="id")


def unprocessed_articles(db: sqlite_utils.Database, extractor_version: str, language: str = "en") -> Iterator[dict]:
    """Articles never processed, or processed by another extractor version, oldest first."""
    yield from db.query(
        "select id, text, published, outlet from articles "
        "where language = ? and (processed_at is null or extractor_version is not ?) order by rowid",
        [language, extractor_version],
    )


def count_unprocessed(db: sqlite_utils.Database, extractor_version: str, language: str = "en") -> int:
    return db.execute(
        "select count(*) from articles where language = ? and (processed_at is null or extractor_version is not ?)",
        [language, extractor_version],
    ).fetchone()[0]


def position_row(article_id: str, position: Position, extractor_version: str) -> dict:
    row = position.to_json()
    row.update(
        id=stable_id(article_id, position.start, position.actor, position.stance, position.counterpart, position.rule),
        article_id=article_id,
        sentence_index=position.sentence_index,
        nationalities=json.dumps(position.nationalities),
        negated=int(position.negated),
        hedged=int(position.hedged),
        rule=position.rule,
        confidence_band=confidence_band(position.confidence),
        extractor_version=extractor_version,
    )
    return row


def entity_row(article_id: str, entity: Entity) -> dict:
    return {
        "id": stable_id(article_id, entity.start, entity.end, entity.label),
        "article_id": article_id,
        **entity.to_json(),
    }


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict], upsert_on: str | None = None) -> None:
    """Plain executemany, because sqlite-utils' insert_all commits on its own and would split the
    caller's transaction in two (and its upsert reads the table's schema at every call, which was most of
    the crawl's storage cost per article). Rows with a key already stored are replaced, or with
    ``upsert_on`` (the key column) updated in place, which keeps full-text indexes' triggers in step."""
    if not rows:
        return
    columns = list(rows[0])
    quoted = [sqlite_utils.db.quote_identifier(c) for c in columns]
    sql = "insert {}into {} ({}) values ({})".format(
        "" if upsert_on else "or replace ",
        sqlite_utils.db.quote_identifier(table),
        ", ".join(quoted),
        ", ".join("?" for _ in columns),
    )
    if upsert_on:
        sql += " on conflict({}) do update set {}".format(
            sqlite_utils.db.quote_identifier(upsert_on), ", ".join(f"{q} = excluded.{q}" for q in quoted)
        )
    db.conn.executemany(sql, [[row[c] for c in columns] for row in rows])


def replace_results(
    db: sqlite_utils.Database,
    article_id: str,
    entities: list[Entity],
    positions: list[Position],
    extractor_version: str,
) -> None:
    """Swap an article's entities and positions for new ones and mark it processed, atomically."""
    with db.conn:
        db.execute("delete from entities where article_id = ?", [article_id])
        db.execute("delete from positions where article_id = ?", [article_id])
        insert_rows(db, "entities", [entity_row(article_id, e) for e in entities])
        insert_rows(db, "positions", [position_row(article_id, p, extractor_version) for p in positions])
        _mark_processed(db, article_id, extractor_version)


def mark_tried(db: sqlite_utils.Database, article_id: str, extractor_version: str) -> None:
    """Mark an article whose extraction failed as done by this version, keeping the results it had."""
    with db.conn:
        _mark_processed(db, article_id, extractor_version)


def _mark_processed(db: sqlite_utils.Database, article_id: str, extractor_version: str) -> None:
    db.execute(
        "update articles set processed_at = ?, extractor_version = ? where id = ?",
        [now(), extractor_version, article_id],
    )


def mark_unreadable_languages(db: sqlite_utils.Database, languages: tuple[str, ...]) -> int:
    """Articles in a language no pipeline reads are stored, marked done with a note saying why, and never
    read by another language's rules; returns how many were newly marked."""
    placeholders = ", ".join("?" for _ in languages)
    with db.conn:
        cursor = db.execute(
            f"update articles set processed_at = ?, extractor_version = null, "
            f"note = 'not extracted: no pipeline reads ' || coalesce(language, 'an unknown language') "
            f"where processed_at is null and coalesce(language, '') not in ({placeholders})",
            [now(), *languages],
        )
    return cursor.rowcount
