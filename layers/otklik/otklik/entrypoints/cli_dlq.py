"""`otklik dlq list|redrive`: what waits in a dead-letter queue, without customer text, and moving it back.

    otklik dlq list IngestDLQ --local                # the local stack's queue (moto on 127.0.0.1:4566)
    otklik dlq list IngestDLQ --stack otklik-prod    # a deployed stack's (AWS credentials)
    otklik dlq redrive IngestDLQ --local --yes       # back to IngestQueue, once the cause is fixed
    otklik dlq redrive https://sqs.../AnswerDLQ --to https://sqs.../AnswerQueue --max 10

QUEUE is a queue URL or a logical name of template.yaml (IngestDLQ, RouteDLQ, NotifyDLQ, FetchDLQ,
AnswerDLQ, AggregatesDLQ, SchedulesDLQ). A name is found with `--stack NAME` as that CloudFormation
stack's resource, else as the one queue of the account and region whose name holds it between dashes
(`otklik-local-IngestDLQ` locally, `<stack>-IngestDLQ-<suffix>` on AWS; two stacks in one region need
--stack). SQS is reached with the ordinary AWS settings; `--local`, or a queue URL on loopback, points
them at the local stack's moto (AWS_ENDPOINT_URL=http://127.0.0.1:4566, its region and test keys)
unless they are set.

`list` shows each message's id, when it was first sent, how often it was received (listing is a receive
too), its type and the ids it carries (feedback, ticket, reply, notification, connection...). Only
named id fields are shown, never text, names, e-mails or phones: queue bodies hold customer text.
Messages listed are visible again at once.

`redrive` moves messages to the queue whose RedrivePolicy names this DLQ (or `--to`): each is sent there
and only then deleted here, so a redrive that dies moves nothing twice but may leave a message in both
queues (every consumer counts a repeated message as a duplicate). A moved message starts a new count of
receives. It asks before moving unless `--yes`. SQS's own StartMessageMoveTask is not used: it cannot
stop after --max messages or report each one, and the local stack's moto does not have it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from otklik.entrypoints.cli_api import CommandError, is_loopback
from otklik.entrypoints.cli_progress import Progress

LOCAL_AWS = "http://127.0.0.1:4566"
LOCAL_REGION = "us-east-1"  # infra.local.template.DEFAULT_REGION
# moto takes any keys; these are the ones the local stack gives its functions.
LOCAL_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
LIST_VISIBILITY_SECONDS = 30  # long enough to page through a listing without seeing a message twice
MOVE_VISIBILITY_SECONDS = 120  # a message being moved is hidden until it is sent and deleted
CONFIRM_WAIT_SECONDS = 2  # an empty short poll may miss a few messages; a long poll makes sure
SQS_BATCH = 10


def add_parser(commands: Any) -> None:
    """Register `dlq` (list, redrive) on the command line's subcommands."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("queue", help="a queue URL, or a logical name such as IngestDLQ")
    where.add_argument("--local", action="store_true", help=f"the local stack's SQS ({LOCAL_AWS})")
    where.add_argument("--stack", metavar="NAME", help="find logical names in this CloudFormation stack")
    dlq = commands.add_parser(
        "dlq",
        help="dead-letter queues: list what waits (no customer text), move it back",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    lister = dlq_commands.add_parser("list", parents=[where], help="the messages waiting: ids, times, types")
    lister.add_argument("--limit", type=int, default=50, help="at most this many messages (default 50)")
    lister.add_argument("--json", action="store_true", help="one JSON object a message")
    mover = dlq_commands.add_parser(
        "redrive", parents=[where], help="move the messages back to their source queue (after a fix)"
    )
    mover.add_argument("--to", metavar="QUEUE", help="the queue to move them to (default: the DLQ's source)")
    mover.add_argument("--max", type=int, metavar="N", help="move at most N messages")
    mover.add_argument("--yes", action="store_true", help="do not ask first")


def local_settings(local: bool, queue: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The AWS settings to add for the local stack: none unless --local or a loopback queue URL, and
    never one already set."""
    if not (local or (_is_url(queue) and is_loopback(queue))):
        return {}
    endpoint = LOCAL_AWS
    if _is_url(queue) and is_loopback(queue):
        parts = urllib.parse.urlsplit(queue)
        endpoint = f"{parts.scheme}://{parts.netloc}"
    wanted = {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": LOCAL_REGION, **LOCAL_KEYS}
    if environ.get("AWS_DEFAULT_REGION"):
        wanted.pop("AWS_REGION")
    return {name: value for name, value in wanted.items() if not environ.get(name)}


def run(
    args: argparse.Namespace,
    source: TextIO,
    out: TextIO,
    err: TextIO,
    *,
    confirm_wait_seconds: int = CONFIRM_WAIT_SECONDS,
) -> int:
    """Run `dlq list` or `dlq redrive`: 0 when done; 1 when some messages could not be moved; 2 with
    one line on err when nothing could be done."""
    from botocore.exceptions import BotoCoreError, ClientError

    from otklik.adapters import aws

    added = local_settings(args.local, args.queue, os.environ)
    if added:
        os.environ.update(added)
        aws.forget_clients()
    try:
        queues = Queues(aws.client("sqs"), lambda: aws.client("cloudformation"), args.stack)
        if args.dlq_command == "list":
            return _list(queues, args, out)
        return _redrive(queues, args, source, out, err, confirm_wait_seconds)
    except CommandError as failure:
        err.write(f"otklik: {failure.message}\n")
        return failure.status
    except (BotoCoreError, ClientError) as error:
        on_loopback = is_loopback(os.environ.get("AWS_ENDPOINT_URL") or "")
        hint = " (is the local stack running? `make run`)" if on_loopback else " (the local stack: --local)"
        err.write(f"otklik: SQS: {error}{hint}\n")
        return 2
    except KeyboardInterrupt:
        err.write("otklik: stopped; what was moved is in its queue, the rest is still where it was\n")
        return 130


# ---------------------------------------------------------------- queues


def _is_url(queue: str) -> bool:
    return queue.startswith(("http://", "https://"))


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _holds(name: str, logical_id: str) -> bool:
    return name == logical_id or f"-{logical_id}-" in name or name.endswith(f"-{logical_id}")


@dataclass
class Queues:
    """SQS queues by URL or logical name: their ARNs, depths and the queues that send them dead letters."""

    sqs: Any
    cloudformation: Callable[[], Any]
    stack: str | None = None

    def url(self, queue: str) -> str:
        if _is_url(queue):
            return queue
        if self.stack:
            return self._in_stack(queue)
        found = [url for url in self._all() if _holds(queue_name(url), queue)]
        if not found:
            raise CommandError(
                f"no queue here is named like {queue} (SQS at {os.environ.get('AWS_ENDPOINT_URL') or 'AWS'});"
                " give its URL, --stack NAME, or --local for the local stack"
            )
        if len(found) > 1:
            raise CommandError(
                f"{queue} names {len(found)} queues ({', '.join(map(queue_name, found))});"
                " give --stack NAME or the URL"
            )
        return found[0]

    def _in_stack(self, logical_id: str) -> str:
        from botocore.exceptions import ClientError

        try:
            answer = self.cloudformation().describe_stack_resource(
                StackName=self.stack, LogicalResourceId=logical_id
            )
        except ClientError as error:
            raise CommandError(
                f"stack {self.stack}: {error.response.get('Error', {}).get('Message', error)}"
            ) from None
        return str(answer["StackResourceDetail"]["PhysicalResourceId"])  # a queue's is its URL

    def _all(self) -> Iterator[str]:
        token: str | None = None
        while True:
            answer = self.sqs.list_queues(MaxResults=1000, **({"NextToken": token} if token else {}))
            yield from answer.get("QueueUrls", [])
            token = answer.get("NextToken")
            if not token:
                return

    def _attribute(self, url: str, name: str) -> str:
        answer = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])
        return str(answer["Attributes"].get(name, ""))

    def depth(self, url: str) -> int:
        return int(self._attribute(url, "ApproximateNumberOfMessages") or 0)

    def sources(self, url: str) -> list[str]:
        """The queues whose RedrivePolicy sends their dead letters to url."""
        found: list[str] = []
        token: str | None = None
        while True:
            answer = self.sqs.list_dead_letter_source_queues(
                QueueUrl=url, MaxResults=1000, **({"NextToken": token} if token else {})
            )
            found += answer.get("queueUrls", [])
            token = answer.get("NextToken")
            if not token:
                return found


# ---------------------------------------------------------------- what a message is, without its text

# Each type of message the stack's DLQs hold: how it is told, and the id fields shown of it, by path.
# Everything else in a body (texts, names, contacts, reasons, error messages) is never shown.
_TYPES: tuple[tuple[str, Callable[[Mapping[str, Any]], bool], tuple[str, ...]], ...] = (
    (
        "stream_batch",  # AggregatesDLQ: a DynamoDB stream batch update_aggregates failed on
        lambda body: "DDBStreamBatchInfo" in body,
        (
            "DDBStreamBatchInfo.shardId",
            "DDBStreamBatchInfo.startSequenceNumber",
            "DDBStreamBatchInfo.endSequenceNumber",
            "DDBStreamBatchInfo.batchSize",
            "requestContext.functionArn",
            "requestContext.condition",
        ),
    ),
    (
        "function_failure",  # SchedulesDLQ: an asynchronous run that failed (Lambda's failure destination)
        lambda body: "requestContext" in body,
        (
            "requestContext.functionArn",
            "requestContext.condition",
            "requestContext.approximateInvokeCount",
            "responseContext.functionError",
            "responsePayload.errorType",
        ),
    ),
    (
        "rejected_reply",  # AnswerDLQ: a reply the marketplace refused for good
        lambda body: isinstance(body.get("reply"), dict) and "reason" in body,
        (
            "reply.reply_id",
            "reply.ticket_id",
            "reply.feedback_id",
            "reply.marketplace",
            "reply.connection",
            "reply.kind",
            "status",
            "rejected_at",
        ),
    ),
    (
        "reply",  # AnswerDLQ: an approved reply publish_answers could not publish
        lambda body: "reply_id" in body and "approved_by" in body,
        ("reply_id", "ticket_id", "feedback_id", "marketplace", "connection", "kind", "external_id"),
    ),
    (
        "notification",  # NotifyDLQ
        lambda body: isinstance(body.get("notification"), dict),
        ("notification.id", "notification.ticket_id", "notification.event", "attempt"),
    ),
    (
        "fetch",  # FetchDLQ: a marketplace notification's ids whose feedback could not be read
        lambda body: "connection" in body and isinstance(body.get("ids"), dict),
        ("connection", "kind", "ids.*", "notified_at"),
    ),
    (
        "feedback",  # IngestDLQ: a feedback item that could not be scored
        lambda body: "feedback_id" in body and "source" in body,
        ("feedback_id", "source", "account", "kind", "external_id", "created_at"),
    ),
    (
        "route",  # RouteDLQ: a stored item that could not be routed
        lambda body: "feedback_id" in body,
        ("feedback_id",),
    ),
    ("other", lambda body: True, ("id", "feedback_id", "ticket_id", "kind", "source")),
)
# What an id looks like: no spaces, no @ (so no prose and no e-mail address), not too long.
_ID = re.compile(r"[A-Za-z0-9_.:/#=+\-]{1,256}")


def _shown(value: object) -> bool:
    if isinstance(value, bool | int):
        return True
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def _at(body: Mapping[str, Any], path: str) -> Iterator[tuple[str, object]]:
    head, _, rest = path.partition(".")
    if rest == "*":
        inner = body.get(head)
        for key, value in inner.items() if isinstance(inner, dict) else ():
            yield f"{head}.{key}", value
    elif rest:
        inner = body.get(head)
        if isinstance(inner, dict):
            yield from ((f"{head}.{name}", value) for name, value in _at(inner, rest))
    elif head in body:
        yield head, body[head]


def describe_body(body: str) -> tuple[str, dict[str, object]]:
    """The message's type and the id fields it carries (only those, and only when they look like ids)."""
    try:
        document = json.loads(body)
    except ValueError:
        return "unreadable", {}
    if not isinstance(document, dict):
        return "unreadable", {}
    kind, _, paths = next(entry for entry in _TYPES if entry[1](document))
    ids: dict[str, object] = {}
    for path in paths:
        for name, value in _at(document, path):
            if _shown(value):
                ids[name] = value
    return kind, ids


def describe_message(message: Mapping[str, Any]) -> dict[str, Any]:
    attributes = message.get("Attributes", {})
    sent = attributes.get("SentTimestamp")
    kind, ids = describe_body(str(message.get("Body", "")))
    return {
        "message_id": message.get("MessageId"),
        "sent_at": datetime.fromtimestamp(int(sent) / 1000, UTC).isoformat(timespec="seconds")
        if sent
        else None,
        "receive_count": int(attributes.get("ApproximateReceiveCount", 0)),
        "type": kind,
        "ids": ids,
    }


# ---------------------------------------------------------------- list


def _list(queues: Queues, args: argparse.Namespace, out: TextIO) -> int:
    if args.limit < 1:
        raise CommandError("--limit: give 1 or more")
    url = queues.url(args.queue)
    messages: dict[str, dict[str, Any]] = {}
    handles: list[str] = []
    try:
        while len(messages) < args.limit:
            answer = queues.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(SQS_BATCH, args.limit - len(messages)),
                VisibilityTimeout=LIST_VISIBILITY_SECONDS,
                WaitTimeSeconds=0,
                AttributeNames=["All"],
            )
            received = answer.get("Messages", [])
            if not received:
                break
            for message in received:
                handles.append(message["ReceiptHandle"])
                messages.setdefault(message["MessageId"], describe_message(message))
    finally:
        _show_again(queues.sqs, url, handles)
    depth = queues.depth(url)
    for shown in messages.values():
        if args.json:
            out.write(json.dumps(shown, ensure_ascii=False) + "\n")
        else:
            ids = " ".join(f"{name}={value}" for name, value in shown["ids"].items())
            out.write(
                f"{shown['message_id']}  {shown['sent_at']}  received {shown['receive_count']}x"
                f"  {shown['type']}  {ids}".rstrip()
                + "\n"
            )
    if not args.json:
        out.write(f"{len(messages)} shown; {queue_name(url)} holds about {depth}\n")
    return 0


def _show_again(sqs: Any, url: str, handles: list[str]) -> None:
    """Make the listed messages visible again now, for a redrive right after the listing."""
    for start in range(0, len(handles), SQS_BATCH):
        entries = [
            {"Id": str(number), "ReceiptHandle": handle, "VisibilityTimeout": 0}
            for number, handle in enumerate(handles[start : start + SQS_BATCH])
        ]
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)


