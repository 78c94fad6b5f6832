"""The JSON Schema of the configuration, generated from the pydantic models.

Committed as schemas/smsconf.schema.json so editors complete and check YAML through the YAML
language server; a test fails when the committed file is out of date.
"""

from __future__ import annotations

import json
from typing import Any

from smsconf.config.model import Config

SCHEMA_ID = "https://smsconf.dev/schemas/smsconf.schema.json"


def json_schema() -> dict[str, Any]:
    schema = Config.model_json_schema(mode="validation")
    # The model's own title ("Config") must not override ours: spread it first.
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "smsconf configuration",
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
