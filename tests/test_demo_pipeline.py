"""The whole path for real: the demo corpus over loopback HTTP, the real Scrapy spider, spaCy, SQLite.

One session-scoped run of ``migtrack demo --no-serve`` and a second one on the same database
(the ``demo_runs`` fixture in conftest.py) feed every test here.
"""

from __future__ import annotations

import sqlite_utils

from pipeline.config import Settings
from tests.conftest import run_cli, table_counts


def test_demo_stores_the_corpus(demo_runs):
    db_path, first, _, counts = demo_runs
    assert counts["feeds"] == 6
    assert counts["articles"] >= 40
    assert counts["positions"] >= 20
    assert "6 feeds read" in first.stderr
    assert "63 new articles" in first.stderr
    assert "positions" in first.stderr and "events" in first.stderr
    # and its data package, which the Datasette it serves offers for download
    assert (db_path.with_name("migtrack-export") / "datapackage.json").is_file()


def test_the_demo_prints_what_a_person_reads(demo_runs, tmp_path):
    """Issue 14: by default the summary lines and warnings, not Scrapy's start-up logs and stats dump; -v
    brings the INFO records back."""
    _, first, _, _ = demo_runs
    lines = [line for line in first.stderr.splitlines() if line.strip()]
    assert len(lines) <= 8, first.stderr
    assert not [line for line in lines if " INFO " in line or " DEBUG " in line]
    assert [line.split(":")[0] for line in lines[-4:]] == ["crawl", "process", "database", "export"]
    verbose = run_cli("-v", "demo", "--no-serve", "--db", str(tmp_path / "migtrack.db"))
    assert verbose.returncode == 0 and " INFO scrapy" in verbose.stderr


def test_running_twice_adds_nothing(demo_runs):
    db_path, _, second, counts = demo_runs
    assert table_counts(db_path) == counts
    # unchanged feeds are recognised by their body hash: nothing is parsed or fetched again
    assert "0 feeds read, 6 not modified, 0 failed" in second.stderr
    assert "0 new articles" in second.stderr
    assert "0 articles processed" in second.stderr


def test_feed_state_is_kept_for_the_next_poll(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    for feed in db.query("select * from feeds"):
        assert feed["body_hash"] and feed["last_status"] == 200 and feed["consecutive_failures"] == 0
        assert 600 <= feed["interval_seconds"] <= 86400 and feed["next_fetch"] > feed["last_fetched"]


def test_articles_are_keyed_by_canonical_url_without_tracking(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    urls = [row["url"] for row in db.query("select url from articles")]
    assert len(urls) == len(set(urls))
    assert not [u for u in urls if "utm_" in u]
    assert all(u.startswith("http://news.migtrack-demo.example/") for u in urls)


def test_topic_feed_articles_are_credited_to_their_publishers(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    outlets = {row["outlet"] for row in db.query("select distinct outlet from articles")}
    assert outlets == {
        "Gulf Coast Courier",
        "Northern Star Wire",
        "Meridian Policy Review",
        "El Diario del Valle",
        "Agencia Latina de Noticias",
    }


def test_article_fields_come_from_the_page(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    rows = list(db.query("select title, published, author, text from articles"))
    assert all(r["title"] and r["text"] and len(r["text"]) > 500 for r in rows)
    assert all(r["published"] and "2019" <= r["published"][:4] <= "2026" for r in rows)
    assert sum(bool(r["author"]) for r in rows) >= 40
    assert not any("Cookie" in r["text"] or "Subscribe" in r["text"] for r in rows), "boilerplate left in text"


def test_a_missing_page_is_recorded_and_the_crawl_goes_on(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    (failure,) = db.query("select url, stage, error from failures")
    assert failure["url"].endswith("/withdrawn-story.html")
    assert (failure["stage"], failure["error"]) == ("fetch", "HTTP 404")


def test_positions_carry_their_evidence_and_rule(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    rows = list(db.query("select p.*, a.text as article_text from positions p join articles a on a.id = p.article_id"))
    floor = Settings().event_min_confidence
    for row in rows:
        assert row["article_text"][row["start"] : row["end"]] == row["evidence"]
        assert row["rule"] and row["extractor_version"]
        # a position the scorer is confident of is part of an event; a doubtful one is kept, in none
        assert bool(row["event_id"]) == (row["confidence"] >= floor)
    facts = {(r["actor"], r["stance"], r["counterpart"]) for r in rows}
    assert ("MEX", "accept", "USA") in facts
    assert ("BHS", "refuse", "USA") in facts
    assert ("COL", "refuse", "USA") in facts
    assert ("COL", "accept", "USA") in facts
    assert ("SLV", "agree", "USA") in facts
    assert ("MEX", "propose", "USA") in facts


def test_off_topic_articles_yield_no_positions(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    off_topic = [
        "bitcoin",
        "bolivar",
        "copa-america",
        "world-cup",
        "canal-drought",
        "cycling",
        "usmca",
        "banxico",
        "dorian",
        "iota",
        "copa-oro",
        "otis",
    ]
    rows = list(
        db.query(
            "select a.url, count(p.id) n from articles a left join positions p on p.article_id = a.id group by a.id"
        )
    )
    leaks = [r for r in rows if any(word in r["url"] for word in off_topic) and r["n"]]
    assert not leaks


def test_a_foreign_sqlite_file_is_refused_not_overwritten(tmp_path):
    foreign = tmp_path / "other.db"
    sqlite_utils.Database(foreign)["recipes"].insert({"name": "soup"})
    before = foreign.read_bytes()
    result = run_cli("process", "--db", str(foreign))
    assert result.returncode == 1
    assert "refusing to write migtrack tables into it" in result.stderr
    assert foreign.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    result = run_cli("process", "--db", str(junk))
    assert result.returncode == 1
    assert "is not a SQLite database" in result.stderr
    assert junk.read_bytes() == b"this is not a database" * 100


def test_outlets_are_listed_with_their_country(demo_runs):
    db = sqlite_utils.Database(demo_runs[0])
    outlets = {r["name"]: r for r in db.query("select * from outlets")}
    assert outlets["Gulf Coast Courier"]["country"] == "USA"
    assert outlets["Gulf Coast Courier"]["n_articles"] == 15
    assert outlets["Deportation Diplomacy Topics"]["n_articles"] == 0  # an aggregator: credited to publishers
    assert sum(o["n_articles"] for o in outlets.values()) == db["articles"].count
