"""A local Lambda runtime: loads a function's handler from its CodeUri and invokes it as Lambda would."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.faults import Faults
from infra.local.resources import LAYER_TYPES, LocalResources
from infra.local.template import FunctionSpec, Template, intrinsic_name

logger = logging.getLogger(__name__)

# One invocation at a time in the whole process: an invocation replaces os.environ, which is process-wide.
_INVOCATION_LOCK = threading.RLock()
# Which runtime's function runs on this thread now: the outgoing-HTTP faults apply to its calls only.
_INVOKING = threading.local()

# Variables other threads of this process own while a function runs (see LambdaRuntime._sandbox).
_CARRIED = ("PYTEST_CURRENT_TEST",)

# Dummy credentials moto accepts; a function never sees the developer's real ones.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

# What a function keeps from this process's environment: what Python, TLS and proxies need, and the
# settings of the moto server that runs in this same process.
_KEPT_PROCESS_VARIABLES = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SYSTEMROOT",
    "VIRTUAL_ENV",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
_KEPT_PROCESS_PREFIXES = ("MOTO_",)


class FunctionError(Exception):
    """A handler raised (or could not be loaded, or returned what JSON cannot hold)."""

    def __init__(self, function_id: str, request_id: str, error: Exception) -> None:
        super().__init__(f"{function_id} failed: {type(error).__name__}: {error}")
        self.function_id = function_id
        self.request_id = request_id
        self.error = error

    @property
    def error_type(self) -> str:
        return type(self.error).__name__

    def payload(self) -> dict[str, Any]:
        """The error document Lambda returns for an unhandled error."""
        return {
            "errorMessage": str(self.error),
            "errorType": self.error_type,
            "requestId": self.request_id,
            "stackTrace": traceback.format_tb(self.error.__traceback__),
        }

    def log(self, log: logging.Logger, message: str, *args: Any) -> None:
        """Log message with the handler's own traceback."""
        log.error(message, *args, exc_info=(type(self.error), self.error, self.error.__traceback__))


class UnknownFunctionError(LookupError):
    """No function with this logical id in the template."""


class HandlerNotFoundError(ImportError):
    """The Handler setting points at no module or no attribute (Lambda's Runtime.ImportModuleError)."""


