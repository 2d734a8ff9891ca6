"""Ozon platform facts: its streams, its cursor, how its reviews, questions and chat pushes read as feedback.

Cursor design (per connection and stream), stored as {"last_id": str}: both lists page by
last_id in ascending order (sort_dir ASC) and answer has_next. The last_id of the last page
read is kept, so the next poll asks for what came after it; a page with no items keeps the
cursor where it was. Reviews are filtered to status UNPROCESSED, questions to UNPROCESSED
(new and viewed but not yet answered). An item read twice maps to the same feedback id,
feedback_id("ozon", account, kind, id).

A backfill cannot ask Ozon for a date: both lists page by last_id only. So it reads them newest first
(sort_dir DESC) from the top, with a last_id of its own that is never stored, keeps the items published
since the window's start, and stops at the first page that reaches an older one (backfill_page).

Chat messages are not polled: Ozon pushes them (TYPE_NEW_MESSAGE, TYPE_UPDATE_MESSAGE), see
parse_push.

The HTTP client that asks for the pages and publishes replies is otklik.adapters.marketplaces.ozon.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from otklik import __version__
from otklik.domain.ids import feedback_id
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.domain.marketplaces.fields import (
    as_object,
    build,
    item_label,
    optional_rating,
    optional_text,
    parse_time,
    required_id,
    required_text,
)
from otklik.domain.marketplaces.models import (
    Connection,
    MalformedItem,
    PollPage,
    PushResult,
    ReplyReadBack,
    find_reply,
    reply_entry_id,
)
from otklik.domain.models import (
    MAX_ID_CHARS,
    MAX_TEXT_CHARS,
    Author,
    FeedbackEnvelope,
    FeedbackKind,
    ProductRef,
)
from otklik.domain.timefmt import iso_seconds

SOURCE = "ozon"
PLATFORM = "Ozon"
STREAMS: tuple[str, ...] = ("reviews", "questions")
# /v1/review/list takes 20..100 per page; /v1/question/list at most 100.
MIN_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

INTEGRATION_NAME = "otklik"
CHAT_MESSAGE_TYPES = frozenset({"TYPE_NEW_MESSAGE", "TYPE_UPDATE_MESSAGE"})
MISSING_PARAMETER = "ERROR_PARAMETER_VALUE_MISSED"


@dataclass(frozen=True)
class OzonCursor:
    last_id: str = ""

    @classmethod
    def load(cls, stored: Mapping[str, Any]) -> OzonCursor:
        last_id = stored.get("last_id", "")
        if not isinstance(last_id, str):
            raise ValueError(f"stored Ozon cursor has a bad last_id: {last_id!r}")
        return cls(last_id)

    def dump(self) -> dict[str, Any]:
        return {"last_id": self.last_id}


def poll_page(
    kind: FeedbackKind,
    items: list[Any],
    position: OzonCursor,
    last_id: Any,
    has_next: Any,
    account: str,
    now: datetime,
) -> PollPage:
    """The page a list of raw reviews or questions makes, with the answer's own last_id and has_next.

    Without a usable last_id the last item's id is the cursor; without has_next another page is
    taken to wait when this one had items and moved the cursor.
    """
    envelopes: list[FeedbackEnvelope] = []
    malformed: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        try:
            mapped = as_object(item, "item")
            envelope = (
                review_envelope(mapped, account, now)
                if kind == "review"
                else question_envelope(mapped, account, now)
            )
            envelopes.append(envelope)
        except MalformedItem as problem:
            malformed.append((item_label(item, "id", index), str(problem)))

    if not isinstance(last_id, str) or not last_id:
        last_id = _last_item_id(items) or position.last_id
    more = has_next is True if isinstance(has_next, bool) else bool(items) and last_id != position.last_id
    return PollPage(envelopes, malformed, OzonCursor(last_id).dump(), more)


def backfill_page(
    kind: FeedbackKind,
    items: list[Any],
    position: OzonCursor,
    last_id: Any,
    has_next: Any,
    since: datetime,
    account: str,
    now: datetime,
) -> PollPage:
    """A page of a backfill read newest first: the items published since `since`. Once the page holds an
    older one, the pages after it hold nothing newer, and `more` is false. An item whose published_at
    cannot be read is kept, so that it is reported as malformed rather than passed over."""
    recent = [item for item in items if _published_since(item, since, now)]
    page = poll_page(kind, recent, position, last_id, has_next, account, now)
    reached_older = len(recent) < len(items)
    return PollPage(page.envelopes, page.malformed, page.cursor, page.more and not reached_older)


def _published_since(item: Any, since: datetime, now: datetime) -> bool:
    if not isinstance(item, dict):
        return True  # reported as malformed by poll_page, not passed over in silence
    try:
        return parse_time(item.get("published_at"), "published_at", now) >= since
    except MalformedItem:
        return True


def _envelope(
    kind: FeedbackKind,
    item: Mapping[str, Any],
    account: str,
    now: datetime,
    *,
    text: str,
    rating: int | None = None,
    author_name: str | None = None,
    answered: bool = False,
) -> FeedbackEnvelope:
    external_id = required_id(item, "id")
    sku = required_id(item, "sku")
    created_at = parse_time(item.get("published_at"), "published_at", now)
    return build(
        lambda: FeedbackEnvelope(
            feedback_id=feedback_id(SOURCE, account, kind, external_id),
            source=SOURCE,
            account=account,
            kind=kind,
            external_id=external_id,
            text=text,
            rating=rating,
            product=ProductRef(id=sku),
            author=Author(name=author_name.strip()) if author_name else None,
            answered=answered,
            reply_context={"sku": sku},
            created_at=created_at,
            received_at=now,
        )
    )


def review_envelope(item: Mapping[str, Any], account: str, now: datetime) -> FeedbackEnvelope:
    """A review: id, sku, text, published_at, rating. The list gives no author, photos or pros/cons."""
    text = optional_text(item, "text") or ""
    rating = optional_rating(item, "rating")
    if not text and rating is None:
        raise MalformedItem("neither text nor rating")
    return _envelope(
        "review", item, account, now, text=text, rating=rating, answered=item.get("status") == "PROCESSED"
    )


def question_envelope(item: Mapping[str, Any], account: str, now: datetime) -> FeedbackEnvelope:
    """A question: id, sku, text, published_at, author_name; answered once answers_count is above 0."""
    answers = item.get("answers_count")
    answered = isinstance(answers, int | str) and str(answers).isdigit() and int(answers) > 0
    return _envelope(
        "question",
        item,
        account,
        now,
        text=required_text(item, "text"),
        author_name=optional_text(item, "author_name"),
        answered=answered,
    )


def _last_item_id(items: list[Any]) -> str | None:
    for item in reversed(items):
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            return str(item["id"])
    return None


# ---------------------------------------------------------------------- our replies, read back


def _is_ours(entry: Mapping[str, Any]) -> bool:
    """A review comment says is_owner; a question's answers do not, and are matched by text alone."""
    return entry.get("is_owner") is not False


