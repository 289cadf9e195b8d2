"""The reports of one actor and stance, clustered into the real-world events they tell (issue 12).

``pipeline.events`` reads the positions of one (actor, stance) group in report order and hands them here.
Each position gets a time: the date its sentence states (day, month or year, ``event_dates.stated_when``),
else its report's day; an agreement dated only to a year takes the month of its parties' landmark deal of that
year where there is one (``landmark_month``). Then:

- it joins the event of its counterpart and negation whose anchor lies within ``WINDOW_DAYS`` of that time
  (the nearest such event; a year-only date fits any event of that year), else it starts one. The anchor
  is the time of the event's first position, or the first finer one when that was a year: a window chained
  from report to report would make a story repeated every few weeks one event that never ends;
- an undated recall ("had been sealed before that", "during his first term") joins the latest event of its
  counterpart and negation that began before the report, within the recall's horizon;
- a position without a counterpart joins the event that has one when exactly one such event fits, and is
  otherwise placed among the events without a counterpart;
- a negated event and an affirmed one whose counterparts agree (or one is missing) and whose anchors lie
  within the window contradict each other: the denial links to the event it denies, and back.

Positions naming a counterpart are clustered per key (actor, stance, counterpart, negation), apart from
everything else, and an event's anchor comes from them alone; positions without one are then placed against
the anchors of the whole group, and contradictions linked from the events' anchors. So ``build_events`` can
recompute only the keys whose positions changed, then place the unnamed positions of their groups, and get
what a rebuild from scratch gives.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from functools import cache

from models.records import stable_id
from models.stances import STANCES
from pipeline.event_dates import When, past_terms, position_time
from pipeline.lexicons import read_jsonl

WINDOW_DAYS = 30
Interval = tuple[date, date]


class Report:
    """One position with the time its sentence gives it."""

    __slots__ = ("row", "reported", "when", "interval", "horizon", "order", "landmark")

    def __init__(self, row: dict):
        self.row = row
        # report order, comparable across reads: day, time of publication, article, place in it, and the
        # position's id, so two events of one key never share a first report's order (their id is made of it)
        # even where positions were stored without their place in the article
        self.order = (
            row["reported"] or "",
            row["published_at"] or "",
            row["article_id"],
            row["start"] or 0,
            row["position_id"],
        )
        self.reported = _day(row["reported"])
        self.when: When | None = None
        self.horizon: int | None = None
        self.landmark = False  # dated by a landmark deal of a past leader's term, not by the text
        if self.reported:
            self.when, self.horizon = position_time(row["evidence"], row["reported"], lambda: names_of(row["actor"]))
            recalled = recalled_landmark(row, self.when)
            if recalled is not None:
                self.when, self.horizon, self.landmark = recalled, None, True
        if self.when is not None:
            self.interval: Interval | None = (self.when.first, self.when.last)
        else:
            self.interval = (self.reported, self.reported) if self.reported else None


class Event:
    """The positions of one event: its key's own (which set its anchor and its id) and the reports without a
    counterpart that joined it."""

    def __init__(self, actor: str, stance: str, counterpart: str | None, negated: int, stored: dict | None = None):
        self.actor, self.stance, self.counterpart, self.negated = actor, stance, counterpart, negated
        self.reports: list[Report] = []
        self.first: Report | None = None  # the first of its own positions: the event's id
        self.anchor: Interval | None = None
        self.stored = stored  # the stored row of an event read back rather than recomputed
        if stored is not None and stored["anchor_first"]:
            self.anchor = (date.fromisoformat(stored["anchor_first"]), date.fromisoformat(stored["anchor_last"]))
        self.joined: list[Report] = []
        self.contradicts: Event | None = None
        self.contradicted_by: Event | None = None

    def add(self, report: Report) -> bool:
        """Take one of its key's reports; returns whether the anchor moved (a finer time replaced a year)."""
        self.reports.append(report)
        if self.first is None or report.order < self.first.order:
            self.first = report
        if self.anchor is None or (_coarse(self.anchor) and report.interval and not _coarse(report.interval)):
            moved = self.anchor is not None or report.interval is not None
            self.anchor = report.interval
            return moved
        return False

    def load(self, reports: list[Report]) -> None:
        """Its own positions, read back for a stored event whose row must be recomputed (its anchor stays)."""
        self.reports = reports
        self.first = min(reports, key=lambda r: r.order) if reports else None

    def join(self, report: Report) -> None:
        """Take a report without a counterpart; it moves neither the anchor nor the id."""
        self.joined.append(report)

    def fits(self, report: Report) -> bool:
        if report.interval is None or self.anchor is None:
            return report.interval is None and self.anchor is None  # undated reports form one event apart
        return _distance(self.anchor, report.interval) <= WINDOW_DAYS

    def recalls(self, report: Report) -> bool:
        """Whether an undated recall in ``report`` may be about this event: begun before the report, within
        the recall's horizon."""
        if report.horizon is None or self.anchor is None or report.reported is None:
            return False
        return self.anchor[0] <= report.reported and (report.reported - self.anchor[0]).days <= report.horizon

    def row(self) -> dict:
        """The events table row; ``contradicts``/``contradicted_by`` are filled once every id is known."""
        reports = sorted(self.reports + self.joined, key=lambda r: r.order)
        first = reports[0].row
        own = self.first.order if self.first is not None else reports[0].order
        event_date, precision, source = self._date(reports)
        if precision == "year" and not self.negated:
            landmark = landmark_month(self.actor, self.stance, self.counterpart, int(event_date[:4]))
            if landmark is not None:
                event_date, precision, source = f"{landmark}-01", "month", "landmark"
        sentences: dict[str, set[str | None]] = defaultdict(set)  # evidence -> outlets carrying it
        sentence_article: dict[str, str] = {}
        for report in reports:
            if report.row["evidence"]:
                sentences[report.row["evidence"]].add(report.row["outlet"])
                sentence_article.setdefault(report.row["evidence"], report.row["article_id"])
        representative = _representative(sentences, first["evidence"])
        confidences = [r.row["confidence"] for r in reports if r.row["confidence"] is not None]
        reported = [r.row["reported"] for r in reports if r.row["reported"]]
        first_seen = (first["reported"] or "", first["published_at"] or "", first["article_id"], first["start"] or 0)
        codes = STANCES[self.stance]
        return {
            "id": self.stored["id"]
            if self.stored
            else stable_id(self.actor, self.stance, self.counterpart, self.negated, *own),
            "actor": self.actor,
            "stance": self.stance,
            "counterpart": self.counterpart,
            "negated": self.negated,
            "event_date": event_date,
            "date_source": source,
            "date_precision": precision,
            "event_month": event_date[:7] if event_date and precision != "year" else None,
            "event_year": int(event_date[:4]) if event_date else None,
            "first_reported": first["reported"],
            "last_reported": max(reported, default=None),
            "n_positions": len(reports),
            "n_articles": len({r.row["article_id"] for r in reports}),
            # syndicated copies of one story (articles.story_id) count once
            "n_stories": len({r.row["story_id"] or r.row["article_id"] for r in reports}),
            "n_outlets": len({r.row["outlet"] for r in reports}),
            "evidence": first["evidence"],
            "first_article_id": first["article_id"],
            "representative_evidence": representative,
            "representative_article_id": sentence_article.get(representative, first["article_id"]),
            "previous_stance": None,  # set once every event of the actor and counterpart is known
            "contradicts": None,
            "contradicted_by": None,
            "cameo": codes.cameo,
            "plover": codes.plover,
            "report_order": json.dumps(first_seen),
            "anchor_first": self.anchor[0].isoformat() if self.anchor else None,
            "anchor_last": self.anchor[1].isoformat() if self.anchor else None,
            "confidence": max(confidences, default=None),
        }

    @staticmethod
    def _date(reports: list[Report]) -> tuple[str | None, str | None, str | None]:
        """(date, precision, source): the finest date the texts state, the one most articles state among
        those (on a tie the one stated first); else the first report's day, when some report is dated by its
        publication and not a recall; else the year the texts state.

        A day or month stated after the event's first report is left out: the event had been reported by
        then, so a later report's date tells a later step ("the arrangement takes effect on Tuesday"), not
        the event's own."""
        first_day = min((r.reported for r in reports if r.reported), default=None)
        for precision in ("day", "month"):
            stated: dict[date, set[str]] = defaultdict(set)
            for report in reports:
                when = report.when
                if when is not None and when.precision == precision and (first_day is None or when.first <= first_day):
                    stated[when.first].add(report.row["article_id"])
            if stated:
                chosen = max(stated, key=lambda d: len(stated[d]))
                landmark = any(r.landmark and r.when == When(chosen, precision) for r in reports)
                return chosen.isoformat(), precision, "landmark" if landmark else "text"
        published = [r for r in reports if r.when is None and r.horizon is None and r.reported]
        if published:
            return published[0].row["reported"], "day", "published"
        years = [r.when.first for r in reports if r.when is not None]
        if years:
            return max(set(years), key=years.count).isoformat(), "year", "text"
        dated = [r for r in reports if r.reported]
        return (dated[0].row["reported"], "day", "published") if dated else (None, None, None)


