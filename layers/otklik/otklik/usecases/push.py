"""Marketplace pushes (Ozon chat events, Yandex Market notifications): authenticate, queue, answer at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from otklik.domain.errors import NotFound, TooLarge
from otklik.domain.marketplaces import ozon, yandex_market
from otklik.domain.marketplaces.models import Connection, Marketplace, PushResult
from otklik.domain.marketplaces.push_auth import check_push
from otklik.domain.messages import FetchMessage
from otklik.ports import Connections, Publisher, Secrets

PushParser = Callable[[bytes, Connection, datetime], PushResult]

# The marketplaces that push, each with the parser of its push format; Wildberries pushes nothing.
PUSH_PARSERS: Mapping[Marketplace, PushParser] = {
    "ozon": ozon.parse_push,
    "yandex_market": yandex_market.parse_notification,
}


def accept_push(
    marketplace: Marketplace,
    connection_name: str,
    token: str,
    source_ip: str,
    body: bytes,
    now: datetime,
    connections: Connections,
    secrets: Secrets,
    ingest_queue: Publisher,
    fetch_queue: Publisher,
    max_body_bytes: int,
) -> PushResult:
    """Everything the push brought is queued before the answer, which the platform wants within seconds.

    An unknown connection, one of another marketplace, a disabled one and one without a push token
    all answer the same NotFound: a push URL reveals nothing about which accounts exist. A body over
    max_body_bytes is refused (TooLarge) before anything else: that reveals nothing either, and no
    push either platform documents comes near it.
    """
    if len(body) > max_body_bytes:
        raise TooLarge(f"body is {len(body)} bytes; the limit is {max_body_bytes}")
    parse = PUSH_PARSERS.get(marketplace)
    connection = connections.all().get(connection_name)
    if (
        parse is None
        or connection is None
        or connection.marketplace != marketplace
        or not connection.enabled
        or not connection.push_token_parameter
    ):
        raise NotFound(f"no enabled {marketplace} connection {connection_name!r} takes pushes")
    check_push(token, secrets.get(connection.push_token_parameter), source_ip, connection.allowed_ips)
    result = parse(body, connection, now)
    for envelope in result.envelopes:
        ingest_queue.send(envelope)
    for job in result.fetch_jobs:
        fetch_queue.send(
            FetchMessage(connection=job.connection, kind=job.kind, ids=job.ids, notified_at=job.notified_at)
        )
    return result