def listed_read_back(entries: list[Any], answer_id: str | None, text: str) -> ReplyReadBack:
    """What a review's comments (/v1/review/comment/list) or a question's answers (/v1/question/answer/list)
    show of our reply. Ozon lists only what passed its moderation, and no comment can be edited: a
    listed reply is published, any other missing, since Ozon does not say whether it waits, was
    refused or was deleted."""
    entry = find_reply(entries, answer_id, text, _is_ours)
    if entry is None:
        return ReplyReadBack("missing")
    shown = entry.get("text")
    return ReplyReadBack(
        "published", text=shown if isinstance(shown, str) else None, platform_answer_id=reply_entry_id(entry)
    )


# ---------------------------------------------------------------------- pushes


class _BadPush(Exception):
    """A push Ozon's docs would not send: answered 400 with ERROR_PARAMETER_VALUE_MISSED.

    field is what the answer's details name (None when no one field is to blame); why says what
    is wrong, by default that the field is missing or malformed.
    """

    def __init__(self, field: str | None, why: str | None = None) -> None:
        super().__init__(why or f"{field} is missing or malformed")
        self.field = field


def _push_error(message: str, details: str | None) -> PushResult:
    return PushResult(400, {"error": {"code": MISSING_PARAMETER, "message": message, "details": details}})


