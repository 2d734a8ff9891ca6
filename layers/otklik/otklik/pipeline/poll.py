"""poll_marketplaces: read a connection's new feedback page by page from its cursors, onto IngestQueue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from otklik.adapters.cursor_store import StoredCursor
from otklik.marketplaces.base import Connection, Connector, PermanentRejection, TransientError


class Cursors(Protocol):
    def get(self, connection: str, stream: str) -> StoredCursor: ...
    def save(
        self, connection: str, stream: str, cursor: dict[str, Any], read: StoredCursor, now: datetime
    ) -> int: ...
    def record_poll(self, connection: str, now: datetime) -> None: ...


class Publisher(Protocol):
    def send(self, message: BaseModel) -> str: ...


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
