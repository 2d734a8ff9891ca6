"""The seller accounts to read: parsed from one JSON list and checked as a whole, and when each is due."""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime, timedelta
from typing import Any, get_args

from pydantic import ValidationError

from otklik.domain.marketplaces.models import Connection, Marketplace

REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "wildberries": ("token",),
    "ozon": ("client_id", "api_key"),
    "yandex_market": ("api_key",),
}
PUSHING_MARKETPLACES = frozenset({"ozon", "yandex_market"})  # Wildberries sends no pushes

# A schedule that fires every N minutes does not fire exactly N minutes after the last poll;
# without this slack a 5-minute connection on a 5-minute schedule would be read every 10.
DUE_TOLERANCE = timedelta(seconds=30)


class ConnectionsInvalid(ValueError):
    """The connections document is wrong; every problem found is listed, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid marketplace connections:\n- " + "\n- ".join(problems))
        self.problems = problems


def _label(index: int, entry: Any) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"connection #{index} ({name})" if isinstance(name, str) and name else f"connection #{index}"


def _problems_of(connection: Connection) -> list[str]:
    problems: list[str] = []
    required = REQUIRED_CREDENTIALS[connection.marketplace]
    missing = [name for name in required if not connection.credentials.get(name)]
    if missing:
        problems.append(
            f"{connection.marketplace} needs credentials {', '.join(required)}: missing {', '.join(missing)}"
        )
    unknown = sorted(set(connection.credentials) - set(required))
    if unknown:
        problems.append(
            f"{connection.marketplace} takes credentials {', '.join(required)}, not {', '.join(unknown)}"
        )
    if connection.marketplace == "yandex_market" and not connection.settings.get("business_id", "").isdigit():
        problems.append("yandex_market needs settings.business_id, the cabinet's number")
    if connection.marketplace not in PUSHING_MARKETPLACES and connection.push_token_parameter:
        problems.append(f"{connection.marketplace} sends no pushes: drop push_token_parameter")
    for cidr in connection.allowed_ips:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            problems.append(f"allowed_ips: {cidr!r} is not an address or CIDR range")
    return problems


def parse_connections(document: Any) -> list[Connection]:
    """The connections of a JSON list (or its text); raises ConnectionsInvalid naming every problem."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as error:
            raise ConnectionsInvalid([f"the document is not JSON: {error}"]) from error
    if not isinstance(document, list):
        raise ConnectionsInvalid(["the document must be a JSON list of connections"])
    known = ", ".join(get_args(Marketplace))
    problems: list[str] = []
    connections: list[Connection] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(document):
        label = _label(index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{label}: must be an object")
            continue
        marketplace = entry.get("marketplace")
        if marketplace not in REQUIRED_CREDENTIALS:
            problems.append(f"{label}: unknown marketplace {marketplace!r}; known: {known}")
            continue
        try:
            connection = Connection.model_validate(entry)
        except ValidationError as error:
            for detail in error.errors():
                where = ".".join(str(part) for part in detail["loc"]) or "entry"
                problems.append(f"{label}: {where}: {detail['msg']}")
            continue
        problems.extend(f"{label}: {problem}" for problem in _problems_of(connection))
        if connection.name in seen:
            first = seen[connection.name]
            problems.append(f"{label}: the name {connection.name!r} is already used by connection #{first}")
        else:
            seen[connection.name] = index
        connections.append(connection)
    if problems:
        raise ConnectionsInvalid(problems)
    return connections


def due(connection: Connection, last_polled_at: datetime | None, now: datetime) -> bool:
    """Whether an enabled connection should be polled now: never polled, or poll_interval_minutes since."""
    if not connection.enabled:
        return False
    if last_polled_at is None:
        return True
    return now - last_polled_at >= timedelta(minutes=connection.poll_interval_minutes) - DUE_TOLERANCE


def check_connector(
    connection: Connection, marketplace: str, page_size: int, smallest: int, largest: int
) -> None:
    """What every connector checks when built: its connection's marketplace, and a page size the API takes."""
    if connection.marketplace != marketplace:
        raise ValueError(f"connection {connection.name} is a {connection.marketplace} connection")
    if not smallest <= page_size <= largest:
        raise ValueError(f"page_size must be within {smallest}..{largest}, not {page_size}")
