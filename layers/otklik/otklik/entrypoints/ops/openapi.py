"""GET /openapi.json: the API's OpenAPI 3.1 document (otklik.entrypoints.openapi_document), with no token."""

from __future__ import annotations

from chalice import Blueprint, Response

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/openapi.json", methods=["GET"])
    @answers_errors
    def openapi() -> Response:
        # Imported here, and built on the first request: the other routes' cold starts never pay for it.
        from otklik.entrypoints.openapi_document import openapi_json

        return Response(
            body=openapi_json(),
            status_code=200,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    return blueprint
