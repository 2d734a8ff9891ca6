"""YAML as a settings file should read it: safe types only, and a key given twice is an error.

PyYAML keeps the last of two equal keys without a word; in a configuration document that is almost
always a mistake (two `routing:` blocks, the first silently lost), so it is refused with both lines.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlProblem(ValueError):
    """The text is not a YAML document we accept; the message names the line and column."""


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlProblem(f"line {line}: {key!r} is given twice (first on line {seen[key]})")
            try:
                seen[key] = line
            except TypeError:
                raise YamlProblem(
                    f"line {line}: a key must be a plain value, not a list or mapping"
                ) from None
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str | bytes) -> Any:
    """The document's data; YamlProblem for text that is not one YAML document."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise YamlProblem(f"{where}{error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not a YAML document: {error}") from None
