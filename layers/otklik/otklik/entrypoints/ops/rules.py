"""POST /rules/dry-run: what a candidate configuration's rules would do to a stored day, before a deploy.

    {"config": "<the YAML document>", "day": "2026-11-22", "max_items": 1000, "cursor": null,
     "changes_only": false}

A body that is not JSON, or a document that is not valid, is a 400 naming every problem by its path
(nothing is run); a body over MAX_DRY_RUN_BODY_BYTES is a 413.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from pydantic import ValidationError

from otklik.domain.errors import InvalidRequest, TooLarge, field_errors
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.entrypoints.http import answers_errors, raw_body
from otklik.entrypoints.ops import OpsContext, current

if TYPE_CHECKING:
    from chalice.app import Request

    from otklik.usecases.dry_run import DryRunRequest

# The document (MAX_CONFIG_CHARS characters) as JSON, with room for escapes and the other fields.
MAX_DRY_RUN_BODY_BYTES = 1024 * 1024


def _dry_run_request(request: Request) -> DryRunRequest:
    from otklik.usecases.dry_run import DryRunRequest

    try:
        body = raw_body(request)
    except UnicodeEncodeError as error:  # an event body holding a lone surrogate, which no bytes can be
        raise InvalidRequest("the body is not UTF-8 text") from error
    if len(body) > MAX_DRY_RUN_BODY_BYTES:
        raise TooLarge(f"a dry-run request has at most {MAX_DRY_RUN_BODY_BYTES} bytes")
    if not body.strip():
        raise InvalidRequest('send {"config": "<YAML>", "day": "YYYY-MM-DD"}')
    try:
        document = read_json_object(body)
    except UnreadableJson as error:
        raise InvalidRequest(str(error)) from error
    try:
        return DryRunRequest.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest(
            "dry-run request does not match the schema", details=field_errors(error)
        ) from error


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/rules/dry-run", methods=["POST"])
    @answers_errors
    def dry_run() -> dict[str, Any]:
        """Each of the day's items: what the candidate would give it, beside what it got; a summary."""
        request = current(blueprint)
        service = context.authorized(request)
        return service.dry_run(_dry_run_request(request))

    return blueprint
