"""LocalStack: a SAM template running on one machine (moto server, functions, API, mappings, schedules)."""

from __future__ import annotations

import logging
import os
import resource
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from infra.local import dynamodb_transactions, http_faults, sdk_backoff
from infra.local.api import ApiServer, Route, collect_routes
from infra.local.aws_faults import FunctionAwsEndpoint
from infra.local.faults import Faults
from infra.local.mappings import (
    DEFAULT_POLL_INTERVAL_SECONDS,
    DEFAULT_RETRY_DELAY_SECONDS,
    EventSourceMapping,
    build_event_source_mappings,
)
from infra.local.resources import SQS_QUEUE, LocalResources, create_resources, delete_resources
from infra.local.runtime import LOCAL_CREDENTIALS, LambdaRuntime
from infra.local.schedules import Scheduler, collect_schedules
from infra.local.template import DEFAULT_REGION, DEFAULT_STACK_NAME, Template, load_template

logger = logging.getLogger(__name__)

# What the stack changes in this process while it runs: moto's TransactWriteItems copies whole tables
# (this one copies the items it touches); functions' outgoing HTTP under faults; their SDK backoff.
_PATCHES = (dynamodb_transactions.PATCH, http_faults.PATCH, sdk_backoff.PATCH)


class LocalStack:
    """Everything a SAM template declares, running locally; use it as a context manager.

    Ports 0 pick free ports; `api_url` and `aws_url` tell which. `ssm_parameters` are seeded as
    SecureString parameters; `s3_objects` maps (bucket logical id, key) to the bytes put there.
    `extra_env` is added to every function's environment (and wins).
    `retry_delay` is how many seconds a failed SQS message stays invisible before its retry (instead of
    the queue's VisibilityTimeout), and how long a failed stream batch waits before it is retried.
    `faults` says which of the functions' calls fail (set by POST /_local/faults or `faults.configure`);
    none at start. `sdk_backoff_scale` scales botocore's retry waits inside functions (1: as on AWS;
    infra/local/sdk_backoff.py).
    """

    def __init__(
        self,
        template_path: Path | str,
        *,
        parameter_overrides: Mapping[str, str] | None = None,
        extra_env: Mapping[str, str] | None = None,
        ssm_parameters: Mapping[str, str] | None = None,
        s3_objects: Mapping[tuple[str, str], bytes] | None = None,
        stack_name: str = DEFAULT_STACK_NAME,
        region: str = DEFAULT_REGION,
        host: str = "127.0.0.1",
        api_port: int = 0,
        aws_port: int = 0,
        retry_delay: int = DEFAULT_RETRY_DELAY_SECONDS,
        poll_interval: float = DEFAULT_POLL_INTERVAL_SECONDS,
        run_schedules: bool = True,
        sdk_backoff_scale: float = 1.0,
        after_resources: Callable[[boto3.Session, str], None] | None = None,
    ) -> None:
        self.template_path = Path(template_path)
        # Called with the stack's moto session and endpoint once the template's resources exist and are
        # seeded: what an operator does by hand on AWS, such as verifying an SES sender identity.
        self.after_resources = after_resources
        self.parameter_overrides = dict(parameter_overrides or {})
        self.extra_env = dict(extra_env or {})
        self.ssm_parameters = dict(ssm_parameters or {})
        self.s3_objects = dict(s3_objects or {})
        self.stack_name = stack_name
        self.region = region
        self.host = host
        self.requested_api_port = api_port
        self.requested_aws_port = aws_port
        self.retry_delay = retry_delay
        self.poll_interval = poll_interval
        self.run_schedules = run_schedules
        if not 0 <= sdk_backoff_scale <= 1:
            raise ValueError(f"sdk_backoff_scale must be from 0 to 1, got {sdk_backoff_scale}")
        self.sdk_backoff_scale = sdk_backoff_scale
        self._moto: ThreadedMotoServer | None = None
        self._template: Template | None = None
        self._resources: LocalResources | None = None
        self._runtime: LambdaRuntime | None = None
        self._api: ApiServer | None = None
        self._scheduler: Scheduler | None = None
        self._mappings: list[EventSourceMapping] = []
        self._routes: list[Route] = []
        self._aws_url: str | None = None
        self._session: boto3.Session | None = None
        self._functions_aws: FunctionAwsEndpoint | None = None
        self._patched = False
        self._queue_inspector: Any = None
        self.faults = Faults()
        self._stopped = threading.Event()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> LocalStack:
        template = load_template(
            self.template_path, self.parameter_overrides, stack_name=self.stack_name, region=self.region
        )
        self._template = template
        try:
            self._start_moto()
            for patch in _PATCHES:
                patch.acquire()
            self._patched = True
            self._functions_aws = FunctionAwsEndpoint(self.faults, host=self.host)
            self._functions_aws.start()
            session = self.session()
            resources = create_resources(template, session, self.aws_url)
            self._resources = resources
            self._seed_ssm_parameters()
            self._seed_s3_objects()
            if self.after_resources is not None:
                self.after_resources(session, self.aws_url)
            runtime = LambdaRuntime(
                template,
                resources,
                aws_endpoint_url=self._functions_aws.url,
                extra_env=self.extra_env,
                faults=self.faults,
                sdk_backoff_scale=self.sdk_backoff_scale,
            )
            self._runtime = runtime
            self._scheduler = Scheduler(runtime, collect_schedules(template, resources))
            self._mappings = build_event_source_mappings(
                template,
                resources,
                runtime,
                session=session,
                endpoint_url=self.aws_url,
                retry_delay=self.retry_delay,
                poll_interval=self.poll_interval,
            )
            self._routes = collect_routes(template, resources)
            self._api = ApiServer(
                runtime,
                self._routes,
                host=self.host,
                port=self.requested_api_port,
                scheduler=self._scheduler,
                status=self.status,
                faults=self.faults,
            )
            for mapping in self._mappings:
                mapping.start()
            self._api.start()
            if self.run_schedules:
                self._scheduler.start()
        except BaseException:
            self.stop()
            raise
        logger.info("local stack %s up: API %s, AWS %s", self.stack_name, self.api_url, self.aws_url)
        return self

    def _start_moto(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if self.requested_aws_port:
            # ThreadedMotoServer binds on its own thread and would wait forever if the port were taken.
            _ensure_port_free(self.host, self.requested_aws_port)
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.requested_aws_port, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self._aws_url = f"http://{host}:{port}"

    def _seed_ssm_parameters(self) -> None:
        ssm = self.client("ssm")
        for name, value in self.ssm_parameters.items():
            ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)

    def _seed_s3_objects(self) -> None:
        s3 = self.client("s3")
        for (bucket, key), body in self.s3_objects.items():
            s3.put_object(Bucket=self.resources.physical_id(bucket), Key=key, Body=body)

    def stop(self) -> None:
        """Stop everything started, delete the stack's resources and stop moto (safe to call twice)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._api is not None:
            self._api.stop()
        if self._scheduler is not None:
            self._scheduler.stop()
        for mapping in self._mappings:
            mapping.request_stop()
        for mapping in self._mappings:
            mapping.stop()
        if self._runtime is not None:
            self._runtime.close()
        if self._patched:
            for patch in _PATCHES:
                patch.release()
        if self._functions_aws is not None:
            self._functions_aws.stop()
        if self._resources is not None and self._aws_url is not None:
            delete_resources(self._resources, self.session(), self._aws_url)
        if self._moto is not None:
            self._moto.stop()
        logger.info("local stack %s stopped", self.stack_name)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ what is running

    @property
    def template(self) -> Template:
        return _started(self._template)

    @property
    def resources(self) -> LocalResources:
        return _started(self._resources)

    @property
    def runtime(self) -> LambdaRuntime:
        return _started(self._runtime)

    @property
    def scheduler(self) -> Scheduler:
        return _started(self._scheduler)

    @property
    def mappings(self) -> list[EventSourceMapping]:
        return list(self._mappings)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    @property
    def api_url(self) -> str:
        return _started(self._api).url

    @property
    def api_port(self) -> int:
        return _started(self._api).port

    @property
    def aws_url(self) -> str:
        return _started(self._aws_url)

    @property
    def aws_port(self) -> int:
        return int(self.aws_url.rsplit(":", 1)[1])

    @property
    def functions_aws_url(self) -> str:
        """The AWS endpoint the functions call (moto, with the faults injected); `aws_url` has none."""
        return str(_started(self._functions_aws).url)

    def session(self) -> boto3.Session:
        """A boto3 session with the local dummy credentials and the stack's region."""
        if self._session is None:
            self._session = boto3.Session(
                aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                region_name=self.region,
            )
        return self._session

    def client(self, service: str) -> Any:
        """A boto3 client for service on this stack's moto server."""
        return self.session().client(service, endpoint_url=self.aws_url)  # type: ignore[call-overload]

    def invoke(self, function_id: str, event: Any) -> Any:
        """Invoke a function directly (as `sam local invoke` would); raises FunctionError on failure."""
        return self.runtime.invoke(function_id, event)

    def wait_idle(self, timeout: float = 30.0, interval: float = 0.05) -> None:
        """Wait until no invocation runs, every mapped queue is empty and every stream is read to its end.

        Raises TimeoutError naming what is still busy.
        """
        deadline = time.monotonic() + timeout
        while True:
            busy = self.busy()
            if not busy:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"local stack still busy after {timeout} s: {', '.join(busy) or 'invocations'}"
                )
            time.sleep(interval)

    def busy(self) -> list[str]:
        """What is busy now: an invocation, or mappings whose source has records waiting; [] when idle."""
        runtime = self.runtime
        activity = runtime.activity
        busy = ["an invocation"] if runtime.busy else []
        busy += [mapping.name for mapping in self._mappings if not mapping.is_idle()]
        if not busy and (runtime.activity != activity or runtime.busy):
            busy = ["invocations"]
        return busy

    def queue_depths(self) -> dict[str, dict[str, int]]:
        """Messages in each of the template's queues: visible, in flight (not visible) and delayed."""
        if self._queue_inspector is None:
            self._queue_inspector = self.client("sqs")
        depths: dict[str, dict[str, int]] = {}
        for record in self.resources.of_type(SQS_QUEUE):
            counts = self._queue_inspector.get_queue_attributes(
                QueueUrl=record.url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            depths[record.logical_id] = {
                "visible": int(counts.get("ApproximateNumberOfMessages", 0)),
                "in_flight": int(counts.get("ApproximateNumberOfMessagesNotVisible", 0)),
                "delayed": int(counts.get("ApproximateNumberOfMessagesDelayed", 0)),
            }
        return depths

    def status(self) -> dict[str, Any]:
        """What runs: URLs, resources, functions with their triggers, mappings, schedules, queue depths,
        whether the stack is idle (as wait_idle means it) and the faults being injected."""
        scheduler = self._scheduler
        next_fires = scheduler.next_fire_times() if scheduler else {}
        return {
            "stack_name": self.stack_name,
            "region": self.region,
            "api_url": self.api_url,
            "aws_url": self.aws_url,
            "parameters": self.template.parameters,
            "resources": self.resources.describe(),
            "functions": {
                spec.logical_id: {
                    "name": self.resources.physical_id(spec.logical_id),
                    "handler": spec.handler,
                    "code_uri": str(spec.code_uri),
                    "triggers": self.triggers(spec.logical_id),
                }
                for spec in self.runtime.functions()
            },
            "mappings": [mapping.describe() for mapping in self._mappings],
            "schedules": [
                {**schedule.describe(), "next": _iso(next_fires.get(schedule.name))}
                for schedule in (scheduler.schedules if scheduler else [])
            ],
            "invocations": self.runtime.invocations,
            "activity": self.runtime.activity,
            "busy": (busy := self.busy()),
            "idle": not busy,
            "queues": self.queue_depths(),
            "faults": self.faults.describe(),
            "sdk_backoff_scale": self.sdk_backoff_scale,
            "process": {"pid": os.getpid(), "peak_rss_mb": _peak_rss_mb()},
        }

    def triggers(self, function_id: str) -> list[str]:
        """Human-readable triggers of a function: routes, queues and streams, schedules."""
        found = [f"{route.method} {route.path}" for route in self._routes if route.function_id == function_id]
        for mapping in self._mappings:
            if mapping.function_id == function_id:
                record = self.resources.by_arn(mapping.source_arn)
                source = record.logical_id if record else mapping.source_arn
                found.append(f"{'SQS' if mapping.kind == 'sqs' else 'stream of'} {source}")
        if self._scheduler is not None:
            found += [f"schedule {s.expression.text}" for s in self._scheduler.schedules_for(function_id)]
        return found


def _ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(error.errno, f"{host}:{port} is not free for moto: {error.strerror}") from error


def _peak_rss_mb() -> float:
    """The most memory this process has held (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _started(value: Any) -> Any:
    if value is None:
        raise RuntimeError("the local stack is not started")
    return value


def _iso(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None
