"""boto3 clients, made once per process and service (Lambda reuses them across invocations)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=3, read_timeout=10)


@cache
def _client(service: str, region: str | None, endpoint_url: str | None) -> Any:
    session: Any = boto3.session.Session()
    return session.client(service, region_name=region, endpoint_url=endpoint_url, config=_CONFIG)


def client(service: str) -> Any:
    """A client for service; AWS_ENDPOINT_URL (set by the local stack) points it at moto."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL"))


def forget_clients() -> None:
    """Drop cached clients (tests that swap the AWS endpoint between cases)."""
    _client.cache_clear()
