"""Hostile requests for the whole HTTP surface (webhooks, pushes, ops API), as hypothesis strategies.

A strategy draws a Plan: one request with placeholders where its unique marker goes (MARK, a word of
letters, in ids and texts; NUM, a number, in Yandex Market's numeric ids), so that anything a refused
request stored, queued or sent on can be found by its marker afterwards. The hostile features a
request carries are read off the rendered request (`features`), so a failure can be matched with a
known finding whatever strategy drew it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from otklik.domain.signature import compute_signature, sign
from tests.support.raw_http import Header
from tests.support.sensitive import CHAT_TEXTS, EMAILS, PHONES, REPLY_TEXTS, REVIEW_TEXTS, SECRETS

MARK = "@@MARK@@"
NUM = "@@NUM@@"
WEBHOOK_SECRET = SECRETS["webhook secret"]
BEARER = f"Bearer {SECRETS['bearer token']}"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
WEBHOOK_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Raw:
    """JSON text put into a document as is: numbers Python would not print, deep nesting, odd escapes."""

    text: str


def to_json(value: Any) -> str:
    """JSON text of value, with Raw parts verbatim and lone surrogates as \\u escapes."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{to_json(str(k))}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value)
        return text
    return json.dumps(value)


@dataclass(frozen=True)
class Rendered:
    method: str
    target: str
    headers: list[Header]
    body: bytes | None


@dataclass(frozen=True)
class Plan:
    """One hostile request before it is sent; the marker, number and clock are put in by render."""

    route: str  # "webhook", "ozon push", "ym push", "ops", "reply", "matrix"
    method: str
    target: str  # path and query; may hold MARK or NUM
    shape: str  # what is hostile about it, in a few words, for the report
    headers: tuple[Header, ...] = ()
    body: bytes | None = None  # may hold MARK or NUM
    signature: str | None = None  # a name in SIGNATURES: X-Otklik-Signature is made over the final body
    carries_marker: bool = True  # False: nothing in it names the request (ops reads)

    def render(self, marker: str, number: int, now: int) -> Rendered:
        def fill(data: bytes) -> bytes:
            return data.replace(MARK.encode(), marker.encode()).replace(NUM.encode(), str(number).encode())

        target = self.target.replace(MARK, marker).replace(NUM, str(number))
        body = fill(self.body) if self.body is not None else None
        headers = [
            (name, fill(v) if isinstance(v, bytes) else fill(v.encode()).decode()) for name, v in self.headers
        ]
        if self.signature is not None:
            value = SIGNATURES[self.signature](body or b"", now)
            if value is not None:
                headers.append(("X-Otklik-Signature", value))
        return Rendered(self.method, target, headers, body)


# ---------------------------------------------------------------- signatures


def _valid(body: bytes, now: int) -> str:
    return sign(WEBHOOK_SECRET, body, now)


def _hex(body: bytes, now: int) -> str:
    return compute_signature(WEBHOOK_SECRET, now, body)


_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

SIGNATURES: dict[str, Callable[[bytes, int], str | bytes | None]] = {
    "valid": _valid,
    "missing": lambda body, now: None,
    "empty": lambda body, now: "",
    "blank parts": lambda body, now: "t=,v1=",
    "only t": lambda body, now: f"t={now}",
    "only v1": lambda body, now: f"v1={_hex(body, now)}",
    "stale": lambda body, now: sign(WEBHOOK_SECRET, body, now - 301),
    "future": lambda body, now: sign(WEBHOOK_SECRET, body, now + 301),
    "huge t": lambda body, now: f"t={'9' * 5000},v1={_hex(body, now)}",
    "negative t": lambda body, now: f"t=-{now},v1={_hex(body, now)}",
    "fullwidth t": lambda body, now: f"t={str(now).translate(_FULLWIDTH)},v1={_hex(body, now)}".encode(),
    "float t": lambda body, now: f"t={now}.5,v1={_hex(body, now)}",
    "non-ascii v1": lambda body, now: f"t={now},v1={'ж' * 32}".encode(),
    "latin-1 v1": lambda body, now: f"t={now},v1={'é' * 64}".encode("latin-1"),
    "wrong secret": lambda body, now: sign("not-the-secret", body, now),
    "other body": lambda body, now: sign(WEBHOOK_SECRET, body + b" ", now),
    "upper hex": lambda body, now: f"t={now},v1={_hex(body, now).upper()}",
    "long v1": lambda body, now: f"t={now},v1={'a' * 6000}",
    "v1 with a valid one": lambda body, now: f"t={now},v1={'0' * 64},v1={_hex(body, now)}",
    "reversed": lambda body, now: f"v1={_hex(body, now)},t={now}",
    "semicolons": lambda body, now: f"t={now};v1={_hex(body, now)}",
    "spaces": lambda body, now: f"  t = {now} , v1 = {_hex(body, now)} ",
    "NUL": lambda body, now: f"t={now}\x00,v1={_hex(body, now)}",
    "t twice": lambda body, now: f"t=1,t={now},v1={_hex(body, now)}",
}
BAD_SIGNATURES = tuple(
    name for name in SIGNATURES if name not in ("valid", "v1 with a valid one", "reversed")
)


