"""What TicketsTable keeps beside a ticket's own fields: its queue entries, its SLA watch, and the update
that writes a changed ticket over the version it was read at.

The SLA watch is two attributes the by_deadline index is keyed by: `sla_watch` (always SLA_WATCH) and
`due_at`, the ticket's next SLA moment (otklik.domain.sla.clock.next_check: a warning, a deadline or an
escalation step). They are there only while something is pending, so the sweep's Query of due_at <= now
reads only tickets it has something to do on; every write of a ticket sets or removes them as its fields
now say.

Queue entries serve GET /tickets' filters (team, priority, assignee, breached, beside the status) with one
Query each, newest first, reading a page and no more: for every combination of those filters a ticket has
one small entry item beside it (pk TICKET#<id>, sk QUEUE#<filters>, e.g. QUEUE#team+assignee), whose
`status` attribute is the combination's key, e.g. `open#team=support#assignee=anna`, and whose created_at
is the ticket's. The by_status index, keyed status + created_at, so holds the ticket itself under its
status, and each entry under its key: one index for every combination (an overloaded GSI), where fifteen
GSIs of their own would pass DynamoDB's limit of twenty with those the table has, and CloudFormation adds
only one GSI to a table per stack update.

An entry's key changes when its ticket's status, team, priority, assignee or breach does; entries are
updated in place (their table key never changes, so nothing is ever deleted), in one transaction with the
ticket. A ticket stored before the entries existed gets them at its first such change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations, count
from typing import Any

from otklik.adapters.dynamo import model_to_document, to_item
from otklik.domain.models import Ticket
from otklik.domain.sla.clock import next_check
from otklik.domain.timefmt import iso_seconds
from otklik.ports import TicketFilters

# The watch's one value. Named when only first responses were watched, and kept so that tickets stored then
# stay in the watch.
SLA_WATCH = "first_response"
QUEUE_SK = "QUEUE#"
# The filters of GET /tickets beside the status, in the order their keys name them.
DIMENSIONS = ("team", "priority", "assignee", "breached")
# Every non-empty combination of them: the entries of one ticket (fifteen).
COMBINATIONS: tuple[tuple[str, ...], ...] = tuple(
    combination for size in range(1, len(DIMENSIONS) + 1) for combination in combinations(DIMENSIONS, size)
)
# The ticket fields entry keys are made of: a change to one of them rewrites the entries.
INDEXED_FIELDS = ("status", "team", "priority", "assignee", "sla_breached")
# Fields written once, when the ticket is created.
FIXED_FIELDS = frozenset({"id", "created_at", "version"})


def _escaped(value: str) -> str:
    """A value as a key part: `%`, `#` and `=` escaped, so no assignee's name can pass for another key."""
    return value.replace("%", "%25").replace("#", "%23").replace("=", "%3D")


def queue_key(status: str, values: Mapping[str, str]) -> str:
    """The key of the entries of one combination: the status, then each filter's value in DIMENSIONS order."""
    return status + "".join(f"#{name}={_escaped(values[name])}" for name in DIMENSIONS if name in values)


def _values(ticket: Ticket) -> dict[str, str]:
    return {
        "team": ticket.team,
        "priority": ticket.priority,
        "assignee": ticket.assignee or "",  # unassigned: a value no filter asks for
        "breached": "true" if ticket.sla_breached else "false",
    }


def filter_key(status: str, filters: TicketFilters) -> str:
    """The key the entries matching these filters (at least one given) are found under."""
    given = {
        name: ("true" if value else "false") if isinstance(value, bool) else value
        for name, value in filters.given().items()
    }
    return queue_key(status, given)


def matches(ticket: Ticket, status: str, filters: TicketFilters) -> bool:
    """Whether the ticket, as read now, is one the filters ask for (an index may lag behind it)."""
    values = _values(ticket)
    return ticket.status == status and all(
        values[name] == (("true" if value else "false") if isinstance(value, bool) else value)
        for name, value in filters.given().items()
    )


