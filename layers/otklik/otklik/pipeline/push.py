"""Marketplace pushes (Ozon chat events, Yandex Market notifications): authenticate, queue, answer at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from otklik.errors import NotFound
from otklik.marketplaces.base import Connection, Marketplace, PushResult
from otklik.messages import FetchMessage


class Publisher(Protocol):
    def send(self, message: BaseModel) -> str: ...


PushHandler = Callable[[bytes, Connection, datetime], PushResult]
PushCheck = Callable[[str, str, str, tuple[str, ...]], None]


def accept_push(
    marketplace: Marketplace,
    connection_name: str,
    token: str,
    source_ip: str,
    body: bytes,
    now: datetime,
    connections: Mapping[str, Connection],
    push_secret: Callable[[Connection], str],
    check: PushCheck,
    handle: PushHandler,
    ingest_queue: Publisher,
    fetch_queue: Publisher,
) -> PushResult:
    """Everything the push brought is queued before the answer, which the platform wants within seconds."""
    connection = connections.get(connection_name)
    if connection is None or connection.marketplace != marketplace or not connection.enabled:
        raise NotFound(f"no enabled {marketplace} connection {connection_name!r}")
    check(token, push_secret(connection), source_ip, connection.allowed_ips)
    result = handle(body, connection, now)
    for envelope in result.envelopes:
        ingest_queue.send(envelope)
    for job in result.fetch_jobs:
        fetch_queue.send(
            FetchMessage(connection=job.connection, kind=job.kind, ids=job.ids, notified_at=job.notified_at)
        )
    return result
