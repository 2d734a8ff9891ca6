"""POST /webhooks/{source}: one signed own-channel feedback item, answered 202 once it is on IngestQueue."""

from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from chalice import Chalice, Response

from otklik.api.responses import answers_errors, current_request, json_response, raw_body
from otklik.settings import IngestSettings, load_settings
from otklik.wiring import IngestService

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
