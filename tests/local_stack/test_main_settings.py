"""`make run`'s settings for retries: OTKLIK_LOCAL_RETRY_DELAY and OTKLIK_LOCAL_SDK_BACKOFF_SCALE."""

from __future__ import annotations

import pytest

from infra.local.__main__ import backoff_scale_from, retry_delay_from


def test_retries_are_as_documented_when_nothing_is_set() -> None:
    assert retry_delay_from({}) == 1
    assert backoff_scale_from({}) == 1.0


def test_a_set_retry_delay_and_backoff_scale_are_used() -> None:
    assert retry_delay_from({"OTKLIK_LOCAL_RETRY_DELAY": "31"}) == 31
    assert backoff_scale_from({"OTKLIK_LOCAL_SDK_BACKOFF_SCALE": "0.1"}) == 0.1


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"OTKLIK_LOCAL_RETRY_DELAY": "1.5"}, "OTKLIK_LOCAL_RETRY_DELAY"),
        ({"OTKLIK_LOCAL_RETRY_DELAY": "-1"}, "OTKLIK_LOCAL_RETRY_DELAY"),
        ({"OTKLIK_LOCAL_SDK_BACKOFF_SCALE": "2"}, "OTKLIK_LOCAL_SDK_BACKOFF_SCALE"),
        ({"OTKLIK_LOCAL_SDK_BACKOFF_SCALE": "fast"}, "OTKLIK_LOCAL_SDK_BACKOFF_SCALE"),
    ],
)
def test_a_bad_value_stops_the_start_naming_its_setting(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SystemExit, match=named):
        retry_delay_from(environ) if "RETRY" in named else backoff_scale_from(environ)
