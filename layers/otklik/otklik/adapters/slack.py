"""A Slack-compatible incoming webhook as a notification channel."""

from __future__ import annotations

from otklik.adapters.http import HttpClient, HttpError
from otklik.domain.models import ChannelResult, Notification
from otklik.ports import ChannelUnavailable


class TransientDeliveryError(ChannelUnavailable):
    """The webhook may take the notification later (an outage, a rate limit): it is tried again."""


def _cause(error: HttpError) -> str:
    return f"HTTP {error.status}" if error.status else error.cause


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
        """Sent, failed for good, or unconfirmed; TransientDeliveryError when it may heal.

        What is kept of a failure is its summary: the status and Slack's words, or the error's class,
        never the URL, which is the webhook's secret.
        """
        try:
            response = self._http.post_json(self._url, self.payload(notification))
        except HttpError as error:
            if error.may_have_arrived:
                # Posted, and no answer came (a read timeout, a reset): Slack may have shown it. An
                # incoming webhook has no idempotency key, so posting again could show it twice.
                return ChannelResult(
                    channel=self.name, status="unconfirmed", detail=error.summary, error=error.cause
                )
            if error.transient:
                raise TransientDeliveryError(error.summary, _cause(error)) from error
            # A permanent refusal (bad URL, revoked hook, archived channel) will not heal by retrying.
            return ChannelResult(
                channel=self.name, status="failed", detail=error.summary, error=_cause(error)
            )
        return ChannelResult(channel=self.name, status="sent", detail=f"HTTP {response.status}")
