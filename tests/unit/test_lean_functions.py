"""Each function's module imports little: what it needs only to build or to serve loads on first use.

A cold start pays for every module a handler imports before its first line runs; so AWS clients,
Chalice (outside the HTTP functions), templates, YAML, VADER, urllib and Powertools' heavier
utilities are left to the builder or the first call. These are checks of what gets imported, in a
fresh interpreter per function, never of how long it takes (`make bench` prints the figures).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.bench_cold_start import FUNCTIONS, fresh_import, function_target, probe_environment

HTTP_FUNCTIONS = {"ingest_webhook", "ops_api"}
# botocore's bare package is imported by Powertools itself (to probe for an SDK); a session or a
# client is what costs, and comes with boto3.
NEVER_AT_IMPORT = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "jinja2",
    "yaml",
    "vaderSentiment",
    "urllib.request",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.idempotency",
    "aws_lambda_powertools.utilities.parameters",
)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The modules `import app` adds, per function, each in a fresh interpreter outside the repo."""
    scratch = str(tmp_path_factory.mktemp("cold-import"))
    environ = probe_environment()
    return {
        folder.name: set(fresh_import(function_target(folder), scratch, environ)[1]) for folder in FUNCTIONS
    }


def _names(folders: list[Path]) -> list[str]:
    return [folder.name for folder in folders]


def test_the_functions_are_found_where_the_template_puts_them() -> None:
    assert set(_names(FUNCTIONS)) >= HTTP_FUNCTIONS | {"score_feedback", "update_aggregates"}


@pytest.mark.parametrize("function", _names(FUNCTIONS))
def test_the_probe_sees_the_function_and_its_own_builder(
    imported: dict[str, set[str]], function: str
) -> None:
    # Given the function imported in a fresh interpreter, then its module and its builder were loaded
    # (so the absences below are of a real import, not of an empty one).
    assert {"app", f"otklik.bootstrap.{function}"} <= imported[function]


@pytest.mark.parametrize("function", _names(FUNCTIONS))
def test_no_function_imports_what_only_its_build_or_first_call_needs(
    imported: dict[str, set[str]], function: str
) -> None:
    assert sorted(set(NEVER_AT_IMPORT) & imported[function]) == []


@pytest.mark.parametrize("function", sorted(set(_names(FUNCTIONS)) - HTTP_FUNCTIONS))
def test_only_the_http_functions_import_chalice(imported: dict[str, set[str]], function: str) -> None:
    assert "chalice" not in imported[function]


@pytest.mark.parametrize("function", _names(FUNCTIONS))
def test_a_function_imports_no_other_functions_builder(imported: dict[str, set[str]], function: str) -> None:
    builders = {f"otklik.bootstrap.{name}" for name in _names(FUNCTIONS)}
    assert builders & imported[function] == {f"otklik.bootstrap.{function}"}
