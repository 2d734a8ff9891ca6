"""The ops API's routes, one module per resource, each a Chalice Blueprint over one OpsContext.

functions/ops_api/app.py registers them all; see `register`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice import Blueprint, Chalice

from otklik.entrypoints.lazy import Lazy

if TYPE_CHECKING:
    from chalice.app import Request

    from otklik.bootstrap.ops_api import OpsService


class OpsContext:
    """The ops service, built on the first request and kept while the container is warm."""

    def __init__(self, build: Callable[[], OpsService]) -> None:
        self.service = Lazy(build)

    def authorized(self, request: Request) -> OpsService:
        """The service for a request that carries the ops token; NotAuthenticated otherwise."""
        service = self.service()
        service.authorize(request.headers.get("authorization"))
        return service


def current(blueprint: Blueprint) -> Request:
    request = blueprint.current_request
    if request is None:
        raise RuntimeError("no current request: called outside a Chalice view")
    return request


def params(blueprint: Blueprint) -> dict[str, str]:
    return dict(current(blueprint).query_params or {})


def register(app: Chalice, context: OpsContext) -> None:
    """Every resource's routes on app."""
    from otklik.entrypoints.ops import (
        aggregates,
        alerts,
        dashboard,
        feedback,
        health,
        notifications,
        openapi,
        reports,
        rules,
        tickets,
    )

    for routes in (
        health.routes,
        openapi.routes,
        dashboard.routes,
        feedback.routes,
        tickets.routes,
        notifications.routes,
        aggregates.routes,
        alerts.routes,
        reports.routes,
        rules.routes,
    ):
        app.register_blueprint(routes(context))
