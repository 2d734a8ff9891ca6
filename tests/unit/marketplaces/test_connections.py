"""The connections document: a valid list parses, every problem is named at once, and polls fall due."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from otklik.domain.marketplaces.connections import ConnectionsInvalid, due, parse_connections
from tests.unit.marketplaces.fakes import connection

WB: dict[str, Any] = {
    "name": "shop-wb",
    "marketplace": "wildberries",
    "credentials": {"token": "/otklik/prod/wb/token"},
    "poll_interval_minutes": 10,
}
OZON: dict[str, Any] = {
    "name": "shop-ozon",
    "marketplace": "ozon",
    "credentials": {"client_id": "/otklik/prod/ozon/client-id", "api_key": "/otklik/prod/ozon/api-key"},
    "push_token_parameter": "/otklik/prod/ozon/push-token",
}
YM: dict[str, Any] = {
    "name": "shop-ym",
    "marketplace": "yandex_market",
    "credentials": {"api_key": "/otklik/prod/ym/api-key"},
    "settings": {"business_id": "7654321"},
    "allowed_ips": ["5.45.207.0/25", "141.8.142.0/25", "5.255.253.0/25"],
}


def problems(document: Any) -> list[str]:
    with pytest.raises(ConnectionsInvalid) as caught:
        parse_connections(document)
    return caught.value.problems


def test_a_valid_list_gives_one_connection_per_entry() -> None:
    connections = parse_connections([WB, OZON, YM])

    assert [(c.name, c.marketplace) for c in connections] == [
        ("shop-wb", "wildberries"),
        ("shop-ozon", "ozon"),
        ("shop-ym", "yandex_market"),
    ]
    assert connections[2].settings == {"business_id": "7654321"}
    assert connections[0].poll_interval_minutes == 10


def test_the_json_text_of_the_list_is_accepted_too() -> None:
    assert [c.name for c in parse_connections(json.dumps([WB]))] == ["shop-wb"]


def test_every_problem_is_listed_with_the_connection_it_belongs_to() -> None:
    found = problems(
        [
            WB,
            {**WB, "name": "shop-wb"},
            {"name": "shop-avito", "marketplace": "avito", "credentials": {}},
            {**OZON, "credentials": {"client_id": "/p/id"}},
            {**YM, "settings": {}},
            {**WB, "name": "Bad Name!"},
        ]
    )

    assert any("connection #1 (shop-wb)" in p and "already used by connection #0" in p for p in found)
    assert any("connection #2 (shop-avito)" in p and "unknown marketplace 'avito'" in p for p in found)
    assert any("connection #3 (shop-ozon)" in p and "missing api_key" in p for p in found)
    assert any("connection #4 (shop-ym)" in p and "business_id" in p for p in found)
    assert any("connection #5 (Bad Name!)" in p and "name" in p for p in found)
    assert len(found) == 5


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({**WB, "credentials": {"token": "/p/t", "api_key": "/p/k"}}, "not api_key"),
        ({**WB, "push_token_parameter": "/p/push"}, "sends no pushes"),
        ({**YM, "allowed_ips": ["5.45.207.0/33"]}, "not an address or CIDR"),
        ({**YM, "settings": {"business_id": "cabinet-1"}}, "business_id"),
    ],
)
def test_a_misconfigured_entry_is_refused_with_a_reason(entry: dict[str, Any], expected: str) -> None:
    (problem,) = problems([entry])

    assert expected in problem


@pytest.mark.parametrize("document", [{"connections": []}, "not json", 42])
def test_a_document_that_is_not_a_list_is_refused(document: Any) -> None:
    assert len(problems(document)) == 1


NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def test_a_connection_never_polled_is_due() -> None:
    assert due(connection("wildberries"), None, NOW) is True


def test_a_connection_is_due_once_its_interval_has_passed() -> None:
    every_five = connection("ozon", poll_interval_minutes=5)

    assert due(every_five, NOW - timedelta(minutes=2), NOW) is False
    assert due(every_five, NOW - timedelta(minutes=5), NOW) is True


def test_a_schedule_firing_a_few_seconds_early_still_finds_the_connection_due() -> None:
    every_five = connection("ozon", poll_interval_minutes=5)

    assert due(every_five, NOW - timedelta(minutes=4, seconds=58), NOW) is True


def test_a_disabled_connection_is_never_due() -> None:
    assert due(connection("ozon", enabled=False), None, NOW) is False
