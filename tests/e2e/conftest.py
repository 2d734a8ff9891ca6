"""End-to-end tier: `python -m infra.local` (what `make run` starts) on free loopback ports, over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest

from tests.support.http_recorder import HttpRecorder
from tests.support.signing import signature_for

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "local-dev-token"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class HttpAnswer:
    status: int
    body: Any


@dataclass
class RunningStack:
    api_url: str
    aws_url: str
    slack: HttpRecorder
    log: Path

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> HttpAnswer:
        request = urllib.request.Request(self.api_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return HttpAnswer(answer.status, json.loads(answer.read() or b"null"))
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, json.loads(error.read() or b"null"))

    def post_webhook(self, body: bytes, source: str = "custom") -> HttpAnswer:
        """The body posted to /webhooks/{source}, signed with the local stack's secret."""
        headers = {"Content-Type": "application/json", "X-Otklik-Signature": signature_for(body)}
        return self.request("POST", f"/webhooks/{source}", body=body, headers=headers)

    def ops(self, path: str) -> HttpAnswer:
        return self.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})

    def aws(self, service: str) -> Any:
        return boto3.session.Session().client(
            service,
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def eventually(check: Callable[[], T | None], timeout: float = 10.0, interval: float = 0.2) -> T:
    """Poll check until it returns something truthy; fail with the last value after timeout seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s; last value: {last!r}")


@contextmanager
def running_stack(log: Path, extra_env: dict[str, str]) -> Iterator[RunningStack]:
    """`python -m infra.local` on free ports, with a Slack recorder, until the block ends."""
    api_port, aws_port = free_port(), free_port()
    with HttpRecorder() as slack, log.open("w") as sink:
        env = {
            **os.environ,
            "OTKLIK_LOCAL_API_PORT": str(api_port),
            "OTKLIK_LOCAL_AWS_PORT": str(aws_port),
            "OTKLIK_LOCAL_SLACK_WEBHOOK_URL": slack.url,
            **extra_env,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        stack = RunningStack(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}", slack, log)
        try:

            def healthy() -> bool:
                if process.poll() is not None:
                    raise AssertionError(f"local stack exited early:\n{log.read_text()}")
                try:
                    return stack.request("GET", "/health").status == 200
                except (urllib.error.URLError, ConnectionError):
                    return False

            eventually(healthy, timeout=60)
            yield stack
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with running_stack(tmp_path_factory.mktemp("local-stack") / "stack.log", {}) as stack:
        yield stack


@contextmanager
def function_environment(stack: RunningStack, logical_id: str) -> Iterator[None]:
    """The environment template.yaml gives `logical_id` in the running stack, in this process, for a block.

    A schedule of the stack runs at the wall clock only; a test that needs a function's code at a chosen
    moment (a deadline hours away, the end of quiet hours) runs its builder here, against the stack's moto:
    what it writes and queues is the stack's.
    """
    from infra.local.resources import LocalResources, PhysicalResource
    from infra.local.template import load_template
    from otklik.adapters import aws

    status = stack.request("GET", "/_local/status").body
    template = load_template(
        ROOT / "template.yaml",
        {name: str(value) for name, value in status["parameters"].items()},
        stack_name=status["stack_name"],
        region=status["region"],
    )
    resources = LocalResources(template)
    for resource_id, described in status["resources"].items():
        resources.add(
            PhysicalResource(
                resource_id,
                described["type"],
                described["physical_id"],
                arn=described.get("arn"),
                url=described.get("url"),
                stream_arn=described.get("stream_arn"),
            )
        )
    environment = {
        **template.function_environment(logical_id, resources),
        "OTKLIK_PUBLIC_URL": stack.api_url,
        "AWS_ENDPOINT_URL": stack.aws_url,
        "AWS_REGION": status["region"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_PROFILE", raising=False)
        for name, value in environment.items():
            patch.setenv(name, value)
        aws.forget_clients()
        try:
            yield
        finally:
            aws.forget_clients()
