"""When to poll a feed next: often when it changes, rarely when it does not, and backing off when
it keeps failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import Feed


def next_interval(previous: int | None, changed: bool, failures: int, minimum: int, maximum: int) -> int:
    """Seconds until the next fetch.

    A changed feed halves its interval, an unchanged one grows it by half, both within
    [minimum, maximum]; a failing feed waits minimum * 2**failures, capped at maximum.
    """
    if failures:
        return min(maximum, minimum * 2**failures)
    current = previous or minimum
    interval = current // 2 if changed else current * 3 // 2
    return max(minimum, min(maximum, interval))


def due(next_fetch: str | None, now: datetime | None = None) -> bool:
    """Never fetched, or its time has come."""
    if not next_fetch:
        return True
    return datetime.fromisoformat(next_fetch) <= (now or datetime.now(UTC))


def due_feeds(feeds: list[Feed], states: dict[str, dict]) -> list[Feed]:
    """The feeds whose next fetch time, in their saved ``states``, has come (or that were never fetched)."""
    return [feed for feed in feeds if due(states.get(feed.url, {}).get("next_fetch"))]


def at(seconds: int, now: datetime | None = None) -> str:
    return ((now or datetime.now(UTC)) + timedelta(seconds=seconds)).isoformat(timespec="seconds")
