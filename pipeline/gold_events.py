"""Score the ``events`` table against gold events: is each real event one row, with the right month?

A gold directory (``gold/events/dev``, ``gold/events/test``) holds ``articles.jsonl`` (rewritten reports:
id, source_url, outlet, published, original_sha1, language, title, text) and ``events.jsonl`` (actor,
stance, counterpart, negated, month, and the ids of the articles reporting each event). ``migtrack
eval-events`` serves the articles as feeds, crawls and processes them, then calls ``score_events``.

Matching, as issue 12 defines it: a row matches a gold event with the same actor, stance and negation whose
counterpart is equal or missing on one side, and whose month is within one of the row's (``exact``: the
same month). Rows and gold events are paired one to one: precision is the share of rows paired with a gold
event, recall the share of gold events paired with a row, so a second row for one real event counts as
wrong. Fragmentation is every row matching a gold event found, per gold event found (1.0: one row per real
event), which says how much of the lost precision is splitting rather than misreading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from models.stances import STANCES

ARTICLE_KEYS = ("id", "source_url", "outlet", "published", "original_sha1", "title", "text")
EVENT_KEYS = ("actor", "stance", "counterpart", "negated", "month", "articles")


class GoldError(Exception):
    """A gold directory is missing a file or holds a line that is not a valid article or event."""


@dataclass(frozen=True)
class GoldEvent:
    id: str
    actor: str
    stance: str
    counterpart: str | None
    negated: bool
    month: str
    articles: tuple[str, ...]


@dataclass
class Figures:
    precision: float
    recall: float
    f1: float
    fragmentation: float
    rows: int
    rows_matched: int
    gold: int
    gold_found: int

    def as_dict(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def load_gold(directory: str | Path) -> tuple[list[dict], list[GoldEvent]]:
    """The articles and events of a gold directory, checked: every event names known articles, a known
    stance, a YYYY-MM month; every article has a YYYY-MM-DD publication date."""
    directory = Path(directory)
    articles = _read(directory / "articles.jsonl")
    for number, article in enumerate(articles, 1):
        _require(article, ARTICLE_KEYS, directory / "articles.jsonl", number)
        if not _is_date(article["published"], 10):
            raise GoldError(f"{directory / 'articles.jsonl'} line {number}: published must be YYYY-MM-DD")
    ids = {a["id"] for a in articles}
    if len(ids) != len(articles):
        raise GoldError(f"{directory / 'articles.jsonl'}: article ids must be unique")
    events = []
    for number, row in enumerate(_read(directory / "events.jsonl"), 1):
        where = f"{directory / 'events.jsonl'} line {number}"
        _require(row, EVENT_KEYS, directory / "events.jsonl", number)
        if row["stance"] not in STANCES:
            raise GoldError(f"{where}: stance {row['stance']!r} is not one of {', '.join(STANCES)}")
        if not _is_date(row["month"], 7):
            raise GoldError(f"{where}: month must be YYYY-MM, not {row['month']!r}")
        unknown = set(row["articles"]) - ids
        if unknown:
            raise GoldError(f"{where}: articles {sorted(unknown)} are not in articles.jsonl")
        events.append(
            GoldEvent(
                id=str(row.get("id", number)),
                actor=row["actor"],
                stance=row["stance"],
                counterpart=row["counterpart"],
                negated=bool(row["negated"]),
                month=row["month"],
                articles=tuple(row["articles"]),
            )
        )
    return articles, events


def _read(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise GoldError(f"cannot read {path}: {error.strerror}") from error
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise GoldError(f"{path} line {number}: not JSON: {error.msg}") from error
        if not isinstance(row, dict):
            raise GoldError(f"{path} line {number}: not a JSON object")
        rows.append(row)
    return rows


def _require(row: dict, keys: tuple[str, ...], path: Path, number: int) -> None:
    missing = [key for key in keys if key not in row]
    if missing:
        raise GoldError(f"{path} line {number}: missing {', '.join(missing)}")


def _is_date(value: object, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value[:4].isdigit() and value[4] == "-"


def months_apart(first: str, second: str) -> int:
    """Whole months between two YYYY-MM(-DD) values."""
    return abs((int(first[:4]) * 12 + int(first[5:7])) - (int(second[:4]) * 12 + int(second[5:7])))


def matches(row: dict, event: GoldEvent, month_slack: int) -> bool:
    """Same actor, stance and negation; counterpart equal or missing on one side; month within the slack."""
    return (
        row["actor"] == event.actor
        and row["stance"] == event.stance
        and bool(row["negated"]) == event.negated
        and (row["counterpart"] is None or event.counterpart is None or row["counterpart"] == event.counterpart)
        and row["event_month"] is not None
        and months_apart(row["event_month"], event.month) <= month_slack
    )


def score(rows: list[dict], gold: list[GoldEvent], month_slack: int) -> Figures:
    """Precision and recall with each gold event matched by at most one row and each row by at most one gold
    event, and fragmentation over every row that matches (see the module docstring)."""
    rows_per_event = {event.id: [i for i, row in enumerate(rows) if matches(row, event, month_slack)] for event in gold}
    used: set[int] = set()
    # the events with fewest candidate rows choose first, so a row two events could take goes where it is needed
    for event in sorted(gold, key=lambda e: len(rows_per_event[e.id])):
        free = [i for i in rows_per_event[event.id] if i not in used]
        if free:
            used.add(free[0])
    found = sum(1 for matched in rows_per_event.values() if matched)
    precision = len(used) / len(rows) if rows else 0.0
    recall = len(used) / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fragmentation = sum(len(matched) for matched in rows_per_event.values()) / found if found else 0.0
    return Figures(precision, recall, f1, fragmentation, len(rows), len(used), len(gold), found)


def event_rows(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select id, actor, stance, counterpart, negated, event_month from events"))


def score_events(db: sqlite_utils.Database, gold: list[GoldEvent]) -> dict:
    """Both scorings of the ``events`` table, with the rows and gold events left unmatched."""
    rows = event_rows(db)
    return {
        "month_within_one": score(rows, gold, 1).as_dict(),
        "month_exact": score(rows, gold, 0).as_dict(),
        "unmatched_rows": [_describe(r, r["event_month"]) for r in rows if not any(matches(r, e, 1) for e in gold)],
        "missed_events": [_describe(e.__dict__, e.month) for e in gold if not any(matches(r, e, 1) for r in rows)],
    }


def _describe(item: dict, month: str | None) -> str:
    negated = "not " if item["negated"] else ""
    return f"{item['actor']} {negated}{item['stance']} {item['counterpart'] or '-'} {month}"


def report(figures: dict) -> str:
    lines = ["                      P      R      F1     fragmentation  rows  gold found"]
    for name, label in (("month_within_one", "month within one"), ("month_exact", "month exact")):
        f = figures[name]
        lines.append(
            f"{label:<18} {f['precision']:6.3f} {f['recall']:6.3f} {f['f1']:6.3f} {f['fragmentation']:10.2f}"
            f" {f['rows']:8d} {f['gold']:5d} {f['gold_found']:5d}"
        )
    for title, items in (("rows matching no gold event", "unmatched_rows"), ("gold events missed", "missed_events")):
        if figures[items]:
            lines.append(f"{title} ({len(figures[items])}): " + "; ".join(figures[items]))
    return "\n".join(lines)
