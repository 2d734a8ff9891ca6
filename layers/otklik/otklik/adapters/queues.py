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
