"""SAM templates: YAML with CloudFormation short tags, parameters, conditions, Globals and intrinsics."""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

DEFAULT_STACK_NAME = "otklik-local"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account: ARNs it builds use it too

SERVERLESS_FUNCTION = "AWS::Serverless::Function"


class TemplateError(ValueError):
    """The template, a parameter value or an intrinsic function cannot be used as written."""


class ResourceResolver(Protocol):
    """What `Template.resolve` asks about resources: their Ref value and their attributes."""

    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...


class _NoValue:
    """AWS::NoValue: the property or list item that holds it disappears."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


# ---------------------------------------------------------------- YAML with short tags


class _TemplateLoader(yaml.SafeLoader):
    """A SafeLoader that turns !Ref, !GetAtt, !Sub ... into their long forms ({"Fn::Sub": ...})."""


def _construct_short_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        raise TemplateError(f"unexpected YAML node for !{tag_suffix}")
    if tag_suffix in ("Ref", "Condition"):
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


_TemplateLoader.add_multi_constructor("!", _construct_short_tag)


def parse_yaml(text: str) -> Any:
    """Parse CloudFormation YAML; short tags become long-form intrinsics."""
    return yaml.load(text, Loader=_TemplateLoader)  # a SafeLoader subclass


# ---------------------------------------------------------------- functions and their triggers


@dataclass(frozen=True)
class EventSource:
    """One entry of a function's Events: its name, Type and unresolved Properties."""

    name: str
    type: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class FunctionSpec:
    """An AWS::Serverless::Function with Globals applied."""

    logical_id: str
    code_uri: Path
    handler: str
    runtime: str | None
    timeout: int
    memory_size: int
    events: tuple[EventSource, ...]
    layers: tuple[Any, ...]
    properties: dict[str, Any]

    def events_of_type(self, *types: str) -> list[EventSource]:
        return [event for event in self.events if event.type in types]


# ---------------------------------------------------------------- the template


