"""Positions -> events: one actor, stance, counterpart and negation, reported within a time window.

The same fact is reported by many outlets and many times (wire copies, follow-ups), so mentions
(``positions``) are clustered into events. Positions of one key (actor, stance, counterpart, negated)
are read in order of report date; a report within ``WINDOW_DAYS`` of the event's first report belongs
to that event, and a later one starts a new event. The window is anchored at the first report rather
than chained from report to report, so a story repeated every few weeks for a year is several events,
not one that never ends. The subject is not part of the key: it is free text ("flights", "deportation
flights", "two U.S. military aircraft") and would split one fact into as many events as phrasings.

``build_events`` runs after each ``migtrack process`` and recomputes the events of every key whose
positions changed, whole, so counts stay current as new reports arrive (GDELT freezes them after first
sight) and the result is always what a rebuild from scratch would give; ``bench.datasette_speed`` times
both on a million positions.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby

import dateparser
import sqlite_utils

from db import store
from models.records import stable_id
from models.stances import STANCES

WINDOW_DAYS = 30

# Sorted by key, then report order, so each key's positions arrive together and in the order reported.
EVENTS_SQL = """
select p.id as position_id, p.actor, p.stance, p.counterpart, coalesce(p.negated, 0) as negated,
       p.evidence, p.article_id, p.start, p.event_id, p.confidence, a.outlet,
       coalesce(substr(a.published, 1, 10), substr(a.fetched_at, 1, 10)) as reported,
       coalesce(a.published, a.fetched_at) as published_at
from positions p join articles a on a.id = p.article_id {only_changed}
order by p.actor, p.stance, p.counterpart, coalesce(p.negated, 0),
         reported, published_at, p.article_id, p.start