@cache
def _landmarks() -> dict[tuple[frozenset[str], str], list[str]]:
    """The months of the landmark deals of each pair of parties and stance."""
    table: dict[tuple[frozenset[str], str], list[str]] = defaultdict(list)
    for entry in read_jsonl("landmarks.jsonl"):
        table[(frozenset(entry["parties"]), entry["stance"])].append(entry["month"])
    return dict(table)


def landmark_month(actor: str, stance: str, counterpart: str | None, year: int) -> str | None:
    """The month of the landmark event (``lexicons/landmarks.jsonl``) of these parties and stance in this year:
    reports recall the best-known deals by their year alone ("Britain's 2022 agreement with Rwanda"), and
    a researcher counting agreements wants the month it was signed, not a year no month can be matched to."""
    if counterpart is None:
        return None
    months = _landmarks().get((frozenset((actor, counterpart)), stance), ())
    return next((month for month in months if int(month[:4]) == year), None)


def recalled_landmark(row: dict, when: When | None) -> When | None:
    """The month of the one landmark deal of the position's parties and stance that falls in the term of a
    leader the sentence speaks of as past: "Mexico agreed with the administration of former President Joe
    Biden to take back 30,000 migrants a month", published in January 2025, tells the January 2023 deal.

    A date the sentence states within that term dates the position itself; one outside it is the day
    something was said of the deal ("On Monday she pointed to a precedent: her predecessor had agreed ...").
    Two past leaders' terms, each with its deal ("first under Trump and later under Biden"), date nothing,
    and no landmark is a denial."""
    if row["counterpart"] is None or row["negated"]:
        return None
    months = _landmarks().get((frozenset((row["actor"], row["counterpart"])), row["stance"]))
    if not months:
        return None
    terms = past_terms(row["evidence"], row["reported"])
    if when is not None and any(first <= when.first <= last for first, last in terms):
        return None
    within = {month for month in months for first, last in terms if first <= date.fromisoformat(f"{month}-01") <= last}
    return When(date.fromisoformat(f"{within.pop()}-01"), "month") if len(within) == 1 else None


