"""Secrets from SSM Parameter Store through Powertools Parameters, decrypted and cached for minutes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

CACHE_SECONDS = 300


class SecretMissing(Exception):
    """A secret parameter that configuration requires does not exist or cannot be read."""


class SecretReader:
    def __init__(self, ssm_client: Any) -> None:
        self._provider = SSMProvider(boto3_client=ssm_client)

    def get(self, name: str) -> str:
        try:
            value = self._provider.get(name, decrypt=True, max_age=CACHE_SECONDS)
        except GetParameterError as error:
            raise SecretMissing(f"secret parameter {name} cannot be read") from error
        return str(value)
