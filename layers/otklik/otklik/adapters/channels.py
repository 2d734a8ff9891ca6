"""Notification channels built from the configuration document's `channels`, by their type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from otklik.adapters.http import HttpClient
from otklik.adapters.slack import SlackWebhookChannel
from otklik.domain.config import ChannelConfig, Config, SlackWebhook
from otklik.ports import Channel, Secrets


def parameter_name(name: str, prefix: str) -> str:
    """An absolute SSM parameter name as is; a relative one under the stage's prefix (/otklik/<Stage>/)."""
    return name if name.startswith("/") else f"{prefix.rstrip('/')}/{name}"


class ChannelFactory:
    """Builds the enabled channels of a document; every channel type of the schema has a builder here."""

    def __init__(self, secrets: Secrets, parameter_prefix: str, http: HttpClient | None = None) -> None:
        self._secrets = secrets
        self._prefix = parameter_prefix
        self._http = http or HttpClient()
        self._builders: Mapping[type[Any], Callable[[Any], Channel]] = {SlackWebhook: self._slack}

    def _slack(self, channel: SlackWebhook) -> Channel:
        url = self._secrets.get(parameter_name(channel.url_parameter, self._prefix))
        return SlackWebhookChannel(self._http, url, name=channel.name)

    def build(self, channel: ChannelConfig) -> Channel:
        return self._builders[type(channel)](channel)

    def channels(self, config: Config) -> list[Channel]:
        return [self.build(channel) for channel in config.enabled_channels()]