# ---------------------------------------------------------------- redrive


def _target(queues: Queues, dlq: str, to: str | None) -> str:
    if to:
        target = queues.url(to)
    else:
        sources = queues.sources(dlq)
        if not sources:
            raise CommandError(
                f"no queue sends its dead letters to {queue_name(dlq)} (AggregatesDLQ and SchedulesDLQ hold"
                " failed stream batches and runs, not a queue's messages); give --to QUEUE to move them"
                " anyway"
            )
        if len(sources) > 1:
            raise CommandError(
                f"{len(sources)} queues send dead letters to {queue_name(dlq)}"
                f" ({', '.join(map(queue_name, sources))}); give --to QUEUE"
            )
        target = sources[0]
    if target == dlq:
        raise CommandError("--to: that is the dead-letter queue itself")
    return target


def _confirmed(question: str, source: TextIO, err: TextIO) -> bool:
    if not source.isatty():
        raise CommandError(f"{question}: add --yes to move them without being asked")
    err.write(f"{question}? [y/N] ")
    err.flush()
    return source.readline().strip().lower() in ("y", "yes")


def _redrive(
    queues: Queues, args: argparse.Namespace, source: TextIO, out: TextIO, err: TextIO, confirm_wait: int
) -> int:
    if args.max is not None and args.max < 1:
        raise CommandError("--max: give 1 or more")
    dlq = queues.url(args.queue)
    target = _target(queues, dlq, args.to)
    depth = queues.depth(dlq)
    total = depth if args.max is None else min(depth, args.max)
    if not args.yes:
        how_many = f"up to {args.max}" if args.max else f"the {depth}"
        question = f"move {how_many} messages of {queue_name(dlq)} to {queue_name(target)}"
        if not _confirmed(question, source, err):
            out.write("nothing moved\n")
            return 0
    with Progress(total, f"{queue_name(dlq)} -> {queue_name(target)}", err) as progress:
        moved, failed = move(queues.sqs, dlq, target, args.max, progress.advance, confirm_wait)
    out.write(
        f"moved {moved} message{'' if moved == 1 else 's'} from {queue_name(dlq)} to {queue_name(target)}\n"
    )
    if failed:
        err.write(f"otklik: {failed} could not be moved; they are still in {queue_name(dlq)} (try again)\n")
        return 1
    return 0


