"""Events from positions (pipeline/events.py), on real SQLite files built row by row."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
import sqlite_utils

from db.schema import ensure_schema
from pipeline.events import build_events, stated_date


@pytest.fixture()
def db(tmp_path):
    database = sqlite_utils.Database(tmp_path / "events.db")
    ensure_schema(database)
    return database


def report(db, article_id, published, outlet, evidence, actor="COL", stance="refuse", counterpart="USA", negated=0):
    """One article carrying one position."""
    db["articles"].insert(
        {"id": article_id, "url": f"https://example.org/{article_id}", "published": published, "outlet": outlet}
    )
    db["positions"].insert(
        {
            "id": f"p-{article_id}",
            "article_id": article_id,
            "actor": actor,
            "stance": stance,
            "counterpart": counterpart,
            "negated": negated,
            "evidence": evidence,
            "start": 0,
        }
    )


def events_of(db):
    return list(db.query("select * from events order by event_date, first_reported"))


def test_reports_within_the_window_are_one_event_across_outlets(db):
    report(db, "a1", "2025-03-02", "Reuters", "Colombia refused the flights.")
    report(db, "a2", "2025-03-10", "AP", "Colombia refused U.S. deportation flights, officials said.")
    report(db, "a3", "2025-03-30", "Reuters", "Colombia refused the flights.")
    report(db, "a4", "2025-03-31", "El Tiempo", "Colombia refused the flights.")
    assert build_events(db) == 1
    (event,) = events_of(db)
    assert (event["first_reported"], event["last_reported"]) == ("2025-03-02", "2025-03-31")
    assert (event["n_positions"], event["n_articles"], event["n_outlets"]) == (4, 4, 3)
    assert (event["evidence"], event["first_article_id"]) == ("Colombia refused the flights.", "a1")
    # carried by two outlets, against one for the longer sentence
    assert (event["representative_evidence"], event["representative_article_id"]) == (
        "Colombia refused the flights.",
        "a1",
    )
    assert {r["event_id"] for r in db.query("select event_id from positions")} == {event["id"]}


def test_a_report_after_the_window_starts_a_new_event(db):
    report(db, "a1", "2025-03-02", "Reuters", "Colombia refused the flights.")
    report(db, "a2", "2025-04-02", "AP", "Colombia refused the flights again.")  # 31 days after the first
    assert build_events(db) == 2
    first, second = events_of(db)
    assert (first["first_reported"], second["first_reported"]) == ("2025-03-02", "2025-04-02")
    assert first["n_articles"] == second["n_articles"] == 1
    links = dict(db.execute("select id, event_id from positions").fetchall())
    assert links == {"p-a1": first["id"], "p-a2": second["id"]}


def test_the_representative_sentence_is_the_longest_among_equally_carried_ones(db):
    report(db, "a1", "2025-03-02", "Reuters", "Colombia refused.")
    report(db, "a2", "2025-03-03", "AP", "Colombia refused two U.S. military flights carrying 160 deportees.")
    build_events(db)
    (event,) = events_of(db)
    assert event["evidence"] == "Colombia refused."
    assert event["representative_evidence"].startswith("Colombia refused two U.S. military flights")
    assert event["representative_article_id"] == "a2"


def test_the_date_the_text_states_wins_over_the_publication_date(db):
    report(db, "a1", "2025-01-28", "AP", "On Jan. 26 Colombia turned back two flights.")
    report(db, "a2", "2025-01-28", "AP", "Guatemala accepted the flights.", actor="GTM")
    build_events(db)
    stated, published = (next(db.query("select * from events where actor = ?", [a])) for a in ("COL", "GTM"))
    assert (stated["event_date"], stated["date_source"], stated["first_reported"]) == (
        "2025-01-26",
        "text",
        "2025-01-28",
    )
    assert (stated["event_month"], stated["event_year"]) == ("2025-01", 2025)
    assert (published["event_date"], published["date_source"]) == ("2025-01-28", "published")


@pytest.mark.parametrize(
    ("evidence", "published", "expected"),
    [
        ("On Sunday, Colombia refused two U.S. military flights.", "2025-01-28", "2025-01-26"),
        ("Mexico agreed in January to take back migrants.", "2025-03-10T09:00:00+00:00", "2025-01-01"),
        ("Last week Guatemala said it would accept flights.", "2025-01-28", "2025-01-21"),
        ("In December 2024 Mexico accepted four flights.", "2025-01-28", "2024-12-01"),
        ("Colombia may accept 200 deportees.", "2025-01-28", None),  # the modal, not the month
        ("Honduras accepts two flights a week.", "2025-01-28", None),  # a rate, not a date
        ("Mexico accepted flights in 2019.", "2025-01-28", None),  # a year gives no month
        ("Venezuela will stop accepting flights starting Feb. 13.", "2024-02-01", None),  # a coming date
        ("The Bahamas has refused to accept U.S. deportation flights.", "2025-01-28", None),
    ],
)
def test_stated_dates_are_read_relative_to_the_publication_date(evidence, published, expected):
    assert stated_date(evidence, published) == expected


@pytest.mark.parametrize(
    "evidence",
    [
        "Jan Egeland said Norway would not accept the deportees.",  # a first name, not 1 January
        "Since 9/11 the United States has pressed its allies to take back nationals.",  # no date of this year
        "Mexico is expected to accept flights in May or June.",  # coming months
    ],
)
def test_names_and_anniversaries_are_not_dates(evidence):
    assert stated_date(evidence, "2025-03-10") is None


def _every_day_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_relative_dates_fall_where_the_calendar_puts_them_on_every_day_of_a_year():
    """Issue 15: "last month" landed 44-50 days back, in the wrong month on 197 days of 2025; and "on
    Sunday" in a Sunday report is that Sunday, not the one before (issue 12)."""
    for day in _every_day_of(2025):
        previous_month = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
        assert stated_date("Mexico refused the flights last month.", day.isoformat()) == previous_month.isoformat()
        assert stated_date("Two months ago Mexico agreed.", day.isoformat()) == (
            (previous_month - timedelta(days=1)).replace(day=1).isoformat()
        )
        assert stated_date("Colombia refused it yesterday.", day.isoformat()) == (day - timedelta(days=1)).isoformat()
        assert stated_date("Last week Guatemala agreed.", day.isoformat()) == (day - timedelta(days=7)).isoformat()
        sunday = stated_date("On Sunday, Colombia refused two flights.", day.isoformat())
        assert date.fromisoformat(sunday).weekday() == 6 and 0 <= (day - date.fromisoformat(sunday)).days < 7


