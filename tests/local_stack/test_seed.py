"""otklik's local configuration: parameters and secrets the local stack starts with."""

from __future__ import annotations

import pytest

from infra.local.__main__ import port_from
from infra.local.seed import TEMPLATE, seed_parameters
from infra.local.template import load_template

pytestmark = pytest.mark.unit


def test_the_local_stage_seeds_the_webhook_secret_and_the_ops_token() -> None:
    # Given no Slack URL in the environment
    overrides, secrets = seed_parameters({})

    # Then the stage is local, notifications stay in the outbox, both local secrets are seeded,
    # and there are no marketplace connections to poll
    assert overrides == {"Stage": "local"}
    assert secrets == {
        "/otklik/local/webhooks/custom/secret": "local-dev-secret",
        "/otklik/local/ops/token": "local-dev-token",
        "/otklik/local/marketplaces/connections": "[]",
    }
    assert load_template(TEMPLATE, overrides).parameters["Stage"] == "local"


def test_a_slack_url_turns_the_slack_channel_on() -> None:
    # Given a Slack-compatible webhook URL in the environment
    overrides, secrets = seed_parameters({"OTKLIK_LOCAL_SLACK_WEBHOOK_URL": "http://127.0.0.1:9/hook"})

    # Then it is seeded as the channel's secret and the template accepts the channel list
    assert secrets["/otklik/local/notify/slack-webhook-url"] == "http://127.0.0.1:9/hook"
    assert load_template(TEMPLATE, overrides).parameters["NotifyChannels"] == "outbox,slack"


def test_ports_come_from_the_environment_or_default() -> None:
    assert port_from({}, "OTKLIK_LOCAL_API_PORT", 3000) == 3000
    assert port_from({"OTKLIK_LOCAL_API_PORT": "3100"}, "OTKLIK_LOCAL_API_PORT", 3000) == 3100
    with pytest.raises(SystemExit, match="must be a port number"):
        port_from({"OTKLIK_LOCAL_API_PORT": "http"}, "OTKLIK_LOCAL_API_PORT", 3000)
