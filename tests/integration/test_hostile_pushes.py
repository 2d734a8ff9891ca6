"""Hostile webhooks and pushes through the real ingest_webhook handler on moto (issue 8): every one is
a 4xx in the documented shape, and nothing reaches IngestQueue or FetchQueue."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from infra.local.seed import PUSH_TOKEN, marketplace_seed
from infra.local.template import load_template
from tests.integration.conftest import ROOT, Stack
from tests.support.api_events import body_of, request_event, webhook_event
from tests.support.signing import sample_body, signature_for

FUNCTION = "IngestWebhookFunction"
OZON_ROUTE = ("/push/ozon/{connection}/{token}", "/push/ozon/ozon-main/" + PUSH_TOKEN)
YM_ROUTE = (
    "/push/yandex-market/{connection}/{token}/notification",
    f"/push/yandex-market/ym-main/{PUSH_TOKEN}/notification",
)


@pytest.fixture
def pushes(stack: Stack) -> Iterator[Stack]:
    """The stack with an Ozon and a Yandex Market connection that take pushes."""
    with FakeWildberries() as wb, FakeOzon() as ozon, FakeYandexMarket() as ym:
        overrides, secrets = marketplace_seed(
            "test",
            (wb.url, wb.token),
            (ozon.url, ozon.client_id, ozon.api_key),
            (ym.url, ym.api_key, ym.business_id),
        )
        for name, value in secrets.items():
            stack.ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
        stack.template = load_template(ROOT / "template.yaml", {"Stage": "test", **overrides})
        yield stack


def push(stack: Stack, route: tuple[str, str], body: bytes) -> dict[str, object]:
    resource, path = route
    connection = path.split("/")[3]
    event = request_event("POST", resource, path, body, {"connection": connection, "token": PUSH_TOKEN})
    response: dict[str, object] = stack.invoke(FUNCTION, event)
    return response


def assert_nothing_queued(stack: Stack) -> None:
    assert stack.receive("IngestQueue") == []
    assert stack.receive("FetchQueue") == []


def chat_push(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "message_type": "TYPE_NEW_MESSAGE",
        "chat_id": "chat-1",
        "message_id": "msg-1",
        "created_at": "2026-11-22T06:00:00Z",
        "user": {"id": "115568", "type": "Customer"},
        "data": ["Где мой заказ?"],
    }
    document.update(changes)
    return document


def test_a_15_mb_ozon_chat_push_is_413_in_our_error_shape(pushes: Stack) -> None:
    body = json.dumps(chat_push(data=["я" * 750_000]), ensure_ascii=False).encode()

    response = push(pushes, OZON_ROUTE, body)

    assert response["statusCode"] == 413
    assert body_of(response)["error"]["code"] == "payload_too_large"
    assert_nothing_queued(pushes)


def test_a_300_kb_yandex_market_notification_is_413(pushes: Stack) -> None:
    body = json.dumps({"notificationType": "PING", "padding": "x" * 300_000}).encode()

    response = push(pushes, YM_ROUTE, body)

    assert response["statusCode"] == 413
    assert_nothing_queued(pushes)


@pytest.mark.parametrize(
    "body",
    [
        b'{"message_type": "TYPE_NEW_MESSAGE", "data": ' + b"[" * 1_000 + b"]" * 1_000 + b"}",
        json.dumps(chat_push(data=["\ud800"])).encode(),
        json.dumps(chat_push(created_at="9999-12-31T23:00:00Z")).encode(),
        json.dumps(chat_push(data=["я" * 100_000]), ensure_ascii=False).encode(),
    ],
    ids=["nested-1000-deep", "lone-surrogate", "year-9999", "200-kb-of-text"],
)
def test_an_ozon_push_the_pipeline_could_not_carry_is_400_in_ozons_form(pushes: Stack, body: bytes) -> None:
    response = push(pushes, OZON_ROUTE, body)

    assert response["statusCode"] == 400
    assert body_of(response)["error"]["code"] == "ERROR_PARAMETER_VALUE_MISSED"
    assert_nothing_queued(pushes)


@pytest.mark.parametrize(
    "body",
    [
        b'{"notificationType": "GOODS_FEEDBACK_CREATED", "businessId": ' + b"7" * 4_301 + b"}",
        b'{"notificationType": "PING", "x": ' + b"[" * 1_000 + b"]" * 1_000 + b"}",
        json.dumps(
            {"notificationType": "GOODS_FEEDBACK_CREATED", "businessId": 777, "feedbackId": "9" * 100_000}
        ).encode(),
    ],
    ids=["int-of-4301-digits", "nested-1000-deep", "feedback-id-of-100000-digits"],
)
def test_a_yandex_market_notification_the_pipeline_could_not_carry_is_400(pushes: Stack, body: bytes) -> None:
    response = push(pushes, YM_ROUTE, body)

    assert response["statusCode"] == 400
    assert body_of(response)["error"]["type"] == "WRONG_EVENT_FORMAT"
    assert_nothing_queued(pushes)


@pytest.mark.parametrize(
    "signature",
    ["t=" + "1" * 4_301 + ",v1=00", "t=1795329660,v1=подпись", "t=1795329660," + "v1=0," * 400],
    ids=["t-of-4301-digits", "non-ascii-v1", "header-of-2-kb"],
)
def test_a_hostile_signature_is_401(stack: Stack, signature: str) -> None:
    body = sample_body()

    response = stack.invoke(FUNCTION, webhook_event(body, signature))

    assert response["statusCode"] == 401
    assert body_of(response)["error"]["code"] == "unauthorized"
    assert stack.receive("IngestQueue") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"created_at": "9999-12-31T23:59:59-14:00"}, "created_at"),
        ({"created_at": "0001-01-01T00:00:00+14:00"}, "created_at"),
        ({"created_at": "9999-12-31T23:00:00Z"}, "created_at"),
        ({"rating": True}, "rating"),
    ],
    ids=["year-9999-west", "year-1-east", "year-9999-utc", "rating-true"],
)
def test_a_signed_webhook_the_pipeline_could_not_carry_is_400_naming_the_field(
    stack: Stack, changes: dict[str, object], field: str
) -> None:
    body = sample_body(**changes)

    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body)))

    assert response["statusCode"] == 400
    assert field in {detail["field"] for detail in body_of(response)["error"]["details"]}
    assert stack.receive("IngestQueue") == []


def test_a_signed_webhook_with_an_integer_of_4301_digits_is_400(stack: Stack) -> None:
    body = sample_body()[:-1] + b', "extra": ' + b"1" * 4_301 + b"}"

    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body)))

    assert response["statusCode"] == 400
    assert stack.receive("IngestQueue") == []
