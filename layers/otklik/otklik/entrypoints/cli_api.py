"""The command line's client of the ops API: where it is, how it is authorised, its errors in one line.

    --api URL      $OTKLIK_API_URL, default http://127.0.0.1:3000 (the local stack, `make run`)
    --token T      $OTKLIK_TOKEN, the Bearer token; on loopback the local stack's `local-dev-token`
                   by default, anywhere else required (on AWS: SecureString /otklik/<Stage>/ops/token)
    --api-key K    $OTKLIK_API_KEY, sent as x-api-key (API Gateway's key from the stack's usage plan)

An answer with an error status is printed as the API wrote it, `otklik: 404 not_found: no ticket
tk_...` (exit 2); an API that cannot be reached is one line too (exit 1).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otklik.adapters.http import HttpClient, HttpError, QueryValue

LOCAL_API = "http://127.0.0.1:3000"
LOCAL_TOKEN = "local-dev-token"
TIMEOUT_SECONDS = 60.0  # a dry run or an explain on a busy stack takes its time
ANSWERED = 2  # exit status: the API answered with an error
UNREACHABLE = 1  # exit status: no answer came


class CommandError(Exception):
    """What a command could not do, as the one line the user sees, and the exit status it ends with."""

    def __init__(self, message: str, status: int = ANSWERED) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def options() -> argparse.ArgumentParser:
    """The options every ops API command takes (an argparse parent)."""
    parent = argparse.ArgumentParser(add_help=False)
    where = parent.add_argument_group("the ops API")
    where.add_argument(
        "--api", metavar="URL", help=f"the API's URL (default: $OTKLIK_API_URL or {LOCAL_API})"
    )
    where.add_argument(
        "--token", help="Bearer token (default: $OTKLIK_TOKEN; on loopback the local stack's token)"
    )
    where.add_argument("--api-key", help="API Gateway's key, sent as x-api-key (default: $OTKLIK_API_KEY)")
    where.add_argument("--json", action="store_true", help="print the API's answer as JSON")
    return parent


def is_loopback(url: str) -> bool:
    """Whether url names this machine (127.0.0.0/8, ::1, localhost): the local stack's URLs."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_url(url: str, option: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"{option}: {url!r} is not an http(s) URL")
    return url.rstrip("/")


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the parsed JSON, or the text when the answer is not JSON


@dataclass(frozen=True)
class OpsApi:
    """Requests to one ops API with its credentials; every failure a CommandError."""

    url: str
    token: str | None
    api_key: str | None
    http: HttpClient

    @classmethod
    def from_args(
        cls, args: argparse.Namespace, environ: Mapping[str, str], *, needs_token: bool = True
    ) -> OpsApi:
        """The API the options and environment name; refuses (before any request) a token-less remote one."""
        url = _checked_url(args.api or environ.get("OTKLIK_API_URL") or LOCAL_API, "--api")
        token = args.token or environ.get("OTKLIK_TOKEN") or None
        if token is None and needs_token:
            if not is_loopback(url):
                raise CommandError(
                    f"{url} needs a token: give --token or set $OTKLIK_TOKEN"
                    " (on AWS the SecureString /otklik/<Stage>/ops/token)"
                )
            token = LOCAL_TOKEN
        api_key = args.api_key or environ.get("OTKLIK_API_KEY") or None
        # Few retries and short waits: a person is waiting, and says again when they want it again.
        http = HttpClient(timeout_seconds=TIMEOUT_SECONDS, attempts=2, max_retry_after_seconds=5.0)
        return cls(url, token, api_key, http)

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.api_key:
            headers["x-api-key"] = self.api_key
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        try:
            answer = self.http.request(
                method,
                self.url + path,
                params=params,
                json_body=json_body,
                body=body,
                headers=self.headers(headers),
            )
        except HttpError as error:
            raise CommandError(*describe(error, self.url)) from None
        text = answer.body.decode("utf-8", "replace")
        try:
            return Answer(answer.status, answer.json())
        except ValueError:
            return Answer(answer.status, text)

    def get(self, path: str, params: Mapping[str, QueryValue] | None = None) -> Any:
        return self.request("GET", path, params=params).body

    def post(self, path: str, payload: Any) -> Any:
        return self.request("POST", path, json_body=payload).body


def path_part(value: str) -> str:
    """An id as one path segment: `/` or `?` in it cannot reach another route."""
    return urllib.parse.quote(value, safe="")


