"""poll_marketplaces: read a connection's new feedback page by page from its cursors, onto IngestQueue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from otklik.domain.marketplaces.connections import due
from otklik.domain.marketplaces.models import Connection, PermanentRejection, StoredCursor, TransientError
from otklik.ports import Connections, Connector, Connectors, Cursors, Publisher


@dataclass
class StreamReport:
    connection: str
    stream: str
    ingested: int = 0
    pages: int = 0
    malformed: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def poll_connection(
    connection: Connection,
    connector: Connector,
    cursors: Cursors,
    ingest_queue: Publisher,
    now: datetime,
    max_pages: int = 20,
) -> list[StreamReport]:
    """Each stream from its cursor; a page's items are queued before its cursor moves past them.

    So a poll that dies between the two reads the page again next time; the items' ids are
    deterministic and score_feedback counts them as duplicates. A stream that fails transiently
    stops where it is and the other streams go on.
    """
    reports = []
    for stream in connector.streams:
        report = StreamReport(connection.name, stream)
        stored = cursors.get(connection.name, stream)
        try:
            while report.pages < max_pages:
                page = connector.poll(stream, stored.cursor, now)
                for envelope in page.envelopes:
                    ingest_queue.send(envelope)
                version = cursors.save(connection.name, stream, page.cursor, stored, now)
                stored = StoredCursor(page.cursor, version)
                report.pages += 1
                report.ingested += len(page.envelopes)
                report.malformed.extend(page.malformed)
                if not page.more:
                    break
        except (TransientError, PermanentRejection) as error:
            # A revoked token (permanent) or an outage (transient) stops this stream only; the
            # other streams and connections go on, and this one resumes from its cursor next time.
            report.error = str(error)
        reports.append(report)
    cursors.record_poll(connection.name, now)
    return reports


def poll_due_connections(
    now: datetime,
    connections: Connections,
    connectors: Connectors,
    cursors: Cursors,
    ingest_queue: Publisher,
    max_pages: int,
    force: bool = False,
) -> list[StreamReport]:
    """Every enabled connection whose poll interval has passed (every enabled one when forced)."""
    reports: list[StreamReport] = []
    for connection in connections.all().values():
        if not connection.enabled:
            continue
        if not force and not due(connection, cursors.last_polled(connection.name), now):
            continue
        connector = connectors.connector(connection)
        reports.extend(poll_connection(connection, connector, cursors, ingest_queue, now, max_pages))
    return reports
