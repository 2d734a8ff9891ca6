"""Notification channels built from the configuration document's `channels`, by their type.

A channel is built when a delivery needs it (its secret read through the cached Secrets reader), so a
changed document or a rotated token takes effect without a new container. Only the adapters a document
uses are imported: a stack with Telegram alone never loads the SES client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from otklik.adapters.http import HttpClient
from otklik.domain.config import Config
from otklik.domain.notify.settings import (
    ChannelConfig,
    EmailSender,
    SignedWebhook,
    SlackWebhook,
    Sms,
    TelegramBot,
)
from otklik.ports import Channel, ChannelUnavailable, Secrets

TELEGRAM_API_URL = "https://api.telegram.org"
# The most one GET of a report's chart waits (S3 answers in well under a second).
IMAGE_TIMEOUT_SECONDS = 5.0


def parameter_name(name: str, prefix: str) -> str:
    """An absolute SSM parameter name as is; a relative one under the stage's prefix (/otklik/<Stage>/)."""
    return name if name.startswith("/") else f"{prefix.rstrip('/')}/{name}"


class ChannelFactory:
    """Builds the enabled channels of a document; every channel type of the schema has a builder here."""

    def __init__(
        self,
        secrets: Secrets,
        parameter_prefix: str,
        http: HttpClient | None = None,
        *,
        telegram_api_url: str = TELEGRAM_API_URL,
        aws_client: Callable[[str], Any] | None = None,
        timeout_seconds: float = 5.0,
    ) -> None:
        self._secrets = secrets
        self._prefix = parameter_prefix
        self._http = http or HttpClient()
        self._telegram_api_url = telegram_api_url or TELEGRAM_API_URL
        self._aws_client = aws_client
        self._timeout = timeout_seconds
        self._builders: Mapping[type[Any], Callable[[Any], Channel]] = {
            SlackWebhook: self._slack,
            TelegramBot: self._telegram,
            EmailSender: self._email,
            Sms: self._sms,
            SignedWebhook: self._webhook,
        }

    def _secret(self, name: str) -> str:
        return self._secrets.get(parameter_name(name, self._prefix))

    def _client(self, service: str) -> Any:
        if self._aws_client is not None:
            return self._aws_client(service)
        from otklik.adapters import aws

        # One attempt: botocore would repeat a send that timed out after SES or SNS took it.
        return aws.client(service, attempts=1)

    def _slack(self, channel: SlackWebhook) -> Channel:
        from otklik.adapters.slack import SlackWebhookChannel

        return SlackWebhookChannel(self._http, self._secret(channel.url_parameter), name=channel.name)

    def _telegram(self, channel: TelegramBot) -> Channel:
        from otklik.adapters.telegram import TelegramChannel

        # The channel waits out a short retry_after itself and owns its retries: one attempt per request.
        http = HttpClient(timeout_seconds=self._timeout, attempts=1)
        token = self._secret(channel.bot_token_parameter)
        return TelegramChannel(http, self._telegram_api_url, token, name=channel.name)

    def _email(self, channel: EmailSender) -> Channel:
        from otklik.adapters.email import EmailChannel, HttpImageFetcher

        # A report's charts, fetched for each message: a GET, so one retry of what may heal is harmless.
        http = HttpClient(timeout_seconds=min(self._timeout, IMAGE_TIMEOUT_SECONDS), attempts=2)
        images = HttpImageFetcher(http)
        return EmailChannel(
            self._client("sesv2"),
            channel.sender,
            name=channel.name,
            reply_to=channel.reply_to,
            images=images,
        )

    def _sms(self, channel: Sms) -> Channel:
        from otklik.adapters.sms import SmsChannel

        return SmsChannel(self._client("sns"), name=channel.name, sender_id=channel.sender_id)

    def _webhook(self, channel: SignedWebhook) -> Channel:
        from otklik.adapters.webhook_out import SignedWebhookChannel

        return SignedWebhookChannel(
            self._http,
            self._secret(channel.url_parameter),
            self._secret(channel.secret_parameter),
            name=channel.name,
        )

    def build(self, channel: ChannelConfig) -> Channel:
        return self._builders[type(channel)](channel)

    def channels(self, config: Config) -> list[Channel]:
        return [self.build(channel) for channel in config.enabled_channels()]

    def _build_now(self, channel: ChannelConfig) -> Channel:
        """A channel whose secret cannot be read now (not created yet, SSM throttling) may heal: its delivery
        is tried again later, and recorded failed only after the last try."""
        from otklik.adapters.secrets import SecretMissing

        try:
            return self.build(channel)
        except SecretMissing as error:
            raise ChannelUnavailable(str(error), "SecretMissing") from error

    def by_name(self, config: Config) -> dict[str, Callable[[], Channel]]:
        """Each enabled channel by name, built only when first asked for."""
        return {channel.name: partial(self._build_now, channel) for channel in config.enabled_channels()}