_CODE = re.compile(r'"code"\s*:\s*"([^"\\]*)"')
_MESSAGE = re.compile(r'"message"\s*:\s*"((?:[^"\\]|\\.)*)"')
HINTS = {
    401: "check --token or $OTKLIK_TOKEN",
    403: "on AWS the API also needs its key: --api-key or $OTKLIK_API_KEY",
}


def describe(error: HttpError, url: str) -> tuple[str, int]:
    """One line for a failed request, and the exit status it ends with."""
    if not error.status:
        hint = " (is the local stack running? `make run`)" if is_loopback(url) else ""
        sent = "no answer from" if error.may_have_arrived else "cannot reach"
        reason = error.detail.rsplit(": ", 1)[-1]
        return f"{sent} {url}: {reason}{hint}", UNREACHABLE
    line = f"{error.status} {_error_words(error.detail)}"
    if error.status in HINTS:
        line += f" ({HINTS[error.status]})"
    return " ".join(line.split()), ANSWERED


def _error_words(detail: str) -> str:
    """`code: message details` from the API's {"error": {...}}, the local stack's or API Gateway's
    {"message"}, or the start of whatever else came (the client keeps 500 characters of it)."""
    try:
        document = json.loads(detail)
    except ValueError:
        document = None
    if isinstance(document, dict):
        error = document.get("error")
        if isinstance(error, dict):
            words = f"{error.get('code', 'error')}: {error.get('message', '')}"
            if error.get("details"):
                words += " " + json.dumps(error["details"], ensure_ascii=False)
            return words
        if isinstance(document.get("message"), str):
            return str(document["message"])
    code, message = _CODE.search(detail), _MESSAGE.search(detail)  # a long answer, cut short
    if code and message:
        try:
            words = json.loads('"' + message.group(1) + '"')
        except ValueError:
            words = message.group(1)
        return f"{code.group(1)}: {words} (details cut short)"
    return detail[:200] or "(no body)"


# ---------------------------------------------------------------- a function run now, as its schedule runs it


def stack_options(parser: argparse.ArgumentParser, function_output: str) -> None:
    """--stack-url (a local stack) or --function (a deployed stack's function, by its output's name)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack-url", help=f"a local stack's API (default: $OTKLIK_STACK_URL or {LOCAL_API})")
    where.add_argument(
        "--function", help=f"a deployed stack's {function_output} (invoked with AWS credentials)"
    )


def run_function(
    logical_id: str,
    detail: Mapping[str, Any],
    args: argparse.Namespace,
    environ: Mapping[str, str],
    timeout_seconds: float,
) -> dict[str, Any]:
    """What the function returned when run now with the event its schedule sends, `{"detail": detail}`:
    on AWS the deployed function --function names is invoked; else the local stack's schedule is fired
    (POST /_local/schedules/<logical_id>, the body the detail). Every failure is a CommandError: a
    function that failed names its error (exit 2), a stack that cannot be reached says so (exit 1)."""
    if args.function:
        return _invoke(args.function, detail, timeout_seconds)
    url = _checked_url(args.stack_url or environ.get("OTKLIK_STACK_URL") or LOCAL_API, "--stack-url")
    if not is_loopback(url):
        raise CommandError(
            f"--stack-url: {url} is not a local stack; a deployed one is reached with --function"
        )
    try:
        answer = HttpClient(timeout_seconds=timeout_seconds, attempts=1).post_json(
            f"{url}/_local/schedules/{logical_id}", dict(detail)
        )
    except HttpError as error:
        failed = _function_failed(logical_id, error.detail)
        raise (CommandError(failed) if failed else CommandError(*describe(error, url))) from None
    result = answer.json()
    return result if isinstance(result, dict) else {}


def _function_failed(logical_id: str, detail: str) -> str | None:
    """`PollMarketplacesFunction failed: ValueError: ...` from the local stack's 502, else None."""
    try:
        document = json.loads(detail)
    except ValueError:
        return None
    if not isinstance(document, dict) or "errorType" not in document:
        return None
    return f"{logical_id} failed: {document['errorType']}: {document.get('errorMessage', '')}"


def _invoke(function: str, detail: Mapping[str, Any], timeout_seconds: float) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from otklik.adapters import aws

    try:
        # A synchronous invoke answers when the function returns: wait as long as it may run.
        answer = aws.client("lambda", attempts=1, read_timeout=timeout_seconds).invoke(
            FunctionName=function, Payload=json.dumps({"detail": dict(detail)}).encode()
        )
    except (BotoCoreError, ClientError) as error:
        raise CommandError(f"could not invoke {function}: {error}") from None
    payload = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        raise CommandError(f"{function} failed: {payload.get('errorMessage', 'see its logs')}")
    return payload if isinstance(payload, dict) else {}