def move(
    sqs: Any,
    dlq: str,
    target: str,
    limit: int | None,
    moved_one: Callable[[], None],
    confirm_wait_seconds: int = CONFIRM_WAIT_SECONDS,
) -> tuple[int, int]:
    """Move messages from dlq to target until dlq is empty or `limit` are moved: (moved, failed)."""
    moved = failed = 0
    while limit is None or moved < limit:
        wanted = SQS_BATCH if limit is None else min(SQS_BATCH, limit - moved)
        received = _receive(sqs, dlq, wanted, 0) or _receive(sqs, dlq, wanted, confirm_wait_seconds)
        if not received:
            break
        entries = {str(number): message for number, message in enumerate(received)}
        # Sent before deleted: a move that stops between the two leaves a copy in both queues, never in none.
        answer = sqs.send_message_batch(
            QueueUrl=target,
            Entries=[
                {"Id": key, "MessageBody": message["Body"], **_attributes(message)}
                for key, message in entries.items()
            ],
        )
        sent = [entries[entry["Id"]] for entry in answer.get("Successful", [])]
        failed += len(answer.get("Failed", []))
        if sent:
            deleted = sqs.delete_message_batch(
                QueueUrl=dlq,
                Entries=[
                    {"Id": str(number), "ReceiptHandle": m["ReceiptHandle"]} for number, m in enumerate(sent)
                ],
            )
            # A copy not deleted comes back into the DLQ and is moved again: a duplicate the consumer drops.
            failed += len(deleted.get("Failed", []))
        for _ in sent:
            moved_one()
        moved += len(sent)
        if not sent:
            break  # SQS refuses every message (the target is gone, or full of errors): stop, do not spin
    return moved, failed


def _receive(sqs: Any, url: str, count: int, wait: int) -> list[dict[str, Any]]:
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=MOVE_VISIBILITY_SECONDS,
        WaitTimeSeconds=wait,
        MessageAttributeNames=["All"],
    )
    return list(answer.get("Messages", []))


def _attributes(message: Mapping[str, Any]) -> dict[str, Any]:
    """The message's own attributes, as SendMessage takes them (its system attributes are SQS's)."""
    given = message.get("MessageAttributes") or {}
    kept = {
        name: {key: value[key] for key in ("DataType", "StringValue", "BinaryValue") if key in value}
        for name, value in given.items()
    }
    return {"MessageAttributes": kept} if kept else {}