class LambdaContext:
    """The context object a Python handler gets as its second argument."""

    def __init__(
        self,
        *,
        function_name: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int,
        timeout_seconds: int,
        log_group_name: str,
        log_stream_name: str,
        function_version: str = "$LATEST",
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.identity: Any = None
        self.client_context: Any = None
        self.tenant_id: str | None = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LambdaRuntime:
    """Invokes the template's functions in this process, one at a time, each in its own environment."""

    def __init__(
        self,
        template: Template,
        resources: LocalResources,
        *,
        aws_endpoint_url: str | None,
        extra_env: Mapping[str, str] | None = None,
        faults: Faults | None = None,
        sdk_backoff_scale: float = 1.0,
    ) -> None:
        self.template = template
        self.resources = resources
        self.aws_endpoint_url = aws_endpoint_url
        self.faults = faults
        self.sdk_backoff_scale = sdk_backoff_scale
        self._specs = {spec.logical_id: spec for spec in template.functions()}
        self._extra_env = dict(extra_env or {})
        self._environments = {logical_id: self._environment(spec) for logical_id, spec in self._specs.items()}
        self._layer_paths = {logical_id: self._layers(spec) for logical_id, spec in self._specs.items()}
        self._handlers: dict[str, Callable[[Any, LambdaContext], Any]] = {}
        self._modules: list[str] = []
        self._token = uuid.uuid4().hex[:8]
        self._state_lock = threading.Lock()
        self._in_flight = 0
        self._activity = 0
        self.invocations = 0
        _forget_cached_aws_clients()

    # ------------------------------------------------------------ what is there

    def functions(self) -> list[FunctionSpec]:
        return list(self._specs.values())

    def function(self, logical_id: str) -> FunctionSpec:
        try:
            return self._specs[logical_id]
        except KeyError:
            raise UnknownFunctionError(f"no function {logical_id} in the template") from None

    def environment(self, logical_id: str) -> dict[str, str]:
        """The environment the function's handler runs with."""
        self.function(logical_id)
        return dict(self._environments[logical_id])

    @property
    def busy(self) -> bool:
        with self._state_lock:
            return self._in_flight > 0

    @property
    def activity(self) -> int:
        """Grows with every invocation start and end: equal readings mean nothing ran in between."""
        with self._state_lock:
            return self._activity

    # ------------------------------------------------------------ invoking

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke the function with event; return what it returned (as JSON would carry it).

        Raises FunctionError when the handler raises, cannot be loaded, or returns something JSON cannot hold.
        """
        spec = self.function(logical_id)
        payload = json.loads(json.dumps(event))
        function_name = self.resources.physical_id(logical_id)
        with _INVOCATION_LOCK:
            context = LambdaContext(
                function_name=function_name,
                invoked_function_arn=self.resources.arn(logical_id),
                memory_limit_in_mb=spec.memory_size,
                timeout_seconds=spec.timeout,
                log_group_name=f"/aws/lambda/{function_name}",
                log_stream_name=self._environments[logical_id]["AWS_LAMBDA_LOG_STREAM_NAME"],
            )
            self._mark(+1)
            started = time.monotonic()
            outer = getattr(_INVOKING, "runtime", None)
            _INVOKING.runtime = self
            try:
                with self._sandbox(logical_id):
                    try:
                        result = self._handler(spec)(payload, context)
                        return json.loads(json.dumps(result))
                    except Exception as error:
                        raise FunctionError(logical_id, context.aws_request_id, error) from error
            finally:
                _INVOKING.runtime = outer
                elapsed = time.monotonic() - started
                self._mark(-1)
                logger.debug("%s request %s took %.0f ms", logical_id, context.aws_request_id, elapsed * 1000)
                if elapsed > spec.timeout:
                    logger.warning(
                        "%s ran %.1f s, past its Timeout of %d s: Lambda would have stopped it",
                        logical_id,
                        elapsed,
                        spec.timeout,
                    )

    def close(self) -> None:
        """Forget the loaded handlers (their modules leave sys.modules)."""
        with _INVOCATION_LOCK:
            for name in self._modules:
                sys.modules.pop(name, None)
            self._modules.clear()
            self._handlers.clear()

    def _mark(self, delta: int) -> None:
        with self._state_lock:
            self._in_flight += delta
            self._activity += 1
            if delta > 0:
                self.invocations += 1

    @contextmanager
    def _sandbox(self, logical_id: str) -> Iterator[None]:
        """os.environ is the function's and its code and layers come first on sys.path, until exit.

        What other threads of this process keep in the environment while a function runs (pytest's
        PYTEST_CURRENT_TEST, set and removed around each test phase) is carried into the function's
        environment and out again as those threads left it, so a background invocation never takes it away.
        """
        saved_environment = os.environ.copy()
        paths = [str(self._specs[logical_id].code_uri), *self._layer_paths[logical_id]]
        sys.path[:0] = paths
        os.environ.clear()
        os.environ.update(self._environments[logical_id])
        os.environ.update({name: saved_environment[name] for name in _CARRIED if name in saved_environment})
        try:
            yield
        finally:
            carried = {name: os.environ.get(name) for name in _CARRIED}
            os.environ.clear()
            os.environ.update(saved_environment)
            for name, value in carried.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            for path in paths:
                if path in sys.path:
                    sys.path.remove(path)

    def _handler(self, spec: FunctionSpec) -> Callable[[Any, LambdaContext], Any]:
        handler = self._handlers.get(spec.logical_id)
        if handler is None:
            handler = self._load_handler(spec)
            self._handlers[spec.logical_id] = handler
        return handler

    def _load_handler(self, spec: FunctionSpec) -> Callable[[Any, LambdaContext], Any]:
        module_path, _, attribute = spec.handler.replace("/", ".").rpartition(".")
        relative = Path(*module_path.split("."))
        candidates = [spec.code_uri / f"{relative}.py", spec.code_uri / relative / "__init__.py"]
        source = next((candidate for candidate in candidates if candidate.is_file()), None)
        if source is None:
            raise HandlerNotFoundError(f"Unable to import module '{module_path}': no {candidates[0]}")
        # A unique name per function: several functions have an app.py.
        module_name = f"_lambda_{self._token}_{spec.logical_id}_{module_path.replace('.', '_')}"
        module = _import_file(module_name, source)
        self._modules.append(module_name)
        handler = getattr(module, attribute, None)
        if not callable(handler):
            raise HandlerNotFoundError(f"Handler '{attribute}' missing on module '{module_path}' ({source})")
        return handler

    # ------------------------------------------------------------ environment and layers

    def _environment(self, spec: FunctionSpec) -> dict[str, str]:
        environment = {
            name: value
            for name, value in os.environ.items()
            if name in _KEPT_PROCESS_VARIABLES or name.startswith(_KEPT_PROCESS_PREFIXES)
        }
        if any(name.lower().endswith("_proxy") and name.lower() != "no_proxy" for name in environment):
            no_proxy = environment.get("NO_PROXY", environment.get("no_proxy", ""))
            environment["NO_PROXY"] = environment["no_proxy"] = ",".join(
                part for part in (no_proxy, "127.0.0.1", "localhost") if part
            )
        environment.update(self.template.function_environment(spec.logical_id, self.resources))
        function_name = self.resources.physical_id(spec.logical_id)
        region = self.template.region
        today = datetime.now(UTC).strftime("%Y/%m/%d")
        environment.update(
            {
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_LAMBDA_FUNCTION_NAME": function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": f"{today}/[$LATEST]{uuid.uuid4().hex}",
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "LAMBDA_TASK_ROOT": str(spec.code_uri),
                "_HANDLER": spec.handler,
                "POWERTOOLS_TRACE_DISABLED": "true",
                **LOCAL_CREDENTIALS,
            }
        )
        if spec.runtime:
            environment["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{spec.runtime}"
        if self.aws_endpoint_url:
            environment["AWS_ENDPOINT_URL"] = self.aws_endpoint_url
        environment.update(self._extra_env)
        return environment

    def _layers(self, spec: FunctionSpec) -> list[str]:
        """Directories of the function's layers that are in this template (ContentUri), in order."""
        paths: list[str] = []
        for layer in spec.layers:
            logical_id = (
                layer.get("Ref") if isinstance(layer, dict) and intrinsic_name(layer) == "Ref" else None
            )
            resource = self.template.resources.get(logical_id) if isinstance(logical_id, str) else None
            content_uri = (resource.get("Properties") or {}).get("ContentUri") if resource else None
            if resource is None or resource["Type"] not in LAYER_TYPES or not isinstance(content_uri, str):
                logger.warning("%s: layer %r is not a local directory; left out", spec.logical_id, layer)
                continue
            directory = (self.template.base_dir / content_uri).resolve()
            # A built layer keeps Python code under python/; a source layer has it at the top.
            paths.extend(str(path) for path in (directory / "python", directory) if path.is_dir())
        return paths


def invoking_runtime() -> LambdaRuntime | None:
    """The runtime whose function is running on this thread now, or None outside an invocation."""
    runtime = getattr(_INVOKING, "runtime", None)
    return runtime if isinstance(runtime, LambdaRuntime) else None


def _import_file(module_name: str, source: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, source)
    if spec is None or spec.loader is None:
        raise HandlerNotFoundError(f"cannot load {source}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _forget_cached_aws_clients() -> None:
    """Drop the AWS clients Powertools Parameters caches process-wide: they may point at an old moto."""
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    clear_caches = getattr(parameters, "clear_caches", None)
    if callable(clear_caches):
        clear_caches()
