"""The channels a document names: each enabled one posts to the URL its SSM parameter holds."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from typing import Any

import pytest

from otklik.adapters.channels import ChannelFactory
from otklik.adapters.http import HttpClient
from otklik.domain.config import parse_config
from otklik.domain.models import Delivery, DeliveryImage
from otklik.ports import ChannelUnavailable
from tests.support.pictures import Picture, PictureServer, png

NOTE = Delivery(
    id="nt_1:support",
    notification_id="nt_1",
    event="ticket_opened",
    channel="support",
    title="[high] Новый тикет tk_1",
    text="отзыв · custom/default",
)


class Parameters:
    """SSM as a dict: what was asked for, and the values."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[str] = []

    def get(self, name: str) -> str:
        self.asked.append(name)
        return self.values[name]


@dataclass(frozen=True)
class Answer:
    status: int = 200


class RecordingHttp(HttpClient):
    def __init__(self) -> None:
        super().__init__()
        self.posted: list[str] = []

    def post_json(self, url: str, payload: Any, headers: dict[str, str] | None = None) -> Any:
        self.posted.append(url)
        return Answer()


def test_each_enabled_channel_posts_to_the_url_in_its_parameter() -> None:
    # Given a document with a relative, an absolute and a disabled channel
    config = parse_config(
        "channels:\n"
        "  - {name: support, type: slack_webhook, url_parameter: notify/support-hook}\n"
        "  - {name: managers, type: slack_webhook, url_parameter: /shared/managers-hook}\n"
        "  - {name: night, type: slack_webhook, url_parameter: notify/night-hook, enabled: false}\n"
    )
    parameters = Parameters(
        {
            "/otklik/prod/notify/support-hook": "https://hooks.example/support",
            "/shared/managers-hook": "https://hooks.example/managers",
            "/otklik/prod/notify/night-hook": "https://hooks.example/night",
        }
    )
    http = RecordingHttp()

    # When the channels are built and a notification is delivered through each
    channels = ChannelFactory(parameters, "/otklik/prod/", http).channels(config)
    results = [channel.deliver(NOTE) for channel in channels]

    # Then a relative parameter is read under the stage's prefix, an absolute one as it is written,
    # and the disabled channel is neither read nor posted to
    assert parameters.asked == ["/otklik/prod/notify/support-hook", "/shared/managers-hook"]
    assert http.posted == ["https://hooks.example/support", "https://hooks.example/managers"]
    assert [(result.channel, result.status) for result in results] == [
        ("support", "sent"),
        ("managers", "sent"),
    ]


def test_a_document_without_channels_builds_none_and_reads_no_secret() -> None:
    parameters = Parameters({})

    assert ChannelFactory(parameters, "/otklik/prod", RecordingHttp()).channels(parse_config("")) == []
    assert parameters.asked == []


def test_every_channel_type_is_built_from_its_parameters_and_settings() -> None:
    # Given a document with one channel of each type
    config = parse_config(
        "channels:\n"
        "  - {name: tg, type: telegram, bot_token_parameter: notify/bot}\n"
        "  - {name: mail, type: email, sender: bot@shop.example, reply_to: help@shop.example}\n"
        "  - {name: sms, type: sms, sender_id: Shop}\n"
        "  - {name: crm, type: webhook, url_parameter: notify/crm-url, secret_parameter: notify/crm-key}\n"
        "  - {name: slack, type: slack_webhook, url_parameter: notify/slack}\n"
    )
    parameters = Parameters(
        {
            "/otklik/prod/notify/bot": "123:secret",
            "/otklik/prod/notify/crm-url": "https://crm.example/hook",
            "/otklik/prod/notify/crm-key": "crm-secret",
            "/otklik/prod/notify/slack": "https://hooks.example/slack",
        }
    )
    clients: list[str] = []

    # When they are built
    factory = ChannelFactory(
        parameters,
        "/otklik/prod",
        RecordingHttp(),
        telegram_api_url="http://127.0.0.1:9",
        aws_client=lambda service: clients.append(service) or object(),
    )
    channels = factory.channels(config)

    # Then each has its name and type, e-mail and SMS their AWS clients, and each secret was read once
    assert [(channel.name, type(channel).__name__) for channel in channels] == [
        ("tg", "TelegramChannel"),
        ("mail", "EmailChannel"),
        ("sms", "SmsChannel"),
        ("crm", "SignedWebhookChannel"),
        ("slack", "SlackWebhookChannel"),
    ]
    assert clients == ["sesv2", "sns"]
    assert sorted(parameters.asked) == sorted(parameters.values)


def test_a_channel_whose_secret_cannot_be_read_may_heal_and_is_tried_again() -> None:
    from otklik.adapters.secrets import SecretMissing

    class Missing(Parameters):
        def get(self, name: str) -> str:
            raise SecretMissing(f"secret parameter {name} cannot be read")

    config = parse_config("channels:\n  - {name: tg, type: telegram, bot_token_parameter: notify/bot}\n")

    build = ChannelFactory(Missing({}), "/otklik/prod", RecordingHttp()).by_name(config)["tg"]

    with pytest.raises(ChannelUnavailable) as unavailable:
        build()
    assert unavailable.value.cause == "SecretMissing"


class RecordingSes:
    """A sesv2 client that takes every message and keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **request: Any) -> dict[str, Any]:
        self.sent.append(request)
        return {"MessageId": f"m-{len(self.sent)}"}


def test_the_email_channel_fetches_a_reports_charts_over_http_and_attaches_them(loopback: None) -> None:
    # Given an e-mail channel built from a document, and a chart served over HTTP (as S3 serves it)
    chart = png(8, 5)
    config = parse_config("channels:\n  - {name: mail, type: email, sender: bot@shop.example}\n")
    ses = RecordingSes()
    factory = ChannelFactory(Parameters({}), "/otklik/prod", RecordingHttp(), aws_client=lambda _: ses)
    (mail,) = factory.channels(config)

    with PictureServer({"/volume.png": Picture(chart)}) as charts:
        # When a report's delivery with that chart and one that is gone is sent
        result = mail.deliver(
            NOTE.model_copy(
                update={
                    "event": "report_ready",
                    "address": "anna@shop.example",
                    "images": (
                        DeliveryImage(name="volume.png", title="Отзывы", url=charts.url("/volume.png?s=1")),
                        DeliveryImage(name="topics.png", title="Темы", url=charts.url("/topics.png?s=2")),
                    ),
                }
            )
        )
        requested = list(charts.requested)

    # Then both were asked for by GET, and the one there was went inline in a Raw message
    assert requested == ["/volume.png?s=1", "/topics.png?s=2"]
    assert result.detail == "message m-1; 1 of 2 images left out, sent as links"
    (request,) = ses.sent
    message = email.message_from_bytes(request["Content"]["Raw"]["Data"], policy=email.policy.default)
    pictures = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert [part.get_payload(decode=True) for part in pictures] == [chart]
