"""otklik's local configuration: parameters and secrets the local stack starts with."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from infra.local.__main__ import port_from, ports_taken
from infra.local.seed import SAMPLE_CONFIG, TEMPLATE, email_senders, local_config, seed_parameters
from infra.local.template import load_template
from otklik.domain.config import ConfigInvalid, parse_config
from otklik.domain.models import NOTIFICATION_EVENTS

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
    environ = {"OTKLIK_LOCAL_SLACK_WEBHOOK_URL": "http://127.0.0.1:9/hook"}

    _, secrets = seed_parameters(environ)
    config = parse_config(local_config(environ))

    # Then it is seeded as the channel's secret and the configuration gets a channel that reads it
    assert secrets["/otklik/local/notify/slack-webhook-url"] == "http://127.0.0.1:9/hook"
    [channel] = [channel for channel in config.channels if channel.name == "slack"]
    assert (channel.type, channel.url_parameter) == ("slack_webhook", "notify/slack-webhook-url")
    # And, the sample having subscriptions, one that tells it every event
    [everything] = [s for s in config.subscriptions if s.channels == ("slack",)]
    assert set(everything.events) == set(NOTIFICATION_EVENTS) and everything.recipients == ()


def test_a_telegram_url_enables_the_samples_telegram_channel_and_seeds_its_token() -> None:
    environ = {"OTKLIK_LOCAL_TELEGRAM_URL": "http://127.0.0.1:9"}

    overrides, secrets = seed_parameters(environ)
    config = parse_config(local_config(environ))

    assert overrides["TelegramApiUrl"] == "http://127.0.0.1:9"
    assert secrets["/otklik/local/notify/telegram-bot-token"] == "123456:TEST-TOKEN"
    assert [c.name for c in config.enabled_channels() if c.type == "telegram"] == ["telegram"]
    # Without it the sample's Telegram channel stays off (no token, no Bot API to reach)
    assert [c.name for c in parse_config(local_config({})).enabled_channels() if c.type == "telegram"] == []


def test_the_documents_email_senders_are_the_identities_verified_in_moto() -> None:
    assert email_senders(local_config({})) == ["otklik@shop.example"]


def test_the_local_stack_starts_with_the_sample_configuration_unless_told_otherwise(tmp_path: Path) -> None:
    own = tmp_path / "own.yaml"
    own.write_text("teams: [{name: quality}]\nrouting: {team: quality}\n", "utf-8")

    assert local_config({}) == SAMPLE_CONFIG.read_bytes()
    assert parse_config(local_config({"OTKLIK_LOCAL_CONFIG": str(own)})).routing.team == "quality"


def test_a_bad_local_configuration_stops_the_start_naming_its_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("routing: {team: nobody}\n", "utf-8")

    with pytest.raises(ConfigInvalid, match=r"routing\.team: unknown team 'nobody'"):
        local_config({"OTKLIK_LOCAL_CONFIG": str(bad)})


def test_ports_come_from_the_environment_or_default() -> None:
    assert port_from({}, "OTKLIK_LOCAL_API_PORT", 3000) == 3000
    assert port_from({"OTKLIK_LOCAL_API_PORT": "3100"}, "OTKLIK_LOCAL_API_PORT", 3000) == 3100
    with pytest.raises(SystemExit, match="must be a port number"):
        port_from({"OTKLIK_LOCAL_API_PORT": "http"}, "OTKLIK_LOCAL_API_PORT", 3000)


def test_a_taken_port_is_named_with_the_setting_that_moves_it() -> None:
    # Given another program listening on the port chosen for the API
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        busy = other.getsockname()[1]
        environ = {"OTKLIK_LOCAL_API_PORT": str(busy), "OTKLIK_LOCAL_AWS_PORT": "0"}

        # When the stack checks its ports before starting
        taken = ports_taken(environ)

    # Then exactly that port is reported, with its setting
    assert len(taken) == 1
    assert taken[0].startswith(f"port {busy} (OTKLIK_LOCAL_API_PORT) is taken")
    assert "set OTKLIK_LOCAL_API_PORT to a free port" in taken[0]


def test_the_fakes_ports_are_checked_only_when_the_fakes_run() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        busy = str(other.getsockname()[1])
        free = {"OTKLIK_LOCAL_API_PORT": "0", "OTKLIK_LOCAL_AWS_PORT": "0", "OTKLIK_FAKE_OZON_PORT": "0"}
        quiet = {**free, "OTKLIK_FAKE_YM_PORT": "0", "OTKLIK_FAKE_WB_PORT": busy}

        without_fakes = ports_taken(quiet)
        with_fakes = ports_taken({**quiet, "OTKLIK_LOCAL_FAKES": "1"})

    assert without_fakes == []
    assert [line.split(" ")[1:3] for line in with_fakes] == [[busy, "(OTKLIK_FAKE_WB_PORT)"]]
