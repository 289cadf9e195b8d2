import time

import pytest

from spiders.articles import ExtractionTimeout, time_limit


def test_a_slow_extraction_is_interrupted_and_named():
    # the loop never ends on its own: only the limit can stop it
    with pytest.raises(ExtractionTimeout, match="longer than 0.2 s"), time_limit(0.2):
        while True:
            pass


def test_a_quick_extraction_is_left_alone_and_the_timer_cleared():
    with time_limit(1):
        value = sum(range(1000))
    time.sleep(1.2)  # the timer must not fire after the block
    assert value == 499500
