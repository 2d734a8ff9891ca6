"""Shared test setup: tiers by folder, network blocked for unit tests, Powertools quiet and namespaced."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"

_TIERS = {"unit": "unit", "integration": "integration", "e2e": "e2e"}


# Read the logs every other end-to-end test has written: these run after all of them.
LAST = ("test_log_hygiene.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        tier = _TIERS.get(parts[0]) if parts else None
        if tier:
            item.add_marker(getattr(pytest.mark, tier))
    items.sort(key=lambda item: Path(str(item.fspath)).name in LAST)


class NetworkBlocked(RuntimeError):
    """A unit test tried to open a network connection."""


_REAL_CONNECT = socket.socket.connect
_REAL_CREATE_CONNECTION = socket.create_connection


class NotLoopback(RuntimeError):
    """A unit test that may reach loopback tried to reach something else."""


@pytest.fixture
def loopback(_block_network_in_unit_tests: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """For a unit test of an adapter against a real server on 127.0.0.1: that, and nothing else, is
    reachable (the unit tier blocks the network)."""

    def connect(sock: socket.socket, address: object) -> None:
        if not (isinstance(address, tuple) and address[0] == "127.0.0.1"):
            raise NotLoopback(f"only 127.0.0.1 is reachable here, not {address!r}")
        _REAL_CONNECT(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", _REAL_CREATE_CONNECTION)


@pytest.fixture(autouse=True)
def _block_network_in_unit_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if request.node.get_closest_marker("unit") is None:
        yield
        return

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise NetworkBlocked("unit tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture(autouse=True)
def _powertools_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "otklik-test")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
