"""A Slack-compatible incoming webhook as a notification channel."""

from __future__ import annotations

from otklik.adapters.http import HttpClient, HttpError
from otklik.domain.models import ChannelResult, Notification


class TransientDeliveryError(Exception):
    """The channel may accept the notification later: the message is retried."""


class SlackWebhookChannel:
    def __init__(self, http: HttpClient, webhook_url: str, name: str = "slack") -> None:
        self.name = name
        self._http = http
        self._url = webhook_url

    @staticmethod
    def payload(notification: Notification) -> dict[str, object]:
        return {
            "text": f"*{notification.title}*\n{notification.text}",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": notification.title[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": notification.text}},
            ],
        }

    def deliver(self, notification: Notification) -> ChannelResult:
        try:
            response = self._http.post_json(self._url, self.payload(notification))
        except HttpError as error:
            if error.transient:
                raise TransientDeliveryError(str(error)) from error
            # A permanent refusal (bad URL, revoked hook) will not heal by retrying: record it.
            return ChannelResult(channel=self.name, status="failed", detail=str(error)[:300])
        return ChannelResult(channel=self.name, status="sent", detail=f"HTTP {response.status}")
