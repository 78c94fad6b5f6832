"""The JSON Schema of the configuration, generated from the pydantic models.

Committed as schemas/smsconf.schema.json so editors complete and check YAML through the YAML
language server; a test fails when the committed file is out of date.
"""

from __future__ import annotations

import json
from typing import Any

from smsconf.config.interpolate import VAR
from smsconf.config.model import Config

# `${var:NAME}` as a whole value: the loader substitutes it (with the variable's own type)
# before validation, so a number, a boolean or an enum word may be written as one, and editors
# must not flag what `smsconf validate` accepts.
VARIABLE = {
    "type": "string",
    "pattern": f"^{VAR.pattern}$",
    "description": "a variable of the chosen environment, substituted before validation",
}
SCALARS = {"integer", "number", "boolean", "string"}
CONSTRAINTS = ("enum", "const", "pattern", "format")

SCHEMA_ID = "https://smsconf.dev/schemas/smsconf.schema.json"


def _constrained_scalar(node: dict[str, Any]) -> bool:
    """A value that a `${var:...}` string would fail: a non-string scalar, or a string with
    an enum, pattern or format (an unconstrained string already admits the placeholder)."""
    if node.get("type") in SCALARS - {"string"}:
        return True
    return node.get("type", "string") == "string" and any(k in node for k in CONSTRAINTS)


def _admit_variables(node: Any) -> Any:
    """Every constrained scalar value (property or item) also admits a whole `${var:...}`."""
    if isinstance(node, list):
        return [_admit_variables(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _admit_variables(v) for k, v in node.items()}
    if isinstance(node.get("properties"), dict):
        node["properties"] = {name: _with_variable(sub) for name, sub in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        node["items"] = _with_variable(node["items"])
    return node  # maps (`variables:` values) hold the values themselves: left alone


def _with_variable(node: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in node and any(_constrained_scalar(alt) for alt in node["anyOf"]):
        return {**node, "anyOf": [*node["anyOf"], VARIABLE]}
    if _constrained_scalar(node) and "$ref" not in node:
        outer = {k: node[k] for k in ("title", "description", "default") if k in node}
        inner = {k: v for k, v in node.items() if k not in outer}
        return {**outer, "anyOf": [inner, VARIABLE]}
    return node


def json_schema() -> dict[str, Any]:
    schema = _admit_variables(Config.model_json_schema(mode="validation"))
    # The model's own title ("Config") must not override ours: spread it first.
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "smsconf configuration",
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
