"""Exactly once per business key: Powertools idempotency over IdempotencyTable.

Delivering a notification and publishing a reply must each happen once per id, however often SQS
delivers the message. Powertools records the key (in progress, then done with the result) under a
conditional write, so a redelivery returns the stored result instead of acting again.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

Action = Callable[[dict[str, Any]], dict[str, Any]]


class OncePerKey:
    """action(document) run at most once per document[key] within ttl; later calls get its result."""

    def __init__(self, action: Action, key: str, client: Any, table: str, ttl: timedelta) -> None:
        self._config = IdempotencyConfig(
            event_key_jmespath=key,
            expires_after_seconds=int(ttl.total_seconds()),
            raise_on_no_idempotency_key=True,
        )
        persistence = DynamoDBPersistenceLayer(table_name=table, boto3_client=client)
        parameter = next(iter(inspect.signature(action).parameters))
        self._parameter = parameter
        self._once: Callable[..., dict[str, Any]] = idempotent_function(
            data_keyword_argument=parameter, persistence_store=persistence, config=self._config
        )(action)

    def bind(self, lambda_context: Any) -> None:
        """Tell Powertools the invocation's remaining time, so a crashed attempt's lock expires with it."""
        self._config.register_lambda_context(lambda_context)

    def __call__(self, document: dict[str, Any]) -> dict[str, Any]:
        return self._once(**{self._parameter: document})