"""
# The keys to recompute: positions not linked to an event yet (new, or rewritten when their article was
# processed again) and events that lost positions (an article processed again says less).
CHANGED_KEYS_SQL = """
create temp table changed_keys as
select distinct actor, stance, counterpart, coalesce(negated, 0) as negated from positions where event_id is null
union
select actor, stance, counterpart, negated from events e
where n_positions != (select count(*) from positions p where p.event_id = e.id)
"""
# actor and stance with "=", so the (stance, actor) index finds a key's positions
ONLY_CHANGED = """join temp.changed_keys k on p.stance = k.stance and p.actor = k.actor
    and p.counterpart is k.counterpart and coalesce(p.negated, 0) = k.negated"""
CHANGED_EVENTS = """select e.id from events e join temp.changed_keys k on e.stance = k.stance
    and e.actor = k.actor and e.counterpart is k.counterpart and e.negated = k.negated"""
PAIR_EVENTS = """select * from events where id in (select e.id from events e
    join (select distinct actor, counterpart from temp.changed_keys) k
    on e.actor = k.actor and e.counterpart is k.counterpart)"""


# Date expressions worth believing: a capitalised month or weekday (news style capitalises them, so the
# modal "may" and the verb "march" are not months) with its day and year if given, a full numeric date, or a
# relative day, week or month. An abbreviated month stands only with a day or a year ("Jan" alone is as often
# a first name), and a numeric date only with its year ("since 9/11" is no date of the report's year). Bare
# years ("in 2019") and "last year" are left out: they give no month.
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
_MONTH = rf"(?:{_FULL_MONTH[3:-3]}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?\b"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = rf"(?:{'|'.join(_WEEKDAYS)})\b"
_COUNT = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
DATE_EXPRESSION = re.compile(
    rf"\b(?:{_WEEKDAY}(?:,?\s+{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}}\b)?)?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}}\b)?"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}}\b)?|{_MONTH},?\s+\d{{4}}\b|{_FULL_MONTH}"
    r"|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}/\d{4}\b"
    rf"|(?i:yesterday|today|tonight|{_COUNT}\s+(?:days?|weeks?|months?)\s+ago|last\s+(?:week|weekend|month)"
    r"|earlier\s+this\s+(?:week|month))\b)"
)
# A date without a year resolved to more than this many days before publication is a future date that
# PREFER_DATES_FROM='past' moved back a year; reports rarely name a past month that far back without one.
MAX_DAYS_BEFORE_WITHOUT_YEAR = 183
_YEAR = re.compile(r"\b\d{4}\b")
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip


def stated_date(evidence: str | None, published: str | None) -> str | None:
    """The date the sentence says the event happened (YYYY-MM-DD), read relative to its publication day.

    "on Sunday", "in January", "last week" are resolved against the publication date, preferring the
    past (a report tells what happened). A month without a day gives the 1st. Returns None when the
    sentence states no date, or only a coming one (a plan, not what the report is about): after the
    publication day, or a day without a year that the past preference put over half a year back.
    Only English expressions are read, as the extractor reads English.
    """
    if not evidence or not published:
        return None
    for match in DATE_EXPRESSION.finditer(evidence):
        when = _resolve(match.group(), published[:10])
        if when is not None:
            return when
    return None


def _resolve(expression: str, published: str) -> str | None:
    """One expression on one publication day (YYYY-MM-DD), or None for a date after it.

    Calendar dates are read by dateparser once per expression and year (cached: calling it for every
    sentence made a rebuild of a million positions take minutes); relative ones are counted from the
    publication day here, by calendar rules rather than dateparser's fixed day counts, which put "last
    month" 44 to 50 days back, in the wrong month on 197 days of 2025 (issue 15).
    """
    try:
        base = date.fromisoformat(published)
    except ValueError:
        return None
    has_year = bool(_YEAR.search(expression))
    if _CALENDAR.search(expression):
        when = _calendar_date(expression, base.year)
        if when is not None and when > base and not has_year:
            when = _year_before(when)  # PREFER_DATES_FROM='past': "March" in a January report is last March
    else:
        when = _relative_date(expression.lower(), base)
    if when is None or when > base:
        return None
    if (base - when).days > MAX_DAYS_BEFORE_WITHOUT_YEAR and not has_year:
        return None  # "starting Feb. 13" in a report of Feb. 1: a coming date the past preference misread
    return when.isoformat()


_CALENDAR = re.compile(rf"{_MONTH}|\d{{1,2}}/\d{{1,2}}|\d{{4}}-\d{{2}}-\d{{2}}")
_SETTINGS = {"PREFER_DAY_OF_MONTH": "first"}  # a month without a day gives the 1st


@lru_cache(maxsize=1 << 16)
def _calendar_date(expression: str, year: int) -> date | None:
    """A month, day or full date as dateparser reads it in that year."""
    settings = {**_SETTINGS, "RELATIVE_BASE": datetime(year, 12, 31)}
    when = dateparser.parse(expression.replace(".", ""), languages=["en"], settings=settings)
    return when.date() if when else None


def _relative_date(expression: str, base: date) -> date | None:
    """A weekday or a relative expression (lower case) on the publication day ``base``.

    A weekday is the latest such day on or before publication: "on Sunday" in a Sunday report is that day,
    not the week before (issue 12). Months count by the calendar and give the 1st ("last month" in a report
    of 31 March is February); weeks give the day seven days back, as a report means by "last week".
    """
    if expression in ("today", "tonight"):
        return base
    if expression == "yesterday":
        return base - timedelta(days=1)
    for index, name in enumerate(_WEEKDAYS):
        if expression.startswith(name.lower()):
            return base - timedelta(days=(base.weekday() - index) % 7)
    if expression == "earlier this month":
        return base.replace(day=1)
    if expression == "earlier this week":
        return base - timedelta(days=base.weekday())
    if expression in ("last week", "last weekend"):
        return base - timedelta(days=7 if expression == "last week" else base.weekday() + 2)
    if expression == "last month":
        return _months_before(base, 1)
    count, unit = expression.split()[:2]
    n = _NUMBERS.get(count) or int(count)
    if unit.startswith("month"):
        return _months_before(base, n)
    return base - timedelta(days=n * (7 if unit.startswith("week") else 1))


def _months_before(day: date, months: int) -> date:
    """The 1st of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _year_before(day: date) -> date | None:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return None


def _days_between(first: str | None, later: str | None) -> int | None:
    if not first or not later:
        return None
    try:
        return (date.fromisoformat(later) - date.fromisoformat(first)).days
    except ValueError:
        return None


def _same_event(first_reported: str | None, reported: str | None) -> bool:
    """Within the window of the event's first report; undated reports form one event per key."""
    if first_reported is None or reported is None:
        return first_reported is None and reported is None
    days = _days_between(first_reported, reported)
    return days is not None and days <= WINDOW_DAYS


