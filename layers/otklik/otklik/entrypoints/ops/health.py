"""GET /health: answers without a token, so a load balancer or a person can see the API is up."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/health", methods=["GET"])
    @answers_errors
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    return blueprint