class Template:
    """A loaded template: parameter values, evaluated conditions, resources with Globals merged."""

    def __init__(
        self,
        path: Path,
        document: Mapping[str, Any],
        parameters: dict[str, str | list[str]],
        *,
        stack_name: str,
        region: str,
        account_id: str,
    ) -> None:
        self.path = path
        self.base_dir = path.parent
        self.document = document
        self.parameters = parameters
        self.stack_name = stack_name
        self.region = region
        self.account_id = account_id
        self.mappings: dict[str, Any] = dict(document.get("Mappings") or {})
        self._condition_specs: dict[str, Any] = dict(document.get("Conditions") or {})
        self._condition_values: dict[str, bool] = {}
        self._conditions_in_progress: set[str] = set()
        self.conditions = {name: self.condition(name) for name in self._condition_specs}
        self.resources = self._resources_with_globals()

    # ------------------------------------------------------------ resources

    def _resources_with_globals(self) -> dict[str, dict[str, Any]]:
        declared = self.document.get("Resources") or {}
        if not isinstance(declared, Mapping) or not declared:
            raise TemplateError(f"{self.path}: no Resources")
        globals_section = self.document.get("Globals") or {}
        resources: dict[str, dict[str, Any]] = {}
        for logical_id, resource in declared.items():
            if not isinstance(resource, Mapping) or "Type" not in resource:
                raise TemplateError(f"resource {logical_id} has no Type")
            condition = resource.get("Condition")
            if condition is not None and not self.condition(condition):
                continue
            merged = copy.deepcopy(dict(resource))
            kind = str(resource["Type"]).removeprefix("AWS::Serverless::")
            if str(resource["Type"]).startswith("AWS::Serverless::") and kind in globals_section:
                merged["Properties"] = merge_globals(
                    globals_section[kind] or {}, merged.get("Properties") or {}
                )
            resources[logical_id] = merged
        return resources

    def resource(self, logical_id: str) -> dict[str, Any]:
        try:
            return self.resources[logical_id]
        except KeyError:
            raise TemplateError(f"no resource {logical_id} in {self.path.name}") from None

    def resource_type(self, logical_id: str) -> str:
        return str(self.resource(logical_id)["Type"])

    def resources_of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource["Type"] in types
        }

    def properties(self, logical_id: str) -> dict[str, Any]:
        return dict(self.resource(logical_id).get("Properties") or {})

    # ------------------------------------------------------------ functions

    def functions(self) -> list[FunctionSpec]:
        """Every AWS::Serverless::Function, Globals applied, scalar settings resolved."""
        return [self.function(logical_id) for logical_id in self.resources_of_type(SERVERLESS_FUNCTION)]

    def function(self, logical_id: str) -> FunctionSpec:
        resource = self.resource(logical_id)
        if resource["Type"] != SERVERLESS_FUNCTION:
            raise TemplateError(f"{logical_id} is a {resource['Type']}, not a {SERVERLESS_FUNCTION}")
        props = dict(resource.get("Properties") or {})
        if props.get("PackageType") == "Image":
            raise TemplateError(f"{logical_id}: container image functions are not supported locally")
        code_uri = self.resolve(props.get("CodeUri"))
        if not isinstance(code_uri, str):
            raise TemplateError(f"{logical_id}: CodeUri must be a local directory, got {code_uri!r}")
        handler = self.resolve(props.get("Handler"))
        if not isinstance(handler, str) or "." not in handler:
            raise TemplateError(f"{logical_id}: Handler must look like module.function, got {handler!r}")
        events_section = props.get("Events") or {}
        events = tuple(
            EventSource(
                name=name, type=str(event.get("Type")), properties=dict(event.get("Properties") or {})
            )
            for name, event in events_section.items()
        )
        runtime = self.resolve(props.get("Runtime"))
        return FunctionSpec(
            logical_id=logical_id,
            code_uri=(self.base_dir / code_uri).resolve(),
            handler=handler,
            runtime=str(runtime) if runtime is not None else None,
            timeout=int(self.resolve(props.get("Timeout", 3))),
            memory_size=int(self.resolve(props.get("MemorySize", 128))),
            events=events,
            layers=tuple(props.get("Layers") or ()),
            properties=props,
        )

    def function_environment(self, logical_id: str, resources: ResourceResolver | None) -> dict[str, str]:
        """The function's Environment.Variables (Globals merged), every intrinsic resolved to a string."""
        props = self.function(logical_id).properties
        variables = (props.get("Environment") or {}).get("Variables") or {}
        resolved = self.resolve(variables, resources)
        environment: dict[str, str] = {}
        for name, value in (resolved or {}).items():
            if value is None:
                continue
            if isinstance(value, list | dict):
                raise TemplateError(f"{logical_id}: environment variable {name} is not a scalar: {value!r}")
            environment[str(name)] = scalar_string(value)
        return environment

    def outputs(self, resources: ResourceResolver | None) -> dict[str, Any]:
        """The template's Outputs, resolved (outputs whose Condition is false are left out)."""
        result: dict[str, Any] = {}
        for name, output in (self.document.get("Outputs") or {}).items():
            condition = output.get("Condition")
            if condition is not None and not self.condition(condition):
                continue
            result[name] = self.resolve(output.get("Value"), resources)
        return result

    # ------------------------------------------------------------ conditions

    def condition(self, name: str) -> bool:
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self._condition_specs:
            raise TemplateError(f"unknown condition {name}")
        if name in self._conditions_in_progress:
            raise TemplateError(f"condition {name} refers to itself")
        self._conditions_in_progress.add(name)
        try:
            value = self._resolve(self._condition_specs[name], None)
        finally:
            self._conditions_in_progress.discard(name)
        if not isinstance(value, bool):
            raise TemplateError(f"condition {name} is not a boolean: {value!r}")
        self._condition_values[name] = value
        return value

    # ------------------------------------------------------------ intrinsics

    def resolve(self, value: Any, resources: ResourceResolver | None = None) -> Any:
        """Resolve every intrinsic in value; resource references go to resources.

        With resources=None only parameters, pseudo parameters, mappings and conditions resolve;
        a reference to a resource then raises TemplateError.
        """
        resolved = self._resolve(value, resources)
        return None if resolved is NO_VALUE else resolved

    def _resolve(self, value: Any, resolver: ResourceResolver | None) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item, resolver) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        intrinsic = intrinsic_name(value)
        if intrinsic is None:
            resolved = {key: self._resolve(item, resolver) for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        argument = value[intrinsic]
        handler = _INTRINSICS.get(intrinsic)
        if handler is None:
            raise TemplateError(f"{intrinsic} is not supported by the local stack")
        return handler(self, argument, resolver)

    def _ref(self, name: Any, resolver: ResourceResolver | None) -> Any:
        if not isinstance(name, str):
            raise TemplateError(f"Ref needs a name, got {name!r}")
        pseudo = self._pseudo_parameter(name)
        if pseudo is not None:
            return pseudo
        if name in self.parameters:
            return self.parameters[name]
        self._require_resource(name, "Ref")
        if resolver is None:
            raise TemplateError(f"Ref {name} needs the created resources")
        return resolver.ref(name)

    def _get_att(self, logical_id: str, attribute: str, resolver: ResourceResolver | None) -> Any:
        self._require_resource(logical_id, "Fn::GetAtt")
        if resolver is None:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute} needs the created resources")
        return resolver.get_att(logical_id, attribute)

    def _require_resource(self, logical_id: str, function: str) -> None:
        if logical_id in self.resources:
            return
        declared = self.document.get("Resources") or {}
        if logical_id in declared:
            raise TemplateError(f"{function} {logical_id}: the resource's Condition is false")
        if logical_id in implicit_resources(self):
            return
        raise TemplateError(f"{function} {logical_id}: no such parameter or resource")

    def _pseudo_parameter(self, name: str) -> Any:
        if not name.startswith("AWS::"):
            return None
        values: dict[str, Any] = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:"
                f"stack/{self.stack_name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": [],
        }
        if name not in values:
            raise TemplateError(f"unknown pseudo parameter {name}")
        return values[name]

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    def references(self, value: Any) -> set[str]:
        """Logical ids of the resources value refers to (Ref, Fn::GetAtt, ${...} in Fn::Sub)."""
        found: set[str] = set()
        for name in _referenced_names(value):
            if name.startswith("AWS::") or name in self.parameters:
                continue
            found.add(name)
        return found


