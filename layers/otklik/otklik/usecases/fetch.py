"""fetch_marketplace: the feedback behind a notification that carried ids only, onto IngestQueue."""

from __future__ import annotations

from datetime import datetime

from otklik.domain.marketplaces.models import FetchJob, MalformedItem
from otklik.domain.messages import FetchMessage, MalformedMessage
from otklik.ports import Connections, Connectors, Publisher

# Only Yandex Market notifies by id; the others push the feedback itself or are polled.
FETCHING_MARKETPLACES = frozenset({"yandex_market"})


def fetch_notified(
    message: FetchMessage,
    now: datetime,
    connections: Connections,
    connectors: Connectors,
    ingest_queue: Publisher,
) -> int:
    """How many items were fetched and queued.

    A message naming no fetching connection, or an answer that cannot be mapped, is MalformedMessage:
    the record fails and, after its retries, waits in FetchDLQ for a person.
    """
    connection = connections.all().get(message.connection)
    if connection is None or connection.marketplace not in FETCHING_MARKETPLACES:
        raise MalformedMessage(f"no yandex_market connection {message.connection!r} to fetch from")
    job = FetchJob(
        connection=message.connection, kind=message.kind, ids=message.ids, notified_at=message.notified_at
    )
    try:
        envelopes = connectors.fetcher(connection).fetch(job, now)
    except MalformedItem as error:
        raise MalformedMessage(f"notified feedback cannot be mapped: {error}") from error
    for envelope in envelopes:
        ingest_queue.send(envelope)
    return len(envelopes)
