"""Which faults the local stack injects and how often: settings, seeded draws, and counts of what failed.

`POST /_local/faults` sets them (FaultSettings.from_document), `GET /_local/faults` shows them with the
counts (Faults.describe). Where each kind is injected: infra/local/aws_faults.py (DynamoDB, SQS) and
infra/local/http_faults.py (outgoing HTTP).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Each kind of fault and how it fails, as GET /_local/faults and the README describe it.
FAULT_KINDS: dict[str, str] = {
    "dynamodb_throttle": (
        "a function's DynamoDB call is refused, not applied: 400 ProvisionedThroughputExceededException "
        "or ThrottlingException (the SDK retries it, then raises)"
    ),
    "dynamodb_condition_race": (
        "a function's conditional DynamoDB write is applied but its answer is lost: 500 "
        "InternalServerError; the SDK's retry then meets the write: ConditionalCheckFailed"
    ),
    "sqs_send_error": (
        "a function's SQS SendMessage or SendMessageBatch is refused, not applied: 500 InternalError "
        "or 503 ServiceUnavailable"
    ),
    "http_5xx": (
        "a function's outgoing HTTP request is answered 500, 502 or 503 without reaching the server"
    ),
    "http_timeout": (
        "a function's outgoing HTTP request reaches the server, but the answer is lost: a timeout"
    ),
}


class FaultSettingsError(ValueError):
    """A POST /_local/faults body that does not say which faults to inject."""


@dataclass(frozen=True)
class FaultSettings:
    """The share (0..1) of eligible calls that fail, for each kind, and the seed of the draws."""

    rates: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FAULT_KINDS, 0.0))
    seed: int = 0

    @property
    def active(self) -> bool:
        return any(rate > 0 for rate in self.rates.values())

    @classmethod
    def from_document(cls, document: Any) -> FaultSettings:
        """{"dynamodb_throttle": 0.1, ..., "seed": 1}; kinds left out are 0, and {} turns faults off."""
        if not isinstance(document, dict):
            raise FaultSettingsError("the body must be a JSON object of fault rates and an optional seed")
        unknown = sorted(set(document) - {*FAULT_KINDS, "seed"})
        if unknown:
            raise FaultSettingsError(
                f"unknown setting {', '.join(unknown)}; the settings are {', '.join(FAULT_KINDS)} and seed"
            )
        rates = dict.fromkeys(FAULT_KINDS, 0.0)
        for kind in FAULT_KINDS:
            rate = document.get(kind, 0)
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise FaultSettingsError(f"{kind} must be a number from 0 to 1, got {rate!r}")
            rates[kind] = float(rate)
        seed = document.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise FaultSettingsError(f"seed must be an integer, got {seed!r}")
        return cls(rates=rates, seed=seed)

    def to_document(self) -> dict[str, Any]:
        return {**self.rates, "seed": self.seed}


class Faults:
    """The current settings, one seeded random stream per kind, and what was injected since they were set.

    Each kind draws from its own stream (seeded with the seed and the kind's name), so for a given seed
    and order of calls the same calls fail, and changing one kind's rate does not move another's.
    """

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(settings or FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        """Use settings from now on; the counts start again from zero."""
        with self._lock:
            self._settings = settings
            self._streams = {kind: random.Random(f"{settings.seed}:{kind}") for kind in FAULT_KINDS}
            self._calls: Counter[str] = Counter()
            self._injected: dict[str, Counter[str]] = {kind: Counter() for kind in FAULT_KINDS}

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    @property
    def active(self) -> bool:
        return self._settings.active

    def draw(self, kind: str, answers: Sequence[T]) -> T | None:
        """Whether this eligible call fails: None, or which of answers it gets (counted as one call)."""
        with self._lock:
            self._calls[kind] += 1
            stream = self._streams[kind]
            failing = stream.random() < self._settings.rates[kind]
            choice = stream.randrange(len(answers))
            return answers[choice] if failing else None

    def injected(self, kind: str, answer: str) -> None:
        """Count a fault that was injected, by the answer the function got."""
        with self._lock:
            self._injected[kind][answer] += 1

    def describe(self) -> dict[str, Any]:
        """What GET /_local/faults answers: the settings, and per kind the calls seen and faults injected."""
        with self._lock:
            return {
                "settings": self._settings.to_document(),
                "active": self._settings.active,
                "faults": {
                    kind: {
                        "rate": self._settings.rates[kind],
                        "what": FAULT_KINDS[kind],
                        "calls": self._calls[kind],
                        "injected": sum(self._injected[kind].values()),
                        "answers": dict(sorted(self._injected[kind].items())),
                    }
                    for kind in FAULT_KINDS
                },
            }
