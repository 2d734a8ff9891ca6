"""GET /reports (newest first: kind=day|week|month, limit) and GET /reports/{id} (with links to its files)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/reports", methods=["GET"])
    @answers_errors
    def list_reports() -> dict[str, Any]:
        return ops.list_reports(context.authorized(current(blueprint)).reports, params(blueprint))

    @blueprint.route("/reports/{id}", methods=["GET"])
    @answers_errors
    def get_report(id: str) -> dict[str, Any]:
        return ops.get_report(context.authorized(current(blueprint)).reports, id)

    return blueprint
