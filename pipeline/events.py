"""Positions -> events: what one country did towards another, once, however many reports tell it.

The same fact is reported by many outlets and many times (wire copies, follow-ups, a later story recalling
it in a clause), so mentions (``positions``) are clustered into events. The positions of one actor and
stance are read together, in report order, and clustered by ``pipeline.event_clusters``: by counterpart and
negation, by the time each sentence states (``pipeline.event_dates``), a report without a counterpart
joining the one event that fits, a denial linked to the event it contradicts. The subject is not part of the
key: it is free text ("flights", "deportation flights", "two U.S. military aircraft") and would split one
fact into as many events as phrasings.

``build_events`` runs after each ``migtrack process`` and recomputes the events of every actor and stance
whose positions changed, whole, so counts stay current as new reports arrive (GDELT freezes them after first
sight) and the result is always what a rebuild from scratch would give; ``bench.datasette_speed`` times
both on a million positions.
"""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import groupby

import sqlite_utils

from db import store
from pipeline.event_clusters import WINDOW_DAYS, Event, cluster
from pipeline.event_dates import stated_date, stated_when

__all__ = ["WINDOW_DAYS", "build_events", "stated_date", "stated_when"]

# Sorted by group, then report order, so each group's positions arrive together and in the order reported.
EVENTS_SQL = """
select p.id as position_id, p.actor, p.stance, p.counterpart, coalesce(p.negated, 0) as negated,
       p.evidence, p.article_id, p.start, p.event_id, p.confidence, a.outlet, a.story_id,
       coalesce(substr(a.published, 1, 10), substr(a.fetched_at, 1, 10)) as reported,
       coalesce(a.published, a.fetched_at) as published_at
from positions p join articles a on a.id = p.article_id {only_changed}
order by p.actor, p.stance, reported, published_at, p.article_id, p.start
"""
# The groups to recompute: positions not linked to an event yet (new, or rewritten when their article was
# processed again) and events that lost positions (an article processed again says less).
CHANGED_GROUPS_SQL = """
create temp table changed_groups as
select distinct actor, stance from positions where event_id is null
union
select actor, stance from events e
where n_positions != (select count(*) from positions p where p.event_id = e.id)
"""
# actor and stance with "=", so the (stance, actor) index finds a group's positions
ONLY_CHANGED = "join temp.changed_groups k on p.stance = k.stance and p.actor = k.actor"
CHANGED_EVENTS = """select e.id from events e join temp.changed_groups k on e.stance = k.stance
    and e.actor = k.actor"""
PAIR_EVENTS = """select e.* from events e join temp.changed_pairs k
    on e.actor = k.actor and e.counterpart is k.counterpart"""


def _sequence(event: dict) -> tuple:
    """Where an event stands in its actor and counterpart's history. Two stances first reported in one
    sentence ("refused and demanded") tie on everything else, so stance and negation settle it."""
    return (
        event["event_date"] or "",
        event["first_reported"] or "",
        json.loads(event["report_order"]),
        event["stance"],
        event["negated"],
    )


def _set_previous_stances(rows: list[dict]) -> None:
    """Give each event the stance of the same actor and counterpart's previous event.

    Events are ordered by event date, then first report, then the order of their first mention, so a
    refusal and its reversal reported the same day (Colombia, January 2025) keep the order they were
    reported in. Negated events ("did not accept") are not a status of their own: they get the status
    before them but do not become the next event's previous stance.
    """
    pairs: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        pairs[(row["actor"], row["counterpart"])].append(row)
    for events in pairs.values():
        events.sort(key=_sequence)
        previous = None
        for row in events:
            row["previous_stance"] = previous
            if not row["negated"]:
                previous = row["stance"]


def _read_events(db: sqlite_utils.Database, only_changed: bool) -> tuple[list[dict], list[tuple[str, str]]]:
    """Events of every group (or only of the changed groups) from their positions, in report order, and the
    (event, position) links that differ from the stored ones."""
    events: list[Event] = []
    current: dict[str, str | None] = {}
    for (actor, stance), rows in groupby(
        db.query(EVENTS_SQL.format(only_changed=ONLY_CHANGED if only_changed else "")),
        key=lambda r: (r["actor"], r["stance"]),
    ):
        rows = list(rows)
        current.update((row["position_id"], row["event_id"]) for row in rows)
        events += cluster(actor, stance, rows)
    built = {id(event): event.row() for event in events}
    rows, stale_links = [], []
    for event in events:
        row = built[id(event)]
        if event.contradicts is not None:
            row["contradicts"] = built[id(event.contradicts)]["id"]
        if event.contradicted_by is not None:
            row["contradicted_by"] = built[id(event.contradicted_by)]["id"]
        rows.append(row)
        stale_links += [
            (row["id"], r.row["position_id"]) for r in event.reports if current[r.row["position_id"]] != row["id"]
        ]
    rows.sort(key=lambda r: json.loads(r["report_order"]))
    return rows, stale_links


def build_events(db: sqlite_utils.Database, full: bool = False) -> int:
    """Recompute the events of every actor and stance whose positions changed (with ``full``, of every one),
    link each position to its event, and return how many events there are.

    A group is recomputed whole, from all its positions, so the result equals a rebuild from scratch
    (tests/test_events.py holds the two together); previous stances are redone for every actor and
    counterpart whose events changed. One transaction; only positions whose event changed are rewritten.
    """
    # a database whose events predate report_order, or the grouping by actor and stance (n_stories came with
    # it), is rebuilt whole once
    full = (
        full
        or db.execute("select count(*) from events where report_order is null or n_stories is null").fetchone()[0] > 0
    )
    with db.conn:
        if not full:
            db.execute("drop table if exists temp.changed_groups")
            db.execute(CHANGED_GROUPS_SQL)
        rows, stale_links = _read_events(db, only_changed=not full)
        if full:
            db.execute("delete from events")
            neighbours = []
        else:
            pairs = set(db.execute(f"select distinct actor, counterpart from events where id in ({CHANGED_EVENTS})"))
            pairs |= {(r["actor"], r["counterpart"]) for r in rows}
            db.execute(f"delete from events where id in ({CHANGED_EVENTS})")
            # the other events of a changed actor and counterpart may follow another stance now
            db.execute("drop table if exists temp.changed_pairs")
            db.execute("create temp table changed_pairs (actor text, counterpart text)")
            db.conn.executemany("insert into temp.changed_pairs values (?, ?)", sorted(pairs, key=str))
            neighbours = list(db.query(PAIR_EVENTS))
        _set_previous_stances(rows + neighbours)
        store.insert_rows(db, "events", rows)
        db.conn.executemany(
            "update events set previous_stance = ? where id = ?", [(r["previous_stance"], r["id"]) for r in neighbours]
        )
        db.conn.executemany("update positions set event_id = ? where id = ?", stale_links)
        if not full:
            db.execute("drop table temp.changed_groups")
            db.execute("drop table temp.changed_pairs")
    return db.execute("select count(*) from events").fetchone()[0]
