"""YAML as a settings file should read it: safe types only, and a key given twice is an error.

PyYAML keeps the last of two equal keys without a word; in a configuration document that is almost
always a mistake (two `routing:` blocks, the first silently lost), so it is refused with both lines.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlProblem(ValueError):
    """The text is not a YAML document we accept; the message names the line and column."""


_MERGE = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue  # `<<: *anchor` merges another mapping in; its own keys may be overridden here
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # a list or mapping as a key: unhashable, so not even a dict key
                raise YamlProblem(
                    f"line {line}: a key must be a plain value, not a list or mapping"
                ) from None
            if first is not None:
                raise YamlProblem(f"line {line}: {key!r} is given twice (first on line {first})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str | bytes) -> Any:
    """The document's data; YamlProblem for text that is not one YAML document."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise YamlProblem(f"{where}{error.problem or error}") from None
    except yaml.reader.ReaderError as error:
        # Bytes that are not UTF-8, or a control character: PyYAML's own text spans two lines.
        if error.encoding and error.encoding != "unicode":
            what = f"not {error.encoding} text ({error.reason})"
        else:
            what = f"character #x{error.character:04x} is not allowed ({error.reason})"
        raise YamlProblem(f"position {error.position}: {what}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not a YAML document: {error}") from None
