"""Where the local stack's test fixtures and the project's template are."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_TEMPLATE = FIXTURES / "template.yaml"
PROJECT_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
