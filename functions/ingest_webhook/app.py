"""POST /webhooks/{source}: one signed own-channel feedback item, answered 202 once it is on IngestQueue.

Also the marketplaces' pushes: Ozon chat events and Yandex Market notifications, answered at once.
"""

from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from chalice import Response

from otklik.bootstrap import ingest_webhook
from otklik.entrypoints.http import answers_errors, current_request, edge_app, json_response, raw_body
from otklik.entrypoints.lazy import Lazy

logger = Logger()
app = edge_app("otklik-ingest-webhook")
intake = Lazy(ingest_webhook.build)

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
    accepted = intake().webhook(source, request.headers, raw_body(request), datetime.now(UTC))
    logger.info(
        "webhook accepted",
        extra={"source": source, "feedback_id": accepted.id, "duplicate": accepted.duplicate},
    )
    return json_response(202, {"id": accepted.id, "duplicate": accepted.duplicate})


def _push(marketplace: ingest_webhook.Marketplace, connection: str, token: str) -> Response:
    request = current_request(app)
    source_ip = str(request.context.get("identity", {}).get("sourceIp", ""))
    result = intake().push(marketplace, connection, token, source_ip, raw_body(request), datetime.now(UTC))
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
