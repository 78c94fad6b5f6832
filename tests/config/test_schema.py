"""schema.py and the committed schemas/smsconf.schema.json.

Editors check YAML through the committed schema, so it must equal what the models generate, and
the shipped example must pass it (the schema admits `${var:...}` where secrets go).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from smsconf.cli import main
from smsconf.config.loader import validate_paths
from smsconf.config.schema import SCHEMA_ID, json_schema, json_schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "smsconf.schema.json"


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_committed_schema_is_up_to_date() -> None:
    """Regenerate with `smsconf schema --out schemas/smsconf.schema.json` when this fails."""
    assert COMMITTED.read_text(encoding="utf-8") == json_schema_text()


def test_schema_header() -> None:
    """The YAML language server needs a draft and an id; a title names it in editor menus."""
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID and schema["title"] == "smsconf configuration"


def test_example_validates_against_committed_schema() -> None:
    """The complete example, `${var:...}` placeholders and all, is clean for editors too."""
    errors = list(_validator().iter_errors(_yaml(ROOT / "examples" / "channels.yaml")))
    assert errors == []


def test_example_points_editors_at_the_schema() -> None:
    """The modeline at the top of the example resolves to the committed schema file."""
    first = (ROOT / "examples" / "channels.yaml").read_text(encoding="utf-8").splitlines()[0]
    relative = first.split("$schema=", 1)[1]
    assert (ROOT / "examples" / relative).resolve() == COMMITTED


@pytest.mark.parametrize(
    ("document", "word"),
    [
        ({"accounts": [{"name": "a", "customer_id": "c", "api_key": "pasted"}]}, "pasted"),
        ({"workstreams": [{"name": "w", "distribution": {"mode": "pushh"}}]}, "pushh"),
        ({"queues": [{"name": "q", "managd": True}]}, "managd"),
        ({"workstreams": [{"name": "w", "distribution": {"auto_close_after": "8 h"}}]}, "8 h"),
        ({"workstreams": [{"name": "w", "sms": {"number": "1", "language": "en-us"}}]}, "en-us"),
    ],
)
def test_schema_rejects_what_editors_should_flag(document: dict[str, Any], word: str) -> None:
    """Literal secrets, bad enum words, unknown keys, bad durations and locales fail the schema."""
    errors = list(_validator().iter_errors(document))
    assert errors and any(word in str(e.instance) or word in e.message for e in errors)


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    """`smsconf schema` prints the same text it writes with --out."""
    runner = CliRunner()
    printed = runner.invoke(main, ["schema"])
    assert printed.exit_code == 0 and printed.output == json_schema_text()
    out = tmp_path / "s.json"
    written = runner.invoke(main, ["schema", "--out", str(out)])
    assert written.exit_code == 0 and out.read_text(encoding="utf-8") == json_schema_text()


@pytest.mark.parametrize(
    ("document", "value"),
    [
        ({"queues": [{"name": "q", "managed": True, "priority": "${var:v}"}]}, 7),
        ({"queues": [{"name": "q", "managed": "${var:v}"}]}, True),
        ({"workstreams": [{"name": "w", "distribution": {"mode": "${var:v}"}}]}, "push"),
        ({"quick_replies": [{"title": "t", "locale": "${var:v}"}]}, "fr-FR"),
        ({"workstreams": [{"name": "w", "distribution": {"auto_close_after": "${var:v}"}}]}, "8h"),
    ],
)
def test_a_variable_may_stand_for_any_scalar(
    document: dict[str, Any], value: Any, tmp_path: Path
) -> None:
    """`${var:...}` is substituted, with the variable's own type, before validation: where
    smsconf accepts it the schema does too, and a literal of the wrong type is still flagged."""
    variables = {"environments": {"local": {"target": "local", "variables": {"v": value}}}}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**variables, **document}), encoding="utf-8")
    validate_paths([path])  # smsconf accepts it (raises ConfigError otherwise)
    errors = list(_validator().iter_errors({**variables, **document}))
    assert errors == [], [e.message for e in errors]
    wrong = json.loads(json.dumps(document).replace('"${var:v}"', '"${env:V}"'))
    assert list(_validator().iter_errors(wrong)), "a non-variable string must still be flagged"
