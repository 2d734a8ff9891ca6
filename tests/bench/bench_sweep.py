"""`make bench`: how many due tickets one run of sweep_sla gets through, one at a time and several at once.

The issue asks the sweep to keep up with 1,300 tickets a run (ten times today's estimate). A run is one
invocation of SweepSlaFunction: every five minutes, 30 seconds at most (template.yaml's Globals), of
which the sweep keeps MARGIN_SECONDS. What a ticket costs is our own work (the use case, the clock, the
notification's templates, TicketStore building its requests and reading the answers) plus waiting on
DynamoDB and SQS. The first is measured as it is: the real use case and adapters run. The second is
simulated: the clients answer as the services would, after waiting what the same call takes in-region
(the LATENCY table: typical single-digit-millisecond DynamoDB reads and writes, a transaction about
twice a write, SQS sends around ten; assumptions, printed with the results). moto is not used here:
what it costs is not what DynamoDB costs (its own TransactWriteItems copies every table for its
rollback: 1.4 s a ticket and 24 GB at 3,200 items; the local stack patches that,
infra/local/dynamodb_transactions.py).

Every ticket is due for its breach, the heaviest event: a notification sent, then one transaction that
writes the ticket and its fifteen queue entries. Printed: AWS calls per ticket, wall time per ticket one
at a time and with the function's workers, and the tickets a run gets through against the 1,300 asked
for; the reference is the one-at-a-time sweep of the same run.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

TICKETS = 1300
TARGET = 1300
RUN_SECONDS = 30.0
# Seconds each call waits, as in-region DynamoDB and SQS answer (assumed: see the docstring).
LATENCY = {
    "Query": 0.010,
    "BatchGetItem": 0.010,
    "GetItem": 0.005,
    "UpdateItem": 0.008,
    "TransactWriteItems": 0.020,
    "SendMessage": 0.010,
}


class Services:
    """DynamoDB and SQS as the sweep calls them: answers from the stored tickets, after LATENCY."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _wait(self, operation: str) -> None:
        with self._lock:
            self.calls[operation] += 1
        time.sleep(LATENCY[operation])

    # ---- DynamoDB
    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        for operation in TransactItems:
            if "Put" in operation:  # TicketStore.create, before the sweep: stored, not timed
                item = operation["Put"]["Item"]
                self.items[item["pk"]["S"]] = item
                return {}
        self._wait("TransactWriteItems")
        return {}

    def update_item(self, **_: Any) -> dict[str, Any]:
        self._wait("UpdateItem")
        return {}

    def get_item(self, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._wait("GetItem")
        item = self.items.get(Key["pk"]["S"])
        return {"Item": item} if item else {}

    def query(self, ExpressionAttributeValues: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._wait("Query")
        now = ExpressionAttributeValues[":now"]["S"]
        due = [i for i in self.items.values() if "sla_watch" in i and i["due_at"]["S"] <= now]
        return {"Items": [{"pk": i["pk"], "sk": i["sk"]} for i in due]}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self._wait("BatchGetItem")
        ((table, request),) = RequestItems.items()
        found = [self.items[key["pk"]["S"]] for key in request["Keys"] if key["pk"]["S"] in self.items]
        return {"Responses": {table: found}}

    # ---- SQS
    def send_message(self, **_: Any) -> dict[str, Any]:
        self._wait("SendMessage")
        return {"MessageId": "m"}


def _due_tickets(count: int, now: datetime, tag: str) -> list[Any]:
    from tests.unit.samples import stored_ticket

    return [
        stored_ticket(
            f"tk_{tag}_{n:05}",
            created_at=now - timedelta(hours=30),
            first_response_due_at=now - timedelta(minutes=1 + n % 60),
        )
        for n in range(count)
    ]


def _sweep(workers: int, now: datetime) -> tuple[float, Counter[str]]:
    from otklik.adapters.queues import QueuePublisher
    from otklik.adapters.ticket_store import TicketStore
    from otklik.domain.config import DEFAULT_CONFIG
    from otklik.usecases.sla import sweep_sla

    services = Services()
    store = TicketStore(services, "TicketsTable")
    for ticket in _due_tickets(TICKETS, now, str(workers)):
        store.create(ticket)
    queue = QueuePublisher(services, "NotifyQueue")
    began = time.perf_counter()
    if workers == 1:
        result = sweep_sla(now, DEFAULT_CONFIG, store, queue)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            result = sweep_sla(now, DEFAULT_CONFIG, store, queue, each=pool.map)
    elapsed = time.perf_counter() - began
    assert len(result.breached) == TICKETS, (len(result.breached), result.left)
    return elapsed, services.calls


def main() -> int:
    from otklik.bootstrap.sweep_sla import WORKERS
    from otklik.usecases.sla import MARGIN_SECONDS

    now = datetime.now(UTC).replace(microsecond=0)
    print(f"sweep_sla: {TICKETS:,} tickets due for their breach (real use case and adapters, simulated AWS):")
    print("  assumed latency per call: " + ", ".join(f"{op} {s * 1000:.0f} ms" for op, s in LATENCY.items()))
    usable = RUN_SECONDS - MARGIN_SECONDS
    reference = None
    for workers in (1, WORKERS):
        elapsed, calls = _sweep(workers, now)
        per_ticket = elapsed / TICKETS
        per_run = int(usable / per_ticket)
        reference = reference or per_ticket
        counted = ", ".join(f"{op} {n / TICKETS:.2f}" for op, n in sorted(calls.items()))
        print(
            f"  {workers} worker(s): {per_ticket * 1000:.1f} ms a ticket"
            f" ({reference / per_ticket:.1f}x the one-at-a-time sweep); {per_run:,} tickets in a run of"
            f" {usable:.0f} s ({per_run / TARGET:.1f}x the {TARGET:,} asked for)"
        )
        print(f"    calls per ticket: {counted}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
