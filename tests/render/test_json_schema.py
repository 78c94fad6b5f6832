"""The JSON plan against its own JSON Schema (schemas/plan.schema.json, draft 2020-12).

CI jobs and other tools read saved plans; the schema is their contract. Real plans must
validate, and the schema must be strict enough to catch a plan that lost a member.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from smsconf.reconcile.plan import Plan

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_real_plans_validate(
    validator: Draft202012Validator, mixed_plan: Plan, empty_plan: Plan, edited_plan: Plan
) -> None:
    """Every action, risks, unmanaged rows, secrets masked (the accounts' API keys), and a
    trust list compared with a base (`trust_base`)."""
    assert edited_plan.trust_base is not None and edited_plan.trust_base.changes
    for plan in (mixed_plan, empty_plan, edited_plan):
        assert errors(validator, json.loads(plan.to_json())) == []
    sensitive = [
        c for c in empty_plan.to_dict()["resource_changes"] if c["change"]["after_sensitive"]
    ]
    assert sensitive, "the create-all plan should exercise the sensitive masks"


def test_schema_lists_exactly_the_members_plan_writes(
    validator: Draft202012Validator, mixed_plan: Plan
) -> None:
    """`required` is the whole member list: a member added to Plan.to_dict() without the
    schema (or the reverse) fails here rather than in a consumer."""
    schema = validator.schema
    document = mixed_plan.to_dict()
    assert set(schema["required"]) == set(document) == set(schema["properties"])
    change_schema = schema["$defs"]["resource_change"]
    for change in document["resource_changes"]:
        assert set(change) == set(change_schema["required"]) == set(change_schema["properties"])


def test_plan_without_resource_changes_is_rejected(
    validator: Draft202012Validator, mixed_plan: Plan
) -> None:
    document = mixed_plan.to_dict()
    del document["resource_changes"]
    assert any(
        "'resource_changes' is a required property" in e for e in errors(validator, document)
    )


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("format_version",), "2.0"),
        (("checksum",), "md5:abc"),
        (("summary", "rename"), 1),
        (("resource_changes", 0, "change", "actions"), ["replace"]),
        (("resource_changes", 0, "change", "actions"), ["create", "delete"]),
        (("resource_changes", 0, "surprise"), True),
        (("resource_changes", 0, "columns", 0, "sensitive"), "no"),
    ],
)
def test_schema_rejects_malformed_plans(
    validator: Draft202012Validator, mixed_plan: Plan, path: tuple[str | int, ...], value: Any
) -> None:
    document = mixed_plan.to_dict()
    node = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert errors(validator, document)


def test_a_secret_value_in_a_sensitive_column_is_rejected(
    validator: Draft202012Validator, empty_plan: Plan
) -> None:
    """The schema itself forbids a value next to `sensitive: true`."""
    document = empty_plan.to_dict()
    for change in document["resource_changes"]:
        for column in change["columns"]:
            if column["sensitive"]:
                column["after"] = "leaked-key"
                assert errors(validator, document)
                return
    pytest.fail("no sensitive column in the create-all plan")
