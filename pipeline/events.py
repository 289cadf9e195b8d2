"""Positions -> events: one actor, stance, counterpart and negation, reported within a time window.

The same fact is reported by many outlets and many times (wire copies, follow-ups), so mentions
(``positions``) are clustered into events. Positions of one key (actor, stance, counterpart, negated)
are read in order of report date; a report within ``WINDOW_DAYS`` of the event's first report belongs
to that event, and a later one starts a new event. The window is anchored at the first report rather
than chained from report to report, so a story repeated every few weeks for a year is several events,
not one that never ends. The subject is not part of the key: it is free text ("flights", "deportation
flights", "two U.S. military aircraft") and would split one fact into as many events as phrasings.

``build_events`` recomputes every event from the positions on each ``migtrack process``, so counts stay
current as new reports arrive (GDELT freezes them after first sight); ``bench.datasette_speed`` times
the rebuild on a million positions.
"""

from __future__ import annotations

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
       p.evidence, p.article_id, p.start, p.event_id, a.outlet,
       coalesce(substr(a.published, 1, 10), substr(a.fetched_at, 1, 10)) as reported,
       coalesce(a.published, a.fetched_at) as published_at
from positions p join articles a on a.id = p.article_id
order by p.actor, p.stance, p.counterpart, coalesce(p.negated, 0),
         reported, published_at, p.article_id, p.start
"""

# Date expressions worth believing: a capitalised month or weekday (news style capitalises them, so the
# modal "may" and the verb "march" are not months) with its day and year if given, a numeric date, or a
# relative day, week or month. Bare years ("in 2019") and "last year" are left out: they give no month.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?\b"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
DATE_EXPRESSION = re.compile(
    rf"\b(?:{_WEEKDAY}(?:,?\s+{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}}\b)?)?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}}\b)?"
    rf"|{_MONTH}(?:\s+{_DAY})?(?:,?\s+\d{{4}}\b)?"
    r"|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
    r"|(?i:yesterday|today|tonight|(?:\w+\s+)?(?:days?|weeks?|months?)\s+ago|last\s+(?:week|weekend|month)"
    r"|earlier\s+this\s+(?:week|month))\b)"
)
# A date without a year resolved to more than this many days before publication is a future date that
# PREFER_DATES_FROM='past' moved back a year; reports rarely name a past month that far back without one.
MAX_DAYS_BEFORE_WITHOUT_YEAR = 183
_YEAR = re.compile(r"\b\d{4}\b")


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

    dateparser reads each distinct expression once per year (a calendar date) or per weekday of
    publication (a relative one) and the cached result is shifted to the day: calling it for every
    sentence and day made a rebuild of a million positions take minutes.
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
        days = _days_back(expression, base.weekday())
        when = None if days is None else base - timedelta(days=days)
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


@lru_cache(maxsize=1 << 12)
def _days_back(expression: str, weekday: int) -> int | None:
    """How many days before a report published on that weekday "Sunday" or "last week" falls."""
    reference = datetime(2024, 7, 15) + timedelta(days=weekday)  # a Monday, mid-month: months back stay exact
    settings = {**_SETTINGS, "RELATIVE_BASE": reference, "PREFER_DATES_FROM": "past"}
    when = dateparser.parse(expression, languages=["en"], settings=settings)
    return (reference.date() - when.date()).days if when else None


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

    def add(self, row: dict) -> None:
        self.position_ids.append(row["position_id"])
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


def _set_previous_stances(rows: list[dict], first_seen: dict[str, tuple]) -> None:
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
        events.sort(key=lambda r: (r["event_date"] or "", r["first_reported"] or "", first_seen[r["id"]]))
        previous = None
        for row in events:
            row["previous_stance"] = previous
            if not row["negated"]:
                previous = row["stance"]


def build_events(db: sqlite_utils.Database) -> int:
    """Recompute every event from the positions and link each position to its event; returns the number.

    Events are replaced in one transaction; only positions whose event changed are rewritten, so a
    rebuild with nothing new writes little.
    """
    events: list[_Event] = []
    stale_links: list[tuple[str, str]] = []
    current: dict[str, str | None] = {}
    for key, rows in groupby(
        db.query(EVENTS_SQL), key=lambda r: (r["actor"], r["stance"], r["counterpart"], r["negated"])
    ):
        event = None
        for row in rows:
            if event is None or not _same_event(event.first["reported"], row["reported"]):
                event = _Event(key, row)
                events.append(event)
            event.add(row)
            current[row["position_id"]] = row["event_id"]
    rows, first_seen = [], {}
    for event in sorted(events, key=lambda e: e.first_seen):
        row = event.row()
        first_seen[row["id"]] = event.first_seen
        rows.append(row)
        stale_links += [(row["id"], pid) for pid in event.position_ids if current[pid] != row["id"]]
    _set_previous_stances(rows, first_seen)
    with db.conn:
        db.execute("delete from events")
        store.insert_rows(db, "events", rows)
        db.conn.executemany("update positions set event_id = ? where id = ?", stale_links)
    return len(rows)