def _field(document: Mapping[str, Any], key: str) -> Any:
    value = document.get(key)
    if value is None or value == "":
        raise _BadPush(key)
    return value


def _push_id(document: Mapping[str, Any], key: str) -> str:
    """An id of the push (a string or a number) as a string; _BadPush when it is neither, or too long."""
    try:
        ident = required_id(document, key)
    except MalformedItem as error:
        raise _BadPush(key) from error
    if len(ident) > MAX_ID_CHARS:
        raise _BadPush(key, f"{key} is over {MAX_ID_CHARS} characters")
    return ident


def _is_customer(user_type: str) -> bool:
    # Ozon's own example spells it "Сustomer" with a Cyrillic С; read both spellings as the buyer.
    return user_type.replace("\u0421", "C").replace("\u0441", "c").strip().lower() == "customer"


def _chat_envelope(
    document: Mapping[str, Any], connection: Connection, now: datetime
) -> FeedbackEnvelope | None:
    """The customer's chat message as feedback; None for anyone else's (seller, support, Ozon itself)."""
    chat_id = _push_id(document, "chat_id")
    message_id = _push_id(document, "message_id")
    user = _field(document, "user")
    if not isinstance(user, dict):
        raise _BadPush("user")
    user_type = _field(user, "type")
    if not isinstance(user_type, str):
        raise _BadPush("user.type")
    data = _field(document, "data")
    if not isinstance(data, list) or not all(isinstance(part, str) for part in data):
        raise _BadPush("data")
    text = "\n".join(data)
    if len(text) > MAX_TEXT_CHARS:
        raise _BadPush("data", f"data holds more than {MAX_TEXT_CHARS} characters of text")
    try:
        created_at = parse_time(document.get("created_at"), "created_at", now)
    except MalformedItem as error:
        raise _BadPush("created_at", str(error)) from error
    if not _is_customer(user_type):
        return None
    user_id = user.get("id")
    try:
        return build(
            lambda: FeedbackEnvelope(
                feedback_id=feedback_id(SOURCE, connection.name, "chat", message_id),
                source=SOURCE,
                account=connection.name,
                kind="chat",
                external_id=message_id,
                text=text,
                author=Author(id=str(user_id)) if isinstance(user_id, str | int) and str(user_id) else None,
                reply_context={"chat_id": chat_id},
                created_at=created_at,
                received_at=now,
            )
        )
    except MalformedItem as error:
        raise _BadPush(None, str(error)) from error


def parse_push(body: bytes, connection: Connection, now: datetime) -> PushResult:
    """Answer an Ozon push as its docs want: PING gets {version, name, time}; every other type
    {"result": true}; a body that is not JSON or lacks a field gets 400 with
    {"error": {"code": "ERROR_PARAMETER_VALUE_MISSED", "message", "details"}}.

    A customer's TYPE_NEW_MESSAGE or TYPE_UPDATE_MESSAGE becomes one chat FeedbackEnvelope (an
    edit keeps the message id, so it is the same feedback id). Messages from the seller, Ozon
    support or Ozon notifications are acknowledged and not ingested.
    """
    try:
        document = read_json_object(body)
    except UnreadableJson as error:
        return _push_error(str(error), None)
    message_type = document.get("message_type")
    if not isinstance(message_type, str) or not message_type:
        return _push_error("message_type is missing", "message_type")
    if message_type == "TYPE_PING":
        return PushResult(200, {"version": __version__, "name": INTEGRATION_NAME, "time": iso_seconds(now)})
    if message_type not in CHAT_MESSAGE_TYPES:
        return PushResult(200, {"result": True})
    try:
        envelope = _chat_envelope(document, connection, now)
    except _BadPush as bad:
        return _push_error(f"{message_type}: {bad}", bad.field)
    return PushResult(200, {"result": True}, envelopes=[envelope] if envelope else [])
