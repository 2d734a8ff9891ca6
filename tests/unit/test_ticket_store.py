"""TicketStore's writes against DynamoDB's exact refusals (botocore Stubber): which mean "changed since your
read, read again", which mean "already there", and which must raise so the message is delivered again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from otklik.adapters.ticket_store import TicketStore
from tests.unit.samples import stored_ticket

TICKET = stored_ticket("tk_1", feedback_id="fb_1")


@pytest.fixture
def stubbed() -> Iterator[tuple[TicketStore, Stubber]]:
    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield TicketStore(client, "Tickets"), stubber
        stubber.assert_no_pending_responses()


def _cancelled(stubber: Stubber, *codes: str) -> None:
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        http_status_code=400,
        modeled_fields={"CancellationReasons": [{"Code": code} for code in codes]},
        expected_params={"TransactItems": ANY},
    )


def _fifteen(code: str = "None") -> list[str]:
    return [code] * 15


def test_creating_a_ticket_that_exists_is_false_and_writes_nothing(
    stubbed: tuple[TicketStore, Stubber],
) -> None:
    store, stubber = stubbed
    _cancelled(stubber, "ConditionalCheckFailed", *_fifteen())

    assert store.create(TICKET) is False


def test_a_creation_that_met_another_transaction_raises_so_it_is_delivered_again(
    stubbed: tuple[TicketStore, Stubber],
) -> None:
    # Both transactions may have been cancelled: taking this one for "exists" could lose the ticket.
    store, stubber = stubbed
    _cancelled(stubber, "None", "TransactionConflict", *_fifteen()[1:])

    with pytest.raises(ClientError):
        store.create(TICKET)


def test_a_ticket_with_its_entries_is_created_in_one_transaction(
    stubbed: tuple[TicketStore, Stubber],
) -> None:
    store, stubber = stubbed
    seen: list[Any] = []
    stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})
    stubber.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", lambda params, **_: seen.append(params)
    )

    assert store.create(TICKET) is True

    [request] = seen
    put, *entries = request["TransactItems"]
    assert put["Put"]["ConditionExpression"] == "attribute_not_exists(pk)"
    assert put["Put"]["Item"]["sla_watch"] == {"S": "first_response"}
    assert len(entries) == 15


@pytest.mark.parametrize(
    "codes",
    [("ConditionalCheckFailed", *_fifteen()), ("None", "TransactionConflict", *_fifteen()[1:])],
    ids=["version-moved-on", "another-transaction-came-between"],
)
def test_an_update_that_met_a_change_since_its_read_is_false_so_the_caller_reads_again(
    stubbed: tuple[TicketStore, Stubber], codes: tuple[str, ...]
) -> None:
    store, stubber = stubbed
    _cancelled(stubber, *codes)

    assert store.update(TICKET, TICKET.model_copy(update={"status": "acknowledged"})) is False


def test_an_update_refused_for_another_reason_raises(stubbed: tuple[TicketStore, Stubber]) -> None:
    store, stubber = stubbed
    _cancelled(stubber, "ValidationError", *_fifteen())

    with pytest.raises(ClientError):
        store.update(TICKET, TICKET.model_copy(update={"status": "acknowledged"}))


def test_an_update_no_entry_depends_on_is_one_conditional_update_item(
    stubbed: tuple[TicketStore, Stubber],
) -> None:
    store, stubber = stubbed
    stubber.add_client_error("update_item", service_error_code="ConditionalCheckFailedException")

    assert store.update(TICKET, TICKET.model_copy(update={"excerpt": "Порвалось опять"})) is False


def test_an_update_of_nothing_asks_dynamodb_nothing(stubbed: tuple[TicketStore, Stubber]) -> None:
    store, _ = stubbed

    assert store.update(TICKET, TICKET) is True
