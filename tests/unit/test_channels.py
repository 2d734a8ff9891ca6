"""The channels a document names: each enabled one posts to the URL its SSM parameter holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from otklik.adapters.channels import ChannelFactory
from otklik.adapters.http import HttpClient
from otklik.domain.config import parse_config
from otklik.domain.models import Notification

NOTE = Notification(
    id="nt_1",
    ticket_id="tk_1",
    event="ticket_opened",
    created_at=datetime(2026, 11, 22, 7, 0, tzinfo=UTC),
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
