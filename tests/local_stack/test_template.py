"""The template loader: short tags, parameters, conditions, Globals and intrinsic functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.local.template import TemplateError, load_template, merge_globals, parse_yaml
from tests.local_stack.paths import FIXTURE_TEMPLATE, PROJECT_TEMPLATE

pytestmark = pytest.mark.unit


class NamedResources:
    """Resolves a resource's Ref and attributes to readable placeholders, as LocalResources would to names."""

    def ref(self, logical_id: str) -> Any:
        return f"ref:{logical_id}"

    def get_att(self, logical_id: str, attribute: str) -> Any:
        return f"{logical_id}.{attribute}"


def write_template(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Queue:
    Type: AWS::SQS::Queue
"""


def test_short_tags_become_long_form_intrinsics() -> None:
    # Given YAML with CloudFormation short tags, including both !GetAtt forms and both !Sub forms
    text = """
    a: !Ref Stage
    b: !GetAtt Queue.Arn
    c: !GetAtt [Queue, QueueName]
    d: !Sub "${Stage}-x"
    e: !Sub ["${Name}", {Name: !Ref Stage}]
    f: !If [IsProd, !Join ["-", [a, b]], !Ref "AWS::NoValue"]
    g: !Not [!Equals [!Ref Stage, prod]]
    h: !Condition IsProd
    i: !Select [0, !Split [",", "a,b"]]
    j: !FindInMap [Map, !Ref Stage, Key]
    k: !And [!Condition IsProd, !Or [!Condition IsProd, !Condition IsProd]]
    """

    # When it is parsed
    parsed = parse_yaml(text)

    # Then every tag is the long form a JSON template would use
    assert parsed["a"] == {"Ref": "Stage"}
    assert parsed["b"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert parsed["c"] == {"Fn::GetAtt": ["Queue", "QueueName"]}
    assert parsed["d"] == {"Fn::Sub": "${Stage}-x"}
    assert parsed["e"] == {"Fn::Sub": ["${Name}", {"Name": {"Ref": "Stage"}}]}
    assert parsed["f"] == {"Fn::If": ["IsProd", {"Fn::Join": ["-", ["a", "b"]]}, {"Ref": "AWS::NoValue"}]}
    assert parsed["g"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "prod"]}]}
    assert parsed["h"] == {"Condition": "IsProd"}
    assert parsed["i"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert parsed["j"] == {"Fn::FindInMap": ["Map", {"Ref": "Stage"}, "Key"]}
    assert parsed["k"]["Fn::And"][1] == {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsProd"}]}


def test_sub_resolves_parameters_pseudo_parameters_and_resource_attributes(tmp_path: Path) -> None:
    # Given a template and a !Sub that mixes a parameter, pseudo parameters, ${Res.Attr} and an escape
    template = load_template(write_template(tmp_path, MINIMAL), {"Stage": "qa"}, stack_name="demo")
    value = parse_yaml(
        '!Sub "${Stage}/${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${Queue.Arn}/${!Literal}"'
    )

    # When it is resolved against the resources
    resolved = template.resolve(value, NamedResources())

    # Then each variable is replaced and the escaped one stays literal
    assert resolved == "qa/us-east-1/123456789012/demo/Queue.Arn/${Literal}"


def test_sub_list_form_uses_its_own_variables_first(tmp_path: Path) -> None:
    # Given !Sub with a variables map that shadows a parameter
    template = load_template(write_template(tmp_path, MINIMAL))
    value = parse_yaml('!Sub ["${Stage}:${Url}", {Stage: shadow, Url: !Ref Queue}]')

    # When resolved
    resolved = template.resolve(value, NamedResources())

    # Then the map's values win and may themselves be intrinsics
    assert resolved == "shadow:ref:Queue"


def test_get_att_forms_join_select_split_and_find_in_map_resolve(tmp_path: Path) -> None:
    # Given a template with a mapping
    text = MINIMAL + "Mappings:\n  Levels:\n    dev:\n      Log: DEBUG\n"
    template = load_template(write_template(tmp_path, text))
    values = parse_yaml(
        """
        dotted: !GetAtt Queue.QueueName
        listed: !GetAtt [Queue, QueueName]
        joined: !Join [":", [a, !Ref Stage, !Ref "AWS::Partition"]]
        second: !Select [1, !Split [",", "x,y,z"]]
        level: !FindInMap [Levels, !Ref Stage, Log]
        """
    )

    # When resolved
    resolved = template.resolve(values, NamedResources())

    # Then each function gives what CloudFormation would
    assert resolved == {
        "dotted": "Queue.QueueName",
        "listed": "Queue.QueueName",
        "joined": "a:dev:aws",
        "second": "y",
        "level": "DEBUG",
    }


def test_parameters_take_defaults_and_valid_overrides() -> None:
    # Given the fixture template's parameters (String with pattern, String with AllowedValues, Number)
    # When loaded with some overrides
    template = load_template(FIXTURE_TEMPLATE, {"Mode": "loud", "Retries": "4"})

    # Then overrides win, defaults fill the rest, numbers are strings as Ref gives them
    assert template.parameters == {"Stage": "dev", "Mode": "loud", "Retries": "4"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Mode": "shout"}, "AllowedValues: quiet, loud"),
        ({"Stage": "Dev1"}, "AllowedPattern"),
        ({"Retries": "9"}, "above MaxValue 5"),
        ({"Retries": "-1"}, "below MinValue 0"),
        ({"Retries": "many"}, "not a number"),
        ({"Colour": "red"}, "unknown parameter(s) Colour"),
    ],
)
def test_invalid_overrides_are_rejected_with_a_clear_error(overrides: dict[str, str], message: str) -> None:
    # Given an override the template does not allow
    # When the template is loaded, Then the error says which parameter and why
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_template(FIXTURE_TEMPLATE, overrides)


def test_conditions_decide_resources_and_if_branches() -> None:
    # Given the fixture's IsLoud condition on Mode
    quiet = load_template(FIXTURE_TEMPLATE)
    loud = load_template(FIXTURE_TEMPLATE, {"Mode": "loud"})

    # Then the conditional topic and the !If variable exist only when the condition holds
    assert quiet.conditions == {"IsLoud": False, "IsQuiet": True}
    assert "LoudTopic" not in quiet.resources
    assert "LOUD" not in quiet.function_environment("HttpFunction", NamedResources())
    assert loud.conditions == {"IsLoud": True, "IsQuiet": False}
    assert "LoudTopic" in loud.resources
    assert loud.function_environment("HttpFunction", NamedResources())["LOUD"] == "yes"


def test_a_ref_to_a_resource_whose_condition_is_false_is_an_error() -> None:
    # Given the quiet template (LoudTopic is not created)
    template = load_template(FIXTURE_TEMPLATE)

    # When an output refers to the topic, Then the error names the false condition
    with pytest.raises(TemplateError, match="LoudTopic: the resource's Condition is false"):
        template.resolve({"Ref": "LoudTopic"}, NamedResources())
    assert "LoudTopicArn" not in template.outputs(NamedResources())


def test_globals_are_merged_into_every_function() -> None:
    # Given Globals.Function (Timeout 10, MemorySize 256, a layer, shared variables)
    template = load_template(FIXTURE_TEMPLATE)

    # When the functions are listed
    functions = {spec.logical_id: spec for spec in template.functions()}

    # Then scalars come from Globals unless the function sets them, and lists and maps are merged
    http, worker = functions["HttpFunction"], functions["WorkerFunction"]
    assert (http.timeout, http.memory_size, http.runtime) == (5, 256, "python3.13")
    assert (worker.timeout, worker.memory_size) == (10, 256)
    assert http.layers == ({"Ref": "FixtureLayer"},)
    assert http.code_uri == FIXTURE_TEMPLATE.parent / "functions" / "http"
    assert [event.type for event in http.events] == ["Api", "Api", "Api", "Api"]
    environment = template.function_environment("HttpFunction", NamedResources())
    assert environment["SHARED"] == "from-globals"
    assert environment["OVERRIDDEN"] == "from-function"
    assert environment["STAGE"] == "dev"


def test_merge_globals_adds_lists_and_keeps_intrinsics_whole() -> None:
    # Given Globals and function properties with a list, a map and an intrinsic on both sides
    global_properties = {"Layers": ["g"], "Environment": {"Variables": {"A": "1", "B": {"Ref": "X"}}}}
    properties = {"Layers": ["f"], "Environment": {"Variables": {"B": {"Fn::Sub": "y"}}}}

    # When merged
    merged = merge_globals(global_properties, properties)

    # Then Globals' list items come first and the function's intrinsic replaces the global one
    assert merged == {"Layers": ["g", "f"], "Environment": {"Variables": {"A": "1", "B": {"Fn::Sub": "y"}}}}


def test_function_environment_resolves_every_intrinsic_to_a_string() -> None:
    # Given the HTTP function's environment with Ref, !Sub ${Res.Attr} and !FindInMap
    template = load_template(FIXTURE_TEMPLATE, {"Stage": "prod"})

    # When resolved
    environment = template.function_environment("HttpFunction", NamedResources())

    # Then every value is a plain string
    assert environment == {
        "STAGE": "prod",
        "SHARED": "from-globals",
        "OVERRIDDEN": "from-function",
        "LEDGER_TABLE": "ref:LedgerTable",
        "ONLY_HTTP": "yes",
        "WORK_QUEUE_URL": "ref:WorkQueue",
        "WORK_QUEUE_ARN": "WorkQueue.Arn",
        "LEVEL": "INFO",
    }


def test_resource_references_need_the_created_resources() -> None:
    # Given a loaded template but no resources yet
    template = load_template(FIXTURE_TEMPLATE)

    # When a value refers to a resource, Then resolution says what is missing
    with pytest.raises(TemplateError, match="Ref WorkQueue needs the created resources"):
        template.resolve({"Ref": "WorkQueue"})
    assert template.resolve({"Fn::Sub": "${AWS::Partition}:${Stage}"}) == "aws:dev"


def test_every_function_of_the_project_template_points_at_a_handler_file() -> None:
    # Given the project's own template
    template = load_template(PROJECT_TEMPLATE, {"Stage": "test"})

    # When its functions are listed
    functions = template.functions()

    # Then each one's CodeUri holds the module its Handler names
    assert functions
    for spec in functions:
        module = spec.handler.rpartition(".")[0].replace(".", "/")
        assert (spec.code_uri / f"{module}.py").is_file(), spec.logical_id
