"""`otklik tickets ...`, `otklik feedback ...` and `otklik send`: the ops API and the webhook from a terminal.

    otklik tickets list --team support --breached          # GET /tickets
    otklik tickets show tk_...                              # GET /tickets/{id}
    otklik tickets status tk_... resolved --by anna --root-cause product_defect
    otklik tickets assign tk_... anna --by lead             # or --none to unassign
    otklik tickets reply tk_... --by anna --text "..."      # or --draft: approve the ticket's draft
    otklik feedback show fb_...                             # GET /feedback/{id}
    otklik feedback explain fb_...                          # GET /feedback/{id}/explain
    otklik send events/webhook_body_custom.json --source custom

Against the local stack by default; `--api`, `--token` and `--api-key` (or $OTKLIK_API_URL,
$OTKLIK_TOKEN, $OTKLIK_API_KEY) name a deployed one (otklik.entrypoints.cli_api). A summary is printed,
`--json` prints the API's answer itself.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO, get_args

from otklik.domain.models import Priority, TicketStatus
from otklik.entrypoints.cli_api import CommandError, OpsApi, is_loopback, options, path_part

COMMANDS = ("tickets", "feedback", "send")
STATUSES: tuple[str, ...] = get_args(TicketStatus)
PRIORITIES: tuple[str, ...] = get_args(Priority)
EXCERPT_CHARS = 48
LABEL_WIDTH = 24  # first_response_due_at: and a space


def add_parser(commands: Any) -> None:
    """Register `tickets`, `feedback` and `send` on the command line's subcommands."""
    api = options()
    tickets = commands.add_parser("tickets", help="the ticket queue: list, show, move, assign, reply")
    ticket_commands = tickets.add_subparsers(dest="tickets_command", required=True)
    lister = ticket_commands.add_parser(
        "list", parents=[api], help="tickets matching every filter, newest first"
    )
    lister.add_argument("--status", choices=STATUSES, help="default: open")
    lister.add_argument("--team")
    lister.add_argument("--priority", choices=PRIORITIES)
    lister.add_argument("--assignee")
    lister.add_argument("--breached", action="store_true", help="only tickets past an SLA deadline")
    lister.add_argument("--limit", type=int, help="1-200 (default 50)")
    lister.add_argument("--cursor", help="the next page: the next_cursor a list printed")
    shower = ticket_commands.add_parser(
        "show", parents=[api], help="one ticket, its history, draft and reply"
    )
    shower.add_argument("id")
    mover = ticket_commands.add_parser("status", parents=[api], help="move a ticket along its lifecycle")
    mover.add_argument("id")
    mover.add_argument("status", choices=STATUSES)
    mover.add_argument("--by", required=True, help="who makes the change")
    mover.add_argument("--note")
    mover.add_argument("--root-cause", help="resolving needs one of tickets.root_causes")
    assigner = ticket_commands.add_parser("assign", parents=[api], help="assign a ticket, or unassign it")
    assigner.add_argument("id")
    whom = assigner.add_mutually_exclusive_group(required=True)
    whom.add_argument("assignee", nargs="?", help="who works it")
    whom.add_argument("--none", action="store_true", help="unassign it")
    assigner.add_argument("--by", required=True, help="who assigns it")
    assigner.add_argument("--note")
    replier = ticket_commands.add_parser(
        "reply", parents=[api], help="approve a reply and queue it for the marketplace"
    )
    replier.add_argument("id")
    replier.add_argument("--by", required=True, help="who approves it")
    text = replier.add_mutually_exclusive_group()
    text.add_argument("--text", help="the reply to send")
    text.add_argument("--draft", action="store_true", help="the ticket's drafted reply (the default)")
    replier.add_argument("--after-reply", choices=("waiting_customer", "resolved"))
    replier.add_argument("--root-cause", help="with --after-reply resolved")

    feedback = commands.add_parser("feedback", help="one feedback item, and why it got what it got")
    feedback_commands = feedback.add_subparsers(dest="feedback_command", required=True)
    for name, what in (("show", "the item: masked text, tonality, topics, flags"), ("explain", "why")):
        feedback_commands.add_parser(name, parents=[api], help=what).add_argument("id")

    sender = commands.add_parser(
        "send",
        parents=[api],
        help="sign a webhook body as `otklik sign` does and POST it to /webhooks/{source}",
    )
    sender.add_argument("file", help="the exact body to send ('-' for stdin)")
    sender.add_argument("--source", required=True, help="the own channel's source name, e.g. custom")
    sender.add_argument(
        "--secret", help="its HMAC secret (default: $OTKLIK_WEBHOOK_SECRET; on loopback the local one)"
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """Run a tickets, feedback or send command: 0 with its answer printed; else one line on err."""
    environ = os.environ if environ is None else environ
    try:
        if args.command == "send":
            return _send(args, out, environ)
        api = OpsApi.from_args(args, environ)
        command = (
            TICKET_COMMANDS[args.tickets_command]
            if args.command == "tickets"
            else FEEDBACK_COMMANDS[args.feedback_command]
        )
        answer = command(api, args)
    except CommandError as failure:
        err.write(f"otklik: {failure.message}\n")
        return failure.status
    subcommand = args.tickets_command if args.command == "tickets" else args.feedback_command
    if args.json or not isinstance(answer, dict):
        out.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
    else:
        PRINTERS[args.command, subcommand](answer, out)
    return 0


# ---------------------------------------------------------------- requests


def _list(api: OpsApi, args: argparse.Namespace) -> Any:
    params = {
        "status": args.status,
        "team": args.team,
        "priority": args.priority,
        "assignee": args.assignee,
        "breached": True if args.breached else None,
        "limit": args.limit,
        "cursor": args.cursor,
    }
    return api.get("/tickets", params)


def _show(api: OpsApi, args: argparse.Namespace) -> Any:
    return api.get(f"/tickets/{path_part(args.id)}")


def _status(api: OpsApi, args: argparse.Namespace) -> Any:
    body = {"status": args.status, "by": args.by, "note": args.note, "root_cause": args.root_cause}
    return api.post(f"/tickets/{path_part(args.id)}/status", _given(body))


def _assign(api: OpsApi, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = {"assignee": None if args.none else args.assignee, "by": args.by}
    if args.note is not None:
        body["note"] = args.note
    return api.post(f"/tickets/{path_part(args.id)}/assign", body)


def _reply(api: OpsApi, args: argparse.Namespace) -> Any:
    body = {
        "text": args.text,  # None: the API approves the ticket's draft
        "approved_by": args.by,
        "after_reply": args.after_reply,
        "root_cause": args.root_cause,
    }
    return api.post(f"/tickets/{path_part(args.id)}/reply", _given(body))


def _feedback(api: OpsApi, args: argparse.Namespace) -> Any:
    return api.get(f"/feedback/{path_part(args.id)}")


def _explain(api: OpsApi, args: argparse.Namespace) -> Any:
    return api.get(f"/feedback/{path_part(args.id)}/explain")


def _given(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


Command = Callable[[OpsApi, argparse.Namespace], Any]
TICKET_COMMANDS: dict[str, Command] = {
    "list": _list,
    "show": _show,
    "status": _status,
    "assign": _assign,
    "reply": _reply,
}
FEEDBACK_COMMANDS: dict[str, Command] = {"show": _feedback, "explain": _explain}


def _send(args: argparse.Namespace, out: TextIO, environ: Mapping[str, str]) -> int:
    """Sign the file's bytes exactly as read and POST those same bytes: a signature over anything else
    (a re-encoded JSON) would be refused."""
    from otklik.domain.signature import sign
    from otklik.entrypoints.cli import LOCAL_DEV_SECRET, CommandFailed, _read_bytes

    api = OpsApi.from_args(args, environ, needs_token=False)
    secret = args.secret or environ.get("OTKLIK_WEBHOOK_SECRET")
    if not secret:
        if not is_loopback(api.url):
            raise CommandError(
                f"{api.url} needs the source's secret: give --secret or set $OTKLIK_WEBHOOK_SECRET"
            )
        secret = LOCAL_DEV_SECRET
    try:
        body = _read_bytes(args.file)
    except CommandFailed as failure:
        raise CommandError(str(failure)) from None
    headers = {
        "Content-Type": "application/json",
        "X-Otklik-Signature": sign(secret, body, int(time.time())),
    }
    # The webhook is signed, not authorised: the ops token is not the sender's to give away.
    answer = OpsApi(api.url, None, api.api_key, api.http).request(
        "POST", f"/webhooks/{path_part(args.source)}", body=body, headers=headers
    )
    if args.json:
        out.write(json.dumps(answer.body, ensure_ascii=False) + "\n")
    else:
        out.write(f"{answer.status} {json.dumps(answer.body, ensure_ascii=False)}\n")
    return 0


# ---------------------------------------------------------------- printing


def _one_line(text: object, limit: int = EXCERPT_CHARS) -> str:
    words = " ".join(str(text or "").split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _signed(value: object) -> str:
    return f"{value:+.3f}" if isinstance(value, int | float) else str(value)


def _table(rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n"
        )


def _print_list(answer: Any, out: TextIO) -> None:
    items = answer.get("items", [])
    if not items:
        out.write(f"no {answer.get('status', 'open')} tickets match\n")
    else:
        rows = [["ID", "STATUS", "PRIORITY", "TEAM", "ASSIGNEE", "DUE", "BREACHED", "EXCERPT"]]
        for ticket in items:
            rows.append(
                [
                    str(ticket.get("id", "")),
                    str(ticket.get("status", "")),
                    str(ticket.get("priority", "")),
                    str(ticket.get("team", "")),
                    str(ticket.get("assignee") or "-"),
                    str(ticket.get("first_response_due_at") or "-"),
                    "yes" if ticket.get("sla_breached") else "no",
                    _one_line(ticket.get("excerpt")),
                ]
            )
        _table(rows, out)
    if answer.get("next_cursor"):
        out.write(f"more: --cursor {answer['next_cursor']}\n")


def _fields(document: Mapping[str, Any], names: tuple[str, ...], out: TextIO) -> None:
    for name in names:
        value = document.get(name)
        if value not in (None, "", [], {}):
            if isinstance(value, bool):
                shown: object = "yes" if value else "no"
            else:
                shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            out.write(f"{name + ':':<{LABEL_WIDTH}}{shown}\n")


def _print_ticket(ticket: Any, out: TextIO) -> None:
    _fields(
        ticket,
        (
            "id",
            "status",
            "priority",
            "team",
            "assignee",
            "feedback_id",
            "source",
            "account",
            "kind",
            "rating",
            "tonality_label",
            "created_at",
            "first_response_due_at",
            "sla_breached",
            "reasons",
            "tags",
            "root_cause",
            "excerpt",
        ),
        out,
    )
    draft = ticket.get("draft")
    if draft:
        out.write(
            f"draft ({draft.get('template')}/{draft.get('variant')}): {_one_line(draft.get('text'), 200)}\n"
        )
    reply = ticket.get("reply")
    if reply:
        out.write(
            f"reply {reply.get('status')} by {reply.get('approved_by')}"
            f"{' (' + str(reply['reason']) + ')' if reply.get('reason') else ''}:"
            f" {_one_line(reply.get('text'), 200)}\n"
        )
    history = ticket.get("history") or []
    if history:
        out.write("history:\n")
    for change in history:
        note = f"  {_one_line(change.get('note'), 80)}" if change.get("note") else ""
        out.write(f"  {change.get('at')}  {change.get('status'):<17} by {change.get('by')}{note}\n")


def _print_changed(ticket: Any, out: TextIO) -> None:
    assignee = ticket.get("assignee") or "nobody"
    out.write(f"{ticket.get('id')}: {ticket.get('status')}, assigned to {assignee}\n")


def _print_reply(answer: Any, out: TextIO) -> None:
    out.write(
        f"{answer.get('ticket_id')}: reply {answer.get('reply_id')} {answer.get('status')},"
        " queued for its marketplace\n"
    )


def _print_feedback(item: Any, out: TextIO) -> None:
    tone = item.get("tonality") or {}
    _fields(item, ("id", "source", "account", "kind", "external_id", "day", "rating", "lang"), out)
    out.write(f"{'tonality:':<{LABEL_WIDTH}}{tone.get('label')} ({tone.get('compound')})\n")
    topics = [f"{t.get('topic')} ({t.get('polarity')})" for t in item.get("topics") or []]
    flags = (item.get("moderation") or {}).get("flags") or []
    _fields({"topics": topics, "moderation": list(flags)}, ("topics", "moderation"), out)
    # The masked text: a terminal is looked over, pasted and logged; --json has the raw one.
    out.write(f"{'text (masked):':<{LABEL_WIDTH}}{_one_line(item.get('text_masked'), 400)}\n")


def _print_explain(answer: Any, out: TextIO) -> None:
    tone = answer.get("tonality") or {}
    out.write(
        f"{answer.get('id')}: tonality {tone.get('label')} ({tone.get('compound')}),"
        f" engine {tone.get('engine')}\n"
    )
    for unit in tone.get("contributions") or []:
        steps = f"  ({'; '.join(unit.get('steps') or [])})" if unit.get("steps") else ""
        out.write(f"  {_signed(unit.get('value'))}  {unit.get('words')}{steps}\n")
    for topic in answer.get("topics") or []:
        out.write(
            f"topic {topic.get('topic')} ({topic.get('polarity')}):"
            f" {_one_line(topic.get('evidence'), 80)!r}\n"
        )
    for reason in (answer.get("moderation") or {}).get("reasons") or []:
        out.write(f"moderation {reason.get('flag')}: {reason.get('why')}\n")
    routing = answer.get("routing") or {}
    if routing.get("ticket_id"):
        out.write(
            f"ticket {routing['ticket_id']}: {routing.get('team')}, {routing.get('priority')},"
            f" {routing.get('status')}\n"
        )
    else:
        out.write(f"no ticket: {routing.get('why', '')}\n")
    for reason in routing.get("reasons") or []:
        out.write(f"  because {reason.get('why')}\n")
    for rule in routing.get("matched_rules") or []:
        out.write(f"  rule {rule.get('name')}: {'; '.join(rule.get('why') or [])}\n")
    now = routing.get("now") or {}
    if now:
        opens = "a ticket" if now.get("ticket") else "no ticket"
        out.write(f"the rules in force now: {opens}, {now.get('team')}, {now.get('priority')}\n")


Printer = Callable[[Any, TextIO], None]
PRINTERS: dict[tuple[str, str], Printer] = {
    ("tickets", "list"): _print_list,
    ("tickets", "show"): _print_ticket,
    ("tickets", "status"): _print_changed,
    ("tickets", "assign"): _print_changed,
    ("tickets", "reply"): _print_reply,
    ("feedback", "show"): _print_feedback,
    ("feedback", "explain"): _print_explain,
}
