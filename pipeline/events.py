"""Positions -> events: the same stance of the same actor towards the same counterpart, reported in
the same month, is one event however many outlets and articles report it."""

from __future__ import annotations

import sqlite_utils

from models.records import stable_id
from models.stances import STANCES

EVENTS_SQL = """
select p.id as position_id, p.actor, p.stance, p.counterpart, p.negated, p.evidence, p.article_id,
       coalesce(substr(a.published, 1, 10), substr(a.fetched_at, 1, 10)) as reported, a.outlet
from positions p join articles a on a.id = p.article_id
order by reported, p.article_id, p.start
"""


def build_events(db: sqlite_utils.Database) -> int:
    """Recompute every event from the positions and link each position to its event."""
    events: dict[str, dict] = {}
    links: list[tuple[str, str]] = []
    for row in db.query(EVENTS_SQL):
        month = (row["reported"] or "")[:7] or None
        event_id = stable_id(row["actor"], row["stance"], row["counterpart"], row["negated"], month)
        links.append((event_id, row["position_id"]))
        event = events.get(event_id)
        if event is None:
            stance = STANCES[row["stance"]]
            event = events[event_id] = {
                "id": event_id,
                "actor": row["actor"],
                "stance": row["stance"],
                "counterpart": row["counterpart"],
                "negated": row["negated"],
                "event_month": month,
                "event_year": int(month[:4]) if month else None,
                "first_reported": row["reported"],
                "last_reported": row["reported"],
                "n_positions": 0,
                "evidence": row["evidence"],
                "first_article_id": row["article_id"],
                "cameo": stance.cameo,
                "plover": stance.plover,
                "_articles": set(),
                "_outlets": set(),
            }
        event["n_positions"] += 1
        event["last_reported"] = max(filter(None, [event["last_reported"], row["reported"]]), default=None)
        event["_articles"].add(row["article_id"])
        event["_outlets"].add(row["outlet"])
    rows = []
    for event in events.values():
        event["n_articles"] = len(event.pop("_articles"))
        event["n_outlets"] = len(event.pop("_outlets"))
        rows.append(event)
    with db.conn:
        db.execute("delete from events")
        if rows:
            columns = list(rows[0])
            db.conn.executemany(
                f"insert into events ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                [[row[c] for c in columns] for row in rows],
            )
        db.conn.executemany("update positions set event_id = ? where id = ?", links)
    return len(rows)
