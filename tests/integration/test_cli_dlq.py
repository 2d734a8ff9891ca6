"""`otklik dlq list|redrive` on the template's queues (moto): a listing shows ids and never customer text,
and a redrive moves every message back to the queue that dead-lettered it, emptying the DLQ."""

from __future__ import annotations

import io
import json

from otklik.entrypoints.cli import build_parser
from otklik.entrypoints.cli_dlq import run
from tests.integration.conftest import Stack
from tests.support.sensitive import EMAILS, PHONES, REVIEW_TEXTS, leaks_in

NAME = "Анна Петрова"


def _envelope(number: int) -> str:
    return json.dumps(
        {
            "feedback_id": f"fb_{number}",
            "source": "custom",
            "account": "default",
            "kind": "review",
            "external_id": f"site-{number}",
            "text": REVIEW_TEXTS[number % len(REVIEW_TEXTS)],
            "author": {"id": "c-5521", "name": NAME, "email": EMAILS[0], "phone": PHONES[0]},
            "created_at": "2026-11-22T06:41:00Z",
            "received_at": "2026-11-22T06:41:05Z",
        },
        ensure_ascii=False,
    )


def _dead_letters(stack: Stack, queue: str, count: int) -> list[str]:
    bodies = [_envelope(number) for number in range(count)]
    for body in bodies:
        stack.sqs.send_message(QueueUrl=stack.queue_url(queue), MessageBody=body)
    return bodies


class Answering(io.StringIO):
    """A terminal on stdin that answers the question with what it was given."""

    def isatty(self) -> bool:
        return True


def _run(*argv: str, stdin: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["dlq", *argv])
    code = run(args, stdin or io.StringIO(), out, err, confirm_wait_seconds=0)
    return code, out.getvalue(), err.getvalue()


def _bodies(stack: Stack, queue: str) -> list[str]:
    found: list[str] = []
    while batch := stack.receive(queue):
        found += [message["Body"] for message in batch]
    return found


def test_list_shows_each_messages_ids_and_never_its_text_names_or_contacts(stack: Stack) -> None:
    _dead_letters(stack, "IngestDLQ", 2)
    stack.sqs.send_message(QueueUrl=stack.queue_url("IngestDLQ"), MessageBody=f"not json: {EMAILS[1]}")

    code, out, err = _run("list", "IngestDLQ")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 4 and lines[-1] == "3 shown; otklik-local-IngestDLQ holds about 3"
    listed = sorted(lines[:-1], key=lambda line: line.split()[-1])
    assert "received 1x  feedback  feedback_id=fb_0 source=custom account=default kind=review" in listed[0]
    assert "external_id=site-0 created_at=2026-11-22T06:41:00Z" in listed[0]
    assert any(line.endswith("  unreadable") for line in listed)
    assert leaks_in(out) == []
    assert NAME not in out and "c-5521" not in out
    # Listed messages are visible again at once: a redrive right after finds them all.
    assert len(_bodies(stack, "IngestDLQ")) == 3


def test_list_json_is_one_object_a_message_without_the_body(stack: Stack) -> None:
    _dead_letters(stack, "IngestDLQ", 1)

    code, out, _ = _run("list", stack.queue_url("IngestDLQ"), "--json")

    [shown] = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert set(shown) == {"message_id", "sent_at", "receive_count", "type", "ids"}
    assert shown["type"] == "feedback" and shown["ids"]["feedback_id"] == "fb_0"
    assert leaks_in(out) == []


def test_redrive_moves_every_message_to_the_source_queue_and_empties_the_dlq(stack: Stack) -> None:
    bodies = _dead_letters(stack, "IngestDLQ", 12)  # more than one SQS batch

    code, out, err = _run("redrive", "IngestDLQ", "--yes")

    assert (code, err) == (0, "")
    assert out == "moved 12 messages from otklik-local-IngestDLQ to otklik-local-IngestQueue\n"
    assert sorted(_bodies(stack, "IngestQueue")) == sorted(bodies)
    assert _bodies(stack, "IngestDLQ") == []


def test_redrive_max_moves_that_many_and_leaves_the_rest(stack: Stack) -> None:
    _dead_letters(stack, "RouteDLQ", 3)

    code, out, _ = _run("redrive", "RouteDLQ", "--yes", "--max", "2")

    assert code == 0 and out == "moved 2 messages from otklik-local-RouteDLQ to otklik-local-RouteQueue\n"
    assert len(_bodies(stack, "RouteQueue")) == 2
    assert len(_bodies(stack, "RouteDLQ")) == 1


def test_redrive_asks_first_and_moves_nothing_unless_told_yes(stack: Stack) -> None:
    _dead_letters(stack, "NotifyDLQ", 2)

    piped = _run("redrive", "NotifyDLQ")
    declined = _run("redrive", "NotifyDLQ", stdin=Answering("n\n"))

    assert piped[0] == 2
    assert piped[2] == (
        "otklik: move the 2 messages of otklik-local-NotifyDLQ to otklik-local-NotifyQueue:"
        " add --yes to move them without being asked\n"
    )
    assert declined[:2] == (0, "nothing moved\n")
    assert declined[2].endswith("? [y/N] ")
    assert _bodies(stack, "NotifyQueue") == []

    accepted = _run("redrive", "NotifyDLQ", stdin=Answering("y\n"))

    assert accepted[0] == 0 and len(_bodies(stack, "NotifyQueue")) == 2


def test_a_dlq_no_queue_feeds_is_not_redriven_without_to(stack: Stack) -> None:
    _dead_letters(stack, "AggregatesDLQ", 1)

    code, out, err = _run("redrive", "AggregatesDLQ", "--yes")

    assert (code, out) == (2, "")
    assert err.startswith("otklik: no queue sends its dead letters to otklik-local-AggregatesDLQ")
    assert len(_bodies(stack, "AggregatesDLQ")) == 1


def test_redrive_to_moves_them_where_told(stack: Stack) -> None:
    _dead_letters(stack, "FetchDLQ", 1)

    code, out, _ = _run("redrive", "FetchDLQ", "--to", stack.queue_url("IngestQueue"), "--yes")

    assert code == 0 and out == "moved 1 message from otklik-local-FetchDLQ to otklik-local-IngestQueue\n"
    assert len(_bodies(stack, "IngestQueue")) == 1


def test_a_queue_that_is_not_there_is_one_line(stack: Stack) -> None:
    code, _, err = _run("list", "NoSuchDLQ")

    assert code == 2 and err.count("\n") == 1
    assert err.startswith("otklik: no queue here is named like NoSuchDLQ")
