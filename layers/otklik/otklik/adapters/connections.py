"""The marketplace connections: one JSON list in an SSM parameter, read through the cached secret reader."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_lambda_powertools import Logger

from otklik.adapters.secrets import SecretMissing
from otklik.domain.marketplaces.connections import ConnectionsInvalid, parse_connections
from otklik.domain.marketplaces.models import Connection
from otklik.ports import Secrets

logger = Logger(child=True)


class ParameterConnections:
    """Connections from the parameter that lists them; cached as long as the secret reader caches it.

    A deployment without marketplaces need not create the parameter: no parameter, no connections.
    """

    def __init__(self, secrets: Secrets, parameter: str) -> None:
        self._secrets = secrets
        self._parameter = parameter

    def all(self) -> Mapping[str, Connection]:
        try:
            text = self._secrets.get(self._parameter)
        except SecretMissing:
            logger.warning("no marketplace connections", extra={"parameter": self._parameter})
            return {}
        try:
            document = json.loads(text)
        except ValueError as error:
            raise ConnectionsInvalid([f"{self._parameter} is not JSON: {error}"]) from None
        return {connection.name: connection for connection in parse_connections(document)}
