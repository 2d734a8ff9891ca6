"""One soak run on a running local stack: faults on, webhooks sent, the drain awaited, the audit judged."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.e2e.conftest import RunningStack, running_stack
from tests.soak.audit import Findings, Holdings, failures_in_log, judge, read_holdings, routing_policy
from tests.soak.senders import Sent, send_all
from tests.soak.webhooks import delivery_order, make_webhooks

ISSUE_FAULTS: dict[str, Any] = {"dynamodb_throttle": 0.1, "sqs_send_error": 0.05, "http_5xx": 0.2, "seed": 1}


@dataclass(frozen=True)
class SoakSettings:
    webhooks: int = 10_000
    senders: int = 8
    faults: dict[str, Any] = field(default_factory=lambda: dict(ISSUE_FAULTS))
    seed: int = 1
    attempts: int = 8  # per delivery, the first included
    request_timeout: float = 60.0
    drain_timeout: float = 3600.0
    # botocore's waits inside functions: the local stack runs one function at a time, so at full length
    # every injected throttle would stall the whole stack (infra/local/sdk_backoff.py).
    sdk_backoff_scale: float = 0.1
    # Seconds before the stack retries a failed message (1 by default; AWS waits the VisibilityTimeout).
    retry_delay: int = 1


@dataclass(frozen=True)
class Drain:
    drained: bool
    seconds: float
    busy: list[str]
    queues: dict[str, dict[str, int]]


@dataclass(frozen=True)
class SoakReport:
    settings: SoakSettings
    deliveries: int
    sent: Sent
    drain: Drain
    holdings: Holdings
    findings: Findings
    faults: dict[str, Any]
    failures: Counter[str]
    peak_rss_mb: float

    @property
    def accepted(self) -> int:
        return len(self.sent.accepted_ids())

    @property
    def dead_lettered(self) -> int:
        return sum(letters.count for letters in self.holdings.dead_letters.values())

    @property
    def throughput(self) -> float:
        return self.accepted / max(self.sent.finished - self.sent.started, 1e-9)

    def goals_met(self) -> bool:
        """0 lost, 0 doubled, aggregates exact, nothing dead-lettered, no valid input refused, all drained."""
        return (
            self.drain.drained
            and self.findings.lost_count == 0
            and self.findings.doubled_count == 0
            and not self.findings.aggregate_mismatches
            and self.dead_lettered == 0
            and not self.sent.input_refusals()
        )

    def text(self) -> str:
        findings = self.findings
        injected = ", ".join(
            f"{kind} {counts['injected']} of {counts['calls']} calls"
            for kind, counts in self.faults.get("faults", {}).items()
            if counts["rate"] > 0
        )
        refusals = _counts(self.sent.refusals()) or "none"
        retried = _counts(self.sent.retried()) or "none"
        lines = [
            f"otklik soak: {self.settings.webhooks} webhooks ({self.deliveries} deliveries) from "
            f"{self.settings.senders} senders, faults {json.dumps(self.settings.faults)}, "
            f"SDK backoff x{self.settings.sdk_backoff_scale}, retry delay {self.settings.retry_delay} s",
            f"  faults injected  {injected or 'none'}",
            f"  accepted         {self.accepted} of {self.settings.webhooks} webhooks "
            f"({self.sent.duplicates_acknowledged()} re-deliveries answered 202 duplicate)",
            f"  refused          {sum(self.sent.refusals().values())} deliveries after "
            f"{self.settings.attempts} attempts: {refusals}",
            f"  retried          transient answers the senders retried: {retried}",
            f"  refused input    {_counts(self.sent.input_refusals()) or 'none'} (4xx to valid webhooks)",
            f"  lost             {findings.lost_count}" + _stages(findings.lost, "accepted but"),
            f"  doubled          {findings.doubled_count}" + _stages(findings.doubled, "twice:"),
            f"  aggregates       {self._aggregates()}",
            "  DLQs             "
            + (
                ", ".join(
                    f"{name} {letters.count} ({_counts(letters.shapes)})"
                    for name, letters in self.holdings.dead_letters.items()
                    if letters.count
                )
                or "empty"
            ),
            f"  failures logged  {_counts(self.failures, limit=8) or 'none'}",
            f"  throughput       {self.throughput:.2f} accepted webhooks/s over "
            f"{self.sent.finished - self.sent.started:.0f} s of sending ({_tenths(self.sent)}); "
            f"counted {_counted_tenths(self.holdings.counted_at)}",
            f"  drain            {self.drain.seconds:.0f} s after the last answer"
            + ("" if self.drain.drained else f", NOT drained: {', '.join(self.drain.busy)}"),
            f"  also             {findings.stored_unacknowledged} stored without a 202 (queued, then 5xx); "
            f"{len(findings.unexpected_tickets)} tickets the rules did not ask for; "
            f"{findings.slack_unconfirmed} Slack posts unconfirmed in the outbox (no answer came); "
            f"stack peak memory {self.peak_rss_mb:.0f} MB",
            f"  goals            {'met' if self.goals_met() else 'NOT met'}",
        ]
        return "\n".join(lines)

    def _aggregates(self) -> str:
        findings = self.findings
        if not findings.aggregate_mismatches:
            return (
                f"exact: {findings.aggregate_cells} counters equal a recount of "
                f"{len(self.holdings.items)} FeedbackTable items"
            )
        examples = list(findings.aggregate_mismatches.items())[:5]
        return (
            f"{len(findings.aggregate_mismatches)} of {findings.aggregate_cells} differ from a recount: "
            + (
                "; ".join(
                    f"{cell} stored {_diff(stored, recounted)}" for cell, (stored, recounted) in examples
                )
            )
        )


def _counts(counter: Counter[str], limit: int = 6) -> str:
    return ", ".join(f"{reason} x{count}" for reason, count in counter.most_common(limit))


def _stages(by_stage: dict[str, list[str]], prefix: str) -> str:
    parts = [
        f"{prefix} {stage} {len(ids)} (e.g. {', '.join(ids[:3])})" for stage, ids in by_stage.items() if ids
    ]
    return f": {'; '.join(parts)}" if parts else ""


def _diff(stored: dict[str, int], recounted: dict[str, int]) -> str:
    names = sorted(set(stored) | set(recounted))
    return ", ".join(
        f"{name} {stored.get(name, 0)} vs {recounted.get(name, 0)}"
        for name in names
        if stored.get(name, 0) != recounted.get(name, 0)
    )


def _tenths(sent: Sent) -> str:
    """Acceptance rate in the first and the last tenth of the 202s: flat if per-item cost is flat."""
    times = sorted(
        answer.at for attempts in sent.answers.values() for answer in attempts if answer.status == 202
    )
    tenth = len(times) // 10
    if tenth < 2:
        return "too few for tenths"
    first = tenth / max(times[tenth - 1] - times[0], 1e-9)
    last = tenth / max(times[-1] - times[-tenth], 1e-9)
    return f"first tenth {first:.2f}/s, last tenth {last:.2f}/s"


def _counted_tenths(moments: list[int]) -> str:
    """How fast the pipeline's last step counted items in its first and last tenth (whole seconds)."""
    tenth = len(moments) // 10
    if tenth < 20:
        return "too few for tenths"
    first = tenth / max(moments[tenth - 1] - moments[0], 1)
    last = tenth / max(moments[-1] - moments[-tenth], 1)
    return f"first tenth {first:.2f}/s, last tenth {last:.2f}/s"


