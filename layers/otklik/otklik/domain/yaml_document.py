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

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> Any:
        # A date that is no date (2026-02-30) raises a bare ValueError from inside PyYAML: named here by
        # its line, like any other mistake in the text.
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date: {error}", node.start_mark
            ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_checked_timestamp)


# Nodes of the document with every alias expanded. Aliases share what they name, so a small text can
# stand for billions of nodes ("a billion laughs"), which every walk of the data would then visit.
MAX_EXPANDED_NODES = 200_000


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has with its aliases expanded; stops counting past the limit."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done:
            if id(node) in visiting:
                raise YamlProblem("the document holds itself through an alias (*name inside its own &name)")
            visiting.add(id(node))
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if children_done or not children:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def load_yaml(text: str | bytes) -> Any:
    """The document's data; YamlProblem for text that is not one YAML document."""
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _expanded_size(node) > MAX_EXPANDED_NODES:
                raise YamlProblem(
                    f"the document expands to over {MAX_EXPANDED_NODES} values through its aliases (*name)"
                )
            return loader.construct_document(node)
        finally:
            loader.dispose()
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