# ---------------------------------------------------------------- intrinsic functions


def intrinsic_name(value: Mapping[str, Any]) -> str | None:
    """The intrinsic a one-key mapping stands for ("Ref", "Fn::Sub", "Condition"), else None."""
    if len(value) != 1:
        return None
    (key,) = value
    if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
        return str(key)
    if key == "Condition" and isinstance(value[key], str):
        return "Condition"
    return None


def _fn_ref(template: Template, argument: Any, resolver: ResourceResolver | None) -> Any:
    return template._ref(argument, resolver)


def _fn_get_att(template: Template, argument: Any, resolver: ResourceResolver | None) -> Any:
    if isinstance(argument, str):
        logical_id, _, attribute = argument.partition(".")
    elif isinstance(argument, list) and len(argument) == 2:
        logical_id = argument[0]
        attribute = template._resolve(argument[1], resolver)
    else:
        raise TemplateError(f"Fn::GetAtt needs [resource, attribute], got {argument!r}")
    if not logical_id or not attribute:
        raise TemplateError(f"Fn::GetAtt needs a resource and an attribute, got {argument!r}")
    return template._get_att(str(logical_id), str(attribute), resolver)


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _fn_sub(template: Template, argument: Any, resolver: ResourceResolver | None) -> str:
    variables: dict[str, Any] = {}
    if isinstance(argument, str):
        text = argument
    elif isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        text = template._resolve(argument[0], resolver)
        variables = {name: template._resolve(item, resolver) for name, item in argument[1].items()}
    else:
        raise TemplateError(f"Fn::Sub needs a string or [string, variables], got {argument!r}")
    if not isinstance(text, str):
        raise TemplateError(f"Fn::Sub needs a string, got {text!r}")

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        name = name.strip()
        if name in variables:
            return sub_string(variables[name], name)
        if "." in name and not name.startswith("AWS::"):
            logical_id, _, attribute = name.partition(".")
            return sub_string(template._get_att(logical_id, attribute, resolver), name)
        return sub_string(template._ref(name, resolver), name)

    return _SUB_VARIABLE.sub(substitute, text)


