"""Concurrent webhook senders that behave like a real client: sign each attempt, retry what the server
says is transient (5xx, 429, no answer at all) after a backoff or the Retry-After it names, and never
retry a refusal of the input (4xx)."""

from __future__ import annotations

import dataclasses
import http.client
import json
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.soak.webhooks import Delivery
from tests.support.signing import signature_for

SIGNATURE_HEADER = "X-Otklik-Signature"
NO_ANSWER = "no answer"


@dataclass(frozen=True)
class Answer:
    """What one attempt got: a status and the error code of its body, or no answer (status 0)."""

    status: int
    code: str | None = None
    duplicate: bool | None = None
    at: float = 0.0  # seconds since sending began
    retry_after: float | None = None  # what a Retry-After header asked for, in seconds

    @property
    def transient(self) -> bool:
        return self.status in {0, 429} or self.status >= 500

    @property
    def reason(self) -> str:
        if self.status == 0:
            return NO_ANSWER
        return f"{self.status} {self.code}" if self.code else str(self.status)


@dataclass
class Sent:
    """Every attempt of every delivery, as the senders saw them."""

    answers: dict[tuple[str, int], list[Answer]] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, delivery: Delivery, answer: Answer) -> None:
        with self.lock:
            self.answers.setdefault((delivery.webhook.external_id, delivery.number), []).append(answer)

    def final_answers(self) -> dict[tuple[str, int], Answer]:
        return {key: attempts[-1] for key, attempts in self.answers.items()}

    def accepted_ids(self) -> set[str]:
        return {
            external_id for (external_id, _), answer in self.final_answers().items() if answer.status == 202
        }

    def refusals(self) -> Counter[str]:
        """Deliveries whose last answer was not 202, by that answer."""
        return Counter(answer.reason for answer in self.final_answers().values() if answer.status != 202)

    def retried(self) -> Counter[str]:
        """Transient answers that a sender retried, by answer."""
        return Counter(
            answer.reason
            for attempts in self.answers.values()
            for answer in attempts[:-1]
            if answer.transient
        )

    def input_refusals(self) -> Counter[str]:
        """Any 4xx but 429: the input was refused, which a valid signed webhook must never be."""
        return Counter(
            answer.reason
            for attempts in self.answers.values()
            for answer in attempts
            if 400 <= answer.status < 500 and answer.status != 429
        )

    def duplicates_acknowledged(self) -> int:
        return sum(1 for answer in self.final_answers().values() if answer.status == 202 and answer.duplicate)


class Sender(threading.Thread):
    """Takes deliveries off a shared queue and posts each until it is answered for good."""

    def __init__(
        self, api_url: str, deliveries: queue.Queue[Delivery], sent: Sent, *, attempts: int, timeout: float
    ) -> None:
        super().__init__(daemon=True)
        split = urlsplit(api_url)
        self._host, self._port = split.hostname or "127.0.0.1", split.port or 80
        self._deliveries = deliveries
        self._sent = sent
        self._attempts = attempts
        self._timeout = timeout

    def run(self) -> None:
        while True:
            try:
                delivery = self._deliveries.get_nowait()
            except queue.Empty:
                break
            self._deliver(delivery)

    def _deliver(self, delivery: Delivery) -> None:
        for attempt in range(1, self._attempts + 1):
            answer = self._post(delivery.webhook.body)
            self._sent.record(delivery, answer)
            if not answer.transient or attempt == self._attempts:
                return
            backoff = 0.2 * 2 ** (attempt - 1)
            time.sleep(min(max(backoff, answer.retry_after or 0.0), 5.0))

    def _post(self, body: bytes) -> Answer:
        """One attempt on a connection of its own (a reused one the server closed would fail for nothing)."""
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature_for(body)}
        connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            connection.request("POST", "/webhooks/custom", body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            return Answer(0, at=time.monotonic() - self._sent.started)
        finally:
            connection.close()
        answer = _answer(response.status, content, time.monotonic() - self._sent.started)
        retry_after = response.getheader("Retry-After")
        if retry_after and retry_after.strip().isdigit():
            answer = dataclasses.replace(answer, retry_after=float(retry_after))
        return answer


def _answer(status: int, content: bytes, at: float) -> Answer:
    try:
        document = json.loads(content or b"null")
    except ValueError:
        return Answer(status, "not json", at=at)
    if not isinstance(document, dict):
        return Answer(status, at=at)
    error = document.get("error")
    code = error.get("code") if isinstance(error, dict) else document.get("message")
    duplicate = document.get("duplicate") if status == 202 else None
    return Answer(status, str(code) if code else None, duplicate if isinstance(duplicate, bool) else None, at)


def send_all(
    api_url: str, deliveries: list[Delivery], *, senders: int, attempts: int, timeout: float
) -> Sent:
    """Post every delivery from `senders` threads at once; returns when each is answered for good."""
    work: queue.Queue[Delivery] = queue.Queue()
    for delivery in deliveries:
        work.put(delivery)
    sent = Sent(started=time.monotonic())
    threads = [Sender(api_url, work, sent, attempts=attempts, timeout=timeout) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent.finished = time.monotonic()
    return sent
