"""Outgoing HTTP of a function under faults: answered 5xx without reaching the server, or timed out.

The functions run in this process, so their outgoing requests are failed here, in urllib, which is
what otklik's one HTTP client uses (otklik.adapters.http). The hook wraps
`urllib.request.AbstractHTTPHandler.do_open`, the step every http:// and https:// request of every
urllib opener goes through, and acts only on the thread that is running a function whose runtime has
faults (infra.local.runtime.invoking_runtime). Requests of anything else in the process (tests, the
emulator, `make run`'s own demo) pass untouched.

Why not an HTTP proxy named in the functions' HTTP_PROXY: urllib reads the proxy settings when it
builds its shared opener, on the first `urlopen` in the process, so whether a function's HTTP_PROXY
counted would depend on which code in the process happened to call `urlopen` first; and a proxy sees
https:// requests only as CONNECT tunnels, so it could not answer them with a 503.
"""

from __future__ import annotations

import http.client
import io
import logging
import urllib.request
import urllib.response
from typing import Any

from infra.local.faults import Faults
from infra.local.process_patch import ProcessPatch
from infra.local.runtime import invoking_runtime

logger = logging.getLogger(__name__)

_HTTP_5XX = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"))
_TIMEOUT = ("timed out",)
_URLLIB_DO_OPEN = urllib.request.AbstractHTTPHandler.do_open


def _faults_here() -> Faults | None:
    runtime = invoking_runtime()
    faults = runtime.faults if runtime is not None else None
    return faults if faults is not None and faults.active else None


def _server_error(request: urllib.request.Request, status: int, reason: str) -> urllib.response.addinfourl:
    """A response as a load balancer in front of a failing server gives (urllib makes it an HTTPError)."""
    body = f"{status} {reason}".encode()
    headers = http.client.HTTPMessage()
    headers["Content-Type"] = "text/plain"
    headers["Content-Length"] = str(len(body))
    headers["X-Otklik-Local-Fault"] = "http_5xx"
    response = urllib.response.addinfourl(io.BytesIO(body), headers, request.full_url, status)
    response.msg = reason  # type: ignore[attr-defined]  # what urllib's HTTPErrorProcessor reads
    return response


def _do_open(
    handler: urllib.request.AbstractHTTPHandler,
    http_class: Any,
    request: urllib.request.Request,
    **connection_args: Any,
) -> Any:
    faults = _faults_here()
    if faults is None:
        return _URLLIB_DO_OPEN(handler, http_class, request, **connection_args)
    # Both streams draw on every call, so one kind's rate never moves which calls the other fails.
    server_error = faults.draw("http_5xx", _HTTP_5XX)
    timeout = faults.draw("http_timeout", _TIMEOUT)
    if server_error is not None:
        status, reason = server_error
        faults.injected("http_5xx", str(status))
        logger.debug("injected http_5xx: %s %s answered %d", request.get_method(), request.host, status)
        return _server_error(request, status, reason)
    if timeout is not None:
        # The server gets the request and answers; the function does not hear back in time. urllib
        # wraps in URLError only what fails while connecting and sending; a timeout waiting for the
        # answer comes out of getresponse() as it is, a bare TimeoutError (socket.timeout).
        with _URLLIB_DO_OPEN(handler, http_class, request, **connection_args) as response:
            response.read()
        faults.injected("http_timeout", "timed out")
        logger.debug("injected http_timeout: %s %s", request.get_method(), request.host)
        raise TimeoutError("timed out")
    return _URLLIB_DO_OPEN(handler, http_class, request, **connection_args)


# Installed by each LocalStack.start (and released by its stop), while any stack runs.
PATCH = ProcessPatch(urllib.request.AbstractHTTPHandler, "do_open", _do_open)
