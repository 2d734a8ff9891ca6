"""POST /webhooks/{source}: one signed own-channel feedback item, answered 202 once it is on IngestQueue."""

from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from chalice import Chalice, Response

from otklik.api.responses import answers_errors, current_request, json_response, raw_body
from otklik.marketplaces.base import Marketplace
from otklik.settings import IngestSettings, load_settings
from otklik.wiring import IngestService, PushService

logger = Logger()
app = Chalice(app_name="otklik-ingest-webhook")

# Anything may be posted; the body is judged as JSON by the library, so a wrong type is a 400, not a 415.
CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
]


@app.route("/webhooks/{source}", methods=["POST"], content_types=CONTENT_TYPES)
@answers_errors
def post_webhook(source: str) -> Response:
    request = current_request(app)
    logger.set_correlation_id(request.context.get("requestId"))
    accepted = IngestService(load_settings(IngestSettings)).accept(
        source, request.headers, raw_body(request), datetime.now(UTC)
    )
    logger.info(
        "webhook accepted",
        extra={"source": source, "feedback_id": accepted.id, "duplicate": accepted.duplicate},
    )
    return json_response(202, {"id": accepted.id, "duplicate": accepted.duplicate})


def _push(marketplace: Marketplace, connection: str, token: str) -> Response:
    request = current_request(app)
    logger.set_correlation_id(request.context.get("requestId"))
    source_ip = str(request.context.get("identity", {}).get("sourceIp", ""))
    result = PushService(load_settings(IngestSettings)).accept(
        marketplace, connection, token, source_ip, raw_body(request), datetime.now(UTC)
    )
    logger.info(
        "push accepted",
        extra={
            "marketplace": marketplace,
            "connection": connection,
            "items": len(result.envelopes),
            "fetch_jobs": len(result.fetch_jobs),
        },
    )
    return json_response(result.status, result.body)


@app.route("/push/ozon/{connection}/{token}", methods=["POST"], content_types=CONTENT_TYPES)
@answers_errors
def ozon_push(connection: str, token: str) -> Response:
    """Ozon chat events; the secret token in the URL authenticates them (Ozon signs nothing)."""
    return _push("ozon", connection, token)


@app.route(
    "/push/yandex-market/{connection}/{token}/notification", methods=["POST"], content_types=CONTENT_TYPES
)
@answers_errors
def yandex_market_notification(connection: str, token: str) -> Response:
    """Yandex Market API notifications, answered at once; the feedback itself is fetched from FetchQueue."""
    return _push("yandex_market", connection, token)
