"""GET /alerts: spike alerts, newest first (since=YYYY-MM-DD, limit)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/alerts", methods=["GET"])
    @answers_errors
    def list_alerts() -> dict[str, Any]:
        return ops.list_alerts(context.authorized(current(blueprint)).alerts, params(blueprint))

    return blueprint
