"""boto3 clients, made once per process and service (Lambda reuses them across invocations)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any


@cache
def _client(
    service: str, region: str | None, endpoint_url: str | None, attempts: int = 5, read_timeout: float = 10
) -> Any:
    # boto3 is imported by the first client, not by importing this module: a cold start pays for it
    # when a step first talks to AWS, alongside everything else that step needs.
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": attempts, "mode": "standard"},
        connect_timeout=3,
        read_timeout=read_timeout,
        # Presigned report links signed with SigV4 (the only signature every region takes; 7 days at most).
        signature_version="s3v4" if service == "s3" else None,
    )
    session: Any = boto3.session.Session()
    return session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)


def client(service: str, attempts: int = 5, read_timeout: float = 10) -> Any:
    """A client for service; AWS_ENDPOINT_URL (set by the local stack) points it at moto.

    attempts=1 for a call that must not be repeated by botocore: an e-mail or SMS sent with no answer
    may have gone out, so the caller records it unconfirmed instead of sending it again. read_timeout
    longer than 10 s for a call that answers only when its work is done (a synchronous Lambda invoke).
    """
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL"), attempts, read_timeout)


def forget_clients() -> None:
    """Drop cached clients (tests that swap the AWS endpoint between cases)."""
    _client.cache_clear()
