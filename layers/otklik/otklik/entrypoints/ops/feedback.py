"""GET /feedback/{id}, GET /feedback?day= and GET /feedback/{id}/explain: stored feedback items, raw and
masked text with enrichment, and why each got its tonality, topics, moderation flags and ticket."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/feedback/{id}", methods=["GET"])
    @answers_errors
    def get_feedback(id: str) -> dict[str, Any]:
        service = context.authorized(current(blueprint))
        return ops.get_feedback(service.feedback, id, service.replies)

    @blueprint.route("/feedback/{id}/explain", methods=["GET"])
    @answers_errors
    def explain_feedback(id: str) -> dict[str, Any]:
        return context.authorized(current(blueprint)).explain(id)

    @blueprint.route("/feedback", methods=["GET"])
    @answers_errors
    def list_feedback() -> dict[str, Any]:
        return ops.list_feedback(context.authorized(current(blueprint)).feedback, params(blueprint))

    return blueprint
