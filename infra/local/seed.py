"""otklik's local configuration: Stage=local, the local secrets, and a LocalStack built from them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMPLE_WEBHOOK_BODY = "events/webhook_body_custom.json"

STAGE = "local"
WEBHOOK_SECRET = "local-dev-secret"
OPS_TOKEN = "local-dev-token"
CONNECTIONS_PARAMETER = f"/otklik/{STAGE}/marketplaces/connections"
API_PORT = 3000
AWS_PORT = 4566


def seed_parameters(environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Parameter overrides and SecureString seeds; OTKLIK_LOCAL_SLACK_WEBHOOK_URL turns Slack on."""
    overrides = {"Stage": STAGE}
    secrets = {
        f"/otklik/{STAGE}/webhooks/custom/secret": WEBHOOK_SECRET,
        f"/otklik/{STAGE}/ops/token": OPS_TOKEN,
        # No marketplace connections unless the fakes run (see marketplace_seed).
        CONNECTIONS_PARAMETER: "[]",
    }
    slack_url = environ.get("OTKLIK_LOCAL_SLACK_WEBHOOK_URL")
    if slack_url:
        secrets[f"/otklik/{STAGE}/notify/slack-webhook-url"] = slack_url
        overrides["NotifyChannels"] = "outbox,slack"
    return overrides, secrets


def otklik_stack(environ: Mapping[str, str] | None = None, **options: Any) -> LocalStack:
    """A LocalStack of otklik's template with the local parameters and secrets (not started).

    options go to LocalStack (api_port, aws_port, extra_env, retry_delay...); ports default to 0 (free).
    """
    overrides, secrets = seed_parameters(environ or {})
    overrides.update(options.pop("parameter_overrides", {}))
    secrets.update(options.pop("ssm_parameters", {}))
    return LocalStack(TEMPLATE, parameter_overrides=overrides, ssm_parameters=secrets, **options)