def test_previous_stance_reads_a_refusal_then_its_reversal_as_a_sequence(db):
    report(db, "a1", "2025-01-26T10:00:00", "AP", "Colombia turned back two U.S. military flights.")
    report(db, "a2", "2025-01-26T23:00:00", "AP", "Colombia agreed to accept the flights.", stance="accept")
    report(db, "a3", "2025-01-27", "AP", "Colombia did not accept the flights.", stance="accept", negated=1)
    report(db, "a4", "2025-04-01", "AP", "Colombia suspended the flights.", stance="suspend")
    report(db, "a5", "2025-01-20", "AP", "Colombia accepted flights from Mexico.", stance="accept", counterpart="MEX")
    build_events(db)
    towards_usa = list(
        db.query(
            "select stance, negated, previous_stance from events where counterpart = 'USA' order by first_reported"
        )
    )
    assert [(e["stance"], e["negated"], e["previous_stance"]) for e in towards_usa] == [
        ("refuse", 0, None),
        ("accept", 0, "refuse"),
        ("accept", 1, "accept"),  # a negated report is not a status: the next event still follows "accept"
        ("suspend", 0, "accept"),
    ]
    assert next(db.query("select previous_stance from events where counterpart = 'MEX'"))["previous_stance"] is None


def test_rebuilding_gives_identical_rows_and_counts_follow_new_reports(db):
    report(db, "a1", "2025-03-02", "Reuters", "On March 1 Colombia refused the flights.")
    report(db, "a2", "2025-03-04", "AP", "Colombia refused the flights.")
    build_events(db)
    events, links = events_of(db), list(db.query("select id, event_id from positions order by id"))
    assert build_events(db) == 1
    assert events_of(db) == events and list(db.query("select id, event_id from positions order by id")) == links
    report(db, "a3", "2025-03-20", "El Tiempo", "Colombia refused the flights.")
    build_events(db)
    (event,) = events_of(db)
    assert event["id"] == events[0]["id"]  # a later report joins the event without changing its id
    assert (event["n_articles"], event["n_outlets"], event["last_reported"]) == (3, 3, "2025-03-20")


def test_every_demo_position_has_an_event(demo_db):
    with sqlite3.connect(demo_db) as con:
        unlinked = con.execute(
            "select count(*) from positions p left join events e on e.id = p.event_id where e.id is null"
        ).fetchone()[0]
        counts = con.execute("select min(n_articles), min(n_positions), count(*) from events").fetchone()
        mismatched = con.execute(
            "select count(*) from events e where n_positions != (select count(*) from positions where event_id = e.id)"
        ).fetchone()[0]
        sources = {row[0] for row in con.execute("select distinct date_source from events")}
    assert unlinked == 0
    assert counts[0] >= 1 and counts[1] >= 1 and counts[2] > 0
    assert mismatched == 0
    assert sources <= {"text", "published"}


def _events_and_links(db: sqlite_utils.Database) -> tuple[list[tuple], dict[str, str]]:
    events = sorted(tuple(row.values()) for row in db.query("select * from events"))
    return events, dict(db.execute("select id, event_id from positions").fetchall())


def _from_scratch(db: sqlite_utils.Database, path) -> tuple[list[tuple], dict[str, str]]:
    """What a full build gives on a copy of ``db`` as it is now."""
    copy = sqlite3.connect(path)
    db.conn.backup(copy)
    copy.close()
    scratch = sqlite_utils.Database(path)
    build_events(scratch, full=True)
    return _events_and_links(scratch)


def test_an_incremental_build_equals_a_build_from_scratch(demo_db, tmp_path):
    db = sqlite_utils.Database(tmp_path / "demo.db")
    sqlite3.connect(demo_db).backup(db.conn)
    build_events(db, full=True)
    # three articles processed again say nothing (their positions go), then what they said before (their
    # positions come back, unlinked, as processing writes them): the events of their keys change twice
    busiest = [r["article_id"] for r in db.query("select article_id from positions group by 1 order by count(*) desc")]
    taken = list(db.query("select * from positions where article_id in (?, ?, ?)", busiest[:3]))
    assert len(taken) > 10
    with db.conn:
        db.execute("delete from positions where article_id in (?, ?, ?)", busiest[:3])
    before = db.execute("select count(*) from events").fetchone()[0]
    assert build_events(db) < before
    assert _events_and_links(db) == _from_scratch(db, tmp_path / "after-delete.db")
    with db.conn:
        db["positions"].insert_all([{**row, "event_id": None} for row in taken])
    assert build_events(db) == before
    assert _events_and_links(db) == _from_scratch(db, tmp_path / "after-insert.db")
    # nothing changed: nothing to do, and still the same
    assert build_events(db) == before
    assert _events_and_links(db) == _from_scratch(db, tmp_path / "unchanged.db")
