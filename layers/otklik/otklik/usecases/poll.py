"""poll_marketplaces: read a connection's new feedback page by page from its cursors, onto IngestQueue;
or, asked for a backfill, read it again from a day without touching the cursors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from otklik.domain.marketplaces.backfill import BackfillWindow, PollRequest, requested_connections
from otklik.domain.marketplaces.connections import due
from otklik.domain.marketplaces.models import (
    Connection,
    PermanentRejection,
    PollPage,
    StoredCursor,
    TransientError,
)
from otklik.ports import Connections, Connector, Connectors, Cursors, Publisher

ReadPage = Callable[[dict[str, Any]], PollPage]  # a stream's page at a cursor


@dataclass
class StreamReport:
    connection: str
    stream: str
    ingested: int = 0
    pages: int = 0
    malformed: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    # The page budget ran out with more to read: a poll goes on from its cursor next time; a backfill
    # has left the rest unread.
    unfinished: bool = False


@dataclass(frozen=True)
class PageBudgets:
    """How many pages one run reads of a stream: polling, and backfilling (a longer way back)."""

    poll: int = 20
    backfill: int = 50


def _read_stream(
    report: StreamReport,
    read_page: ReadPage,
    cursor: dict[str, Any],
    ingest_queue: Publisher,
    max_pages: int,
    after_page: Callable[[PollPage], None],
) -> StreamReport:
    """Pages from `cursor` until the stream says no more or max_pages are read; each page's items are
    queued before after_page (which moves a stored cursor) sees it. A platform failure stops this stream."""
    try:
        while True:
            if report.pages >= max_pages:
                report.unfinished = True
                break
            page = read_page(cursor)
            for envelope in page.envelopes:
                ingest_queue.send(envelope)
            after_page(page)
            cursor = page.cursor
            report.pages += 1
            report.ingested += len(page.envelopes)
            report.malformed.extend(page.malformed)
            if not page.more:
                break
    except (TransientError, PermanentRejection) as error:
        # A revoked token (permanent) or an outage (transient) stops this stream only; the other
        # streams and connections go on, and this one resumes from its cursor next time.
        report.error = str(error)
    return report


@dataclass
class _StoredPosition:
    """A stream's stored cursor, moved after each page only if nobody moved it since it was read."""

    cursors: Cursors
    connection: str
    stream: str
    stored: StoredCursor
    now: datetime

    def moved(self, page: PollPage) -> None:
        version = self.cursors.save(self.connection, self.stream, page.cursor, self.stored, self.now)
        self.stored = StoredCursor(page.cursor, version)


def _polling(connector: Connector, stream: str, now: datetime) -> ReadPage:
    return lambda cursor: connector.poll(stream, cursor, now)


def _backfilling(connector: Connector, stream: str, window: BackfillWindow, now: datetime) -> ReadPage:
    return lambda cursor: connector.backfill(stream, cursor, window, now)


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
        position = _StoredPosition(
            cursors, connection.name, stream, cursors.get(connection.name, stream), now
        )
        reports.append(
            _read_stream(
                StreamReport(connection.name, stream),
                _polling(connector, stream, now),
                position.stored.cursor,
                ingest_queue,
                max_pages,
                position.moved,
            )
        )
    cursors.record_poll(connection.name, now)
    return reports


def backfill_connection(
    connection: Connection,
    connector: Connector,
    window: BackfillWindow,
    ingest_queue: Publisher,
    now: datetime,
    max_pages: int = 50,
) -> list[StreamReport]:
    """Each stream again over the window, with a cursor of the backfill's own that starts empty and is
    never stored: the stored cursors stay where they are (never moved back), so the next poll goes on as
    before, and what the backfill reads twice is the same feedback id, a duplicate. Nor is the run
    recorded as the connection's poll: its interval keeps counting from the last one."""
    return [
        _read_stream(
            StreamReport(connection.name, stream),
            _backfilling(connector, stream, window, now),
            {},
            ingest_queue,
            max_pages,
            lambda page: None,
        )
        for stream in connector.streams
    ]


def poll_requested(
    request: PollRequest,
    now: datetime,
    connections: Connections,
    connectors: Connectors,
    cursors: Cursors,
    ingest_queue: Publisher,
    budgets: PageBudgets,
) -> list[StreamReport]:
    """What the request asks: a backfill of the connections it names, or a poll of the named one, of
    every enabled one when forced, else of the enabled ones whose interval has passed. A connection
    that is unknown or disabled is a PollRefused, raised before anything is read."""
    chosen = requested_connections(request, connections.all())
    reports: list[StreamReport] = []
    for connection in chosen:
        if request.backfill is not None:
            connector = connectors.connector(connection)
            reports.extend(
                backfill_connection(
                    connection, connector, request.backfill, ingest_queue, now, budgets.backfill
                )
            )
            continue
        named = request.connection is not None
        if not (request.force or named) and not due(connection, cursors.last_polled(connection.name), now):
            continue
        connector = connectors.connector(connection)
        reports.extend(poll_connection(connection, connector, cursors, ingest_queue, now, budgets.poll))
    return reports
