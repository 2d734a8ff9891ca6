"""GET /aggregates?day=: the day's counts by tonality, kind and stars; overall and per source."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/aggregates", methods=["GET"])
    @answers_errors
    def get_aggregates() -> dict[str, Any]:
        return ops.get_aggregates(context.authorized(current(blueprint)).aggregates, params(blueprint))

    return blueprint