def _fn_join(template: Template, argument: Any, resolver: ResourceResolver | None) -> str:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise TemplateError(f"Fn::Join needs [delimiter, list], got {argument!r}")
    delimiter = template._resolve(argument[0], resolver)
    items = template._resolve(argument[1], resolver)
    if not isinstance(delimiter, str) or not isinstance(items, list):
        raise TemplateError(f"Fn::Join needs [delimiter, list], got {argument!r}")
    return delimiter.join(sub_string(item, "Fn::Join") for item in items)


def _fn_select(template: Template, argument: Any, resolver: ResourceResolver | None) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise TemplateError(f"Fn::Select needs [index, list], got {argument!r}")
    index = template._resolve(argument[0], resolver)
    items = template._resolve(argument[1], resolver)
    if not isinstance(items, list):
        raise TemplateError(f"Fn::Select needs a list, got {items!r}")
    try:
        return items[int(index)]
    except (ValueError, IndexError):
        raise TemplateError(f"Fn::Select index {index!r} is out of range for {items!r}") from None


def _fn_split(template: Template, argument: Any, resolver: ResourceResolver | None) -> list[str]:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise TemplateError(f"Fn::Split needs [delimiter, string], got {argument!r}")
    delimiter = template._resolve(argument[0], resolver)
    text = template._resolve(argument[1], resolver)
    if not isinstance(delimiter, str) or not isinstance(text, str):
        raise TemplateError(f"Fn::Split needs [delimiter, string], got {argument!r}")
    return text.split(delimiter)


def _fn_if(template: Template, argument: Any, resolver: ResourceResolver | None) -> Any:
    if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
        raise TemplateError(f"Fn::If needs [condition, value if true, value if false], got {argument!r}")
    chosen = argument[1] if template.condition(argument[0]) else argument[2]
    return template._resolve(chosen, resolver)


def _fn_equals(template: Template, argument: Any, resolver: ResourceResolver | None) -> bool:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise TemplateError(f"Fn::Equals needs two values, got {argument!r}")
    left, right = (template._resolve(item, resolver) for item in argument)
    if _is_scalar(left) and _is_scalar(right):
        return scalar_string(left) == scalar_string(right)
    return bool(left == right)


def _conditions(
    template: Template, argument: Any, resolver: ResourceResolver | None, name: str
) -> list[bool]:
    if not isinstance(argument, list) or not argument:
        raise TemplateError(f"{name} needs a list of conditions, got {argument!r}")
    values = [template._resolve(item, resolver) for item in argument]
    if not all(isinstance(value, bool) for value in values):
        raise TemplateError(f"{name} needs conditions, got {argument!r}")
    return values


def _fn_not(template: Template, argument: Any, resolver: ResourceResolver | None) -> bool:
    values = _conditions(template, argument, resolver, "Fn::Not")
    if len(values) != 1:
        raise TemplateError(f"Fn::Not needs exactly one condition, got {argument!r}")
    return not values[0]


