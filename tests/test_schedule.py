from datetime import UTC, datetime, timedelta

import pytest

from spiders.schedule import at, due, next_interval

MINUTE, DAY = 60, 24 * 60 * 60


@pytest.mark.parametrize(
    ("previous", "changed", "failures", "expected"),
    [
        (None, True, 0, 10 * MINUTE),  # first fetch: as often as allowed
        (None, False, 0, 15 * MINUTE),
        (60 * MINUTE, True, 0, 30 * MINUTE),  # a changing feed is polled more often
        (60 * MINUTE, False, 0, 90 * MINUTE),  # a quiet one less often
        (DAY, False, 0, DAY),  # never less than once a day
        (10 * MINUTE, True, 0, 10 * MINUTE),  # never more than every ten minutes
        (60 * MINUTE, True, 1, 20 * MINUTE),  # failures back off exponentially
        (60 * MINUTE, True, 3, 80 * MINUTE),
        (60 * MINUTE, True, 12, DAY),
    ],
)
def test_interval_adapts_to_change_and_failure(previous, changed, failures, expected):
    assert next_interval(previous, changed, failures, 10 * MINUTE, DAY) == expected


def test_a_feed_is_due_when_its_time_has_come():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert due(None, now)
    assert due(at(-1, now), now)
    assert not due(at(600, now), now)
    assert datetime.fromisoformat(at(600, now)) - now == timedelta(seconds=600)