def cluster_key(actor: str, stance: str, counterpart: str, negated: int, rows: list[dict]) -> list[Event]:
    """The events of one key from its positions' rows, given in report order."""
    events = _Events()
    for row in rows:
        _place(Report(row), events, actor, stance)
    return events.events


def place_unnamed(actor: str, stance: str, negated: int, rows: list[dict], named: list[Event]) -> list[Event]:
    """Positions without a counterpart, in report order: each joins the one event of ``named`` (the group's
    events with a counterpart and this negation) that fits, or else an event without a counterpart, which
    is returned."""
    candidates_of = _Events()
    for event in named:
        candidates_of.index(event)
    unnamed = _Events()
    for row in rows:
        report = Report(row)
        candidates = candidates_of.candidates(report, across_counterparts=True)
        if len(candidates) == 1:
            candidates[0].join(report)
        else:
            _place(report, unnamed, actor, stance)
    return unnamed.events


class _Events:
    """The events of one key, indexed by the 30-day buckets their anchors touch, so finding the events a
    report fits reads a few buckets rather than every event of a busy key (a country's acceptances of U.S.
    flights over years)."""

    def __init__(self):
        self.events: list[Event] = []
        self.known: set[int] = set()
        self.buckets: dict[int | None, list[Event]] = defaultdict(list)

    def index(self, event: Event) -> None:
        if id(event) not in self.known:
            self.known.add(id(event))
            self.events.append(event)
        for bucket in _buckets(event.anchor):
            if event not in self.buckets[bucket]:
                self.buckets[bucket].append(event)

    def candidates(self, report: Report, across_counterparts: bool = False) -> list[Event]:
        """The events ``report`` may belong to: for a recall, the latest event it may recall; otherwise the
        one whose anchor is nearest among those that fit (every one that fits, ``across_counterparts``, where
        the caller needs to know whether exactly one does)."""
        if report.horizon is not None:
            recalled = [event for event in self.events if event.recalls(report)]
            if recalled:
                if across_counterparts:
                    latest: dict[str | None, Event] = {}
                    for event in recalled:
                        if event.counterpart not in latest or event.anchor[0] > latest[event.counterpart].anchor[0]:
                            latest[event.counterpart] = event
                    return list(latest.values())
                return [max(recalled, key=lambda e: e.anchor[0])]
        near = {id(e): e for bucket in _buckets(report.interval, WINDOW_DAYS) for e in self.buckets.get(bucket, ())}
        fitting = [event for event in near.values() if event.fits(report)]
        if across_counterparts or len(fitting) < 2 or report.interval is None:
            return fitting
        return [min(fitting, key=lambda e: (_distance(e.anchor, report.interval), _first_order(e)))]


