"""Sending one message to an SQS queue; a send that SQS did not accept raises."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from otklik.domain.messages import encode


class QueuePublisher:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, message: BaseModel, delay_seconds: int = 0) -> str:
        """delay_seconds: SQS delivers it no sooner (0-900)."""
        extra = {"DelaySeconds": delay_seconds} if delay_seconds else {}
        answer = self._client.send_message(QueueUrl=self._queue_url, MessageBody=encode(message), **extra)
        return str(answer["MessageId"])


class QueueDepths:
    """How many messages wait in each dead-letter queue (SQS ApproximateNumberOfMessages), by name."""

    def __init__(self, client: Any, urls: dict[str, str]) -> None:
        self._client = client
        self.urls = dict(urls)

    @classmethod
    def parse(cls, client: Any, spec: str) -> QueueDepths:
        """`IngestDLQ=<url>,RouteDLQ=<url>` (what the template sets in OTKLIK_DEAD_LETTER_QUEUES)."""
        pairs = (part.split("=", 1) for part in spec.split(",") if "=" in part)
        return cls(client, {name.strip(): url.strip() for name, url in pairs})

    @property
    def spec(self) -> str:
        return ",".join(f"{name}={url}" for name, url in self.urls.items())

    def depths(self) -> dict[str, int]:
        """Each queue's depth; a queue SQS cannot answer for now is left out (the next pass asks again)."""
        from botocore.exceptions import BotoCoreError, ClientError

        found: dict[str, int] = {}
        for name, url in self.urls.items():
            try:
                answer = self._client.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
                )
            except (ClientError, BotoCoreError):
                continue
            found[name] = int(answer["Attributes"]["ApproximateNumberOfMessages"])
        return found
