"""Texts written by sellers in the configuration document, rendered in Jinja2's sandbox.

The sandbox keeps a template from reaching Python internals; undefined names are errors, so a typo
in a variable is refused when the document is checked instead of rendering as an empty string.
Jinja2 is imported on first use: the functions that never render a text do not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Template


class TemplateProblem(ValueError):
    """A template that does not compile or does not render with the variables it is given."""


@cache
def _compiled(source: str) -> Template:
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    try:
        return environment.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(f"line {error.lineno}: {error.message}") from None


def render(source: str, variables: Mapping[str, Any]) -> str:
    """The template's text with variables filled in; TemplateProblem when it cannot be rendered."""
    from jinja2 import TemplateError, UndefinedError

    template = _compiled(source)
    try:
        return template.render(**variables)
    except UndefinedError as error:
        raise TemplateProblem(f"unknown variable: {error.message}") from None
    except TemplateError as error:
        raise TemplateProblem(str(error.message or type(error).__name__)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        # What a template's own expression does wrong ({{ 1 + "a" }}): the template's fault, said so.
        raise TemplateProblem(f"{type(error).__name__}: {error}") from None
