"""Reads template.yaml for the local stack and the tests.

CloudFormation's short-form tags (!Ref, !Sub, !GetAtt, !If...) are loaded as plain one-key
mappings, and `Template.resolve` evaluates them against local values, so everything that runs
locally (table, functions, environment, triggers) is derived from the same file that deploys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.local.account import PSEUDO_PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"

_TAGS = ("Ref", "Condition")
_FN_TAGS = (
    "Sub",
    "GetAtt",
    "If",
    "Equals",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "Not",
    "And",
    "Or",
    "Base64",
    "GetAZs",
    "ImportValue",
    "Cidr",
)


class _CfnLoader(yaml.SafeLoader):
    pass


def _construct(tag: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {tag: value}

    return construct


for _tag in _TAGS:
    _CfnLoader.add_constructor(f"!{_tag}", _construct(_tag))
for _tag in _FN_TAGS:
    _CfnLoader.add_constructor(f"!{_tag}", _construct(f"Fn::{_tag}"))


@dataclass(frozen=True)
class FunctionSpec:
    """One AWS::Serverless::Function with its Globals applied."""

    logical_id: str
    code_dir: Path
    module: str  # "app"
    handler: str  # "lambda_handler"
    layers: tuple[Path, ...]
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    events: dict[str, dict[str, Any]]

    @property
    def handler_file(self) -> Path:
        return self.code_dir / f"{self.module.replace('.', '/')}.py"


@dataclass
class Template:
    """template.yaml plus the values that stand in for cloud resources locally."""

    raw: dict[str, Any]
    path: Path = TEMPLATE_PATH
    # Logical id or parameter name -> local value (table name, bucket, stage, URLs...).
    refs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = TEMPLATE_PATH, refs: Mapping[str, str] | None = None) -> Template:
        raw = yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
        return cls(raw=raw, path=path, refs=dict(refs or {}))

    # ------------------------------------------------------------------ resources
    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("Resources", {}))

    def resources_of_type(self, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == resource_type:
                yield logical_id, resource

    def parameter_default(self, name: str) -> str | None:
        param = self.raw.get("Parameters", {}).get(name)
        return None if param is None or "Default" not in param else str(param["Default"])

    # ------------------------------------------------------------------ intrinsics
    def resolve(self, value: Any) -> Any:
        """Evaluates intrinsic functions with local values; unknown references stay readable."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                return self.refs.get(".".join(arg), f"{arg[0]}.{arg[1]}")
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                condition, when_true, when_false = arg
                return self.resolve(when_true if self._condition(condition) else when_false)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        if name in self.refs:
            return self.refs[name]
        if name.startswith("AWS::"):
            return PSEUDO_PARAMETERS.get(name, name)
        default = self.parameter_default(name)
        return default if default is not None else name

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                return str(self.refs.get(name, name))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def _condition(self, name: str) -> bool:
        condition = self.raw.get("Conditions", {})[name]
        ((key, arg),) = condition.items()
        if key == "Fn::Equals":
            left, right = (self.resolve(a) for a in arg)
            return bool(left == right)
        raise NotImplementedError(f"condition {key} is not evaluated locally")

    # ------------------------------------------------------------------ the table
    def table_definition(self, logical_id: str = "Table") -> dict[str, Any]:
        """CreateTable arguments for the table, as DynamoDB Local or moto accept them."""
        props = self.resolve(self.resources[logical_id]["Properties"])
        definition: dict[str, Any] = {
            "TableName": self.refs.get(logical_id, logical_id),
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        return definition

    def table_ttl_attribute(self, logical_id: str = "Table") -> str | None:
        spec = self.resources[logical_id]["Properties"].get("TimeToLiveSpecification")
        return spec["AttributeName"] if spec and spec.get("Enabled") else None

    # ------------------------------------------------------------------ functions
    def global_environment(self) -> dict[str, str]:
        """The Globals' function environment, resolved: what every function shares."""
        variables = (
            self.raw.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        )
        return {name: str(self.resolve(value)) for name, value in variables.items()}

    def functions(self) -> dict[str, FunctionSpec]:
        globals_ = self.raw.get("Globals", {}).get("Function", {})
        layer_dirs = {
            lid: self.path.parent / res["Properties"]["ContentUri"]
            for lid, res in self.resources_of_type("AWS::Serverless::LayerVersion")
        }
        specs: dict[str, FunctionSpec] = {}
        for logical_id, resource in self.resources_of_type("AWS::Serverless::Function"):
            props = resource["Properties"]
            module, _, handler = props["Handler"].rpartition(".")
            env = {
                **globals_.get("Environment", {}).get("Variables", {}),
                **props.get("Environment", {}).get("Variables", {}),
            }
            layers = [*globals_.get("Layers", []), *props.get("Layers", [])]
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                code_dir=self.path.parent / props["CodeUri"],
                module=module,
                handler=handler,
                layers=tuple(layer_dirs[layer["Ref"]] for layer in layers if layer.get("Ref") in layer_dirs),
                environment={k: str(self.resolve(v)) for k, v in env.items()},
                timeout_seconds=int(props.get("Timeout", globals_.get("Timeout", 3))),
                memory_mb=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
                events=dict(props.get("Events", {})),
            )
        return specs

    def events_of_type(self, event_type: str) -> Iterator[tuple[FunctionSpec, str, dict[str, Any]]]:
        """(function, event name, resolved properties) for every trigger of one type."""
        for spec in self.functions().values():
            for name, event in spec.events.items():
                if event.get("Type") == event_type:
                    yield spec, name, self.resolve(event.get("Properties", {}))
