"""GET /notifications?ticket_id=: what was sent about a ticket, and what each channel did with it."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/notifications", methods=["GET"])
    @answers_errors
    def list_notifications() -> dict[str, Any]:
        return ops.list_notifications(context.authorized(current(blueprint)).tickets, params(blueprint))

    return blueprint
