"""Accounts' own tonality models in the stack's ModelsBucket, versioned.

    models/<account>/<version>.otm    the model (otklik.domain.tonality.learned's file), promoted ones only
    models/<account>/<version>.json   what its training run measured and decided (promoted or refused)
    models/<account>/current.json     the account's promoted version: {"version", "previous", ...}

A version's files are never rewritten: a new model is a new version. current.json is written only on a
promotion, after the model it names (otklik.usecases.train_tonality), so a reader never finds a pointer to a
missing model; the bucket is versioned, so the pointer's history is kept too.
"""

from __future__ import annotations

import json
import struct
import urllib.parse
import zlib
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from otklik.domain.learning import VERSION
from otklik.domain.tonality.learned import Model
from otklik.ports import ModelStoreError

PREFIX = "models"
POINTER = "current.json"


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404")


class S3ModelStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def key_of(self, account: str, name: str) -> str:
        # An account's name is one key segment whatever it holds (a '/' cannot reach another account's).
        return f"{PREFIX}/{urllib.parse.quote(account, safe='')}/{name}"

    def _get(self, key: str) -> bytes | None:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=key)
            body: bytes = answer["Body"].read()
        except ClientError as error:
            if _missing(error):
                return None
            code = error.response.get("Error", {}).get("Code", "ClientError")
            raise ModelStoreError(f"s3://{self._bucket}/{key}: {code}") from error
        except BotoCoreError as error:
            raise ModelStoreError(f"s3://{self._bucket}/{key}: {type(error).__name__}") from error
        return body

    def _put(self, key: str, body: bytes, content_type: str) -> None:
        try:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ClientError")
            raise ModelStoreError(f"s3://{self._bucket}/{key}: {code}") from error
        except BotoCoreError as error:
            raise ModelStoreError(f"s3://{self._bucket}/{key}: {type(error).__name__}") from error

    def current(self, account: str) -> str | None:
        key = self.key_of(account, POINTER)
        body = self._get(key)
        if body is None:
            return None
        try:
            version = json.loads(body)["version"]
        except (ValueError, KeyError, TypeError) as error:
            raise ModelStoreError(f"s3://{self._bucket}/{key}: not a pointer to a version") from error
        if not isinstance(version, str) or not VERSION.match(version):
            raise ModelStoreError(f"s3://{self._bucket}/{key}: names no model version")
        return version

    def load(self, account: str, version: str) -> Model | None:
        key = self.key_of(account, f"{version}.otm")
        body = self._get(key)
        if body is None:
            return None
        try:
            model = Model.loads(body)
        except (ValueError, KeyError, TypeError, zlib.error, struct.error) as error:
            raise ModelStoreError(f"s3://{self._bucket}/{key}: not a tonality model") from error
        if model.version != version:
            raise ModelStoreError(f"s3://{self._bucket}/{key}: holds version {model.version}")
        return model

    def save_model(self, account: str, model: Model) -> None:
        self._put(self.key_of(account, f"{model.version}.otm"), model.dumps(), "application/octet-stream")

    def save_manifest(self, account: str, version: str, manifest: Mapping[str, Any]) -> None:
        self._put(self.key_of(account, f"{version}.json"), _json(manifest), "application/json")

    def promote(self, account: str, pointer: Mapping[str, Any]) -> None:
        self._put(self.key_of(account, POINTER), _json(pointer), "application/json")


def _json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"
