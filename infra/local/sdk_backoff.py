"""botocore's retry backoff inside functions, scaled by the stack's `sdk_backoff_scale` (1: as on AWS).

On AWS a function that backs off sleeps in a sandbox of its own while the others run. Here functions
run one at a time, so each backoff stalls every function of the stack: under injected throttling
(botocore waits up to a second before the first retry of a throttled call) the whole stack would spend
most of its time asleep. A scale below 1 shortens the waits, as `retry_delay` shortens SQS's; the
retries themselves (how many, on which errors, the retry quota) are botocore's own. Only the standard
retry mode (what otklik configures) is scaled, and only on a thread running a function.
"""

from __future__ import annotations

from typing import Any

from botocore.retries.standard import ExponentialBackoff

from infra.local.process_patch import ProcessPatch
from infra.local.runtime import invoking_runtime

_BOTOCORE_DELAY_AMOUNT = ExponentialBackoff.delay_amount


def _delay_amount(self: ExponentialBackoff, context: Any) -> float:
    delay = float(_BOTOCORE_DELAY_AMOUNT(self, context))
    runtime = invoking_runtime()
    return delay * runtime.sdk_backoff_scale if runtime is not None else delay


# Installed by each LocalStack.start (and released by its stop), while any stack runs.
PATCH = ProcessPatch(ExponentialBackoff, "delay_amount", _delay_amount)