class _Event:
    """The positions of one event as they are read, in report order."""

    def __init__(self, key: tuple, first: dict):
        self.key = key
        self.first = first
        # Where its first mention stands in report order (time of day, then place in the article).
        self.first_seen = (
            first["reported"] or "",
            first["published_at"] or "",
            first["article_id"],
            first["start"] or 0,
        )
        self.last_reported = first["reported"]
        self.position_ids: list[str] = []
        self.articles: set[str] = set()
        self.outlets: set[str | None] = set()
        self.stated: dict[str, set[str]] = defaultdict(set)  # date -> articles stating it, first stated first
        self.sentences: dict[str, set[str | None]] = defaultdict(set)  # evidence -> outlets carrying it
        self.sentence_article: dict[str, str] = {}
        self.confidence: float | None = None

    def add(self, row: dict) -> None:
        self.position_ids.append(row["position_id"])
        if row["confidence"] is not None:
            self.confidence = max(self.confidence or 0.0, row["confidence"])
        self.last_reported = max(filter(None, [self.last_reported, row["reported"]]), default=None)
        self.articles.add(row["article_id"])
        self.outlets.add(row["outlet"])
        when = stated_date(row["evidence"], row["reported"])
        if when:
            self.stated[when].add(row["article_id"])
        if row["evidence"]:
            self.sentences[row["evidence"]].add(row["outlet"])
            self.sentence_article.setdefault(row["evidence"], row["article_id"])

    def row(self) -> dict:
        actor, stance, counterpart, negated = self.key
        first_reported = self.first["reported"]
        if self.stated:
            # The date most articles state; on a tie the one stated first (dicts keep insertion order).
            event_date, date_source = max(self.stated, key=lambda d: len(self.stated[d])), "text"
        else:
            event_date, date_source = first_reported, "published"
        representative = self._representative()
        codes = STANCES[stance]
        return {
            "id": stable_id(actor, stance, counterpart, negated, first_reported),
            "actor": actor,
            "stance": stance,
            "counterpart": counterpart,
            "negated": negated,
            "event_date": event_date,
            "date_source": date_source,
            "event_month": event_date[:7] if event_date else None,
            "event_year": int(event_date[:4]) if event_date else None,
            "first_reported": first_reported,
            "last_reported": self.last_reported,
            "n_positions": len(self.position_ids),
            "n_articles": len(self.articles),
            "n_outlets": len(self.outlets),
            "evidence": self.first["evidence"],
            "first_article_id": self.first["article_id"],
            "representative_evidence": representative,
            "representative_article_id": self.sentence_article.get(representative, self.first["article_id"]),
            "previous_stance": None,  # set once every event of the actor and counterpart is known
            "cameo": codes.cameo,
            "plover": codes.plover,
            "report_order": json.dumps(self.first_seen),
            "confidence": self.confidence,
        }

    def _representative(self) -> str | None:
        """The sentence carried by the most outlets, then the longest, then the earliest.

        A sentence several outlets print word for word is the wire's wording, the version most readers
        saw and the one least likely to be a misreading of a single article; among equals the longest
        usually carries most of the specifics (who, how many, which flights). The earliest breaks ties,
        as the evidence column already holds it.
        """
        if not self.sentences:
            return self.first["evidence"]
        order = {sentence: index for index, sentence in enumerate(self.sentences)}
        return max(self.sentences, key=lambda s: (len(self.sentences[s]), len(s), -order[s]))


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
    """Events of every key (or only of the changed keys) from their positions, in report order, and the
    (event, position) links that differ from the stored ones."""
    events: list[_Event] = []
    current: dict[str, str | None] = {}
    for key, rows in groupby(
        db.query(EVENTS_SQL.format(only_changed=ONLY_CHANGED if only_changed else "")),
        key=lambda r: (r["actor"], r["stance"], r["counterpart"], r["negated"]),
    ):
        event = None
        for row in rows:
            if event is None or not _same_event(event.first["reported"], row["reported"]):
                event = _Event(key, row)
                events.append(event)
            event.add(row)
            current[row["position_id"]] = row["event_id"]
    rows, stale_links = [], []
    for event in sorted(events, key=lambda e: e.first_seen):
        row = event.row()
        rows.append(row)
        stale_links += [(row["id"], pid) for pid in event.position_ids if current[pid] != row["id"]]
    return rows, stale_links


def build_events(db: sqlite_utils.Database, full: bool = False) -> int:
    """Recompute the events of every key whose positions changed (with ``full``, of every key), link each
    position to its event, and return how many events there are.

    A key is recomputed whole, from all its positions, so the result equals a rebuild from scratch
    (tests/test_events.py holds the two together); previous stances are redone for every actor and
    counterpart whose events changed. One transaction; only positions whose event changed are rewritten.
    """
    # a database whose events predate report_order is rebuilt whole once
    full = full or db.execute("select count(*) from events where report_order is null").fetchone()[0] > 0
    with db.conn:
        if not full:
            db.execute("drop table if exists temp.changed_keys")
            db.execute(CHANGED_KEYS_SQL)
        rows, stale_links = _read_events(db, only_changed=not full)
        if full:
            db.execute("delete from events")
        else:
            db.execute(f"delete from events where id in ({CHANGED_EVENTS})")
        # the other events of a changed actor and counterpart may follow another stance now
        neighbours = [] if full else list(db.query(PAIR_EVENTS))
        _set_previous_stances(rows + neighbours)
        store.insert_rows(db, "events", rows)
        db.conn.executemany(
            "update events set previous_stance = ? where id = ?", [(r["previous_stance"], r["id"]) for r in neighbours]
        )
        db.conn.executemany("update positions set event_id = ? where id = ?", stale_links)
        if not full:
            db.execute("drop table temp.changed_keys")
    return db.execute("select count(*) from events").fetchone()[0]