def _fn_and(template: Template, argument: Any, resolver: ResourceResolver | None) -> bool:
    return all(_conditions(template, argument, resolver, "Fn::And"))


def _fn_or(template: Template, argument: Any, resolver: ResourceResolver | None) -> bool:
    return any(_conditions(template, argument, resolver, "Fn::Or"))


def _fn_condition(template: Template, argument: Any, resolver: ResourceResolver | None) -> bool:
    return template.condition(str(argument))


def _fn_find_in_map(template: Template, argument: Any, resolver: ResourceResolver | None) -> Any:
    if not (isinstance(argument, list) and len(argument) in (3, 4)):
        raise TemplateError(f"Fn::FindInMap needs [map, top key, second key], got {argument!r}")
    map_name, top_key, second_key = (template._resolve(item, resolver) for item in argument[:3])
    try:
        return template._resolve(template.mappings[map_name][top_key][second_key], resolver)
    except (KeyError, TypeError):
        if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
            return template._resolve(argument[3]["DefaultValue"], resolver)
        raise TemplateError(f"Fn::FindInMap: no {map_name}/{top_key}/{second_key} in Mappings") from None


def _fn_base64(template: Template, argument: Any, resolver: ResourceResolver | None) -> str:
    text = template._resolve(argument, resolver)
    if not isinstance(text, str):
        raise TemplateError(f"Fn::Base64 needs a string, got {text!r}")
    return base64.b64encode(text.encode()).decode()


def _fn_get_azs(template: Template, argument: Any, resolver: ResourceResolver | None) -> list[str]:
    region = template._resolve(argument, resolver) or template.region
    return [f"{region}{zone}" for zone in "abc"]


_INTRINSICS = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::If": _fn_if,
    "Fn::Equals": _fn_equals,
    "Fn::Not": _fn_not,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Condition": _fn_condition,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_get_azs,
}