# ---------------------------------------------------------------- hostile values

HUGE_INT = Raw("9" * 4400)
ODD_STRINGS = (
    "",
    " ",
    "\u0000",
    "\x1b[2J\x1b[31m",
    "\r\n\r\n",
    "\t\v\f",
    "\u202eevil",
    "\ufeff",
    "\u2028\u2029",
    "\ud800",
    "\udfff",
    "a\ud83db",
    "\uffff\ufffe",
    "😀" * 10,
    "ж" * 10,
    "%00",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "null",
    "NaN",
    "\\",
    '"',
    "9" * 40,
)
EDGE_NUMBERS: tuple[Any, ...] = (
    0,
    -1,
    1,
    5,
    6,
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    10**30,
    1.5,
    -0.0,
    1e308,
    Raw("1e400"),
    Raw("-1e400"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("-0"),
    Raw("5.0"),
    Raw("1E0"),
    Raw("0.1e-400"),
    HUGE_INT,
    Raw("-" + "1" * 5000),
)
EDGE_DATES: tuple[Any, ...] = (
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59-00:01",
    "2038-01-19T03:14:08Z",
    "2100-01-01T00:00:00+05:45",
    "1900-01-01T00:00:00-09:30",
    "2026-02-29T00:00:00Z",
    "2024-02-29T12:00:00+05:45",
    "2026-11-22T10:00:00+23:59",
    "2026-11-22T10:00:00-23:59",
    "2026-11-22T10:00:00+24:00",
    "2026-11-22T10:00:00+00:00:01",
    "2026-11-22T10:00:00+00:00:00.5",
    "2026-11-22T10:00:00",
    "2026-11-22",
    "2026-11-22T25:61:61Z",
    "2026-13-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "+002026-11-22T10:00:00Z",
    "2026-11-22T10:00:00.1234567891234Z",
    "2026-11-22 10:00:00+03:00",
    "2026-11-22t10:00:00z",
    "20261122T100000Z",
    "２０２６-11-22T10:00:00Z",
    "2026-11-22T10:00:00+03:00\u0000",
    0,
    -62135596800,
    253402300799,
    1e20,
)
# Offsets up to a day either way, odd minutes and seconds included: Python takes them all.
_OFFSETS = st.one_of(
    st.sampled_from([14 * 60, -14 * 60, 23 * 60 + 59, -(23 * 60 + 59), 345, -570, 1, 0]).map(
        lambda minutes: timedelta(minutes=minutes)
    ),
    st.integers(min_value=-86399, max_value=86399).map(lambda seconds: timedelta(seconds=seconds)),
)
_DATETIMES = st.builds(
    lambda moment, offset: moment.replace(tzinfo=timezone(offset)).isoformat(),
    st.datetimes(),  # from 0001-01-01 to 9999-12-31
    _OFFSETS,
)
DATES = st.one_of(st.sampled_from(EDGE_DATES), _DATETIMES)


def _repeat(text: str, count: int) -> str:
    return text * count


# Long strings; runs of digits are kept short: masking a long one is a known slow case (issue 8).
HUGE_STRINGS = st.one_of(
    st.builds(
        _repeat,
        st.sampled_from(["x", "я", "😀", "\u0000", "\\", '"', " ", "\ud800", "a@"]),
        st.sampled_from([300, 5_000, 25_000, 120_000]),
    ),
    st.builds(_repeat, st.sampled_from(["1", "+7 ", "4111 "]), st.sampled_from([50, 500, 3_000])),
)


def deep(depth: int, kind: str) -> Raw:
    if kind == "list":
        return Raw("[" * depth + "]" * depth)
    if kind == "object":
        return Raw('{"a":' * depth + "1" + "}" * depth)
    return Raw("[" * depth)  # unclosed


DEEP = st.builds(
    deep, st.sampled_from([40, 200, 1_000, 5_000]), st.sampled_from(["list", "object", "unclosed"])
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(EDGE_NUMBERS),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(ODD_STRINGS),
)
VALUES = st.one_of(
    SCALARS,
    SCALARS,
    HUGE_STRINGS,
    DEEP,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
)


def _short(value: Any, limit: int = 60) -> str:
    text = value.text if isinstance(value, Raw) else repr(value)
    if len(text) > limit:
        text = f"{text[: limit // 2]}…({len(text)} chars)…{text[-8:]}"
    return text


# ---------------------------------------------------------------- document mutations

Path = tuple[str, ...]


def _mutate(document: dict[str, Any], path: Path, value: Any, delete: bool) -> str:
    """Change one field in place; what was done, for the request's shape."""
    parent: Any = document
    for key in path[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return ""
    name = ".".join(path)
    if delete:
        parent.pop(path[-1], None)
        return f"no {name}"
    parent[path[-1]] = value
    return f"{name}={_short(value)}"


@st.composite
def mutated(
    draw: st.DrawFn,
    document: dict[str, Any],
    fields: Sequence[Path],
    values_for: Callable[[Path], st.SearchStrategy[Any]],
) -> tuple[str, str]:
    """The document with one or two fields changed or dropped (or an unknown one added): (JSON, shape)."""
    changes = []
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        choice = draw(st.sampled_from([*fields, ("<unknown field>",)]))
        if choice == ("<unknown field>",):
            key = draw(
                st.one_of(
                    st.text(max_size=12), st.sampled_from(["__proto__", "constructor", "$where", "id "])
                )
            )
            document[key] = draw(VALUES)
            changes.append(f"+{_short(key)}={_short(document[key])}")
            continue
        delete = draw(st.integers(min_value=0, max_value=4)) == 0
        changes.append(_mutate(document, choice, None if delete else draw(values_for(choice)), delete))
    return to_json(document), "; ".join(change for change in changes if change)


# A JSON text where a document should be, for bodies that are not one document.
WHOLE_BODIES: tuple[tuple[str, bytes], ...] = (
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"review"'),
    ("number", b"1"),
    ("NaN", b"NaN"),
    ("truncated", b'{"id": "@@MARK@@", "kind": '),
    ("trailing garbage", b'{"id": "@@MARK@@"} xyz'),
    ("two documents", b'{"id": "@@MARK@@"}{"id": "x"}'),
    ("form", b"id=@@MARK@@&kind=review&text=hello"),
    ("not utf-8", b'{"id": "@@MARK@@", "text": "\xff\xfe\xfa"}'),
    ("encoded surrogate", b'{"id": "@@MARK@@", "text": "\xed\xa0\x80"}'),
    ("bom", b'\xef\xbb\xbf{"id": "@@MARK@@"}'),
    ("utf-16", '{"id": "@@MARK@@", "kind": "review"}'.encode("utf-16")),
    ("unclosed 3000", b"[" * 3000),
    ("brackets 100000", b"[" * 100_000),
    ("objects 1000", b'{"a":' * 1000 + b"1" + b"}" * 1000),
    ("huge int", b'{"id": "@@MARK@@", "rating": ' + b"9" * 4400 + b"}"),
    ("nul bytes", b"\x00" * 64),
)


def _fields(document: dict[str, Any]) -> list[Path]:
    paths: list[Path] = []
    for key, value in document.items():
        paths.append((key,))
        if isinstance(value, dict):
            paths += [(key, inner) for inner in value]
    return paths


# ---------------------------------------------------------------- webhooks

WEBHOOK_CONTENT_TYPES: tuple[str | bytes | None, ...] = (
    "application/json",
    "application/json",
    "application/json",
    "text/plain",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/xml",
    "multipart/form-data; boundary=zzz",
    "image/png",
    "*/*",
    "",
    None,
    "application/json, text/plain",
    "ж".encode(),
)
WRONG_KINDS = (
    "Review",
    "REVIEW",
    "",
    "review ",
    "spam",
    "reviews",
    "чат",
    "review\u0000",
    "complaint,review",
)


def webhook_document(text: str, kind: str) -> dict[str, Any]:
    """A valid webhook body whose id, text and order id carry the marker."""
    return {
        "id": MARK,
        "kind": kind,
        "text": f"{text} #{MARK}#",
        "rating": 1,
        "product": {"id": "sku-4411", "name": "Рюкзак городской 20 л", "sku": "RK-20"},
        "order": {"id": f"ord-{MARK}"},
        "customer": {
            "id": "c-5521",
            "name": "Анна",
            "email": EMAILS[0],
            "phone": PHONES[0],
            "tier": "vip",
        },
        "created_at": "2026-11-22T09:41:00+03:00",
        "account": "default",
    }


def _webhook_values(path: Path) -> st.SearchStrategy[Any]:
    specific: dict[Path, st.SearchStrategy[Any]] = {
        ("created_at",): st.one_of(DATES, DATES, DATES, SCALARS),
        ("rating",): st.one_of(
            st.sampled_from([0, 6, -1, True, False, "5", "1.0", 1.5, Raw("5.0"), Raw("1e0"), 10**20, None]),
            SCALARS,
        ),
        ("kind",): st.one_of(st.sampled_from(WRONG_KINDS), SCALARS),
        ("account",): st.one_of(
            st.sampled_from(["", "a" * 101, "Ä", "../x", "default\u0000", " default", "ozon-main"]), SCALARS
        ),
        ("id",): st.one_of(st.sampled_from(["", "x" * 201, "\u0000", "a/b", " "]), SCALARS),
    }
    return specific.get(path, VALUES)


@st.composite
def webhooks(draw: st.DrawFn) -> Plan:
    """POST /webhooks/custom: signed documents changed field by field, whole bodies that are not one,
    bad signatures, odd content types and sizes."""
    document = webhook_document(
        draw(st.sampled_from(REVIEW_TEXTS)),
        draw(st.sampled_from(["review", "question", "chat", "complaint", "survey"])),
    )
    variant = draw(
        st.sampled_from(["field", "field", "field", "field", "body", "signature", "content type", "size"])
    )
    signature = "valid"
    content_type: str | bytes | None = "application/json"
    if variant == "field":
        text, shape = draw(mutated(document, _fields(document), _webhook_values))
        body = text.encode("utf-8")
    elif variant == "body":
        name, body = draw(st.sampled_from(WHOLE_BODIES))
        shape = f"body: {name}"
    elif variant == "signature":
        body = to_json(document).encode()
        signature = draw(st.sampled_from(BAD_SIGNATURES))
        shape = f"signature: {signature}"
    elif variant == "content type":
        body = to_json(document).encode()
        content_type = draw(st.sampled_from(WEBHOOK_CONTENT_TYPES))
        shape = f"content type {_short(content_type)}"
    else:
        size = draw(st.sampled_from([WEBHOOK_LIMIT + 1, 400_000, 1_100_000]))
        document["text"] = "ы" * (size // 2)
        body = to_json(document).encode()
        shape = f"body of {len(body)} bytes"
    headers: tuple[Header, ...] = () if content_type is None else (("Content-Type", content_type),)
    return Plan("webhook", "POST", "/webhooks/custom", f"webhook {shape}", headers, body, signature)


WEBHOOK_SOURCES = (
    "CUSTOM",
    "custom%20",
    "%63ustom",
    "custom%00",
    "unknown",
    "x" * 3000,
    "%D0%B6",
    "..",
    "custom%2F..",
    "%zz",
    "custom;x",
    "custom%0d%0aX-Evil:%201",
)


@st.composite
def webhook_paths(draw: st.DrawFn) -> Plan:
    """Other methods and odd sources on /webhooks/."""
    body = to_json(webhook_document(REVIEW_TEXTS[0], "review")).encode()
    if draw(st.booleans()):
        method = draw(st.sampled_from([m for m in METHODS if m != "POST"]))
        return Plan(
            "webhook",
            method,
            "/webhooks/custom",
            f"webhook {method}",
            (("Content-Type", "application/json"),),
            body,
            "valid",
        )
    source = draw(
        st.one_of(
            st.sampled_from(WEBHOOK_SOURCES),
            st.text(min_size=1, max_size=30).map(lambda s: quote(s, safe="")),
        )
    )
    suffix = draw(st.sampled_from(["", "", "/", "/extra", "?source=custom"]))
    return Plan(
        "webhook",
        "POST",
        f"/webhooks/{source}{suffix}",
        f"webhook to source {_short(source)}{suffix}",
        (("Content-Type", "application/json"),),
        body,
        "valid",
    )


# ---------------------------------------------------------------- pushes

OZON_TYPES = (
    "TYPE_NEW_MESSAGE",
    "TYPE_NEW_MESSAGE",
    "TYPE_UPDATE_MESSAGE",
    "TYPE_PING",
    "TYPE_CHAT_CLOSED",
    "TYPE_NEW_POSTING",
    "type_new_message",
    "TYPE_NEW_MESSAGE ",
    "",
)


def ozon_document(text: str, message_type: str) -> dict[str, Any]:
    """An Ozon chat push of a customer's message; message id, chat id and text carry the marker."""
    document: dict[str, Any] = {
        "message_type": message_type,
        "chat_id": f"chat-{MARK}",
        "chat_type": "Buyer_Seller",
        "message_id": MARK,
        "created_at": "2026-11-22T09:41:00.000Z",
        "user": {"id": "115568", "type": "Customer"},
        "data": [f"{text} #{MARK}#"],
        "seller_id": "1001",
    }
    if message_type == "TYPE_UPDATE_MESSAGE":
        document["updated_at"] = "2026-11-22T09:45:00.000Z"
    return document


def _ozon_values(path: Path) -> st.SearchStrategy[Any]:
    specific: dict[Path, st.SearchStrategy[Any]] = {
        ("created_at",): st.one_of(DATES, DATES, SCALARS),
        ("updated_at",): st.one_of(DATES, SCALARS),
        ("data",): st.one_of(
            st.sampled_from([["\ud800"], [], [""], [1, 2], [None], ["a"] * 10_000, [{"text": "x"}]]),
            st.lists(st.one_of(st.text(max_size=30), st.sampled_from(ODD_STRINGS)), max_size=4),
            HUGE_STRINGS.map(lambda s: [s]),
            VALUES,
        ),
        ("user", "type"): st.one_of(
            st.sampled_from(["customer", "Сustomer", "seller", "Support", "", " Customer "]), SCALARS
        ),
        ("message_type",): st.one_of(st.sampled_from(OZON_TYPES), SCALARS),
    }
    return specific.get(path, VALUES)


PUSH_CONTENT_TYPES = (
    "application/json",
    "application/json",
    "text/plain",
    "application/xml",
    "",
    "application/json; charset=utf-16",
)


@st.composite
def ozon_pushes(draw: st.DrawFn, push_path: str) -> Plan:
    """POST /push/ozon/...: chat events changed field by field, bodies that are not one, big ones."""
    document = ozon_document(draw(st.sampled_from(CHAT_TEXTS)), draw(st.sampled_from(OZON_TYPES[:3])))
    variant = draw(st.sampled_from(["field", "field", "field", "body", "size", "content type"]))
    content_type = "application/json"
    if variant == "field":
        text, shape = draw(mutated(document, _fields(document), _ozon_values))
        body = text.encode("utf-8")
    elif variant == "body":
        name, body = draw(st.sampled_from(WHOLE_BODIES))
        shape = f"body: {name}"
    elif variant == "size":
        size = draw(st.sampled_from([300_000, 1_500_000]))
        document["data"] = ["Где мой заказ? " * (size // 28)]
        body = to_json(document).encode()
        shape = f"chat message of {len(body)} bytes"
    else:
        body = to_json(document).encode()
        content_type = draw(st.sampled_from(PUSH_CONTENT_TYPES))
        shape = f"content type {content_type!r}"
    return Plan("ozon push", "POST", push_path, f"ozon {shape}", (("Content-Type", content_type),), body)


YM_TYPES = (
    "GOODS_FEEDBACK_CREATED",
    "GOODS_FEEDBACK_CREATED",
    "CHAT_MESSAGE_SENT",
    "PING",
    "ORDER_CREATED",
    "goods_feedback_created",
    "",
)


def ym_document(kind: str, business_id: int) -> dict[str, Any]:
    """A Yandex Market notification; its feedback or chat id is the request's number."""
    if kind == "CHAT_MESSAGE_SENT":
        return {
            "notificationType": kind,
            "businessId": business_id,
            "chatId": Raw(NUM),
            "messageId": NUM,
            "sentAt": "2026-11-22T09:41:00+03:00",
        }
    if kind == "PING":
        return {"notificationType": kind, "time": "2026-11-22T09:41:00+03:00"}
    return {
        "notificationType": kind,
        "businessId": business_id,
        "feedbackId": Raw(NUM),
        "createdAt": "2026-11-22T09:41:00+03:00",
        "publishedAt": "2026-11-22T09:41:00+03:00",
    }


_NUMERIC_STRINGS = st.sampled_from(
    [
        " 123 ",
        "１２３",
        "-5",
        "0x1F",
        "1e5",
        "12.0",
        "9" * 5000,
        "0",
        "00000000000000000000001",
        "7" * 30,
        "123\u0000",
    ]
)


def _ym_values(path: Path) -> st.SearchStrategy[Any]:
    if path[0] in ("businessId", "feedbackId", "chatId", "messageId"):
        return st.one_of(_NUMERIC_STRINGS, st.sampled_from(EDGE_NUMBERS), SCALARS)
    if path[0] in ("createdAt", "publishedAt", "sentAt", "time"):
        return st.one_of(DATES, SCALARS)
    if path[0] == "notificationType":
        return st.one_of(st.sampled_from(YM_TYPES), SCALARS)
    return VALUES


@st.composite
def ym_pushes(draw: st.DrawFn, push_path: str, business_id: int) -> Plan:
    """POST /push/yandex-market/.../notification: notifications changed field by field, odd bodies."""
    document = ym_document(draw(st.sampled_from(YM_TYPES[:4])), business_id)
    variant = draw(st.sampled_from(["field", "field", "field", "body", "content type"]))
    content_type = "application/json"
    if variant == "field":
        text, shape = draw(mutated(document, _fields(document), _ym_values))
        body = text.encode("utf-8")
    elif variant == "body":
        name, body = draw(st.sampled_from(WHOLE_BODIES))
        shape = f"body: {name}"
    else:
        body = to_json(document).encode()
        content_type = draw(st.sampled_from(PUSH_CONTENT_TYPES))
        shape = f"content type {content_type!r}"
    return Plan("ym push", "POST", push_path, f"ym {shape}", (("Content-Type", content_type),), body)


PUSH_TOKENS = (
    "wrong-token",
    "",
    "%00",
    "local-push-tokenx",
    "local-push-toke",
    "LOCAL-PUSH-TOKEN",
    "x" * 5000,
    "%D0%B6",
    "..",
    "local-push-token%00",
    "%zz",
)
PUSH_CONNECTIONS = (
    "unknown",
    "ym-main",
    "wb-main",
    "OZON-MAIN",
    "ozon-main%00",
    "x" * 3000,
    "..",
    "%2e%2e",
    "ozon_main",
)


@st.composite
def push_auth(draw: st.DrawFn, token: str) -> Plan:
    """Pushes to URLs whose connection or token is wrong, or whose path is not quite the route."""
    marketplace = draw(st.sampled_from(["ozon", "yandex-market"]))
    connection = "ozon-main" if marketplace == "ozon" else "ym-main"
    variant = draw(st.sampled_from(["token", "connection", "path", "method"]))
    method = "POST"
    if variant == "token":
        token = draw(
            st.one_of(
                st.sampled_from(PUSH_TOKENS),
                st.text(min_size=1, max_size=20).map(lambda s: quote(s, safe="")),
            )
        )
    elif variant == "connection":
        connection = draw(st.sampled_from(PUSH_CONNECTIONS))
    elif variant == "method":
        method = draw(st.sampled_from([m for m in METHODS if m != "POST"]))
    suffix = "/notification" if marketplace == "yandex-market" else ""
    if variant == "path":
        suffix = draw(
            st.sampled_from(
                ["/", "/extra", "/notification/x", "//", "?x=1"]
                if marketplace == "ozon"
                else ["", "/", "/notifications", "/notification/x", "/NOTIFICATION"]
            )
        )
    document = (
        ozon_document(CHAT_TEXTS[0], "TYPE_NEW_MESSAGE")
        if marketplace == "ozon"
        else ym_document("GOODS_FEEDBACK_CREATED", 777)
    )
    target = f"/push/{marketplace}/{connection}/{token}{suffix}"
    route = "ozon push" if marketplace == "ozon" else "ym push"
    return Plan(
        route,
        method,
        target,
        f"{marketplace} push {variant}: {_short(target, 80)}",
        (("Content-Type", "application/json"),),
        to_json(document).encode(),
    )


# ---------------------------------------------------------------- ops API


def _b64(data: bytes, urlsafe: bool, padded: bool) -> str:
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    return text if padded else text.rstrip("=")


CURSORS = st.one_of(
    st.builds(_b64, st.binary(max_size=64), st.booleans(), st.booleans()),
    st.builds(
        _b64,
        st.dictionaries(
            st.sampled_from(["pk", "sk", "day", "id", "PK", "created_at", "status", "due_at", "feedback_id"]),
            SCALARS,
            max_size=4,
        ).map(lambda d: to_json(d).encode()),
        st.booleans(),
        st.booleans(),
    ),
    st.sampled_from(
        [
            "!!!",
            "====",
            "%%%",
            "a",
            _b64(b"null", True, True),
            _b64(b"[]", True, True),
            _b64(b"{}", True, True),
            _b64(b'{"pk": {"S": "x"}}', True, True),
            _b64(b'{"id": {"S": "' + b"x" * 3000 + b'"}}', True, True),
            _b64(b"[" * 3000, True, True),
            "x" * 9000,
        ]
    ),
    st.text(max_size=20),
)
QUERY_VALUES: dict[str, st.SearchStrategy[str]] = {
    "limit": st.one_of(
        st.sampled_from(
            [
                "0",
                "-1",
                "1",
                "200",
                "201",
                "50.0",
                "1e2",
                " 5",
                "5 ",
                "+5",
                "0x10",
                "005",
                "５",
                "",
                "9" * 5000,
                "9" * 20,
                "-0",
                "NaN",
                "Infinity",
            ]
        ),
        st.integers().map(str),
        st.text(max_size=10),
    ),
    "cursor": CURSORS,
    "day": st.one_of(
        st.sampled_from(
            [
                "2026-11-22",
                "2026-02-30",
                "0001-01-01",
                "9999-12-31",
                "0000-00-00",
                "2026-13-01",
                "26-11-22",
                "2026-11-22T00:00:00Z",
                "2026/11/22",
                "",
                "2026-11-22\u0000",
                "２０２６-11-22",
                "x" * 5000,
                "-2026-11-22",
                "+2026-11-22",
                "10000-01-01",
            ]
        ),
        st.dates().map(lambda d: d.isoformat()),
        st.text(max_size=12),
    ),
    "status": st.one_of(
        st.sampled_from(
            [
                "open",
                "resolved",
                "closed",
                "OPEN",
                "open ",
                "deleted",
                "",
                "open,closed",
                "x" * 5000,
                "\u0000",
            ]
        ),
        st.text(max_size=12),
    ),
}
LIST_PARAMS = {
    "/feedback": ("day", "limit", "cursor"),
    "/tickets": ("status", "limit", "cursor"),
    "/notifications": ("ticket_id", "limit"),
    "/aggregates": ("day",),
}
ODD_IDS = (
    "",
    "..",
    ".",
    "%2e%2e",
    "%00",
    "fb_" + "0" * 24,
    "tk_" + "f" * 24,
    "x" * 5000,
    "%D0%B6",
    "%zz",
    "%",
    "a%2Fb",
    "%7Bid%7D",
    "null",
    "-1",
    quote("😀"),
    "fb_%0a",
)


AUTHORIZATIONS: tuple[str | bytes | None, ...] = (
    BEARER,
    BEARER,
    BEARER,
    BEARER,
    BEARER,
    BEARER,
    None,
    "Bearer wrong",
    "bearer local-dev-token",
    "Bearer local-dev-token ",
    "Bearer  local-dev-token",
    "Basic bG9jYWw6ZGV2",
    "Bearer",
    "Bearer " + "x" * 6000,
    "Bearer ток".encode(),
    "local-dev-token",
    "Bearer local-dev-token\x00",
)


def _auth(value: str | bytes | None) -> tuple[Header, ...]:
    return () if value is None else (("Authorization", value),)


@dataclass(frozen=True)
class OpsIds:
    """Ids that exist in the stack being fuzzed, so hostile requests reach past the lookup too."""

    feedback: tuple[str, ...]
    tickets: tuple[str, ...]  # own-channel tickets: a reply to one has nowhere to go (400)
    chat_tickets: tuple[str, ...]  # Ozon chat tickets: a reply to one is published


@st.composite
def ops_queries(draw: st.DrawFn, ids: OpsIds) -> Plan:
    """GET on the list routes with hostile query parameters, sometimes with a wrong token."""
    path = draw(st.sampled_from(sorted(LIST_PARAMS)))
    pairs: list[tuple[str, str]] = []
    for name in LIST_PARAMS[path]:
        if draw(st.integers(min_value=0, max_value=9)) < 7:
            if name == "ticket_id":
                value = draw(
                    st.one_of(
                        st.sampled_from(ids.tickets + ids.chat_tickets),
                        st.sampled_from(ODD_IDS),
                        st.text(max_size=10),
                    )
                )
            else:
                value = draw(QUERY_VALUES[name])
            pairs.append((name, value))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        pairs.append(
            draw(
                st.sampled_from(
                    [("limit", "1"), ("x", "y"), ("day", "2026-11-22"), ("cursor", ""), (quote("ж"), "1")]
                )
            )
        )
    parts = [f"{quote(name, safe='%')}={quote(value, safe='')}" for name, value in pairs]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        # Sent as is: escapes that decode to nothing, or to bytes that are not UTF-8.
        parts.append(
            draw(
                st.sampled_from(
                    ["limit=%zz", "day=%ff%fe", "status=%", "cursor=a+b/c==", "x=%00", "=", "&&", "limit"]
                )
            )
        )
    query = "&".join(parts)
    authorization = draw(st.sampled_from(AUTHORIZATIONS))
    shape = f"GET {path}?{_short(query, 120)} auth={_short(authorization, 30)}"
    return Plan(
        "ops", "GET", f"{path}?{query}" if query else path, shape, _auth(authorization), carries_marker=False
    )


@st.composite
def ops_paths(draw: st.DrawFn, ids: OpsIds) -> Plan:
    """One item's routes and paths that are no route, with any method."""
    known = ids.feedback + ids.tickets + ids.chat_tickets
    item = draw(
        st.one_of(
            st.sampled_from(known),
            st.sampled_from(ODD_IDS),
            st.text(min_size=1, max_size=20).map(lambda s: quote(s, safe="")),
        )
    )
    path = draw(
        st.sampled_from(
            [
                f"/feedback/{item}",
                f"/tickets/{item}",
                f"/tickets/{item}/",
                f"/feedback/{item}/x",
                f"/tickets/{item}/reply/x",
                f"/{item}",
                f"/health/{item}",
                "//tickets",
                "/tickets/../health",
                "/TICKETS",
                "/health?" + item,
                "/notifications/" + item,
                "/aggregates/" + item,
            ]
        )
    )
    method = draw(st.sampled_from(["GET", "GET", "GET", *METHODS]))
    body = b'{"text": "x"}' if method in ("POST", "PUT", "PATCH") else None
    authorization = draw(st.sampled_from(AUTHORIZATIONS))
    headers = (*_auth(authorization), ("Content-Type", "application/json"))
    return Plan(
        "ops",
        method,
        path,
        f"{method} {_short(path, 80)} auth={_short(authorization, 30)}",
        headers,
        body,
        carries_marker=False,
    )


REPLY_CONTENT_TYPES: tuple[str | None, ...] = ("application/json",) * 6 + (
    "text/plain",
    None,
    "application/json; charset=latin-1",
    "APPLICATION/JSON",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-16",
)


def _reply_values(path: Path) -> st.SearchStrategy[Any]:
    return st.one_of(
        VALUES,
        st.sampled_from(
            [
                "x" * 1001,
                "x" * 5001,
                "x" * 10_001,
                " ",
                "\n",
                "\u0000",
                "a\u0007b",
                "\ud800",
                "ж" * 4000,
                "Спасибо! " * 500,
            ]
        ),
    )


@st.composite
def replies(draw: st.DrawFn, ids: OpsIds) -> Plan:
    """POST /tickets/{id}/reply: bodies changed field by field, odd bodies and content types."""
    ticket = draw(
        st.one_of(
            st.sampled_from(ids.chat_tickets),
            st.sampled_from(ids.chat_tickets),
            st.sampled_from(ids.tickets),
            st.sampled_from(ODD_IDS),
        )
    )
    document: dict[str, Any] = {
        "text": f"{draw(st.sampled_from(REPLY_TEXTS))} #{MARK}#",
        "approved_by": f"fuzz {MARK}",
    }
    variant = draw(st.sampled_from(["field", "field", "field", "body", "content type", "auth"]))
    content_type = "application/json"
    authorization: str | bytes | None = BEARER
    if variant == "field":
        text, shape = draw(mutated(document, [("text",), ("approved_by",)], _reply_values))
        body = text.encode("utf-8")
    elif variant == "body":
        name, body = draw(st.sampled_from(WHOLE_BODIES))
        shape = f"body: {name}"
    elif variant == "content type":
        body = to_json(document).encode()
        content_type = draw(st.sampled_from(REPLY_CONTENT_TYPES)) or ""
        shape = f"content type {content_type!r}"
    else:
        body = to_json(document).encode()
        authorization = draw(st.sampled_from(AUTHORIZATIONS[6:]))
        shape = f"auth {_short(authorization, 30)}"
    headers = (*_auth(authorization), *((("Content-Type", content_type),) if content_type else ()))
    return Plan(
        "reply", "POST", f"/tickets/{ticket}/reply", f"reply to {_short(ticket, 30)}: {shape}", headers, body
    )


def hostile_requests(
    ids: OpsIds, ozon_push_path: str, ym_push_path: str, push_token: str, business_id: int
) -> dict[str, st.SearchStrategy[Plan]]:
    """Every kind of hostile request, by name."""
    return {
        "webhooks": webhooks(),
        "webhook paths": webhook_paths(),
        "ozon pushes": ozon_pushes(ozon_push_path),
        "ym pushes": ym_pushes(ym_push_path, business_id),
        "push urls": push_auth(push_token),
        "ops queries": ops_queries(ids),
        "ops paths": ops_paths(ids),
        "replies": replies(ids),
    }


# ---------------------------------------------------------------- what a rendered request carries

_DEEP_BRACKETS = re.compile(rb"[\[{]{100}")
_HUGE_NUMBER = re.compile(rb"\d{4301}")
_EDGE_YEAR = re.compile(rb"(?<!\d)(?:0001|9999)-\d\d-\d\d")
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<![0-9a-fA-F]{2}\\u)\\u[dD][c-fC-F][0-9a-fA-F]{2}|\xed[\xa0-\xbf]"
)


def _depth(body: bytes) -> int:
    """How deep the brackets of a JSON text nest, strings skipped (a rough reader: enough to tag)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def features(plan: Plan, rendered: Rendered) -> frozenset[str]:
    """Hostile features of a request that issue 8 names, read off what was sent."""
    found: set[str] = set()
    body = rendered.body or b""
    if plan.signature == "huge t":
        found.add("huge t")
    if plan.signature in ("non-ascii v1", "latin-1 v1"):
        found.add("non-ascii v1")
    if _HUGE_NUMBER.search(body):
        found.add("huge int")
    if _DEEP_BRACKETS.search(body) or (len(body) < 200_000 and _depth(body) >= 100):
        found.add("deep nesting")
    if _EDGE_YEAR.search(body):
        found.add("edge date")
    if _LONE_SURROGATE.search(body):
        found.add("lone surrogate")
    if len(body) > WEBHOOK_LIMIT:
        found.add("huge body")
    if re.search(r"[?&]limit=\d{4300}", rendered.target):
        found.add("huge limit")
    if re.search(r"[?&]cursor=[^&]", rendered.target):
        found.add("cursor")
    return frozenset(found)
