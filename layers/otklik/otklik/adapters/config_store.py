"""The configuration document in the stack's S3 bucket: validated on every load, cached, never half-applied.

An ops team edits the document with `otklik config push` (which validates first) or any S3 upload.
Either way a function takes a new version only once it validates: an invalid upload is logged with
every problem and the function keeps the version it had; a container that starts while the newest
version is invalid walks the bucket's version history back to the newest one that validates. With no
document at all (a fresh stack) the schema's defaults apply, which are otklik's built-in behaviour.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from otklik.domain.config import DEFAULT_CONFIG, Config, ConfigInvalid, parse_config

logger = Logger(child=True)

CACHE_SECONDS = 60.0
# How far back a cold start looks for a version that validates before it gives up.
MAX_VERSIONS_TRIED = 20


class ConfigUnavailable(Exception):
    """No version of the document validates: the step fails and is retried, nothing is lost."""


@dataclass(frozen=True)
class _Loaded:
    config: Config
    etag: str | None
    version_id: str | None


def _missing(error: ClientError) -> bool:
    # Only a missing object means "no document yet". A missing bucket is a wrong OTKLIK_CONFIG_BUCKET:
    # running the seller's stack on the built-in policy then would hide it, so that error is raised.
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404")


class S3ConfigSource:
    """ConfigSource over one S3 object; reads at most once per CACHE_SECONDS, and only changed bytes."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        max_age_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._max_age = max_age_seconds
        self._clock = clock
        self._loaded: _Loaded | None = None
        self._checked_at = float("-inf")

    def current(self) -> Config:
        if self._loaded is not None and self._clock() - self._checked_at < self._max_age:
            return self._loaded.config
        try:
            self._loaded = self._refresh(self._loaded)
        except (ClientError, BotoCoreError) as error:
            if self._loaded is None:
                raise  # nothing to go on yet: the step fails and its message is retried
            # S3 throttled or unreachable while a valid document is in force: keep it, ask again later.
            logger.warning(
                "configuration not refreshed; the loaded version stays in force",
                extra={"key": self._key, "error": type(error).__name__},
            )
        self._checked_at = self._clock()
        return self._loaded.config

    def _refresh(self, loaded: _Loaded | None) -> _Loaded:
        request: dict[str, Any] = {"Bucket": self._bucket, "Key": self._key}
        if loaded is not None and loaded.etag:
            request["IfNoneMatch"] = loaded.etag
        try:
            answer = self._client.get_object(**request)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if loaded is not None and (status == 304 or error.response.get("Error", {}).get("Code") == "304"):
                return loaded  # not modified since we read it
            if _missing(error):
                if loaded is None or loaded.etag is not None:
                    logger.warning(
                        "no configuration document; the built-in defaults apply",
                        extra={"bucket": self._bucket, "key": self._key},
                    )
                return _Loaded(DEFAULT_CONFIG, None, None)
            raise
        body = answer["Body"].read()
        version_id = answer.get("VersionId")
        try:
            config = parse_config(body)
        except ConfigInvalid as invalid:
            logger.error(
                "configuration document refused; the last valid version stays in force",
                extra={"key": self._key, "version_id": version_id, "problems": invalid.problems},
            )
            if loaded is not None:
                # Remember the refused ETag, so the same bad bytes are not fetched and refused again.
                return _Loaded(loaded.config, answer.get("ETag"), loaded.version_id)
            return self._newest_valid(before=version_id, refused_etag=answer.get("ETag"))
        if loaded is None or version_id != loaded.version_id:
            logger.info("configuration loaded", extra={"key": self._key, "version_id": version_id})
        return _Loaded(config, answer.get("ETag"), version_id)

    def _newest_valid(self, before: str | None, refused_etag: str | None) -> _Loaded:
        """A cold start over an invalid newest version: the newest older version that validates."""
        answer = self._client.list_object_versions(
            Bucket=self._bucket, Prefix=self._key, MaxKeys=MAX_VERSIONS_TRIED + 1
        )
        versions = sorted(
            (v for v in answer.get("Versions", []) if v["Key"] == self._key and v["VersionId"] != before),
            key=lambda v: v["LastModified"],
            reverse=True,
        )
        for version in versions[:MAX_VERSIONS_TRIED]:
            body = self._client.get_object(
                Bucket=self._bucket, Key=self._key, VersionId=version["VersionId"]
            )["Body"].read()
            try:
                config = parse_config(body)
            except ConfigInvalid:
                continue
            logger.warning(
                "using an older configuration version until the newest one is fixed",
                extra={"key": self._key, "version_id": version["VersionId"]},
            )
            return _Loaded(config, refused_etag, version["VersionId"])
        raise ConfigUnavailable(f"no version of s3://{self._bucket}/{self._key} is a valid configuration")