def entry_updates(table: str, ticket: Ticket) -> Iterator[dict[str, Any]]:
    """The Update operations (for TransactWriteItems) that set each entry of the ticket to its key."""
    values = _values(ticket)
    created_at = iso_seconds(ticket.created_at)
    for combination in COMBINATIONS:
        yield {
            "Update": {
                "TableName": table,
                "Key": {
                    "pk": {"S": f"TICKET#{ticket.id}"},
                    "sk": {"S": QUEUE_SK + "+".join(combination)},
                },
                "UpdateExpression": "SET #status = :key, created_at = :created_at",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":key": {"S": queue_key(ticket.status, {name: values[name] for name in combination})},
                    ":created_at": {"S": created_at},
                },
            }
        }


def indexed_change(before: Ticket, after: Ticket) -> bool:
    return any(getattr(before, name) != getattr(after, name) for name in INDEXED_FIELDS)


def watch_attributes(ticket: Ticket) -> dict[str, str]:
    """The watch of a ticket as its fields say it: its next SLA moment, or nothing."""
    moment = next_check(ticket)
    return {} if moment is None else {"sla_watch": SLA_WATCH, "due_at": iso_seconds(moment)}


def watch_changes(before: Ticket, after: Ticket) -> tuple[dict[str, str], tuple[str, ...]]:
    """The storage attributes to set and remove for the SLA watch when a ticket goes from before to after:
    set when its next SLA moment changed, removed when it has none any more (answered, paused for the
    customer, resolved, closed, everything told)."""
    watched, watching = watch_attributes(before), watch_attributes(after)
    if watching == watched:
        return {}, ()
    if not watching:
        return {}, ("sla_watch",)
    return watching, ()


class TicketUpdate:
    """One UpdateItem that writes what `after` changes of `before`, conditional on before's version."""

    def __init__(self, before: Ticket, after: Ticket) -> None:
        self._placeholders = count()
        self.sets: list[str] = []
        self.removes: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        document = model_to_document(after)
        for field in type(after).model_fields:
            if field in FIXED_FIELDS or getattr(before, field) == getattr(after, field):
                continue
            if field in document:
                self.set(field, to_item({field: document[field]})[field])
            else:
                self.remove(field)
        storage_sets, storage_removes = watch_changes(before, after)
        for name, value in storage_sets.items():
            self.set(name, {"S": value})
        for name in storage_removes:
            self.remove(name)
        self.changes_anything = bool(self.sets or self.removes)
        self.set("version", {"N": str(before.version + 1)})
        self.names["#pk"] = "pk"
        self.condition = "attribute_exists(#pk) AND "
        self.names["#read_version"] = "version"
        self.values[":read_version"] = {"N": str(before.version)}
        # Stored before versions existed: no version attribute, read as 0.
        self.condition += (
            "(attribute_not_exists(#read_version) OR #read_version = :read_version)"
            if before.version == 0
            else "#read_version = :read_version"
        )

    def _name(self, attribute: str) -> str:
        placeholder = f"#a{next(self._placeholders)}"
        self.names[placeholder] = attribute
        return placeholder

    def set(self, attribute: str, value: dict[str, Any]) -> None:
        placeholder = self._name(attribute)
        self.values[f":{placeholder[1:]}"] = value
        self.sets.append(f"{placeholder} = :{placeholder[1:]}")

    def remove(self, attribute: str) -> None:
        if attribute not in (self.names[placeholder] for placeholder in self.removes):
            self.removes.append(self._name(attribute))

    def also_if(self, condition: str, values: Mapping[str, Any]) -> None:
        """A further condition (its own :placeholders) the write needs besides the version."""
        self.condition = f"({self.condition}) AND ({condition})"
        self.values.update(values)

    def request(self, table: str, key: dict[str, Any]) -> dict[str, Any]:
        expression = "SET " + ", ".join(self.sets)
        if self.removes:
            expression += " REMOVE " + ", ".join(self.removes)
        return {
            "TableName": table,
            "Key": key,
            "UpdateExpression": expression,
            "ConditionExpression": self.condition,
            "ExpressionAttributeNames": self.names,
            "ExpressionAttributeValues": self.values,
        }
