"""Ops API (Chalice): feedback, tickets, notifications and aggregates for support and operations teams.

The routes are one module per resource under otklik.entrypoints.ops; every answer, error or not,
comes through the edge of otklik.entrypoints.http.
"""

from aws_lambda_powertools import Logger

from otklik.bootstrap import ops_api
from otklik.entrypoints import ops
from otklik.entrypoints.http import edge_app

logger = Logger()  # the service's logger; the library's loggers are its children
app = edge_app("otklik-ops-api")
ops.register(app, ops.OpsContext(ops_api.build))
