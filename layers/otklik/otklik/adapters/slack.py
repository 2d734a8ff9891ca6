"""A Slack-compatible incoming webhook as a notification channel.

At most once: an incoming webhook has no idempotency key, so a post sent without an answer is recorded
as unconfirmed and not posted again (a signed webhook, otklik.adapters.webhook_out, is at least once).
"""

from __future__ import annotations

from otklik.adapters.http import HttpClient, HttpError
from otklik.domain.models import ChannelResult, Delivery
from otklik.ports import ChannelUnavailable

# Slack's limits on Block Kit fields: a header's text, a section's text, a button's label and URL.
MAX_HEADER_CHARS = 150
MAX_SECTION_CHARS = 3000
MAX_BUTTON_LABEL_CHARS = 75
MAX_BUTTON_URL_CHARS = 3000


class TransientDeliveryError(ChannelUnavailable):
    """The webhook may take the notification later (an outage, a rate limit): it is tried again."""


def _cause(error: HttpError) -> str:
    return f"HTTP {error.status}" if error.status else error.cause


def mrkdwn_escaped(text: str) -> str:
    """Plain text as Slack's mrkdwn shows it literally: <, > and & escaped, so a text quoting
    `<!channel>` or `<https://...|label>` mentions no one and links nowhere."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackWebhookChannel:
    def __init__(self, http: HttpClient, webhook_url: str, name: str = "slack") -> None:
        self.name = name
        self._http = http
        self._url = webhook_url

    @staticmethod
    def payload(delivery: Delivery) -> dict[str, object]:
        """The message: a header with the title, a section with the text, and a button to the link."""
        text = mrkdwn_escaped(delivery.text)
        blocks: list[dict[str, object]] = [
            {"type": "header", "text": {"type": "plain_text", "text": delivery.title[:MAX_HEADER_CHARS]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION_CHARS]}},
        ]
        fallback = f"*{mrkdwn_escaped(delivery.title)}*\n{text}"
        if delivery.link and len(delivery.link) <= MAX_BUTTON_URL_CHARS:
            label = delivery.link_label[:MAX_BUTTON_LABEL_CHARS]
            button = {"type": "button", "text": {"type": "plain_text", "text": label}, "url": delivery.link}
            blocks.append({"type": "actions", "elements": [button]})
            fallback += f"\n{mrkdwn_escaped(delivery.link)}"
        # text is what a notification and a client without blocks show.
        return {"text": fallback, "blocks": blocks}

    def deliver(self, delivery: Delivery) -> ChannelResult:
        """Sent, failed for good, or unconfirmed; TransientDeliveryError when it may heal.

        | Slack answers                                        | outcome                       |
        |------------------------------------------------------|-------------------------------|
        | 2xx                                                  | sent                          |
        | 5xx, 408, 425, 429; nothing (the post never left)    | TransientDeliveryError        |
        | nothing after posting (a read timeout, a reset)      | unconfirmed, not posted again |
        | any other 4xx (a revoked hook, an archived channel)  | failed                        |

        What is kept of a failure is its summary: the status and Slack's words, or the error's class,
        never the URL, which is the webhook's secret.
        """
        try:
            response = self._http.post_json(self._url, self.payload(delivery))
        except HttpError as error:
            if error.may_have_arrived:
                # Posted, and no answer came (a read timeout, a reset): Slack may have shown it. An
                # incoming webhook has no idempotency key, so posting again could show it twice.
                return ChannelResult(
                    channel=self.name, status="unconfirmed", detail=error.summary, error=error.cause
                )
            if error.transient:
                raise TransientDeliveryError(
                    error.summary, _cause(error), retry_after=error.retry_after_seconds
                ) from error
            # A permanent refusal (bad URL, revoked hook, archived channel) will not heal by retrying.
            return ChannelResult(
                channel=self.name, status="failed", detail=error.summary, error=_cause(error)
            )
        return ChannelResult(channel=self.name, status="sent", detail=f"HTTP {response.status}")