def _place(report: Report, events: _Events, actor: str, stance: str) -> tuple[Event, bool]:
    """Add the report to the event it belongs to, or to a new one; returns the event and whether it is new
    or its anchor moved (so indexes elsewhere must learn of it)."""
    candidates = events.candidates(report)
    if candidates:
        target, moved = candidates[0], candidates[0].add(report)
    else:
        target = Event(actor, stance, report.row["counterpart"], report.row["negated"])
        target.add(report)
        moved = True
    if moved:
        events.index(target)
    return target, moved


def _buckets(interval: Interval | None, margin: int = 0) -> range | tuple[None]:
    if interval is None:
        return (None,)
    return range(
        (interval[0].toordinal() - margin) // WINDOW_DAYS, (interval[1].toordinal() + margin) // WINDOW_DAYS + 1
    )


def link_contradictions(events: list[Event]) -> None:
    """Each denial to the nearest affirmed event it contradicts, and that event to its first denial."""
    for event in events:
        event.contradicts = event.contradicted_by = None
    # affirmed events by the window-sized buckets their time spans: a denial reads only those near it
    # (an actor's thousands of acceptances, against each of its denials, made this the cycle's largest cost)
    near: defaultdict[int | None, list[tuple[int, Event]]] = defaultdict(list)
    for order, event in enumerate(e for e in events if not e.negated and e.anchor is not None):
        for bucket in _buckets(event.anchor):
            near[bucket].append((order, event))
    for denial in sorted((e for e in events if e.negated and e.anchor is not None), key=_first_order):
        nearby = dict(pair for bucket in _buckets(denial.anchor, WINDOW_DAYS) for pair in near.get(bucket, ()))
        candidates = [
            event
            for _, event in sorted(nearby.items())
            if (event.counterpart == denial.counterpart or None in (event.counterpart, denial.counterpart))
            and _distance(event.anchor, denial.anchor) <= WINDOW_DAYS
        ]
        if candidates:
            target = min(candidates, key=lambda e: (_distance(e.anchor, denial.anchor), _first_order(e)))
            denial.contradicts = target
            if target.contradicted_by is None:
                target.contradicted_by = denial


def _first_order(event: Event) -> tuple:
    """Where the event's first report stands in report order, as its stored ``report_order`` says."""
    if event.stored is not None:
        return tuple(json.loads(event.stored["report_order"]))
    return min(r.order for r in event.reports + event.joined)


def _representative(sentences: dict[str, set[str | None]], first: str | None) -> str | None:
    """The sentence carried by the most outlets, then the longest, then the earliest.

    A sentence several outlets print word for word is the wire's wording, the version most readers
    saw and the one least likely to be a misreading of a single article; among equals the longest
    usually carries most of the specifics (who, how many, which flights). The earliest breaks ties,
    as the evidence column already holds it.
    """
    if not sentences:
        return first
    order = {sentence: index for index, sentence in enumerate(sentences)}
    return max(sentences, key=lambda s: (len(sentences[s]), len(s), -order[s]))


@cache
def names_of(iso3: str) -> frozenset[str]:
    """What the gazetteer knows a country by (names, demonyms, capitals, officials), lower case: how the
    clause that tells a position is found in a sentence of several."""
    from pipeline.components.countries import alias_table  # spaCy's import, only when a sentence needs it

    return frozenset(alias for alias, (code, _) in alias_table("en").items() if code == iso3)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _distance(first: Interval, second: Interval) -> int:
    """Days between two intervals; 0 when they overlap."""
    return max(0, (second[0] - first[1]).days, (first[0] - second[1]).days)


def _coarse(interval: Interval) -> bool:
    """A year rather than a day or a month."""
    return (interval[1] - interval[0]).days > 31
