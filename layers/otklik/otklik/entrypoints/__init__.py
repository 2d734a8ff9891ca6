"""Entry points: the Lambda-facing helpers (batch steps, the HTTP edge, ops routes) and the command line."""