def _referenced_names(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _referenced_names(item)
        return
    if not isinstance(value, dict):
        return
    intrinsic = intrinsic_name(value)
    argument = value.get(intrinsic) if intrinsic else None
    if intrinsic == "Ref" and isinstance(argument, str):
        yield argument
    elif intrinsic == "Fn::GetAtt":
        if isinstance(argument, str):
            yield argument.partition(".")[0]
        elif isinstance(argument, list) and argument:
            yield str(argument[0])
    elif intrinsic == "Fn::Sub":
        text: Any = argument
        variables: Any = {}
        if isinstance(argument, list) and len(argument) == 2:
            text, variables = argument
        if isinstance(text, str) and isinstance(variables, dict):
            for match in _SUB_VARIABLE.finditer(text):
                name = match.group(1).strip()
                if not name.startswith("!") and name not in variables:
                    yield name.partition(".")[0] if not name.startswith("AWS::") else name
        yield from _referenced_names(variables)
    else:
        for item in value.values():
            yield from _referenced_names(item)


# ---------------------------------------------------------------- values


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def scalar_string(value: Any) -> str:
    """A scalar as CloudFormation writes it into a string: true/false, 24 (not 24.0), text as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sub_string(value: Any, where: str) -> str:
    if not _is_scalar(value):
        raise TemplateError(f"{where} resolves to {value!r}, which is not a string")
    return scalar_string(value)


def merge_globals(global_properties: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (the resource wins), lists add up (Globals first), scalars override."""
    merged = copy.deepcopy(dict(global_properties))
    for key, value in properties.items():
        merged[key] = _merge_global_value(merged[key], value) if key in merged else copy.deepcopy(value)
    return merged


def _merge_global_value(global_value: Any, value: Any) -> Any:
    both_maps = isinstance(global_value, dict) and isinstance(value, dict)
    if both_maps and intrinsic_name(global_value) is None and intrinsic_name(value) is None:
        return merge_globals(global_value, value)
    if isinstance(global_value, list) and isinstance(value, list):
        return copy.deepcopy(global_value) + copy.deepcopy(value)
    return copy.deepcopy(value)


def implicit_resources(template: Template) -> dict[str, str]:
    """Resources SAM generates that templates may refer to: the implicit API and function roles."""
    implicit: dict[str, str] = {}
    for logical_id, resource in template.resources_of_type(SERVERLESS_FUNCTION).items():
        props = resource.get("Properties") or {}
        if "Role" not in props:
            implicit[f"{logical_id}Role"] = "AWS::IAM::Role"
        for event in (props.get("Events") or {}).values():
            if event.get("Type") == "Api" and "RestApiId" not in (event.get("Properties") or {}):
                implicit["ServerlessRestApi"] = "AWS::Serverless::Api"
    return implicit


# ---------------------------------------------------------------- parameters


def _parameter_values(
    declared: Mapping[str, Any], overrides: Mapping[str, str]
) -> dict[str, str | list[str]]:
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise TemplateError(
            f"unknown parameter(s) {', '.join(unknown)}; "
            f"the template declares {', '.join(declared) or 'none'}"
        )
    values: dict[str, str | list[str]] = {}
    for name, declared_spec in declared.items():
        spec = declared_spec or {}
        parameter_type = str(spec.get("Type", "String"))
        if name in overrides:
            raw = scalar_string(overrides[name])
            source = "override"
        elif "Default" in spec:
            default = spec["Default"]
            raw = (
                ",".join(scalar_string(v) for v in default)
                if isinstance(default, list)
                else scalar_string(default)
            )
            source = "default"
        else:
            raise TemplateError(f"parameter {name} has no Default: pass it in the parameter overrides")
        if parameter_type.startswith("AWS::SSM::Parameter::Value") and source == "default":
            raise TemplateError(
                f"parameter {name} is read from SSM ({parameter_type}); pass its value as an override"
            )
        is_list = parameter_type == "CommaDelimitedList" or parameter_type.startswith("List<")
        items = [item.strip() for item in raw.split(",")] if is_list else [raw]
        for item in items:
            _validate_parameter(name, spec, item, parameter_type, source)
        values[name] = items if is_list else raw
    return values


def _validate_parameter(
    name: str, spec: Mapping[str, Any], value: str, parameter_type: str, source: str
) -> None:
    where = f"parameter {name} ({source} {value!r})"
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [scalar_string(item) for item in allowed]:
        choices = ", ".join(scalar_string(item) for item in allowed)
        raise TemplateError(f"{where} is not one of the AllowedValues: {choices}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and re.fullmatch(str(pattern), value) is None:
        raise TemplateError(f"{where} does not match AllowedPattern {pattern}")
    if parameter_type in ("Number", "List<Number>"):
        try:
            number = float(value)
        except ValueError:
            raise TemplateError(f"{where} is not a number") from None
        if "MinValue" in spec and number < float(spec["MinValue"]):
            raise TemplateError(f"{where} is below MinValue {scalar_string(spec['MinValue'])}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            raise TemplateError(f"{where} is above MaxValue {scalar_string(spec['MaxValue'])}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        raise TemplateError(f"{where} is shorter than MinLength {spec['MinLength']}")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        raise TemplateError(f"{where} is longer than MaxLength {spec['MaxLength']}")


def load_template(
    path: Path,
    parameter_overrides: dict[str, str] | None = None,
    *,
    stack_name: str = DEFAULT_STACK_NAME,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
) -> Template:
    """Load a SAM template: parameters (defaults + validated overrides), conditions, Globals merged."""
    path = Path(path)
    try:
        document = parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TemplateError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(document, Mapping):
        raise TemplateError(f"{path}: not a template (expected a mapping at the top)")
    parameters = _parameter_values(document.get("Parameters") or {}, parameter_overrides or {})
    return Template(path, document, parameters, stack_name=stack_name, region=region, account_id=account_id)