def _local(stack: RunningStack, method: str, path: str, body: Any = None) -> Any:
    answer = stack.request(method, path, body=None if body is None else json.dumps(body).encode())
    if answer.status != 200:
        raise AssertionError(f"{method} {path}: {answer.status} {answer.body}")
    return answer.body


def wait_for_drain(stack: RunningStack, timeout: float) -> Drain:
    """Until GET /_local/status says idle twice running with no invocation in between."""
    started = time.monotonic()
    previous: int | None = None
    status: dict[str, Any] = {}
    while time.monotonic() - started < timeout:
        status = _local(stack, "GET", "/_local/status")
        if status["idle"] and previous == status["activity"]:
            return Drain(True, time.monotonic() - started, [], status["queues"])
        previous = status["activity"] if status["idle"] else None
        time.sleep(1.0)
    return Drain(False, time.monotonic() - started, status.get("busy", []), status.get("queues", {}))


@contextmanager
def soak_stack(log: Path, settings: SoakSettings) -> Iterator[RunningStack]:
    """`python -m infra.local` as the soak needs it, with a Slack recorder as its channel."""
    environment = {
        "OTKLIK_LOCAL_SDK_BACKOFF_SCALE": str(settings.sdk_backoff_scale),
        "OTKLIK_LOCAL_RETRY_DELAY": str(settings.retry_delay),
    }
    with running_stack(log, environment) as stack:
        yield stack


def run_soak(stack: RunningStack, settings: SoakSettings) -> SoakReport:
    run_id = uuid.uuid4().hex[:6]
    webhooks = make_webhooks(settings.webhooks, run_id, datetime.now(UTC), settings.seed)
    deliveries = delivery_order(webhooks, settings.seed)
    _local(stack, "POST", "/_local/faults", settings.faults)
    try:
        sent = send_all(
            stack.api_url,
            deliveries,
            senders=settings.senders,
            attempts=settings.attempts,
            timeout=settings.request_timeout,
        )
        drain = wait_for_drain(stack, settings.drain_timeout)
        faults = _local(stack, "GET", "/_local/faults")
    finally:
        _local(stack, "POST", "/_local/faults", {})
    status = _local(stack, "GET", "/_local/status")
    holdings = read_holdings(
        stack.aws("dynamodb"), stack.aws("sqs"), status["resources"], stack.slack.requests, run_id
    )
    return SoakReport(
        settings=settings,
        deliveries=len(deliveries),
        sent=sent,
        drain=drain,
        holdings=holdings,
        findings=judge(holdings, sent.accepted_ids(), routing_policy()),
        faults=faults,
        failures=failures_in_log(stack.log),
        peak_rss_mb=float(status.get("process", {}).get("peak_rss_mb", 0.0)),
    )
