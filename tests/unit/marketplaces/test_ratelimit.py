"""The token bucket lets a burst through at once, then spaces calls at the rate by sleeping."""

from __future__ import annotations

import pytest

from otklik.adapters.marketplaces.ratelimit import TokenBucket
from tests.unit.marketplaces.fakes import FakeClock


def bucket(clock: FakeClock, rate: float = 3.0, burst: int = 5) -> TokenBucket:
    return TokenBucket(rate_per_second=rate, burst=burst, clock=clock, sleep=clock.sleep)


def test_a_burst_goes_through_without_sleeping() -> None:
    clock = FakeClock()
    limiter = bucket(clock)

    waits = [limiter.acquire() for _ in range(5)]

    assert waits == [0.0] * 5
    assert clock.sleeps == []


def test_past_the_burst_each_call_waits_one_rate_interval() -> None:
    clock = FakeClock()
    limiter = bucket(clock)
    for _ in range(5):
        limiter.acquire()

    waits = [limiter.acquire() for _ in range(3)]

    assert waits == pytest.approx([1 / 3] * 3)
    assert clock.now == pytest.approx(1000.0 + 1.0)


def test_idle_time_refills_the_bucket_up_to_the_burst_only() -> None:
    clock = FakeClock()
    limiter = bucket(clock)
    for _ in range(5):
        limiter.acquire()

    clock.now += 60.0
    waits = [limiter.acquire() for _ in range(6)]

    assert waits[:5] == [0.0] * 5
    assert waits[5] == pytest.approx(1 / 3)


def test_ten_calls_at_three_a_second_with_a_burst_of_five_take_five_thirds_of_a_second() -> None:
    clock = FakeClock()
    limiter = bucket(clock)

    for _ in range(10):
        limiter.acquire()

    assert clock.now - 1000.0 == pytest.approx(5 / 3)


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 5), (-1.0, 5), (3.0, 0)])
def test_a_bucket_that_could_never_give_a_token_is_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate_per_second=rate, burst=burst)
