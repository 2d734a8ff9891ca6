"""otklik's local configuration: Stage=local, the local secrets, the configuration document, and a
LocalStack built from them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from infra.local.stack import LocalStack
from otklik.domain.config import parse_config
from otklik.domain.models import NOTIFICATION_EVENTS
from otklik.domain.notify.settings import EmailSender

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMPLE_WEBHOOK_BODY = "events/webhook_body_custom.json"
SAMPLE_CONFIG = ROOT / "infra" / "config" / "otklik.yaml"
CONFIG_BUCKET = "ConfigBucket"
CONFIG_KEY = "otklik.yaml"

STAGE = "local"
WEBHOOK_SECRET = "local-dev-secret"
OPS_TOKEN = "local-dev-token"
CONNECTIONS_PARAMETER = f"/otklik/{STAGE}/marketplaces/connections"
API_PORT = 3000
AWS_PORT = 4566


TELEGRAM_TOKEN = "123456:TEST-TOKEN"
TELEGRAM_TOKEN_PARAMETER = f"/otklik/{STAGE}/notify/telegram-bot-token"


def local_config(environ: Mapping[str, str]) -> bytes:
    """The configuration document the local stack starts with: OTKLIK_LOCAL_CONFIG's file or the sample.

    It is validated here, so a bad file stops `make run` with its problems (ConfigInvalid) instead of
    starting a stack that refuses it. OTKLIK_LOCAL_SLACK_WEBHOOK_URL adds a Slack channel to it, told
    every event; OTKLIK_LOCAL_TELEGRAM_URL (the fake Bot API) enables its Telegram channels.
    """
    path = Path(environ.get("OTKLIK_LOCAL_CONFIG") or SAMPLE_CONFIG)
    text = path.read_bytes()
    parse_config(text)
    slack = bool(environ.get("OTKLIK_LOCAL_SLACK_WEBHOOK_URL"))
    telegram = bool(environ.get("OTKLIK_LOCAL_TELEGRAM_URL"))
    if not (slack or telegram):
        return text
    document = yaml.safe_load(text) or {}
    if telegram:
        document["channels"] = [
            {**channel, "enabled": True} if channel.get("type") == "telegram" else channel
            for channel in document.get("channels") or []
        ]
    if slack:
        document["channels"] = [
            *(document.get("channels") or []),
            {"name": "slack", "type": "slack_webhook", "url_parameter": "notify/slack-webhook-url"},
        ]
        if document.get("subscriptions"):
            document["subscriptions"] = [
                *document["subscriptions"],
                {"name": "slack-everything", "events": list(NOTIFICATION_EVENTS), "channels": ["slack"]},
            ]
    changed = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
    parse_config(changed)
    return changed


def email_senders(config: bytes) -> list[str]:
    """The senders of the document's e-mail channels: verified in moto, as an operator does in SES."""
    return [channel.sender for channel in parse_config(config).channels if isinstance(channel, EmailSender)]


def seed_parameters(environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Parameter overrides and SecureString seeds; OTKLIK_LOCAL_SLACK_WEBHOOK_URL seeds its URL,
    OTKLIK_LOCAL_TELEGRAM_URL the fake bot's token and the Bot API's URL."""
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
    telegram_url = environ.get("OTKLIK_LOCAL_TELEGRAM_URL")
    if telegram_url:
        overrides["TelegramApiUrl"] = telegram_url
        secrets[TELEGRAM_TOKEN_PARAMETER] = environ.get("OTKLIK_LOCAL_TELEGRAM_TOKEN") or TELEGRAM_TOKEN
    return overrides, secrets


def otklik_stack(environ: Mapping[str, str] | None = None, **options: Any) -> LocalStack:
    """A LocalStack of otklik's template with the local parameters and secrets (not started).

    options go to LocalStack (api_port, aws_port, extra_env, retry_delay...); ports default to 0 (free).
    """
    environ = environ or {}
    overrides, secrets = seed_parameters(environ)
    overrides.update(options.pop("parameter_overrides", {}))
    secrets.update(options.pop("ssm_parameters", {}))
    config = local_config(environ)
    objects = {(CONFIG_BUCKET, CONFIG_KEY): config, **options.pop("s3_objects", {})}
    senders = email_senders(config)

    def verify_senders(session: Any, endpoint_url: str) -> None:
        ses = session.client("ses", endpoint_url=endpoint_url)
        for sender in senders:
            ses.verify_email_identity(EmailAddress=sender)

    api_port = options.get("api_port") or 0
    if api_port:  # the links in notifications open the local API
        options["extra_env"] = {
            "OTKLIK_PUBLIC_URL": f"http://127.0.0.1:{api_port}",
            **options.get("extra_env", {}),
        }
    return LocalStack(
        TEMPLATE,
        parameter_overrides=overrides,
        ssm_parameters=secrets,
        s3_objects=objects,
        after_resources=verify_senders,
        **options,
    )


PUSH_TOKEN = "local-push-token"


def marketplace_seed(
    stage: str,
    wildberries: tuple[str, str] | None = None,
    ozon: tuple[str, str, str] | None = None,
    yandex_market: tuple[str, str, int] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Parameter overrides and SSM seeds for one connection per marketplace given.

    wildberries = (base url, token); ozon = (base url, client id, api key);
    yandex_market = (base url, api key, business id). Push URLs take PUSH_TOKEN.
    """
    prefix = f"/otklik/{stage}/marketplaces"
    overrides: dict[str, str] = {}
    secrets: dict[str, str] = {}
    connections: list[dict[str, object]] = []
    if wildberries:
        url, token = wildberries
        overrides["WbFeedbacksUrl"] = url
        secrets[f"{prefix}/wb-main/token"] = token
        connections.append(
            {
                "name": "wb-main",
                "marketplace": "wildberries",
                "credentials": {"token": f"{prefix}/wb-main/token"},
            }
        )
    if ozon:
        url, client_id, api_key = ozon
        overrides["OzonApiUrl"] = url
        secrets.update({f"{prefix}/ozon-main/client-id": client_id, f"{prefix}/ozon-main/api-key": api_key})
        secrets[f"{prefix}/ozon-main/push-token"] = PUSH_TOKEN
        connections.append(
            {
                "name": "ozon-main",
                "marketplace": "ozon",
                "credentials": {
                    "client_id": f"{prefix}/ozon-main/client-id",
                    "api_key": f"{prefix}/ozon-main/api-key",
                },
                "push_token_parameter": f"{prefix}/ozon-main/push-token",
            }
        )
    if yandex_market:
        url, api_key, business_id = yandex_market
        overrides["YmApiUrl"] = url
        secrets.update({f"{prefix}/ym-main/api-key": api_key, f"{prefix}/ym-main/push-token": PUSH_TOKEN})
        connections.append(
            {
                "name": "ym-main",
                "marketplace": "yandex_market",
                "credentials": {"api_key": f"{prefix}/ym-main/api-key"},
                "push_token_parameter": f"{prefix}/ym-main/push-token",
                "settings": {"business_id": str(business_id)},
            }
        )
    secrets[f"{prefix}/connections"] = json.dumps(connections)
    return overrides, secrets
